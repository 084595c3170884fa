"""What the extract stage hands to the normalize stage: a document as tables and paragraphs.

These types sit below both stages (beside :mod:`jixiao.models`) so that
``normalize/`` never imports ``extract/``: any reader (PDF text layer, OCR,
Word, Excel, OFD) builds them, and the normalizer never knows which one did.
``None`` in a grid's occupancy means "no cell here" while a cell with
``text == ""`` is an empty cell: the difference matters for merged cells.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from jixiao.models import Box, Source


@dataclass(frozen=True, slots=True)
class Cell:
    row: int
    col: int
    rowspan: int
    colspan: int
    text: str
    box: Box
    #: Lowest recognizer score of the OCR'd text in the cell; None for a text-layer cell.
    confidence: float | None = None

    @property
    def page(self) -> int:
        return self.box.page

    @property
    def last_row(self) -> int:
        return self.row + self.rowspan - 1

    def covers_col(self, col: int) -> bool:
        return self.col <= col < self.col + self.colspan


_new_object = object.__new__
_CELL_SETTERS = tuple(Cell.__dict__[name].__set__ for name in ("row", "col", "rowspan", "colspan", "text", "box", "confidence"))


def new_cell(row: int, col: int, rowspan: int, colspan: int, text: str, box: Box, confidence: float | None = None) -> Cell:
    """``Cell(...)`` without the frozen dataclass's ``__init__`` (a field at a time through
    ``object.__setattr__``): a table page makes hundreds of cells.  The same cell."""
    cell = _new_object(Cell)
    set_row, set_col, set_rowspan, set_colspan, set_text, set_box, set_confidence = _CELL_SETTERS
    set_row(cell, row)
    set_col(cell, col)
    set_rowspan(cell, rowspan)
    set_colspan(cell, colspan)
    set_text(cell, text)
    set_box(cell, box)
    set_confidence(cell, confidence)
    return cell


@dataclass(frozen=True)
class Grid:
    """Cells of one table, rows counted across pages once stitched.

    ``col_edges`` are the x positions of the column lines (len = ncols + 1),
    kept so a continuation on the next page can be matched column by column.
    """

    cells: tuple[Cell, ...]
    nrows: int
    ncols: int
    col_edges: tuple[float, ...]

    def occupancy(self) -> list[list[Cell | None]]:
        """For every (row, col) the cell covering it, merged cells repeated."""
        occ: list[list[Cell | None]] = [[None] * self.ncols for _ in range(self.nrows)]
        for cell in self.cells:
            for r in range(cell.row, cell.row + cell.rowspan):
                for c in range(cell.col, cell.col + cell.colspan):
                    occ[r][c] = cell
        return occ

    def row_cells(self, row: int) -> Iterator[Cell]:
        """Cells anchored in ``row``, left to right."""
        return iter(sorted((c for c in self.cells if c.row == row), key=lambda c: c.col))

    @property
    def pages(self) -> tuple[int, ...]:
        return tuple(sorted({c.page for c in self.cells}))

    def debug_text(self) -> str:
        """One line per row, cells joined by ' | ', for tests and debugging."""
        lines = []
        for r in range(self.nrows):
            lines.append(" | ".join(c.text.replace("\n", "⏎") for c in self.row_cells(r)))
        return "\n".join(lines)


@dataclass(frozen=True)
class TableBlock:
    """One self-evaluation table, possibly stitched from several pages."""

    grid: Grid
    title: str
    pages: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Paragraph:
    page: int
    text: str
    box: Box


@dataclass(frozen=True)
class Extracted:
    source: Source
    page_texts: tuple[str, ...]  # the first FRONT_PAGES pages only: documents are streamed
    paragraphs: tuple[Paragraph, ...]  # outside the tables
    tables: tuple[TableBlock, ...]
    year_hint: int | None = None  # the first "20xx 年度" anywhere in the document
