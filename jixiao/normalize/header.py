"""A table's header rows → which grid column holds which field.

Headers are matched by their text (:func:`match_field`), never by position.
A header may take two rows: a cell spanning several columns (``年度指标值``)
over a second row that names each of them (``指标性质 | 指标值 | 度量单位``).
Each sub-column is then placed by its own text, or by its text joined to its
parent's (``年初`` under ``预算数`` is ``年初预算数``); whatever cannot be placed
is kept as an *unplaced* column, so its values go to the row's ``extra`` and
the reader says so (``unmapped_column``) instead of dropping them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import regex

from jixiao.layout import Cell
from jixiao.normalize.canon import Vocabulary, fuzzy_field, header_key, match_field
from jixiao.normalize.memo import per_document
from jixiao.normalize.text import compact

MIN_HEADER_HITS = 3
#: Headers already placed exactly before misread ones are looked for in a row (an OCR'd
#: fund header may keep only 全年执行数 and 执行率 whole).
MIN_FUZZY_HITS = 2
#: A sub-header is a short label: longer text, or a number, is a value row.
MAX_SUBHEADER_CHARS = 12
_DIGITS = regex.compile(r"[0-9０-９]")


@dataclass(frozen=True)
class Header:
    """Where a block's fields are, and the columns no field claims.

    ``cols`` maps a field to the header cell above its values (a sub-column's
    own cell under a two-row header); ``unplaced`` holds the header cells of
    columns the reader could not place, with the text they show (``年度指标值/
    备注`` for a sub-column); ``body`` is the first row below the header.
    """

    cols: dict[str, Cell]
    unplaced: tuple[tuple[Cell, str], ...]
    body: int


class RowView:
    """The cells covering one grid row, left to right, merged cells included once."""

    def __init__(self, occ: list[Cell | None], row: int) -> None:
        self.row = row
        self.occ = occ
        seen: list[Cell] = []
        for cell in occ:
            if cell is not None and (not seen or seen[-1] is not cell):
                seen.append(cell)
        self.cells = seen

    def own(self) -> list[Cell]:
        """Cells that start in this row (not carried down from a merge above)."""
        return [c for c in self.cells if c.row == self.row]

    def at(self, col: int) -> Cell | None:
        return self.occ[col] if 0 <= col < len(self.occ) else None

    def texts(self) -> list[str]:
        return [compact(c.text) or "" for c in self.cells]


def header_columns(view: RowView, table: Vocabulary) -> dict[str, Cell]:
    """Field → header cell. Exact spellings win over prefixes, and a column
    name printed again (the old framework's 分值 after each level) belongs to
    the label column just left of it: ``level1_weight``, ``level2_weight``.
    """
    own = view.own()
    if not any(match_field(cell.text, table) for cell in own):
        return {}  # most rows: no cell names a field, exactly or by prefix (so none fuzzily either)
    cols = _matched(own, table)
    _fuzzy(own, cols, table)
    _level_weights(own, cols, table)
    return cols


def _matched(own: list[Cell], table: Vocabulary) -> dict[str, Cell]:
    cols: dict[str, Cell] = {}
    for exact in (True, False):
        for cell in own:
            if any(c is cell for c in cols.values()):
                continue
            name = match_field(cell.text, table, exact=exact)
            if not name:
                continue
            if name in cols:
                left = own[own.index(cell) - 1] if own.index(cell) > 0 else None
                owner = next((k for k, c in cols.items() if c is left), None)
                if owner in ("level1", "level2") and name == "weight":
                    cols[f"{owner}_weight"] = cell
                continue
            cols[name] = cell
    return cols


def _fuzzy(own: list[Cell], cols: dict[str, Cell], table: Vocabulary) -> None:
    """A header OCR misread by a character or two, for a field still missing: looked
    for only in a row that already reads as a header, never among values."""
    for cell in own if len(cols) >= MIN_FUZZY_HITS else ():
        if any(c is cell for c in cols.values()) or match_field(cell.text, table) is not None:
            continue
        near = fuzzy_field(cell.text, table)
        if near is not None and near[0] not in cols:
            cols[near[0]] = cell


def _level_weights(own: list[Cell], cols: dict[str, Cell], table: Vocabulary) -> None:
    first_weight = cols.get("weight")
    if first_weight is not None and "level1" in cols and _next_to(own, cols["level1"], first_weight):
        later = [c for c in own if c.col > first_weight.col and match_field(c.text, table) == "weight"]
        cols["level1_weight"] = first_weight
        if later:
            cols["weight"] = later[-1]
            middle = later[:-1]
            if middle and "level2" in cols and _next_to(own, cols["level2"], middle[0]):
                cols["level2_weight"] = middle[0]
        else:
            del cols["weight"]


def _next_to(own: list[Cell], left: Cell, right: Cell) -> bool:
    return own.index(right) == own.index(left) + 1 if left in own and right in own else False


@per_document
def _subheader_text(text: str) -> bool:
    flat = header_key(text)
    return 0 < len(flat) <= MAX_SUBHEADER_CHARS and not _DIGITS.search(flat)


def _children(view: RowView, parent: Cell) -> list[Cell]:
    return [c for c in view.own() if parent.col <= c.col and c.col + c.colspan <= parent.col + parent.colspan]


def _second_row(first: RowView, second: RowView | None) -> list[tuple[Cell, list[Cell]]] | None:
    """The parents of a two-row header with their sub-header cells, or None.

    The second row is a header row only when every cell it starts lies under a
    wide parent cell of the first row and reads as a short label, and every
    other column is a header cell of the first row carried down (``rowspan``
    over both rows): a first body row never looks like that.
    """
    if second is None:
        return None
    own = second.own()
    if not own:
        return None
    parents = [c for c in first.own() if c.colspan > 1 and c.rowspan == 1]
    groups = [(p, _children(second, p)) for p in parents]
    groups = [(p, kids) for p, kids in groups if len(kids) >= 2]
    under = {id(c) for _p, kids in groups for c in kids}
    if not groups or any(id(c) not in under for c in own):
        return None
    if not all(_subheader_text(c.text) for c in own):
        return None
    carried = [c for c in second.cells if id(c) not in under and all(c is not p for p, _k in groups)]
    if any(c.row != first.row or c.rowspan < 2 for c in carried):
        return None
    return groups


def _place_child(child: Cell, parent_key: str, table: Vocabulary) -> str | None:
    key = header_key(child.text)
    for text in (key, key + parent_key, parent_key + key):
        name = match_field(text, table, exact=True)
        if name is not None:
            return name
    return match_field(key, table)


def read_header(views: Sequence[RowView], r: int, table: Vocabulary) -> Header:
    """The header at row ``r``: its field map, its unplaced columns and where the body starts.

    Cells left of the first column a header names are the block's row labels
    (资金情况, 绩效指标(90分), 年度预算数(万元)), not columns.
    """
    first = views[r]
    own = first.own()
    cols = _matched(own, table)
    second = views[r + 1] if r + 1 < len(views) else None
    groups = _second_row(first, second)
    body = r + 1
    if groups is not None:
        body = r + 2
        for parent, kids in groups:
            parent_field = next((k for k, c in cols.items() if c is parent), None)
            if parent_field is not None:
                del cols[parent_field]
            parent_key = header_key(parent.text)
            for kid in kids:
                name = _place_child(kid, parent_key, table)
                if name is not None and name not in cols:
                    cols[name] = kid
            if parent_field is not None and parent_field not in cols:
                free = [k for k in kids if all(c is not k for c in cols.values())]
                if len(free) == 1:  # the one sub-column nothing else claims carries the parent's field
                    cols[parent_field] = free[0]
    block_start = min((c.col for c in cols.values()), default=0)
    _fuzzy([*own, *(k for _p, kids in groups or () for k in kids)], cols, table)
    _level_weights(own, cols, table)
    placed = {id(c) for c in cols.values()}
    header_rows = [first] if groups is None else [first, views[r + 1]]
    unplaced: list[tuple[Cell, str]] = []
    parents = {id(p): p for p, _k in groups or ()}
    for view in header_rows:
        for cell in view.own():
            if id(cell) in placed or id(cell) in parents or cell.col < block_start:
                continue
            if cell.last_row >= body or not header_key(cell.text):
                continue  # a block label down the side, or an empty header
            if any(c.covers_col(cell.col) for c in cols.values()):
                continue  # a sub-column of a placed field's wide header
            label = compact(cell.text) or ""
            above = next((p for p in parents.values() if p.covers_col(cell.col) and p.row < cell.row), None)
            if above is not None:
                label = f"{compact(above.text)}/{label}"
            unplaced.append((cell, label))
    return Header(cols, tuple(unplaced), body)
