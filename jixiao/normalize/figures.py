"""Figures stated in the narrative (预算收入, 年初预算, 支出, staff counts …).

Each amount is given to the noun phrase it follows in its clause (its subject),
and only the document's own totals count: 支出 but not 设备购置支出, an amount
after 其中 as a part and never as the whole. Only the first statement of each
figure counts: later mentions are usually about a single project.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import regex

from jixiao.models import Figure, ProjectItem, Section
from jixiao.normalize.numbers import parse_amount

_NUM = r"([0-9][0-9,，]*(?:\.[0-9]+)?)\s*(万元|元|亿元)"
_PEOPLE = r"([0-9]+)\s*[人名入]"
_AMOUNT = regex.compile(_NUM)

# What an amount belongs to is the noun phrase just before it in its clause; a figure
# is taken only when that phrase, stripped of time, owner and verb words, is one of the
# document's own totals.  "设备购置支出 X 万元" is a sub-item, never 支出.
SUBJECTS: dict[str, frozenset[str]] = {
    "budget_income": frozenset({
        "预算收入", "收入预算", "收入", "收入总计", "收入合计", "总收入", "收入总额", "预算收入总额",
        "预算总收入", "预算收入合计", "部门预算收入", "决算收入", "收入决算",
    }),
    "initial_budget": frozenset({"年初预算", "年初预算数", "年初预算收入", "年初批复预算", "年初部门预算"}),
    "budget_adjustment": frozenset({
        "调整增加", "调增", "追加", "预算调整", "调整", "追加预算", "年中追加", "年中追加预算", "调整追加",
        "追加调整", "预算追加", "年中调整", "调整预算增加", "预算调整增加",
    }),
    "expenditure": frozenset({
        "支出", "支出总额", "支出合计", "总支出", "支出总计", "实际支出", "决算支出", "支出决算", "预算支出",
        "累计支出", "整体支出", "实际支出总额",
    }),
    "basic_expenditure": frozenset({"基本支出", "基本支出总额", "基本支出合计"}),
    "project_expenditure": frozenset({"项目支出", "项目支出总额", "项目支出合计"}),
}
# Figures that name a whole: after "其中" in the same sentence an amount is a part.
WHOLES = frozenset({"budget_income", "expenditure"})
_SENTENCE_END = frozenset("。！？!?；;\n")
_CLAUSE_BREAK = frozenset("。！？!?；;\n，,、（）()")
_LEAD = regex.compile(
    r"^(?:[0-9一二三四五六七八九十]+[、.．)）]|其中[:：]?|包括[:：]?|主要(?:是|为|包括)?|另外|此外|同时|以及|和|及|其余|"
    r"20[0-9]{2}\s*年(?:度)?|本年度?|当年|年度|全年|本部门|本单位|部门|单位|我局|我单位|我部门|全局|共)"
)
_TRAIL = regex.compile(r"(?:[为是约达]|达到|共计?|合计为|总计为|[:：]|\s)+$")


def _subject(before: str) -> str:
    """The noun phrase an amount belongs to, from the text of its clause before it.

    Example: ``_subject("其中:人员经费支出")`` → ``"人员经费支出"``; ``_subject("2022年支出")`` → ``"支出"``.
    """
    text = _TRAIL.sub("", before.strip())
    while True:
        m = _LEAD.match(text)
        if not m or m.end() == 0 or m.end() == len(text):
            return text.strip()
        text = text[m.end() :].lstrip()


def _clause_start(text: str, at: int, floor: int) -> int:
    i = at
    while i > floor and text[i - 1] not in _CLAUSE_BREAK:
        i -= 1
    return i


def _sentence_start(text: str, at: int) -> int:
    i = at
    while i > 0 and text[i - 1] not in _SENTENCE_END:
        i -= 1
    return i


# A subject may follow a heading or a date run on without punctuation (flattened text:
# "部门整体支出概况2019年收入总计 X 万元"): its end is then taken, but only after such a word.
_RUN_ON = regex.compile(r"(?:20[0-9]{2}\s*年度?|本年度?|全年|当年|年度|部门|单位|情况|概况)$")


#: The budget told as what the treasury arranged: 部门预算财政安排公共财政拨款资金共 X 万元.
_ARRANGED = regex.compile(r"^(?:预算|部门预算)?(?:财政)?安排(?:的)?(?:公共)?财政拨款(?:资金)?$")


def _named(subject: str) -> str | None:
    """The figure a subject names: one of ours exactly, or ours run on after a date or heading."""
    if _ARRANGED.match(subject):
        return "budget_income"
    for name, subjects in SUBJECTS.items():
        if subject in subjects:
            return name
    for cut in range(1, len(subject) - 1):
        if _RUN_ON.search(subject[:cut]):
            tail = subject[cut:]
            found = next((n for n, subjects in SUBJECTS.items() if tail in subjects), None)
            if found is not None:
                return found
    return None


def _figure_name(subject: str, in_parts: bool) -> str | None:
    name = _named(subject)
    return None if name is None or (in_parts and name in WHOLES) else name


def amounts_by_subject(text: str) -> list[tuple[str, Decimal, int, int]]:
    """``(figure name, value, start, end)`` for every amount whose subject is a figure of ours
    (``start`` is where its clause starts, for the snippet).

    A list stated with 分别 (``基本支出和项目支出分别为 X 万元、Y 万元``) gives its
    names to its amounts in order.
    """
    found: list[tuple[str, Decimal, int, int]] = []
    previous_end = 0
    pending: list[str] = []  # names of a 分别 list still waiting for their amounts …
    pending_in = -1  # … in the sentence that starts here
    for m in _AMOUNT.finditer(text):
        value = parse_amount(m.group(1) + m.group(2))
        start = _clause_start(text, m.start(), previous_end)
        previous_end = m.end()
        before = text[start : m.start()]
        sentence = _sentence_start(text, m.start())
        if sentence != pending_in:
            pending = []  # a list's names never reach into the next sentence
        if "分别" in before:
            names = regex.split(r"[和与及、]", _subject(before.split("分别")[0]))
            pending = [n for n in (_named(_subject(x)) for x in names) if n is not None]
            if len(pending) != len(names):
                pending = []  # a list naming something else too: none of it is read
            pending_in = sentence
        in_parts = "其中" in text[sentence : m.start()]
        if pending:
            name: str | None = pending.pop(0)
        else:
            name = _figure_name(_subject(before), in_parts)
        if name is not None and value is not None:
            found.append((name, value, start, m.end()))
    return found


# 人 may come as 入 from a scan (PP-OCR tells them apart by the top of the
# stroke, which a blurred or small scan loses); 编制入数 and 在职入员 are no
# words, so only that misreading can produce them.
_COUNT = r"(?:[人入]数|[人入]员|数)?\s*(?:为)?\s*" + _PEOPLE  # (人数|人员|数)? (为)? N 人
STAFF_PATTERNS: tuple[tuple[str, regex.Pattern[str]], ...] = tuple(
    (name, regex.compile(lead + _COUNT))
    for name, lead in (
        ("staff_authorized", "编制"),
        ("staff_actual", "实有"),
        ("staff_in_service", "在职"),
        ("staff_lixiu", "离休"),
        ("staff_retired", "(?<!离)退休"),
    )
)
# "项目全年预算数为 53 万元，执行数为 53 万元，完成预算的 100.0%"
PROJECT_ITEM = regex.compile(
    r"全年预算数?为?\s*" + _NUM + r"\s*[,，]\s*执行数为?\s*" + _NUM + r"\s*[,，]\s*(?:完成预算的|执行率为?)\s*([0-9.]+)\s*%"
)
# Sections that state the department's budget; figures are looked for there first.
BUDGET_HEADINGS = ("预算收支", "收支情况", "部门整体支出概况", "决算收支", "基本情况")
SNIPPET_PAD = 12


def _snippet(text: str, start: int, end: int) -> str:
    return text[max(0, start - SNIPPET_PAD) : end + SNIPPET_PAD].replace("\n", "")


def _ordered(sections: Sequence[Section]) -> list[Section]:
    first = [s for s in sections if any(h in s.heading for h in BUDGET_HEADINGS)]
    return first + [s for s in sections if not any(h in s.heading for h in BUDGET_HEADINGS)]


def read_figures(sections: Sequence[Section]) -> dict[str, Figure]:
    figures: dict[str, Figure] = {}
    for section in _ordered(sections):
        text = section.heading + "\n" + section.text
        for name, value, start, end in amounts_by_subject(text):
            if name not in figures:
                figures[name] = Figure(value, section.page, _snippet(text, start, end))
        for name, pattern in STAFF_PATTERNS:
            if name in figures:
                continue
            m = pattern.search(text)
            if m:
                figures[name] = Figure(Decimal(m.group(1)), section.page, _snippet(text, m.start(), m.end()))
    return figures


def read_project_items(sections: Sequence[Section]) -> list[ProjectItem]:
    items = []
    for section in sections:
        text = section.heading + "\n" + section.text
        for m in PROJECT_ITEM.finditer(text):
            budget = parse_amount(m.group(1) + m.group(2))
            executed = parse_amount(m.group(3) + m.group(4))
            if budget is None or executed is None:
                continue
            snippet = _snippet(text, m.start(), m.end())
            rate = Decimal(m.group(5)).scaleb(-2)
            items.append(
                ProjectItem(
                    Figure(budget, section.page, snippet),
                    Figure(executed, section.page, snippet),
                    Figure(rate, section.page, snippet),
                )
            )
    return items
