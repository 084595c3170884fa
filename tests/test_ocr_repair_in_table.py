"""OCR damage in a typed column is mended while the table is read, and reported."""

from __future__ import annotations

from decimal import Decimal

from jixiao.layout import Cell, Grid
from jixiao.models import Box
from jixiao.normalize.table import read_table


def grid(rows: list[list[str]]) -> Grid:
    cells = tuple(
        Cell(r, c, 1, 1, text, Box(1, c * 50.0, r * 20.0, c * 50.0 + 50, r * 20.0 + 20))
        for r, row in enumerate(rows)
        for c, text in enumerate(row)
    )
    return Grid(cells, len(rows), len(rows[0]), tuple(c * 50.0 for c in range(len(rows[0]) + 1)))


def test_ocr_misread_weight_is_mended_and_reported() -> None:
    g = grid(
        [
            ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
            ["产出指标", "数量指标", "培训人次", "≥100人", "120人", "IO", "IO"],
            ["总分", "", "", "", "", "10", "10"],
        ]
    )
    parts = read_table(g, "项目支出绩效自评表")
    (ind,) = parts.indicators
    assert (ind.weight, ind.score) == (Decimal(10), Decimal(10))
    assert [(r.field, r.original, r.repaired, r.reason) for r in parts.repairs] == [
        ("weight", "IO", "10", "ocr"),
        ("score", "IO", "10", "ocr"),
    ]


def test_clean_cells_are_not_touched() -> None:
    g = grid(
        [
            ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
            ["产出指标", "数量指标", "培训人次", "≥100人", "120人", "10", "9.5"],
        ]
    )
    parts = read_table(g, "")
    assert parts.repairs == []
    assert parts.indicators[0].score == Decimal("9.5")


def test_total_row_whose_label_follows_an_empty_cell() -> None:
    """A blurred scan lost the border inside the merged 总分 cell: an empty cell, then the label."""
    g = grid(
        [
            ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
            ["产出指标", "数量指标", "培训人次", "≥100人", "120人", "10", "9"],
            ["", "总分", "", "", "", "10", "9"],
        ]
    )
    parts = read_table(g, "项目支出绩效自评表")
    assert [i.name for i in parts.indicators] == ["培训人次"]
    assert parts.total_score == Decimal(9)
