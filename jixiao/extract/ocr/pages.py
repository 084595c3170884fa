"""The glue between a PDF page and the OCR reader: decide, read, hand back grids.

:func:`page_decision` looks at the page's text layer (and, only when that is
thin, at its images) and says ``text`` or ``ocr``; :func:`ocr_grids` turns
what OCR read into the :class:`~jixiao.extract.tables.PageGrid` objects the
table finder stitches, exactly as for a text page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pymupdf

from jixiao.errors import OcrUnavailable
from jixiao.extract.ocr.decide import MIN_TEXT_CHARS, NO_TEXT_IMAGE_COVER, Decision, decide, needs_images, text_stats
from jixiao.extract.tables import PageGrid, TextMap, grids_from_raws

if TYPE_CHECKING:  # the reader needs OpenCV and NumPy: imported only when a page is OCR'd
    from jixiao.extract.ocr.scan import OcrPage


def image_cover(page: pymupdf.Page) -> float:
    """Share of the page covered by images (overlaps counted twice, capped at 1)."""
    area = abs(page.rect)
    if area <= 0:
        return 0.0
    covered = 0.0
    for info in page.get_image_info():
        rect = pymupdf.Rect(info["bbox"]) & page.rect
        if not rect.is_empty:
            covered += abs(rect)
    return float(min(1.0, covered / area))


def page_decision(page: pymupdf.Page, text: str) -> Decision:
    """``text`` or ``ocr`` for one page, from its extracted text."""
    stats = text_stats(text)
    if not needs_images(stats):
        return decide(stats)
    cover = image_cover(page)
    paths = len(page.get_cdrawings()) if stats.good < MIN_TEXT_CHARS and cover < NO_TEXT_IMAGE_COVER else 0
    return decide(stats, cover, paths)


def read_page_image(page: pymupdf.Page, page_no: int) -> OcrPage:
    """OCR one page; ``OcrUnavailable`` (with the install command) when OCR cannot run here."""
    try:
        from jixiao.extract.ocr.scan import ocr_page
    except ImportError as exc:  # OpenCV or NumPy missing, or OpenCV without its system libraries
        from jixiao.extract.ocr.engine import INSTALL_HINT_EN, INSTALL_HINT_ZH

        raise OcrUnavailable(f"{INSTALL_HINT_ZH}（{exc}）", f"{INSTALL_HINT_EN} ({exc})") from exc
    return ocr_page(page, page_no)


def ocr_grids(scan: OcrPage, text_map: TextMap | None = None) -> list[PageGrid]:
    """The page's table grids filled with the OCR'd text."""
    return grids_from_raws(scan.raws, scan.chars, scan.page, scan.height, text_map)
