"""Fonts read without MuPDF's per-glyph bounds (:mod:`jixiao.extract.glyph_bounds`) give the same text and drawings."""

from __future__ import annotations

from typing import Any

import pymupdf
import pytest
from pymupdf import mupdf

from jixiao.extract.chars import TEXT_FLAGS
from jixiao.extract.glyph_bounds import GlyphBounds
from tests.conftest import SAMPLES
from tests.test_image_check import _page_with

PDFS = sorted(str(p.relative_to(SAMPLES)) for p in SAMPLES.rglob("*.pdf") if p.parent.name != "bad")


def _read(page: pymupdf.Page) -> tuple[Any, ...]:
    """Everything jixiao reads of a page's text layer and ruling lines."""
    textpage = page.get_textpage(flags=TEXT_FLAGS)
    return textpage.extractRAWDICT(), textpage.extractDICT(), page.get_cdrawings()


def _use_glyph_bbox(doc: pymupdf.Document, number: int) -> int:
    """The ``use_glyph_bbox`` of the font MuPDF holds for object ``number``."""
    pdf = mupdf.pdf_document_from_fz_document(doc.this)
    stack = mupdf.pdf_resource_stack()
    stack.resources = None
    stack.next = None
    ref = mupdf.pdf_new_indirect(pdf, number, 0)
    desc = mupdf.ll_pdf_load_font(pdf.m_internal, stack, ref.m_internal)
    try:
        return int(desc.font.use_glyph_bbox)
    finally:
        mupdf.ll_pdf_drop_font(desc)


@pytest.mark.parametrize("name", PDFS)
def test_every_sample_page_reads_the_same_without_glyph_bounds(name: str) -> None:
    with pymupdf.open(SAMPLES / name) as plain, pymupdf.open(SAMPLES / name) as quick:
        bounds = GlyphBounds(quick)
        for page, fast in zip(plain, quick, strict=True):
            bounds.skip(fast)
            assert _read(fast) == _read(page), (name, page.number + 1)


def test_a_libreoffice_reports_embedded_fonts_are_switched_and_given_back() -> None:
    with pymupdf.open(SAMPLES / "office" / "seed-department-report.pdf") as doc:
        bounds = GlyphBounds(doc)
        assert bounds.active
        bounds.skip(doc[0])
        off = bounds.turned_off
        assert len(off) == 6  # the cover page names all six fonts the report embeds
        assert [_use_glyph_bbox(doc, n) for n in off] == [0] * 6
        bounds.skip(doc[1])  # fonts already seen are not loaded again
        assert bounds.turned_off == off
        bounds.restore()
        assert [_use_glyph_bbox(doc, n) for n in off] == [1] * 6
        assert not bounds.active and bounds.turned_off == ()
        bounds.skip(doc[2])  # after a restore (a page went to OCR) nothing is switched off again
        assert bounds.turned_off == ()


def test_the_interpreter_bounds_glyphs_by_outline_again_after_restore() -> None:
    """Where MuPDF does use the bounds (its box device, as a text clip's mask does), they differ while
    off and are the outlines' again once given back: the OCR path renders only after :meth:`restore`."""
    path = SAMPLES / "office" / "project-consistent.pdf"
    with pymupdf.open(path) as plain, pymupdf.open(path) as doc:
        bounds = GlyphBounds(doc)
        bounds.skip(doc[1])
        assert _read(doc[1]) == _read(plain[1])
        assert doc[1].get_bboxlog() != plain[1].get_bboxlog()
        bounds.restore()
        assert doc[1].get_bboxlog() == plain[1].get_bboxlog()


TYPE3_FONT = (
    b"<< /Type /Font /Subtype /Type3 /FontBBox [0 0 1000 1000] /FontMatrix [0.001 0 0 0.001 0 0]"
    b" /CharProcs << /a 6 0 R >> /Encoding << /Type /Encoding /Differences [97 /a] >>"
    b" /FirstChar 97 /LastChar 97 /Widths [1000] >>"
)
GLYPH_A = b"1000 0 0 0 1000 1000 d1 0 0 1000 1000 re f"
TYPE3_GLYPH = b"<< /Length %d >>\nstream\n" % len(GLYPH_A) + GLYPH_A + b"\nendstream"


def test_type3_fonts_keep_their_bounds_and_helvetica_loses_them() -> None:
    """A Type 3 glyph is a drawing whose bound sizes it; a font program's glyphs are not."""
    resources = "<< /Font << /F1 5 0 R /F2 7 0 R >> >>"
    contents = b"BT /F1 12 Tf 10 10 Td (a) Tj /F2 12 Tf 10 30 Td (Ab) Tj ET"
    helvetica = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    doc = _page_with(contents, resources, more=(TYPE3_FONT, TYPE3_GLYPH, helvetica))
    plain = _page_with(contents, resources, more=(TYPE3_FONT, TYPE3_GLYPH, helvetica))
    bounds = GlyphBounds(doc)
    bounds.skip(doc[0])
    assert bounds.turned_off == (7,)
    assert _read(doc[0]) == _read(plain[0])
    assert "".join(s["text"] for b in _read(doc[0])[1]["blocks"] for ln in b["lines"] for s in ln["spans"]) == "aAb"


def test_a_document_that_is_no_pdf_is_read_as_it_is() -> None:
    doc = pymupdf.open(stream=b"plain text", filetype="txt")
    bounds = GlyphBounds(doc)
    assert not bounds.active
    bounds.skip(doc[0])
    bounds.restore()
    assert bounds.turned_off == ()
