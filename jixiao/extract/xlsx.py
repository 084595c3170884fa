"""Excel ``.xlsx`` → one table per sheet, read in openpyxl's normal mode.

Read-only mode is faster but has no ``merged_cells``; the merges are the
table's structure, so the normal mode it is.  ``data_only`` gives the value
a formula last showed (what the document states), and each cell's
``number_format`` turns it into the text the sheet shows.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import openpyxl

from jixiao.errors import Corrupt
from jixiao.extract.document import Extracted
from jixiao.extract.flow import FlowItem, assemble
from jixiao.extract.pdf import sha256_of
from jixiao.extract.sheet import Merge, display, sheet_items
from jixiao.extract.zipcheck import open_zip
from jixiao.models import Source

MAX_CELLS = 2_000_000  # per sheet: a 自评表 has hundreds; a sheet formatted to row 1,048,576 has none


def read_xlsx(data: bytes, name: str) -> Extracted:
    open_zip(data, "Excel").close()
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # openpyxl raises KeyError, ValueError, TypeError … for a damaged package
        raise Corrupt(f"Excel 文件已损坏，无法打开：{exc}", f"damaged Excel file, cannot be opened: {exc}") from exc
    sheets = [ws for ws in book.worksheets]
    source = Source(path=name, sha256=sha256_of(data), page_count=len(sheets), format="xlsx",
                    sheets=tuple(ws.title for ws in sheets))
    return assemble(source, _items(sheets))


def _items(sheets: list[Any]) -> Iterator[FlowItem]:
    for page, ws in enumerate(sheets, 1):
        values: dict[tuple[int, int], str] = {}
        seen = 0
        for row in ws.iter_rows():
            for cell in row:
                seen += 1
                if cell.value is not None:
                    text = display(cell.value, cell.number_format)
                    if text:
                        values[(cell.row - 1, cell.column - 1)] = text
            if seen > MAX_CELLS:
                break
        merges: list[Merge] = [
            (m.min_row - 1, m.max_row, m.min_col - 1, m.max_col) for m in ws.merged_cells.ranges
        ]
        widths = [_width(ws, c) for c in range(1, (ws.max_column or 0) + 1)]
        yield from sheet_items(page, values, merges, widths)


def _width(ws: Any, col: int) -> float:
    """A column's width in points (a character is about 7 px = 5.25 pt wide)."""
    dim = ws.column_dimensions.get(openpyxl.utils.get_column_letter(col))
    return float(dim.width) * 5.25 if dim is not None and dim.width else 0.0
