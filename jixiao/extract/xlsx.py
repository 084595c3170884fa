"""Excel ``.xlsx`` → one table per sheet.

openpyxl's normal mode has the merged cells but spends most of a small
workbook's time styling each merged range's border cells on load (about
three quarters of it: 120 ms of 160 ms for the seed sheet); its read-only
mode is several times faster and gives each cell's value and
``number_format``, but no merges.  So cells come from read-only mode and the
merges from the sheet part's ``<mergeCell ref="A1:B2"/>`` list, which is all
that normal mode reads them from (benchmarks/formats.py has the figures).
``data_only`` gives the value a formula last showed: what the document states.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import Any

import openpyxl
import regex
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

from jixiao.errors import Corrupt
from jixiao.extract.flow import FlowItem, assemble
from jixiao.extract.pdf import sha256_of
from jixiao.extract.sheet import Merge, display, sheet_items
from jixiao.extract.zipcheck import open_zip
from jixiao.layout import Extracted
from jixiao.models import Source

MAX_CELLS = 2_000_000  # per sheet: a 自评表 has hundreds; a sheet formatted to row 1,048,576 has none
_MERGE = regex.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Za-z]+[0-9]+)(?::([A-Za-z]+[0-9]+))?"')


def read_xlsx(data: bytes, name: str) -> Extracted:
    archive = open_zip(data, "Excel")
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheets = [ws for ws in book.worksheets if hasattr(ws, "iter_rows")]  # chartsheets hold no cells
        source = Source(path=name, sha256=sha256_of(data), page_count=len(sheets), format="xlsx",
                        sheets=tuple(ws.title for ws in sheets))
        items = list(_items(sheets, archive))
        book.close()
    except Corrupt:
        raise
    except Exception as exc:  # openpyxl raises KeyError, ValueError, TypeError … for a damaged package
        raise Corrupt(f"Excel 文件已损坏，无法打开：{exc}", f"damaged Excel file, cannot be opened: {exc}") from exc
    finally:
        archive.close()
    return assemble(source, items)


def merges_of(sheet_xml: bytes) -> list[Merge]:
    """The merged ranges a sheet part lists, 0-based and end-exclusive.

    Example: ``merges_of(b'<mergeCell ref="B2:D3"/>') == [(1, 3, 1, 4)]``.
    """
    out = []
    for m in _MERGE.finditer(sheet_xml):
        first = m.group(1).decode().upper()
        last = (m.group(2) or m.group(1)).decode().upper()
        c0, r0 = coordinate_from_string(first)
        c1, r1 = coordinate_from_string(last)
        out.append((r0 - 1, r1, column_index_from_string(c0) - 1, column_index_from_string(c1)))
    return out


def _items(sheets: list[Any], archive: zipfile.ZipFile) -> Iterator[FlowItem]:
    for page, ws in enumerate(sheets, 1):
        values: dict[tuple[int, int], str] = {}
        ruled: set[int] = set()
        seen = 0
        for r, row in enumerate(ws.iter_rows()):
            for c, cell in enumerate(row):
                value = cell.value
                if value is not None:
                    text = display(value, cell.number_format)
                    if text:
                        values[(getattr(cell, "row", r + 1) - 1, getattr(cell, "column", c + 1) - 1)] = text
                if r not in ruled and _bordered(cell):
                    ruled.add(getattr(cell, "row", r + 1) - 1)
            seen += len(row)
            if seen > MAX_CELLS:
                break
        path = getattr(ws, "_worksheet_path", None)
        merges = merges_of(archive.read(path)) if path and path in archive.NameToInfo else []
        yield from sheet_items(page, values, merges, ruled_rows=ruled)


def _bordered(cell: Any) -> bool:
    border = getattr(cell, "border", None)  # an EmptyCell has none
    if border is None:
        return False
    return any(side is not None and side.style for side in (border.left, border.right, border.top, border.bottom))
