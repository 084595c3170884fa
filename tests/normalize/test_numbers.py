"""Numbers, amounts and rates: exact values with the precision written.

Expected values are strings so that both the value and the exponent are
checked: ``Decimal("1.00") == Decimal("1")`` would hide a lost precision.
"""

from __future__ import annotations

import struct
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from jixiao.normalize.numbers import (
    format_amount,
    is_blank,
    parse_amount,
    parse_decimal,
    parse_rate,
    places,
    snap_float_artefact,
    tolerance,
)


def exact(d: Decimal | None) -> str | None:
    return None if d is None else str(d)


cell_text = st.text(
    alphabet=st.sampled_from(list("0123456789.,+-%万元亿整点一二十百两壹佰拾零 /—无")),
    max_size=20,
)

# -- blanks -------------------------------------------------------------------

BLANK = ["", " ", "/", "／", "\\", "-", "—", "——", "–", "－", "无", "空",
         "N/A", "n/a", "———", "―", " — ", "\n", None]  # fmt: skip
NOT_BLANK = ["0", "0.00", "无经济效益", "长期", "100%", "一", "-5", "—10"]


@pytest.mark.parametrize("text", BLANK)
def test_is_blank(text: str | None) -> None:
    assert is_blank(text)


@pytest.mark.parametrize("text", NOT_BLANK)
def test_is_not_blank(text: str) -> None:
    assert not is_blank(text)


# -- parse_decimal ------------------------------------------------------------

DECIMALS = [
    ("677.14", "677.14"),
    ("778.26", "778.26"),
    ("0", "0"),
    ("0.00", "0.00"),
    ("100", "100"),
    ("10", "10"),
    ("1.00", "1.00"),
    (" 92 ", "92"),
    ("+5", "5"),
    ("-5", "-5"),
    ("- 5", "-5"),
    ("−5", "-5"),  # U+2212 minus sign
    ("－5", "-5"),  # full-width hyphen
    ("120.", "120"),
    (".5", "0.5"),
    # thousands separators
    ("1,234.56", "1234.56"),
    ("1,234,567", "1234567"),
    ("1，234.56", "1234.56"),  # OCR / full-width comma
    ("-1,500,000.00", "-1500000.00"),
    # full width
    ("１２３．４５", "123.45"),
    ("７７８．２６", "778.26"),
    # a number wrapped inside its cell
    ("120.\n00", "120.00"),
    ("1\n00", "100"),
    # Excel / float printouts
    ("0.0900000762939453", "0.09"),
    ("96.78999999999999", "96.79"),
    ("785.2099999999999", "785.21"),
    ("0.30000000000000004", "0.3"),
    ("0.8350000000000001", "0.835"),
    ("100.00000000000001", "100"),
    ("1000.0001000000001", "1000.0001"),
    ("12345.678900000001", "12345.6789"),
    ("0.100000001490116", "0.1"),  # float32 0.1
    ("96.79000091552734", "96.79"),  # float32 96.79
    ("785.2100219726562", "785.21"),  # float32 785.21
    ("123.44999694824219", "123.45"),  # float32 123.45
    ("0.000000000000", "0"),
    # long numbers that are not float noise are kept
    ("3.1415926535", "3.1415926535"),
    ("0.1234567891", "0.1234567891"),
    ("0.123456789", "0.123456789"),  # fewer than ten decimals: never touched
    ("1.000000001", "1.000000001"),
    # Chinese numerals
    ("一百二十点五", "120.5"),
    ("壹佰贰拾", "120"),
    ("两千", "2000"),
    ("十", "10"),
    ("一", "1"),
    ("零", "0"),
    ("零点五", "0.5"),
    ("点五", "0.5"),
    ("一点零零", "1.00"),  # cn2an alone would give 1.0
    ("一百二十点五零", "120.50"),
    ("十点零一", "10.01"),
    ("负五", "-5"),
    ("一万零五", "10005"),
    ("壹拾贰万叁仟", "123000"),
    ("一亿二千万", "120000000"),
    ("二〇二二", "2022"),
    ("一百万亿点五", "100000000000000.5"),  # exact, where a float would round
    ("一千二百三十四点五六七八九", "1234.56789"),
    ("一点五万", "1.5E+4"),
]

def test_one_character_numerals_read_as_cn2an_reads_them() -> None:
    """The one-character numerals are read without cn2an: each as cn2an reads it."""
    import cn2an

    from jixiao.normalize.numbers import _ONE_CHAR

    assert set(_ONE_CHAR) == {*"零〇一壹二贰两三叁四肆五伍六陆七柒八捌九玖十拾"}
    for ch, value in _ONE_CHAR.items():
        assert cn2an.cn2an(ch, "normal") == value, ch
        assert parse_decimal(ch) == Decimal(value)


NOT_DECIMALS = [
    None, "", "—", "/", "无", "N/A",
    "有所增强", "长期", "100%", "150万", "1.2亿", "12万元",
    "1,23",  # a comma not followed by three digits is not a separator
    "1,2345",
    "1 234",  # two numbers, or a damaged one: not guessed
    "677.14 785.21",
    "1.2.3",
    "310.2154.741050%5",
    "万", "百万", "点", "一点", "一点五点", "十一拾七", "一亿二千",
    "IO",  # OCR for 10; repair belongs to the OCR stage
    "1e5", "inf", "NaN", "0x10", "٣",
]  # fmt: skip


@pytest.mark.parametrize(("raw", "expected"), DECIMALS)
def test_parse_decimal(raw: str, expected: str) -> None:
    assert exact(parse_decimal(raw)) == expected


@pytest.mark.parametrize("raw", NOT_DECIMALS)
def test_parse_decimal_refuses(raw: str | None) -> None:
    assert parse_decimal(raw) is None


@given(st.text() | cell_text)
def test_parse_decimal_never_raises(text: str) -> None:
    result = parse_decimal(text)
    assert result is None or result.is_finite()


@given(
    st.decimals(
        min_value=Decimal("-1e7"),
        max_value=Decimal("1e7"),
        places=6,
        allow_nan=False,
        allow_infinity=False,
    )
)
def test_float64_printout_snaps_back(value: Decimal) -> None:
    # Print the nearest double with 17 significant digits, as Excel exports do.
    printed = format(Decimal(format(float(value), ".17g")), "f")
    assume(-Decimal(printed).as_tuple().exponent >= 10)  # type: ignore[operator]
    assert parse_decimal(printed) == value


def _float32(value: Decimal) -> float:
    packed = struct.pack("f", float(value))
    result: float = struct.unpack("f", packed)[0]
    return result


@given(
    st.decimals(
        min_value=Decimal("-999"),
        max_value=Decimal("999"),
        places=4,
        allow_nan=False,
        allow_infinity=False,
    )
)
def test_float32_printout_snaps_back(value: Decimal) -> None:
    assume(len(value.normalize().as_tuple().digits) <= 5)
    printed = format(Decimal(format(_float32(value), ".17g")), "f")
    assume(-Decimal(printed).as_tuple().exponent >= 10)  # type: ignore[operator]
    assert parse_decimal(printed) == value


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0.0900000762939453", "0.09"),
        ("0.123456789", "0.123456789"),  # nine decimals: not a printout
        ("12345678901234567890.0000000001", "12345678901234567890.0000000001"),
    ],
)
def test_snap_float_artefact(raw: str, expected: str) -> None:
    assert str(snap_float_artefact(Decimal(raw))) == expected


# -- parse_amount -------------------------------------------------------------

AMOUNTS = [
    # (cell, header unit, 万元 as written)
    ("677.14", "万元", "677.14"),
    ("785.21", "万元", "785.21"),
    ("0", "万元", "0"),
    ("0.00", "万元", "0.00"),
    ("150万", "万元", "150"),
    ("150万", "元", "150"),  # the cell's unit wins over the header's
    ("150万元", "元", "150"),
    ("125.25万元", "万元", "125.25"),
    ("125.25 万元", "万元", "125.25"),
    ("12万元", "万元", "12"),
    ("1,500,000元", "万元", "150.0000"),
    ("1,500,000", "元", "150.0000"),
    ("1234500", "元", "123.4500"),
    ("7782600.00", "元", "778.260000"),
    ("0", "元", "0.0000"),
    ("1.2亿元", "万元", "1.2E+4"),
    ("1.2亿", "万元", "1.2E+4"),
    ("3千元", "万元", "0.3"),
    ("5百万", "万元", "5E+2"),
    ("壹佰贰拾万元整", "万元", "120.0000"),
    ("壹佰贰拾万元整", "元", "120.0000"),
    ("人民币壹佰贰拾万元整", "万元", "120.0000"),
    ("壹佰元正", "万元", "0.0100"),
    ("一亿二千万元", "万元", "12000.0000"),
    ("一百二十点五", "万元", "120.5"),
    ("一百二十点五万元", "万元", "120.5"),
    ("一百二十", "元", "0.0120"),
    ("¥1,000.00", "元", "0.100000"),
    ("￥1,000.00元", "万元", "0.100000"),
    ("１５０万元", "万元", "150"),
    ("150万兀", "万元", "150"),  # OCR reads 元 as 兀
    ("-20.18", "万元", "-20.18"),
    ("785.2099999999999", "万元", "785.21"),
    ("677.14", "(万元)", "677.14"),
    ("677.14", "（元）", "0.067714"),
]

NOT_AMOUNTS = [None, "", "/", "—", "无", "有所增强", "100%", "≤100万元",
               "150万元/年", "万元", "元", "万兀", "310.2154.741050%5", "1 500"]  # fmt: skip


@pytest.mark.parametrize(("raw", "unit", "expected"), AMOUNTS)
def test_parse_amount(raw: str, unit: str, expected: str) -> None:
    assert exact(parse_amount(raw, unit)) == expected


@pytest.mark.parametrize("raw", NOT_AMOUNTS)
def test_parse_amount_refuses(raw: str | None) -> None:
    assert parse_amount(raw) is None


def test_parse_amount_rejects_an_unknown_header_unit() -> None:
    with pytest.raises(ValueError, match="unknown amount unit"):
        parse_amount("1", "美元")


@given(st.text() | cell_text, st.sampled_from(["元", "万元"]))
def test_parse_amount_never_raises(text: str, unit: str) -> None:
    result = parse_amount(text, unit)
    assert result is None or result.is_finite()


amounts = st.builds(
    lambda digits, exponent: Decimal(f"{digits}E{exponent}"),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.integers(min_value=-9, max_value=6),
)


@given(amounts | st.decimals(allow_nan=False, allow_infinity=False, places=4))
def test_format_amount_round_trips(value: Decimal) -> None:
    written = format_amount(value)
    assert "E" not in written and "e" not in written
    assert parse_amount(written) == value


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1E+2", "100"), ("1.2E+4", "12000"), ("778.26", "778.26"),
     ("120.0000", "120.0000"), ("1E-6", "0.000001"), ("-0.5", "-0.5")],
)  # fmt: skip
def test_format_amount(value: str, expected: str) -> None:
    assert format_amount(Decimal(value)) == expected


# -- parse_rate ---------------------------------------------------------------

RATES = [
    ("100%", "1.00"),
    ("83.5%", "0.835"),
    ("83.50%", "0.8350"),
    ("100.00%", "1.0000"),
    ("0.00%", "0.0000"),
    ("0%", "0.00"),
    ("95 %", "0.95"),
    ("95％", "0.95"),
    ("９５％", "0.95"),
    ("-5%", "-0.05"),
    ("120%", "1.20"),
    ("100", "1.00"),  # bare and above 1.5: a percent
    ("96.79", "0.9679"),
    ("92", "0.92"),
    ("0.98", "0.98"),  # bare and at most 1.5: a fraction
    ("1", "1"),
    ("1.2", "1.2"),
    ("1.5", "1.5"),
    ("0.0900000762939453", "0.09"),
    ("96.78999999999999", "0.9679"),
    ("百分之九十五", "0.95"),
    ("3‰", "0.003"),
    ("1\n00%", "1.00"),
]

NOT_RATES = [None, "", "—", "/", "无", "-", "%", "≥90%", "有所提升", "90%-100%",
             "150万"]  # fmt: skip


@pytest.mark.parametrize(("raw", "expected"), RATES)
def test_parse_rate(raw: str, expected: str) -> None:
    assert exact(parse_rate(raw)) == expected


@pytest.mark.parametrize("raw", NOT_RATES)
def test_parse_rate_refuses(raw: str | None) -> None:
    assert parse_rate(raw) is None


@given(st.text() | cell_text)
def test_parse_rate_never_raises(text: str) -> None:
    result = parse_rate(text)
    assert result is None or result.is_finite()


# -- precision ----------------------------------------------------------------

PRECISION = [
    ("778.26", 2, "0.005"),
    ("1.00", 2, "0.005"),
    ("92", 0, "0.5"),
    ("0.835", 3, "0.0005"),
    ("0.96", 2, "0.005"),
    ("150.0000", 4, "0.00005"),
    ("1.2E+4", -3, "5E+2"),
]


@pytest.mark.parametrize(("value", "expected_places", "expected_tolerance"), PRECISION)
def test_places_and_tolerance(value: str, expected_places: int, expected_tolerance: str) -> None:
    assert places(Decimal(value)) == expected_places
    assert str(tolerance(Decimal(value))) == expected_tolerance


def test_precision_follows_the_parsed_cell() -> None:
    rate = parse_rate("96%")
    assert rate is not None
    assert tolerance(rate) == Decimal("0.005")  # half a percentage point
    amount = parse_amount("778.26")
    assert amount is not None
    assert tolerance(amount) == Decimal("0.005")


def test_places_refuses_non_finite() -> None:
    with pytest.raises(ValueError, match="not a finite number"):
        places(Decimal("NaN"))
