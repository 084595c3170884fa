"""Rules on weights, scores, the total and the grade."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from jixiao.models import Box, Finding, Report
from jixiao.validate.profile import active
from jixiao.validate.registry import finding, rule, show
from jixiao.validate.tolerance import close, total

DEFAULT_TOTAL_WEIGHT = Decimal(100)
# (lower bound inclusive, grade), highest first: 90–100 优, 80–<90 良, 60–<80 中, <60 差.
GRADE_BANDS = ((Decimal(90), "优"), (Decimal(80), "良"), (Decimal(60), "中"), (Decimal("-Infinity"), "差"))


def grade_for(score: Decimal) -> str:
    """The grade of ``score`` under the active profile's bands (``mof``: :data:`GRADE_BANDS`)."""
    return active().grade_for(score)


def all_weights(report: Report) -> list[Decimal | None]:
    fund = report.funds.total.weight if report.funds.total else None
    return [fund] + [i.weight for i in report.indicators]


def all_scores(report: Report) -> list[Decimal | None]:
    fund = report.funds.total.score if report.funds.total else None
    return [fund] + [i.score for i in report.indicators]


def recomputed_total(report: Report) -> Decimal | None:
    """Sum of the fund score and every indicator score (merged cells once)."""
    return total(all_scores(report))


@rule("score_range")
def score_range(report: Report) -> Iterator[Finding]:
    fund = report.funds.total
    # The score's cell and the weight's: the finding rests on both (a misread weight is as likely).
    rows: list[tuple[str | None, Decimal | None, Decimal | None, int | None, list[Box | None]]] = []
    if fund:
        rows.append((fund.label, fund.weight, fund.score, fund.row, [fund.cells.get("score"), fund.cells.get("weight")]))
    rows += [(i.name, i.weight, i.score, i.row, [i.cells.get("score"), i.cells.get("weight")]) for i in report.indicators]
    for label, weight, score, row, boxes in rows:
        if score is None:
            continue
        if score < 0 or (weight is not None and score > weight and not close(score, weight, score, weight)):
            yield finding(
                "score_range",
                f"“{label}”得分 {show(score)} 不在 0～{show(weight)} 之间",
                f"'{label}': score {show(score)} is outside 0..{show(weight)}",
                expected=f"0..{show(weight)}",
                found=score,
                row=row,
                column="score",
                label=label,
                boxes=boxes,
            )


@rule("level1_weight_sum")
def level1_weight_sum(report: Report) -> Iterator[Finding]:
    last = report.indicators[-1].level1 if report.indicators else None
    cut_short = report.total_weight is None and report.total_score is None
    for level1, stated in report.level1_weights.items():
        rows = [i for i in report.indicators if i.level1 == level1]
        weights = [i.weight for i in rows]
        found = total(weights)
        if found is None or close(found, stated, stated, *weights):
            continue
        if cut_short and level1 == last and found < stated:
            continue  # no total row: the table was cut inside this group
        first = rows[0]
        yield finding(
            "level1_weight_sum",
            f"{level1}标注 {show(stated)} 分，其下各指标分值合计 {show(found)} 分",
            f"{level1} is stated as {show(stated)} points but its indicators' weights add up to {show(found)}",
            expected=stated,
            found=found,
            page=first.page,
            row=first.row,
            column="weight",
            label=level1,
            boxes=[first.cells.get("level1")] + [i.cells.get("weight") for i in rows if i.weight is not None],
        )


@rule("weight_total")
def weight_total(report: Report) -> Iterator[Finding]:
    weights = all_weights(report)
    fund = report.funds.total
    if fund is not None and fund.weight is None and fund.score is not None:
        weights[0] = active().execution_weight  # a form without a 分值 cell scores by its province's weight
    found = total(weights)
    if found is None or not any(i.weight is not None for i in report.indicators):
        return  # a form without an indicator 分值 column (Hubei) states no weights to add
    stated = report.total_weight if report.total_weight is not None else DEFAULT_TOTAL_WEIGHT
    if close(found, stated, stated, *weights):
        return
    if report.total_weight is None and found < stated:
        return  # no total row was read (a table cut short): a shortfall proves nothing
    yield finding(
        "weight_total",
        f"资金及各指标分值合计 {show(found)}，应为 {show(stated)}",
        f"the fund weight and indicator weights add up to {show(found)}, not {show(stated)}",
        expected=stated,
        found=found,
        page=report.indicators[-1].page,
        column="weight",
        label="总分",
        boxes=[report.total_weight_box or report.total_box],
    )


@rule("score_total")
def score_total(report: Report) -> Iterator[Finding]:
    scores = all_scores(report)
    found = total(scores)
    stated = report.total_score
    if found is None or stated is None:
        return
    if close(found, stated, stated, *scores):
        return
    yield finding(
        "score_total",
        f"总分写为 {show(stated)}，资金及各指标得分合计 {show(found)}",
        f"the total score is stated as {show(stated)}, the scores add up to {show(found)}",
        expected=found,
        found=stated,
        page=report.total_box.page if report.total_box else None,
        column="score",
        label="总分",
        boxes=[report.total_box],
    )


@rule("grade_band")
def grade_band(report: Report) -> Iterator[Finding]:
    if report.grade is None or report.total_score is None:
        return
    expected = grade_for(report.total_score)
    if expected != report.grade:
        yield finding(
            "grade_band",
            f"总分 {show(report.total_score)} 应为“{expected}”，表中等级为“{report.grade}”",
            f"a total of {show(report.total_score)} is graded {expected}, the table says {report.grade}",
            expected=expected,
            found=report.grade,
            column="grade",
            label="等级",
            boxes=[report.grade_box, report.total_box],
        )


@rule("grade_recomputed")
def grade_recomputed(report: Report) -> Iterator[Finding]:
    recomputed = recomputed_total(report)
    if report.grade is None or recomputed is None:
        return
    expected = grade_for(recomputed)
    if expected != report.grade:
        yield finding(
            "grade_recomputed",
            f"按各项得分合计 {show(recomputed)} 应为“{expected}”，表中等级为“{report.grade}”",
            f"the recomputed total {show(recomputed)} is graded {expected}, the table says {report.grade}",
            expected=expected,
            found=report.grade,
            column="grade",
            label="等级",
            boxes=[report.grade_box, report.total_box],
        )
