"""OCR repairs of value cells: mended only where the column's kind makes it certain."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jixiao.normalize.ocr_repair import lost_point, repair_comparator, repair_label, repair_target, repair_value


@pytest.mark.parametrize(
    ("kind", "text", "mended"),
    [
        ("number", "IO", "10"),
        ("number", "1O", "10"),
        ("number", "O", "0"),
        ("number", "9.6B", "9.68"),
        ("rate", "9O%", "90%"),
        ("rate", "96，79%", "96.79%"),
        ("amount", "785，21", "785.21"),
        ("amount", "785·21", "785.21"),
        ("amount", "300万兀", "300万元"),
        ("measure", "300万兀", "300万元"),
        ("measure", "12O个", "120个"),
        ("measure", "2 90%", "≥90%"),
        ("measure", "W90%", "≥90%"),
        ("measure", "Q 95%", "≥95%"),
    ],
)
def test_mended(kind: str, text: str, mended: str) -> None:
    assert repair_value(kind, text) == mended  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("number", "10"),  # reads already
        ("amount", "1，234.50"),  # a thousands separator, not a point
        ("amount", "1,234"),
        ("rate", "96.79%"),
        ("number", "10 9"),  # two numbers glued: not ours to split
        ("measure", "有所增强"),  # words stay words
        ("measure", "2022年1月-12月"),
        ("measure", "290%"),  # a real 290% is possible
        ("number", ""),
        ("number", "—"),
        ("number", None),
        ("measure", "Slogan"),
    ],
)
def test_left_alone(kind: str, text: str | None) -> None:
    assert repair_value(kind, text) is None  # type: ignore[arg-type]


def test_target_sign_set_apart_or_a_letter() -> None:
    assert repair_target("2 90%") == "≥90%"
    assert repair_target("W90%") == "≥90%"
    assert repair_target("Q95%") == "≥95%"
    assert repair_target("≥90%") is None
    assert repair_target("不低于95%") is None


def test_target_glued_two_needs_every_sign_of_a_comparator() -> None:
    assert repair_target("290%", "92%", comparators_seen=True) == "≥90%"
    assert repair_target("212处", "12处", comparators_seen=True) == "≥12处"
    assert repair_target("260万元", "63.5万元", comparators_seen=True) == "≥60万元"
    # no other comparator in the table, a different unit, an actual that misses,
    # an actual near the whole number, or a row that lost points: left alone
    assert repair_target("290%", "92%") is None
    assert repair_target("290%", "92个", comparators_seen=True) is None
    assert repair_target("290%", "85%", comparators_seen=True) is None
    assert repair_target("290%", "280%", comparators_seen=True) is None
    assert repair_target("25个", "5个", comparators_seen=True, full_score=False) is None
    assert repair_target("2022年12月底前", "2022年11月28日", comparators_seen=True) is None


def test_target_units() -> None:
    assert repair_target("≤320.5万兀") == "≤320.5万元"
    assert repair_target("300万兀") == "300万元"


def test_comparator_cells() -> None:
    assert repair_comparator("2") == "≥"
    assert repair_comparator("W") == "≥"
    assert repair_comparator("二") == "="
    assert repair_comparator("≥") is None
    assert repair_comparator("定量") is None
    assert repair_comparator("") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [("农村饮水T程", "农村饮水工程"), ("水利T程建设", "水利工程建设"), ("PM2.5浓度", None), ("T程", None), ("合格率", None)],
)
def test_repair_label_latin_between_cjk(text: str, expected: str | None) -> None:
    assert repair_label(text) == expected


@pytest.mark.parametrize(
    ("score", "weight", "text", "expected"),
    [
        ("15", "2", "15", "1.5"),  # 1.5 read as 15: above its weight, its tenth fits
        ("45", "5", "45", "4.5"),
        ("15", "20", "15", None),  # fits its weight as read
        ("3", "2", "3", None),  # one digit: no point to lose
        ("25", "2", "25", None),  # 2.5 would still exceed 2: not certain
        ("15", "2", "1 5", "1.5"),
        ("15.0", "2", "15.0", None),  # a point was read
    ],
)
def test_lost_point(score: str, weight: str, text: str, expected: str | None) -> None:
    found = lost_point(Decimal(score), Decimal(weight), text)
    assert (None if found is None else str(found)) == expected
