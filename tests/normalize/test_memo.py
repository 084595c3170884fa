"""Memoized parsers forget each document when the next one starts."""

from __future__ import annotations

from jixiao.normalize.memo import forget_document
from jixiao.normalize.numbers import parse_decimal
from jixiao.normalize.text import clean_text
from jixiao.pipeline import parse_bytes, parse_path
from tests.conftest import SAMPLES


def test_memo_answers_like_the_function() -> None:
    forget_document()
    assert parse_decimal("1,234.50") == parse_decimal("1,234.50")
    assert parse_decimal.cache_info().hits == 1  # type: ignore[attr-defined]


def test_next_document_starts_with_empty_memos() -> None:
    parse_path(SAMPLES / "project-consistent.pdf")
    assert clean_text.cache_info().currsize > 0  # type: ignore[attr-defined]
    parse_bytes(b"not a pdf", "junk.pdf")  # fails before any cell is read
    assert clean_text.cache_info().currsize == 0  # type: ignore[attr-defined]
    assert parse_decimal.cache_info().currsize == 0  # type: ignore[attr-defined]
