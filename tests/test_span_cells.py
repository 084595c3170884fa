"""Spans stand for their characters in cells only where they fit one cell; elsewhere the page is read by character."""

from __future__ import annotations

from pathlib import Path

import pymupdf
import pytest

from jixiao.extract.chars import TEXT_FLAGS, rawdict_chars, read_dict
from jixiao.extract.lattice import cluster_to_grid, drawings_to_segments, segments_to_clusters
from jixiao.extract.tables import page_grids, spans_fit
from tests.conftest import SAMPLES, sample

TEXT_SAMPLES = sorted(SAMPLES.glob("*.pdf")) + sorted((SAMPLES / "office").glob("*.pdf"))
TEXT_SAMPLES = [p for p in TEXT_SAMPLES if not p.name.endswith("-narrative.pdf")]  # real narratives have no table


def _page(path: Path, index: int) -> tuple[pymupdf.Page, pymupdf.TextPage]:
    page = pymupdf.open(path)[index]
    return page, page.get_textpage(flags=TEXT_FLAGS)


def _fits(path: Path, index: int) -> bool:
    page, textpage = _page(path, index)
    raws = [g for g in map(cluster_to_grid, segments_to_clusters(drawings_to_segments(page.get_cdrawings()))) if g]
    _, spans = read_dict(index + 1, page.get_text("dict", textpage=textpage))
    return spans_fit(raws, spans.chars)


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


def test_a_span_across_a_border_sends_the_page_to_characters() -> None:
    """LibreOffice set two cells' texts as one span (形成良好的社会氛 | 长期): the cells still come apart."""
    path = sample("office/seed-department-report.pdf")
    assert not _fits(path, 6)
    page, textpage = _page(path, 6)
    _, spans = read_dict(7, page.get_text("dict", textpage=textpage))
    assert any(s.c == "形成良好的社会氛长期" for s in spans.chars)
    (grid,) = page_grids(page, 7, None, textpage, spans=spans)
    texts = {(c.row, c.col): c.text for c in grid.grid.cells}
    assert texts[(16, 3)] == "形成良好的社会氛"
    assert texts[(16, 4)] == "长期"
    assert texts[(1, 1)] == "年度资金总额"
    assert texts[(1, 2)] == "年初预算数"
