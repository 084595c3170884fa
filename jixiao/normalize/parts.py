"""What one table says before it becomes a report, and the cell-text helpers every reader uses.

A value cell is read only in the row it starts in (a cell merged down from above
belongs to its first row), and blank marks (``/``, ``—``, ``无``) read as None.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from jixiao.layout import Cell
from jixiao.models import Box, Funds, Goals, Indicator, OcrReading, Repair, UnmappedColumn
from jixiao.normalize.header import RowView
from jixiao.normalize.memo import per_document
from jixiao.normalize.numbers import is_blank
from jixiao.normalize.text import clean_text


@dataclass
class TableParts:
    """What one table says, before it becomes a :class:`Report`."""

    unit_name: str | None = None
    project_name: str | None = None
    competent_department: str | None = None
    implementing_unit: str | None = None
    amount_unit: str = "万元"
    funds: Funds = field(default_factory=Funds)
    goals: Goals = field(default_factory=Goals)
    indicators: list[Indicator] = field(default_factory=list)
    level1_weights: dict[str, Decimal] = field(default_factory=dict)
    total_weight: Decimal | None = None
    total_score: Decimal | None = None
    total_box: Box | None = None
    total_weight_box: Box | None = None
    grade: str | None = None
    grade_box: Box | None = None
    repairs: list[Repair] = field(default_factory=list)
    has_fund_header: bool = False
    has_indicator_header: bool = False
    fund_scored: bool = False  # the fund header has a 分值 or 得分 column
    ocr_readings: list[OcrReading] = field(default_factory=list)
    unmapped: list[UnmappedColumn] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)




def value_cell(view: RowView, header: Cell) -> Cell | None:
    """The cell of this row under a header cell; None if carried down from above."""
    cell = view.at(header.col)
    if cell is None or cell.row != view.row:
        return None
    return cell




def cell_text(cell: Cell | None) -> str | None:
    return None if cell is None else value_text(cell.text)




@per_document
def value_text(raw: str) -> str | None:
    """A cell's cleaned text, None when blank; cached, as a row is read field by field."""
    text = clean_text(raw)
    return None if text is None or is_blank(text) else text




def right_of(view: RowView, cell: Cell) -> Cell | None:
    idx = view.cells.index(cell)
    return view.cells[idx + 1] if idx + 1 < len(view.cells) else None


