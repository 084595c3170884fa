"""Page image preparation: render, drop the red seal, deskew, find ruling lines.

Each step is a small function of a NumPy image so it can be tested and
timed alone.  Ruling lines come out as the same :class:`Segment` objects the
vector path builds from a PDF's drawings (in PDF points), so
:func:`jixiao.extract.lattice.cluster_to_grid` turns a scanned table into a
grid with spans exactly as it does a born-digital one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import pymupdf

from jixiao.extract.lattice import Segment

#: Red ink: red channel this far above the larger of green and blue.
SEAL_REDNESS = 40
#: Red ink whose red channel is at least this bright is paper.
SEAL_BRIGHT = 130
#: Pixels beside red ink darker than this are text and stay.
SEAL_KEEP_DARK = 110
#: Local threshold: ink is this much darker than its neighbourhood's mean.
INK_OFFSET = 10
#: Render resolution; the recognizer reads crops at this resolution.
RENDER_DPI = 200
#: A page image never has more pixels than this (A4 at 200 dpi is 3.9 million; A0 is 16 times that).
MAX_PIXELS = 40_000_000
MIN_DPI = 36
#: Skew search: ±MAX_SKEW degrees, coarse then fine steps.
MAX_SKEW = 3.0
SKEW_COARSE = 0.1
SKEW_FINE = 0.01
#: Below this the page is left as it is (a rotation blurs the image a little).
MIN_SKEW = 0.05
#: Skew is measured on a reduced page of this resolution.
SKEW_DPI = 100
#: A run of ink this long (points) is longer than a character's stroke (tables use 9–12 pt text).
MIN_RUN_PT = 10.0
#: A ruling line is at least this long (points): 18 pt, a narrow cell's side.
MIN_RULE_PT = 18.0
#: Gaps of a broken (scanned, thresholded) line bridged before measuring it, points.
RULE_GAP_PT = 2.0
#: Thicker than this (points) it is a filled area, not a line.
MAX_RULE_THICK_PT = 4.0
#: A line end this close (points) to a crossing line touches it (less than a cell's padding).
TOUCH_PT = 2.5


@dataclass(frozen=True)
class Rulings:
    """Ruling lines found on a page image, in pixels, plus the mask that drew them."""

    horizontal: tuple[tuple[int, int, int, int], ...]  # x0, y, x1, thickness
    vertical: tuple[tuple[int, int, int, int], ...]  # x, y0, y1, thickness
    mask: np.ndarray  # uint8, 255 on line pixels


def page_dpi(page: pymupdf.Page, dpi: int = RENDER_DPI) -> int:
    """``dpi``, lowered for an oversized page so its image stays under ``MAX_PIXELS``."""
    w_in, h_in = page.rect.width / 72, page.rect.height / 72
    if w_in <= 0 or h_in <= 0:
        return dpi
    return max(MIN_DPI, min(dpi, int((MAX_PIXELS / (w_in * h_in)) ** 0.5)))


def render(page: pymupdf.Page, dpi: int = RENDER_DPI) -> np.ndarray:
    """The page as an RGB uint8 array."""
    pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csRGB, alpha=False)
    return np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.h, pix.w, 3).copy()


def suppress_seal(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Grey page with red ink (seals, red headers) turned to paper.

    Red ink is where the red channel stands well above green and blue; it
    becomes its red channel (bright for ink on paper, dark where text shows
    through).  Around it (JPEG smears a seal's thin strokes into pale pink)
    every pixel that is not dark becomes paper too.  Black text under a seal (ink
    multiplies: black stays black) and dark text seen through it are kept.
    Returns the grey page and where the seal was (``None`` without one), so
    the line finder may bridge a ruling line across it.
    """
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    r = rgb[..., 0].astype(np.int16)
    redness = r - np.maximum(rgb[..., 1], rgb[..., 2]).astype(np.int16)
    core = ((redness >= SEAL_REDNESS) & (r >= 90)).astype(np.uint8)
    if not core.any():
        return grey, None
    zone = cv2.dilate(core, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (7, 7))) > 0
    out = grey.copy()
    out[zone & (grey >= SEAL_KEEP_DARK)] = 255
    ink = core > 0  # red ink itself: its red channel, bright unless text shows through
    out[ink] = np.where(r[ink] >= SEAL_BRIGHT, 255, r[ink]).astype(np.uint8)
    return out, zone


def ink_mask(grey: np.ndarray, dpi: int = RENDER_DPI) -> np.ndarray:
    """255 where there is ink: a local threshold, so uneven paper tone does not matter."""
    block = max(15, int(dpi * 0.2) | 1)
    return cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, INK_OFFSET)


def estimate_skew(ink: np.ndarray, dpi: int = RENDER_DPI) -> float:
    """The page's rotation in degrees (positive: lines run down to the right).

    Projection profiles: the ink pixels' rows, sheared by each candidate
    angle, pile up into the sharpest histogram when the shear undoes the
    rotation (text lines and ruling lines both count).
    """
    scale = SKEW_DPI / dpi
    small = cv2.resize(ink, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else ink
    ys, xs = np.nonzero(small > 96)
    if len(xs) < 200:
        return 0.0
    xs_f = xs.astype(np.float64) - small.shape[1] / 2
    ys_f = ys.astype(np.float64)

    def sharpness(angle: float) -> float:
        rows = ys_f - xs_f * np.tan(np.radians(angle))
        rows -= rows.min()
        low = np.floor(rows)
        frac = rows - low
        index = low.astype(np.int64)
        # each pixel shares itself between the two rows it falls between, so a
        # shear cannot fake sharpness by rounding a two-row line into one
        counts = np.bincount(index, weights=1 - frac, minlength=int(index.max()) + 2)
        counts += np.bincount(index + 1, weights=frac, minlength=len(counts))
        return float(np.dot(counts, counts))

    coarse = np.arange(-MAX_SKEW, MAX_SKEW + SKEW_COARSE / 2, SKEW_COARSE)
    best = max(coarse, key=sharpness)
    fine = np.arange(best - SKEW_COARSE, best + SKEW_COARSE + SKEW_FINE / 2, SKEW_FINE)
    return round(float(max(fine, key=sharpness)), 3)


def rotate(image: np.ndarray, angle: float) -> np.ndarray:
    """Undo a skew of ``angle`` degrees about the page centre, filling with white."""
    if abs(angle) < MIN_SKEW:
        return image
    h, w = image.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    white: float | tuple[int, int, int] = 255 if image.ndim == 2 else (255, 255, 255)
    return cv2.warpAffine(image, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=white)


def find_rulings(ink: np.ndarray, dpi: int = RENDER_DPI, seal: np.ndarray | None = None) -> Rulings:
    """Horizontal and vertical ruling lines of a deskewed page.

    Short gaps of a broken line are closed along its direction, and a
    morphological opening keeps runs longer than any stroke of a character;
    collinear runs are then joined across gaps that are short or that a
    seal explains (``seal``: where red ink was removed).  A joined line
    counts when it is longer than a narrow cell and touches two lines
    across it, so a long dash or an underline inside a cell never adds a row.
    """
    px = dpi / 72
    gap = max(3, round(RULE_GAP_PT * px))
    stroke = max(8, round(MIN_RUN_PT * px))
    length = max(10, round(MIN_RULE_PT * px))
    thick = max(3, round(MAX_RULE_THICK_PT * px))
    touch = max(2, round(TOUCH_PT * px))
    h_mask = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (gap, 1)))
    h_mask = cv2.morphologyEx(h_mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (stroke, 1)))
    v_mask = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (1, gap)))
    v_mask = cv2.morphologyEx(v_mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, stroke)))
    explained = ink > 0 if seal is None else (ink > 0) | seal
    h_runs = [(x, y + hh // 2, x + w, hh) for x, y, w, hh in _components(h_mask) if hh <= thick]
    v_runs = [(y, x + w // 2, y + hh, w) for x, y, w, hh in _components(v_mask) if w <= thick]
    hs = [r for r in _join_runs(h_runs, explained, gap * 2) if r[2] - r[0] >= length]
    vs = [(x, y0, y1, t) for y0, x, y1, t in _join_runs(v_runs, explained.T, gap * 2) if y1 - y0 >= length]
    for _ in range(2):  # dropping a stray line may orphan another
        hs = [h for h in hs if _crossings_h(h, vs, touch) >= 2]
        vs = [v for v in vs if _crossings_v(v, hs, touch) >= 2]
    mask = np.zeros_like(ink)
    for x0, y, x1, t in hs:
        cv2.rectangle(mask, (x0, y - t // 2 - 1), (x1, y + t // 2 + 1), 255, -1)
    for x, y0, y1, t in vs:
        cv2.rectangle(mask, (x - t // 2 - 1, y0), (x + t // 2 + 1, y1), 255, -1)
    return Rulings(tuple(hs), tuple(vs), mask)


def _join_runs(
    runs: Sequence[tuple[int, int, int, int]], explained: np.ndarray, short_gap: int
) -> list[tuple[int, int, int, int]]:
    """Join collinear runs (along, across, along_end, thickness) of one direction.

    ``explained`` is indexed [across, along]; a gap is bridged when it is
    short, or when ink or removed seal covers most of it.
    """
    out: list[tuple[int, int, int, int]] = []
    for run in sorted(runs, key=lambda r: (r[1], r[0])):
        a0, c, a1, t = run
        joined = False
        for i in range(len(out) - 1, -1, -1):
            b0, bc, b1, bt = out[i]
            if c - bc > 3:
                break
            if abs(c - bc) > 3:
                continue
            lo, hi = (b1, a0) if b1 <= a0 else (a1, b0) if a1 <= b0 else (0, 0)
            if hi - lo <= short_gap or _mostly(explained, c, lo, hi):
                out[i] = (min(a0, b0), (c + bc) // 2, max(a1, b1), max(t, bt))
                joined = True
                break
        if not joined:
            out.append(run)
    return out


def _mostly(explained: np.ndarray, across: int, lo: int, hi: int) -> bool:
    band = explained[max(0, across - 2) : across + 3, lo:hi]
    return band.size > 0 and float(band.any(axis=0).mean()) >= 0.8


def _components(mask: np.ndarray) -> list[tuple[int, int, int, int]]:
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    return [(int(s[0]), int(s[1]), int(s[2]), int(s[3])) for s in stats[1:n]]


def _crossings_h(h: tuple[int, int, int, int], vs: Sequence[tuple[int, int, int, int]], tol: int) -> int:
    x0, y, x1, _ = h
    return sum(1 for x, y0, y1, _ in vs if x0 - tol <= x <= x1 + tol and y0 - tol <= y <= y1 + tol)


def _crossings_v(v: tuple[int, int, int, int], hs: Sequence[tuple[int, int, int, int]], tol: int) -> int:
    x, y0, y1, _ = v
    return sum(1 for hx0, y, hx1, _ in hs if hx0 - tol <= x <= hx1 + tol and y0 - tol <= y <= y1 + tol)


def rulings_to_segments(rulings: Rulings, dpi: int = RENDER_DPI) -> list[Segment]:
    """Pixel lines → :class:`Segment` in PDF points (72 per inch)."""
    k = 72 / dpi
    out = [Segment(x0 * k, y * k, x1 * k, y * k) for x0, y, x1, _ in rulings.horizontal]
    out += [Segment(x * k, y0 * k, x * k, y1 * k) for x, y0, y1, _ in rulings.vertical]
    return out


def erase_rulings(grey: np.ndarray, rulings: Rulings) -> np.ndarray:
    """The page without its ruling lines, so no crop reads a border as ``1`` or ``|``."""
    if not rulings.horizontal and not rulings.vertical:
        return grey
    out = grey.copy()
    out[rulings.mask > 0] = 255
    return out


def smooth_for_recognition(grey: np.ndarray) -> np.ndarray:
    """Dust specks out (median), jagged 1-bit edges softened (a slight blur).

    The recognizer was trained on grey photographs of text; on the
    samples this reads about 3% more pieces right than the raw page.
    """
    return cv2.GaussianBlur(cv2.medianBlur(grey, 3), (3, 3), 0.8)
