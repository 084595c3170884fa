"""The consistent samples: exact values from samples/sources/README.md, and no findings.

project-consistent is the MOF project template with a 15/15 分值/得分 merged
over two rows; the two department samples run their indicator table over two
pages, once without and once with the header row repeated. Every row must be
read exactly once and nothing may be flagged.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

import jixiao
from jixiao.models import Report
from jixiao.validate.scores import recomputed_total
from tests.conftest import sample

D = Decimal


def test_project_fields(project: Report) -> None:
    assert project.report_type == "project"
    assert project.project_name == "2022年度清溪县农村饮水安全巩固提升工程"
    assert project.competent_department == project.unit_name == "清溪县水利局"
    assert project.implementing_unit == "清溪县农村供水服务中心"
    assert project.fiscal_year == 2022
    assert project.pages == (2,)


def test_project_funds(project: Report) -> None:
    f = project.funds
    assert f.total is not None and f.current_appropriation is not None
    assert f.prior_carryover is not None and f.other is not None
    rows = [
        (line.initial_budget, line.annual_budget, line.executed, line.execution_rate)
        for line in (f.total, f.current_appropriation, f.prior_carryover, f.other)
    ]
    assert rows == [
        (D("300.00"), D("320.50"), D("310.20"), D("0.9679")),
        (D("280.00"), D("300.50"), D("291.40"), D("0.9697")),
        (D("20.00"), D("20.00"), D("18.80"), D("0.9400")),
        (D("0.00"), D("0.00"), D("0.00"), None),
    ]
    assert (f.total.weight, f.total.score) == (D(10), D("9.68"))


def test_project_indicators(project: Report) -> None:
    rows = [(i.name, i.weight, i.score) for i in project.indicators]
    assert rows == [
        ("新建供水工程", D(15), D(15)),
        ("改造供水管网", None, None),
        ("新增受益人口", D(5), D(5)),
        ("水质达标率", D(10), D(10)),
        ("竣工验收合格率", D(5), D(5)),
        ("工程完工时间", D(5), D(5)),
        ("项目总成本", D(10), D(10)),
        ("年供水收入", D(5), D(5)),
        ("自来水普及率", D(10), D(10)),
        ("供水保证率", D(5), D(5)),
        ("水源地划定率", D(5), D(5)),
        ("设计使用年限", D(5), D(5)),
        ("受益群众满意度", D(10), D(10)),
    ]
    cost = project.indicators[6]
    assert cost.target_parsed is not None
    assert (cost.target_parsed.comparator, cost.target_parsed.value, cost.target_parsed.kind) == (
        "<=",
        D("320.5"),
        "money",
    )
    assert project.indicators[1].group_row == project.indicators[0].row
    assert (project.total_weight, project.total_score, project.grade) == (D(100), D("99.68"), "优")
    assert recomputed_total(project) == D("99.68")


def test_project_has_no_findings(project: Report) -> None:
    assert [(f.rule, f.message) for f in project.findings] == []


SPLIT_NAMES = [
    "高标准农田建设",
    "农技推广培训",
    "强制免疫畜禽",
    "农产品抽检批次",
    "动物免疫密度",
    "抽检合格率",
    "春防完成时间",
    "资金拨付时间",
    "农田亩均补助",
    "整体支出控制",
    "农民收入增长",
    "农业总产值增长",
    "质量安全事件",
    "重大动物疫情",
    "农民培训人次",
    "农药使用量减少",
    "粪污综合利用率",
    "社会化服务体系",
    "农户满意度",
    "经营主体满意度",
]


def test_split_table_every_row_once() -> None:
    (r,) = jixiao.parse(sample("department-split-table.pdf"))
    assert r.pages == (2, 3)
    assert [i.name for i in r.indicators] == SPLIT_NAMES
    assert [i.page for i in r.indicators] == [2] * 13 + [3] * 7
    # the continuation's empty merged cells carry the labels of page 2
    first_on_3 = r.indicators[13]
    assert (first_on_3.level1, first_on_3.level2) == ("效益指标", "社会效益指标")
    assert r.indicators[1].score == D("4.5")
    assert (r.total_weight, r.total_score, r.grade) == (D(100), D("99.32"), "优")
    assert recomputed_total(r) == D("99.32")
    assert r.findings == ()


def test_split_with_repeated_header_drops_the_header() -> None:
    (r,) = jixiao.parse(sample("department-split-repeated-header.pdf"))
    assert r.pages == (2, 3)
    names = [i.name for i in r.indicators]
    assert len(names) == 20 and len(set(names)) == 20
    assert "三级指标" not in names
    assert names[9:11] == ["整体支出控制", "个人卫生支出占比"]
    assert [i.score for i in r.indicators[:4]] == [D(2), D(5), D(4), D("4.5")]
    assert (r.total_weight, r.total_score, r.grade) == (D(100), D("89.50"), "良")
    assert recomputed_total(r) == D("89.50")
    assert r.findings == ()


@pytest.mark.parametrize("name", ["department-split-table", "department-split-repeated-header"])
def test_split_samples_narrative_matches_table(name: str) -> None:
    (r,) = jixiao.parse(sample(f"{name}.pdf"))
    figures = r.narrative.figures
    assert r.funds.total is not None
    assert figures["expenditure"].value == r.funds.total.executed
    assert figures["initial_budget"].value == r.funds.total.initial_budget
    assert figures["basic_expenditure"].value + figures["project_expenditure"].value == figures["expenditure"].value
