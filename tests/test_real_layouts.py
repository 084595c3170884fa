"""Layouts of real published reports (issue 15 item 7): exact values a careful reader reads.

Each ``samples/real-*.pdf`` is built from one excerpt of ``shared/real_texts/``
(its source names the excerpt and URL and says how rows and merges were
rebuilt); the values below were worked out by hand from the excerpt, see
``samples/sources/README.md``.  Where today's parser reads a field wrong the
test keeps the right value and is marked ``xfail(strict=True)`` with what goes
wrong, so the mark comes off once the parser is fixed.  Each test checks one
aspect of one layout, so that a mark covers little.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from functools import cache

import pytest

import jixiao
from jixiao.extract.document import extract_bytes
from jixiao.models import Failure, FundLine, Record, Report
from jixiao.normalize.figures import read_figures
from jixiao.normalize.sections import paragraphs_to_sections
from tests.conftest import SAMPLES

D = Decimal


@cache
def records(name: str, folder: str = "") -> tuple[Record, ...]:
    """Each PDF is parsed once per test run."""
    return tuple(jixiao.parse_path(SAMPLES / folder / f"{name}.pdf"))


def one(name: str, folder: str = "") -> Report:
    (report,) = records(name, folder)
    assert isinstance(report, Report), report
    return report


@cache
def figures(name: str) -> dict[str, Decimal]:
    """Narrative figures of a report that has no table (so no Report): read by the
    pipeline's own stages, extract → sections → figures."""
    path = SAMPLES / f"{name}.pdf"
    sections = paragraphs_to_sections(extract_bytes(path.read_bytes(), str(path), None).paragraphs)
    return {k: v.value for k, v in read_figures(sections).items()}


def fund(line: FundLine | None) -> tuple[Decimal | None, ...] | None:
    if line is None:
        return None
    return (line.initial_budget, line.annual_budget, line.executed, line.weight, line.execution_rate, line.score)


def short(label: str) -> str:
    """A fund row's label without the form's 其中 prefix, colons and spaces."""
    return label.replace(" ", "").removeprefix("其中").strip(":：")


def sources(report: Report) -> dict[str, tuple[Decimal | None, Decimal | None, Decimal | None]]:
    return {short(x.label): (x.annual_budget, x.executed, x.execution_rate) for x in report.funds.sources()}


def rows(report: Report) -> list[tuple[object, ...]]:
    return [(i.level1, i.level2, i.name, i.target, i.actual, i.weight, i.score) for i in report.indicators]


def serious(report: Report) -> Counter[tuple[str, str | None]]:
    """Error and warning findings by rule and where (info findings left out)."""
    return Counter((f.rule, f.where.label or f.where.column) for f in report.findings if f.severity != "info")


def no_report(name: str) -> bool:
    return not any(isinstance(r, Report) for r in records(name))


# ----------------------------------------------- Yunnan project form, Traditional mirror, 元


LIJIANG = "real-yunnan-lijiang-trad"


@pytest.mark.parametrize("folder", ["", "office"])
def test_lijiang_header_fields(folder: str) -> None:
    r = one(LIJIANG, folder)
    assert r.report_type == "project"
    assert r.project_name == "2020年省级自然资源卫片执法补助经费支出绩效自评表"  # converted to Simplified
    assert r.competent_department == r.unit_name == "丽江市自然资源和规划局"
    assert r.implementing_unit == "丽江市古城区自然资源局"
    assert (r.fiscal_year, r.source_amount_unit) == (2020, "万元")


@pytest.mark.parametrize("folder", ["", "office"])
def test_lijiang_funds(folder: str) -> None:
    r = one(LIJIANG, folder)
    assert fund(r.funds.total) == (D("7.29"), D("7.29"), D("7.29"), D("10.00"), D(1), D("10.00"))
    assert fund(r.funds.current_appropriation) == (D("7.29"), D("7.29"), D("7.29"), None, D(1), None)
    assert fund(r.funds.prior_carryover) == fund(r.funds.other) == (None,) * 6


def test_lijiang_targets_with_comparator_and_yuan() -> None:
    r = one(LIJIANG)
    assert [(i.name, i.target) for i in r.indicators] == [
        ("卫片执法补助经费", "=72890元"),  # ﹦ (small form) read as =
        ("项目验收合格率", "=100%"),
        ("项目完成及时率", "=100%"),
        ("违法行为责停率", "≥95%"),
        ("满意度", "≥95%"),
    ]
    m = r.indicators[0].target_parsed
    assert m is not None and (m.comparator, m.value, m.kind) == ("=", D("7.289"), "money")  # 72890 元 = 7.289 万元


def test_lijiang_indicator_values() -> None:
    assert rows(one(LIJIANG)) == [
        # the 度量单位 column applies to 实际完成值 too, joined as for the target
        ("产出指标", "数量指标", "卫片执法补助经费", "=72890元", "72890元", D("10.00"), D("9.00")),
        ("产出指标", "质量指标", "项目验收合格率", "=100%", "100%", D(20), D(19)),
        ("产出指标", "时效指标", "项目完成及时率", "=100%", "100%", D("20.00"), D("19.00")),
        ("效益指标", "社会效益指标", "违法行为责停率", "≥95%", "95%", D("30.00"), D("27.00")),
        ("满意度指标", "服务对象满意度指标", "满意度", "≥95%", "95%", D("10.00"), None),  # excerpt cut before 得分
    ]


def test_lijiang_findings() -> None:
    # four rows lose points with an empty 偏差原因 (the form's own fault); no 总分 row survives the cut
    assert serious(one(LIJIANG)) == Counter(
        {
            ("deduction_unexplained", "卫片执法补助经费"): 1,
            ("deduction_unexplained", "项目验收合格率"): 1,
            ("deduction_unexplained", "项目完成及时率"): 1,
            ("deduction_unexplained", "违法行为责停率"): 1,
            ("missing_field", "total_score"): 1,
        }
    )


# ----------------------------------------------- Yunnan project form, county site: `—`, spaced 绩 效 指 标, decimals


NANHUA = "real-yunnan-nanhua-project"


def test_nanhua_header_and_funds() -> None:
    r = one(NANHUA)
    assert r.report_type == "project"
    assert r.project_name == "南华县乡村振兴示范园罗家屯社区野生菌加工车间建设项目(续建)"
    assert r.competent_department == r.unit_name == "南华县农业农村局"
    assert r.implementing_unit == "南华县国有资本管理有限公司"
    assert (r.fiscal_year, r.source_amount_unit) == (None, "万元")  # the excerpt states no year
    assert fund(r.funds.total) == (D(1100), D(1100), D(1100), D(10), D(1), D(10))
    assert fund(r.funds.current_appropriation) == (D(1100), D(1100), D(1100), None, D(1), None)  # `—` is blank


def test_nanhua_indicators() -> None:
    r = one(NANHUA)
    assert rows(r) == [
        (
            "产出指标",
            "数量指标",
            "1290.3平方米冷库仓储建设及配套生产设备、配套电力设施购置安装",
            "≥1290.3平方米",
            "1290.3平方米",
            D("10.3"),
            D("10.3"),
        ),
        ("产出指标", "数量指标", "配套烘干杀菌设备及包装设备购置及安装", "550", "20", D("9.3"), D("9.3")),
        ("产出指标", "数量指标", "配套电力设施1250KVA变压器3台", "3", None, D("9.3"), D("9.3")),
        ("产出指标", "经济效益指标", "奖补资金兑付率(%)", "≥100%", "≥100%", D("10.8"), D("10.8")),
        ("产出指标", "时效指标", "任务完成时限(月)", "10", "10", D("10.3"), D("10.3")),
    ]  # the empty 成本指标 row is no indicator
    assert r.level1_weights == {"产出指标": D(50)}  # 10.3 + 9.3 + 9.3 + 10.8 + 10.3 = 50.0


def test_nanhua_findings() -> None:
    # the real slip: 实际完成值 20 against 550 with the full 9.3; no year stated; cut before 总分
    assert serious(one(NANHUA)) == Counter(
        {
            ("target_not_met_full_score", "配套烘干杀菌设备及包装设备购置及安装"): 1,
            ("missing_field", "fiscal_year"): 1,
            ("missing_field", "total_score"): 1,
        }
    )


# ----------------------------------------------- Anhui 转移支付 form (中央/地方财政资金)


HUAINAN = "real-anhui-huainan-transfer"


def test_huainan_header_fields() -> None:
    r = one(HUAINAN)
    assert r.report_type == "project"
    assert r.project_name == "就业补助资金"
    assert (
        r.unit_name is not None
        and r.unit_name.replace(" ", "") == "安徽省人力资源和社会保障厅淮南市人力资源和社会保障局"
    )
    assert r.competent_department == r.unit_name
    assert r.implementing_unit == "淮南市田家庵区人力资源和社会保障局"


def test_huainan_year_and_total() -> None:
    r = one(HUAINAN)
    assert (r.fiscal_year, r.source_amount_unit) == (2024, "万元")
    # 692.98 / 808.1 = 85.75 %, printed 86 %
    assert fund(r.funds.total) == (None, D("808.1"), D("692.98"), None, D("0.86"), None)


def test_huainan_sources() -> None:
    assert sources(one(HUAINAN)) == {
        "中央财政资金": (D("808.1"), D("692.98"), D("0.86")),
        "地方财政资金": (None, None, None),
        "其他资金": (None, None, None),
    }


def test_huainan_findings() -> None:
    # consistent; the excerpt ends at the 绩效指标 header, so no indicator rows and no 总分
    assert serious(one(HUAINAN)) == Counter({("missing_field", "indicators"): 1, ("missing_field", "total_score"): 1})


# ----------------------------------------------- Inner Mongolia 转移支付, one row per government level


BAYANNUR = "real-nmg-bayannur-levels"


def test_bayannur_header_fields() -> None:
    r = one(BAYANNUR)
    assert r.report_type == "project"
    assert r.project_name == "就业补助资金"
    assert r.competent_department == r.unit_name == "巴彦淖尔市临河区财政局"
    assert r.implementing_unit is None  # 资金使用单位 left blank
    assert (r.fiscal_year, r.source_amount_unit) == (2022, "万元")


def test_bayannur_funds_by_level() -> None:
    r = one(BAYANNUR)
    assert r.funds.total is not None
    assert (r.funds.total.annual_budget, r.funds.total.executed, r.funds.total.execution_rate) == (
        D("7165.32"),
        D("6992.95"),
        None,
    )
    assert {k: v[:2] for k, v in sources(r).items()} == {
        "中央财政资金": (D("3144.00"), D("3144.00")),
        "自治区财政资金": (D("570.17"), D("570.17")),
        "盟市财政资金": (D("433.00"), D("432.10")),
        "旗县财政资金": (D("1426.90"), D("1294.84")),
        "其他资金(包括以前年度结转资金)": (D("1591.22"), D("1551.84")),
    }
    assert rows(r) == [(None, "数量指标", "享受社会保险补贴人员数量", "4443", None, None, None)]


def test_bayannur_findings() -> None:
    # budget sources add up to 7165.29, not the stated 7165.32 (a real fault); executed adds up exactly
    r = one(BAYANNUR)
    assert serious(r) == Counter({("fund_sources_sum", "年度资金总额"): 1, ("missing_field", "total_score"): 1})
    (f,) = [f for f in r.findings if f.rule == "fund_sources_sum"]
    assert f.severity == "error" and f.found is not None and "7165.29" in f.found


# ----------------------------------------------- Hebei project form with placeholder rows 指标2 / ……


LANGFANG = "real-hebei-langfang-placeholders"


@pytest.mark.parametrize("folder", ["", "office"])
def test_langfang_header_and_funds(folder: str) -> None:
    r = one(LANGFANG, folder)
    assert r.report_type == "project"
    assert r.project_name == "办公宿舍楼、食堂及餐厅暖通改造经费"
    assert r.competent_department == r.unit_name == "廊坊市发改委"
    assert r.implementing_unit == "廊坊市食品工程学校"
    assert (r.fiscal_year, r.source_amount_unit) == (2019, "万元")
    # 37.24 / 43.2 = 86.2 %, printed 86 %; 10 × 86.2 % = 8.62, printed 9
    assert fund(r.funds.total) == (D("43.2"), D("43.2"), D("37.24"), D(10), D("0.86"), D(9))
    assert fund(r.funds.current_appropriation) == (D("43.2"), D("43.2"), D("37.24"), None, None, None)
    assert (r.goals.expected, r.goals.actual) == ("43.2", "37.24")
    assert (r.total_weight, r.total_score, r.level1_weights) == (None, None, {})  # excerpt cut before 总分


def test_langfang_indicators() -> None:
    r = one(LANGFANG)
    assert rows(r) == [
        ("产出指标", "数量指标", "指标1工程资金金额", "43.2", "37.24", D(10), D(9)),
        ("产出指标", "质量指标", "指标1工程完工率", "100", "100", D(10), D(10)),
        ("产出指标", "质量指标", "指标2工程验收合格率", "100", "100", D(10), D(10)),
        ("产出指标", "时效指标", "指标1项目完成及时率", "100", "100", D(10), D(10)),
        ("产出指标", "成本指标", "指标1成本控制率", "100", "100", D(10), D(10)),
        ("效益指标", "经济效益指标", "指标1安全率", "100", "100", D(10), D(10)),
        ("效益指标", "社会效益指标", "指标1学校发展能力", "100", "100", D(10), D(10)),
        ("效益指标", "可持续影响指标", "指标1长期使用性", "100", "100", D(10), D(10)),
        ("满意度指标", "服务对象满意度指标", "指标1学生满意度", "100", "100", D(10), D(10)),
    ]
    # weights 9 × 10 + the fund row's 10 = 100; scores 9 + 8 × 10 + the fund row's 9 = 98


def test_langfang_indicator_reading_today() -> None:
    """The nine real rows, in order, among whatever else is read (placeholder rows are the xfail above)."""
    real = [x for x in rows(one(LANGFANG)) if x[5] is not None]
    assert [(x[2], x[5], x[6]) for x in real] == [
        ("指标1工程资金金额", D(10), D(9)),
        ("指标1工程完工率", D(10), D(10)),
        ("指标2工程验收合格率", D(10), D(10)),
        ("指标1项目完成及时率", D(10), D(10)),
        ("指标1成本控制率", D(10), D(10)),
        ("指标1安全率", D(10), D(10)),
        ("指标1学校发展能力", D(10), D(10)),
        ("指标1长期使用性", D(10), D(10)),
        ("指标1学生满意度", D(10), D(10)),
    ]
    assert (
        one(LANGFANG).indicators[0].deviation_note == "已完工,剩余3%尾款未付,且最高限价低于预算金额。提高预算准确度。"
    )


def test_langfang_findings() -> None:
    # consistent (8.62 → 9 under 得分 and 工程资金金额's 10 × 37.24/43.2 = 8.62 → 9 are integer roundings,
    # and that deduction is explained); the excerpt ends before the 总分 row
    assert serious(one(LANGFANG)) == Counter({("missing_field", "total_score"): 1})


# ----------------------------------------------- Hunan department form, 按收入性质分 / 按支出性质分


LINGLING = "real-hunan-lingling-department"


def test_lingling_unit_name() -> None:
    assert one(LINGLING).unit_name == "永州市零陵区疾病预防控制中心"


def test_lingling_type_year_total() -> None:
    r = one(LINGLING)
    assert (r.report_type, r.fiscal_year, r.source_amount_unit) == ("department_overall", 2021, "万元")
    assert fund(r.funds.total) == (D("2456.18"), D("2456.18"), D("2456.18"), D(10), D(1), D(10))
    assert r.goals.expected is not None and r.goals.expected.startswith("1:适龄儿童国家免疫规划接种率290%。")
    assert r.goals.actual is None


def test_lingling_findings() -> None:
    # 基本支出 2299.98 + 项目支出 156.2 = 2456.18 = 一般公共预算: consistent, and not sources of the total
    assert serious(one(LINGLING)) == Counter({("missing_field", "indicators"): 1, ("missing_field", "total_score"): 1})


# ----------------------------------------------- Ningxia 绩效目标自评表, OCR'd (中央/自治区补助, 市县资金)


GUYUAN = "real-ningxia-guyuan-ocr"


def test_guyuan_header_fields() -> None:
    r = one(GUYUAN)
    assert r.report_type == "project"
    assert r.project_name == "碟令薯樽轴示施"  # OCR damage kept as printed
    assert r.competent_department == r.unit_name == "原州区农业农村局"  # 市县主管部门
    assert r.implementing_unit == "原州区农技中心"  # 项目实施单位/项目负责人 → the unit part
    assert (r.fiscal_year, r.source_amount_unit) == (2022, "万元")


def test_guyuan_funds_and_total() -> None:
    r = one(GUYUAN)
    # 259.45 / 300 = 86.48 %, printed 86.5 %
    assert fund(r.funds.total) == (None, D(300), D("259.45"), None, D("0.865"), None)
    assert sources(r)["自治区补助"] == (D(300), None, None)
    assert r.total_score == D(99)  # 项目总得分99分, above the table


def test_guyuan_findings() -> None:
    # the sample keeps no indicator rows (the OCR runs them together); nothing else to report
    assert serious(one(GUYUAN)) == Counter({("missing_field", "indicators"): 1})


# ----------------------------------------------- Anhui 自评综述 paragraph + project table


LUAN = "real-anhui-luan-summary-table"


@pytest.mark.parametrize("folder", ["", "office"])
def test_luan_header_and_funds(folder: str) -> None:
    r = one(LUAN, folder)
    assert r.report_type == "project"
    assert r.project_name == "公共文化服务体系经费"
    assert r.competent_department == r.unit_name == "六安市文化和旅游局"
    assert r.implementing_unit == "六安市文旅局"
    assert (r.fiscal_year, r.source_amount_unit) == (2021, "万元")
    # 179.43 / 200 = 89.715 %, printed 89.7 %; 10 × 89.7 % = 8.97 → 9; the sub-row prints 8
    assert fund(r.funds.total) == (D(200), D(200), D("179.43"), D(10), D("0.897"), D(9))
    assert fund(r.funds.current_appropriation) == (D(200), D(200), D("179.43"), D(10), D("0.897"), D(8))


def test_luan_summary_project_item() -> None:
    r = one(LUAN)
    assert [(i.budget.value, i.executed.value, i.rate.value) for i in r.narrative.project_items] == [
        (D(200), D("179.43"), D("0.897"))
    ]
    assert r.narrative.figures == {}  # no 预算收入/支出 sentence in the summary


def test_luan_findings() -> None:
    # agreeing narrative and table; the only real fault is the 财政拨款 row's 8 for 8.97, which a rule
    # on sub-rows may report; the excerpt ends before the indicators and 总分
    found = serious(one(LUAN))
    assert set(found) - {("execution_score", "其中:当年财政拨款")} == {
        ("missing_field", "indicators"),
        ("missing_field", "total_score"),
    }
    assert all(n == 1 for n in found.values())


# ----------------------------------------------- Hubei form, two 年度绩效目标 blocks, Traditional mirror


HUANGGANG = "real-hubei-huanggang-trad"


def test_huanggang_header_and_funds() -> None:
    r = one(HUANGGANG)
    assert r.report_type == "project"
    assert r.project_name == "水土保持监测"
    assert r.competent_department == r.unit_name == "黄冈市水利和湖泊局"
    assert r.implementing_unit == "本单位"
    assert (r.fiscal_year, r.source_amount_unit) == (2020, "万元")
    # 预算数(A) 10, 执行数(B) 10, 100 %, 得分(20分*执行率) 20: the fund part is worth 20
    assert fund(r.funds.total) == (None, D(10), D(10), D(20), D(1), D(20))


def test_huanggang_indicators() -> None:
    r = one(HUANGGANG)
    assert rows(r) == [
        ("产出指标", "质量指标", "监测数据必须合格", "100%", "100%", None, D(10)),
        ("产出指标", "进度指标", "取得2018-2022监测资料", "100%", "100%", None, D(10)),
        ("满意度指标", "服务对象满意度指标", "整编资料审核", "98%", "98%", None, D("19.6")),
        ("产出指标", "质量指标", "监测数据资料整编", "100%", "100%", None, D(20)),
        ("产出指标", "进度指标", "完成年度资料上报", "100%", "100%", None, D(20)),
    ]


def test_huanggang_total_and_findings() -> None:
    r = one(HUANGGANG)
    # 20 + (10 + 10 + 19.6) + (20 + 20) = 99.6 = 总分; no 分值 column, no stated level-1 weights
    assert (r.total_score, r.total_weight, r.level1_weights, r.grade) == (D("99.6"), None, {}, None)
    assert serious(r) == Counter()


# ----------------------------------------------- Ningxia 项目决策/管理/产出/效益 framework, OCR'd


YINCHUAN = "real-ningxia-yinchuan-ocr"


def test_yinchuan_header_fields() -> None:
    r = one(YINCHUAN)
    assert r.report_type == "project"
    assert r.project_name == "初中公用经费"
    assert r.competent_department == r.unit_name == "银川市教育局"
    assert (r.fiscal_year, r.source_amount_unit, r.total_score) == (2021, "万元", D(98))  # 自评得分 98


def test_yinchuan_implementing_unit() -> None:
    assert one(YINCHUAN).implementing_unit == "银川市第六中学"


def test_yinchuan_funds() -> None:
    assert fund(one(YINCHUAN).funds.total) == (D("64.8"), D("64.8"), D("64.8"), None, D(1), None)


YINCHUAN_ROWS = [  # (三级指标, 参考分值, 得分); placeholder rows 指标1:/指标2:/指标L left out
    ("完整性", D(4), D(4)),
    ("相关性", D(2), D(2)),
    ("可行性", D(2), D(2)),
    ("适当性", D(2), D(2)),
    ("预算执行率", D(10), D(9)),
    ("财务管理制度有效性", D(7), D(7)),
    ("绩效监控有效性", D(2), D(2)),
    ("管理制度有效性", D(6), D(6)),
    ("保障人数", D(10), D(10)),  # 得分 printed IO
    ("公用经费标准", D(5), D(5)),
    ("公用经费完成时间", D(5), D(4)),
    ("办公所需成本", D(4), D(4)),
    ("维修(维护)所需成本", D(3), D(3)),
    ("绿化、水电费等成本", D(3), D(3)),
    ("效果显著", D(15), D(13)),
    ("使学生和老师行个更好的学习和工作环境,做到", D(10), D(8)),
    ("学生和老", None, None),  # excerpt cut inside this row
]


def test_yinchuan_scores() -> None:
    real = [i for i in one(YINCHUAN).indicators if i.score is not None]
    assert [(i.name, i.score) for i in real] == [(n, s) for n, _w, s in YINCHUAN_ROWS if s is not None]


def test_yinchuan_weights() -> None:
    assert [(i.name, i.weight, i.score) for i in one(YINCHUAN).indicators] == YINCHUAN_ROWS


def test_yinchuan_level1_weights() -> None:
    assert one(YINCHUAN).level1_weights == {"项目决策": D(10), "项目管理": D(25), "项目产出": D(30), "项目效益": D(35)}


def test_yinchuan_score_total_error() -> None:
    """The scores that survive add up to 84; even a full 10 on the cut 满意度 row stays short of 98."""
    (f,) = [f for f in one(YINCHUAN).findings if f.rule == "score_total"]
    assert (f.severity, f.expected, f.found) == ("error", "84", "98")


def test_yinchuan_findings() -> None:
    found = serious(one(YINCHUAN))
    found.pop(("level1_weight_sum", "项目效益"), None)  # 15 + 10 + the cut row's blank: the cut's doing
    assert found == Counter(
        {
            ("score_total", "总分"): 1,
            ("deduction_unexplained", "预算执行率"): 1,
            ("deduction_unexplained", "公用经费完成时间"): 1,
            ("deduction_unexplained", "效果显著"): 1,
            ("deduction_unexplained", "使学生和老师行个更好的学习和工作环境,做到"): 1,
        }
    )


# ----------------------------------------------- department narratives (no table)


NARRATIVES = [
    "real-hunan-hetang-narrative",
    "real-hunan-yiyang-narrative",
    "real-hunan-nanxian-narrative",
    "real-masked-fulian-narrative",
]


@pytest.mark.parametrize("name", NARRATIVES)
def test_narrative_without_table_is_no_report(name: str) -> None:
    (rec,) = records(name)
    assert isinstance(rec, Failure) and rec.error.kind == "no_report_found"


def test_hetang_narrative_figures() -> None:
    f = figures("real-hunan-hetang-narrative")
    amounts = {k: v for k, v in f.items() if not k.startswith("staff_")}
    # 57.28 + 11.78 = 69.06; 76.36 + 0 = 76.36 (其他资金来源 21.31 is not 预算收入)
    assert amounts == {
        "budget_income": D("69.06"),
        "initial_budget": D("57.28"),
        "budget_adjustment": D("11.78"),
        "expenditure": D("76.36"),
        "basic_expenditure": D("76.36"),
        "project_expenditure": D(0),
    }


def test_hetang_narrative_staff() -> None:
    f = figures("real-hunan-hetang-narrative")
    staff = {k: v for k, v in f.items() if k.startswith("staff_")}
    assert staff == {
        "staff_authorized": D(3),
        "staff_actual": D(3),
        "staff_in_service": D(3),
        "staff_lixiu": D(0),
        "staff_retired": D(0),
    }


def test_yiyang_narrative_total_not_its_parts() -> None:
    # 全年总支出 483.22 = 212.51 + 260.40 + 7.70 + 2.61 (parts by economic class, not 基本/项目支出);
    # 收入总计 487.24 = 年初预算 263.19 + 年中追加预算 224.05
    assert figures("real-hunan-yiyang-narrative") == {
        "budget_income": D("487.24"),
        "initial_budget": D("263.19"),
        "budget_adjustment": D("224.05"),
        "expenditure": D("483.22"),
        "staff_authorized": D(10),  # 有行政编制10名
    }


def test_nanxian_narrative_staff_and_public_costs_not_basic() -> None:
    # 支出 799.12 = 人员经费 434.89 + 公用经费 77.4 + 项目支出 286.83; no 基本支出 is stated, and the
    # year-on-year 增加 189.25 is no budget adjustment
    assert figures("real-hunan-nanxian-narrative") == {
        "budget_income": D("792.22"),
        "expenditure": D("799.12"),
        "project_expenditure": D("286.83"),
    }


def test_masked_narrative_expenditure() -> None:
    f = figures("real-masked-fulian-narrative")
    assert (f.get("expenditure"), f.get("basic_expenditure"), f.get("project_expenditure")) == (
        D("157.71"),
        D("148.26"),
        None,
    )


def test_masked_narrative_income() -> None:
    assert figures("real-masked-fulian-narrative").get("budget_income") == D("157.71")


def test_masked_narrative_staff() -> None:
    f = figures("real-masked-fulian-narrative")
    assert (f.get("staff_authorized"), f.get("staff_actual")) == (D(6), D(6))


# ----------------------------------------------- fragment: a table tail without its header


def test_sichuan_fragment_tail_gives_no_report() -> None:
    assert no_report("real-sichuan-fragment-tail")
    (rec,) = records("real-sichuan-fragment-tail")
    assert isinstance(rec, Failure) and rec.error.kind == "no_report_found"
