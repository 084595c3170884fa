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
import itertools

from build import PageBreak, Space, Table, Text, grid_to_cells, parse_source, write

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


def build_docx(name: str, split_at: str | None = None) -> bytes:
    """``split_at``: the table is set as two tables one under the other, the second starting
    at the row whose first cell is ``split_at`` and with column widths of its own (how Word
    users often build the 绩效指标 part)."""
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
            at = next((i for i, row in enumerate(block.rows) if split_at and row[0] == split_at), None)
            if at is None:
                add_docx_table(document, block.rows, block.widths, name)
            else:
                add_docx_table(document, block.rows[:at], block.widths, name)
                add_docx_table(document, block.rows[at:], list(reversed(block.widths)), name)
    out = io.BytesIO()
    document.core_properties.created = FIXED
    document.core_properties.modified = FIXED
    document.save(out)
    return fixed_zip(out.getvalue())


def add_docx_table(document: Any, rows: list[list[str]], widths: list[float], name: str) -> None:
    """A table with merged cells and its column widths (tblGrid) in proportion to ``widths``."""
    from docx.shared import Twips

    cells, _owner = grid_to_cells(rows, name)
    table = document.add_table(rows=len(rows), cols=len(widths))
    table.style = "Table Grid"
    for grid_col, width in zip(table._tbl.tblGrid.gridCol_lst, widths, strict=True):
        grid_col.w = Twips(round(8300 * width / sum(widths)))
    for cell in cells:
        target = table.cell(cell.top, cell.left)
        if (cell.bottom, cell.right) != (cell.top, cell.left):
            target = target.merge(table.cell(cell.bottom, cell.right))
        target.text = cell.text


def fixed_zip(data: bytes) -> bytes:
    """The same zip with fixed member dates, so a rebuild gives the same bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time whatever it is told
                body = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2023-06-20T09:00:00Z", body)
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


Sheet = tuple[list[tuple[int, int, str]], list[tuple[int, int, int, int]], set[tuple[int, int]]]
UNIT_LINE = ("填报单位（盖章）：", "金额单位：万元")


def sheet_rows(blocks: list[Any], unit_line: bool = False) -> Sheet:
    """(row, col, text), merges (r0, c0, r1, c1 inclusive) and the bordered table cells of one
    source on one sheet; ``unit_line`` puts the line most templates have above the table
    (unit on the left, amount unit on the right, no borders)."""
    values: list[tuple[int, int, str]] = []
    merges: list[tuple[int, int, int, int]] = []
    ruled: set[tuple[int, int]] = set()
    row = 0
    for block in merged_tables(blocks):
        if isinstance(block, Text):
            values.append((row, 0, block.text))
            row += 1
        elif isinstance(block, Table):
            if unit_line:
                values += [(row, 0, UNIT_LINE[0]), (row, len(block.widths) - 1, UNIT_LINE[1])]
                row += 1
            cells, _owner = grid_to_cells(block.rows, "sheet")
            for cell in cells:
                values.append((row + cell.top, cell.left, cell.text))
                ruled |= {(row + r, c) for r in range(cell.top, cell.bottom + 1) for c in range(cell.left, cell.right + 1)}
                if (cell.bottom, cell.right) != (cell.top, cell.left):
                    merges.append((row + cell.top, cell.left, row + cell.bottom, cell.right))
            row += len(block.rows)
        elif isinstance(block, (PageBreak, Space)):
            continue
    return values, merges, ruled


def build_xlsx(sheets: list[tuple[str, list[Any]]], unit_line: bool = False) -> bytes:
    import openpyxl
    from openpyxl.styles import Border, Side

    book = openpyxl.Workbook()
    book.remove(book.active)
    thin = Side(style="thin")
    for title, blocks in sheets:
        ws = book.create_sheet(title)
        values, merges, ruled = sheet_rows(blocks, unit_line)
        for r, c, text in values:
            cell = ws.cell(row=r + 1, column=c + 1)
            number = as_number(text)
            if number is not None:
                cell.value, cell.number_format = number
            elif text:
                cell.value = text
        for r0, c0, r1, c1 in merges:
            ws.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)
        for r, c in sorted(ruled):
            ws.cell(row=r + 1, column=c + 1).border = Border(thin, thin, thin, thin)
    out = io.BytesIO()
    book.properties.created = book.properties.modified = FIXED
    book.save(out)
    return fixed_zip(out.getvalue())


def build_xls(sheets: list[tuple[str, list[Any]]], unit_line: bool = False) -> bytes:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    styles: dict[tuple[str, bool], Any] = {}
    for title, blocks in sheets:
        ws = book.add_sheet(title[:31])
        values, merges, ruled = sheet_rows(blocks, unit_line)
        anchors = {(m[0], m[1]): m for m in merges}
        for r, c, text in values:
            number = as_number(text)
            value: object = text
            fmt = "General"
            if number is not None:
                value, fmt = number
            key = (fmt, (r, c) in ruled)
            if key not in styles:
                borders = "borders: left thin, right thin, top thin, bottom thin" if key[1] else ""
                styles[key] = xlwt.easyxf(borders, num_format_str=fmt)
            if (r, c) in anchors:
                m = anchors[(r, c)]
                ws.write_merge(m[0], m[2], m[1], m[3], value, styles[key])
            else:
                ws.write(r, c, value, styles[key])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ------------------------------------------------------------------ HTML saved as .xls


def build_html_xls(name: str) -> bytes:
    """What government systems export as ``.xls``: an HTML page with the table, spans as attributes."""
    from xml.sax.saxutils import escape

    parts = ['<html xmlns:x="urn:schemas-microsoft-com:office:excel"><head><meta charset="utf-8"></head><body>']
    for block in merged_tables(blocks_of(name)):
        if isinstance(block, Text):
            parts.append(f"<p>{escape(block.text)}</p>")
        elif isinstance(block, Table):
            cells, _owner = grid_to_cells(block.rows, name)
            parts.append('<table border="1">')
            for r in range(len(block.rows)):
                parts.append("<tr>")
                for cell in (c for c in cells if c.top == r):
                    span = f' rowspan="{cell.bottom - cell.top + 1}"' if cell.bottom > cell.top else ""
                    span += f' colspan="{cell.right - cell.left + 1}"' if cell.right > cell.left else ""
                    parts.append(f"<td{span}>{escape(cell.text)}</td>")
                parts.append("</tr>")
            parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts).encode()


# ------------------------------------------------------------------ OFD

OFD_NS = "http://www.ofdspec.org/2016"
MM_PER_PT = 25.4 / 72


def mm(v: float) -> str:
    return f"{v * MM_PER_PT:.3f}".rstrip("0").rstrip(".")


def delta_text(values: list[float]) -> str:
    """DeltaX with the ``g`` shorthand for three or more equal steps."""
    out: list[str] = []
    i = 0
    while i < len(values):
        j = i
        while j < len(values) and values[j] == values[i]:
            j += 1
        if j - i >= 3:
            out.append(f"g {j - i} {values[i]:g}")
        else:
            out.extend(f"{v:g}" for v in values[i:j])
        i = j
    return " ".join(out)


def ofd_text_objects(page: Any, scale: float, next_id: list[int]) -> list[str]:
    """One TextObject per span; with ``scale`` != 1 the object has its own CTM and its
    coordinates and size are in the CTM's units (what some OFD writers do)."""
    from xml.sax.saxutils import escape

    objects = []
    for block in page.get_text("rawdict")["blocks"]:
        for line in block.get("lines", ()):
            for span in line["spans"]:
                chars = span["chars"]
                if not "".join(c["c"] for c in chars).strip():
                    continue
                x0, y0, x1, y1 = span["bbox"]
                size = float(span["size"])
                origins = [c["origin"] for c in chars]
                step = [round((b[0] - a[0]) * MM_PER_PT / scale, 3) for a, b in itertools.pairwise(origins)]
                text = escape("".join(c["c"] for c in chars))
                next_id[0] += 1
                ctm = f' CTM="{scale:g} 0 0 {scale:g} 0 0"' if scale != 1 else ""
                x = round((origins[0][0] - x0) * MM_PER_PT / scale, 3)
                y = round((origins[0][1] - y0) * MM_PER_PT / scale, 3)
                delta = f' DeltaX="{delta_text(step)}"' if step else ""
                objects.append(
                    f'<ofd:TextObject ID="{next_id[0]}" Boundary="{mm(x0)} {mm(y0)} {mm(x1 - x0)} {mm(y1 - y0)}" '
                    f'Font="1" Size="{round(size * MM_PER_PT / scale, 3):g}"{ctm}>'
                    f'<ofd:TextCode X="{x:g}" Y="{y:g}"{delta}>{text}</ofd:TextCode></ofd:TextObject>'
                )
    return objects


def ofd_path_objects(page: Any, next_id: list[int]) -> list[str]:
    """The page's ruling lines, each a PathObject drawn in page coordinates."""
    objects = []
    w, h = page.rect.width, page.rect.height
    for drawing in page.get_drawings():
        for item in drawing["items"]:
            if item[0] == "l":
                p, q = item[1], item[2]
                data = f"M {mm(p.x)} {mm(p.y)} L {mm(q.x)} {mm(q.y)}"
            elif item[0] == "re":
                r = item[1]
                data = f"M {mm(r.x0)} {mm(r.y0)} L {mm(r.x1)} {mm(r.y0)} L {mm(r.x1)} {mm(r.y1)} L {mm(r.x0)} {mm(r.y1)} C"
            else:
                continue
            next_id[0] += 1
            objects.append(
                f'<ofd:PathObject ID="{next_id[0]}" Boundary="0 0 {mm(w)} {mm(h)}" LineWidth="{mm(drawing.get("width") or 0.5)}">'
                f"<ofd:AbbreviatedData>{data}</ofd:AbbreviatedData></ofd:PathObject>"
            )
    return objects


def xml_part(root: str, body: str) -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?><ofd:{root} xmlns:ofd="{OFD_NS}">{body}</ofd:{root}>'.encode()


def build_ofd(pdf: Path, style: str) -> bytes:
    """``plain``: text and lines on the page; ``ctm``: text objects scaled by their own CTM
    (coordinates in half millimetres), the ruling lines on a template page per page."""
    import pymupdf

    doc = pymupdf.open(pdf)
    next_id = [10]
    parts: dict[str, bytes] = {}
    page_refs, templates = [], []
    width, height = doc[0].rect.width, doc[0].rect.height
    for i, page in enumerate(doc):
        texts = ofd_text_objects(page, 0.5 if style == "ctm" else 1.0, next_id)
        paths = ofd_path_objects(page, next_id)
        template = ""
        if style == "ctm":
            tpl_id = 1000 + i
            templates.append(f'<ofd:TemplatePage ID="{tpl_id}" BaseLoc="Tpls/Tpl_{i}/Content.xml"/>')
            parts[f"Doc_0/Tpls/Tpl_{i}/Content.xml"] = xml_part(
                "Page", f'<ofd:Content><ofd:Layer ID="{tpl_id + 1}">{"".join(paths)}</ofd:Layer></ofd:Content>'
            )
            template = f'<ofd:Template TemplateID="{tpl_id}" ZOrder="Background"/>'
            paths = []
        layer = f'<ofd:Layer ID="{2000 + i}">{"".join(paths)}<ofd:PageBlock ID="{3000 + i}">{"".join(texts)}</ofd:PageBlock></ofd:Layer>'
        parts[f"Doc_0/Pages/Page_{i}/Content.xml"] = xml_part("Page", f"{template}<ofd:Content>{layer}</ofd:Content>")
        page_refs.append(f'<ofd:Page ID="{100 + i}" BaseLoc="Pages/Page_{i}/Content.xml"/>')
    parts["Doc_0/PublicRes.xml"] = xml_part(
        "Res", '<ofd:Fonts><ofd:Font ID="1" FontName="宋体" FamilyName="宋体"/></ofd:Fonts>'
    )
    parts["Doc_0/Document.xml"] = xml_part(
        "Document",
        f"<ofd:CommonData><ofd:MaxUnitID>{next_id[0] + 5000}</ofd:MaxUnitID><ofd:PageArea>"
        f"<ofd:PhysicalBox>0 0 {mm(width)} {mm(height)}</ofd:PhysicalBox></ofd:PageArea>"
        f"<ofd:PublicRes>PublicRes.xml</ofd:PublicRes>{''.join(templates)}</ofd:CommonData>"
        f"<ofd:Pages>{''.join(page_refs)}</ofd:Pages>",
    )
    parts["OFD.xml"] = xml_part(
        "OFD",
        '<ofd:DocBody><ofd:DocInfo><ofd:DocID>0</ofd:DocID><ofd:Creator>jixiao samples/build_formats.py</ofd:Creator>'
        "</ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody>",
    ).replace(b"<ofd:OFD ", b'<ofd:OFD Version="1.0" DocType="OFD" ')
    return zip_parts(parts)


def zip_parts(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in ("OFD.xml", *sorted(n for n in parts if n != "OFD.xml")):
            zf.writestr(zipfile.ZipInfo(name, (2023, 6, 20, 9, 0, 0)), parts[name], zipfile.ZIP_DEFLATED)
    return out.getvalue()


# ------------------------------------------------------------------ bad and hostile files

BOMB_MB = 300  # inflates past the 256 MB limit of one part
LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    + "]>"
)


def with_parts(data: bytes, replace: dict[str, bytes], extra: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A copy of a zip with some parts replaced and some added."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = replace.get(info.filename, src.read(info))
            dst.writestr(zipfile.ZipInfo(info.filename, (2023, 6, 20, 9, 0, 0)), body, zipfile.ZIP_DEFLATED)
        for name, body in extra.items():
            dst.writestr(zipfile.ZipInfo(name, (2023, 6, 20, 9, 0, 0)), body, compression)
    return out.getvalue()


def laughs(root: str) -> bytes:
    """Billion laughs: a few hundred bytes that expand to gigabytes in a parser that expands entities."""
    return (LAUGHS.replace("lolz", root) + f"<{root}>&lol9;</{root}>").encode()


def build_bad() -> None:
    docx_ok = (OUT / "project-consistent.docx").read_bytes()
    xlsx_ok = (OUT / "project-consistent.xlsx").read_bytes()
    ofd_ok = (OUT / "project-consistent.ofd").read_bytes()
    xls_ok = (OUT / "project-consistent.xls").read_bytes()
    zeros = bytes(BOMB_MB * 1024 * 1024)
    bomb = {"media/padding.bin": zeros}
    write(BAD / "zip-bomb.docx", with_parts(docx_ok, {}, bomb, zipfile.ZIP_BZIP2))
    write(BAD / "zip-bomb.xlsx", with_parts(xlsx_ok, {}, bomb, zipfile.ZIP_BZIP2))
    write(BAD / "zip-bomb.ofd", with_parts(ofd_ok, {}, bomb, zipfile.ZIP_BZIP2))
    write(BAD / "zip-slip.docx", with_parts(docx_ok, {}, {"../../evil.sh": b"rm -rf ~"}))
    write(BAD / "zip-slip.ofd", with_parts(ofd_ok, {}, {"Doc_0/../../../etc/cron.d/x": b"* * * * * root true"}))
    write(BAD / "entity-expansion.docx", with_parts(docx_ok, {"word/document.xml": laughs("w:document")}, {}))
    write(BAD / "entity-expansion.xlsx", with_parts(xlsx_ok, {"xl/workbook.xml": laughs("workbook")}, {}))
    write(BAD / "entity-expansion.ofd", with_parts(ofd_ok, {"OFD.xml": laughs("ofd:OFD")}, {}))
    for name, data in (("docx", docx_ok), ("xlsx", xlsx_ok), ("xls", xls_ok), ("ofd", ofd_ok)):
        write(BAD / f"truncated.{name}", data[: len(data) * 6 // 10])
    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w") as zf:
        zf.writestr(zipfile.ZipInfo("报告.txt", (2023, 6, 20, 9, 0, 0)), "自评报告见附件".encode())
    write(BAD / "plain-zip.xlsx", plain.getvalue())
    # an old binary Word file: the compound-file header and a directory naming its WordDocument stream
    header = bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504)
    entry = "WordDocument".encode("utf-16-le").ljust(64, b"\0") + bytes(64)
    write(BAD / "old-word.doc", header + entry + bytes(384))
    import docx

    document = docx.Document()
    document.add_paragraph("关于报送 2022 年度绩效自评报告的通知")
    document.add_paragraph("各单位：请于 6 月 30 日前报送部门整体支出绩效自评报告。")
    document.core_properties.created = document.core_properties.modified = FIXED
    buf = io.BytesIO()
    document.save(buf)
    write(BAD / "no-table.docx", fixed_zip(buf.getvalue()))


def main() -> int:
    OUT.mkdir(exist_ok=True)
    BAD.mkdir(exist_ok=True)
    for name in SOURCES:
        blocks = blocks_of(name)
        write(OUT / f"{name}.docx", build_docx(name))
        write(OUT / f"{name}.xlsx", build_xlsx([(name[:31], blocks)]))
        write(OUT / f"{name}.xls", build_xls([(name[:31], blocks)]))
        write(OUT / f"{name}.html.xls", build_html_xls(name))
        write(OUT / f"{name}.ofd", build_ofd(HERE / f"{name}.pdf", "plain"))
        write(OUT / f"{name}.ctm.ofd", build_ofd(HERE / f"{name}.pdf", "ctm"))
    write(OUT / "project-consistent.two-tables.docx", build_docx("project-consistent", split_at="绩效指标"))
    consistent = [("项目支出绩效自评表", blocks_of("project-consistent"))]
    write(OUT / "project-consistent.unit-line.xlsx", build_xlsx(consistent, unit_line=True))
    write(OUT / "project-consistent.unit-line.xls", build_xls(consistent, unit_line=True))
    sheets = [(f"表{i}", blocks_of(n)) for i, n in enumerate(WORKBOOK_SHEETS, 1)]
    sheets.append(("说明", [Text("para", "本工作簿各表为项目支出绩效自评表。")]))
    write(OUT / "workbook-three-reports.xlsx", build_xlsx(sheets))
    build_bad()
    return 0


if __name__ == "__main__":
    sys.exit(main())
