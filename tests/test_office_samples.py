"""The same reports exported by LibreOffice Writer read the same as our own renderings.

LibreOffice lays the tables out itself (its own line segments, text runs and
page breaks: the seed's table runs over two pages there), so this is the
check that the reader follows the template, not our sample generator.
"""

from __future__ import annotations

from collections import Counter

import pytest

import jixiao
from tests.conftest import SAMPLES

NAMES = ["seed-department-report", "project-consistent", "department-split-table"]


def summary(path):  # type: ignore[no-untyped-def]
    (r,) = jixiao.parse(path)
    funds = [
        (line.label, line.initial_budget, line.annual_budget, line.executed, line.weight, line.execution_rate, line.score)
        for line in (r.funds.total, *r.funds.sources())
    ]
    rows = [(i.level1, i.level2, i.name, i.target, i.actual, i.weight, i.score, i.group_row is None) for i in r.indicators]
    return {
        "type": r.report_type,
        "unit": r.unit_name,
        "project": r.project_name,
        "year": r.fiscal_year,
        "funds": funds,
        "rows": rows,
        "weights": r.level1_weights,
        "totals": (r.total_weight, r.total_score, r.grade),
        "findings": Counter((f.rule, f.severity, f.where.label) for f in r.findings),
        "figures": {k: v.value for k, v in r.narrative.figures.items()},
    }


@pytest.mark.parametrize("name", NAMES)
def test_libreoffice_export_reads_like_our_rendering(name: str) -> None:
    ours = summary(SAMPLES / f"{name}.pdf")
    office = summary(SAMPLES / "office" / f"{name}.pdf")
    assert office == ours


def test_libreoffice_seed_table_spans_two_pages() -> None:
    (r,) = jixiao.parse(SAMPLES / "office" / "seed-department-report.pdf")
    assert r.pages == (7, 8)
    assert len(r.indicators) == 11


def test_traditional_mirror_reads_like_the_simplified_original() -> None:
    """A mirror site's Traditional-character copy is converted back (OpenCC t2s)."""
    assert summary(SAMPLES / "project-traditional.pdf") == summary(SAMPLES / "project-consistent.pdf")


def test_a_document_is_traditional_from_eight_marker_characters() -> None:
    from jixiao.extract.traditional import MARKERS, looks_traditional

    assert looks_traditional("績效預算執行項目實標滿產") and not looks_traditional("績效預算執行項目實標滿")  # 8 markers, 7
    assert looks_traditional("績績績績績績績績") and not looks_traditional("绩效预算执行项目实际完成" * 20)
    assert len(MARKERS) == 27
