"""A worksheet (xlsx, xls, an HTML table) → paragraphs and one table, shown as Excel shows it.

A sheet holding a 自评表 is the table plus a few lines of one cell each above
it (the title, the year, the unit) and below it (填报人, the date): rows with
at most one non-empty cell before the first and after the last row of two or
more become paragraphs, the rows between become the table.  Numbers are
turned into the text the sheet displays (``0.9673`` in a ``0.00%`` cell is
``96.73%``) because the checks compare what the document states, with its
precision; no maintained library formats Excel number formats for Python
(openpyxl and xlrd give the format string only), so the common ones are
handled here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence, Set

import regex

from jixiao.extract.flow import FlowCell, FlowItem, FlowPara, FlowTable, col_edges_of

CELL_WIDTH_PT = 54.0  # Excel's default column (8.43 characters); widths only join split tables
_QUOTED = regex.compile(r'"([^"]*)"|\\(.)')
_BRACKETS = regex.compile(r"\[[^\]]*\]")
Merge = tuple[int, int, int, int]  # first row, row after the last, first column, column after the last


def display(value: object, number_format: str | None) -> str:
    """A cell's value as the sheet shows it.

    Example: ``display(0.9673, "0.00%") == "96.73%"``; ``display(300.0, "#,##0.00") == "300.00"``.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime | dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, int | float):
        return _number(float(value), number_format or "General")
    return str(value).strip()


def _number(v: float, fmt: str) -> str:
    sections = fmt.split(";")
    section = sections[0]
    if v < 0 and len(sections) > 1 and sections[1]:
        section, v = sections[1], -v  # the negative section writes its own sign or brackets
    prefix, suffix = "", ""
    body = _BRACKETS.sub("", section)
    literals = [m.group(1) if m.group(1) is not None else m.group(2) for m in _QUOTED.finditer(body)]
    if literals:
        first = _QUOTED.search(body)
        if first is not None and first.start() == 0:
            prefix = literals[0]
        else:
            suffix = "".join(literals)
        body = _QUOTED.sub("", body)
    if body.strip().lower() in ("general", "", "@"):
        return prefix + _general(v) + suffix
    percent = "%" in body
    if percent:
        v *= 100
    digits = body.split(".")[1] if "." in body else ""
    decimals = sum(1 for ch in digits if ch in "0#?")
    text = f"{v:,.{decimals}f}" if "," in body.split(".")[0] else f"{v:.{decimals}f}"
    if "#" in digits and decimals:
        text = text.rstrip("0").rstrip(".")
    return prefix + text + ("%" if percent else "") + suffix


def _general(v: float) -> str:
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return f"{round(v, 10):.11g}"


def sheet_items(
    page: int,
    values: Mapping[tuple[int, int], str],
    merges: Sequence[Merge],
    widths: Sequence[float] = (),
    ruled_rows: Set[int] = frozenset(),
) -> Iterator[FlowItem]:
    """One sheet's paragraphs and table; ``values``: (row, col) → shown text, 0-based, non-empty only.

    ``ruled_rows``: rows with a bordered cell.  Where a sheet has borders, the table ends at
    its first and last ruled row, so a line such as ``填报单位：… | 金额单位：万元`` just above
    the ruled table is text above it, as in the PDF, not a first row of the table.
    """
    covered: dict[tuple[int, int], tuple[int, int]] = {}
    spans = {(r0, c0): (r1 - r0, c1 - c0) for r0, r1, c0, c1 in merges}
    for r0, r1, c0, c1 in merges:
        for r in range(r0, r1):
            for c in range(c0, c1):
                if (r, c) != (r0, c0):
                    covered[(r, c)] = (r0, c0)
    anchors: dict[int, list[int]] = {}
    for (r, c), text in values.items():
        if text and (r, c) not in covered:
            anchors.setdefault(r, []).append(c)
    table_rows = [r for r, cols in anchors.items() if len(cols) >= 2]
    if not table_rows:
        for r in sorted(anchors):
            yield _line(page, r, values, anchors[r])
        return
    top, bottom = min(table_rows), max(table_rows)
    if ruled_rows & set(range(top, bottom + 1)):
        while top < bottom and top not in ruled_rows:
            top += 1
        while bottom > top and bottom not in ruled_rows:
            bottom -= 1
    for r0, r1, _c0, _c1 in merges:  # a merge from the last row reaches further down
        if top <= r0 <= bottom:
            bottom = max(bottom, r1 - 1)
    for r in sorted(x for x in anchors if x < top):
        yield _line(page, r, values, anchors[r])
    cols = [c for r, cs in anchors.items() if top <= r <= bottom for c in cs]
    cols += [c for r0, _r1, c0, c1 in merges if top <= r0 <= bottom for c in (c0, c1 - 1)]
    left, right = min(cols), max(cols)
    cells = []
    for r in range(top, bottom + 1):
        for c in range(left, right + 1):
            if (r, c) in covered:
                continue
            span = spans.get((r, c), (1, 1))
            cells.append(FlowCell(r - top, c - left, span[0], span[1], values.get((r, c), "")))
    col_widths = [widths[c] if c < len(widths) and widths[c] else CELL_WIDTH_PT for c in range(left, right + 1)]
    yield FlowTable(page, tuple(cells), bottom - top + 1, right - left + 1, col_edges_of(col_widths), (top, left))
    for r in sorted(x for x in anchors if x > bottom):
        yield _line(page, r, values, anchors[r])


def _line(page: int, row: int, values: Mapping[tuple[int, int], str], cols: Sequence[int]) -> FlowPara:
    """A row outside the table as one line of text, its cells left to right."""
    return FlowPara(page, row, "  ".join(values[(row, c)] for c in sorted(cols)))
