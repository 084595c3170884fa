"""Provincial variants, built from excerpts of real published reports (samples/sources/README.md).

Each sample keeps the real form's headers and numbers, including its real
inconsistencies; the expected values were worked out by hand from the excerpt.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest

import jixiao
from jixiao.models import Report
from tests.conftest import sample

D = Decimal


def one(name: str) -> Report:
    (report,) = jixiao.parse(sample(f"{name}.pdf"))
    return report


def rules(report: Report) -> Counter[tuple[str, str | None]]:
    return Counter((f.rule, f.where.label or f.where.column) for f in report.findings)


def test_sichuan_project_form() -> None:
    """部门预算项目支出绩效自评表: 调整后预算数/预算执行数/权重, 指标性质/指标值/度量单位, 合计."""
    r = one("variant-sichuan-project")
    assert r.report_type == "project"
    assert r.project_name == "51000021R000000019951-工资性支出"  # code prefix kept
    assert r.competent_department == r.unit_name == "青神县发展和改革局本级"
    assert r.implementing_unit == "青神县发展和改革局"
    assert r.fiscal_year == 2023
    t = r.funds.total
    assert t is not None and t.label == "总额"
    assert (t.initial_budget, t.annual_budget, t.executed, t.execution_rate, t.weight, t.score) == (
        D("238.93"), D("251.89"), D("251.89"), D("1.0000"), D(10), None
    )
    assert r.funds.current_appropriation is not None and r.funds.current_appropriation.annual_budget == D("251.89")
    assert [(x.label, x.annual_budget) for x in r.funds.extra] == [("财政专户管理资金", D("0.00")), ("单位资金", D("0.00"))]
    rows = [(i.level1, i.level2, i.name, i.target, i.actual, i.weight, i.score) for i in r.indicators]
    assert rows == [
        ("产出指标", "数量指标", "发放(缴纳)覆盖率", "=100%", None, D(60), None),
        ("效益指标", "社会效益指标", "足额保障率(参保率)", "=100%", None, D(30), None),
    ]
    first = r.indicators[0].target_parsed
    assert first is not None and (first.comparator, first.value, first.unit) == ("=", D(100), "%")
    assert r.total_weight == D(100)  # 合计 read as 总分: 10 + 60 + 30
    # the form leaves 完成值/得分 blank: only the missing total is reported
    assert rules(r) == Counter({("missing_field", "total_score"): 1})


def test_hubei_ezhou_real_inconsistencies() -> None:
    """150万 cells; 分值 100 on the fund row and 98 for 83.5%: the published form's own errors."""
    r = one("variant-hubei-ezhou-project")
    assert r.fiscal_year == 2021  # "( 2021 年度)" beats the web page's 发文日期 2022
    t = r.funds.total
    assert t is not None
    assert (t.initial_budget, t.annual_budget, t.executed, t.weight, t.execution_rate, t.score) == (
        D(150), D(150), D("125.25"), D(100), D("0.835"), D(98)
    )
    assert [(i.name, i.weight, i.score) for i in r.indicators] == [
        ("预算执行率", D(20), D(18)),
        ("预算资金拨款率", D(10), D(10)),
        ("政务服务工作办结率", D(10), D(10)),
        ("大厅业务日常考核结果", D(10), D(10)),
        ("市民中心运行维护费", D(10), D(10)),
        ("大厅运行正常率", D(10), D(10)),
    ]
    assert rules(r) == Counter(
        {
            ("execution_score", "年度资金总额"): 1,  # 100 × 0.835 = 83.5 ≠ 98
            ("weight_total", "总分"): 1,  # 100 + 70 = 170 > 100 even though the table is cut short
            ("score_formula", "预算执行率"): 1,  # 20 × 83.5/100 = 16.7 < 18
            ("deduction_unexplained", "预算执行率"): 1,
            ("missing_field", "total_score"): 1,
        }
    )
    by_rule = {f.rule: f for f in r.findings}
    assert (by_rule["execution_score"].expected, by_rule["execution_score"].found) == ("83.50", "98")
    assert (by_rule["weight_total"].expected, by_rule["weight_total"].found) == ("100", "170")


def test_hubei_changjiang_rate_worth_20() -> None:
    """预算数(A)/执行数(B)/执行率(B/A)/得分(20分*执行率): the fund weight 20 comes from the header."""
    r = one("variant-hubei-changjiang-project")
    t = r.funds.total
    assert t is not None and t.label == "年度财政资金总额"
    assert (t.annual_budget, t.executed, t.execution_rate, t.weight, t.score) == (D("1.56"), D("1.56"), D(1), D(20), D(20))
    assert [i.score for i in r.indicators] == [D(20), D(10), D(10), D(40)]
    assert all(i.weight is None for i in r.indicators)  # the form has no 分值 column
    assert r.total_score == D(100)
    assert r.findings == ()  # 20 + 20 + 10 + 10 + 40 = 100


def test_chongqing_department_form() -> None:
    """指标权重/指标得分/得分系数/是否核心指标; 执行率权重 is a weight, not a rate; 自评总分 on top."""
    r = one("variant-chongqing-department")
    t = r.funds.total
    assert t is not None
    assert (t.execution_rate, t.weight, t.score) == (D("0.76"), D(10), D("7.6"))
    assert len(r.indicators) == 19
    assert sum(i.weight for i in r.indicators if i.weight) == D(70)
    assert r.total_score == D("97.6")
    procurement = next(i for i in r.indicators if i.name == "政府采购执行率")
    assert (procurement.target, procurement.actual, procurement.score) == ("100%", "72.74%", D(2))
    found = rules(r)
    assert found[("target_not_met_full_score", "政府采购执行率")] == 1
    # 控制率 / 调整率 / 结转结余率 are upper limits: 100% → 92% meets its target
    assert not any(f.rule == "target_not_met_full_score" and f.where.label != "政府采购执行率" for f in r.findings)
    assert found[("score_total", "总分")] == 1  # 7.6 + 70 = 77.6 vs 97.6 (rows after the cut are missing)


def test_old_framework_anhui() -> None:
    """规划(15分) / 基础信息(3分) …: indicator rows with weights and scores."""
    r = one("variant-anhui-department-framework")
    assert r.fiscal_year == 2023
    assert r.level1_weights == {"规划": D(15)}
    assert [(i.level2, i.name, i.weight, i.score) for i in r.indicators] == [
        ("基础信息", "基础信息完整性", D(3), D(3)),
        ("工作计划", "年度工作计划完整性", D(3), D(3)),
        ("工作计划", "年度工作计划明确性", D(3), D(3)),
        ("绩效目标", "年度绩效目标合理性", D(4), D(4)),
        ("绩效目标", "年度绩效目标明确性", D(2), D(2)),
    ]
    assert not any(f.severity == "error" for f in r.findings)


def test_old_framework_changsha_three_weight_columns() -> None:
    """一级指标 | 分值 | 二级指标 | 分值 | 三级指标 | 分值 …: each 分值 belongs to the label left of it."""
    r = one("variant-changsha-department-framework")
    assert r.unit_name == "长沙市雨花区发展和改革局"
    assert (r.fiscal_year, r.report_date) == (2022, "2023-05-10")
    assert r.level1_weights == {"投入": D(13), "过程": D(61)}
    assert [(i.level1, i.name, i.weight, i.score) for i in r.indicators] == [
        ("投入", "在职人员控制率", D(5), D(5)),
        ("投入", "“三公经费”变动率", D(8), D(8)),
        ("过程", "预算完成率", D(5), D(5)),
        ("过程", "预算控制率", D(5), D(5)),
        ("过程", "新建楼堂馆所面积控制率", D(5), D(5)),
    ]
    # 投入 5 + 8 = 13 as stated; 过程 stops at the excerpt's cut, which is not an error
    assert not any(f.rule == "level1_weight_sum" for f in r.findings)


def test_two_variant_tables_in_one_pdf() -> None:
    """A Sichuan table whose tail runs onto page 2, where an Ezhou table starts below it."""
    sichuan, ezhou = jixiao.parse(sample("multi-table-two-projects.pdf"))
    assert (sichuan.pages, ezhou.pages) == ((1, 2), (2, 3))
    assert (sichuan.table_index, ezhou.table_index) == (0, 1)
    alone_s, alone_e = one("variant-sichuan-project"), one("variant-hubei-ezhou-project")
    assert [(i.name, i.weight) for i in sichuan.indicators] == [(i.name, i.weight) for i in alone_s.indicators]
    assert [(i.name, i.weight, i.score) for i in ezhou.indicators] == [
        (i.name, i.weight, i.score) for i in alone_e.indicators
    ]
    def amounts(report: Report) -> list[tuple[object, ...]]:
        lines = (report.funds.total, *report.funds.sources())
        return [(x.label, x.initial_budget, x.annual_budget, x.executed, x.execution_rate) for x in lines if x]

    assert amounts(sichuan) == amounts(alone_s) and amounts(ezhou) == amounts(alone_e)
    assert sichuan.total_weight == D(100)
    assert rules(sichuan) == rules(alone_s)
    assert rules(ezhou) == rules(alone_e)


@pytest.mark.parametrize(
    "name",
    ["variant-sichuan-project", "variant-hubei-ezhou-project", "variant-chongqing-department"],
)
def test_variant_amounts_are_exact_decimals(name: str) -> None:
    r = one(name)
    for line in (r.funds.total, *r.funds.sources()):
        if line is None:
            continue
        for value in (line.initial_budget, line.annual_budget, line.executed):
            assert value is None or isinstance(value, Decimal)
