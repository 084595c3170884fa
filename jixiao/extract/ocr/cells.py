"""Text lines inside a scanned table's cells, found from the ink alone.

Inside a ruled cell the text detector has nothing left to find: the cell's
borders are known, the rulings are erased, and a cell's lines are bands of
inked rows.  Taking them from the ink skips the detector on the table, most
of a table page (the detector was about a quarter of a page's time), and the
boxes are made the shape the detector gives cells (a margin of about 0.4 of
the text's height round the ink), so the recognizer reads the same crops.

The detector still reads everything outside the tables (titles, notes, the
narrative), and the page's way up is still judged from detected lines
(:mod:`jixiao.extract.ocr.orient`): a band of ink in a cell says nothing
about whether the text in it runs across or down the page.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from jixiao.extract.lattice import RawGrid

Box = tuple[float, float, float, float]

#: Pixels of a cell's edge left out (what erasing a ruling leaves of its anti-aliased edge).
INSET_PX = 3
#: A band of rows is text when it has at least this many inked pixels and rows.
MIN_BAND_INK = 8
MIN_BAND_ROWS = 3
#: A row is inked when this share of the cell's width (at least one pixel) is ink.
ROW_INK = 0.01
#: Margin round a line's ink, as a share of the page's usual text height (the detector's, measured on
#: the scanned samples' cells: 0.32–0.41 above and below, 0.30–0.44 left and right).
PAD_Y = 0.4
PAD_X = 0.35
#: Neighbouring bands no taller together than this share of the usual height are one line.
JOIN_TALL = 1.25
#: A page's cell lines say it is upright (or upside down) when at least ``LEVEL_MIN`` of them, and
#: ``LEVEL_SHARE`` of all, are this many times wider than high.
LEVEL_ASPECT = 2.5
LEVEL_MIN = 8
LEVEL_SHARE = 0.5
#: A run of columns at either end of a line whose ink is lower than this share of the usual height
#: (and small, and not a flat bar) is a speck or a tick (``"``, ``·``), not part of the text.
DOT_HIGH = 0.4
#: A run of ink standing apart in a line with less ink than this share of a glyph's square is a speck.
SPECK = 0.1


def _bands(rows: np.ndarray) -> list[tuple[int, int]]:
    """Runs [a, b) of True."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], rows.astype(np.int8), [0]))))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def _join_parts(bands: list[tuple[int, int]], usual: float) -> list[tuple[int, int]]:
    """Bands that are parts of one line of glyphs joined into that line.

    A blank row may cross a line (二 is two strokes, 益 has its dots apart
    from its body): two neighbouring bands that together are no taller than
    ``JOIN_TALL`` of the usual height are one line (two lines of text are
    at least half as tall again), the closest pair first.
    """
    out = list(bands)
    while len(out) > 1:
        spans = [out[i + 1][1] - out[i][0] for i in range(len(out) - 1)]
        i = int(np.argmin(spans))
        if spans[i] > JOIN_TALL * usual:
            break
        out[i : i + 2] = [(out[i][0], out[i + 1][1])]
    return out


def _cell_bands(text_ink: np.ndarray, box: tuple[int, int, int, int]) -> list[tuple[int, int, int, int]]:
    """Inked row bands of one cell, each with its inked columns: (x0, y0, x1, y1) pixels, ink-tight."""
    x0, y0, x1, y1 = box
    region = text_ink[y0:y1, x0:x1] > 0
    if region.size == 0:
        return []
    counts = np.count_nonzero(region, axis=1)
    rows = counts >= max(1, int(ROW_INK * region.shape[1]))
    out = []
    for a, b in _bands(rows):
        if int(counts[a:b].sum()) >= MIN_BAND_INK:
            cols = np.asarray(region[a:b].any(axis=0))
            out.append((x0 + int(np.argmax(cols)), y0 + a, x0 + len(cols) - int(np.argmax(cols[::-1])), y0 + b))
    return out


def _trim_specks(text_ink: np.ndarray, box: tuple[int, int, int, int], usual: float) -> tuple[int, int, int, int] | None:
    """The band's columns without specks standing apart (dust, a seal's or a border's remnant).

    Its inked columns are split where a gap is as wide as the usual text
    height; a run with less ink than ``SPECK`` of a glyph's area goes.
    """
    x0, y0, x1, y1 = box
    region = text_ink[y0:y1, x0:x1] > 0
    per_col = np.count_nonzero(region, axis=0)
    runs = _bands(per_col > 0)
    gap = max(2, int(usual))
    groups: list[list[tuple[int, int]]] = []
    for run in runs:
        if groups and run[0] - groups[-1][-1][1] < gap:
            groups[-1].append(run)
        else:
            groups.append([run])
    kept = [g for g in groups if int(per_col[g[0][0] : g[-1][1]].sum()) >= SPECK * usual * usual]
    if not kept:
        return None
    inner = [run for group in kept for run in group]
    while len(inner) > 1 and _dot(region, inner[-1], usual):
        inner.pop()  # a trailing speck or tick beside the glyphs (``5"``)
    while len(inner) > 1 and _dot(region, inner[0], usual):
        inner.pop(0)
    return x0 + inner[0][0], y0, x0 + inner[-1][1], y1


def _dot(region: np.ndarray, run: tuple[int, int], usual: float) -> bool:
    """Whether a run of columns is a dot or tick, not a glyph: short, small, and not a flat bar (a minus)."""
    part = region[:, run[0] : run[1]]
    rows = np.flatnonzero(part.any(axis=1))
    if len(rows) == 0:
        return True
    high, wide = int(rows[-1] - rows[0] + 1), run[1] - run[0]
    return high < DOT_HIGH * usual and wide < LEVEL_ASPECT * high and int(part.sum()) < SPECK * usual * usual


def cell_lines(text_ink: np.ndarray, raws: Sequence[RawGrid], px: float) -> tuple[list[Box], list[Box]]:
    """Boxes (pixels) of the text lines in every cell of the page's tables, and the same lines ink-tight.

    ``text_ink``: the page's ink without its rulings; ``px``: pixels per point.
    """
    h, w = text_ink.shape
    per_cell: list[tuple[tuple[int, int, int, int], list[tuple[int, int, int, int]]]] = []
    for raw in raws:
        for cell in raw.cells:
            inner = (
                max(0, int(cell.x0 * px) + INSET_PX),
                max(0, int(cell.y0 * px) + INSET_PX),
                min(w, int(np.ceil(cell.x1 * px)) - INSET_PX),
                min(h, int(np.ceil(cell.y1 * px)) - INSET_PX),
            )
            if inner[2] > inner[0] and inner[3] > inner[1]:
                per_cell.append((inner, _cell_bands(text_ink, inner)))
    heights = sorted(b[3] - b[1] for _, bands in per_cell for b in bands if b[3] - b[1] >= MIN_BAND_ROWS)
    if not heights:
        return [], []
    usual = float(heights[len(heights) // 2])
    out: list[Box] = []
    inks: list[Box] = []
    for (cx0, cy0, cx1, cy1), bands in per_cell:
        lines = []
        for a, b in _join_parts([(band[1], band[3]) for band in bands], usual):
            members = [band for band in bands if a <= band[1] and band[3] <= b]
            trimmed = _trim_specks(text_ink, (min(m[0] for m in members), a, max(m[2] for m in members), b), usual)
            if trimmed is not None:
                lines.append(trimmed)
        inks += [(float(x0), float(y0), float(x1), float(y1)) for x0, y0, x1, y1 in lines]
        for i, (left, a, right, b) in enumerate(lines):
            mid, half = (a + b) / 2, max(b - a, usual) / 2 + PAD_Y * usual
            # never into the next line of the cell: up to the middle of the gap between them
            top = (lines[i - 1][3] + a) / 2 if i else float(cy0)
            bottom = (b + lines[i + 1][1]) / 2 if i + 1 < len(lines) else float(cy1)
            out.append(
                (
                    max(float(cx0), left - PAD_X * usual),
                    max(top, mid - half),
                    min(float(cx1), right + PAD_X * usual),
                    min(bottom, mid + half),
                )
            )
    return out, inks


def read_level(inks: Sequence[Box]) -> bool:
    """Whether a table's cell lines (ink-tight) show text that runs across the page, beyond doubt.

    Most cells of an upright table hold a few characters side by side: their
    ink is a wide band.  Turned a quarter, a cell's characters stack, and a
    band across the cell holds one character, or a pile of them.
    """
    level = sum(1 for x0, y0, x1, y1 in inks if x1 - x0 >= LEVEL_ASPECT * (y1 - y0))
    return level >= LEVEL_MIN and level >= LEVEL_SHARE * len(inks)
