"""Spans stand for their characters in cells where they fit one cell; a span across a border is read by character."""

from __future__ import annotations

from pathlib import Path

import pymupdf
import pytest

from jixiao.extract.chars import TEXT_FLAGS, Char, PageSpans, rawdict_chars, read_dict, span_runs
from jixiao.extract.lattice import RawGrid, cluster_to_grid, drawings_to_segments, segments_to_clusters
from jixiao.extract.tables import cell_runs, misfits, page_grids, spans_fit
from tests.conftest import SAMPLES, sample

TEXT_SAMPLES = sorted(SAMPLES.glob("*.pdf")) + sorted((SAMPLES / "office").glob("*.pdf"))
TEXT_SAMPLES = [p for p in TEXT_SAMPLES if not p.name.endswith("-narrative.pdf")]  # real narratives have no table


def _page(path: Path, index: int) -> tuple[pymupdf.Page, pymupdf.TextPage]:
    page = pymupdf.open(path)[index]
    return page, page.get_textpage(flags=TEXT_FLAGS)


def _raws(page: pymupdf.Page) -> list[RawGrid]:
    return [g for g in map(cluster_to_grid, segments_to_clusters(drawings_to_segments(page.get_cdrawings()))) if g]


def _fits(path: Path, index: int) -> bool:
    page, textpage = _page(path, index)
    _, spans = read_dict(index + 1, page.get_text("dict", textpage=textpage))
    return spans_fit(_raws(page), spans.chars)


@pytest.mark.parametrize("path", TEXT_SAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_grids_from_spans_equal_grids_from_characters(path: Path) -> None:
    """Every table page of every text sample: the grids read from spans (where they fit) and from characters are equal."""
    compared = 0
    for index in range(pymupdf.open(path).page_count):
        page, textpage = _page(path, index)
        chars = rawdict_chars(page.get_text("rawdict", textpage=textpage))
        _, spans = read_dict(index + 1, page.get_text("dict", textpage=textpage))
        by_chars = page_grids(page, index + 1, None, textpage, chars=chars)
        by_spans = page_grids(page, index + 1, None, textpage, spans=spans)
        assert by_spans == by_chars
        compared += len(by_chars)
    assert compared >= 1


def test_word_export_pages_take_the_span_path() -> None:
    assert _fits(sample("project-consistent.pdf"), 1)
    assert _fits(sample("seed-department-report.pdf"), 5)


def test_a_span_across_a_border_is_split_into_its_cells() -> None:
    """LibreOffice set two cells' texts as one span (形成良好的社会氛 | 长期): the cells still come apart,
    and only the two spans across a border are read by character, not the whole page."""
    path = sample("office/seed-department-report.pdf")
    assert not _fits(path, 6)
    page, textpage = _page(path, 6)
    _, spans = read_dict(7, page.get_text("dict", textpage=textpage))
    assert [spans.chars[i].c for i in misfits(_raws(page), spans.chars)] == ["年度资金总额年初预算数", "形成良好的社会氛长期"]
    how = cell_runs(_raws(page), spans, textpage)
    assert (how.split, how.whole_page) == (2, False)
    assert len(how.chars) == len(spans.chars) - 2 + 2 + 2  # each split span became two runs (one per cell)

    def whole_page(*args: object, **kwargs: object) -> None:
        raise AssertionError("the whole page was read by character")

    textpage.extractRAWDICT = whole_page  # a tripwire on PyMuPDF's object: page_grids must not call it
    (grid,) = page_grids(page, 7, None, textpage, spans=spans)
    texts = {(c.row, c.col): c.text for c in grid.grid.cells}
    assert texts[(16, 3)] == "形成良好的社会氛"
    assert texts[(16, 4)] == "长期"
    assert texts[(1, 1)] == "年度资金总额"
    assert texts[(1, 2)] == "年初预算数"


@pytest.mark.parametrize(
    ("name", "index", "span", "cells"),
    [
        (
            "office/real-yunnan-lijiang-trad.pdf",
            1,
            "項目名稱2020 年省級自然資源衛片執法補助經費支出績效自評表",
            {(0, 0): "項目名稱", (0, 1): "2020 年省級自然資源衛片執法補助經費支出績效自評表", (2, 6): "全年執行數", (2, 7): "分值"},
        ),
        (
            "office/real-hebei-langfang-placeholders.pdf",
            1,
            "全年 预算数全年 执行数分值",
            {(2, 3): "全年 预算数", (2, 4): "全年 执行数", (2, 5): "分值"},
        ),
    ],
)
def test_spans_across_several_borders_come_apart(name: str, index: int, span: str, cells: dict[tuple[int, int], str]) -> None:
    """LibreOffice runs one span over two or three cells of a header row; each cell gets its own words."""
    page, textpage = _page(sample(name), index)
    _, spans = read_dict(index + 1, page.get_text("dict", textpage=textpage))
    assert span in [spans.chars[i].c for i in misfits(_raws(page), spans.chars)]
    assert not cell_runs(_raws(page), spans, textpage).whole_page
    grid = page_grids(page, index + 1, None, textpage, spans=spans)[0].grid
    texts = {(c.row, c.col): c.text for c in grid.cells}
    assert {at: texts[at] for at in cells} == cells


def _rawdict_runs(textpage: pymupdf.TextPage, spans: PageSpans, wanted: list[int]) -> dict[int, list[Char]]:
    """The wanted spans' runs as the page's whole rawdict gives them."""
    blocks = {b["number"]: b for b in textpage.extractRAWDICT()["blocks"]}
    out = {}
    for i in wanted:
        number, line, at = spans.keys[i]
        out[i] = rawdict_chars({"blocks": [{"lines": [{"spans": [blocks[number]["lines"][line]["spans"][at]]}]}]})
    return out


def test_lines_read_alone_give_what_the_pages_rawdict_gives() -> None:
    """Every span across a border in the samples: its runs, read from its line alone, equal those of the page's rawdict."""
    checked = 0
    for path in TEXT_SAMPLES + sorted((SAMPLES / "audit").rglob("*.pdf")):
        for index in range(pymupdf.open(path).page_count):
            page, textpage = _page(path, index)
            _, spans = read_dict(index + 1, page.get_text("dict", textpage=textpage))
            wanted = misfits(_raws(page), spans.chars)
            if not wanted:
                continue
            alone = span_runs(textpage, spans, wanted)
            assert not alone.whole_page
            assert alone.runs == _rawdict_runs(textpage, spans, wanted)
            checked += len(wanted)
    assert checked >= 20


def test_a_span_that_does_not_match_its_line_is_read_from_the_whole_page() -> None:
    """Where the line read alone does not give the span the page's dict gave, the page's rawdict is read instead."""
    page, textpage = _page(sample("office/seed-department-report.pdf"), 6)
    _, spans = read_dict(7, page.get_text("dict", textpage=textpage))
    at = next(i for i, s in enumerate(spans.chars) if s.c == "形成良好的社会氛长期")
    moved = list(spans.chars)
    moved[at] = spans.chars[at]._replace(x1=spans.chars[at].x1 + 1)  # no longer the box of its line's span
    read = span_runs(textpage, PageSpans(moved, spans.keys), [at])
    assert read.whole_page
    assert [r.c for r in read.runs[at]] == ["形成良好的社会氛", "长期"]  # two runs: a gap between 氛 and 长
    assert read.runs == _rawdict_runs(textpage, spans, [at])
