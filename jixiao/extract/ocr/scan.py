"""One page image → text lines and table grids, the shapes the text path builds.

The page is rendered, its red seal suppressed and its skew undone; the
ruling lines found in the image become lattice segments and so raw grids.
Text is detected once on a reduced copy of the page (without the ruling
lines), every detected box is cut where a ruling line crosses it, and each
piece is recognized alone: a piece therefore never holds text of two cells,
and neighbouring numbers cannot glue together (``310.2154.74``).  Pieces
then play the part of the text layer's characters: they are placed into
cells by their centre (:func:`jixiao.extract.tables.raw_to_grid`) and joined
into the page's visual lines for the narrative.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import cv2
import numpy as np
import pymupdf
import regex

from jixiao.extract.chars import Char
from jixiao.extract.lattice import RawGrid, Segment, cluster_to_grid, segments_to_clusters
from jixiao.extract.narrative import Line
from jixiao.extract.ocr import image as im
from jixiao.extract.ocr.engine import MIN_SCORE, MIN_SCORE_PUNCT, Engine, Recognized, get_engine
from jixiao.models import Box

#: The detector reads a reduced page of this resolution (text ≥ 9 pt stays ≥ 12 px high).
DET_DPI = 120
#: A piece narrower than this (points) after cutting is a sliver of a border, not text.
MIN_PIECE_PT = 2.0
#: Share of a detected box's height taken as the text's size (the box has a margin).
SIZE_OF_BOX = 0.75


@dataclass
class Timings:
    """Seconds spent in each step of one page, for the benchmark."""

    render: float = 0.0
    prepare: float = 0.0  # seal, threshold, deskew
    rulings: float = 0.0
    detect: float = 0.0
    recognize: float = 0.0
    assemble: float = 0.0

    def add(self, other: Timings) -> None:
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass(frozen=True)
class Piece:
    """A recognized run of text inside one cell (or outside any table), in points."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    score: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    def char(self) -> Char:
        return Char(self.text, self.x0, self.y0, self.x1, self.y1, self.height * SIZE_OF_BOX)


@dataclass
class OcrPage:
    """What OCR read on one page: pieces, the raw grids, and visual lines."""

    page: int
    width: float
    height: float
    pieces: list[Piece]
    raws: list[RawGrid]
    lines: list[Line]
    skew: float
    timings: Timings = field(default_factory=Timings)

    @property
    def chars(self) -> list[Char]:
        return [p.char() for p in self.pieces]

    @property
    def text(self) -> str:
        return "\n".join(ln.text for ln in self.lines)


def _raws(segments: Sequence[Segment]) -> list[RawGrid]:
    return [g for g in (cluster_to_grid(c) for c in segments_to_clusters(segments)) if g]


def _cuts(lo: float, hi: float, at: Sequence[float], margin: float) -> list[tuple[float, float]]:
    """Split [lo, hi] at the positions strictly inside it (with a margin)."""
    inner = sorted(x for x in at if lo + margin < x < hi - margin)
    edges = [lo, *inner, hi]
    return list(pairwise(edges))


def cut_boxes(
    boxes: Sequence[tuple[float, float, float, float]],
    rulings: im.Rulings,
    min_width: float,
) -> list[tuple[float, float, float, float]]:
    """Cut each (x0, y0, x1, y1) pixel box wherever a ruling line crosses it.

    A vertical line crossing the box's middle height splits it into side by
    side pieces; a horizontal line crossing its middle width into stacked
    ones.  Slivers narrower than ``min_width`` (a border's width) go.
    """
    out: list[tuple[float, float, float, float]] = []
    for x0, y0, x1, y1 in boxes:
        cy = (y0 + y1) / 2
        xs = [x for x, v0, v1, _ in rulings.vertical if v0 <= cy <= v1]
        for a, b in _cuts(x0, x1, xs, min_width):
            cx = (a + b) / 2
            ys = [y for h0, y, h1, _ in rulings.horizontal if h0 <= cx <= h1]
            for c, d in _cuts(y0, y1, ys, min_width):
                if b - a >= min_width and d - c >= min_width:
                    out.append((a, c, b, d))
    return out


def drop_overlaps(boxes: Sequence[tuple[float, float, float, float]]) -> list[tuple[float, float, float, float]]:
    """Drop a box that lies mostly (over half its area) inside a larger one.

    The detector sometimes returns two overlapping boxes for one run of text;
    cut at a ruling line, the smaller leaves a sliver that would read a
    character twice (``99.68`` and ``8``).
    """

    def area(b: tuple[float, float, float, float]) -> float:
        return max(0.0, b[2] - b[0]) * max(0.0, b[3] - b[1])

    kept: list[tuple[float, float, float, float]] = []
    for b in sorted(boxes, key=area, reverse=True):
        inside = max(
            (area((max(b[0], k[0]), max(b[1], k[1]), min(b[2], k[2]), min(b[3], k[3]))) for k in kept), default=0.0
        )
        if inside <= 0.5 * area(b):
            kept.append(b)
    kept.sort(key=lambda b: (b[1], b[0]))
    return kept


def _crop(grey: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    h, w = grey.shape
    x0, y0, x1, y1 = box
    crop = grey[max(0, int(y0)) : min(h, int(np.ceil(y1))), max(0, int(x0)) : min(w, int(np.ceil(x1)))]
    return cv2.cvtColor(crop, cv2.COLOR_GRAY2BGR)


def _has_ink(ink: np.ndarray, box: tuple[float, float, float, float]) -> bool:
    x0, y0, x1, y1 = (int(v) for v in box)
    return bool(np.count_nonzero(ink[max(0, y0) : max(0, y1), max(0, x0) : max(0, x1)]) >= 4)


def _region(piece: Piece, raws: Sequence[RawGrid]) -> int:
    for i, raw in enumerate(raws):
        if raw.xs[0] <= piece.cx <= raw.xs[-1] and raw.ys[0] <= piece.cy <= raw.ys[-1]:
            return i
    return -1


def _join(pieces: Sequence[Piece]) -> str:
    """One visual line's text: a space only between two Latin runs set apart."""
    parts: list[str] = []
    prev: Piece | None = None
    for p in pieces:
        if prev is not None and p.text[:1].isascii() and prev.text[-1:].isascii():
            if p.x0 - prev.x1 > 0.5 * max(p.height, prev.height) * SIZE_OF_BOX:
                parts.append(" ")
        parts.append(p.text)
        prev = p
    return "".join(parts)


_OUTLINE_ONE = regex.compile(r"^([(（])\s*(?:[-—–−_~]+|一)\s*([)）])")
_OUTLINE_TWO = regex.compile(r"^([(（])\s*[=＝]\s*([)）])")
_LEAD_ONE = regex.compile(r"^(?:[-—–−~]{1,2})(?=、)")


def fix_outline(text: str) -> str:
    """An outline number OCR read as dashes: ``( --)`` → ``(一)``, ``(=)`` → ``(二)``, ``-、`` → ``一、``.

    Only at the start of a line, where a dash in brackets means nothing else;
    headings are found by these numbers.
    """
    text = _OUTLINE_ONE.sub(r"\1一\2", text)
    text = _OUTLINE_TWO.sub(r"\1二\2", text)
    return str(_LEAD_ONE.sub("一", text))


def pieces_to_lines(page_no: int, pieces: Sequence[Piece], raws: Sequence[RawGrid]) -> list[Line]:
    """Visual lines, top to bottom: pieces of one region whose heights overlap by half."""
    groups: dict[int, list[Piece]] = {}
    for p in pieces:
        groups.setdefault(_region(p, raws), []).append(p)
    lines: list[Line] = []
    for region, region_pieces in groups.items():
        rows: list[list[Piece]] = []
        for p in sorted(region_pieces, key=lambda q: (q.cy, q.x0)):
            for row in rows:
                ref = row[-1]
                overlap = min(ref.y1, p.y1) - max(ref.y0, p.y0)
                if overlap >= 0.5 * min(ref.height, p.height):
                    row.append(p)
                    break
            else:
                rows.append([p])
        for row in rows:
            row.sort(key=lambda q: q.x0)
            x0, y0 = min(q.x0 for q in row), min(q.y0 for q in row)
            x1, y1 = max(q.x1 for q in row), max(q.y1 for q in row)
            size = max(q.height for q in row) * SIZE_OF_BOX
            text = _join(row) if region >= 0 else fix_outline(_join(row))
            lines.append(Line(page_no, text, Box.of(page_no, x0, y0, x1, y1), round(size, 2)))
    lines.sort(key=lambda ln: (ln.box.y0, ln.box.x0))
    return lines


def _first_glyph(crop: np.ndarray) -> tuple[int, int] | None:
    """Columns [a, b) of the crop's first glyph: the first run of inked columns."""
    grey = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY) if crop.ndim == 3 else crop
    if grey.size == 0:
        return None
    _, ink = cv2.threshold(grey, 0, 1, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    cols = ink.sum(axis=0) >= 2
    inked = np.flatnonzero(cols)
    if len(inked) < 4:
        return None
    a = int(inked[0])
    gaps = np.flatnonzero(~cols[a:])
    if len(gaps) == 0:
        return None
    b = a + int(gaps[0])
    if b - a < 3 or b >= len(cols) - 3:
        return None
    return a, b


#: What the recognizer makes of a ``≥``/``≤`` it does not drop.
SIGN_MISREADS = frozenset("2ZzWwQ>＞<＜")


def classify_sign(glyph: np.ndarray) -> str | None:
    """``≥ ≤ > <`` from the shape of one glyph's ink (a binary array), else None.

    The recognizer drops these before digits and cannot read them alone, but
    their shape is plain: a chevron whose point is right (``>``) or left
    (``<``), with a bar under it for ``≥``/``≤``.
    """
    rows = np.flatnonzero(glyph.any(axis=1))
    cols = np.flatnonzero(glyph.any(axis=0))
    if len(rows) < 5 or len(cols) < 4:
        return None
    ink = glyph[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1].astype(bool)
    h, w = ink.shape
    if not 0.3 * h <= w <= 1.3 * h:
        return None
    lower = ink[h - max(1, round(h * 0.35)) :]
    bar = float(lower.mean(axis=1).max()) >= 0.8
    body = ink[: round(h * 0.65)] if bar else ink
    rows_ink = [np.flatnonzero(r) for r in body if r.any()]
    if len(rows_ink) < 4:
        return None
    centres = [float(r.mean()) for r in rows_ink]
    first = rows_ink[0]
    if first[-1] - first[0] + 1 > 0.55 * w:  # a digit's flat top (2, 7, 5), not a chevron's arm
        return None
    top, bottom = centres[0], centres[-1]
    n = len(centres)
    apex_right, apex_left = int(np.argmax(centres)), int(np.argmin(centres))
    # a chevron's arm runs straight to the apex: half way there it has moved
    half_right, half_left = centres[max(1, apex_right // 2)], centres[max(1, apex_left // 2)]
    if (
        top < 0.45 * w
        and bottom < 0.55 * w
        and 0.25 * n <= apex_right <= 0.75 * n
        and centres[apex_right] - top > 0.3 * w
        and half_right - top >= 0.08 * w
    ):
        return "≥" if bar else ">"
    if (
        top > 0.55 * w
        and bottom > 0.45 * w
        and 0.25 * n <= apex_left <= 0.75 * n
        and top - centres[apex_left] > 0.3 * w
        and top - half_left >= 0.08 * w
    ):
        return "≤" if bar else "<"
    return None


def restore_lead_signs(engine: Engine, crops: Sequence[np.ndarray], found: list[Recognized]) -> list[Recognized]:
    """Put back a leading ``≥``/``≤`` the recognizer dropped before a number.

    PP-OCR often reads ``≥95%`` as ``95%`` (or ``295%``, ``W95%``) and
    cannot read the sign alone.  When the first glyph of a piece that starts
    with a digit (or a usual misreading) has the shape of a sign, the crop
    without that glyph is recognized again: if it reads as the whole text,
    the sign was dropped; if it reads as the text less its first character,
    that character was the sign misread.  Either way the sign is put back.
    """
    candidates: list[tuple[int, np.ndarray, str]] = []
    for i, (crop, rec) in enumerate(zip(crops, found, strict=True)):
        if not (rec.text[:1].isdigit() or rec.text[:1] in SIGN_MISREADS):
            continue
        span = _first_glyph(crop)
        if span is None:
            continue
        a, b = span
        grey = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
        _, ink = cv2.threshold(grey, 0, 1, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
        sign = classify_sign(ink[:, a:b])
        if sign in ("≥", "≤") and not rec.text.startswith(sign):
            candidates.append((i, np.ascontiguousarray(crop[:, b:]), sign))
    if not candidates:
        return found
    rests = engine.recognize([rest for _, rest, _ in candidates])
    out = list(found)
    for (i, _, sign), rest in zip(candidates, rests, strict=True):
        text = found[i].text
        if rest.text == text:  # the sign was dropped
            out[i] = Recognized(sign + text, found[i].score)
        elif rest.text and rest.text == text[1:].lstrip():  # the sign was misread (2, W, >)
            out[i] = Recognized(sign + rest.text, found[i].score)
    return out


def _in_table(box: tuple[float, float, float, float], raws: Sequence[RawGrid], k: float) -> bool:
    """Whether a pixel box's centre lies in one of the page's tables (``k``: points per pixel)."""
    cx, cy = (box[0] + box[2]) / 2 * k, (box[1] + box[3]) / 2 * k
    return any(raw.xs[0] <= cx <= raw.xs[-1] and raw.ys[0] <= cy <= raw.ys[-1] for raw in raws)


def _recognize(engine: Engine, crops: Sequence[np.ndarray], in_table: Sequence[bool]) -> list[Recognized]:
    """Table cells at the cell height (with their signs restored), narrative lines at the line height."""
    found: list[Recognized] = [Recognized("", 0.0)] * len(crops)
    for table in (True, False):
        picked = [i for i, t in enumerate(in_table) if t is table]
        if not picked:
            continue
        chosen = [crops[i] for i in picked]
        texts = engine.recognize(chosen, lines=not table)
        if table:
            texts = restore_lead_signs(engine, chosen, texts)
        for i, rec in zip(picked, texts, strict=True):
            found[i] = rec
    return found


def keep(rec: Recognized) -> bool:
    """A recognition worth keeping: confident enough, and more so for lone punctuation."""
    text = rec.text.strip()
    if not text or rec.score < MIN_SCORE:
        return False
    return rec.score >= MIN_SCORE_PUNCT or any(ch.isalnum() for ch in text)


def ocr_page(page: pymupdf.Page, page_no: int, dpi: int = im.RENDER_DPI) -> OcrPage:
    """Read one page from its image. Raises ``OcrUnavailable`` when OCR is not installed."""
    engine = get_engine()
    t = Timings()
    clock = time.perf_counter()

    def lap() -> float:
        nonlocal clock
        now = time.perf_counter()
        spent, clock = now - clock, now
        return spent

    dpi = im.page_dpi(page, dpi)
    rgb = im.render(page, dpi)
    t.render = lap()
    grey, seal = im.suppress_seal(rgb)
    skew = im.estimate_skew(im.ink_mask(grey, dpi), dpi)
    grey = im.rotate(grey, skew)
    if seal is not None:
        seal = im.rotate(seal.astype(np.uint8) * 255, skew) > 127
    ink = im.ink_mask(grey, dpi)
    t.prepare = lap()
    rulings = im.find_rulings(ink, dpi, seal)
    raws = _raws(im.rulings_to_segments(rulings, dpi))
    clean = im.erase_rulings(grey, rulings)
    t.rulings = lap()
    scale = DET_DPI / dpi
    small = cv2.resize(clean, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    quads = engine.detect(cv2.cvtColor(small, cv2.COLOR_GRAY2BGR))
    boxes = [
        (
            float(q[:, 0].min()) / scale,
            float(q[:, 1].min()) / scale,
            float(q[:, 0].max()) / scale,
            float(q[:, 1].max()) / scale,
        )
        for q in quads
    ]
    px = dpi / 72
    text_ink = ink & ~rulings.mask
    pieces_px = drop_overlaps([b for b in cut_boxes(boxes, rulings, MIN_PIECE_PT * px) if _has_ink(text_ink, b)])
    t.detect = lap()
    smooth = im.smooth_for_recognition(clean)
    k = 72 / dpi
    found = _recognize(engine, [_crop(smooth, b) for b in pieces_px], [_in_table(b, raws, k) for b in pieces_px])
    t.recognize = lap()
    pieces = [
        Piece(r.text.strip(), b[0] * k, b[1] * k, b[2] * k, b[3] * k, r.score)
        for b, r in zip(pieces_px, found, strict=True)
        if keep(r)
    ]
    lines = pieces_to_lines(page_no, pieces, raws)
    t.assemble = lap()
    return OcrPage(page_no, page.rect.width, page.rect.height, pieces, raws, lines, skew, t)
