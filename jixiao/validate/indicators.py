"""Rules on single indicator rows: targets met, formula scores, reasons, kinds."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from jixiao.models import Finding, Indicator, Measure, Report
from jixiao.normalize.numbers import is_blank
from jixiao.normalize.vocab import LOWER_IS_BETTER
from jixiao.validate.profile import active
from jixiao.validate.qualitative import qualitative_findings
from jixiao.validate.registry import finding, rule, show
from jixiao.validate.tolerance import close, tol_of

COST_LEVEL2 = ("成本指标", "经济成本指标", "社会成本指标", "生态环境成本指标")
TIME_UNITS = ("天", "日", "月", "个月", "年", "小时", "工作日", "周", "季度", "分钟")
MONEY_UNITS = ("元", "万元", "亿元")


def comparator_of(ind: Indicator, target: Measure) -> str:
    """A target without a comparator means "at least"; "at most" for costs and
    for indicators whose name says less is better (控制率, 调整率, 投诉 …)."""
    if target.comparator:
        return target.comparator
    if ind.level2 in COST_LEVEL2 or any(w in (ind.name or "") for w in LOWER_IS_BETTER):
        return "<="
    return ">="


def comparable(target: Measure | None, actual: Measure | None) -> bool:
    if target is None or actual is None or target.value is None or actual.value is None:
        return False
    if target.kind not in ("number", "percent", "money") or actual.kind != target.kind:
        return False
    return target.unit == actual.unit


def missed(ind: Indicator) -> bool | None:
    """True when a quantitative target was missed; None when it cannot be told."""
    t, a = ind.target_parsed, ind.actual_parsed
    if not comparable(t, a) or t is None or a is None or t.value is None or a.value is None:
        return None
    op = comparator_of(ind, t)
    slack = tol_of(t.value, a.value)
    if op in (">=", ">", "="):
        return a.value < t.value - slack
    return a.value > t.value + slack


def grouped(report: Report) -> dict[int, list[Indicator]]:
    """Rows sharing one merged 分值/得分, keyed by the row that holds it."""
    groups: dict[int, list[Indicator]] = {}
    for ind in report.indicators:
        groups.setdefault(ind.group_row if ind.group_row is not None else ind.row, []).append(ind)
    return groups


@rule("target_not_met_full_score")
def target_not_met_full_score(report: Report) -> Iterator[Finding]:
    for rows in grouped(report).values():
        head = rows[0]
        if head.weight is None or head.score is None or not close(head.score, head.weight, head.score):
            continue
        for ind in rows:
            if missed(ind):
                yield finding(
                    "target_not_met_full_score",
                    f"“{ind.name}”实际完成值 {ind.actual} 未达指标值 {ind.target}，却得满分 {show(head.score)}",
                    f"'{ind.name}': actual {ind.actual} misses the target {ind.target}, yet full score {show(head.score)}",
                    expected=f"< {show(head.weight)}",
                    found=head.score,
                    page=ind.page,
                    row=ind.row,
                    column="score",
                    label=ind.name,
                    boxes=[ind.cells.get("actual"), ind.cells.get("target"), head.cells.get("score")],
                )


def formula_score(ind: Indicator) -> Decimal | None:
    t, a = ind.target_parsed, ind.actual_parsed
    if ind.weight is None or t is None or a is None or t.value is None or a.value is None:
        return None
    if comparator_of(ind, t) in (">=", ">", "="):
        return ind.weight * a.value / t.value if t.value else None
    if active().le_formula == "linear":  # national vendors: (1 − (B − A) / A) × 分值
        return max(ind.weight * (1 - (a.value - t.value) / t.value), Decimal(0)) if t.value else None
    return ind.weight * t.value / a.value if a.value else None  # A / B × 分值


@rule("score_formula")
def score_formula(report: Report) -> Iterator[Finding]:
    for ind in report.indicators:
        if ind.group_row is not None or ind.weight is None or ind.score is None:
            continue
        if ind.score >= ind.weight or not missed(ind):
            continue
        cap = formula_score(ind)
        if cap is None or ind.score <= cap or close(ind.score, cap, ind.score):
            continue
        shown = cap.quantize(Decimal("0.01"))
        yield finding(
            "score_formula",
            f"“{ind.name}”得分 {show(ind.score)} 高于按完成比例计算的 {shown}（分值 {show(ind.weight)}，指标值 {ind.target}，完成值 {ind.actual}）",
            f"'{ind.name}': score {show(ind.score)} is above the formula's {shown} (weight {show(ind.weight)}, target {ind.target}, actual {ind.actual})",
            expected=f"≤ {shown}",
            found=ind.score,
            page=ind.page,
            row=ind.row,
            column="score",
            label=ind.name,
            boxes=[ind.cells.get("score"), ind.cells.get("actual"), ind.cells.get("target")],
        )
    yield from qualitative_findings(report)


@rule("deduction_unexplained")
def deduction_unexplained(report: Report) -> Iterator[Finding]:
    for rows in grouped(report).values():
        head = rows[0]
        if head.weight is None or head.score is None or head.score >= head.weight:
            continue
        if close(head.score, head.weight, head.score):
            continue
        if any(not is_blank(i.deviation_note) for i in rows):
            continue
        yield finding(
            "deduction_unexplained",
            f"“{head.name}”扣 {show(head.weight - head.score)} 分，偏差原因栏为空",
            f"'{head.name}': {show(head.weight - head.score)} points deducted but no reason is given",
            expected="偏差原因 / a reason",
            found=head.deviation_note or "",
            page=head.page,
            row=head.row,
            column="deviation_note",
            label=head.name,
            boxes=[head.cells.get("deviation_note"), head.cells.get("score")],
        )


def _fits_time(m: Measure) -> bool:
    if m.kind in ("time", "percent", "text", "blank"):
        return True
    return m.kind == "number" and (m.unit or "") in TIME_UNITS


def _fits_cost(m: Measure) -> bool:
    return m.kind in ("money", "percent", "text", "blank")


def _fits_satisfaction(m: Measure) -> bool:
    return m.kind in ("percent", "text", "blank")


KIND_CHECKS = (
    (("时效指标",), _fits_time, "时间", "a time"),
    (COST_LEVEL2, _fits_cost, "金额", "an amount of money"),
    (("服务对象满意度指标",), _fits_satisfaction, "百分比", "a percentage"),
)


@rule("indicator_kind")
def indicator_kind(report: Report) -> Iterator[Finding]:
    for ind in report.indicators:
        for level2s, fits, zh_kind, en_kind in KIND_CHECKS:
            if ind.level2 not in level2s:
                continue
            bad = [
                (text, m)
                for text, m in ((ind.target, ind.target_parsed), (ind.actual, ind.actual_parsed))
                if m is not None and text and not fits(m)
            ]
            if bad:
                values = "、".join(t for t, _ in bad if t)
                yield finding(
                    "indicator_kind",
                    f"{ind.level2}“{ind.name}”的值 {values} 不是{zh_kind}",
                    f"{ind.level2} '{ind.name}': value {values} is not {en_kind}",
                    expected=zh_kind,
                    found=values,
                    page=ind.page,
                    row=ind.row,
                    column="target",
                    label=ind.name,
                    boxes=[ind.cells.get("target"), ind.cells.get("actual"), ind.cells.get("level2")],
                )
