"""The seed report (荷塘区委组织部 2022): every value worked out by hand from its table.

The table is not clean. By hand: 产出指标 is stated as 50 points but its rows
carry 5 (merged over the three 数量 rows, counted once) + 10 + 10 + 10 = 35;
so the weights total 10 + 35 + 30 + 10 = 85, not 100; the scores total
10 + 5 + 9 + 10 + 9 + 9 + 9 + 4 + 5 + 9 = 79, not the stated 92, and 79 is 中,
not 优. 时效指标 holds an amount and 成本指标 a time (the labels are swapped);
six rows lose points with an empty 偏差原因 cell; 可持续影响指 is cut short.
The fund block and the narrative agree with each other and with the table.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from jixiao.models import Report

D = Decimal


def test_document_facts(seed: Report) -> None:
    assert seed.report_type == "department_overall"
    assert seed.unit_name == "中国共产党株洲市荷塘区委员会组织部"
    assert seed.fiscal_year == 2022
    assert seed.report_date == "2023-06-20"
    assert seed.source_amount_unit == "万元"
    assert seed.source.page_count == 6
    assert seed.pages == (6,)
    assert seed.project_name is None


def test_fund_cells(seed: Report) -> None:
    total = seed.funds.total
    assert total is not None
    assert (total.initial_budget, total.annual_budget, total.executed) == (D("677.14"), D("785.21"), D("785.21"))
    assert (total.weight, total.execution_rate, total.score) == (D(10), D("1.00"), D(10))
    current = seed.funds.current_appropriation
    assert current is not None
    assert (current.initial_budget, current.annual_budget, current.executed) == (D("677.14"), D("778.26"), None)
    carry = seed.funds.prior_carryover
    assert carry is not None
    assert (carry.initial_budget, carry.annual_budget, carry.executed) == (None, D("6.95"), None)
    other = seed.funds.other
    assert other is not None
    assert (other.initial_budget, other.annual_budget, other.executed) == (None, None, None)
    # the decimals survive exactly (no float noise, no glued digits)
    assert str(total.annual_budget) == "785.21"


EXPECTED_ROWS = [
    # level1, level2, name, target, actual, weight, score
    ("产出指标", "数量指标", "优秀共产党员、党务", "200个", "100%", D(5), D(5)),
    ("产出指标", "数量指标", "公务员年度考核优秀", "180人", "100%", None, None),
    ("产出指标", "数量指标", "党校调训次数", "5次", "100%", None, None),
    ("产出指标", "质量指标", "各项工作按时按量", "2022年1月-12月", "2022年2月-12月", D(10), D(9)),
    ("产出指标", "时效指标", "工作经费", "677.14万元", "785.21万元", D(10), D(10)),
    ("产出指标", "成本指标", "工作完成时间", "2022年1-12月", "2022年1月-12月", D(10), D(9)),
    ("效益指标", "经济效益指标", "提高干部素质,保障", "无经济效益", "有所增强", D(10), D(9)),
    ("效益指标", "社会效益指标", "形成良好的社会氛", "长期", "有所增强", D(10), D(9)),
    ("效益指标", "生态效益指标", "厉行节约", "100%", "有所提升", D(5), D(4)),
    ("效益指标", "可持续影响指标", "厚植党的", "长期", "有所提升", D(5), D(5)),
    ("满意度指标", "服务对象满意度指标", "群众和干部满意度", "100%", "≥ 90%", D(10), D(9)),
]


def test_indicator_rows(seed: Report) -> None:
    got = [(i.level1, i.level2, i.name, i.target, i.actual, i.weight, i.score) for i in seed.indicators]
    assert got == EXPECTED_ROWS


def test_merged_weight_counts_once(seed: Report) -> None:
    first, second, third = seed.indicators[:3]
    assert first.group_row is None
    assert second.group_row == third.group_row == first.row
    assert all(i.page == 6 for i in seed.indicators)


def test_totals_and_grade(seed: Report) -> None:
    assert seed.level1_weights == {"产出指标": D(50), "效益指标": D(30), "满意度指标": D(10)}
    assert seed.total_weight == D(100)
    assert seed.total_score == D(92)
    assert seed.grade == "优"


def test_goals(seed: Report) -> None:
    assert seed.goals.expected is not None and seed.goals.expected.startswith("优化审批设置")
    assert seed.goals.actual is not None and seed.goals.actual.endswith("作为示范与引领。")


def test_narrative_figures(seed: Report) -> None:
    figures = {k: v.value for k, v in seed.narrative.figures.items()}
    assert figures["budget_income"] == D("778.26")
    assert figures["initial_budget"] == D("677.14")
    assert figures["budget_adjustment"] == D("101.12")
    assert figures["expenditure"] == D("785.21")
    assert figures["basic_expenditure"] == D("665.03")
    assert figures["project_expenditure"] == D("120.18")
    assert (figures["staff_authorized"], figures["staff_actual"]) == (D(34), D(40))
    assert (figures["staff_in_service"], figures["staff_lixiu"], figures["staff_retired"]) == (D(28), D(6), D(6))
    assert [(i.budget.value, i.executed.value) for i in seed.narrative.project_items] == [
        (D(53), D(53)), (D(27), D(27)), (D(20), D(20))
    ]


def test_narrative_sections(seed: Report) -> None:
    headings = [s.heading for s in seed.narrative.sections]
    for heading in ("一、预算单位基本情况", "二、预算收支情况", "四、存在的问题及下一步改进措施", "五、其他需要说明的情况"):
        assert heading in headings
    income = next(s for s in seed.narrative.sections if s.heading == "二、预算收支情况")
    assert income.page == 3
    assert income.text.startswith("2022年预算收入778.26万元")
    # the table's cells are not narrative
    assert not any("群众和干部满意度" in s.text for s in seed.narrative.sections)


EXPECTED_FINDINGS = Counter(
    {
        ("level1_weight_sum", "error"): 1,
        ("weight_total", "error"): 1,
        ("score_total", "error"): 1,
        ("grade_recomputed", "warning"): 1,
        ("indicator_kind", "warning"): 2,
        ("deduction_unexplained", "warning"): 6,
        ("repaired_cell", "info"): 1,
    }
)


def test_exactly_the_auditors_findings(seed: Report) -> None:
    assert Counter((f.rule, f.severity) for f in seed.findings) == EXPECTED_FINDINGS


def test_finding_values(seed: Report) -> None:
    by_rule = {f.rule: f for f in seed.findings}
    assert (by_rule["level1_weight_sum"].expected, by_rule["level1_weight_sum"].found) == ("50", "35")
    assert (by_rule["weight_total"].expected, by_rule["weight_total"].found) == ("100", "85")
    assert (by_rule["score_total"].expected, by_rule["score_total"].found) == ("79", "92")
    assert (by_rule["grade_recomputed"].expected, by_rule["grade_recomputed"].found) == ("中", "优")
    assert (by_rule["repaired_cell"].found, by_rule["repaired_cell"].expected) == ("可持续影响指", "可持续影响指标")
    kinds = {f.where.label for f in seed.findings if f.rule == "indicator_kind"}
    assert kinds == {"工作经费", "工作完成时间"}
    unexplained = {f.where.label for f in seed.findings if f.rule == "deduction_unexplained"}
    assert unexplained == {"各项工作按时按量", "工作完成时间", "提高干部素质,保障", "形成良好的社会氛", "厉行节约", "群众和干部满意度"}


def test_findings_point_at_cells(seed: Report) -> None:
    for f in seed.findings:
        assert f.page == 6
        assert f.message.count(" / ") >= 1  # Chinese / English
        assert f.where.boxes, f.rule
        for box in f.where.boxes:
            assert box.page == 6 and box.x0 < box.x1 and box.y0 < box.y1


def test_findings_on_the_report_are_the_validators_and_nothing_else_changes(seed: Report) -> None:
    """The pipeline puts the validator's findings on a report and leaves every other field as it was."""
    import dataclasses

    from jixiao.validate import validate

    assert seed.findings == validate(seed) and len(seed.findings) > 1
    bare = dataclasses.replace(seed, findings=())
    assert dataclasses.replace(bare, findings=validate(bare)) == seed
    assert list(vars(bare)) == list(vars(seed))
    assert bare.findings == () and bare.source == seed.source and bare.funds == seed.funds
