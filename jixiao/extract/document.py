"""PDF → pages, narrative paragraphs and self-evaluation tables, in one pass.

The file is opened once; every page's text is read with PyMuPDF's fast text
path, and the ruling-line table finder runs only on pages whose text names the
table's headers (and the pages a table runs onto).  A page without a usable
text layer (a scan, a broken font map) is read with OCR instead
(:mod:`jixiao.extract.ocr`), which hands back the same lines and grids.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from jixiao.errors import OcrUnavailable
from jixiao.extract.grid import Grid
from jixiao.extract.narrative import Line, Paragraph, lines_to_paragraphs, page_lines
from jixiao.extract.ocr.decide import Decision, text_method
from jixiao.extract.ocr.pages import ocr_grids, page_decision, read_page_image
from jixiao.extract.pdf import PdfLimits, open_pdf, read_bytes, sha256_of
from jixiao.extract.tables import TableBlock, find_tables
from jixiao.extract.traditional import looks_traditional, to_simplified
from jixiao.models import Box, Source

if TYPE_CHECKING:
    from jixiao.extract.ocr.scan import OcrPage


@dataclass(frozen=True)
class Extracted:
    source: Source
    page_texts: tuple[str, ...]
    paragraphs: tuple[Paragraph, ...]  # outside the tables
    tables: tuple[TableBlock, ...]


def table_areas(grid: Grid) -> list[Box]:
    """One rectangle per page that the table covers."""
    by_page: dict[int, list[Box]] = {}
    for cell in grid.cells:
        by_page.setdefault(cell.page, []).append(cell.box)
    return [
        Box(page, min(b.x0 for b in boxes), min(b.y0 for b in boxes), max(b.x1 for b in boxes), max(b.y1 for b in boxes))
        for page, boxes in by_page.items()
    ]


def _inside(box: Box, areas: list[Box]) -> bool:
    cx, cy = (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2
    return any(a.page == box.page and a.x0 <= cx <= a.x1 and a.y0 <= cy <= a.y1 for a in areas)


def extract_path(path: Path) -> Extracted:
    data = read_bytes(path)
    return extract_bytes(data, str(path))


def extract_bytes(data: bytes, name: str, limits: PdfLimits | None = None) -> Extracted:
    doc = open_pdf(data, name, limits)
    try:
        lines_by_page: list[list[Line]] = []
        texts = []
        decisions: list[Decision] = []
        scans: dict[int, OcrPage] = {}  # pages read from their image
        ocr_error: OcrUnavailable | None = None
        for page_no in range(1, doc.page_count + 1):
            page = doc[page_no - 1]
            lines = page_lines(page_no, page.get_text("dict", flags=0))
            decision = page_decision(page, "\n".join(ln.text for ln in lines))
            if decision.method == "ocr":
                try:
                    scans[page_no] = read_page_image(page, page_no)
                    lines = scans[page_no].lines
                except OcrUnavailable as exc:
                    ocr_error = exc
                    decision = Decision("text", "blank")  # a page nothing could read
                    lines = []
            decisions.append(decision)
            lines_by_page.append(lines)
            texts.append("\n".join(ln.text for ln in lines))
        traditional = looks_traditional("".join(texts))
        text_map = to_simplified if traditional else None
        if traditional:
            texts = [to_simplified(t) for t in texts]
        scanned = {n: ocr_grids(scan, text_map) for n, scan in scans.items()}
        tables = find_tables(doc, texts, text_map, scanned)
        if ocr_error is not None and not tables:
            raise ocr_error  # the report is on pages only OCR could read
        method = text_method(decisions)
        source = Source(path=name, sha256=sha256_of(data), page_count=doc.page_count, text_method=method)
    finally:
        doc.close()
    areas = [area for t in tables for area in table_areas(t.grid)]
    outside = [ln for lines in lines_by_page for ln in lines if not _inside(ln.box, areas)]
    if traditional:
        outside = [replace(ln, text=to_simplified(ln.text)) for ln in outside]
    paragraphs = lines_to_paragraphs(outside)
    return Extracted(source, tuple(texts), tuple(paragraphs), tuple(tables))
