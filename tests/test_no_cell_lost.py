"""Nothing a sample's tables say is lost: every non-empty cell lands in a field, an
``extra``, a label of the form or a finding (issue 15, "nothing silent").

A cell is accounted for when its text (spaces removed) is found in the parsed
record, keys included; when its number is a number of the record; or when it is
one of the form's own labels: a column header, a row or block caption, an
indicator label with its stated weight (``产出指标(50分)``), the grade line.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import regex
from rapidfuzz.distance import Levenshtein

from jixiao.extract.document import extract_path
from jixiao.layout import Cell, Grid
from jixiao.models import Report
from jixiao.normalize import vocab
from jixiao.normalize.canon import canonical_label, header_key, match_field, strip_lead
from jixiao.normalize.labels import is_placeholder, parse_grade, split_stated_weight
from jixiao.normalize.numbers import is_blank, parse_amount, parse_decimal, parse_rate
from jixiao.normalize.text import clean_text
from jixiao.outputs.records import record_to_dict
from jixiao.pipeline import parse_path

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
TEXT_SAMPLES = sorted(p for p in (*SAMPLES.glob("*.pdf"), *(SAMPLES / "office").glob("*.pdf")))
KEY_LABELS = (
    *vocab.PROJECT_LABELS, *vocab.COMPETENT_LABELS, *vocab.IMPLEMENTING_LABELS, *vocab.DEPARTMENT_LABELS,
    *vocab.TOTAL_SCORE_LABELS, *vocab.TOTAL_ROW, *vocab.GOAL_EXPECTED, *vocab.GOAL_ACTUAL, *vocab.BLOCK_LABELS,
)


def _flat(text: str) -> str:
    return str(regex.sub(r"\s+", "", text))


def _collect(value: Any, texts: list[str], numbers: set[Decimal]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            texts.append(_flat(str(key)))
            _collect(item, texts, numbers)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _collect(item, texts, numbers)
    elif isinstance(value, str):
        texts.append(_flat(value))
    elif isinstance(value, Decimal):
        numbers.add(value.normalize())


def _is_label(text: str) -> bool:
    key = header_key(text).removesuffix("(盖章)")
    if is_placeholder(text):
        return True  # the template's unfilled 指标2 / ……
    if any(match_field(text, table) for table in (vocab.INDICATOR_COLUMNS, vocab.FUND_COLUMNS)):
        return True
    if strip_lead(text) in {w for _, words in vocab.FUND_ROWS for w in words} or key in KEY_LABELS:
        return True
    caption = regex.sub(r"[0-9]+$", "", key)
    if any(Levenshtein.distance(caption, w) <= (0 if len(w) < 4 else 2) for w in vocab.BLOCK_LABELS):
        return True  # a block's caption (项目资金(万元)), an OCR'd one (项Fl资金(万兀)) too
    if key.endswith(vocab.UNIT_LABEL_ENDINGS):
        return True
    label = split_stated_weight(text)[0]
    return canonical_label(label, (*vocab.LEVEL1, *vocab.LEVEL2))[0] in (*vocab.LEVEL1, *vocab.LEVEL2)


def _sub_header(cell: Cell, grid: Grid) -> bool:
    """A second-row header (``年初`` under ``预算数``) names its field with its parent's text."""
    parents = [c for c in grid.cells if c.row + c.rowspan == cell.row and c.colspan > 1 and c.covers_col(cell.col)]
    return any(
        match_field(joined, table, exact=True)
        for parent in parents
        for joined in (header_key(cell.text) + header_key(parent.text), header_key(parent.text) + header_key(cell.text))
        for table in (vocab.INDICATOR_COLUMNS, vocab.FUND_COLUMNS)
    )


def lost_cells(path: Path) -> list[str]:
    reports = [r for r in parse_path(path) if isinstance(r, Report)]
    texts: list[str] = []
    numbers: set[Decimal] = set()
    _collect([record_to_dict(r) for r in reports], texts, numbers)
    grades = {r.grade for r in reports}
    lost = []
    for block in extract_path(path).tables:
        for cell in block.grid.cells:
            text = clean_text(cell.text)
            if text is None or is_blank(text):
                continue
            flat = _flat(text)
            if any(flat in t for t in texts) or _is_label(text) or parse_grade(text) in grades - {None}:
                continue
            if "/" in flat and all(any(part in t for t in texts) for part in flat.split("/") if part):
                continue  # 单位/负责人 read as two values
            if _flat(split_stated_weight(text)[0]) in texts or _sub_header(cell, block.grid):
                continue
            parsed = (parse_decimal(text), parse_rate(text), parse_amount(text, "万元"))
            if any(v is not None and v.normalize() in numbers for v in parsed):
                continue
            lost.append(flat)
    return lost


@pytest.mark.parametrize("path", TEXT_SAMPLES, ids=lambda p: str(p.relative_to(SAMPLES)))
def test_every_cell_is_accounted_for(path: Path) -> None:
    assert lost_cells(path) == []
