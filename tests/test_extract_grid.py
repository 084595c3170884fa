"""The grid reader on the seed table: spans, boxes, and decimals cross-checked with pdfplumber."""

from __future__ import annotations

import pdfplumber
import pymupdf
import regex

from jixiao.extract.document import extract_path
from jixiao.layout import Grid
from tests.conftest import sample

SEED = sample("seed-department-report.pdf")
NUMBER = regex.compile(r"\d+\.\d+")


def seed_grid() -> Grid:
    (table,) = extract_path(SEED).tables
    return table.grid


def cell_with(grid: Grid, text: str):  # type: ignore[no-untyped-def]
    return next(c for c in grid.cells if c.text.replace("\n", "").replace(" ", "") == text)


def test_table_is_found_by_its_headers_on_page_6() -> None:
    doc = extract_path(SEED)
    assert [t.pages for t in doc.tables] == [(6,)]
    assert "2022 年度部门整体支出绩效自评表" in doc.tables[0].title


def test_merged_cells_have_their_spans() -> None:
    grid = seed_grid()
    assert grid.ncols == 9
    label = cell_with(grid, "绩效指标")
    assert (label.col, label.rowspan) == (0, 12)  # header row + 11 indicator rows
    output = cell_with(grid, "产出指标(50分)")
    assert (output.col, output.rowspan) == (1, 6)
    quantity = cell_with(grid, "数量指标")
    assert quantity.rowspan == 3
    merged_scores = [c for c in grid.cells if c.text == "5" and c.rowspan == 3]
    assert [c.col for c in merged_scores] == [6, 7]  # 分值 and 得分 merged over the 数量 rows
    fund = cell_with(grid, "资金情况(万元)")
    assert fund.rowspan == 5


def test_cell_boxes_hold_their_text() -> None:
    grid = seed_grid()
    with pymupdf.open(SEED) as doc:
        page = doc[5]
        for cell in grid.cells:
            if not cell.text:
                continue
            rect = pymupdf.Rect(cell.box.x0, cell.box.y0, cell.box.x1, cell.box.y1)
            inside = "".join(page.get_textbox(rect).split())
            assert "".join(cell.text.split()) == inside


def test_decimals_agree_with_pdfplumber() -> None:
    """PyMuPDF-based cells must read every decimal that pdfplumber reads on the page."""
    grid = seed_grid()
    ours = sorted(m for c in grid.cells for m in NUMBER.findall(c.text))
    with pdfplumber.open(SEED) as pdf:
        theirs = sorted(
            m for table in pdf.pages[5].extract_tables() for row in table for cell in row if cell
            for m in NUMBER.findall(cell)
        )
    assert ours == theirs
    assert ours.count("785.21") == 3 and ours.count("677.14") == 3 and "778.26" in ours and "6.95" in ours


def test_squash_drops_what_regex_calls_whitespace() -> None:
    """``squash`` goes by ``str.split``, which also splits at U+001C–U+001F: those stay, as with ``regex``."""
    from jixiao.extract.tables import squash

    space = regex.compile(r"\s+")
    for code in range(0x110000):
        if not 0xD800 <= code < 0xE000:
            text = f"一级 {chr(code)}指标\n"
            assert squash(text) == space.sub("", text)
    assert squash("一级\x1c指标 \u3000分值") == "一级\x1c指标分值"
