"""Build the samples as Word, Excel and OFD files from the sources of the PDF samples.

``samples/build.py`` draws the PDFs from ``samples/sources/*.txt``; this
script writes the same sources as ``.docx`` (python-docx: merged cells with
``gridSpan``/``vMerge``, headings in heading styles), ``.xlsx`` (openpyxl:
numbers stored as numbers with the number format that shows them as the
source wrote them, ``96.79%`` as ``0.9679`` in a ``0.00%`` cell), ``.xls``
(xlwt, merges and formats likewise) and ``.ofd`` (written from the PDF
samples' characters and ruling lines: one file with plain text objects and
the lines on the page, one with a per-object CTM, ``g`` shorthand in
``DeltaX`` and the lines on a template page).  Then a workbook with several
自评表 sheets, and bad and hostile files under ``samples/formats/bad/``.

Run: ``python samples/build_formats.py``; the files are committed under
``samples/formats/``; the tests never need this script.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import sys
import zipfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build import PageBreak, Space, Table, Text, grid_to_cells, parse_source, write  # noqa: E402

HERE = Path(__file__).resolve().parent
OUT = HERE / "formats"
BAD = OUT / "bad"
SOURCES = ("seed-department-report", "project-consistent", "department-split-table")
WORKBOOK_SHEETS = ("project-consistent", "variant-hubei-ezhou-project", "seed-department-report")
FIXED = dt.datetime(2023, 6, 20, 9, 0, 0)
NUMBER = re.compile(r"^-?(\d{1,3}(,\d{3})+|\d+)(\.(\d+))?(%?)$")


def blocks_of(name: str) -> list[Any]:
    return parse_source((HERE / "sources" / f"{name}.txt").read_text(encoding="utf-8"), name)[1]


def merged_tables(blocks: list[Any]) -> list[Any]:
    """An ``attach`` table continues the one above it (one table in Word and Excel too)."""
    out: list[Any] = []
    for block in blocks:
        if isinstance(block, Table) and block.attach and out and isinstance(out[-1], Table):
            out[-1].rows.extend(block.rows)
            continue
        out.append(block)
    return out


# ------------------------------------------------------------------ Word


def build_docx(name: str) -> bytes:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document = docx.Document()
    for block in merged_tables(blocks_of(name)):
        if isinstance(block, Text):
            if block.kind == "heading":
                document.add_heading(block.text, level=3)
            else:
                para = document.add_paragraph(block.text)
                if block.kind in ("title", "subtitle"):
                    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
                elif block.kind == "right":
                    para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        elif isinstance(block, PageBreak):
            document.add_page_break()
        elif isinstance(block, Table):
            cells, _owner = grid_to_cells(block.rows, name)
            table = document.add_table(rows=len(block.rows), cols=len(block.widths))
            table.style = "Table Grid"
            for cell in cells:
                target = table.cell(cell.top, cell.left)
                if (cell.bottom, cell.right) != (cell.top, cell.left):
                    target = target.merge(table.cell(cell.bottom, cell.right))
                target.text = cell.text
    out = io.BytesIO()
    document.core_properties.created = FIXED
    document.core_properties.modified = FIXED
    document.save(out)
    return fixed_zip(out.getvalue())


def fixed_zip(data: bytes) -> bytes:
    """The same zip with fixed member dates, so a rebuild gives the same bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            dst.writestr(zipfile.ZipInfo(info.filename, (2023, 6, 20, 9, 0, 0)), body, zipfile.ZIP_DEFLATED)
    return out.getvalue()


# ------------------------------------------------------------------ Excel


def as_number(text: str) -> tuple[float, str] | None:
    """A cell text that Excel would hold as a number, with the format that shows it so."""
    m = NUMBER.match(text)
    if not m:
        return None
    decimals = len(m.group(4) or "")
    body = "#,##0" if "," in m.group(1) else "0"
    fmt = body + ("." + "0" * decimals if decimals else "")
    value = float(text.rstrip("%").replace(",", ""))
    if m.group(5):
        return value / 100, fmt + "%"
    return value, fmt if decimals or "," in m.group(1) else "General"


def sheet_rows(blocks: list[Any]) -> tuple[list[tuple[int, int, str]], list[tuple[int, int, int, int]]]:
    """(row, col, text) and merges (r0, c0, r1, c1 inclusive) of one source on one sheet."""
    values: list[tuple[int, int, str]] = []
    merges: list[tuple[int, int, int, int]] = []
    row = 0
    for block in merged_tables(blocks):
        if isinstance(block, Text):
            values.append((row, 0, block.text))
            row += 1
        elif isinstance(block, Table):
            cells, _owner = grid_to_cells(block.rows, "sheet")
            for cell in cells:
                values.append((row + cell.top, cell.left, cell.text))
                if (cell.bottom, cell.right) != (cell.top, cell.left):
                    merges.append((row + cell.top, cell.left, row + cell.bottom, cell.right))
            row += len(block.rows)
        elif isinstance(block, (PageBreak, Space)):
            continue
    return values, merges


def build_xlsx(sheets: list[tuple[str, list[Any]]]) -> bytes:
    import openpyxl
    from openpyxl.styles import Border, Side

    book = openpyxl.Workbook()
    book.remove(book.active)
    thin = Side(style="thin")
    for title, blocks in sheets:
        ws = book.create_sheet(title)
        values, merges = sheet_rows(blocks)
        for r, c, text in values:
            cell = ws.cell(row=r + 1, column=c + 1)
            number = as_number(text)
            if number is not None:
                cell.value, cell.number_format = number
            elif text:
                cell.value = text
        for r0, c0, r1, c1 in merges:
            ws.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)
        for r, c, _text in values:
            if c or any(m[0] <= r <= m[2] for m in merges):
                ws.cell(row=r + 1, column=c + 1).border = Border(thin, thin, thin, thin)
    out = io.BytesIO()
    book.properties.created = book.properties.modified = FIXED
    book.save(out)
    return fixed_zip(out.getvalue())


def build_xls(sheets: list[tuple[str, list[Any]]]) -> bytes:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    styles: dict[str, Any] = {}
    for title, blocks in sheets:
        ws = book.add_sheet(title[:31])
        values, merges = sheet_rows(blocks)
        anchors = {(m[0], m[1]): m for m in merges}
        for r, c, text in values:
            number = as_number(text)
            value: object = text
            fmt = "General"
            if number is not None:
                value, fmt = number
            style = styles.setdefault(fmt, xlwt.easyxf("borders: left thin, right thin, top thin, bottom thin", num_format_str=fmt))
            if (r, c) in anchors:
                m = anchors[(r, c)]
                ws.write_merge(m[0], m[2], m[1], m[3], value, style)
            else:
                ws.write(r, c, value, style)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def main() -> int:
    OUT.mkdir(exist_ok=True)
    BAD.mkdir(exist_ok=True)
    for name in SOURCES:
        blocks = blocks_of(name)
        write(OUT / f"{name}.docx", build_docx(name))
        write(OUT / f"{name}.xlsx", build_xlsx([(name[:31], blocks)]))
        write(OUT / f"{name}.xls", build_xls([(name[:31], blocks)]))
    sheets = [(f"表{i}", blocks_of(n)) for i, n in enumerate(WORKBOOK_SHEETS, 1)]
    sheets.append(("说明", [Text("para", "本工作簿各表为项目支出绩效自评表。")]))
    write(OUT / "workbook-three-reports.xlsx", build_xlsx(sheets))
    return 0


if __name__ == "__main__":
    sys.exit(main())
