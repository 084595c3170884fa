"""The glue between a PDF page and the OCR reader: decide, read, hand back grids.

:func:`page_decision` looks at the page's text layer (and, only when that is
thin, at its images) and says ``text`` or ``ocr``; :func:`ocr_grids` turns
what OCR read into the :class:`~jixiao.extract.tables.PageGrid` objects the
table finder stitches, exactly as for a text page.
"""

from __future__ import annotations

import os
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from typing import TYPE_CHECKING

import pymupdf
from pymupdf import mupdf

from jixiao.errors import OcrUnavailable
from jixiao.extract.narrative import Line
from jixiao.extract.ocr.decide import MIN_TEXT_CHARS, NO_TEXT_IMAGE_COVER, Decision, decide, needs_images, text_stats
from jixiao.extract.tables import PageGrid, TextMap, grids_from_raws
from jixiao.layout import Grid
from jixiao.models import Box

if TYPE_CHECKING:  # the reader needs OpenCV and NumPy: imported only when a page is OCR'd
    from jixiao.extract.ocr.scan import OcrPage


def image_cover(page: pymupdf.Page) -> float:
    """Share of the page covered by images (overlaps counted twice, capped at 1)."""
    shown = page.rect
    area = abs(shown)
    if area <= 0 or not may_show_images(page):
        return 0.0
    covered = 0.0
    for info in page.get_image_info():
        rect = pymupdf.Rect(info["bbox"]) & shown
        if not rect.is_empty:
            covered += abs(rect)
    return float(min(1.0, covered / area))


#: Where a page's resources can hold what PyMuPDF's image listing reports: image and form
#: XObjects, shadings (drawn as images), patterns (which may paint either).
_IMAGE_RESOURCES = (mupdf.PDF_ENUM_NAME_XObject, mupdf.PDF_ENUM_NAME_Shading, mupdf.PDF_ENUM_NAME_Pattern)
#: Graphics state entries that bring content of their own: a soft mask's form, a font.
_STATE_DRAWING = (mupdf.PDF_ENUM_NAME_SMask, mupdf.PDF_ENUM_NAME_Font)


def may_show_images(page: pymupdf.Page) -> bool:
    """False only where the page provably draws no image, so ``get_image_info`` would list none.

    That listing interprets the whole page again (about as long as reading its
    text once the fonts are loaded); this looks at a few dictionary entries and
    the content bytes instead: no annotation or form field, resources of the
    page's own naming no XObject, shading or pattern, no Type 3 font (whose
    glyphs may draw images) and no graphics state with a soft mask (a form
    run for its mask) or a font, and no inline image (``BI``) in the contents.
    Anything else (inherited resources, a reader that is not a PDF page) says True.
    """
    try:
        obj = mupdf.pdf_page_from_fz_page(page.this).obj() if isinstance(page.this, mupdf.FzPage) else page.this.obj()
        if not mupdf.pdf_is_null(mupdf.pdf_dict_get(obj, mupdf.PDF_ENUM_NAME_Annots)):
            return True
        resources = mupdf.pdf_dict_get(obj, mupdf.PDF_ENUM_NAME_Resources)
        if not mupdf.pdf_is_dict(resources):
            return True
        for name in _IMAGE_RESOURCES:
            if mupdf.pdf_dict_len(mupdf.pdf_dict_get(resources, name)):
                return True
        fonts = mupdf.pdf_dict_get(resources, mupdf.PDF_ENUM_NAME_Font)
        for i in range(mupdf.pdf_dict_len(fonts)):
            subtype = mupdf.pdf_dict_get(mupdf.pdf_dict_get_val(fonts, i), mupdf.PDF_ENUM_NAME_Subtype)
            if mupdf.pdf_name_eq(subtype, mupdf.PDF_ENUM_NAME_Type3):
                return True
        states = mupdf.pdf_dict_get(resources, mupdf.PDF_ENUM_NAME_ExtGState)
        for i in range(mupdf.pdf_dict_len(states)):  # a soft mask runs a form; a state may set a (Type 3) font
            state = mupdf.pdf_dict_get_val(states, i)
            for key in _STATE_DRAWING:
                if not mupdf.pdf_is_null(mupdf.pdf_dict_get(state, key)):
                    return True
        return b"BI" in page.read_contents()
    except Exception:  # PyMuPDF's internals differ, or a damaged page: list the images
        return True


def page_decision(page: pymupdf.Page, text: str) -> Decision:
    """``text`` or ``ocr`` for one page, from its extracted text."""
    stats = text_stats(text)
    if not needs_images(stats):
        return decide(stats)
    cover = image_cover(page)
    paths = len(page.get_cdrawings()) if stats.good < MIN_TEXT_CHARS and cover < NO_TEXT_IMAGE_COVER else 0
    return decide(stats, cover, paths)


def start_page_image(page: pymupdf.Page, page_no: int) -> Future[OcrPage]:
    """Render the page here (MuPDF) and read its image in a reader thread; the reading, to wait for.

    A document's next scanned page is started while this one is still being
    read: its image is prepared and its text detected while this page's
    recognizer batches leave a core idle.  ``OcrUnavailable`` (with the
    install command) when OCR cannot run here.
    """
    try:
        from jixiao.extract.ocr.scan import read_rendered, render_for_ocr
    except ImportError as exc:  # OpenCV or NumPy missing, or OpenCV without its system libraries
        from jixiao.extract.ocr.engine import INSTALL_HINT_EN, INSTALL_HINT_ZH

        raise OcrUnavailable(f"{INSTALL_HINT_ZH}（{exc}）", f"{INSTALL_HINT_EN} ({exc})") from exc
    return _readers().submit(read_rendered, render_for_ocr(page, page_no))


#: Pages read at once: the one waited for and the next.
READERS = 2
_pool: ThreadPoolExecutor | None = None


def _readers() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(READERS, thread_name_prefix="jixiao-ocr-page")
    return _pool


def _forget_readers_after_fork() -> None:
    """A forked child makes its own reader threads: the parent's do not exist in it."""
    global _pool
    _pool = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_readers_after_fork)


def ocr_grids(scan: OcrPage, text_map: TextMap | None = None) -> list[PageGrid]:
    """The page's table grids filled with the OCR'd text, their cells' boxes on the page as shown."""
    grids = [replace(pg, grid=with_confidence(pg.grid, scan)) for pg in grids_from_raws(scan.raws, scan.chars, scan.page, scan.height, text_map)]
    if not scan.turned:
        return grids
    return [
        replace(pg, grid=replace(pg.grid, cells=tuple(replace(c, box=shown_box(c.box, scan)) for c in pg.grid.cells)))
        for pg in grids
    ]


def with_confidence(grid: Grid, scan: OcrPage) -> Grid:
    """Each cell with the lowest score of the pieces read in it (1.0 for an empty cell), so a
    finding resting on a doubtful reading can say so."""
    scores: dict[int, float] = {}
    for piece in scan.pieces:
        for i, cell in enumerate(grid.cells):
            b = cell.box
            if b.x0 <= piece.cx < b.x1 and b.y0 <= piece.cy < b.y1:
                scores[i] = min(scores.get(i, 1.0), piece.score)
                break
    return replace(grid, cells=tuple(replace(c, confidence=scores.get(i, 1.0)) for i, c in enumerate(grid.cells)))


def ocr_lines(scan: OcrPage) -> list[Line]:
    """The page's OCR'd lines, their boxes on the page as shown."""
    if not scan.turned:
        return scan.lines
    return [replace(ln, box=shown_box(ln.box, scan)) for ln in scan.lines]


def shown_box(box: Box, scan: OcrPage) -> Box:
    """A box read on a page turned upright, put back on the page as PyMuPDF shows it.

    A sheet scanned sideways or upside down is read turned clockwise by
    ``scan.turned`` degrees; its pieces are in that upright page's points
    (``scan.width`` × ``scan.height``).  Evidence crops are cut from the page
    as shown, so boxes go back the other way.

    Example: turned 180 on a 600 × 800 page, ``(10, 20, 110, 40)`` → ``(490, 760, 590, 780)``.
    """
    w, h = scan.width, scan.height
    if scan.turned == 90:
        return Box.of(box.page, box.y0, w - box.x1, box.y1, w - box.x0)
    if scan.turned == 180:
        return Box.of(box.page, w - box.x1, h - box.y1, w - box.x0, h - box.y0)
    if scan.turned == 270:
        return Box.of(box.page, h - box.y1, box.x0, h - box.y0, box.x1)
    return box
