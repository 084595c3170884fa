"""Build the same samples through real office software: LibreOffice Writer.

``samples/build.py`` draws PDFs itself; this script feeds the same text
sources to LibreOffice (HTML tables with rowspan/colspan → Writer → PDF
export), so the tests also see a table drawn by an office suite's own PDF
exporter: its line segments, its text runs, its font embedding.

Run: ``python samples/build_office.py`` (needs ``soffice``, e.g. Debian's
libreoffice-writer-nogui, and a CJK font such as fonts-noto-cjk). The PDFs
are committed under ``samples/office/``; the tests never need LibreOffice.
"""

from __future__ import annotations

import html
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build import PageBreak, Space, Table, Text, grid_to_cells, parse_source  # noqa: E402

HERE = Path(__file__).resolve().parent
OUT = HERE / "office"
SOURCES = (
    "seed-department-report",
    "project-consistent",
    "department-split-table",
    "real-hebei-langfang-placeholders",
    "real-anhui-luan-summary-table",
    "real-yunnan-lijiang-trad",
)
STYLE = """
body { font-family: 'Noto Serif CJK SC', 'Noto Sans CJK SC', serif; font-size: 10.5pt; }
p.para { text-indent: 2em; line-height: 150%; margin: 0; }
h1 { text-align: center; font-size: 16pt; } h2 { text-align: center; font-size: 14pt; }
h3 { font-size: 12pt; }
table { border-collapse: collapse; width: 100%; }
td { border: 0.5pt solid black; font-size: 9pt; padding: 2pt; vertical-align: middle; }
"""


def table_html(table: Table) -> str:
    cells, _owner = grid_to_cells(table.rows, "office")
    total = sum(table.widths)
    rows: list[list[str]] = [[] for _ in table.rows]
    for cell in cells:
        span = ""
        if cell.bottom > cell.top:
            span += f' rowspan="{cell.bottom - cell.top + 1}"'
        if cell.right > cell.left:
            span += f' colspan="{cell.right - cell.left + 1}"'
        width = sum(table.widths[cell.left : cell.right + 1]) / total * 100
        rows[cell.top].append(f'<td{span} width="{width:.1f}%">{html.escape(cell.text)}</td>')
    body = "".join(f"<tr>{''.join(r)}</tr>" for r in rows)
    return f'<table border="1" cellspacing="0" cellpadding="2">{body}</table>'


def source_html(source: str, name: str) -> str:
    _size, blocks = parse_source(source, name)
    parts = [f"<html><head><meta charset='utf-8'><style>{STYLE}</style></head><body>"]
    page_break = False
    for block in blocks:
        brk = ' style="page-break-before: always"' if page_break else ""
        page_break = False
        if isinstance(block, PageBreak):
            page_break = True
        elif isinstance(block, Space):
            parts.append("<p>&nbsp;</p>")
        elif isinstance(block, Table):
            parts.append(f"<div{brk}>{table_html(block)}</div>")
        elif isinstance(block, Text):
            tag = {"title": "h1", "subtitle": "h2", "heading": "h3"}.get(block.kind, "p")
            cls = ' class="para"' if block.kind == "para" else ""
            parts.append(f"<{tag}{cls}{brk}>{html.escape(block.text)}</{tag}>")
    parts.append("</body></html>")
    return "\n".join(parts)


def main() -> int:
    soffice = shutil.which("soffice")
    if soffice is None:
        print("soffice not found: apt-get install libreoffice-writer-nogui fonts-noto-cjk", file=sys.stderr)
        return 2
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name in sys.argv[1:] or SOURCES:  # names given on the command line: only those
            src = (HERE / "sources" / f"{name}.txt").read_text(encoding="utf-8")
            page = Path(tmp) / f"{name}.html"
            page.write_text(source_html(src, name), encoding="utf-8")
            subprocess.run(
                [soffice, "--headless", "--convert-to", "pdf:writer_pdf_Export", "--outdir", tmp, str(page)],
                check=True, capture_output=True, timeout=180,
            )
            shutil.copy(Path(tmp) / f"{name}.pdf", OUT / f"{name}.pdf")
            print(f"wrote {OUT / name}.pdf")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
