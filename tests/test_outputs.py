"""Analyst tables: ``to_frames`` and the .xlsx / .csv / .parquet writers, read back.

Expected values are read off the sample PDFs: the seed's 资金 block on page 6
(合计 677.14 / 785.21 / 785.21, 执行率 100%, 分值 10, 得分 10) and its eleven
三级指标 rows (the first three share one merged 分值/得分 cell of 5), and the
project table on page 2 (年度资金总额 300.00 / 320.50 / 310.20, 96.79%, 9.68).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from jixiao.cli import main
from jixiao.frames import COLUMNS, page_span, to_frames
from jixiao.models import Failure, Record
from jixiao.outputs import WRITERS, write
from jixiao.outputs.tabular import HEADERS_ZH, display_width, table_path
from jixiao.pipeline import parse_path
from tests.conftest import sample

SEED = str(sample("seed-department-report.pdf"))
PROJECT = str(sample("project-consistent.pdf"))
SEED_SHA = "5f7c099b7fff25063314ae79105492af7e79229830188949d977f9ad71a1731c"
NOT_PDF_TEXT = "这不是 PDF"

SEED_WEIGHTS = [5, None, None, 10, 10, 10, 10, 10, 5, 5, 10]
SEED_SCORES = [5, None, None, 9, 10, 9, 9, 9, 4, 5, 9]
SEED_NAMES = [
    "优秀共产党员、党务", "公务员年度考核优秀", "党校调训次数", "各项工作按时按量", "工作经费", "工作完成时间",
    "提高干部素质,保障", "形成良好的社会氛", "厉行节约", "厚植党的", "群众和干部满意度",
]
TABLE_SHEETS = ["报告", "资金", "指标", "问题", "失败"]


def values(series: pd.Series) -> list[Any]:
    """A column as plain values, every kind of missing (None, NaN, <NA>) as None."""
    return [None if pd.isna(v) else v for v in series.tolist()]


def unspaced(text: str | None) -> str | None:
    return None if text is None else text.replace(" ", "")


@pytest.fixture(scope="module")
def not_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bad") / "x.pdf"
    path.write_text(NOT_PDF_TEXT, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def records(not_pdf: Path) -> list[Record]:
    return parse_path(SEED) + parse_path(PROJECT) + parse_path(not_pdf)


@pytest.fixture(scope="module")
def frames(records: list[Record]) -> dict[str, pd.DataFrame]:
    return to_frames(records)


@pytest.fixture(scope="module")
def written(records: list[Record], tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("out")
    for suffix in (".xlsx", ".csv", ".parquet"):
        write(records, folder / f"out{suffix}")
    return folder


# --- to_frames -------------------------------------------------------------


def test_frames_have_their_columns_in_order(frames: dict[str, pd.DataFrame]) -> None:
    assert list(frames) == ["reports", "funds", "indicators", "findings", "failures"]
    for name, frame in frames.items():
        assert list(frame.columns) == list(COLUMNS[name])


def test_empty_input_gives_five_typed_empty_frames() -> None:
    frames = to_frames([])
    assert {name: frame.shape for name, frame in frames.items()} == {
        "reports": (0, 29), "funds": (0, 14), "indicators": (0, 21), "findings": (0, 21), "failures": (0, 4),
    }
    assert str(frames["reports"]["annual_budget"].dtype) == "float64"
    assert str(frames["reports"]["fiscal_year"].dtype) == "Int64"
    assert frames["findings"]["message"].dtype == object


def test_report_rows(frames: dict[str, pd.DataFrame]) -> None:
    reports = frames["reports"]
    assert values(reports["file"]) == [SEED, PROJECT]
    assert values(reports["sha256"])[0] == SEED_SHA
    assert values(reports["pages"]) == ["6", "2"]
    assert values(reports["page_count"]) == [6, 2]
    assert values(reports["report_type"]) == ["department_overall", "project"]
    assert values(reports["unit_name"]) == ["中国共产党株洲市荷塘区委员会组织部", "清溪县水利局"]
    # spacing between digits and CJK is the text normalizer's business (tests/normalize); ignore it here
    assert [unspaced(v) for v in values(reports["project_name"])] == [None, "2022年度清溪县农村饮水安全巩固提升工程"]
    assert values(reports["implementing_unit"]) == [None, "清溪县农村供水服务中心"]
    assert values(reports["fiscal_year"]) == [2022, 2022]
    assert str(reports["fiscal_year"].dtype) == "Int64"
    # the project form prints no date of its own: 2022年11月28日 in its table is an indicator's completion date
    assert values(reports["report_date"]) == ["2023-06-20", None]
    assert values(reports["annual_budget"]) == [785.21, 320.5]
    assert values(reports["executed"]) == [785.21, 310.2]
    assert values(reports["execution_rate"]) == [1.0, 0.9679]
    assert values(reports["fund_score"]) == [10.0, 9.68]
    assert values(reports["total_score"]) == [92.0, 99.68]
    assert values(reports["recomputed_total"]) == [79.0, 99.68]
    assert values(reports["grade"]) == ["优", "优"]
    assert values(reports["n_errors"]) == [3, 0]
    assert values(reports["n_warnings"]) == [9, 0]
    assert values(reports["n_info"]) == [1, 0]


def test_fund_rows(frames: dict[str, pd.DataFrame]) -> None:
    seed = frames["funds"][frames["funds"]["file"] == SEED]
    assert values(seed["line"]) == ["total", "current_appropriation", "prior_carryover", "other"]
    assert values(seed["label"]) == ["合计", "其中:当年财政拨款", "上年结转资金", "其他资金"]
    assert values(seed["initial_budget"]) == [677.14, 677.14, None, None]
    assert values(seed["annual_budget"]) == [785.21, 778.26, 6.95, None]
    assert values(seed["executed"]) == [785.21, None, None, None]
    assert values(seed["execution_rate"]) == [1.0, None, None, None]
    assert values(seed["page"]) == [6, 6, 6, 6]
    assert values(seed["row"]) == [2, 3, 4, 5]
    project = frames["funds"][frames["funds"]["file"] == PROJECT]
    assert values(project["annual_budget"]) == [320.5, 300.5, 20.0, 0.0]
    assert values(project["execution_rate"]) == [0.9679, 0.9697, 0.94, None]


def test_indicator_rows(frames: dict[str, pd.DataFrame]) -> None:
    seed = frames["indicators"][frames["indicators"]["file"] == SEED]
    assert values(seed["name"]) == SEED_NAMES
    assert values(seed["weight"]) == SEED_WEIGHTS
    assert values(seed["score"]) == SEED_SCORES
    assert values(seed["group_row"]) == [None, 9, 9, None, None, None, None, None, None, None, None]
    assert values(seed["row"]) == list(range(9, 20))
    assert values(seed["level2"])[9] == "可持续影响指标"  # repaired label, not the cut-off cell text
    money = seed[seed["name"] == "工作经费"].iloc[0]
    assert (unspaced(money["target"]), money["target_value"], money["target_unit"]) == ("677.14万元", 677.14, "万元")
    satisfaction = seed[seed["name"] == "群众和干部满意度"].iloc[0]
    assert (satisfaction["actual_value"], satisfaction["actual_unit"], satisfaction["actual_comparator"]) == (90.0, "%", ">=")
    project = frames["indicators"][frames["indicators"]["file"] == PROJECT]
    assert len(project) == 13
    assert values(project["target_comparator"])[0] == ">="


def test_finding_rows(frames: dict[str, pd.DataFrame], records: list[Record]) -> None:
    findings = frames["findings"]
    assert set(findings["file"]) == {SEED}  # the project table is clean
    assert Counter(findings["severity"]) == {"error": 3, "warning": 9, "info": 1}
    total = findings[findings["rule"] == "score_total"].iloc[0]
    assert (total["expected"], total["found"], total["page"], total["column"], total["label"]) == ("79", "92", 6, "score", "总分")
    assert pd.isna(total["row"])
    level1 = findings[findings["rule"] == "level1_weight_sum"].iloc[0]
    assert (level1["expected"], level1["found"], level1["row"], level1["label"]) == ("50", "35", 9, "产出指标")


def test_failure_rows(frames: dict[str, pd.DataFrame], not_pdf: Path) -> None:
    failures = frames["failures"]
    assert values(failures["file"]) == [str(not_pdf)]
    assert values(failures["kind"]) == ["not_pdf"]
    assert values(failures["sha256"]) == [hashlib.sha256(NOT_PDF_TEXT.encode("utf-8")).hexdigest()]
    assert values(failures["message"])[0].startswith("不是 PDF 文件")


@pytest.mark.parametrize(("pages", "shown"), [((6,), "6"), ((2, 3), "2-3"), ((2, 3, 4), "2-4"), ((2, 4), "2,4"), ((), None)])
def test_page_span(pages: tuple[int, ...], shown: str | None) -> None:
    assert page_span(pages) == shown


# --- writers ---------------------------------------------------------------


def test_table_formats_are_registered() -> None:
    assert {".xlsx", ".csv", ".parquet"} <= set(WRITERS)


def test_one_file_per_table_next_to_output(written: Path) -> None:
    assert table_path(Path("a/out.csv"), "funds") == Path("a/out.funds.csv")
    assert sorted(p.name for p in written.iterdir()) == sorted(
        [f"out.{t}.{s}" for t in COLUMNS for s in ("csv", "parquet")] + ["out.xlsx"]
    )  # out.csv and out.parquet themselves are not written, nor any temp file


def header_index(sheet: Any) -> dict[str, int]:
    return {cell.value: cell.column for cell in sheet[1]}


def test_xlsx_sheets_and_headers(written: Path) -> None:
    book = openpyxl.load_workbook(written / "out.xlsx")
    assert book.sheetnames == TABLE_SHEETS
    for sheet, table in zip(book.worksheets, COLUMNS, strict=True):
        assert [c.value for c in sheet[1]] == [HEADERS_ZH[c] for c in COLUMNS[table]]
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}"
    assert book["报告"].max_row == 3 and book["指标"].max_row == 25 and book["失败"].max_row == 2
    assert [c.value for c in book["失败"][1]] == ["文件", "SHA-256", "失败类型", "说明"]
    assert book["失败"].cell(2, 3).value == "不是 PDF"  # codes read in Chinese in the spreadsheet


def test_xlsx_numbers_and_formats(written: Path) -> None:
    reports = openpyxl.load_workbook(written / "out.xlsx")["报告"]
    col = header_index(reports)
    budget = reports.cell(2, col["全年预算数(万元)"])
    assert (budget.value, budget.data_type, budget.number_format) == (785.21, "n", "0.00")
    rate = reports.cell(2, col["执行率"])
    assert (rate.value, rate.number_format) == (1, "0.00%")
    assert reports.cell(3, col["执行率"]).value == 0.9679
    assert reports.cell(2, col["总分"]).value == 92
    assert reports.cell(2, col["年度"]).value == 2022
    assert reports.cell(2, col["项目名称"]).value is None
    # 17 CJK characters count double, plus 2 of padding (XlsxWriter stores Excel's width: + 5 px of margin)
    assert reports.column_dimensions[reports.cell(1, col["单位名称"]).column_letter].width == 36.7109375
    indicators = openpyxl.load_workbook(written / "out.xlsx")["指标"]
    icol = header_index(indicators)
    assert [indicators.cell(r, icol["分值"]).value for r in range(2, 13)] == SEED_WEIGHTS
    assert [indicators.cell(r, icol["得分"]).value for r in range(2, 13)] == SEED_SCORES


def test_xlsx_findings_filled_by_severity(written: Path) -> None:
    sheet = openpyxl.load_workbook(written / "out.xlsx")["问题"]
    col = header_index(sheet)
    fills = {}
    for r in range(2, sheet.max_row + 1):
        severity = sheet.cell(r, col["级别"]).value
        colours = {sheet.cell(r, c).fill.fgColor.rgb for c in range(1, sheet.max_column + 1)}
        assert len(colours) == 1  # the whole row
        fills[severity] = colours.pop()
    assert fills == {"错误": "FFFFC7CE", "警告": "FFFFEB9C", "提示": "FFEDEDED"}
    assert sheet.cell(2, col["规则"]).value == "score_total"
    assert sheet.cell(2, col["说明"]).value.startswith("总分写为 92")


def test_xlsx_text_is_never_a_formula(tmp_path: Path) -> None:
    from dataclasses import replace

    failure = parse_path(Path("tests/conftest.py"))[0]
    assert isinstance(failure, Failure)
    records = [
        replace(failure, error=replace(failure.error, message=text)) for text in ("=1+1", "a\x07b", "http://x.cn")
    ]
    write(records, tmp_path / "t.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "t.xlsx")["失败"]
    assert [(c.value, c.data_type) for c in sheet["D"][1:]] == [("=1+1", "s"), ("ab", "s"), ("http://x.cn", "s")]
    assert not sheet._hyperlinks


def test_csv_read_back(written: Path, not_pdf: Path) -> None:
    raw = table_path(written / "out.csv", "indicators").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbffile,sha256,table_index,level1,")
    indicators = pd.read_csv(table_path(written / "out.csv", "indicators"), encoding="utf-8-sig")
    assert list(indicators.columns) == list(COLUMNS["indicators"])
    seed = indicators[indicators["file"] == SEED]
    assert values(seed["name"]) == SEED_NAMES
    assert values(seed["weight"]) == SEED_WEIGHTS
    assert values(seed["score"]) == SEED_SCORES
    funds = pd.read_csv(table_path(written / "out.csv", "funds"), encoding="utf-8-sig")
    assert values(funds["annual_budget"])[:4] == [785.21, 778.26, 6.95, None]
    failures = pd.read_csv(table_path(written / "out.csv", "failures"), encoding="utf-8-sig")
    assert values(failures["file"]) == [str(not_pdf)] and values(failures["kind"]) == ["not_pdf"]
    reports = pd.read_csv(table_path(written / "out.csv", "reports"), encoding="utf-8-sig")
    assert values(reports["unit_name"]) == ["中国共产党株洲市荷塘区委员会组织部", "清溪县水利局"]


def test_parquet_read_back_typed(written: Path, frames: dict[str, pd.DataFrame]) -> None:
    funds = pd.read_parquet(table_path(written / "out.parquet", "funds"))
    for column in ("initial_budget", "annual_budget", "executed", "weight", "execution_rate", "score"):
        assert str(funds[column].dtype) == "float64"
    assert values(funds["annual_budget"]) == [785.21, 778.26, 6.95, None, 320.5, 300.5, 20.0, 0.0]
    assert values(funds["execution_rate"]) == [1.0, None, None, None, 0.9679, 0.9697, 0.94, None]
    indicators = pd.read_parquet(table_path(written / "out.parquet", "indicators"))
    assert values(indicators["weight"])[:11] == SEED_WEIGHTS
    assert str(indicators["row"].dtype) == "Int64"
    reports = pd.read_parquet(table_path(written / "out.parquet", "reports"))
    assert values(reports["fiscal_year"]) == [2022, 2022] and str(reports["fiscal_year"].dtype) == "Int64"
    assert values(reports["recomputed_total"]) == [79.0, 99.68]
    failures = pd.read_parquet(table_path(written / "out.parquet", "failures"))
    assert values(failures["kind"]) == ["not_pdf"]
    for table, frame in frames.items():
        back = pd.read_parquet(table_path(written / "out.parquet", table))
        assert list(back.columns) == list(frame.columns)
        assert len(back) == len(frame)


def test_parquet_of_no_records_keeps_types(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    write([], tmp_path / "none.parquet")
    schema = pq.read_schema(table_path(tmp_path / "none.parquet", "findings"))
    assert [str(t) for t in schema.types] == [
        "string", "string", "int64", "string", "string", "string", "string", "string",
        "int64", "int64", "string", "string", "string", "string", "string", "string", "string", "string",
        "string", "string", "string",
    ]


def test_display_width_counts_cjk_double() -> None:
    assert display_width("全年预算数(万元)") == 16
    assert display_width("abc") == 3
    assert display_width("（１）") == 6


# --- CLI -------------------------------------------------------------------


def test_cli_extract_writes_xlsx(tmp_path: Path, not_pdf: Path) -> None:
    out = tmp_path / "out.xlsx"
    result = CliRunner().invoke(main, ["extract", SEED, str(not_pdf), "-o", str(out), "-o", str(tmp_path / "t.csv")])
    assert result.exit_code == 3  # the not-a-PDF failed; the tables are written for the rest
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == TABLE_SHEETS
    reports = book["报告"]
    col = header_index(reports)
    assert reports.max_row == 2
    assert reports.cell(2, col["单位名称"]).value == "中国共产党株洲市荷塘区委员会组织部"
    assert reports.cell(2, col["全年预算数(万元)"]).value == 785.21
    assert [reports.cell(2, col[h]).value for h in ("错误数", "警告数", "提示数")] == [3, 9, 1]
    assert book["失败"].cell(2, 3).value == "不是 PDF"  # codes read in Chinese in the spreadsheet
    assert sorted(p.name for p in tmp_path.glob("t.*.csv")) == sorted(f"t.{t}.csv" for t in COLUMNS)
    assert not list(tmp_path.glob(".*.tmp")) and not list(tmp_path.glob(".out.xlsx.*"))


def test_cli_extract_clean_project_exits_0(tmp_path: Path) -> None:
    out = tmp_path / "p.parquet"
    result = CliRunner().invoke(main, ["extract", PROJECT, "-o", str(out)])
    assert result.exit_code == 0
    reports = pd.read_parquet(table_path(out, "reports"))
    assert values(reports["total_score"]) == [99.68]
    assert values(reports["execution_rate"]) == [0.9679]
    assert len(pd.read_parquet(table_path(out, "findings"))) == 0
