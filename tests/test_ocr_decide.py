"""The per-page choice between the text layer and OCR (pure, no OCR run here)."""

from __future__ import annotations

import pymupdf
import pytest
import regex
from hypothesis import given
from hypothesis import strategies as st

from jixiao.extract.ocr import decide as decide_module
from jixiao.extract.ocr.decide import Decision, TextStats, decide, is_common_han, text_method, text_stats
from jixiao.extract.ocr.pages import image_cover, page_decision
from tests.conftest import SAMPLES

TEXT_SAMPLES = sorted(p.name for p in SAMPLES.glob("*.pdf"))


def _page_text(page: pymupdf.Page) -> str:
    return str(page.get_text())


@pytest.mark.parametrize("name", TEXT_SAMPLES)
def test_text_samples_never_need_ocr(name: str) -> None:
    """Every page of every text sample reads from its text layer (OCR costs seconds a page)."""
    with pymupdf.open(SAMPLES / name) as doc:
        for page in doc:
            assert page_decision(page, _page_text(page)).method == "text", (name, page.number + 1)


def test_scanned_pages_need_ocr() -> None:
    with pymupdf.open(SAMPLES / "scanned" / "seed-department-report.scan.pdf") as doc:
        for page in doc:
            assert image_cover(page) > 0.95
            assert page_decision(page, _page_text(page)) == Decision("ocr", "no_text")


def test_broken_font_map_needs_ocr() -> None:
    with pymupdf.open(SAMPLES / "scanned" / "project-consistent.broken-tounicode.pdf") as doc:
        for page in doc:
            assert page_decision(page, _page_text(page)) == Decision("ocr", "garbled")


def test_garbled_layers() -> None:
    assert decide(text_stats("(cid:12)(cid:7)(cid:99)" * 10)).reason == "garbled"
    assert decide(text_stats("\ufffd" * 30 + "预算")).reason == "garbled"
    assert decide(text_stats("\ue000\ue123\ue456" * 10)).reason == "garbled"
    # glyph ids read as code points: Han characters, but nearly all rare ones
    assert decide(text_stats("葋僷凬⒲䑂㩨䗂䩏㝧㝂㝅䡻䖠䢞㐟㟏儂㐕佄䠼" * 2)).reason == "garbled"


def test_sound_layers() -> None:
    prose = "2022年预算收入778.26万元，其中年初预算677.14万元，调整增加101.12万元。" * 3
    assert decide(text_stats(prose)) == Decision("text", "text_layer")
    traditional = "項目資金情況：年初預算數為300.00萬元，其中當年財政撥款280.00萬元。" * 3
    assert decide(text_stats(traditional)) == Decision("text", "text_layer")


def test_images_and_sparse_text() -> None:
    assert decide(text_stats(""), image_cover=1.0) == Decision("ocr", "no_text")
    assert decide(text_stats(""), image_cover=0.0) == Decision("text", "blank")
    assert decide(text_stats(""), vector_paths=5000) == Decision("ocr", "no_text")
    # a scanner's watermark over a page image
    watermark = "扫描全能王 CamScanner 创建 www.camscanner.com"
    assert decide(text_stats(watermark), image_cover=1.0) == Decision("ocr", "image_page")
    # a full page image under a complete text layer (a searchable scan): keep the text
    prose = "部门整体支出绩效自评报告，年度资金总额785.21万元，执行率100%。" * 6
    assert decide(text_stats(prose), image_cover=1.0).method == "text"
    assert decide(text_stats("Page 1 of 3, Scanned by ACME 2000 for records"), image_cover=0.8).method == "ocr"


def test_common_han() -> None:
    assert is_common_han("预")
    assert is_common_han("預")  # Big5's frequent set
    assert not is_common_han("葋")
    assert not is_common_han("a")


def test_document_text_method() -> None:
    ocr, text, blank = Decision("ocr", "no_text"), Decision("text", "text_layer"), Decision("text", "blank")
    assert text_method([text, blank]) == "text"
    assert text_method([ocr, blank, ocr]) == "ocr"
    assert text_method([ocr, text]) == "mixed"
    assert text_method([]) == "text"


_REF_CID = regex.compile(r"\(cid:\d+\)")


def _reference_stats(text: str) -> TextStats:
    """The counts by their definition, one regex per kind (what the fast path must agree with)."""
    cids = len(_REF_CID.findall(text))
    body = _REF_CID.sub("", text)
    han = regex.findall(r"\p{Han}", body)
    bad = regex.findall(r"[\p{Co}\p{Cn}\ufffd]|[^\s\p{Han}" + decide_module._GOOD_CLASS + "]", body)
    return TextStats(
        len(regex.findall(r"\S", body)) + cids, len(bad) + cids, len(han), sum(is_common_han(ch) for ch in han)
    )


_PAGE_ALPHABET = st.sampled_from(
    list("预算执行率项目资金葋⾇預 \n\t\u3000\xa0\x1c\x85\u2028，。（）%≥0123456789aZ()cid:\ufffd\ue000\U0010fffd№α")
)


@given(st.lists(_PAGE_ALPHABET, max_size=60).map("".join))
def test_text_stats_agrees_with_the_definition(text: str) -> None:
    assert text_stats(text) == _reference_stats(text)


def test_common_han_holds_only_han() -> None:
    assert not any(is_common_han(ch) for ch in "0123456789 \n,.;")
