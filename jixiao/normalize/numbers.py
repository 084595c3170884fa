"""Read numbers, amounts and rates from cells as exact ``Decimal`` values.

The checks compare numbers within the precision the document itself wrote
(``778.26`` within 0.005, ``96%`` within half a point), so a parsed value
keeps its written digits in the ``Decimal`` exponent: ``100%`` is
``Decimal("1.00")``, never ``1`` or the float ``1.0``.  Unit shifts therefore
move the exponent (``_shift``) instead of multiplying.  Every parser returns
``None`` for text that is not its kind of value and never raises on cell text.
"""

from __future__ import annotations

import re
from decimal import Decimal

from jixiao.normalize.memo import per_document
from jixiao.normalize.text import compact, squeeze

#: Cell texts (after ``clean_text``) that mean "no value".
BLANKS: frozenset[str] = frozenset({"", "/", "／", "\\", "-", "—", "——", "–", "－", "无", "空", "N/A"})

#: Dash-like characters; a cell made only of these is blank too (``———``).
DASHES: str = "-‐‑‒–—―−－"

#: Chinese digits (小写 and 大写) and their values.
CN_DIGITS: dict[str, int] = {
    "零": 0, "〇": 0,
    "一": 1, "壹": 1,
    "二": 2, "贰": 2, "两": 2,
    "三": 3, "叁": 3,
    "四": 4, "肆": 4,
    "五": 5, "伍": 5,
    "六": 6, "陆": 6,
    "七": 7, "柒": 7,
    "八": 8, "捌": 8,
    "九": 9, "玖": 9,
}  # fmt: skip

#: Place words inside a Chinese numeral.
CN_PLACES: str = "十拾百佰千仟万萬亿億"

#: Place words that state a magnitude large enough to be a unit of amount.
CN_MAGNITUDES: dict[str, int] = {"万": 4, "萬": 4, "亿": 8, "億": 8}

CN_POINT = "点"
CN_NEGATIVE = "负"

#: A float printout has at most 17 significant digits and, when it is an
#: artefact, ten or more decimals (``96.78999999999999``).
ARTEFACT_MIN_PLACES = 10
ARTEFACT_MAX_DIGITS = 17
#: Largest number of decimals a snapped artefact may keep.
ARTEFACT_MAX_SNAP_PLACES = 6
#: Relative error of a float64 after a few operations (one ulp is 1.1e-16):
#: ``0.30000000000000004`` is 0.3.
FLOAT64_NOISE = Decimal("1e-14")
#: Relative error of a float32 after a step such as percent ÷ 100 (one ulp
#: is 6e-8): ``0.0900000762939453`` is 0.09 off by 8.5e-7.
FLOAT32_NOISE = Decimal("2e-6")
#: At float32 level the error must also stay below this share of the last
#: kept digit, i.e. the kept digits are followed by a run of 0s or 9s, as
#: float noise is and an honestly written long number (``3.1415926535``) is not.
FLOAT32_DIGIT_SHARE = Decimal("0.01")

#: Shift (powers of ten) from a written unit to 万元.
AMOUNT_UNIT_SHIFTS: dict[str, int] = {"元": -4, "千元": -1, "万元": 0, "亿元": 4}

#: Currency words after an amount; 兀 is how OCR reads 元.
CURRENCY_WORDS: tuple[str, ...] = ("元", "圆", "兀")

#: Magnitude words after Arabic digits, as shifts from 元 × word to 万元.
AMOUNT_MULTIPLIERS: dict[str, int] = {
    "万亿": 8, "亿": 4, "千万": 3, "百万": 2, "十万": 1, "万": 0, "千": -1,
}  # fmt: skip

#: Words wrapped around an amount that carry no value.
AMOUNT_PREFIXES: tuple[str, ...] = ("人民币", "¥", "RMB")
AMOUNT_SUFFIXES: tuple[str, ...] = ("整", "正")

#: Rate markers and their shift to a fraction.
RATE_SUFFIXES: dict[str, int] = {"%": -2, "‰": -3}
RATE_PREFIX = "百分之"
#: A bare rate above this is read as percent (``96.79``), at or below as a
#: fraction (``0.98``, ``1``, ``1.2`` for an over-execution).
BARE_RATE_PERCENT_ABOVE = Decimal("1.5")

_ARABIC_RE = re.compile(r"[+-]?(?:(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]*)?|\.[0-9]+)")
_SIGN_MAP = str.maketrans({"−": "-", "﹣": "-"})


@per_document
def is_blank(s: str | None) -> bool:
    """Tell "nothing written" apart from a value, however it was written.

    Example: ``is_blank("——")`` → ``True``; ``is_blank("0")`` → ``False``
    """
    text = compact(s)
    if text is None or text in BLANKS or text.upper() == "N/A":
        return True
    return all(ch in DASHES for ch in text)


@per_document
def parse_decimal(s: str | None) -> Decimal | None:
    """Read one plain number with the digits it was written with.

    Handles thousands separators (each comma followed by exactly three
    digits), a sign, full width, float printouts of Excel values (see
    ``snap_float_artefact``) and Chinese numerals.  A magnitude word after
    Arabic digits (``150万``) is a unit, not part of the number: that is
    ``parse_amount``'s job, so it gives ``None`` here.

    Example: ``parse_decimal("1，234.50")`` → ``Decimal("1234.50")``
    """
    text = _value_text(s)
    if text is None or is_blank(text):
        return None
    if _ARABIC_RE.fullmatch(text):
        return snap_float_artefact(Decimal(text.replace(",", "")))
    return _parse_chinese(text)


def snap_float_artefact(d: Decimal) -> Decimal:
    """Undo a binary float printout so its precision is the one meant.

    A value with ten or more decimals and at most 17 significant digits is
    read as a float printout.  It becomes the decimal with the fewest places
    (at most six) within float64 noise of it; failing that, the one with the
    fewest places within float32 noise whose last kept digit is followed by
    a run of 0s or 9s.  Anything else is kept as written.

    Example: ``snap_float_artefact(Decimal("96.78999999999999"))`` → ``Decimal("96.79")``
    """
    _, digits, exponent = d.as_tuple()
    if not isinstance(exponent, int) or -exponent < ARTEFACT_MIN_PLACES:
        return d
    if len(digits) > ARTEFACT_MAX_DIGITS:
        return d
    snapped = _nearest_short(d, abs(d) * FLOAT64_NOISE, Decimal(1))
    if snapped is None:
        snapped = _nearest_short(d, abs(d) * FLOAT32_NOISE, FLOAT32_DIGIT_SHARE)
    return d if snapped is None else snapped


def _nearest_short(d: Decimal, limit: Decimal, digit_share: Decimal) -> Decimal | None:
    """The fewest-places rounding of ``d`` within ``limit`` and the digit share."""
    for places_kept in range(ARTEFACT_MAX_SNAP_PLACES + 1):
        step = Decimal(1).scaleb(-places_kept)
        snapped = d.quantize(step)
        error = abs(d - snapped)
        if error <= limit and error <= step * digit_share:
            return snapped
    return None


@per_document
def parse_amount(s: str | None, unit: str = "万元") -> Decimal | None:
    """Read an amount as 万元, whatever unit the cell or its header wrote.

    ``unit`` is the header's unit; a unit written in the cell wins over it.
    A Chinese numeral that writes its magnitude (``壹佰贰拾万元整``) counts
    元 and so keeps 元 precision (``120.0000``).

    Example: ``parse_amount("1,500,000元")`` → ``Decimal("150.0000")``
    """
    default_shift = _unit_shift(unit)
    text = _strip_amount_words(_value_text(s))
    if text is None or is_blank(text):
        return None
    currency = text.endswith(CURRENCY_WORDS)
    number = text[:-1] if currency else text
    for word, shift in sorted(AMOUNT_MULTIPLIERS.items(), key=lambda kv: -len(kv[0])):
        head = number.removesuffix(word)
        if head != number and _ARABIC_RE.fullmatch(head):
            value = parse_decimal(head)
            return None if value is None else _shift(value, shift)
    value = parse_decimal(number)
    if value is None:
        return None
    if currency or any(ch in CN_MAGNITUDES for ch in number):
        return _shift(value, AMOUNT_UNIT_SHIFTS["元"])
    return _shift(value, default_shift)


@per_document
def parse_rate(s: str | None) -> Decimal | None:
    """Read a rate as a fraction, keeping the written precision.

    ``83.5%`` is 0.835 and ``100%`` is ``Decimal("1.00")`` (two more places
    than written, since the percent sign moved the point).  A bare number
    above 1.5 was a percent with its sign lost; at or below, a fraction.

    Example: ``parse_rate("95 ％")`` → ``Decimal("0.95")``
    """
    text = _value_text(s)
    if text is None or is_blank(text):
        return None
    if text.startswith(RATE_PREFIX):
        value = parse_decimal(text.removeprefix(RATE_PREFIX))
        return None if value is None else _shift(value, -2)
    for suffix, shift in RATE_SUFFIXES.items():
        if text.endswith(suffix):
            value = parse_decimal(text.removesuffix(suffix))
            return None if value is None else _shift(value, shift)
    value = parse_decimal(text)
    if value is None:
        return None
    return _shift(value, -2) if abs(value) > BARE_RATE_PERCENT_ABOVE else value


def places(d: Decimal) -> int:
    """Count the decimals written, the precision a check may hold a value to.

    Negative when the value was written to tens or more (``1.2亿元`` is
    ``1.2E+4`` 万元, places -3).

    Example: ``places(Decimal("778.26"))`` → ``2``
    """
    if not d.is_finite():
        raise ValueError(f"not a finite number: {d}")
    return -int(d.as_tuple().exponent)


def tolerance(d: Decimal) -> Decimal:
    """Half a unit of the last written digit: how far a rounded value may be off.

    Example: ``tolerance(Decimal("1.00"))`` → ``Decimal("0.005")``
    """
    return Decimal(5).scaleb(-places(d) - 1)


def format_amount(d: Decimal) -> str:
    """Write an amount without exponent so spreadsheets and ``parse_amount`` read it.

    The round trip is exact for up to nine decimals; ten or more would be read
    as a float artefact, and no document writes an amount in 万元 finer than
    0.000001 (one 分).

    Example: ``format_amount(Decimal("1.2E+4"))`` → ``"12000"``
    """
    return format(d, "f")


def _value_text(s: str | None) -> str | None:
    text = squeeze(s)
    return None if text is None else text.translate(_SIGN_MAP)


def _strip_amount_words(text: str | None) -> str | None:
    if text is None:
        return None
    for prefix in AMOUNT_PREFIXES:
        text = text.removeprefix(prefix)
    for suffix in AMOUNT_SUFFIXES:
        text = text.removesuffix(suffix)
    return text


def _unit_shift(unit: str) -> int:
    key = (compact(unit) or "").strip("()")
    if key not in AMOUNT_UNIT_SHIFTS:
        raise ValueError(f"unknown amount unit {unit!r}; expected one of {list(AMOUNT_UNIT_SHIFTS)}")
    return AMOUNT_UNIT_SHIFTS[key]


def _shift(d: Decimal, power: int) -> Decimal:
    """Multiply by 10**power exactly; ``Decimal.scaleb`` rounds to 28 digits."""
    sign, digits, exponent = d.as_tuple()
    if not isinstance(exponent, int):
        return d
    return Decimal((sign, digits, exponent + power))


def _parse_chinese(text: str) -> Decimal | None:
    """Read a Chinese numeral; digits after 点 are built by hand, not via float."""
    negative = text.startswith(CN_NEGATIVE)
    body = text.removeprefix(CN_NEGATIVE)
    if not body or any(ch not in CN_DIGITS and ch not in CN_PLACES and ch != CN_POINT for ch in body):
        return None
    whole, point, fraction = body.partition(CN_POINT)
    value = _parse_chinese_fraction(whole, fraction) if point else _cn2an_int(whole)
    if value is None:
        return None
    return -value if negative else value


def _parse_chinese_fraction(whole: str, fraction: str) -> Decimal | None:
    power = 0
    while fraction and fraction[-1] in CN_MAGNITUDES:
        power += CN_MAGNITUDES[fraction[-1]]
        fraction = fraction[:-1]
    if not fraction or any(ch not in CN_DIGITS for ch in fraction):
        return None
    integer = Decimal(0) if whole in ("", "零", "〇") else _cn2an_int(whole)
    if integer is None:
        return None
    digits = "".join(str(CN_DIGITS[ch]) for ch in fraction)
    return _shift(Decimal(f"{integer}.{digits}"), power)


#: One-character numerals (一, 两, 拾 …), read without cn2an: the common case (``一次``),
#: and importing cn2an costs a worker 0.3 s (tests check these against cn2an).
_ONE_CHAR: dict[str, int] = {**CN_DIGITS, "十": 10, "拾": 10}


def _cn2an_int(text: str) -> Decimal | None:
    """Whole Chinese numerals through cn2an, which raises on malformed ones.

    Imported here, not at the top: importing cn2an builds its converters (0.7 s on this machine), which
    every process that imports the parser would pay (the CLI's parent, each spawned worker), and most
    documents write no Chinese numeral that needs it.
    """
    if len(text) == 1 and text in _ONE_CHAR:
        return Decimal(_ONE_CHAR[text])  # what cn2an reads them as, without importing it
    import cn2an

    try:
        value = cn2an.cn2an(text, "normal")
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return Decimal(value)
