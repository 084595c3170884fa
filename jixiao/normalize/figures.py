"""Figures stated in the narrative (预算收入, 年初预算, 支出, staff counts …).

Read by patterns that tolerate spaces, full-width digits and either unit,
because narratives are typed by hand. Only the first statement of each figure
counts: later mentions are usually about a single project.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import regex

from jixiao.models import Figure, ProjectItem, Section
from jixiao.normalize.numbers import parse_amount

_NUM = r"([0-9][0-9,，]*(?:\.[0-9]+)?)\s*(万元|元|亿元)"
_PEOPLE = r"([0-9]+)\s*人"

# name → pattern; group 1 is the number, group 2 the unit.
AMOUNT_PATTERNS: tuple[tuple[str, regex.Pattern[str]], ...] = (
    ("budget_income", regex.compile(r"(?:预算收入|收入预算|收入总计|收入合计|收入)\s*(?:总额|合计)?\s*(?:为|共)?\s*[:：]?\s*" + _NUM)),
    ("initial_budget", regex.compile(r"年初预算(?:数|收入)?\s*(?:为)?\s*[:：]?\s*" + _NUM)),
    ("budget_adjustment", regex.compile(r"(?:调整增加|调增|追加|预算调整|调整)\s*(?:预算)?\s*(?:为)?\s*" + _NUM)),
    ("expenditure", regex.compile(r"(?<![基本项目公用人员经费])(?:支出|支出总额|支出合计)\s*(?:总额|合计)?\s*(?:为|共)?\s*[:：]?\s*" + _NUM)),
    ("basic_expenditure", regex.compile(r"基本支出\s*(?:为)?\s*[:：]?\s*" + _NUM)),
    ("project_expenditure", regex.compile(r"项目支出\s*(?:为)?\s*[:：]?\s*" + _NUM)),
)
STAFF_PATTERNS: tuple[tuple[str, regex.Pattern[str]], ...] = (
    ("staff_authorized", regex.compile(r"编制(?:人数|数)?\s*(?:为)?\s*" + _PEOPLE)),
    ("staff_actual", regex.compile(r"实有(?:人数|人员)?\s*(?:为)?\s*" + _PEOPLE)),
    ("staff_in_service", regex.compile(r"在职(?:人员|人数)?\s*(?:为)?\s*" + _PEOPLE)),
    ("staff_lixiu", regex.compile(r"离休(?:人员|人数)?\s*(?:为)?\s*" + _PEOPLE)),
    ("staff_retired", regex.compile(r"(?<!离)退休(?:人员|人数)?\s*(?:为)?\s*" + _PEOPLE)),
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
        for name, pattern in AMOUNT_PATTERNS:
            if name in figures:
                continue
            m = pattern.search(text)
            if m:
                value = parse_amount(m.group(1) + m.group(2))
                if value is not None:
                    figures[name] = Figure(value, section.page, _snippet(text, m.start(), m.end()))
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
