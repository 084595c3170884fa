"""Read 年度指标值 / 实际完成值 cells as a value, unit and comparator.

The rules compare an actual against its target (``≥90%`` met by ``92%``,
``≤100万元`` overrun by ``120万元``) and check that a value fits its 二级指标
(a 时效 target should be a time, a 成本 target money).  Both need to know what
sort of thing a cell holds, not only its number, so every cell gets a
``kind``.  The cell text itself stays on the indicator; this is a reading of
it, and an unreadable cell is ``text``, never an error.
"""

from __future__ import annotations

import re

from jixiao.models import Measure
from jixiao.normalize.memo import per_document
from jixiao.normalize.numbers import (
    CN_DIGITS,
    CN_PLACES,
    CN_POINT,
    RATE_PREFIX,
    is_blank,
    parse_amount,
    parse_decimal,
)
from jixiao.normalize.text import squeeze

__all__ = ["KINDS", "Measure", "parse_comparator", "parse_measure", "split_comparator"]

#: What a cell can hold; ``Measure.kind`` is one of these.
KINDS: tuple[str, ...] = ("number", "percent", "money", "time", "text", "blank")

#: Words and signs before a value, and the comparator they state.
COMPARATOR_PREFIXES: dict[str, str] = {
    "≥": ">=", "≧": ">=", ">=": ">=", "=>": ">=",
    "大于等于": ">=", "大于或等于": ">=", "不低于": ">=", "不少于": ">=",
    "不小于": ">=", "不早于": ">=", "达到": ">=",
    "≤": "<=", "≦": "<=", "<=": "<=", "=<": "<=",
    "小于等于": "<=", "小于或等于": "<=", "不高于": "<=", "不超过": "<=",
    "不大于": "<=", "不多于": "<=", "不晚于": "<=", "不迟于": "<=", "控制在": "<=",
    "=": "=", "═": "=", "等于": "=",
    ">": ">", "大于": ">", "高于": ">", "超过": ">",
    "<": "<", "小于": "<", "低于": "<", "少于": "<",
}  # fmt: skip

#: Words after a value, and the comparator they state (``90%以上``).
COMPARATOR_SUFFIXES: dict[str, str] = {
    "及以上": ">=", "以上": ">=",
    "及以下": "<=", "以下": "<=", "以内": "<=", "之内": "<=", "内": "<=",
}  # fmt: skip
# Longer words are tried first (不低于 before 低于).
_PREFIXES_LONGEST_FIRST = tuple(sorted(COMPARATOR_PREFIXES, key=len, reverse=True))
_SUFFIXES_LONGEST_FIRST = tuple(sorted(COMPARATOR_SUFFIXES, key=len, reverse=True))

#: A whole 指标性质 cell that names the direction instead of a sign.
DIRECTION_WORDS: dict[str, str] = {
    "正向": ">=", "正向指标": ">=", "反向": "<=", "反向指标": "<=",
}  # fmt: skip

#: Words that hedge a value without bounding it; they are dropped.
APPROXIMATE_PREFIXES: tuple[str, ...] = ("大约", "约", "预计")
APPROXIMATE_SUFFIXES: tuple[str, ...] = ("左右",)
#: Noise inside a comparator phrase: ``90分(含)以上``.
INCLUSIVE_MARK = "(含)"

#: Money units; the value is converted to 万元.  万兀/兀 are OCR for 万元/元.
MONEY_UNITS: tuple[str, ...] = ("亿元", "万元", "千元", "元", "万", "圆", "万兀", "兀")

#: Lengths of time; a value with one of these is a ``number``, not a date.
DURATION_UNITS: tuple[str, ...] = (
    "天", "日", "个工作日", "工作日", "个月", "周", "小时", "分钟", "年", "个季度",
)  # fmt: skip

#: Counted things and physical units kept as written.
COUNT_UNITS: tuple[str, ...] = (
    "个", "人", "人次", "次", "项", "家", "户", "篇", "场", "期", "件", "份",
    "名", "所", "座", "处", "条", "本", "册", "套", "台", "辆", "艘", "批",
    "张", "块", "间", "栋", "幢", "层", "棵", "株", "头", "只", "部", "门",
    "类", "种", "组", "支", "队", "班", "节", "课时", "学时", "届", "轮",
    "宗", "笔", "单", "起", "例", "床", "所次", "户次", "万人", "万人次", "万次",
    "万份", "万册", "万户", "公里", "千米", "米", "平方米", "平方公里", "亩",
    "万亩", "公顷", "吨", "万吨", "千克", "公斤", "立方米", "万立方米", "千瓦",
    "分", "倍", "岁", "分贝", "度", "克", "个百分点", "百分点",
)  # fmt: skip

#: Marks of a date or deadline.  按时/及时/如期 are deadlines stated in words.
TIME_RE = re.compile(
    r"[0-9]{4}\s*年|[0-9]{1,2}\s*月|[0-9]{1,2}\s*日|[0-9]{4}[-./][0-9]{1,2}"
    r"|[一二三四五六七八九十]+月|季度|年底|年末|年初|年中|年内|年度内|月底|月末|月初|月中"
    r"|上半年|下半年|截至|截止|之前|以前|前完成|前$|按时|及时|准时|如期"
)

_CN_NUMERAL = "".join(CN_DIGITS) + CN_PLACES + CN_POINT
_NUMBER_UNIT_RE = re.compile(
    rf"(?P<num>[+-]?(?:[0-9][0-9,]*(?:\.[0-9]*)?|\.[0-9]+)|[{_CN_NUMERAL}]+)(?P<unit>.*)",
    re.DOTALL,
)
_LATIN_UNIT_RE = re.compile(r"[A-Za-z][A-Za-z0-9²³/·.]*")
_YEAR_RE = re.compile(r"(?:19|20)[0-9]{2}")


@per_document
def parse_measure(s: str | None) -> Measure:
    """Read a target or actual cell into value, unit, comparator and kind.

    Percents keep the written number (``≥90%`` is 90 with unit ``%``); money
    is converted to 万元; counts and durations keep their unit; dates and
    deadlines are ``time`` with no value; anything else is ``text``.  A cell
    holding only a comparator (a 指标性质 column) is ``blank`` with it.

    Example: ``parse_measure("不低于95%")`` → ``Measure(Decimal("95"), "%", ">=", "percent")``
    """
    text = squeeze(s)
    if text is None or is_blank(text):
        return Measure(None, None, None, "blank")
    comparator, body = split_comparator(text)
    if not body:
        return Measure(None, None, comparator, "blank")
    measure = _read_quantity(body, comparator)
    if measure is not None:
        return measure
    if TIME_RE.search(text):
        return Measure(None, None, comparator, "time")
    return Measure(None, None, None, "text")


def parse_comparator(s: str | None) -> str | None:
    """Read a 指标性质 cell (``≧``, ``═``, ``正向指标``) as a comparator.

    Example: ``parse_comparator("═")`` → ``"="``
    """
    text = squeeze(s)
    if text is None:
        return None
    if text in DIRECTION_WORDS:
        return DIRECTION_WORDS[text]
    comparator, body = split_comparator(text)
    return comparator if not body else None


def split_comparator(text: str) -> tuple[str | None, str]:
    """Take the comparator words off a squeezed cell, leaving the value.

    Both ends are read because both are written (``控制在5%以内``); the
    prefix wins if they disagree.  Hedges such as 约 and 左右 are dropped.

    Example: ``split_comparator("90%(含)以上")`` → ``(">=", "90%")``
    """
    body = text.replace(INCLUSIVE_MARK, "")
    body = _strip_words(body, APPROXIMATE_PREFIXES, APPROXIMATE_SUFFIXES)
    prefix, body = _take_prefix(body, COMPARATOR_PREFIXES, _PREFIXES_LONGEST_FIRST)
    suffix, body = _take_suffix(body, COMPARATOR_SUFFIXES, _SUFFIXES_LONGEST_FIRST)
    body = _strip_words(body, APPROXIMATE_PREFIXES, APPROXIMATE_SUFFIXES)
    return prefix or suffix, body


def _read_quantity(body: str, comparator: str | None) -> Measure | None:
    if body.startswith(RATE_PREFIX):
        value = parse_decimal(body.removeprefix(RATE_PREFIX))
        return None if value is None else Measure(value, "%", comparator, "percent")
    match = _NUMBER_UNIT_RE.fullmatch(body)
    if match is None:
        return None
    number, unit = match["num"], match["unit"]
    value = parse_decimal(number)
    if value is None:
        return None
    if not unit:
        return Measure(value, None, comparator, "number")
    if unit == "%":
        return Measure(value, "%", comparator, "percent")
    money = _read_money(number, unit, comparator)
    if money is not None:
        return money
    if unit == "年" and _YEAR_RE.fullmatch(number):
        return None
    if _is_count_unit(unit):
        return Measure(value, unit, comparator, "number")
    return None


def _read_money(number: str, unit: str, comparator: str | None) -> Measure | None:
    base, per, rest = unit.removesuffix("整").partition("/")
    if base not in MONEY_UNITS or (per and not rest):
        return None
    value = parse_amount(number + base)
    if value is None:
        return None
    return Measure(value, "万元" + per + rest, comparator, "money")


def _is_count_unit(unit: str) -> bool:
    known = (*COUNT_UNITS, *DURATION_UNITS, *MONEY_UNITS)
    if unit in COUNT_UNITS or unit in DURATION_UNITS:
        return True
    if _LATIN_UNIT_RE.fullmatch(unit):
        return True
    parts = unit.split("/")
    return len(parts) == 2 and all(part in known for part in parts)


def _strip_words(body: str, prefixes: tuple[str, ...], suffixes: tuple[str, ...]) -> str:
    for prefix in prefixes:
        body = body.removeprefix(prefix)
    for suffix in suffixes:
        body = body.removesuffix(suffix)
    return body


def _take_prefix(body: str, words: dict[str, str], order: tuple[str, ...]) -> tuple[str | None, str]:
    for word in order:
        if body.startswith(word):
            return words[word], body.removeprefix(word)
    return None, body


def _take_suffix(body: str, words: dict[str, str], order: tuple[str, ...]) -> tuple[str | None, str]:
    for word in order:
        if body.endswith(word):
            return words[word], body.removesuffix(word)
    return None, body


_NAME_UNIT = re.compile(r"[(（]\s*([^()（）0-9]{1,6}?)\s*[)）]\s*$")


def unit_hint(name: str | None) -> str | None:
    """The unit an indicator's name gives its bare numbers: ``任务完成时限(月)`` → ``月``;
    a rate or a satisfaction (``完成及时率``, ``学生满意度``) is a percentage.

    Example: ``unit_hint("资金到位率")`` → ``"%"``; ``unit_hint("培训人数")`` → ``None``.
    """
    if not name:
        return None
    m = _NAME_UNIT.search(name)
    if m:
        return m.group(1)
    flat = name.rstrip("。.;；:： ")
    return "%" if flat.endswith(("率", "满意度")) else None


def with_hint(measure: Measure, text: str | None, hint: str | None) -> Measure:
    """A bare number read with the unit its indicator's name gives it (the cell text stays as printed)."""
    if hint is None or text is None or measure.kind != "number" or measure.unit is not None:
        return measure
    hinted = parse_measure(text + hint)
    return hinted if hinted.kind != "text" else measure
