"""Old binary Excel ``.xls`` → one table per sheet, through xlrd.

``formatting_info=True`` is what makes xlrd read the merged cells (and the
number formats); without it every merge is lost.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import xlrd

from jixiao.errors import Corrupt
from jixiao.extract.flow import FlowItem, assemble
from jixiao.extract.pdf import sha256_of
from jixiao.extract.sheet import Merge, display, sheet_items
from jixiao.layout import Extracted
from jixiao.models import Source

TWIPS_PER_PT = 20
COL_UNITS_PER_PT = 256 / 5.25  # xlrd widths are 1/256 of a character of about 5.25 pt


def read_xls(data: bytes, name: str) -> Extracted:
    try:
        # xlrd writes its warnings to stdout unless given a log file: keep them off the CLI's output
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, logfile=io.StringIO(), verbosity=0)
    except Exception as exc:  # xlrd raises XLRDError, CompDocError, AssertionError, IndexError …
        raise Corrupt(f"Excel(.xls) 文件已损坏，无法打开：{exc}", f"damaged .xls file, cannot be opened: {exc}") from exc
    sheets = book.sheets()
    source = Source(path=name, sha256=sha256_of(data), page_count=len(sheets), format="xls",
                    sheets=tuple(s.name for s in sheets))
    return assemble(source, _items(book, sheets))


def _items(book: Any, sheets: list[Any]) -> Iterator[FlowItem]:
    for page, sh in enumerate(sheets, 1):
        values: dict[tuple[int, int], str] = {}
        ruled: set[int] = set()
        for r in range(sh.nrows):
            for c in range(sh.ncols):
                if r not in ruled and _bordered(book, sh, r, c):
                    ruled.add(r)
                cell = sh.cell(r, c)
                if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                    continue
                text = display(_value(book, cell), _format(book, sh, r, c))
                if text:
                    values[(r, c)] = text
        merges: list[Merge] = [(r0, r1, c0, c1) for r0, r1, c0, c1 in sh.merged_cells]
        widths = [sh.computed_column_width(c) / COL_UNITS_PER_PT for c in range(sh.ncols)]
        yield from sheet_items(page, values, merges, widths, ruled)


def _bordered(book: Any, sh: Any, r: int, c: int) -> bool:
    try:
        b = book.xf_list[sh.cell_xf_index(r, c)].border
    except (IndexError, AttributeError):
        return False
    return bool(b.left_line_style or b.right_line_style or b.top_line_style or b.bottom_line_style)


def _value(book: Any, cell: Any) -> object:
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return cell.value
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#ERR")
    return cell.value


def _format(book: Any, sh: Any, r: int, c: int) -> str:
    try:
        xf = book.xf_list[sh.cell_xf_index(r, c)]
        return str(book.format_map[xf.format_key].format_str)
    except (IndexError, KeyError):
        return "General"
