"""Scans as other scanners write them: a pure 1-bit page, and a page image under a scanner's invisible text layer.

Both documents are made here from ``samples/project-consistent.pdf`` (rendered
grey at 200 dpi) and must give its record:

- **1-bit, CCITT G4, written by Pillow**: nothing but black and white, drawn
  at its own resolution.  Otsu's split of such a page is the ink's own value,
  so "darker than the split" was nothing and every table cell read empty
  (the report was "not found").
- **JPEG page images with the text PDF's words laid over them as invisible
  text** (render mode 3, as scanners' "searchable PDF" writes its OCR): the
  text names the table's headers, but the table's lines are only pixels, so
  the text layer alone gave no table and the report was "not found".
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import numpy as np
import pymupdf
import pytest
from PIL import Image
from rapidfuzz.distance import Levenshtein

from jixiao.extract.document import extract_bytes
from jixiao.extract.ocr.decide import IMAGE_PAGE_COVER
from jixiao.extract.ocr.engine import ocr_available
from jixiao.extract.ocr.pages import image_cover
from jixiao.extract.ocr.scan import dark_class
from jixiao.models import Report
from jixiao.pipeline import parse_bytes, parse_path

SOURCE = Path(__file__).resolve().parent.parent / "samples" / "project-consistent.pdf"
DPI = 200
needs_ocr = pytest.mark.skipif(not ocr_available(), reason="rapidocr-onnxruntime is not installed")


def test_dark_class_of_a_two_level_page_is_its_ink() -> None:
    page = np.full((40, 60), 255, np.uint8)
    page[10:12, 5:55] = 0
    page[20:30, 30:32] = 0
    assert int(dark_class(page).sum()) == 2 * 50 + 10 * 2
    page[page == 0] = 40  # two levels, neither of them black
    assert int(dark_class(page).sum()) == 120


def test_dark_class_of_a_grey_page_is_strictly_below_the_split() -> None:
    page = np.full((20, 20), 250, np.uint8)
    page[:, :5] = 10
    page[:, 5:8] = 120  # Otsu puts its split between the two groups of grey
    dark = dark_class(page)
    assert dark[:, :5].all() and not dark[:, 8:].any()


def _greys() -> list[tuple[pymupdf.Rect, Image.Image]]:
    out = []
    with pymupdf.open(SOURCE) as doc:
        for page in doc:
            pix = page.get_pixmap(dpi=DPI, colorspace=pymupdf.csGRAY)
            grey = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width)
            out.append((page.rect, Image.fromarray(grey)))
    return out


def _jpeg(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=75)
    return buf.getvalue()


def one_bit_g4() -> bytes:
    pages = [img.point(lambda v: 255 if v > 160 else 0).convert("1") for _, img in _greys()]
    buf = io.BytesIO()
    pages[0].save(buf, "PDF", resolution=DPI, save_all=True, append_images=pages[1:])
    return buf.getvalue()


def invisible_text_over_images() -> bytes:
    out = pymupdf.open()
    with pymupdf.open(SOURCE) as src:
        for (rect, img), page in zip(_greys(), src, strict=True):
            new = out.new_page(width=rect.width, height=rect.height)
            new.insert_image(rect, stream=_jpeg(img))
            for x0, y0, _x1, y1, word, *_ in page.get_text("words"):
                new.insert_text((x0, y1 - 2), word, fontsize=max(4.0, (y1 - y0) * 0.8), fontname="china-s", render_mode=3)
    return out.tobytes()


FUND_FIELDS = ("initial_budget", "annual_budget", "executed", "weight", "execution_rate", "score")


def fund_values(report: Report) -> list[tuple[object, ...]]:
    """Each fund line's values (not its cells' boxes, which come from another rendering)."""
    lines = (report.funds.total, report.funds.current_appropriation, report.funds.prior_carryover, report.funds.other)
    return [tuple(getattr(line, f) for f in FUND_FIELDS) if line is not None else () for line in lines]


def misread_name_chars(scan: Report, text: Report) -> int:
    """Characters of the indicator names OCR read otherwise (竣 of 竣工 is on the edge of 峻 at 200 dpi)."""
    assert len(scan.indicators) == len(text.indicators)
    return sum(Levenshtein.distance(a.name, b.name) for a, b in zip(scan.indicators, text.indicators, strict=True))


@pytest.fixture(scope="module")
def text_record() -> Report:
    return next(r for r in parse_path(SOURCE) if isinstance(r, Report))


@needs_ocr
def test_a_one_bit_g4_scan_gives_the_text_record(text_record: Report) -> None:
    data = one_bit_g4()
    with pymupdf.open(stream=data) as doc:
        assert doc[1].get_images(full=True)[0][8] == "CCITTFaxDecode"
    (scan,) = parse_bytes(data, "one-bit.pdf")
    assert isinstance(scan, Report)
    assert scan.source.ocr_pages == (1, 2)
    assert fund_values(scan) == fund_values(text_record)
    assert misread_name_chars(scan, text_record) <= 1
    assert [(i.level1, i.level2, i.weight, i.score) for i in scan.indicators] == [
        (i.level1, i.level2, i.weight, i.score) for i in text_record.indicators
    ]
    assert (scan.total_score, scan.grade) == (Decimal("99.68"), "优")
    assert not [f for f in scan.findings if f.severity == "error"]


@needs_ocr
def test_a_scanners_invisible_text_layer_does_not_hide_the_table_in_its_image(text_record: Report) -> None:
    data = invisible_text_over_images()
    with pymupdf.open(stream=data) as doc:  # the headers are text, and the table's lines are not drawings
        assert "一级指标" in doc[1].get_text() and not doc[1].get_drawings()
    (scan,) = parse_bytes(data, "searchable-scan.pdf")
    assert isinstance(scan, Report)
    assert 2 in scan.source.ocr_pages  # the table's page: read from its image
    assert fund_values(scan) == fund_values(text_record)
    assert misread_name_chars(scan, text_record) <= 1
    assert [(i.level1, i.level2, i.target, i.actual, i.weight, i.score) for i in scan.indicators] == [
        (i.level1, i.level2, i.target, i.actual, i.weight, i.score) for i in text_record.indicators
    ]
    assert (scan.total_score, scan.grade) == (text_record.total_score, text_record.grade)
    assert not [f for f in scan.findings if f.severity == "error"]


@needs_ocr
def test_a_photo_beside_real_text_leaves_the_text_layer_in_charge() -> None:
    """A page whose text names the table's headers, with no table drawn but a large picture: its image is
    read (the table could be in it), finds no table, and the page keeps its exact text."""
    with pymupdf.open(SOURCE) as src:
        assert "执行率" in src[0].get_text()  # the first page's narrative names a header word
        out = pymupdf.open()
        out.insert_pdf(src, from_page=0, to_page=0)
    plain = out.tobytes()
    rng = np.random.default_rng(7)
    photo = Image.fromarray((rng.random((600, 420, 3)) * 80 + 150).astype(np.uint8))  # a pale, textless picture
    rect = out[0].rect
    out[0].insert_image(pymupdf.Rect(rect.x0 + 30, rect.y0 + 30, rect.x1 - 30, rect.y1 - 30), stream=_jpeg(photo), overlay=False)
    with_photo = out.tobytes()
    assert image_cover(pymupdf.open(stream=with_photo)[0]) >= IMAGE_PAGE_COVER

    got = extract_bytes(with_photo, "with-photo.pdf")
    assert got.source.ocr_pages == () and got.source.text_method == "text"
    assert got.paragraphs == extract_bytes(plain, "plain.pdf").paragraphs
    assert len(got.paragraphs) >= 3


def table_as_picture() -> bytes:
    """The report with its self-evaluation table pasted in as a picture (the title above it stays text)."""
    out = pymupdf.open()
    with pymupdf.open(SOURCE) as src:
        out.insert_pdf(src, from_page=0, to_page=0)
        table_page = src[1]
        title = next(b for b in table_page.get_text("blocks") if "绩效自评表" in b[4])
        table = pymupdf.Rect(table_page.rect.x0 + 50, title[3] + 4, table_page.rect.x1 - 50, table_page.rect.y1 - 60)
        pix = table_page.get_pixmap(dpi=DPI, clip=table, colorspace=pymupdf.csGRAY)
        page = out.new_page(width=table_page.rect.width, height=table_page.rect.height)
        page.insert_text((title[0], title[3] - 4), title[4].strip(), fontname="china-s", fontsize=title[3] - title[1] - 2)
        page.insert_image(table, stream=_jpeg(Image.frombytes("L", (pix.width, pix.height), pix.samples)))
    return out.tobytes()


@needs_ocr
def test_a_table_pasted_as_a_picture_is_read_from_it(text_record: Report) -> None:
    data = table_as_picture()
    with pymupdf.open(stream=data) as doc:  # nothing on the table's page names a header: only the picture does
        assert "一级指标" not in doc[1].get_text() and not doc[1].get_drawings()
    (got,) = parse_bytes(data, "pasted-table.pdf")
    assert isinstance(got, Report)
    assert got.source.ocr_pages == (2,) and got.source.text_method == "mixed"
    assert fund_values(got) == fund_values(text_record)
    assert misread_name_chars(got, text_record) <= 1
    assert [(i.level1, i.level2, i.target, i.actual, i.weight, i.score) for i in got.indicators] == [
        (i.level1, i.level2, i.target, i.actual, i.weight, i.score) for i in text_record.indicators
    ]
    assert (got.total_score, got.grade) == (text_record.total_score, text_record.grade)
