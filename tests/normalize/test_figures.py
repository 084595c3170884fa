"""Narrative amounts go to their subject: only the document's own totals are figures (issue 15).

Sentences are the real reports' (shared/real_texts, file named) or the false-error
case the issue reports ("从支出结构看，设备购置支出 X 万元 …").
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from jixiao.models import Section
from jixiao.normalize.figures import amounts_by_subject, read_figures


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the case: sub-items of the spending are no total
        ("从支出结构看，设备购置支出120万元，安装调试支出30万元，培训支出5万元。", []),
        # the seed report
        (
            "2022年支出785.21万元，其中基本支出665.03万元，项目支出120.18万元，结余结转0万元。",
            [("expenditure", "785.21"), ("basic_expenditure", "665.03"), ("project_expenditure", "120.18")],
        ),
        (
            "2022年预算收入778.26万元，其中年初预算677.14万元，调整增加101.12万元。",
            [("budget_income", "778.26"), ("initial_budget", "677.14"), ("budget_adjustment", "101.12")],
        ),
        # 10_nanxian: 人员经费/公用经费 are parts, 项目支出 is ours
        (
            "2、支出:799.12万元。其中:人员经费支出434.89万元,公用经费支出77.4万元,项目支出286.83万元。",
            [("expenditure", "799.12"), ("project_expenditure", "286.83")],
        ),
        # 33_xiaoxian: farmers' income is not the budget's
        ("激发脱贫人口内生动力,增加脱贫户收入10.9304万元。", []),
        # 26_yiyang: a heading run on into the sentence
        ("(一)部门整体支出概况2019年收入总计487.24万元,其中上年结转12.63万元", [("budget_income", "487.24")]),
        # 26_yiyang: 工资福利支出 after 其中 is a part
        ("全年总支出483.22万元,其中工资福利支出212.51万元,商品和服务支出260.40万元。", [("expenditure", "483.22")]),
        # a whole after 其中 is a part, never the whole
        ("全年共支出155万元。其中设备购置支出120万元。", [("expenditure", "155")]),
        ("收入合计200万元，其中：财政拨款收入180万元，其他收入20万元。", [("budget_income", "200")]),
        # a list stated with 分别
        (
            "基本支出和项目支出分别为665.03万元、120.18万元。",
            [("basic_expenditure", "665.03"), ("project_expenditure", "120.18")],
        ),
        # a 分别 list short of amounts: its names never reach into the next sentence
        ("基本支出和项目支出分别为665.03万元。另有设备购置支出5万元。", [("basic_expenditure", "665.03")]),
        # 10_nanxian: what 项目支出 includes is no 项目支出
        ("项目支出包括委员活动经费36.3万元,扫黑除恶工作经费1万元。", []),
        # 63: 实际支出 is the total spent
        (
            "2024年部门预算财政安排公共财政拨款资金共157.71万元,实际支出157.71万元。",
            [("budget_income", "157.71"), ("expenditure", "157.71")],
        ),
    ],
)
def test_amounts_by_subject(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(name, str(value)) for name, value, _start, _end in amounts_by_subject(text)] == expected


def test_first_statement_wins_and_keeps_its_snippet() -> None:
    text = "2022年支出785.21万元。某项目支出10万元，项目支出合计120.18万元。"
    figures = read_figures([Section("二、预算收支情况", text, 3)])
    assert {k: v.value for k, v in figures.items()} == {
        "expenditure": Decimal("785.21"),
        "project_expenditure": Decimal("120.18"),
    }
    assert figures["expenditure"].page == 3 and "785.21万元" in figures["expenditure"].snippet
