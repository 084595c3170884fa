"""Page image preparation: render, drop the red seal, deskew, find ruling lines.

Each step is a small function of a NumPy image so it can be tested and
timed alone.  Ruling lines come out as the same :class:`Segment` objects the
vector path builds from a PDF's drawings (in PDF points), so
:func:`jixiao.extract.lattice.cluster_to_grid` turns a scanned table into a
grid with spans exactly as it does a born-digital one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
#: Outside a page's images, pixels at least this bright are the page's bare white.
PAGE_WHITE = 250
#: The images' paper tone is taken from a ring this many pixels wide just inside their edges.
MARGIN_RING = 4
#: Images covering all but this share of the page leave no margin worth filling ...
MARGIN_SHARE = 0.005
#: ... and images covering less than this share are no scan of the page (a logo, a photo).
MARGIN_MIN_COVER = 0.5
#: Render resolution; the recognizer reads crops at this resolution.
RENDER_DPI = 200
#: A page image never has more pixels than this (A4 at 200 dpi is 3.9 million; A0 is 16 times that).
MAX_PIXELS = 40_000_000
MIN_DPI = 36
#: Skew search: ±MAX_SKEW degrees in wide steps on a small page, then coarse and fine steps near the best.
MAX_SKEW = 6.0
SKEW_WIDE = 0.25
SKEW_WIDE_DPI = 50
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
#: Two pieces of a line (each a ruling line's length) are joined across a gap this wide (points) ...
BROKEN_GAP_PT = 16.0
#: ... when ink covers this share of it.
DOTTED_INKED = 0.3
#: A line that meets only two lines across it ends at most this far (points) past them.
OVERSHOOT_PT = 6.0
#: Ink just beside a ruling line (within this many points of it, on one side) touches it ...
CLEAR_PT = 1.0
#: ... along at most this share of its length: lines across it and text set tight (up to 0.2 seen), not the
#: feet of a row of characters (0.35 and more).
MAX_TOUCHED = 0.3


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


def image_rects(page: pymupdf.Page, dpi: int = RENDER_DPI) -> list[tuple[int, int, int, int]]:
    """Where the page's images lie on its rendering, in pixels (x0, y0, x1, y1), ``/Rotate`` applied."""
    k = dpi / 72
    out: list[tuple[int, int, int, int]] = []
    for info in page.get_image_info():
        rect = (pymupdf.Rect(info["bbox"]) * page.rotation_matrix) & page.rect
        if not rect.is_empty:
            out.append((round(rect.x0 * k), round(rect.y0 * k), round(rect.x1 * k), round(rect.y1 * k)))
    return out


def fill_margins(rgb: np.ndarray, rects: Sequence[tuple[int, int, int, int]]) -> np.ndarray:
    """The page's bare white around its scanned images turned to the scans' own paper tone.

    A scan placed on a larger page (an A4 scan on a Letter page, a margin
    left by the converter) meets the page's white in a long straight edge:
    to the ink threshold it is a line, level with the page and not with the
    skewed scan, and it would take the skew estimate.  Only near-white
    pixels outside the images change, so text drawn on the page stays, and
    only around images that cover most of the page (a logo's page stays).
    """
    h, w = rgb.shape[:2]
    if not rects or any(x0 <= 1 and y0 <= 1 and x1 >= w - 1 and y1 >= h - 1 for x0, y0, x1, y1 in rects):
        return rgb
    inside = np.zeros((h, w), dtype=bool)
    ring = np.zeros((h, w), dtype=bool)
    for x0, y0, x1, y1 in rects:
        x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
        if x1 - x0 < 2 * MARGIN_RING or y1 - y0 < 2 * MARGIN_RING:
            continue
        ring[y0:y1, x0:x1] = True
        ring[y0 + MARGIN_RING : y1 - MARGIN_RING, x0 + MARGIN_RING : x1 - MARGIN_RING] = False
        inside[y0:y1, x0:x1] = True
    covered = float(inside.mean())
    if covered >= 1 - MARGIN_SHARE or covered < MARGIN_MIN_COVER:  # no margin, or no scan (a logo on a page)
        return rgb
    ring &= inside
    tone = np.median(rgb[ring], axis=0).astype(np.uint8)
    bare = ~inside & (rgb.min(axis=2) >= PAGE_WHITE)
    out = rgb.copy()
    out[bare] = tone
    return out


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
    rotation (text lines and ruling lines both count).  The whole range is
    searched on a quarter of the pixels (``SKEW_WIDE_DPI``, where text lines
    are thick enough that coarse steps cannot miss them), then refined near
    the best angle at ``SKEW_DPI``.
    """
    wide = _profile_sharpness(ink, dpi, SKEW_WIDE_DPI)
    if wide is None:
        return 0.0
    start = max(np.arange(-MAX_SKEW, MAX_SKEW + SKEW_WIDE / 2, SKEW_WIDE), key=wide)
    sharpness = _profile_sharpness(ink, dpi, SKEW_DPI)
    if sharpness is None:
        return 0.0
    near = start + np.arange(-SKEW_WIDE * 2, SKEW_WIDE * 2 + SKEW_COARSE / 2, SKEW_COARSE)
    best = max(near, key=sharpness)
    fine = np.arange(best - SKEW_COARSE, best + SKEW_COARSE + SKEW_FINE / 2, SKEW_FINE)
    return round(float(max(fine, key=sharpness)), 3)


def _profile_sharpness(ink: np.ndarray, dpi: int, at_dpi: int) -> Callable[[float], float] | None:
    """How sharply the ink's rows pile up when sheared by an angle, on the page reduced to ``at_dpi``."""
    scale = at_dpi / dpi
    small = cv2.resize(ink, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else ink
    ys, xs = np.nonzero(small > 96)
    if len(xs) < 200:
        return None
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

    return sharpness


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
    vs = [(y0, x, y1, t) for y0, x, y1, t in _join_runs(v_runs, explained.T, gap * 2) if y1 - y0 >= length]
    # a faint line scanned in black and white breaks into long pieces with specks between: join them
    wide_gap = max(gap * 2, round(BROKEN_GAP_PT * px))
    hs = _join_runs(hs, explained, 0, wide_gap)
    vs = [(x, y0, y1, t) for y0, x, y1, t in _join_runs(vs, explained.T, 0, wide_gap)]
    over = max(touch, round(OVERSHOOT_PT * px))
    margin = max(2, round(CLEAR_PT * px))
    for step in range(4):  # dropping a stray line may orphan another
        if step == 2:  # runs of text strokes, looked at once the lines across them are known
            hs = [h for h in hs if _clear(ink, h_mask, h, margin)]
            vs = [v for v in vs if _clear(ink.T, v_mask.T, (v[1], v[0], v[2], v[3]), margin)]
        h_lines = [h for h in hs if len(_crossed_at_h(h, vs, touch)) >= 2]  # pieces a broken line goes on in
        v_lines = [(v[1], v[0], v[2], v[3]) for v in vs if len(_crossed_at_v(v, hs, touch)) >= 2]
        hs = [h for h in hs if _spans(h[0], h[2], _crossed_at_h(h, vs, touch), over, h, h_lines, wide_gap)]
        vs = [
            v
            for v in vs
            if _spans(v[1], v[2], _crossed_at_v(v, hs, touch), over, (v[1], v[0], v[2], v[3]), v_lines, wide_gap)
        ]
    mask = np.zeros_like(ink)
    for x0, y, x1, t in hs:
        cv2.rectangle(mask, (x0, y - t // 2 - 1), (x1, y + t // 2 + 1), 255, -1)
    for x, y0, y1, t in vs:
        cv2.rectangle(mask, (x - t // 2 - 1, y0), (x + t // 2 + 1, y1), 255, -1)
    return Rulings(tuple(hs), tuple(vs), mask)


def _clear(ink: np.ndarray, mask: np.ndarray, run: tuple[int, int, int, int], margin: int) -> bool:
    """Whether a run is clear enough beside it to be a ruling line (see :func:`_touched`)."""
    return _touched(ink, mask, run, margin) <= MAX_TOUCHED


def _touched(ink: np.ndarray, mask: np.ndarray, run: tuple[int, int, int, int], margin: int) -> float:
    """Share of a horizontal run (x0, y, x1, thickness) that ink touches just beside it, on its worse side.

    A ruling line is touched only by the lines across it (and now and then a
    character set tight against it).  A row of text filling a cell from
    border to border can close into a long run of strokes (the feet of
    ``年度总体``), but the characters' other strokes touch it all along.
    The bands beside the run skip the row next to it (a scanned line's
    ragged edge), and ink of long runs (``mask``: the run itself where it
    wanders a pixel, a parallel line) does not count.
    """
    x0, c, x1, t = run
    top, bottom = c - t // 2 - 1, c + t // 2 + 2
    above = ink[max(0, top - margin) : max(0, top), x0:x1] > 0
    above &= mask[max(0, top - margin) : max(0, top), x0:x1] == 0
    below = ink[bottom : bottom + margin, x0:x1] > 0
    below &= mask[bottom : bottom + margin, x0:x1] == 0
    share_above = float(above.any(axis=0).mean()) if above.size else 0.0
    share_below = float(below.any(axis=0).mean()) if below.size else 0.0
    return max(share_above, share_below)


def _join_runs(
    runs: Sequence[tuple[int, int, int, int]], explained: np.ndarray, short_gap: int, dotted_gap: int = 0
) -> list[tuple[int, int, int, int]]:
    """Join collinear runs (along, across, along_end, thickness) of one direction.

    ``explained`` is indexed [across, along]; a gap is bridged when it is
    short, or when ink or removed seal covers most of it.  With a
    ``dotted_gap`` (the second pass, over runs already a line's length) a
    gap is bridged only when it is no longer than that and ink covers a good
    part of it (the specks of a broken line; a cell's blank padding has none).
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
            if (
                hi - lo <= dotted_gap and _mostly(explained, c, lo, hi, DOTTED_INKED)
                if dotted_gap
                else hi - lo <= short_gap or _mostly(explained, c, lo, hi)
            ):
                out[i] = (min(a0, b0), (c + bc) // 2, max(a1, b1), max(t, bt))
                joined = True
                break
        if not joined:
            out.append(run)
    return out


def _mostly(explained: np.ndarray, across: int, lo: int, hi: int, share: float = 0.8) -> bool:
    band = explained[max(0, across - 2) : across + 3, lo:hi]
    return band.size > 0 and float(band.any(axis=0).mean()) >= share


def _components(mask: np.ndarray) -> list[tuple[int, int, int, int]]:
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    return [(int(s[0]), int(s[1]), int(s[2]), int(s[3])) for s in stats[1:n]]


def _crossed_at_h(h: tuple[int, int, int, int], vs: Sequence[tuple[int, int, int, int]], tol: int) -> list[int]:
    """Where the vertical lines cross (or touch) a horizontal one, along it."""
    x0, y, x1, _ = h
    return sorted(x for x, y0, y1, _ in vs if x0 - tol <= x <= x1 + tol and y0 - tol <= y <= y1 + tol)


def _crossed_at_v(v: tuple[int, int, int, int], hs: Sequence[tuple[int, int, int, int]], tol: int) -> list[int]:
    x, y0, y1, _ = v
    return sorted(y for hx0, y, hx1, _ in hs if hx0 - tol <= x <= hx1 + tol and y0 - tol <= y <= y1 + tol)


def _spans(
    lo: int,
    hi: int,
    crossed: Sequence[int],
    over: int,
    run: tuple[int, int, int, int],
    runs: Sequence[tuple[int, int, int, int]],
    gap: int,
) -> bool:
    """Whether a line from ``lo`` to ``hi`` crossed at ``crossed`` is a table's line.

    It meets two lines across it at least.  One that meets just two closes
    one cell (or a row of one column) and ends at them; running on past one
    by more than ``over`` it is the top or feet of a row of characters that
    fill a cell and spill into the next (``工程完工时间`` beside ``2022年``),
    unless it is a piece of a broken line: another of the ``runs`` goes on
    in line with ``run`` (along, across, along_end, thickness) after a gap.
    """
    if len(crossed) < 2:
        return False
    return len(crossed) > 2 or max(crossed[0] - lo, hi - crossed[-1]) <= over or _continued(run, runs, gap)


def _continued(run: tuple[int, int, int, int], runs: Sequence[tuple[int, int, int, int]], gap: int) -> bool:
    """Whether another run (along, across, along_end, thickness) goes on in line with ``run`` within ``gap``."""
    a0, c, a1, _ = run
    return any(
        abs(bc - c) <= 3 and (0 <= b0 - a1 <= gap or 0 <= a0 - b1 <= gap)
        for b0, bc, b1, _ in runs
        if (b0, bc, b1) != (a0, c, a1)
    )


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
