"""Target and actual cells read as value, unit, comparator and kind."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jixiao.normalize.targets import (
    KINDS,
    Measure,
    parse_comparator,
    parse_measure,
    split_comparator,
)

M = Measure

MEASURES = [
    # percents keep the number as written
    ("≥ 90%", M(Decimal("90"), "%", ">=", "percent")),
    ("≥90%", M(Decimal("90"), "%", ">=", "percent")),
    ("≧ 95%", M(Decimal("95"), "%", ">=", "percent")),
    (">=95%", M(Decimal("95"), "%", ">=", "percent")),
    ("不低于95%", M(Decimal("95"), "%", ">=", "percent")),
    ("不少于90%", M(Decimal("90"), "%", ">=", "percent")),
    ("大于等于90%", M(Decimal("90"), "%", ">=", "percent")),
    ("达到100%", M(Decimal("100"), "%", ">=", "percent")),
    ("90%以上", M(Decimal("90"), "%", ">=", "percent")),
    ("90%(含)以上", M(Decimal("90"), "%", ">=", "percent")),
    ("90%及以上", M(Decimal("90"), "%", ">=", "percent")),
    ("≤5%", M(Decimal("5"), "%", "<=", "percent")),
    ("不高于5%", M(Decimal("5"), "%", "<=", "percent")),
    ("控制在5%以内", M(Decimal("5"), "%", "<=", "percent")),
    ("3%以下", M(Decimal("3"), "%", "<=", "percent")),
    ("=100%", M(Decimal("100"), "%", "=", "percent")),
    ("＝100％", M(Decimal("100"), "%", "=", "percent")),
    ("100%", M(Decimal("100"), "%", None, "percent")),
    ("100.00%", M(Decimal("100.00"), "%", None, "percent")),
    ("83.5%", M(Decimal("83.5"), "%", None, "percent")),
    ("95 ％", M(Decimal("95"), "%", None, "percent")),
    ("-5%", M(Decimal("-5"), "%", None, "percent")),
    ("百分之九十五", M(Decimal("95"), "%", None, "percent")),
    ("≥九十五%", M(Decimal("95"), "%", ">=", "percent")),
    # money is converted to 万元
    ("≤ 100万元", M(Decimal("100"), "万元", "<=", "money")),
    ("不超过100万元", M(Decimal("100"), "万元", "<=", "money")),
    ("677.14 万元", M(Decimal("677.14"), "万元", None, "money")),
    ("785.21 万元", M(Decimal("785.21"), "万元", None, "money")),
    ("150万", M(Decimal("150"), "万元", None, "money")),
    ("1,500,000元", M(Decimal("150.0000"), "万元", None, "money")),
    ("1.2亿元", M(Decimal("1.2E+4"), "万元", None, "money")),
    ("壹佰贰拾万元整", M(Decimal("120.0000"), "万元", None, "money")),
    ("≤500元/人", M(Decimal("0.0500"), "万元/人", "<=", "money")),
    # counts keep their unit
    ("200 个", M(Decimal("200"), "个", None, "number")),
    ("180 人", M(Decimal("180"), "人", None, "number")),
    ("5 次", M(Decimal("5"), "次", None, "number")),
    ("≥3项", M(Decimal("3"), "项", ">=", "number")),
    ("26次", M(Decimal("26"), "次", None, "number")),
    ("2200篇", M(Decimal("2200"), "篇", None, "number")),
    ("两个", M(Decimal("2"), "个", None, "number")),
    ("10万人次", M(Decimal("10"), "万人次", None, "number")),
    ("12.5km", M(Decimal("12.5"), "km", None, "number")),
    ("500平方米", M(Decimal("500"), "平方米", None, "number")),
    ("90分(含)以上", M(Decimal("90"), "分", ">=", "number")),
    ("5个百分点", M(Decimal("5"), "个百分点", None, "number")),
    ("约100人", M(Decimal("100"), "人", None, "number")),
    ("100人左右", M(Decimal("100"), "人", None, "number")),
    ("2次/年", M(Decimal("2"), "次/年", None, "number")),
    # durations are numbers, not dates
    ("30天", M(Decimal("30"), "天", None, "number")),
    ("≤30个工作日", M(Decimal("30"), "个工作日", "<=", "number")),
    ("三个工作日内", M(Decimal("3"), "个工作日", "<=", "number")),
    ("12个月", M(Decimal("12"), "个月", None, "number")),
    ("3年", M(Decimal("3"), "年", None, "number")),
    # bare numbers, with the Yunnan comparators
    ("≧100", M(Decimal("100"), None, ">=", "number")),
    ("═100", M(Decimal("100"), None, "=", "number")),
    ("≦5", M(Decimal("5"), None, "<=", "number")),
    ("100", M(Decimal("100"), None, None, "number")),
    ("0", M(Decimal("0"), None, None, "number")),
    ("> 0", M(Decimal("0"), None, ">", "number")),
    ("<1", M(Decimal("1"), None, "<", "number")),
    ("等于1", M(Decimal("1"), None, "=", "number")),
    # dates and deadlines
    ("2022 年 1 月-12 月", M(None, None, None, "time")),
    ("2022 年 2 月-12 月", M(None, None, None, "time")),
    ("2022 年 1-12 月", M(None, None, None, "time")),
    ("2022年", M(None, None, None, "time")),
    ("12月底之前完成", M(None, None, None, "time")),
    ("12月底前", M(None, None, None, "time")),
    ("12月", M(None, None, None, "time")),
    ("2022年12月31日", M(None, None, None, "time")),
    ("2022-12-31", M(None, None, None, "time")),
    ("第四季度", M(None, None, None, "time")),
    ("年底前完成", M(None, None, None, "time")),
    ("上半年", M(None, None, None, "time")),
    ("不晚于2022年12月", M(None, None, "<=", "time")),
    ("年内", M(None, None, "<=", "time")),
    ("按时完成", M(None, None, None, "time")),
    ("及时", M(None, None, None, "time")),
    # qualitative text
    ("有所增强", M(None, None, None, "text")),
    ("有所提升", M(None, None, None, "text")),
    ("长期", M(None, None, None, "text")),
    ("达成预期指标", M(None, None, None, "text")),
    ("达到预期效果", M(None, None, None, "text")),
    ("效果明显", M(None, None, None, "text")),
    ("有效", M(None, None, None, "text")),
    ("好", M(None, None, None, "text")),
    ("高", M(None, None, None, "text")),
    ("无经济效益", M(None, None, None, "text")),
    ("提高", M(None, None, None, "text")),
    ("位居全省前列", M(None, None, None, "text")),
    ("90%-100%", M(None, None, None, "text")),  # a range: not guessed
    ("3-4 个", M(None, None, None, "text")),
    ("100 200", M(None, None, None, "text")),  # two cells glued
    ("W100%", M(None, None, None, "text")),  # OCR for ≤: left to the OCR stage
    ("(cid:123)", M(None, None, None, "text")),
    # blanks, and a 指标性质 cell holding only its comparator
    ("", M(None, None, None, "blank")),
    ("—", M(None, None, None, "blank")),
    ("/", M(None, None, None, "blank")),
    ("无", M(None, None, None, "blank")),
    (None, M(None, None, None, "blank")),
    ("≥", M(None, None, ">=", "blank")),
    ("═", M(None, None, "=", "blank")),
]


@pytest.mark.parametrize(("raw", "expected"), MEASURES)
def test_parse_measure(raw: str | None, expected: Measure) -> None:
    assert parse_measure(raw) == expected


@pytest.mark.parametrize(
    ("raw", "value"),
    [("≥ 90.0%", "90.0"), ("677.14 万元", "677.14"), ("1,500,000元", "150.0000")],
)
def test_parse_measure_keeps_written_precision(raw: str, value: str) -> None:
    assert str(parse_measure(raw).value) == value


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("≥", ">="), ("≧", ">="), ("=", "="), ("═", "="), ("＝", "="),
        ("≤", "<="), ("≦", "<="), (">", ">"), ("<", "<"), (" ≥ ", ">="),
        ("正向指标", ">="), ("反向指标", "<="), ("正向", ">="),
        ("定量指标", None), ("", None), (None, None), ("≥90%", None),
    ],
)  # fmt: skip
def test_parse_comparator(raw: str | None, expected: str | None) -> None:
    assert parse_comparator(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("90%以上", (">=", "90%")),
        ("控制在5%以内", ("<=", "5%")),
        ("≥90%", (">=", "90%")),
        ("大于等于90%", (">=", "90%")),
        ("大于90%", (">", "90%")),
        ("90%", (None, "90%")),
        ("有所增强", (None, "有所增强")),
    ],
)
def test_split_comparator(raw: str, expected: tuple[str | None, str]) -> None:
    assert split_comparator(raw) == expected


cell_text = st.text(
    alphabet=st.sampled_from(list("0123456789.,%≥≤═=<>万元个人次年月日前以上内 —一十点")),
    max_size=16,
)


@given(st.one_of(st.none(), st.text(), cell_text))
def test_parse_measure_never_raises_and_is_consistent(text: str | None) -> None:
    measure = parse_measure(text)
    assert measure.kind in KINDS
    assert measure.comparator in {">=", "<=", "=", ">", "<", None}
    has_value = measure.kind in {"number", "percent", "money"}
    assert (measure.value is not None) == has_value
    if measure.kind == "percent":
        assert measure.unit == "%"
    if measure.kind == "money":
        assert measure.unit is not None and measure.unit.startswith("万元")
    if measure.kind == "text":
        assert measure.comparator is None


@given(st.one_of(st.none(), st.text(), cell_text))
def test_parse_comparator_never_raises(text: str | None) -> None:
    assert parse_comparator(text) in {">=", "<=", "=", ">", "<", None}
