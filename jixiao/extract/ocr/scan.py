"""One page image → text lines and table grids, the shapes the text path builds.

The page is rendered (the bare page around a scan placed with margins taken
to the scan's paper tone), its red seal suppressed and its skew undone; the
ruling lines found in the image become lattice segments and so raw grids.
A page scanned sideways or upside down is found from its detected text
boxes and read again turned upright (:mod:`jixiao.extract.ocr.orient`).
Outside the tables, text is detected on reduced copies of the inked parts
of the page (without the ruling lines); inside them, each cell's lines are
taken from its ink (:mod:`jixiao.extract.ocr.cells`), which skips the
detector on most of a table page.  Every box is cut where a ruling line
crosses it, narrative lines are recognized one by one, and a cell's lines
together: a piece therefore never holds text of two cells, and neighbouring
numbers cannot glue together (``310.2154.74``).  Pieces
then play the part of the text layer's characters: they are placed into
cells by their centre (:func:`jixiao.extract.tables.raw_to_grid`) and joined
into the page's visual lines for the narrative.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
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
from jixiao.extract.ocr.cells import cell_lines, read_level
from jixiao.extract.ocr.engine import MIN_SCORE, MIN_SCORE_PUNCT, Engine, Recognized, engine_soon
from jixiao.extract.ocr.orient import is_line, is_sideways, page_turn, turn
from jixiao.models import Box

Box4 = tuple[float, float, float, float]

#: The detector reads a reduced page of this resolution (text ≥ 9 pt stays ≥ 12 px high).
DET_DPI = 120
#: Margin (inches) kept round the inked area handed to the detector.
DET_MARGIN_IN = 0.1
#: Blots of ink smaller than this (pixels) are dust, not text (a scan's specks run to about 20; a
#: full stop may go too: it stands beside the glyphs that keep its region).
MIN_BLOB = 30
#: Inked stretches of a page parted by this many blank inches are detected apart (a table taken out
#: between a title and a footnote leaves such a gap).
REGION_GAP_IN = 0.5
#: Points round a table's outer rulings taken out with it (half the thickest border, and its blur).
TABLE_EDGE_PT = 3.0
#: Lines detected outside a page's tables needed to judge its way up by them alone; with fewer, the
#: whole page is detected at ``ORIENT_DPI`` for that (its boxes only say which way the lines run).
ORIENT_MIN_LINES = 2
ORIENT_DPI = 60
#: A piece narrower than this (points) after cutting is a sliver of a border, not text.
MIN_PIECE_PT = 2.0
#: Share of a detected box's height taken as the text's size (the box has a margin).
SIZE_OF_BOX = 0.75
#: A box this many times the page's median height may hold two lines (a title is up to about 1.6).
SPLIT_TALL = 1.4
#: Boxes needed before a page's usual height is judged.
SPLIT_MIN_BOXES = 5
#: A row with ink in at most this share of the box's width is blank (a speck is allowed).
SPLIT_BLANK = 0.02
#: Each line split off has at least this share of the usual height in inked rows.
SPLIT_MIN_LINE = 0.35
#: White between a cell's lines set side by side, as a share of the crop's height (about a line's own
#: spacing between characters).
JOIN_GAP = 0.125
#: Margin around a narrative line's ink, as a share of the ink's height (see :func:`fit_to_ink`).
LINE_PAD = 0.15


@dataclass
class Timings:
    """Seconds spent in each step of one page, for the benchmark."""

    render: float = 0.0
    prepare: float = 0.0  # seal, threshold, deskew
    rulings: float = 0.0
    detect: float = 0.0
    recognize: float = 0.0
    assemble: float = 0.0
    orient: float = 0.0  # which way up (the classifier on upright pages; a second reading on turned ones)

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
    #: Degrees the page image was turned clockwise to read it upright (0, 90, 180, 270).
    turned: int = 0

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


def split_lines(
    boxes: Sequence[tuple[float, float, float, float]], ink: np.ndarray
) -> list[tuple[float, float, float, float]]:
    """Split a box that holds two or more lines of text at the blank rows between them.

    On a small or blurred scan the detector may take two close lines of a
    cell (``年度总体`` over ``目标``) for one; the recognizer then reads one
    and drops the other.  A box much taller than the page's usual line is
    cut where its ink leaves blank rows with a full line's ink on each side;
    a large title (no blank row across it) and a single character (``二``,
    not tall) stay whole.
    """
    heights = sorted(b[3] - b[1] for b in boxes)
    if len(heights) < SPLIT_MIN_BOXES:
        return list(boxes)
    usual = heights[len(heights) // 2]
    out: list[tuple[float, float, float, float]] = []
    for box in boxes:
        x0, y0, x1, y1 = box
        if y1 - y0 < SPLIT_TALL * usual:
            out.append(box)
            continue
        top = max(0, int(y0))
        region = ink[top : max(top, int(y1)), max(0, int(x0)) : max(0, int(x1))] > 0
        counts = region.sum(axis=1)
        blank = counts <= max(1, SPLIT_BLANK * region.shape[1])
        cuts = [top + c for c in _blank_middles(blank, int(usual * SPLIT_MIN_LINE))]
        edges = [y0, *(float(c) for c in cuts), y1]
        out.extend((x0, a, x1, b) for a, b in pairwise(edges))
    return out


def _blank_middles(blank: np.ndarray, min_line: int) -> list[int]:
    """Middles of the blank runs (two rows or more) that have ``min_line`` inked rows on each side."""
    inked = np.flatnonzero(~blank)
    if len(inked) == 0:
        return []
    cuts: list[int] = []
    start = int(inked[0])  # first row of the current line's ink
    row = start
    end = int(inked[-1])
    while row <= end:
        if blank[row]:
            run_end = row
            while run_end <= end and blank[run_end]:
                run_end += 1
            ink_above = int(np.count_nonzero(~blank[start:row]))
            ink_below = int(np.count_nonzero(~blank[run_end : end + 1]))
            if run_end - row >= 2 and ink_above >= min_line and ink_below >= min_line:
                cuts.append((row + run_end) // 2)
                start = run_end
            row = run_end
        else:
            row += 1
    return cuts


def _crop(grey: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    h, w = grey.shape
    x0, y0, x1, y1 = box
    crop = grey[max(0, int(y0)) : min(h, int(np.ceil(y1))), max(0, int(x0)) : min(w, int(np.ceil(x1)))]
    return cv2.cvtColor(crop, cv2.COLOR_GRAY2BGR)


def fit_to_ink(grey: np.ndarray, box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """A narrative line's box shrunk to its ink, then widened by ``LINE_PAD`` of the ink's height.

    The detector's box around a line of body text often starts at the top
    row of the glyphs (it cuts the tops of 人 and 入 alike) and runs on
    below them.  Fitted to the ink with an even margin, the glyphs fill the
    same share of every crop: read at 32 px high such crops misread fewer
    characters than the detector's boxes at 40 px (84 against 102 of 6,409
    on the scanned samples' text pages) for 0.6 of the recognizer's work.
    A box with hardly any ink (a speck, a dash) stays as detected.
    """
    h, w = grey.shape
    x0, y0, x1, y1 = box
    top, left = max(0, int(y0)), max(0, int(x0))
    region = grey[top : min(h, int(np.ceil(y1))), left : min(w, int(np.ceil(x1)))]
    if region.size == 0:
        return box
    _, ink = cv2.threshold(region, 0, 1, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if len(rows) < 3 or len(cols) < 3:
        return box
    pad = max(2.0, round(LINE_PAD * (rows[-1] - rows[0] + 1)))
    return (
        max(0.0, left + cols[0] - pad),
        max(0.0, top + rows[0] - pad),
        min(float(w), left + cols[-1] + 1 + pad),
        min(float(h), top + rows[-1] + 1 + pad),
    )


def _has_ink(ink: np.ndarray, box: tuple[float, float, float, float]) -> bool:
    x0, y0, x1, y1 = (int(v) for v in box)
    return bool(np.count_nonzero(ink[max(0, y0) : max(0, y1), max(0, x0) : max(0, x1)]) >= 4)


def _table_at(x: float, y: float, raws: Sequence[RawGrid]) -> int:
    """Index of the table holding the point (points), or -1 outside every table."""
    for i, raw in enumerate(raws):
        if raw.xs[0] <= x <= raw.xs[-1] and raw.ys[0] <= y <= raw.ys[-1]:
            return i
    return -1


def _region(piece: Piece, raws: Sequence[RawGrid]) -> int:
    return _table_at(piece.cx, piece.cy, raws)


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


def _text_lines(pieces: Sequence[Piece]) -> list[list[Piece]]:
    """Pieces grouped into lines (heights overlapping by half), top to bottom, each left to right."""
    rows: list[list[Piece]] = []
    for p in sorted(pieces, key=lambda q: (q.cy, q.x0)):
        for row in rows:
            ref = row[-1]
            if min(ref.y1, p.y1) - max(ref.y0, p.y0) >= 0.5 * min(ref.height, p.height):
                row.append(p)
                break
        else:
            rows.append([p])
    return [sorted(row, key=lambda q: q.x0) for row in rows]


def _cell_order(row: Sequence[Piece], raw: RawGrid) -> list[Piece]:
    """A table row's pieces cell by cell, left to right, each cell's lines top to bottom.

    A visual line across a table takes in both lines of a two-line cell
    (``2022年11`` over ``月28日``); read by position alone they interleave
    with the neighbours' text, while the text layer gives each cell whole.
    """
    cells: dict[int, list[Piece]] = {}
    for p in row:
        at = next(
            (i for i, c in enumerate(raw.cells) if c.x0 <= p.cx <= c.x1 and c.y0 <= p.cy <= c.y1),
            len(raw.cells),
        )
        cells.setdefault(at, []).append(p)
    order = sorted(cells, key=lambda i: (raw.cells[i].x0, raw.cells[i].y0) if i < len(raw.cells) else (1e9, 1e9))
    return [p for i in order for line in _text_lines(cells[i]) for p in line]


def pieces_to_lines(page_no: int, pieces: Sequence[Piece], raws: Sequence[RawGrid]) -> list[Line]:
    """Visual lines, top to bottom: pieces of one region whose heights overlap by half."""
    groups: dict[int, list[Piece]] = {}
    for p in pieces:
        groups.setdefault(_region(p, raws), []).append(p)
    lines: list[Line] = []
    for region, region_pieces in groups.items():
        for row in _text_lines(region_pieces):
            if region >= 0:
                row = _cell_order(row, raws[region])
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
#: A dash's ink is at least this many times as wide as high, and at most this share of its crop's height.
DASH_ASPECT = 3.0
DASH_HEIGHT = 0.3
#: Share of a sign's rows (above its bar) that may cross two strokes; a digit's bowl crosses more.
MAX_SPLIT_ROWS = 0.1


def _main_band(glyph: np.ndarray) -> np.ndarray:
    """The glyph with only its inkiest band of rows (bands parted by two blank rows or more)."""
    inked = np.flatnonzero(glyph.any(axis=1))
    if len(inked) == 0:
        return glyph
    breaks = np.flatnonzero(np.diff(inked) > 2)
    if len(breaks) == 0:
        return glyph
    bands = np.split(inked, breaks + 1)
    best = max(bands, key=lambda band: int(glyph[band[0] : band[-1] + 1].sum()))
    out = np.zeros_like(glyph)
    out[best[0] : best[-1] + 1] = glyph[best[0] : best[-1] + 1]
    return out


def classify_sign(glyph: np.ndarray) -> str | None:
    """``≥ ≤ > <`` from the shape of one glyph's ink (a binary array), else None.

    The recognizer drops these before digits and cannot read them alone, but
    their shape is plain: a chevron whose point is right (``>``) or left
    (``<``), with a bar under it for ``≥``/``≤``.  Only the glyph's own
    band of rows counts: a stroke of the line above or below that the crop
    took in (the top of ``元`` under ``≤320.5万``) is left out.
    """
    glyph = _main_band(glyph)
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
    if sum(1 for r in rows_ink if len(r) > 1 and np.diff(r).max() > 2) > MAX_SPLIT_ROWS * len(rows_ink):
        return None  # a bowl (6, 8, 0): rows cross two strokes, a chevron's rows one
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


#: What follows a misread sign never starts so: no figure has a leading zero, so the 2 of 2022 is a 2
#: (specks beside it on a dirty 1-bit scan gave it the shape of ``≥``: ``≥022年5月31日前``).
_LEADING_ZERO = regex.compile(r"0\d")


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
        first = rec.text.strip()[:1]
        if not (first.isdigit() or first in SIGN_MISREADS):
            continue
        span = _first_glyph(crop)
        if span is None:
            continue
        a, b = span
        grey = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
        _, ink = cv2.threshold(grey, 0, 1, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
        sign = classify_sign(ink[:, a:b])
        if sign in ("≥", "≤") and first != sign:
            candidates.append((i, np.ascontiguousarray(crop[:, b:]), sign))
    if not candidates:
        return found
    rests = engine.recognize([rest for _, rest, _ in candidates])
    out = list(found)
    for (i, _, sign), rest in zip(candidates, rests, strict=True):
        text, again = found[i].text.strip(), rest.text.strip()
        if again == text:  # the sign was dropped
            out[i] = Recognized(sign + text, found[i].score)
        elif text[:1] in SIGN_MISREADS and again and again == text[1:].lstrip() and not _LEADING_ZERO.match(again):
            out[i] = Recognized(sign + again, found[i].score)  # the sign was misread (2, W, >)
    return out


def is_dash(crop: np.ndarray) -> bool:
    """Whether a crop's ink is one flat bar (``—``): at least three times as wide as high, low in the crop."""
    grey = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY) if crop.ndim == 3 else crop
    if grey.size == 0:
        return False
    _, ink = cv2.threshold(grey, 0, 1, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    rows = np.flatnonzero(ink.sum(axis=1) >= 2)
    cols = np.flatnonzero(ink.sum(axis=0) >= 1)
    if len(rows) == 0 or len(cols) < 4:
        return False
    high, wide = int(rows[-1] - rows[0] + 1), int(cols[-1] - cols[0] + 1)
    return wide >= DASH_ASPECT * high and high <= DASH_HEIGHT * grey.shape[0]


def restore_dashes(crops: Sequence[np.ndarray], found: list[Recognized]) -> list[Recognized]:
    """A cell's lone dash (``—``, "not applicable") that the recognizer read as a digit or letter, or not at all.

    The text layer gives these cells ``—``; read as ``1`` (or ``I.``) it
    would be a weight or a score.  A crop whose ink is one flat bar is a
    dash whatever was read, unless a character was read beside it.
    """
    out = list(found)
    for i, (crop, rec) in enumerate(zip(crops, found, strict=True)):
        text = rec.text.strip()
        if len(text) <= 3 and not _HAN.search(text) and is_dash(crop):
            out[i] = Recognized("—", max(rec.score, MIN_SCORE_PUNCT))
    return out


_HAN = regex.compile(r"\p{Han}")
_CELL_LEAD_ONE = regex.compile(r"^[-—–−~－‐‑一](?=\p{Han})")


def fix_cell_one(found: list[Recognized]) -> list[Recognized]:
    """一 at the start of a cell read as a dash: ``-级指标`` → ``一级指标``.

    一 is one flat stroke, and alone at the left of a crop the recognizer
    may take it for ``-``; a cell never starts with a dash glued to a
    character (a lone dash is ``—``, see :func:`restore_dashes`).
    """
    return [Recognized(_CELL_LEAD_ONE.sub("一", r.text.strip()), r.score) for r in found]


def _cell_of(box: Box4, raws: Sequence[RawGrid], k: float) -> tuple[int, int] | None:
    """(table, cell) holding a pixel box's centre, or None outside every table."""
    x, y = (box[0] + box[2]) / 2 * k, (box[1] + box[3]) / 2 * k
    table = _table_at(x, y, raws)
    if table < 0:
        return None
    cells = raws[table].cells
    return next(((table, i) for i, c in enumerate(cells) if c.x0 <= x <= c.x1 and c.y0 <= y <= c.y1), (table, -1))


def joined_crop(grey: np.ndarray, boxes: Sequence[Box4]) -> np.ndarray:
    """A cell's lines, top to bottom, set side by side in one crop (BGR), a character's spacing apart.

    Read alone, the last line of a wrapped cell is often one character
    (效益 wrapped as 无经济效 over 益), the recognizer's weakest case: with
    the rest of the cell beside it, it is read in its context.  The cell's
    text is its lines joined anyway.  The lines are set as close as the
    characters of one line (a wide gap reads as a space, and unsettles the
    reading of the glyph after it: 执行 | 率 read 执行辜).
    """
    parts = [_crop(grey, b) for b in boxes]
    high = max(p.shape[0] for p in parts)
    gap = np.full((high, max(2, round(JOIN_GAP * high)), 3), 255, dtype=np.uint8)
    out: list[np.ndarray] = []
    for part in parts:
        if part.shape[0] != high:
            part = cv2.resize(part, (max(1, round(part.shape[1] * high / part.shape[0])), high))
        out += [part, gap]
    return np.ascontiguousarray(np.hstack(out[:-1]))


def _crops(
    grey: np.ndarray, boxes: Sequence[Box4], raws: Sequence[RawGrid], k: float
) -> tuple[list[Box4], list[np.ndarray], list[bool]]:
    """What to recognize: each narrative line alone (fitted to its ink), each cell's lines as one crop.

    Returns the boxes (a cell's is its lines' union), their crops, and whether each is in a table.
    """
    out_boxes: list[Box4] = []
    crops: list[np.ndarray] = []
    in_table: list[bool] = []
    cells: dict[tuple[int, int], list[Box4]] = {}
    for box in boxes:
        cell = _cell_of(box, raws, k)
        if cell is None or cell[1] < 0:
            out_boxes.append(box)
            crops.append(_crop(grey, box if cell is not None else fit_to_ink(grey, box)))
            in_table.append(cell is not None)
        else:
            cells.setdefault(cell, []).append(box)
    for members in cells.values():
        members.sort(key=lambda b: (b[1], b[0]))
        out_boxes.append(
            (min(b[0] for b in members), min(b[1] for b in members), max(b[2] for b in members), max(b[3] for b in members))
        )
        crops.append(_crop(grey, members[0]) if len(members) == 1 else joined_crop(grey, members))
        in_table.append(True)
    return out_boxes, crops, in_table


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
            texts = fix_cell_one(restore_dashes(chosen, restore_lead_signs(engine, chosen, texts)))
        for i, rec in zip(picked, texts, strict=True):
            found[i] = rec
    return found


def keep(rec: Recognized) -> bool:
    """A recognition worth keeping: confident enough, and more so for lone punctuation."""
    text = rec.text.strip()
    if not text or rec.score < MIN_SCORE:
        return False
    return rec.score >= MIN_SCORE_PUNCT or any(ch.isalnum() for ch in text)


def _detect(engine: Engine, image: np.ndarray, ink: np.ndarray, dpi: int, det_dpi: int = DET_DPI) -> list[Box4]:
    """Text boxes (pixels of ``image``) detected on reduced copies of the parts of the page that have ink.

    Only inked areas (with a margin) are handed to the detector: a page's
    white margins, its blank lower half, and the blank space left where its
    tables were taken out cost as much to search as its text.
    """
    margin = int(dpi * DET_MARGIN_IN)
    scale = det_dpi / dpi
    h, w = image.shape[:2]
    out: list[Box4] = []
    for rx0, ry0, rx1, ry1 in content_regions(ink, int(dpi * REGION_GAP_IN)):
        x0, y0 = max(0, rx0 - margin), max(0, ry0 - margin)
        x1, y1 = min(w, rx1 + margin), min(h, ry1 + margin)
        small = cv2.resize(image[y0:y1, x0:x1], None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        out += [
            (
                x0 + float(q[:, 0].min()) / scale,
                y0 + float(q[:, 1].min()) / scale,
                x0 + float(q[:, 0].max()) / scale,
                y0 + float(q[:, 1].max()) / scale,
            )
            for q in engine.detect(cv2.cvtColor(small, cv2.COLOR_GRAY2BGR))
        ]
    return out


def content_regions(ink: np.ndarray, gap: int) -> list[tuple[int, int, int, int]]:
    """(x0, y0, x1, y1) pixels round each stretch of the page's ink, dust left out.

    Stretches are parted by at least ``gap`` blank rows.  Blots under
    ``MIN_BLOB`` pixels are dust (a scan's margins hold plenty): bounded by
    every inked pixel, the one region would be the whole page.
    """
    _, labels, stats, _ = cv2.connectedComponentsWithStats((ink > 0).astype(np.uint8), connectivity=8)
    big = stats[:, cv2.CC_STAT_AREA] >= MIN_BLOB
    big[0] = False
    if not big.any():
        return []
    inked = big[labels]
    rows = np.flatnonzero(inked.any(axis=1))
    breaks = np.flatnonzero(np.diff(rows) > gap)
    out = []
    for run in np.split(rows, breaks + 1):
        cols = np.flatnonzero(inked[run[0] : run[-1] + 1].any(axis=0))
        out.append((int(cols[0]), int(run[0]), int(cols[-1]) + 1, int(run[-1]) + 1))
    return out


def _without_tables(image: np.ndarray, raws: Sequence[RawGrid], px: float, fill: int) -> np.ndarray:
    """The page with its tables' areas, borders included, filled with ``fill``."""
    out = image.copy()
    edge = int(np.ceil(TABLE_EDGE_PT * px))
    for raw in raws:
        y0, y1 = max(0, int(raw.ys[0] * px) - edge), int(np.ceil(raw.ys[-1] * px)) + edge + 1
        x0, x1 = max(0, int(raw.xs[0] * px) - edge), int(np.ceil(raw.xs[-1] * px)) + edge + 1
        out[y0:y1, x0:x1] = fill
    return out


@dataclass
class _Prepared:
    """One page image made ready to read: deskewed, its lines found and erased, its text boxes found.

    ``boxes``: every text box of the page (detected outside the tables, from
    the ink inside them); ``evidence``: the detected boxes the page's way up
    is judged by.
    """

    grey: np.ndarray
    clean: np.ndarray
    ink: np.ndarray
    text_ink: np.ndarray
    rulings: im.Rulings
    raws: list[RawGrid]
    boxes: list[Box4]
    evidence: list[Box4]
    skew: float


def _prepare(ready: Callable[[], Engine], rgb: np.ndarray, dpi: int, t: Timings, lap: Callable[[], float]) -> _Prepared:
    grey, seal = im.suppress_seal(rgb)
    skew = im.estimate_skew(im.ink_mask(grey, dpi), dpi)
    grey = im.rotate(grey, skew)
    if seal is not None:
        seal = im.rotate(seal.astype(np.uint8) * 255, skew) > 127
    ink = im.ink_mask(grey, dpi)
    t.prepare += lap()
    rulings = im.find_rulings(ink, dpi, seal)
    raws = _raws(im.rulings_to_segments(rulings, dpi))
    clean = im.erase_rulings(grey, rulings)
    text_ink = ink & ~rulings.mask
    t.rulings += lap()
    engine = ready()
    px = dpi / 72
    if not raws:
        boxes = _detect(engine, clean, text_ink, dpi)
        evidence = boxes
    else:
        outside = _detect(engine, _without_tables(clean, raws, px, 255), _without_tables(text_ink, raws, px, 0), dpi)
        # only ink darker than the page's paper-or-ink split: a seal's pale remnant is not text
        in_cells, inks = cell_lines(text_ink & dark_class(clean).astype(np.uint8) * 255, raws, px)
        boxes = outside + in_cells
        evidence = outside
        if sum(1 for b in outside if is_line(b)) < ORIENT_MIN_LINES and not read_level(inks):
            # too little outside the tables to tell the page's way up: the whole page, coarsely
            evidence = _detect(engine, clean, text_ink, dpi, ORIENT_DPI)
    t.detect += lap()
    return _Prepared(grey, clean, ink, text_ink, rulings, raws, boxes, evidence, skew)


def dark_class(grey: np.ndarray) -> np.ndarray:
    """The pixels darker than Otsu's split of the page's greys.

    On a two-level scan (fax, CCITT G4, a 1-bit TIFF) rendered as it is,
    Otsu's split is the ink's own value, so "darker than the split" would be
    nothing and every cell would read empty: there the ink is the split.
    """
    split, _ = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    return grey <= split if split <= int(grey.min()) else grey < split


def turn_needed(engine: Engine, prep: _Prepared) -> int:
    """Degrees to turn a prepared page clockwise to read it upright.

    Whether its lines run down the page is judged by the detected boxes
    only (a band of ink in a cell does not say); which way up, by every line.
    """
    sideways = is_sideways(prep.evidence)
    return page_turn(engine, prep.clean, prep.evidence if sideways else prep.boxes, sideways)


@dataclass(frozen=True)
class Rendered:
    """A page's image, made from the page by MuPDF, ready to be read away from it (any thread).

    ``ready`` hands over the OCR engine, which may still be loading.
    """

    page_no: int
    rgb: np.ndarray
    dpi: int
    width: float
    height: float
    ready: Callable[[], Engine]
    seconds: float


def render_for_ocr(page: pymupdf.Page, page_no: int, dpi: int = im.RENDER_DPI) -> Rendered:
    """The page's image (MuPDF: on the thread that owns the document); the engine starts loading meanwhile."""
    ready = engine_soon()
    start = time.perf_counter()
    dpi = im.page_dpi(page, dpi)
    rgb = im.fill_margins(im.render(page, dpi), im.image_rects(page, dpi))
    return Rendered(page_no, rgb, dpi, page.rect.width, page.rect.height, ready, time.perf_counter() - start)


def ocr_page(page: pymupdf.Page, page_no: int, dpi: int = im.RENDER_DPI) -> OcrPage:
    """Read one page from its image. Raises ``OcrUnavailable`` when OCR is not installed.

    A page scanned sideways or upside down is found by its text boxes
    (:func:`jixiao.extract.ocr.orient.page_turn`) and read again turned
    upright; its pieces are then in the upright page's points, whose width and
    height are the page's swapped for a quarter turn.
    """
    return read_rendered(render_for_ocr(page, page_no, dpi))


def read_rendered(rendered: Rendered) -> OcrPage:
    """Read a rendered page (:func:`ocr_page`); touches no MuPDF object, so it may run in another thread."""
    ready, rgb, dpi, page_no = rendered.ready, rendered.rgb, rendered.dpi, rendered.page_no
    t = Timings(render=rendered.seconds)
    clock = time.perf_counter()

    def lap() -> float:
        nonlocal clock
        now = time.perf_counter()
        spent, clock = now - clock, now
        return spent

    prep = _prepare(ready, rgb, dpi, t, lap)
    engine = ready()
    turned = turn_needed(engine, prep)
    t.orient += lap()
    if turned:
        again = Timings()
        upright = _prepare(ready, turn(rgb, turned), dpi, again, lap)
        t.orient += again.prepare + again.rulings + again.detect
        if turned == 180 or not is_sideways(upright.evidence):  # turned a quarter, its lines must lie level now
            prep = upright
        else:
            turned = 0
    rulings, raws = prep.rulings, prep.raws
    px = dpi / 72
    text_ink = prep.text_ink
    cut = drop_overlaps([b for b in cut_boxes(prep.boxes, rulings, MIN_PIECE_PT * px) if _has_ink(text_ink, b)])
    pieces_px = [b for b in split_lines(cut, text_ink) if _has_ink(text_ink, b)]
    t.detect += lap()
    smooth = im.smooth_for_recognition(prep.clean)
    k = 72 / dpi
    pieces_px, crops, in_table = _crops(smooth, pieces_px, raws, k)
    found = _recognize(engine, crops, in_table)
    t.recognize = lap()
    pieces = [
        Piece(r.text.strip(), b[0] * k, b[1] * k, b[2] * k, b[3] * k, r.score)
        for b, r in zip(pieces_px, found, strict=True)
        if keep(r)
    ]
    lines = pieces_to_lines(page_no, pieces, raws)
    t.assemble = lap()
    width, height = (rendered.height, rendered.width) if turned in (90, 270) else (rendered.width, rendered.height)
    return OcrPage(page_no, width, height, pieces, raws, lines, prep.skew, t, turned)
