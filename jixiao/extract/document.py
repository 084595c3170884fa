"""PDF → pages, narrative paragraphs and self-evaluation tables, in one pass.

The file is opened once; every page's text is read with PyMuPDF's fast text
path, and the ruling-line table finder runs only on pages whose text names the
table's headers (and the pages a table runs onto).  A page without a usable
text layer (a scan, a broken font map) is read with OCR instead
(:mod:`jixiao.extract.ocr`), which hands back the same lines and grids.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING

import pymupdf
import regex

from jixiao.errors import OcrUnavailable
from jixiao.extract.chars import TEXT_FLAGS, PageSpans, read_dict
from jixiao.extract.glyph_bounds import GlyphBounds
from jixiao.extract.narrative import Line, ParagraphBuilder, new_line
from jixiao.extract.ocr.decide import IMAGE_PAGE_COVER, NO_CJK_IMAGE_COVER, Decision, text_method
from jixiao.extract.ocr.pages import image_cover, ocr_grids, ocr_lines, page_decision, start_page_image
from jixiao.extract.pdf import PdfLimits, open_pdf, read_bytes, sha256_of
from jixiao.extract.tables import PageGrid, TableFinder, TextMap, page_grids
from jixiao.extract.traditional import looks_traditional, to_simplified
from jixiao.layout import Extracted, Grid, TableBlock
from jixiao.models import Box, Source

if TYPE_CHECKING:
    from jixiao.extract.ocr.scan import OcrPage


FRONT_PAGES = 3  # kept whole: the cover and first pages name the unit, year and date
TRADITIONAL_SAMPLE_PAGES = 3  # pages read ahead to tell a Traditional-character copy
SHRINK_EVERY = 200  # pages between releases of MuPDF's object cache (long documents)
#: Share of a text page an image must cover to be read for a pictured table (:func:`_pictured_tables`).
PICTURE_COVER = NO_CJK_IMAGE_COVER
#: Most such pages read: a pasted table spans a page or a few, and a long picture book (not a
#: report) must not spend minutes in OCR to end as "no report found" anyway.
PICTURE_PAGES = 8
_FISCAL_YEAR = regex.compile(r"(20[0-9]{2})\s*年度")


def table_areas(grid: Grid) -> list[Box]:
    """One rectangle per page that the table covers."""
    by_page: dict[int, list[Box]] = {}
    for cell in grid.cells:
        by_page.setdefault(cell.page, []).append(cell.box)
    return [
        Box(page, min(b.x0 for b in boxes), min(b.y0 for b in boxes), max(b.x1 for b in boxes), max(b.y1 for b in boxes))
        for page, boxes in by_page.items()
    ]


def outside_areas(lines: list[Line], areas: list[Box]) -> list[Line]:
    """The lines whose centre lies in none of the areas (the narrative around a page's tables)."""
    kept = []
    for ln in lines:
        box = ln.box
        cx, cy = (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2
        for a in areas:
            if a.page == box.page and a.x0 <= cx <= a.x1 and a.y0 <= cy <= a.y1:
                break
        else:
            kept.append(ln)
    return kept


def extract_path(path: Path) -> Extracted:
    data = read_bytes(path)
    return extract_bytes(data, str(path))


def extract_bytes(data: bytes, name: str, limits: PdfLimits | None = None) -> Extracted:
    """Read the document page by page, keeping only paragraphs and table grids.

    Nothing is held per page once the page is done, so a 20,000-page volume
    needs about the memory of its text, not of its pages.
    """
    doc = open_pdf(data, name, limits)
    ahead: dict[int, Future[OcrPage]] = {}  # page index → its OCR reading, started a page early
    bounds = GlyphBounds(doc)  # off while text is read, back on before a page is rendered for OCR
    try:
        # One TextPage and one dict pass per page serve the lines, the decision and the cells.
        first = {i: doc[i] for i in range(min(TRADITIONAL_SAMPLE_PAGES, doc.page_count))}
        first_read = {i: _read_text_layer(p, i + 1, bounds) for i, p in first.items()}
        first_text = {i: _joined(r[1]) for i, r in first_read.items()}  # joined once, used twice
        text_map = to_simplified if looks_traditional("".join(first_text.values())) else None
        finder = TableFinder()
        paragraphs = ParagraphBuilder()
        front: list[str] = []
        decisions: list[Decision] = []
        ocr_error: OcrUnavailable | None = None
        year_hint: int | None = None
        decided: dict[int, Decision] = {}  # the next page's, taken when this one went to OCR
        pictures_read: set[int] = set()  # text pages whose image was read and held no table
        for page_no in range(1, doc.page_count + 1):
            page = first.pop(page_no - 1, None) or doc[page_no - 1]
            read = first_read.pop(page_no - 1) if page_no - 1 in first_read else _read_text_layer(page, page_no, bounds)
            textpage, lines, spans = read
            text = first_text.pop(page_no - 1) if page_no - 1 in first_text else _joined(lines)
            wanted = finder.wants(_mapped(text, text_map))
            decision = decided.pop(page_no - 1, None) or page_decision(page, text)
            scan: OcrPage | None = None
            read_by_ocr = decision.method == "ocr"
            if read_by_ocr:
                bounds.restore()
                try:
                    if page_no - 1 not in ahead:
                        ahead[page_no - 1] = start_page_image(page, page_no)
                    if page_no < doc.page_count:  # the next page, if a scan too, starts while this one is read
                        nxt = first.get(page_no) or doc[page_no]
                        first[page_no] = nxt
                        if page_no not in first_read:
                            first_read[page_no] = _read_text_layer(nxt, page_no + 1, bounds)
                            first_text[page_no] = _joined(first_read[page_no][1])
                        decided[page_no] = page_decision(nxt, first_text[page_no])
                        if decided[page_no].method == "ocr":
                            with suppress(OcrUnavailable):  # said again when that page's turn comes
                                ahead[page_no] = start_page_image(nxt, page_no + 1)
                    scan = ahead.pop(page_no - 1).result()
                    lines = ocr_lines(scan)
                except OcrUnavailable as exc:
                    ocr_error = exc
                    decision = Decision("text", "blank")  # a page nothing could read
                    lines = []
            grids: list[PageGrid] | None = None
            if wanted and not read_by_ocr:
                grids = _grid_reader(page, page_no, None, text_map, textpage, spans)()
                if not grids and image_cover(page) >= IMAGE_PAGE_COVER:
                    # The table's headers are text but no table is drawn: a scan under its scanner's
                    # (often invisible) text layer, whose table is only pixels.  Its image is read, and
                    # the reading kept only if a table is in it (a photo beside real text is not).
                    try:
                        scan, grids = _read_picture(page, page_no, text_map, bounds)
                    except OcrUnavailable as exc:
                        ocr_error = exc
                    else:
                        if grids:
                            decision, read_by_ocr, lines = Decision("ocr", "image_table"), True, ocr_lines(scan)
                        else:
                            scan = None
                            pictures_read.add(page_no)
            decisions.append(decision)
            if text_map is not None:
                lines = [new_line(ln.page, text_map(ln.text), ln.box, ln.size) for ln in lines]
            if text_map is not None or read_by_ocr:
                text = _joined(lines)
            if page_no <= FRONT_PAGES:
                front.append(text)
            if year_hint is None and (m := _FISCAL_YEAR.search(text)):
                year_hint = int(m.group(1))
            if read_by_ocr:  # the text layer said nothing true: ask again with what OCR read
                wanted = finder.wants(text)
            read_grids = _grid_reader(page, page_no, scan, text_map, textpage, spans) if grids is None else _given(grids)
            used = finder.feed(page_no, wanted, read_grids)
            areas = [area for pg in used for area in table_areas(pg.grid)]
            paragraphs.feed(outside_areas(lines, areas) if areas else lines)
            if page_no % SHRINK_EVERY == 0:
                pymupdf.TOOLS.store_shrink(100)
        tables = finder.blocks
        if ocr_error is not None and not tables:
            raise ocr_error  # the report is on pages only OCR could read
        if not tables:
            tables = _pictured_tables(doc, decisions, text_map, pictures_read, bounds)
        source = Source(path=name, sha256=sha256_of(data), page_count=doc.page_count,
                        text_method=text_method(decisions),
                        ocr_pages=tuple(i for i, d in enumerate(decisions, 1) if d.method == "ocr"))
    finally:
        for left in ahead.values():  # a page started early, then not needed (the document failed)
            if not left.cancel():
                left.exception()
        doc.close()
    return Extracted(source, tuple(front), tuple(paragraphs.finish()), tuple(tables), year_hint)


def _mapped(text: str, text_map: TextMap | None) -> str:
    return text_map(text) if text_map is not None else text


def _read_text_layer(
    page: pymupdf.Page, page_no: int, bounds: GlyphBounds
) -> tuple[pymupdf.TextPage, list[Line], PageSpans]:
    """The page's TextPage, visual lines and spans, from one ``dict`` pass.

    The spans stand for the characters in table cells; the finder reads the
    characters themselves only of a span that runs across a cell border
    (:func:`jixiao.extract.tables.cell_runs`).  ``bounds``: the document's
    fonts, whose glyph bounds the text does not need (:mod:`jixiao.extract.glyph_bounds`).
    """
    bounds.skip(page)
    textpage = page.get_textpage(flags=TEXT_FLAGS)
    # The TextPage's own dict: ``page.get_text("dict", textpage=…)`` gives the same blocks
    # after checks and a crop box (for the page size, not read here) of its own.
    lines, spans = read_dict(page_no, textpage.extractDICT())
    return textpage, lines, spans


def _joined(lines: list[Line]) -> str:
    return "\n".join([ln.text for ln in lines])


def _pictured_tables(
    doc: pymupdf.Document, decisions: list[Decision], text_map: TextMap | None, read: set[int], bounds: GlyphBounds
) -> list[TableBlock]:
    """The tables pictured on a document's text pages, when its text holds none: a self-evaluation
    table pasted into the report as a picture (a screenshot of the budget system, a scanned sheet).

    Only then, so a report whose tables are text never pays for it; each text page with an image
    over ``PICTURE_COVER`` of it (and not read already, ``read``) is read with OCR, the first
    ``PICTURE_PAGES`` of them, and is counted an OCR page if a table is in it.
    ``OcrUnavailable`` is raised: without OCR the picture's table would go unread unsaid.
    """
    finder = TableFinder()
    budget = PICTURE_PAGES
    for page_no, decision in enumerate(decisions, 1):
        if decision.method != "text" or decision.reason == "blank" or page_no in read:
            continue
        page = doc[page_no - 1]
        if image_cover(page) < PICTURE_COVER:
            continue
        if budget == 0:
            break
        budget -= 1
        _, grids = _read_picture(page, page_no, text_map, bounds)
        if finder.feed(page_no, True, _given(grids)):
            decisions[page_no - 1] = Decision("ocr", "image_table")
    return finder.blocks


def _read_picture(
    page: pymupdf.Page, page_no: int, text_map: TextMap | None, bounds: GlyphBounds
) -> tuple[OcrPage, list[PageGrid]]:
    """A text page's image read with OCR, and the grids in it.  The fonts get their glyph bounds
    back first: rendering uses them (:mod:`jixiao.extract.glyph_bounds`)."""
    bounds.restore()
    scan = start_page_image(page, page_no).result()
    return scan, ocr_grids(scan, text_map)


def _given(grids: list[PageGrid]) -> Callable[[], list[PageGrid]]:
    return lambda: grids


def _grid_reader(
    page: pymupdf.Page,
    page_no: int,
    scan: OcrPage | None,
    text_map: TextMap | None,
    textpage: pymupdf.TextPage,
    spans: PageSpans,
) -> Callable[[], list[PageGrid]]:
    """How to get this page's grids, called only if the finder wants them."""
    if scan is not None:
        return lambda: ocr_grids(scan, text_map)
    return lambda: page_grids(page, page_no, text_map, textpage, spans=spans)
