"""Find the self-evaluation tables of a document and stitch them across pages.

Pages are chosen by their text (the table's header words), never by number,
and the ruling-line finder runs only on those pages and the pages a table
runs onto. A table continues on the next page when a grid at the top of that
page has the same column lines; a repeated header row there is dropped.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import pymupdf
import regex

from jixiao.extract.chars import (
    TEXT_FLAGS,
    Char,
    PageSpans,
    chars_to_text,
    end_cells,
    locate,
    page_chars,
    span_runs,
    split_run,
)
from jixiao.extract.lattice import RawGrid, cluster_to_grid, drawings_to_segments, segments_to_clusters
from jixiao.layout import Cell, Grid, TableBlock, new_cell
from jixiao.models import Box, round_pt

# Header words of a 自评表: any page holding one of these pairs may hold a table.
PAGE_MARKERS = (
    ("一级指标", "分值"),
    ("一级指标", "权重"),
    ("三级指标", "得分"),
    ("指标名称", "得分"),
    ("年初预算", "执行率"),
    ("预算数", "执行率"),
    ("绩效指标", "得分"),
    ("一级指标", "三级指标"),  # target-only forms (绩效目标自评表 of transfer payments): no 分值/得分
    ("全年预算数", "全年执行数"),
)
# First cells that open a new table even when its columns match the one above.
START_WORDS = ("项目名称", "部门名称", "单位名称", "部门(单位)名称")
TABLE_WORDS = ("一级指标", "三级指标", "执行率", "年初预算", "绩效指标", "指标名称", "预算执行", "全年预算数", "全年执行数")
EDGE_TOL = 3.0  # points: column lines on two pages that are this close are the same line
CONTINUES_TOP = 0.25  # a continuation grid starts in the top quarter of its page
_SPACE = regex.compile(r"\s+")


@dataclass(frozen=True)
class PageGrid:
    """A grid found on one page, with the text just above it (its title)."""

    page: int
    grid: Grid
    text_above: str
    top_share: float
    bottom_share: float


def squash(text: str) -> str:
    """The text without whitespace (``regex``'s ``\\s``), by ``str.split``: four times faster.

    ``str.split()`` also splits at U+001C–U+001F (the information separators), which are
    no whitespace to ``regex``; everywhere else the two agree.
    """
    if "\x1c" in text or "\x1d" in text or "\x1e" in text or "\x1f" in text:
        return str(_SPACE.sub("", text))
    return "".join(text.split())


def is_candidate_page(text: str) -> bool:
    flat = squash(text)
    return any(a in flat and b in flat for a, b in PAGE_MARKERS)


def looks_like_table(grid: Grid) -> bool:
    flat = squash("".join(c.text for c in grid.cells))
    return sum(word in flat for word in TABLE_WORDS) >= 2


TextMap = Callable[[str], str]


def _across_cells(run: Char, xs: Sequence[float], ys: Sequence[float], cell_of: dict[tuple[int, int], int]) -> bool:
    """Whether a run's ends lie in different cells (a merged cell counts as one)."""
    first, last = end_cells(run, xs, ys)
    return first != last and (first is None or last is None or cell_of.get(first) != cell_of.get(last))


def _ends_in(run: Char, x0: float, x1: float, y0: float, y1: float) -> bool:
    """Whether the centres of a run's first and last characters lie in ``[x0, x1) × [y0, y1)``."""
    first, last = run.parts[0][1], run.parts[-1][1]
    return (
        x0 <= (first[0] + first[2]) / 2 < x1
        and x0 <= (last[0] + last[2]) / 2 < x1
        and y0 <= (first[1] + first[3]) / 2 < y1
        and y0 <= (last[1] + last[3]) / 2 < y1
    )


def raw_to_grid(raw: RawGrid, chars: Sequence[Char], page: int, text_map: TextMap | None = None) -> Grid:
    """Fill a ruling-line grid with the page's characters."""
    cell_of = raw.cell_at
    bucket: dict[int, list[Char]] = defaultdict(list)
    xs, ys = raw.xs, raw.ys
    left, right, top, bottom = xs[0], xs[-1], ys[0], ys[-1]
    for run in chars:
        cx, cy = (run.x0 + run.x1) / 2, (run.y0 + run.y1) / 2
        inside = left <= cx < right and top <= cy < bottom
        if inside:
            r, c = bisect_right(ys, cy) - 1, bisect_right(xs, cx) - 1
        # A run whose first and last characters' centres lie in the cell of its own
        # centre (the usual case, tested here without a search) straddles no border.
        if run.parts and not (inside and _ends_in(run, xs[c], xs[c + 1], ys[r], ys[r + 1])):
            if _across_cells(run, xs, ys, cell_of):
                for ch in split_run(run):
                    pos = locate(xs, ys, ch)
                    if pos is not None and pos in cell_of:
                        bucket[cell_of[pos]].append(ch)
                continue
        # one character or a whole run, placed by its centre
        if inside:
            at = cell_of.get((r, c))
            if at is not None:
                bucket[at].append(run)
    texts = [chars_to_text(bucket[i]) if i in bucket else "" for i in range(len(raw.cells))]
    if text_map is not None:
        texts = [text_map(t) if t else t for t in texts]  # an empty cell stays empty, without a call into OpenCC
    return Grid(tuple(_cells(raw, texts, page)), len(raw.ys) - 1, len(raw.xs) - 1, raw.xs)


def _cells(raw: RawGrid, texts: list[str], page: int) -> Iterator[Cell]:
    """The grid's cells with their texts; cell sides lie on the grid's lines, rounded once per line."""
    rounded = {v: round_pt(v) for v in (*raw.xs, *raw.ys)}
    for rc, text in zip(raw.cells, texts, strict=True):
        try:
            box = Box.of_rounded(page, rounded[rc.x0], rounded[rc.y0], rounded[rc.x1], rounded[rc.y1])
        except KeyError:  # a side off the lines (not made by cluster_to_grid)
            box = Box.of(page, rc.x0, rc.y0, rc.x1, rc.y1)
        yield new_cell(rc.row, rc.col, rc.rowspan, rc.colspan, text, box)


def spans_fit(raws: Sequence[RawGrid], spans: Sequence[Char]) -> bool:
    """Whether every span (a coarse run, see :func:`jixiao.extract.chars.read_dict`) fits the grids
    (:func:`misfits`): then the spans can stand for the page's characters."""
    return not misfits(raws, spans)


def misfits(raws: Sequence[RawGrid], spans: Sequence[Char]) -> list[int]:
    """The indices of the spans that do not lie wholly inside one cell of a grid or wholly
    outside every grid, or not on one side of each grid's top and bottom line.

    A span that fits has all its character runs in the span's cell (or in no
    cell) and on the same side of the lines that bound the text above a grid,
    so the span can stand for them.  A span across a border (an office suite
    set two cells' texts as one line, ``形成良好的社会氛长期``) needs its
    characters.
    """
    out: set[int] = set()
    for raw in raws:
        xs, ys = raw.xs, raw.ys
        left, right, top, bottom = xs[0], xs[-1], ys[0], ys[-1]
        cell_at, cells = raw.cell_at, raw.cells
        for i, s in enumerate(spans):
            x0, y0, x1, y1 = s.x0, s.y0, s.x1, s.y1
            if not (y1 < top or y0 >= top) or not (y1 < bottom or y0 >= bottom):
                out.add(i)
                continue
            if x1 < left or x0 >= right or y1 < top or y0 >= bottom:
                continue  # no centre of its characters can lie in the grid
            at = cell_at.get((bisect_right(ys, y0) - 1, bisect_right(xs, x0) - 1))
            if at is None:
                out.add(i)
                continue
            cell = cells[at]
            if not (cell.x0 <= x0 and x1 < cell.x1 and cell.y0 <= y0 and y1 < cell.y1):
                out.add(i)
    return sorted(out)


class CellRuns(NamedTuple):
    """What fills a page's cells, and how it was read (for the tests and benchmarks)."""

    chars: list[Char]
    split: int  # spans read by character (they run across a border)
    whole_page: bool  # whether the page's ``rawdict`` was read to split them


def cell_runs(raws: Sequence[RawGrid], spans: PageSpans, textpage: pymupdf.TextPage) -> CellRuns:
    """The page's spans, each one that does not fit the grids (:func:`misfits`) replaced by its character runs.

    Only those spans are read by character (:func:`jixiao.extract.chars.span_runs`):
    the cells come out as if the whole page had been read by character,
    because a span that fits holds what its runs would put in its cell.
    """
    bad = misfits(raws, spans.chars)
    if not bad:
        return CellRuns(spans.chars, 0, False)
    split = span_runs(textpage, spans, bad)
    chars: list[Char] = []
    start = 0
    for i in bad:
        chars.extend(spans.chars[start:i])
        chars.extend(split.runs[i])
        start = i + 1
    chars.extend(spans.chars[start:])
    return CellRuns(chars, len(bad), split.whole_page)


def page_grids(
    page: pymupdf.Page,
    page_no: int,
    text_map: TextMap | None = None,
    textpage: pymupdf.TextPage | None = None,
    chars: Sequence[Char] | None = None,
    spans: PageSpans | None = None,
) -> list[PageGrid]:
    """Every ruled grid on a page, top to bottom, with the text above each.

    ``chars``: the page's characters when the caller has read them already;
    ``spans``: its spans instead, read by character only where they do not
    fit the grids (:func:`cell_runs`); neither: the page is read by character.
    """
    segments = drawings_to_segments(page.get_cdrawings())
    if not segments:
        return []
    raws = [g for g in (cluster_to_grid(c) for c in segments_to_clusters(segments)) if g]
    if not raws:
        return []
    if chars is None:
        if spans is None:
            chars = page_chars(page, textpage)
        else:
            chars = cell_runs(raws, spans, textpage or page.get_textpage(flags=TEXT_FLAGS)).chars
    return grids_from_raws(raws, chars, page_no, page.rect.height, text_map)


def grids_from_raws(
    raws: Sequence[RawGrid], chars: Sequence[Char], page_no: int, height: float, text_map: TextMap | None = None
) -> list[PageGrid]:
    """Fill ruling-line grids with a page's characters (from the text layer or OCR)."""
    out = []
    prev_bottom = 0.0
    for raw in raws:
        grid = raw_to_grid(raw, chars, page_no, text_map)
        top, bottom = raw.ys[0], raw.ys[-1]
        above = chars_to_text([ch for ch in chars if prev_bottom <= (ch.y0 + ch.y1) / 2 < top])
        if text_map is not None:
            above = text_map(above)
        out.append(PageGrid(page_no, grid, above, top / height, bottom / height))
        prev_bottom = bottom
    return out


def _edge_map(old: Sequence[float], new: Sequence[float]) -> list[int] | None:
    """Index of each new column line among the old ones, or None if they differ."""
    out = []
    for x in new:
        i = min(range(len(old)), key=lambda k: abs(old[k] - x))
        if abs(old[i] - x) > EDGE_TOL:
            return None
        out.append(i)
    return out


def _row_keys(grid: Grid) -> list[tuple[str, ...]]:
    """Each row's squashed cell texts, left to right, as :meth:`Grid.row_cells` orders them.

    One pass over the cells for all rows (a page-long table has hundreds of
    cells; asking ``row_cells`` row by row went over them once per row).
    """
    rows: dict[int, list[Cell]] = defaultdict(list)
    for cell in grid.cells:
        rows[cell.row].append(cell)
    return [tuple(squash(c.text) for c in sorted(rows.get(r, ()), key=lambda c: c.col)) for r in range(grid.nrows)]


def starts_new_table(grid: Grid) -> bool:
    first = next(grid.row_cells(0), None)
    return first is not None and squash(first.text).replace("（", "(").replace("）", ")") in START_WORDS


def continues_table(pg: PageGrid) -> bool:
    """A grid near the page top with no table title above it may be a continuation."""
    above = squash(pg.text_above)
    return pg.top_share < CONTINUES_TOP and "表" not in above and not starts_new_table(pg.grid)


def stitch(head: Grid, tail: Grid) -> Grid | None:
    """Append ``tail`` below ``head`` if their columns line up, dropping repeated headers."""
    emap = _edge_map(head.col_edges, tail.col_edges)
    if emap is None or emap != sorted(emap):
        return None
    head_keys = set(_row_keys(head))
    tail_keys = _row_keys(tail)
    skip = 0
    while skip < tail.nrows and tail_keys[skip] in head_keys and any(tail_keys[skip]):
        skip += 1
    cells = list(head.cells)
    for cell in tail.cells:
        if cell.row < skip:
            continue
        c0 = emap[cell.col]
        c1 = emap[cell.col + cell.colspan]
        cells.append(new_cell(head.nrows + cell.row - skip, c0, cell.rowspan, c1 - c0, cell.text, cell.box, cell.confidence))
    return Grid(tuple(cells), head.nrows + tail.nrows - skip, head.ncols, head.col_edges)


class TableFinder:
    """Finds and stitches tables one page at a time, so a document is streamed.

    ``feed`` looks for grids only on candidate pages and on the page after a
    table that may continue; it returns the grids of this page that belong to
    a self-evaluation table (their text is not narrative).
    """

    def __init__(self) -> None:
        self.blocks: list[TableBlock] = []
        self._open: TableBlock | None = None  # the table that may go on overleaf

    def wants(self, text: str) -> bool:
        """Whether a page with this text will be searched for grids."""
        return self._open is not None or is_candidate_page(text)

    def feed(self, page_no: int, wanted: bool, read_grids: Callable[[], list[PageGrid]]) -> list[PageGrid]:
        """``wanted``: what :meth:`wants` said of this page's text."""
        if not wanted:
            return []
        grids = read_grids()
        used: list[PageGrid] = []
        if not grids:
            self._open = None
            return used
        for i, pg in enumerate(grids):
            joined = None
            if i == 0 and self._open is not None and continues_table(pg):
                joined = stitch(self._open.grid, pg.grid)
            if joined is not None and self._open is not None:
                self._open = TableBlock(joined, self._open.title, (*self._open.pages, page_no))
                self.blocks[-1] = self._open
                used.append(pg)
            elif looks_like_table(pg.grid):
                self._open = TableBlock(pg.grid, pg.text_above, (page_no,))
                self.blocks.append(self._open)
                used.append(pg)
            else:
                self._open = None
        # Only the page's last table can go on overleaf: Word may break it anywhere
        # on the page (a forced page break), so where it ends does not matter.
        if self._open is not None and self._open.pages[-1] != page_no:
            self._open = None
        return used
