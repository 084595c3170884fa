"""Word, Excel and OFD files read exactly like their PDF twins, and bad ones fail cleanly.

The files under ``samples/formats/`` are built by ``samples/build_formats.py``
from the sources of the PDF samples (OFD: from the PDFs themselves), so every
field and every finding must come out the same; only where a value was found
differs (a page and box in a PDF, a sheet cell or table cell elsewhere).
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pytest

from jixiao.extract.position import position_text
from jixiao.extract.sheet import display
from jixiao.extract.sniff import sniff
from jixiao.inputs import expand
from jixiao.models import Failure, Report
from jixiao.outputs.records import record_to_dict
from jixiao.pipeline import parse_path
from tests.conftest import SAMPLES

FORMATS = SAMPLES / "formats"
NAMES = ["seed-department-report", "project-consistent", "department-split-table"]
SUFFIXES = ["docx", "xlsx", "xls", "html.xls", "ofd", "ctm.ofd"]
FORMAT_OF = {"html.xls": "html", "ctm.ofd": "ofd"}
# where a value stands: differs by format by design
WHERE_KEYS = {"source", "page", "pages", "cells", "boxes", "box", "total_box", "grade_box", "total_weight_box"}


def without_where(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_where(v) for k, v in value.items() if k not in WHERE_KEYS}
    if isinstance(value, list):
        return [without_where(v) for v in value]
    if isinstance(value, str):
        # a PDF's line wraps: where the PDF path splits a paragraph at a wrapped line
        # ("街道\n(镇)") is layout, not content
        return value.replace("\n", "")
    return value


def reports(path: Path) -> list[Report]:
    records = parse_path(path)
    assert all(isinstance(r, Report) for r in records), records
    return [r for r in records if isinstance(r, Report)]


@pytest.fixture(scope="module")
def pdf_twins() -> dict[str, list[Any]]:
    return {name: [without_where(record_to_dict(r)) for r in reports(SAMPLES / f"{name}.pdf")] for name in NAMES}


@pytest.mark.parametrize("suffix", SUFFIXES)
@pytest.mark.parametrize("name", NAMES)
def test_reads_like_its_pdf_twin(name: str, suffix: str, pdf_twins: dict[str, list[Any]]) -> None:
    got = reports(FORMATS / f"{name}.{suffix}")
    assert [without_where(record_to_dict(r)) for r in got] == pdf_twins[name]
    assert {r.source.format for r in got} == {FORMAT_OF.get(suffix, suffix)}


def test_seed_findings_as_in_the_pdf() -> None:
    (report,) = reports(FORMATS / "seed-department-report.xlsx")
    assert report.total_score == 92
    rules = sorted({f.rule for f in report.findings if f.severity == "error"})
    assert rules == ["level1_weight_sum", "score_total", "weight_total"]


def test_cell_references_point_into_the_sheet_and_the_word_table() -> None:
    (xlsx,) = reports(FORMATS / "project-consistent.xlsx")
    total = xlsx.funds.total
    assert total is not None
    # the source puts 10 lines of text above the table (rows 1-10); 年度资金总额 is the table's 4th
    # row, its 全年预算数 the 4th column: D14; Excel quotes a sheet name with a hyphen
    assert position_text(xlsx.source, total.cells["annual_budget"]) == "'project-consistent'!D14"
    (word,) = reports(FORMATS / "project-consistent.docx")
    assert word.funds.total is not None
    assert position_text(word.source, word.funds.total.cells["annual_budget"]) == "表1 第4行第4列 / table 1 row 4 col 4"


def test_a_workbook_gives_one_report_per_self_evaluation_sheet() -> None:
    got = reports(FORMATS / "workbook-three-reports.xlsx")
    assert [(r.pages, str(r.total_score)) for r in got] == [((1,), "99.68"), ((2,), "None"), ((3,), "92")]
    assert got[1].project_name == "市民中心运行维护费"  # the Ezhou form has no total row, as its PDF
    assert got[2].unit_name == "中国共产党株洲市荷塘区委员会组织部"
    assert got[0].source.sheets == ("表1", "表2", "表3", "说明")


@pytest.mark.parametrize(
    ("value", "fmt", "shown"),
    [
        (0.9673, "0.00%", "96.73%"),
        (0.5, "0%", "50%"),
        (1342.75, "#,##0.00", "1,342.75"),
        (300.0, "0.00", "300.00"),
        (10.0, "General", "10"),
        (9.68, "General", "9.68"),
        (-3.5, '0.0;"▲"0.0', "▲3.5"),
        (12.0, '0"处"', "12处"),
        ("≥95%", "@", "≥95%"),
        (None, "General", ""),
    ],
)
def test_numbers_read_as_the_sheet_shows_them(value: object, fmt: str, shown: str) -> None:
    assert display(value, fmt) == shown


def test_folders_pick_up_every_format_in_any_case(tmp_path: Path) -> None:
    for name in ("a.PDF", "b.DocX", "c.xlsx", "d.XLS", "e.ofd", "f.doc", "g.WPS", "h.et", "i.txt", "j.csv"):
        (tmp_path / name).write_bytes(b"x")
    found = [p.name for p in expand([tmp_path])]
    assert found == ["a.PDF", "b.DocX", "c.xlsx", "d.XLS", "e.ofd", "f.doc", "g.WPS", "h.et"]


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("project-consistent.docx", "docx"),
        ("project-consistent.xlsx", "xlsx"),
        ("project-consistent.xls", "xls"),
        ("project-consistent.ofd", "ofd"),
    ],
)
def test_format_comes_from_the_bytes(name: str, kind: str, tmp_path: Path) -> None:
    renamed = tmp_path / "download.pdf"  # a wrong name changes nothing
    renamed.write_bytes((FORMATS / name).read_bytes())
    assert sniff(renamed.read_bytes()) == kind
    assert all(isinstance(r, Report) for r in parse_path(renamed))


BAD_KINDS = {
    "old-word.doc": "unsupported_format",
    "zip-bomb.xlsx": "too_large",
    "zip-bomb.docx": "too_large",
    "zip-bomb.ofd": "too_large",
    "zip-slip.docx": "corrupt",
    "zip-slip.ofd": "corrupt",
    "entity-expansion.xlsx": "corrupt",
    "entity-expansion.docx": "corrupt",
    "entity-expansion.ofd": "corrupt",
    "truncated.docx": "corrupt",
    "truncated.xlsx": "corrupt",
    "truncated.xls": "corrupt",
    "truncated.ofd": "corrupt",
    "plain-zip.xlsx": "unsupported_format",
    "no-table.docx": "no_report_found",
}


@pytest.mark.parametrize(("name", "kind"), sorted(BAD_KINDS.items()))
def test_bad_and_hostile_files_are_failure_rows(name: str, kind: str) -> None:
    (record,) = parse_path(FORMATS / "bad" / name)
    assert isinstance(record, Failure)
    assert record.error.kind == kind, record.error.message
    assert " / " in record.error.message
    assert record.source.format == ("doc" if name.endswith(".doc") else name.rsplit(".", 1)[1]) or kind in (
        "corrupt", "unsupported_format")  # a damaged zip or a plain zip tells no format


def test_every_bad_file_is_listed() -> None:
    assert sorted(p.name for p in (FORMATS / "bad").iterdir()) == sorted(BAD_KINDS)


W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def tc(text: str, props: str = "") -> str:
    return f"<w:tc><w:tcPr>{props}</w:tcPr><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"


def test_word_spans_from_the_table_xml() -> None:
    """gridSpan, vMerge restart/continue, the older hMerge, gridBefore and a cell and a row
    inside content controls, as other word processors write them."""
    from docx.oxml import parse_xml

    from jixiao.extract.docx import read_table

    xml = (
        f"<w:tbl {W}><w:tblGrid>" + '<w:gridCol w:w="1000"/>' * 4 + "</w:tblGrid>"
        "<w:tr>" + tc("A", '<w:gridSpan w:val="2"/>') + tc("B", '<w:vMerge w:val="restart"/>') + tc("C") + "</w:tr>"
        "<w:tr>" + tc("D", '<w:hMerge w:val="restart"/>') + tc("", '<w:hMerge/>') + tc("", "<w:vMerge/>")
        + "<w:sdt><w:sdtContent>" + tc("E") + "</w:sdtContent></w:sdt></w:tr>"
        '<w:sdt><w:sdtContent><w:tr><w:trPr><w:gridBefore w:val="1"/></w:trPr>'
        + tc("F") + tc("G", '<w:gridSpan w:val="2"/>') + "</w:tr></w:sdtContent></w:sdt>"
        "</w:tbl>"
    )
    table = read_table(parse_xml(xml), 1)
    assert (table.nrows, table.ncols) == (3, 4)
    assert table.col_edges == (0.0, 50.0, 100.0, 150.0, 200.0)  # 1000 twips = 50 pt
    assert [(c.text, c.row, c.col, c.rowspan, c.colspan) for c in table.cells] == [
        ("A", 0, 0, 1, 2),
        ("B", 0, 2, 2, 1),
        ("C", 0, 3, 1, 1),
        ("D", 1, 0, 1, 2),
        ("E", 1, 3, 1, 1),
        ("F", 2, 1, 1, 1),
        ("G", 2, 2, 1, 2),
    ]


def test_word_headings_numbered_by_style_get_their_number(tmp_path: Path) -> None:
    """Automatic numbering is not in the text: a heading style with numbering gets 一、 (二) back,
    so the narrative's sections are found as in the PDF."""
    import docx
    from docx.oxml import parse_xml

    from jixiao.extract.docx import read_docx

    document = docx.Document()
    heading = document.styles["Heading 1"]
    heading.element.get_or_add_pPr().append(parse_xml(f'<w:numPr {W}><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>'))
    document.add_heading("项目基本情况", level=1)
    document.add_paragraph("正文一。")
    document.add_heading("二、已有编号的标题", level=1)
    document.add_heading("项目资金情况", level=1)
    path = tmp_path / "numbered.docx"
    document.save(str(path))
    texts = [p.text for p in read_docx(path.read_bytes(), str(path)).paragraphs]
    assert texts == ["一、项目基本情况", "正文一。", "二、已有编号的标题", "三、项目资金情况"]


def test_html_report_names_the_cells_of_a_workbook(tmp_path: Path) -> None:
    from jixiao.html import write_html

    records = parse_path(FORMATS / "seed-department-report.xlsx")
    out = tmp_path / "r.html"
    write_html(records, out)
    text = out.read_text(encoding="utf-8")
    assert 'class="cellref"' in text
    assert html.escape("'seed-department-report'!") in text


def test_damaged_files_of_every_format_end_as_one_outcome(tmp_path: Path) -> None:
    """The fuzz corpus's Word, Excel and OFD slice: truncated, flipped bytes, a damaged XML part."""
    from jixiao.runner import Limits, run_batch
    from tests.fuzzcorpus import build_formats

    corpus = build_formats(tmp_path, mutations=36)
    done = run_batch(corpus, workers=2, limits=Limits(timeout_s=60, memory_mb=1536))
    assert [d.path for d in done] == corpus
    kinds = set()
    for d in done:
        failures = [r for r in d.records if isinstance(r, Failure)]
        assert d.records and (not failures or len(d.records) == 1), d.path
        kinds |= {f.error.kind for f in failures}
        for f in failures:
            assert " / " in f.error.message and "Traceback" not in f.error.message
    assert kinds <= {"corrupt", "no_report_found", "unsupported_format", "not_pdf"}, kinds


def test_ofd_findings_get_page_crops_as_their_pdf_twin_does() -> None:
    """MuPDF cannot open OFD: its pages are drawn as a PDF's (ofd_render), the boxes on the same pages."""
    from jixiao.html.crops import CropRenderer

    pages = {}
    for path in (SAMPLES / "seed-department-report.pdf", FORMATS / "seed-department-report.ctm.ofd"):
        (report,) = reports(path)
        with CropRenderer() as renderer:
            pages[path.suffix] = [(f.rule, c.page) for f in report.findings for c in renderer.crops(report, f)]
    assert pages[".ofd"] == pages[".pdf"]
    assert len(pages[".ofd"]) == 13 and {p for _r, p in pages[".ofd"]} == {6}


@pytest.mark.parametrize("suffix", ["xlsx", "xls"])
def test_an_unruled_line_above_the_ruled_table_is_text_above_it(suffix: str, pdf_twins: dict[str, list[Any]]) -> None:
    """``填报单位（盖章）： … 金额单位：万元`` in two cells with no borders, right above the table:
    the table starts at its first ruled row, and the report reads like the PDF."""
    from jixiao.extract.formats import extract_any

    path = FORMATS / f"project-consistent.unit-line.{suffix}"
    (table,) = extract_any(path.read_bytes(), str(path)).tables
    assert table.title.endswith("填报单位(盖章):金额单位:万元")  # cleaned as PDF text is
    assert next(table.grid.row_cells(0)).text == "项目名称"
    (got,) = [without_where(record_to_dict(r)) for r in reports(path)]
    (want,) = pdf_twins["project-consistent"]
    # the line is text the PDF does not have: it ends the last section, nothing else differs
    assert got["narrative"]["sections"][-1]["text"].endswith("填报单位(盖章):金额单位:万元")
    assert got["narrative"]["figures"] == want["narrative"]["figures"]
    assert {k: v for k, v in got.items() if k != "narrative"} == {k: v for k, v in want.items() if k != "narrative"}


def test_word_table_in_two_parts_with_their_own_columns_reads_as_one(pdf_twins: dict[str, list[Any]]) -> None:
    """The 绩效指标 part set as a second table right under the funds part, its column widths
    reversed: one grid on both tables' column lines (9 + 9 lines less the shared outer ones:
    14 columns), one report like the PDF's, cells named in the Word table they are in."""
    from jixiao.extract.formats import extract_any

    path = FORMATS / "project-consistent.two-tables.docx"
    (table,) = extract_any(path.read_bytes(), str(path)).tables
    assert (table.grid.nrows, table.grid.ncols, table.pages) == (24, 14, (1, 2))
    (report,) = reports(path)
    assert [without_where(record_to_dict(report))] == pdf_twins["project-consistent"]
    first = report.indicators[0]
    assert first.name == "新建供水工程"
    assert position_text(report.source, first.cells["name"]) == "表2 第2行第4列 / table 2 row 2 col 4"


def test_the_terminal_names_sheets_and_cells_of_a_workbook() -> None:
    from jixiao.summary import report_block

    ezhou = reports(FORMATS / "workbook-three-reports.xlsx")[1]
    lines = report_block(ezhou).splitlines()
    assert any(" execution_score            表2!H9:I9  " in line for line in lines)  # a merged cell: its range
    assert any(" weight_total               表2  " in line for line in lines)  # no cell: the sheet


def test_word_text_box_alternatives_are_read_once() -> None:
    from docx.oxml import parse_xml

    from jixiao.extract.docx import _drop_fallbacks, paragraph_text

    mc = 'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
    body = parse_xml(
        f"<w:body {W} {mc}><w:p><w:r><w:t>附件</w:t></w:r><mc:AlternateContent>"
        "<mc:Choice><w:r><w:t>填报说明</w:t></w:r></mc:Choice>"
        "<mc:Fallback><w:r><w:t>填报说明</w:t></w:r></mc:Fallback></mc:AlternateContent></w:p></w:body>"
    )
    _drop_fallbacks(body)
    assert paragraph_text(body[0]) == "附件填报说明"


def test_word_list_numbering_is_put_back_as_word_shows_it(tmp_path: Path) -> None:
    """Headings numbered by a list in numbering.xml (chineseCounting, ``%1、`` and ``（%2）``):
    the labels Word draws, counted per level, in front of the text."""
    import docx
    from docx.oxml import parse_xml

    from jixiao.extract.docx import read_docx

    document = docx.Document()
    numbering = document.part.numbering_part.element
    numbering.append(parse_xml(
        f'<w:abstractNum {W} w:abstractNumId="77">'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>'
        "</w:abstractNum>"
    ))
    numbering.append(parse_xml(f'<w:num {W} w:numId="77"><w:abstractNumId w:val="77"/></w:num>'))

    def listed(text: str, level: int) -> None:
        p = document.add_paragraph(text)
        p._p.get_or_add_pPr().append(parse_xml(
            f'<w:numPr {W}><w:ilvl w:val="{level}"/><w:numId w:val="77"/></w:numPr>'
        ))

    listed("部门概况", 0)
    listed("主要职能", 1)
    listed("机构设置", 1)
    document.add_paragraph("正文。")
    listed("预算执行情况", 0)
    listed("收入情况", 1)
    path = tmp_path / "listed.docx"
    document.save(str(path))
    texts = [p.text for p in read_docx(path.read_bytes(), str(path)).paragraphs]
    # (paragraph text is cleaned as PDF text is: full-width brackets become ASCII)
    assert texts == ["一、部门概况", "(一)主要职能", "(二)机构设置", "正文。", "二、预算执行情况", "(一)收入情况"]


def test_the_format_is_a_column_of_the_tables_and_the_store(tmp_path: Path) -> None:
    """read_db and to_frames carry each report's file format (store schema 5)."""
    import shutil

    from click.testing import CliRunner

    import jixiao
    from jixiao.cli import main
    from jixiao.frames import to_frames

    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("project-consistent.docx", "project-consistent.xlsx"):
        shutil.copy(FORMATS / name, folder / name)
    shutil.copy(SAMPLES / "project-consistent.pdf", folder / "project-consistent.pdf")
    db = tmp_path / "s.sqlite"
    assert CliRunner().invoke(main, ["extract", str(folder), "--db", str(db), "-o", str(tmp_path / "o.jsonl"), "-w", "0"]).exit_code == 0
    stored = jixiao.read_db(db)["reports"]
    assert sorted(stored["format"]) == ["docx", "pdf", "xlsx"]
    frames = to_frames(jixiao.parse_many([folder]))
    assert sorted(frames["reports"]["format"]) == ["docx", "pdf", "xlsx"]
