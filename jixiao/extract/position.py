"""Where a value stands, in the words of its format: ``p3`` in a PDF or OFD,
``Sheet1!C7`` in a workbook, ``表1 第4行第2列`` in a Word file.

Flowing formats have no page geometry; their boxes hold a position instead
(:mod:`jixiao.extract.flow`), and this turns one back into the reference an
auditor types into Excel's name box or finds by counting rows in Word.
"""

from __future__ import annotations

from jixiao.models import Box, Source

SHEET_FORMATS = ("xlsx", "xls")
TABLE_FORMATS = ("docx", "html")  # positions are table, row and column
FIXED_LAYOUT = ("pdf", "ofd")


def column_letters(col: int) -> str:
    """0-based column → Excel letters. Example: ``column_letters(27) == "AB"``."""
    out = ""
    n = col + 1
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def position_text(source: Source, box: Box) -> str:
    if source.format in SHEET_FORMATS:
        sheet = source.sheets[box.page - 1] if 0 < box.page <= len(source.sheets) else f"{box.page}"
        first = f"{column_letters(int(box.x0))}{int(box.y0) + 1}"
        last = f"{column_letters(int(box.x1) - 1)}{int(box.y1)}"
        return f"{_quoted(sheet)}!{first}" + (f":{last}" if last != first else "")
    if source.format in TABLE_FORMATS:
        if box.x1 == box.x0:  # a paragraph
            return f"第{int(box.y0) + 1}段 / paragraph {int(box.y0) + 1}"
        return (
            f"表{box.page} 第{int(box.y0) + 1}行第{int(box.x0) + 1}列 / "
            f"table {box.page} row {int(box.y0) + 1} col {int(box.x0) + 1}"
        )
    return f"p{box.page}"


def part_text(source: Source, page: int) -> str:
    """The sheet (workbooks) or table (Word, HTML) that a flowing file's ``page`` number names."""
    if source.format in SHEET_FORMATS:
        return _quoted(source.sheets[page - 1]) if 0 < page <= len(source.sheets) else f"{page}"
    if source.format in TABLE_FORMATS:
        return f"表{page} / table {page}"
    return f"p{page}"


def has_pages(source: Source) -> bool:
    """Whether boxes are on pages that can be drawn (a crop), or positions in a flowing file."""
    return source.format in FIXED_LAYOUT


def _quoted(sheet: str) -> str:
    """Excel quotes a sheet name with anything but letters, digits and underscores."""
    if sheet.replace("_", "").isalnum():
        return sheet
    return "'" + sheet.replace("'", "''") + "'"
