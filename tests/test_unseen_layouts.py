"""Layouts other software makes of the same forms (issue 15): nothing read silently wrong.

Expected values are the cells of ``samples/sources/variant-sichuan-project*.txt``
(the real 青神县 form, shared/real_texts/02) and of the other sources named below.
"""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import jixiao
from jixiao.extract.document import extract_path
from jixiao.layout import Cell, TableBlock
from jixiao.models import Report
from jixiao.normalize.report import unit_in_title
from jixiao.normalize.table import read_table
from jixiao.outputs.records import decimal_text, record_to_dict
from jixiao.validate import validate

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
ONE_ROW = SAMPLES / "variant-sichuan-project.pdf"
TWO_ROW = SAMPLES / "variant-sichuan-project-two-row-header.pdf"
NOTE = (
    "1.预算执行率=预算执行数/调整后预算数,预算执行率未达到90%的需说明原因(100字以内);2.年中发生预算调整的"
    "(追加或调减),应单独说明理由;3.其他资金包括:社会投入资金、银行贷款."
)


def _content(report: Report) -> Any:
    """A report as data without where it sits (file, boxes, grid rows), which differ between twins."""
    data = json.loads(json.dumps(record_to_dict(report), default=decimal_text))
    data.pop("source")

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            skip = {"cells", "box", "boxes", "total_box", "grade_box", "total_weight_box", "row", "group_row"}
            return {k: strip(v) for k, v in value.items() if k not in skip}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return strip(data)


def test_two_row_header_reads_like_its_one_row_twin() -> None:
    (one,) = jixiao.parse(ONE_ROW)
    (two,) = jixiao.parse(TWO_ROW)
    assert _content(two) == _content(one)


def test_two_row_header_sub_columns_each_by_their_own_text() -> None:
    (report,) = jixiao.parse(TWO_ROW)
    assert [(i.name, i.target, i.weight) for i in report.indicators] == [
        ("发放(缴纳)覆盖率", "=100%", Decimal("60")),
        ("足额保障率(参保率)", "=100%", Decimal("30")),
    ]
    assert [(i.target_parsed.comparator, i.target_parsed.value) for i in report.indicators if i.target_parsed] == [
        ("=", Decimal("100")),
        ("=", Decimal("100")),
    ]
    total = report.funds.total
    assert total is not None
    # 年初 | 调整后 under 预算数 are 年初预算数 and 调整后预算数
    assert (total.initial_budget, total.annual_budget, total.executed) == (
        Decimal("238.93"), Decimal("251.89"), Decimal("251.89"),
    )
    assert not [f for f in report.findings if f.rule in ("repaired_cell", "unmapped_column")]


def test_fund_note_column_is_kept_on_its_row() -> None:
    (report,) = jixiao.parse(ONE_ROW)
    assert report.funds.total is not None
    assert report.funds.total.extra == {"原因": NOTE}
    assert [line.extra for line in report.funds.sources()] == [{}, {}, {}, {}]


def test_form_rows_no_field_takes_are_kept_on_the_report() -> None:
    (report,) = jixiao.parse(ONE_ROW)
    assert report.extra["评价结论"] == "结合自评情况,说明项目自评总分,说明项目实施取得的成效或成果。(200字以内)"
    assert report.extra["改进措施"].startswith("针对项目自评中发现的问题")


def test_seal_mark_leaves_no_trace_in_names() -> None:
    (report,) = jixiao.parse(ONE_ROW)
    assert report.implementing_unit == "青神县发展和改革局"  # the cell beside 实施单位 (盖章)


def test_chongqing_nature_and_third_goal_column_kept() -> None:
    (report,) = jixiao.parse(SAMPLES / "variant-chongqing-department.pdf")
    first, qualitative = report.indicators[0], report.indicators[9]
    assert first.name == "财政供养人员控制率"
    assert first.extra == {"得分系数(%)": "100%", "是否核心指标": "否", "指标性质": "定量指标"}
    assert qualitative.name == "管理制度健全性"
    assert qualitative.extra["指标性质"] == "定性指标"
    assert report.extra["全年(调整)绩效目标"].startswith("通过整合各级各类媒体")


def _renamed_header(path: Path, old: str, new: str) -> tuple[TableBlock, Cell]:
    (block,) = extract_path(path).tables
    (cell,) = [c for c in block.grid.cells if "".join(c.text.split()) == old]
    renamed = dataclasses.replace(cell, text=new)
    cells = tuple(renamed if c is cell else c for c in block.grid.cells)
    return dataclasses.replace(block, grid=dataclasses.replace(block.grid, cells=cells)), renamed


def test_unknown_column_is_kept_and_reported() -> None:
    """The real form's 未完成原因分析 header renamed to a word no vocabulary knows: its
    column must be kept in ``extra`` and named by an ``unmapped_column`` finding."""
    block, header = _renamed_header(ONE_ROW, "未完成原因分析", "第三方核查意见")
    parts = read_table(block.grid, block.title)
    # the real form leaves every 未完成原因分析 cell blank: no value to keep, the column is still named
    assert [(u.header, u.block, u.page, u.values) for u in parts.unmapped] == [("第三方核查意见", "indicators", 1, 0)]
    (report,) = jixiao.parse(ONE_ROW)
    report = dataclasses.replace(report, unmapped_columns=tuple(parts.unmapped), findings=())
    (found,) = [f for f in validate(report) if f.rule == "unmapped_column"]
    assert (found.severity, found.found, found.page, found.where.boxes) == ("info", "第三方核查意见", 1, (header.box,))


def test_unknown_column_values_land_in_extra() -> None:
    """The same with a column that holds a value: department-split-table's 偏差原因 (one reason)."""
    block, _ = _renamed_header(SAMPLES / "department-split-table.pdf", "偏差原因分析及改进措施", "核查备注")
    parts = read_table(block.grid, block.title)
    (unmapped,) = parts.unmapped
    assert (unmapped.header, unmapped.values) == ("核查备注", 1)
    assert [i.extra for i in parts.indicators if i.extra] == [{"核查备注": "疫情影响6期延至2023年,线上补足"}]
    assert all(i.deviation_note is None for i in parts.indicators)


def test_report_date_not_taken_from_a_table_cell() -> None:
    """project-consistent prints no date of its own; 2022年11月28日 is an indicator's completion date."""
    (report,) = jixiao.parse(SAMPLES / "project-consistent.pdf")
    assert report.report_date is None
    (seed,) = jixiao.parse(SAMPLES / "seed-department-report.pdf")
    assert seed.report_date == "2023-06-20"


@pytest.mark.parametrize(
    ("title", "unit"),
    [
        ("某某县水利局2020年度部门整体支出绩效自评表", "某某县水利局"),
        ("附件1：中共株洲市荷塘区委组织部2022年度部门整体支出绩效自评表", "中共株洲市荷塘区委组织部"),
        ("2022年度部门整体支出绩效自评表", None),
        ("部门整体绩效自评表", None),
    ],
)
def test_unit_named_only_in_the_title(title: str, unit: str | None) -> None:
    assert unit_in_title(title) == unit


# -- a rate written truncated, not rounded -------------------------------------------------------


def _with_rate(rate: str) -> Report:
    (report,) = jixiao.parse(SAMPLES / "project-consistent.pdf")  # 310.2 / 320.5 = 0.967862…, printed 96.79%
    total = report.funds.total
    assert total is not None
    funds = dataclasses.replace(report.funds, total=dataclasses.replace(total, execution_rate=Decimal(rate)))
    return dataclasses.replace(report, funds=funds, findings=())


def test_truncated_rate_is_info_not_error() -> None:
    (found,) = [f for f in validate(_with_rate("0.9678")) if f.rule == "execution_rate"]
    assert (found.severity, found.expected, found.found) == ("info", "0.9679", "0.9678")


@pytest.mark.parametrize("rate", ["0.9677", "0.9680"])
def test_rate_off_by_more_than_truncation_is_an_error(rate: str) -> None:
    (found,) = [f for f in validate(_with_rate(rate)) if f.rule == "execution_rate"]
    assert found.severity == "error"


def test_rounded_rate_gives_no_finding() -> None:
    assert not [f for f in validate(_with_rate("0.9679")) if f.rule == "execution_rate"]


def test_every_catalog_rule_is_registered() -> None:
    from jixiao.validate import RULES
    from jixiao.validate.across import ACROSS_RULES
    from jixiao.validate.catalog import CATALOG

    assert set(RULES) == set(CATALOG) - set(ACROSS_RULES)  # those run over a batch (jixiao.audit)


# -- findings resting on OCR readings ---------------------------------------------------------------


@pytest.fixture(scope="module")
def scanned_project() -> Report:
    (report,) = jixiao.parse(SAMPLES / "scanned" / "project-consistent.scan.pdf")
    return report


def _lose_a_score(report: Report) -> Report:
    """The first indicator's score cell read as empty (as OCR lost 社会化服务体系's 4 on a 150 dpi scan)."""
    first = dataclasses.replace(report.indicators[0], score=None)
    return dataclasses.replace(report, indicators=(first, *report.indicators[1:]), findings=())


def test_a_sum_short_of_a_score_lost_by_ocr_is_a_warning(scanned_project: Report) -> None:
    assert scanned_project.source.ocr_pages == (1, 2)
    (found,) = [f for f in validate(_lose_a_score(scanned_project)) if f.rule == "score_total"]
    assert found.severity == "warning" and "OCR 读出的单元格为空（新建供水工程）" in found.message


def test_the_same_sum_on_a_text_layer_stays_an_error() -> None:
    (report,) = jixiao.parse(SAMPLES / "project-consistent.pdf")
    (found,) = [f for f in validate(_lose_a_score(report)) if f.rule == "score_total"]
    assert found.severity == "error" and "OCR" not in found.message


def test_a_finding_on_a_doubtful_reading_asks_for_a_look(scanned_project: Report) -> None:
    """A cell the recognizer was unsure of (the merged 分值 5 of this scan, score about 0.7–0.9 as
    the crop changes) under an error's boxes makes it a warning that names the reading and its score."""
    weak = next(r for r in scanned_project.ocr_readings if r.text == "5")
    assert weak.confidence < 0.9
    row = next(i for i in scanned_project.indicators if weak.box in i.cells.values())
    assert row.weight is not None
    over = dataclasses.replace(row, score=row.weight + 1)
    report = dataclasses.replace(
        scanned_project,
        indicators=tuple(over if i is row else i for i in scanned_project.indicators),
        findings=(),
    )
    (found,) = [f for f in validate(report) if f.rule == "score_range"]
    assert found.severity == "warning" and f"“5”({weak.confidence:.2f})" in found.message


def test_an_ocr_mended_name_is_recorded_once() -> None:
    """A name cell read by OCR as 新建供水T程 (T for 工) is mended, and the repair listed once."""
    (block,) = extract_path(SAMPLES / "project-consistent.pdf").tables
    (cell,) = [c for c in block.grid.cells if "".join(c.text.split()) == "新建供水工程"]
    misread = dataclasses.replace(cell, text="新建供水T程", confidence=0.95)
    grid = dataclasses.replace(block.grid, cells=tuple(misread if c is cell else c for c in block.grid.cells))
    parts = read_table(grid, block.title)
    assert parts.indicators[0].name == "新建供水工程"
    assert [(r.field, r.original, r.repaired) for r in parts.repairs] == [("name", "新建供水T程", "新建供水工程")]
