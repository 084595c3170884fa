"""Rules that hold the narrative's figures against each other and the table."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from jixiao.models import Figure, Finding, Report
from jixiao.validate.registry import finding, rule, show
from jixiao.validate.tolerance import close

# narrative figure → candidate (fund row, column) cells it may restate, any one matching.
TABLE_LINKS: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    ("initial_budget", "年初预算", (("total", "initial_budget"),)),
    ("budget_income", "预算收入", (("total", "annual_budget"), ("current_appropriation", "annual_budget"))),
    ("expenditure", "支出", (("total", "executed"),)),
)
# parts → whole, all in the narrative; the first part must be stated (离休 is often not: no one
# is), or the sum is not the narrative's (a sentence cut in two lost its 在职人员 28 人).
SUMS: tuple[tuple[tuple[str, ...], str, str, str], ...] = (
    (("initial_budget", "budget_adjustment"), "budget_income", "年初预算 + 调整 = 预算收入", "initial + adjustment = income"),
    (("basic_expenditure", "project_expenditure"), "expenditure", "基本支出 + 项目支出 = 支出", "basic + project = expenditure"),
    (("staff_in_service", "staff_lixiu", "staff_retired"), "staff_actual", "在职 + 离休 + 退休 = 实有人数", "in service + retired = staff"),
)


@rule("narrative_vs_table")
def narrative_vs_table(report: Report) -> Iterator[Finding]:
    figures = report.narrative.figures
    for name, zh, links in TABLE_LINKS:
        fig = figures.get(name)
        if fig is None:
            continue
        cells = []
        for row_name, column in links:
            line = getattr(report.funds, row_name)
            if line is not None and getattr(line, column) is not None:
                cells.append((line, column, getattr(line, column)))
        if not cells or any(close(fig.value, v, fig.value, v) for _, _, v in cells):
            continue
        line, column, value = cells[0]
        yield finding(
            "narrative_vs_table",
            f"正文{zh} {show(fig.value)} 万元，自评表{line.label}为 {show(value)} 万元",
            f"the narrative states {name} {show(fig.value)}, the table's {line.label} says {show(value)}",
            expected=value,
            found=fig.value,
            page=fig.page,
            row=line.row,
            column=column,
            label=zh,
            snippet=fig.snippet,
            boxes=[line.cells.get(column)],
        )


def _sum_finding(parts: list[Figure], whole: Figure, zh: str, en: str) -> Finding | None:
    found = sum((p.value for p in parts), Decimal(0))
    if close(found, whole.value, whole.value, *(p.value for p in parts)):
        return None
    return finding(
        "narrative_sum",
        f"正文数字不吻合：{zh}，{' + '.join(show(p.value) or '' for p in parts)} = {show(found)} ≠ {show(whole.value)}",
        f"narrative figures do not add up: {en}, {show(found)} ≠ {show(whole.value)}",
        expected=whole.value,
        found=found,
        page=whole.page,
        snippet=whole.snippet,
    )


@rule("narrative_sum")
def narrative_sum(report: Report) -> Iterator[Finding]:
    figures = report.narrative.figures
    for names, whole_name, zh, en in SUMS:
        whole = figures.get(whole_name)
        parts = [figures[n] for n in names if n in figures]
        if whole is None or len(parts) < 2 or names[0] not in figures:
            continue
        f = _sum_finding(parts, whole, zh, en)
        if f is not None:
            yield f
    for item in report.narrative.project_items:
        if item.budget.value == 0:
            continue
        rate = item.executed.value / item.budget.value
        if not close(rate, item.rate.value, item.rate.value):
            yield finding(
                "narrative_sum",
                f"正文项目执行率 {show(item.rate.value * 100)}% 与 {show(item.executed.value)}/{show(item.budget.value)} 不符",
                f"a project's stated rate {show(item.rate.value * 100)}% ≠ {show(item.executed.value)}/{show(item.budget.value)}",
                expected=rate.quantize(Decimal("0.0001")),
                found=item.rate.value,
                page=item.rate.page,
                snippet=item.rate.snippet,
            )
