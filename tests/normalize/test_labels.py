"""Stated weights inside labels, and the stated grade."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jixiao.normalize.labels import parse_grade, split_stated_weight, without_seal

WEIGHTS = [
    ("产出指标 (50 分)", "产出指标", "50"),
    ("产出指标（50分）", "产出指标", "50"),
    ("产出指标（５０分）", "产出指标", "50"),
    ("效益指标 (30 分)", "效益指标", "30"),
    ("满意度指标 (10 分)", "满意度指标", "10"),
    ("绩效指标(90分)", "绩效指标", "90"),
    ("预算执行情况(10分)", "预算执行情况", "10"),
    ("规划 (15分)", "规划", "15"),
    ("基础信息 (3分)", "基础信息", "3"),
    ("执行 (35分)", "执行", "35"),
    ("满意度指标 （10.5 分）", "满意度指标", "10.5"),
    ("产 出 指 标\n（50分）", "产出指标", "50"),
    ("分值(10分)", "分值", "10"),
    ("(50分)", "", "50"),
]

NO_WEIGHT = [
    ("产出指标", "产出指标"),
    ("可持续影响指", "可持续影响指"),
    ("资金情况 (万元)", "资金情况(万元)"),
    ("执行率(B/A)", "执行率(B/A)"),
    ("得分(20分*执行率)", "得分(20分*执行率)"),
    ("产出指标 50分", "产出指标50分"),  # no brackets: not a stated weight
    ("", ""),
    (None, ""),
]


@pytest.mark.parametrize(("raw", "label", "weight"), WEIGHTS)
def test_split_stated_weight(raw: str, label: str, weight: str) -> None:
    found_label, found_weight = split_stated_weight(raw)
    assert found_label == label
    assert str(found_weight) == weight


@pytest.mark.parametrize(("raw", "label"), NO_WEIGHT)
def test_split_stated_weight_without_weight(raw: str | None, label: str) -> None:
    assert split_stated_weight(raw) == (label, None)


def test_weight_is_a_decimal() -> None:
    assert split_stated_weight("产出指标（50分）")[1] == Decimal(50)


GRADES = [
    ("等级: 优", "优"),
    ("等级：良", "良"),
    ("等级:中", "中"),
    ("等级: 差", "差"),
    ("优", "优"),
    ("良", "良"),
    ("优秀", "优"),
    ("良好", "良"),
    ("等级：优秀", "优"),
    ("等级为优", "优"),
    ("评价等级：良", "良"),
    ("自评等级: 优", "优"),
    (" 优 ", "优"),
    ("等级:优。", "优"),
]

NOT_GRADES = [None, "", "等级", "等级:", "合格", "不合格", "及格", "中等", "优良",
              "92", "等级: A", "总分", "优秀率"]  # fmt: skip


@pytest.mark.parametrize(("raw", "expected"), GRADES)
def test_parse_grade(raw: str, expected: str) -> None:
    assert parse_grade(raw) == expected


@pytest.mark.parametrize("raw", NOT_GRADES)
def test_parse_grade_refuses(raw: str | None) -> None:
    assert parse_grade(raw) is None


@given(st.one_of(st.none(), st.text()))
def test_labels_never_raise(text: str | None) -> None:
    label, weight = split_stated_weight(text)
    assert isinstance(label, str)
    assert weight is None or weight >= 0
    assert parse_grade(text) in {"优", "良", "中", "差", None}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("青神县水利局(盖章)", "青神县水利局"),
        ("青神县水利局（盖章）", "青神县水利局"),
        ("青神县水利局 盖章", "青神县水利局"),
        ("某局(章)", "某局"),
        ("印章管理办公室", "印章管理办公室"),  # 章 inside a name stays
        ("某某局规章", "某某局规章"),
    ],
)
def test_without_seal(name: str, expected: str) -> None:
    assert without_seal(name) == expected
