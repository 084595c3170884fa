"""Rules on the 资金情况 block: sources add up, rate and fund score are right."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal

from jixiao.models import Finding, FundLine, Report, Severity
from jixiao.normalize.numbers import format_amount
from jixiao.validate.profile import active
from jixiao.validate.registry import finding, rule
from jixiao.validate.tolerance import close, total

AMOUNT_COLUMNS = (
    ("initial_budget", "年初预算数", "initial budget"),
    ("annual_budget", "全年预算数", "annual budget"),
    ("executed", "全年执行数", "executed"),
)


def _lines(report: Report) -> list[FundLine]:
    f = report.funds
    return [line for line in (f.total, *f.sources()) if line is not None]


@rule("fund_sources_sum")
def fund_sources_sum(report: Report) -> Iterator[Finding]:
    funds = report.funds
    if funds.total is None:
        return
    for name, zh, en in AMOUNT_COLUMNS:
        stated = getattr(funds.total, name)
        parts = [getattr(line, name) for line in funds.sources()]
        found = total(parts)
        if stated is None or found is None:
            continue
        if not close(stated, found, stated, *parts):
            boxes = [funds.total.cells.get(name)] + [line.cells.get(name) for line in funds.sources()]
            yield finding(
                "fund_sources_sum",
                f"{zh}：各资金来源合计 {found}，与{funds.total.label} {stated} 不符",
                f"{en}: sources add up to {found}, the total row says {stated}",
                expected=stated,
                found=found,
                row=funds.total.row,
                column=name,
                label=funds.total.label,
                boxes=boxes,
            )


def computed_rate(line: FundLine) -> Decimal | None:
    """执行数 / 全年预算数; forms without a 全年预算数 column (Beijing's older
    A/B form) define the rate on 年初预算数, so that is the fallback."""
    budget = line.annual_budget if "annual_budget" in line.cells else line.initial_budget
    if line.executed is None or budget is None or budget == 0:
        return None
    return line.executed / budget


@rule("execution_rate")
def execution_rate(report: Report) -> Iterator[Finding]:
    for line in _lines(report):
        rate = computed_rate(line)
        if line.execution_rate is None or rate is None:
            continue
        if close(rate, line.execution_rate, line.execution_rate):
            continue
        stated, parts = line.execution_rate, f"{line.executed}/{line.annual_budget}"
        if truncated(rate, stated):
            rounded = rate.quantize(stated, rounding=ROUND_HALF_UP)
            yield _rate_finding(
                line,
                f"{line.label}执行率写为 {stated}，是 {parts} 截断而非四舍五入的写法（四舍五入为 {rounded}），有的单位这样填，不算错误",
                f"{line.label}: the stated rate {stated} is {parts} truncated, not rounded ({rounded}); "
                "a convention some offices use, not an error",
                rounded,
                "info",
            )
        else:
            shown = rate.quantize(Decimal("0.0001"))
            yield _rate_finding(
                line,
                f"{line.label}执行率写为 {stated}，按 {parts} 应为 {shown}",
                f"{line.label}: stated rate {stated}, {parts} = {shown}",
                shown,
            )


def _rate_finding(line: FundLine, zh: str, en: str, expected: Decimal, severity: Severity | None = None) -> Finding:
    return finding(
        "execution_rate",
        zh,
        en,
        expected=expected,
        found=line.execution_rate,
        row=line.row,
        column="execution_rate",
        label=line.label,
        boxes=[line.cells.get("execution_rate"), line.cells.get("executed"), line.cells.get("annual_budget")],
        severity=severity,
    )


def truncated(exact: Decimal, stated: Decimal) -> bool:
    """Whether ``stated`` is ``exact`` cut after its last written digit rather than rounded.

    Example: ``truncated(Decimal("0.854094"), Decimal("0.8540"))`` → True (85.40% for 85.409%).
    """
    unit = Decimal(1).scaleb(stated.as_tuple().exponent)  # type: ignore[arg-type]
    return stated <= exact < stated + unit


@rule("execution_score")
def execution_score(report: Report) -> Iterator[Finding]:
    line = report.funds.total
    if line is None or line.score is None:
        return
    # A form that prints no 分值 cell (Hubei's 得分(20分*执行率)) scores by its province's weight.
    weight = line.weight if line.weight is not None else active().execution_weight
    rates = [r for r in (computed_rate(line), line.execution_rate) if r is not None]
    if not rates:
        return
    expected = [weight * min(r, Decimal(1)) for r in rates]
    if any(close(e, line.score, line.score) for e in expected):
        return
    shown = expected[0].quantize(Decimal("0.01"))
    yield finding(
        "execution_score",
        f"资金执行得分写为 {line.score}，按分值 {format_amount(weight)} × 执行率应为 {shown}",
        f"fund score is {line.score}, weight {format_amount(weight)} × rate gives {shown}",
        expected=shown,
        found=line.score,
        row=line.row,
        column="score",
        label=line.label,
        boxes=[line.cells.get("score"), line.cells.get("weight"), line.cells.get("execution_rate")],
    )


@rule("over_execution")
def over_execution(report: Report) -> Iterator[Finding]:
    for line in _lines(report):
        if line.executed is None or line.annual_budget is None:
            continue
        if line.executed > line.annual_budget and not close(line.executed, line.annual_budget, line.executed):
            yield finding(
                "over_execution",
                f"{line.label}执行数 {line.executed} 超过全年预算数 {line.annual_budget}",
                f"{line.label}: executed {line.executed} exceeds the annual budget {line.annual_budget}",
                expected=line.annual_budget,
                found=line.executed,
                row=line.row,
                column="executed",
                label=line.label,
                boxes=[line.cells.get("executed"), line.cells.get("annual_budget")],
            )
