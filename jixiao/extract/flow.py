"""Flowing documents (Word, Excel, HTML tables) → the :class:`Extracted` the PDF path gives.

A reader of such a format walks its file in order and yields paragraphs and
tables whose merged cells it knows from the file itself; this module turns
them into the same grids, table blocks and paragraphs that the PDF reader
hands to ``normalize/``, so normalizing and checking never know the format.

There is no page geometry, so a :class:`~jixiao.models.Box` holds a position
in the file instead (see :mod:`jixiao.extract.position`): ``page`` is the
sheet number (workbooks) or the table number (Word, whose paragraphs carry
the number of the table they precede), ``x0``/``y0`` the first column and row
(0-based) and ``x1``/``y1`` one past the last.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import regex

from jixiao.extract.tables import EDGE_TOL, looks_like_table, starts_new_table, stitch
from jixiao.layout import Cell, Extracted, Grid, Paragraph, TableBlock
from jixiao.models import Box, Source
from jixiao.normalize.text import clean_text

SHEET_FORMATS = ("xlsx", "xls")
FRONT_PARTS = 3  # as many parts as the PDF path keeps front pages
TITLE_LINES = 3  # lines above a table that may name it
TITLE_CHARS = 60  # a longer paragraph is body text
_FISCAL_YEAR = regex.compile(r"(20[0-9]{2})\s*年度")


@dataclass(frozen=True, slots=True)
class FlowCell:
    """A cell as the file states it: anchor, span (merged cells are explicit) and text."""

    row: int
    col: int
    rowspan: int
    colspan: int
    text: str


@dataclass(frozen=True)
class FlowTable:
    """A table of a flowing document.

    ``page``: sheet or table number; ``origin``: (row, col) of its top-left cell in
    the sheet (0, 0 for Word); ``col_edges``: column lines in points where the file
    gives widths, so a table split in two (Word's 续表) can be joined as in a PDF.
    ``attached``: nothing stands between it and the table before it.
    """

    page: int
    cells: tuple[FlowCell, ...]
    nrows: int
    ncols: int
    col_edges: tuple[float, ...]
    origin: tuple[int, int] = (0, 0)
    attached: bool = False


@dataclass(frozen=True, slots=True)
class FlowPara:
    page: int
    index: int  # paragraph (or row) number in the file, 0-based
    text: str
    new_page: bool = False  # Word: an explicit page break comes before it


FlowItem = FlowTable | FlowPara


def table_to_grid(table: FlowTable) -> Grid:
    """Every grid position gets a cell, as ruled tables in a PDF do (an unmerged empty cell is ``""``)."""
    r0, c0 = table.origin
    covered: set[tuple[int, int]] = set()
    cells: list[Cell] = []
    for fc in table.cells:
        rs = max(1, min(fc.rowspan, table.nrows - fc.row))
        cs = max(1, min(fc.colspan, table.ncols - fc.col))
        spots = {(r, c) for r in range(fc.row, fc.row + rs) for c in range(fc.col, fc.col + cs)}
        if spots & covered:
            continue  # a broken file's overlapping merge: the first cell wins
        covered |= spots
        box = Box.of(table.page, c0 + fc.col, r0 + fc.row, c0 + fc.col + cs, r0 + fc.row + rs)
        cells.append(Cell(fc.row, fc.col, rs, cs, fc.text, box))
    for r in range(table.nrows):
        for c in range(table.ncols):
            if (r, c) not in covered:
                cells.append(Cell(r, c, 1, 1, "", Box.of(table.page, c0 + c, r0 + r, c0 + c + 1, r0 + r + 1)))
    cells.sort(key=lambda cell: (cell.row, cell.col))
    return Grid(tuple(cells), table.nrows, table.ncols, table.col_edges)


def assemble(source: Source, items: Iterable[FlowItem]) -> Extracted:
    """Paragraphs and tables in file order → the hand-over of the PDF path.

    A table's title is the text since the table before it, as a PDF table's
    is the text above it on its page; a table attached to a self-evaluation
    table continues it: with the same columns as a PDF table continues overleaf
    (:func:`jixiao.extract.tables.stitch`), with other columns of the same outer
    width on the union of both tables' column lines (:func:`glue`).
    """
    paragraphs: list[Paragraph] = []
    blocks: list[TableBlock] = []
    parts: list[list[str]] = [[]]  # the text of each page (sheet, or stretch between Word's page breaks)
    since_table: list[str] = []
    year_hint: int | None = None
    last_was_block = False
    page = 0
    by_sheet = source.format in SHEET_FORMATS  # else page numbers count tables, not pages
    for item in items:
        if (by_sheet and item.page != page and page) or (isinstance(item, FlowPara) and item.new_page):
            since_table = []  # a new sheet or page: what stood on the last is not this one's title
            parts.append([])
        page = item.page
        if isinstance(item, FlowPara):
            text = clean_text(item.text) or ""
            if not text:
                continue
            paragraphs.append(Paragraph(item.page, text, Box.of(item.page, 0, item.index, 0, item.index + 1)))
            parts[-1].append(text)
            since_table.append(text)
            if year_hint is None and (m := _FISCAL_YEAR.search(text)):
                year_hint = int(m.group(1))
            last_was_block = False
            continue
        grid = table_to_grid(item)
        flat = "\n".join(c.text for c in grid.cells if c.text)
        parts[-1].append(flat)
        if year_hint is None and (m := _FISCAL_YEAR.search(flat)):
            year_hint = int(m.group(1))
        joined = None
        if item.attached and last_was_block and blocks and not starts_new_table(grid):
            joined = stitch(blocks[-1].grid, grid) or glue(blocks[-1].grid, grid)
        if joined is not None:
            prev = blocks[-1]
            blocks[-1] = TableBlock(joined, prev.title, tuple(sorted({*prev.pages, item.page})))
        elif looks_like_table(grid):
            blocks.append(TableBlock(grid, "\n".join(_title(since_table)), (item.page,)))
            last_was_block = True
            since_table = []
            continue
        else:
            # a table that is not a 自评表 (a contents table, a signature box) reads as text
            for c in grid.cells:
                if c.text:
                    paragraphs.append(Paragraph(item.page, c.text, c.box))
        last_was_block = joined is not None
        since_table = []
    front = tuple("\n".join(part) for part in parts if part)[:FRONT_PARTS]
    return Extracted(source, front, tuple(paragraphs), tuple(blocks), year_hint)


def glue(head: Grid, tail: Grid) -> Grid | None:
    """Two tables set one under the other with different column lines (Word users build the
    绩效指标 part as a table of its own under the funds part): one grid on the union of their
    column lines, as the ruling lines of the same two tables in a PDF make one grid.  Only
    tables of the same outer width glue; ``None`` otherwise."""
    if abs(head.col_edges[0] - tail.col_edges[0]) > EDGE_TOL or abs(head.col_edges[-1] - tail.col_edges[-1]) > EDGE_TOL:
        return None
    edges: list[float] = []
    for x in sorted((*head.col_edges, *tail.col_edges)):
        if not edges or x - edges[-1] > EDGE_TOL:
            edges.append(x)

    def at(x: float) -> int:
        return min(range(len(edges)), key=lambda i: abs(edges[i] - x))

    cells = []
    for grid, offset in ((head, 0), (tail, head.nrows)):
        for cell in grid.cells:
            c0 = at(grid.col_edges[cell.col])
            c1 = at(grid.col_edges[cell.col + cell.colspan])
            cells.append(replace(cell, row=cell.row + offset, col=c0, colspan=max(1, c1 - c0)))
    return Grid(tuple(cells), head.nrows + tail.nrows, len(edges) - 1, tuple(edges))


def _title(texts: Sequence[str]) -> list[str]:
    """The short lines right above a table (附件, the year, the form's name), as a PDF's
    text above a grid on its page; body text above them belongs to the narrative."""
    out: list[str] = []
    for text in reversed(texts):
        if len(text) > TITLE_CHARS or len(out) == TITLE_LINES:
            break
        out.insert(0, text)
    return out


def col_edges_of(widths: Sequence[float]) -> tuple[float, ...]:
    """Column lines from column widths (points), starting at 0."""
    edges = [0.0]
    for w in widths:
        edges.append(edges[-1] + w)
    return tuple(edges)
