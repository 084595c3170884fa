"""Rows of the 资金情况 block → fund lines: which source a row is, and its values.

A row is placed by its label (年度资金总额, 其中:当年财政拨款 …, or any other
source ending in 资金/拨款); a value cell OCR damaged is mended onto the audit
trail; a cell spanning several fields' columns is none of them (kept in ``extra``).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import regex

from jixiao.layout import Cell
from jixiao.models import Box, FundLine, Repair
from jixiao.normalize import vocab
from jixiao.normalize.canon import strip_lead
from jixiao.normalize.header import RowView
from jixiao.normalize.numbers import parse_amount, parse_decimal, parse_rate
from jixiao.normalize.ocr_repair import ValueKind, repair_value
from jixiao.normalize.parts import cell_text, value_cell
from jixiao.normalize.text import compact

_UNIT = regex.compile(r"(?:[(（]\s*(万元|元)\s*[)）]|单位\s*[:：]\s*(万元|元))")


def detect_unit(texts: Sequence[str]) -> str | None:
    for text in texts:
        m = _UNIT.search(compact(text) or "")
        if m:
            return str(m.group(1) or m.group(2))
    return None




def fund_line(
    view: RowView, label: str, cols: dict[str, Cell], unit: str, repairs: list[Repair], extra: dict[str, str]
) -> FundLine:
    """One row of the fund block; value cells OCR damaged (``291,40``) are mended onto ``repairs``."""
    values: dict[str, Decimal | None] = {}
    boxes: dict[str, Box] = {}
    for name, header in cols.items():
        if name in vocab.UNFIELDED_FUND_COLUMNS:
            continue  # kept in ``extra``
        cell = value_cell(view, header)
        text = cell_text(cell)
        if cell is not None:
            boxes[name] = cell.box
        shared = [n for n, h in cols.items() if cell is not None and h is not header and cell.covers_col(h.col)]
        if shared and text is not None and cell is not None:
            # one cell across several fields' columns (a second breakdown set beside the
            # sources: 项目支出: | 156.2): no one field's value; kept under all their headers
            heads = "/".join(compact(h.text) or n for n, h in cols.items() if cell.covers_col(h.col))
            extra.setdefault(heads, text)
            values[name] = None
            continue
        if text is not None and cell is not None:
            kind: ValueKind = "rate" if name == "execution_rate" else "number" if name in ("weight", "score") else "amount"
            fixed = repair_value(kind, text)
            if fixed is not None and fixed != text:
                repairs.append(Repair(name, text, fixed, cell.page, cell.row, cell.box, "ocr"))
                text = fixed
        if text is None:
            values[name] = None
        elif name == "execution_rate":
            values[name] = parse_rate(text)
        elif name in ("weight", "score"):
            values[name] = parse_decimal(text)
        else:
            values[name] = parse_amount(text, unit)
    page = next(iter(boxes.values())).page if boxes else None
    return FundLine(label=label, page=page, row=view.row, cells=boxes, extra=extra, **values)




_POINTS = regex.compile(r"[(（]\s*([0-9]+(?:\.[0-9]+)?)\s*分\s*[)）]|([0-9]+(?:\.[0-9]+)?)\s*分\s*[*×xX]")




def stated_points(view: RowView) -> Decimal | None:
    """The fund weight some forms print only in a header: ``预算执行情况(20分)``, ``得分(20分*执行率)``."""
    for cell in view.cells:
        m = _POINTS.search(compact(cell.text) or "")
        if m:
            return Decimal(m.group(1) or m.group(2))
    return None




def fund_row_key(label: str) -> str | None:
    key = strip_lead(label)
    for name, words in vocab.FUND_ROWS:
        if key in words:
            return name
    if any(key.startswith(w) for w in vocab.EXTRA_FUND_ROWS):
        return "extra"
    if key.endswith(vocab.FUND_SOURCE_ENDINGS) and len(key) > 2:
        return "extra"  # a source the MOF template does not name: 中央财政资金, 地方财政资金, 省级补助资金
    return None


