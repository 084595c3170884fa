"""Mend what OCR does to numbers and comparators, where the column makes it certain.

OCR confuses shapes: ``≥`` becomes ``2``, ``W`` or ``Q``; ``10`` becomes
``IO``; ``0`` becomes ``O``; ``元`` becomes ``兀``; a decimal point becomes a
comma.  Each function here takes one cell's text and the kind of value its
column holds, and returns the mended text only when

- the cell does not read as its kind as it stands, and
- the mended text does, and
- nothing else could have been meant.

Otherwise it returns ``None`` and the cell is left alone (and read as text,
or as missing, by the parsers).  The caller records every mend as a
:class:`jixiao.models.Repair`, so it is reported as a ``repaired_cell``
finding.  All functions are pure and never raise on cell text.

Where a table reader calls them:

- ``repair_value(kind, text)`` before parsing any 金额 / 执行率 / 分值 / 得分
  cell (``kind`` ``"amount"``, ``"rate"``, ``"number"``);
- ``repair_target(target, actual, comparators_seen)`` on each indicator's
  年度指标值 cell (``comparators_seen``: another target of the table has a
  comparator), and ``repair_value("measure", actual)`` on 实际完成值;
- ``repair_comparator(text)`` on a 指标性质 cell.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Literal

from jixiao.normalize.memo import per_document
from jixiao.normalize.numbers import is_blank, parse_amount, parse_decimal, parse_rate
from jixiao.normalize.targets import parse_comparator, parse_measure, split_comparator
from jixiao.normalize.text import clean_text

ValueKind = Literal["amount", "rate", "number", "measure"]

#: Letters OCR reads for digits, by the digit they stand for.
DIGIT_LOOKALIKES: dict[str, str] = {
    "O": "0", "o": "0", "D": "0", "〇": "0",
    "I": "1", "l": "1", "|": "1", "!": "1",
    "Z": "2", "z": "2",
    "S": "5", "s": "5",
    "B": "8",
}  # fmt: skip

#: What OCR reads for ``≥`` at the start of a target.
GE_LOOKALIKES: tuple[str, ...] = ("W", "w", "Q", "2", "Z", "z", "≧", ">=", "=>")

#: A whole 指标性质 cell OCR misread, and the comparator it was.
COMPARATOR_LOOKALIKES: dict[str, str] = {
    "2": "≥", "W": "≥", "w": "≥", "Q": "≥", "Z": "≥", "z": "≥",
    "二": "=", "=": "=",
}  # fmt: skip

#: Unit words OCR spells wrong; 兀 is never a word in these reports.
UNIT_FIXES: tuple[tuple[str, str], ...] = (("万兀", "万元"), ("亿兀", "亿元"), ("千兀", "千元"))

_NUMERIC_BODY = re.compile(r"[0-9OoDIl|!ZzSsB〇.,%‰]+")
_DECIMAL_COMMA = re.compile(r"^([+-]?[0-9]+)[,，]([0-9]{1,2})(?=%|‰|$)")
_DECIMAL_DOT_LIKE = re.compile(r"^([+-]?[0-9]+)[。·•・˙．]([0-9]+)")
_UNIT_TAIL = re.compile(r"^(?P<num>[^\u4e00-\u9fff%‰]*)(?P<tail>.*)$", re.DOTALL)
_SPLIT_LEAD = re.compile(r"^(W|w|V|v|Q|2|Z|z|≧|>=|=>)\s+(?=[0-9])")
_LETTER_LEAD = re.compile(r"^(W|w|Q|≧|>=|=>)\s*(?=[0-9])")
_YUAN_AFTER_DIGIT = re.compile(r"(?<=[0-9])兀")
# Specks of a dark scan read as marks before a value (“12处, ·≤320.5万元) or after
# its percent sign (96.5%6 *): no value starts or ends that way.
_STRAY_LEAD = re.compile(r"^[“”\"'‘’`·•・.,，、:：;；*]+\s*(?=[0-9≥≤<>])")
_STRAY_TAIL = re.compile(r"(?<=[%‰])[\s0-9*·•.,，、'\"“”]+$")


def _reads(kind: ValueKind, text: str) -> bool:
    if kind == "amount":
        return parse_amount(text) is not None
    if kind == "rate":
        return parse_rate(text) is not None
    if kind == "number":
        return parse_decimal(text) is not None
    return parse_measure(text).kind not in ("text", "blank")


def _fix_units(text: str) -> str:
    for wrong, right in UNIT_FIXES:
        text = text.replace(wrong, right)
    return _YUAN_AFTER_DIGIT.sub("元", text)


def _fix_digits(number: str) -> str:
    """Letters in a run that is otherwise digits, separators and ``%`` become digits."""
    if not _NUMERIC_BODY.fullmatch(number) or not any(ch in DIGIT_LOOKALIKES for ch in number):
        return number
    fixed = "".join(DIGIT_LOOKALIKES.get(ch, ch) for ch in number)
    return fixed if any(ch.isdigit() for ch in fixed) else number


def _fix_point(number: str) -> str:
    """``785，21`` / ``785·21`` → ``785.21``: a separator with one or two digits after it is a point."""
    if "." in number:
        return number
    number = _DECIMAL_COMMA.sub(r"\1.\2", number)
    return _DECIMAL_DOT_LIKE.sub(r"\1.\2", number)


@per_document
def repair_value(kind: ValueKind, text: str | None) -> str | None:
    """The mended text of a value cell, or None when it reads already or cannot be mended.

    Example: ``repair_value("number", "IO")`` → ``"10"``;
    ``repair_value("amount", "785，21")`` → ``"785.21"``;
    ``repair_value("measure", "300万兀")`` → ``"300万元"``;
    ``repair_value("measure", "“12处")`` → ``"12处"``.
    """
    cleaned = clean_text(text)
    if cleaned is None or is_blank(cleaned):
        return None
    unit_fixed = _fix_units(cleaned)
    if _reads(kind, cleaned) and unit_fixed == cleaned:
        return None
    if unit_fixed != cleaned and _reads(kind, unit_fixed):
        return unit_fixed
    trimmed = _STRAY_TAIL.sub("", _STRAY_LEAD.sub("", unit_fixed))
    if trimmed != unit_fixed and _reads(kind, trimmed):
        return trimmed
    unit_fixed = trimmed
    if kind == "measure":
        lead = _lead_sign(unit_fixed)
        if lead is not None:
            return lead
    compact = unit_fixed.replace(" ", "")
    match = _UNIT_TAIL.match(compact)
    if match is None:
        return None
    number, tail = match["num"], match["tail"]
    comparator = ""
    if kind == "measure":
        comparator, number = _split_sign(number)
    mended = comparator + _fix_point(_fix_digits(number)) + tail
    if mended == compact or not _reads(kind, mended):
        return None
    return mended


def _lead_sign(text: str) -> str | None:
    """``2 90%`` / ``W90%`` → ``≥90%``: a misread ``≥`` set apart, or a letter no value starts with."""
    for pattern in (_SPLIT_LEAD, _LETTER_LEAD):
        m = pattern.match(text)
        if m:
            rest = text[m.end() :].replace(" ", "")
            if parse_measure(rest).kind not in ("text", "blank"):
                return "≥" + rest
    return None


def _split_sign(number: str) -> tuple[str, str]:
    for sign in ("≥", "≤", ">=", "<=", ">", "<", "="):
        if number.startswith(sign):
            return sign, number[len(sign) :]
    return "", number


def _value(text: str | None) -> Decimal | None:
    return parse_measure(text).value if text else None


def repair_target(
    target: str | None,
    actual: str | None = None,
    comparators_seen: bool = False,
    full_score: bool | None = None,
) -> str | None:
    """Mend a 年度指标值 cell whose ``≥`` OCR misread, or its unit.

    Unambiguous cases only:

    - a misread sign set apart from the number (``2 90%``, ``W 90%``), or a
      letter that never starts a value (``W90%``, ``Q95%``);
    - ``290%`` only when other targets of the table carry comparators
      (``comparators_seen``), the actual meets ``90%`` and is less than half
      of ``290%``, and the row was not marked down (``full_score`` is not
      False): a real ``290%`` target met by ``92%`` would have lost points.

    Example: ``repair_target("2 90%")`` → ``"≥90%"``;
    ``repair_target("290%", "92%", comparators_seen=True)`` → ``"≥90%"``
    """
    cleaned = clean_text(target)
    if cleaned is None or is_blank(cleaned):
        return None
    fixed = _STRAY_LEAD.sub("", _fix_units(cleaned))
    comparator, _body = split_comparator(fixed.replace(" ", ""))
    if comparator is not None:
        return fixed if fixed != cleaned else None
    lead = _lead_sign(fixed)
    if lead is not None:
        return lead
    if comparators_seen and full_score is not False and fixed.startswith("2") and len(fixed) > 1:
        rest = fixed[1:]
        whole, part, done = _value(fixed), _value(rest), _value(actual)
        same_unit = actual is not None and parse_measure(rest).unit == parse_measure(actual).unit
        if whole and part and done and same_unit and part > 0 and done >= part and done / whole < Decimal("0.5"):
            return "≥" + rest
    return fixed if fixed != cleaned else None


def repair_comparator(text: str | None) -> str | None:
    """Mend a 指标性质 cell that holds a misread sign (``2`` for ``≥``).

    Example: ``repair_comparator("2")`` → ``"≥"``; ``repair_comparator("≥")`` → ``None``
    """
    cleaned = clean_text(text)
    if cleaned is None or is_blank(cleaned) or parse_comparator(cleaned) is not None:
        return None
    return COMPARATOR_LOOKALIKES.get(cleaned.replace(" ", ""))


#: Latin letters OCR reads for a CJK character of the same shape, met between CJK characters.
LATIN_FOR_CJK = {"T": "工"}
_LATIN_IN_CJK = re.compile(r"(?<=[\u4e00-\u9fff])([A-Za-z])(?=[\u4e00-\u9fff])")


def repair_label(text: str | None) -> str | None:
    """A label with a lone Latin letter between CJK characters put back (``水利T程`` → ``水利工程``).

    A letter inside Chinese words is never right in these forms' labels; only the
    letters of :data:`LATIN_FOR_CJK` are mended, the others left for a person.

    Example: ``repair_label("农村饮水T程")`` → ``"农村饮水工程"``; ``repair_label("PM2.5浓度")`` → ``None``.
    """
    if not text:
        return None
    fixed = _LATIN_IN_CJK.sub(lambda m: LATIN_FOR_CJK.get(m.group(1), m.group(1)), text)
    return fixed if fixed != text else None


def lost_point(score: Decimal, weight: Decimal, text: str) -> Decimal | None:
    """A score OCR read without its decimal point (``1.5`` as ``15``), when the column makes it certain.

    Only a whole number above the row's weight whose tenth fits it is mended: a score
    can never exceed its weight, and the one-digit shift is the misreading that makes it.

    Example: ``lost_point(Decimal(15), Decimal(2), "15")`` → ``Decimal("1.5")``; ``(Decimal(3), Decimal(2), "3")`` → ``None``.
    """
    if score <= weight or "." in text or score != score.to_integral_value() or score < 10:
        return None
    tenth = score.scaleb(-1)
    return tenth if tenth <= weight else None
