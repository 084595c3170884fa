"""The page check that spares PyMuPDF's image listing (``may_show_images``) never hides an image."""

from __future__ import annotations

import pymupdf
import pytest

from jixiao.extract.ocr.pages import image_cover, may_show_images
from tests.conftest import SAMPLES

ALL_PDFS = sorted(str(p.relative_to(SAMPLES)) for p in SAMPLES.rglob("*.pdf") if p.parent.name != "bad")


@pytest.mark.parametrize("name", ALL_PDFS)
def test_a_page_said_to_show_no_image_lists_none(name: str) -> None:
    with pymupdf.open(SAMPLES / name) as doc:
        for page in doc:
            if not may_show_images(page):
                assert page.get_image_info() == [], (name, page.number + 1)


def test_text_pages_are_spared_the_listing() -> None:
    """What the check is for: a text report's pages, drawn from fonts and lines only."""
    for name in ("office/project-consistent.pdf", "project-consistent.pdf"):
        with pymupdf.open(SAMPLES / name) as doc:
            assert [may_show_images(page) for page in doc] == [False] * doc.page_count, name


def test_scanned_pages_are_listed() -> None:
    with pymupdf.open(SAMPLES / "scanned" / "seed-department-report.scan.pdf") as doc:
        for page in doc:
            assert may_show_images(page)
            assert image_cover(page) > 0.95


def _page_with(contents: bytes, resources: str = "<<>>", annots: str = "", more: tuple[bytes, ...] = ()) -> pymupdf.Document:
    """A one-page PDF written by hand, so the drawing operators are exactly these (``more``: objects 5, 6, …)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Resources {resources} /Contents 4 0 R {annots}>>".encode(),
        b"<< /Length %d >>\nstream\n" % len(contents) + contents + b"\nendstream",
        *more,
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return pymupdf.open(stream=bytes(out), filetype="pdf")


INLINE_IMAGE = b"q 100 0 0 100 50 50 cm BI /W 2 /H 2 /CS /G /BPC 8 ID \x00\xff\xff\x00 EI Q"
#: A soft mask whose form (object 5) draws the inline image: listed, though no XObject is named.
SOFT_MASK = "<< /ExtGState << /GS0 << /SMask << /S /Luminosity /G 5 0 R >> >> >> >>"
MASK_FORM = b"<< /Type /XObject /Subtype /Form /BBox [0 0 200 200] /Length %d >>\nstream\n" % len(INLINE_IMAGE) + INLINE_IMAGE + b"\nendstream"
SHADING = "<< /Shading << /Sh0 << /ShadingType 2 /ColorSpace /DeviceGray /Coords [0 0 200 0] /Function << /FunctionType 2 /Domain [0 1] /C0 [0] /C1 [1] /N 1 >> >> >> >>"


@pytest.mark.parametrize(
    ("contents", "resources", "annots", "more"),
    [
        (INLINE_IMAGE, "<<>>", "", ()),
        (b"/Sh0 sh", SHADING, "", ()),
        (b"q /GS0 gs 0 0 200 200 re f Q", SOFT_MASK, "", (MASK_FORM,)),
        (b"0 0 m 10 10 l S", "<<>>", "/Annots []", ()),
    ],
    ids=["inline image", "shading", "soft mask", "annotations"],
)
def test_pages_that_may_draw_images_are_listed(contents: bytes, resources: str, annots: str, more: tuple[bytes, ...]) -> None:
    with _page_with(contents, resources, annots, more) as doc:
        assert may_show_images(doc[0])


def test_inline_and_shaded_images_are_found_where_listed() -> None:
    """The hand-made pages do draw what the listing reports (so the cases above test something)."""
    with _page_with(INLINE_IMAGE) as doc:
        assert len(doc[0].get_image_info()) == 1
    with _page_with(b"/Sh0 sh", SHADING) as doc:
        assert len(doc[0].get_image_info()) == 1
    with _page_with(b"q /GS0 gs 0 0 200 200 re f Q", SOFT_MASK, more=(MASK_FORM,)) as doc:
        assert len(doc[0].get_image_info()) == 1
    with _page_with(b"0 0 m 10 10 l S") as doc:
        assert not may_show_images(doc[0])
        assert doc[0].get_image_info() == []
