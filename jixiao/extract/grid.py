"""A table as a grid of cells with spans, the shape every reader produces.

Both the text-layer reader (ruling lines + characters) and, later, the scan
reader (lines found in the image + OCR boxes) build this one structure, so the
normalizer never knows where a table came from.  ``None`` in ``at`` means "no
cell here" while a cell with ``text == ""`` is an empty cell: the difference
matters for merged cells.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from jixiao.models import Box


@dataclass(frozen=True, slots=True)
class Cell:
    row: int
    col: int
    rowspan: int
    colspan: int
    text: str
    box: Box

    @property
    def page(self) -> int:
        return self.box.page

    @property
    def last_row(self) -> int:
        return self.row + self.rowspan - 1

    def covers_col(self, col: int) -> bool:
        return self.col <= col < self.col + self.colspan


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
