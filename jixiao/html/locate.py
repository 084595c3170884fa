"""Where on the page a finding is: its cell boxes, or the lines of its narrative snippet.

Table findings carry the boxes of their cells. A narrative finding carries the
snippet of text that states the figure (NFKC-folded, spaces between Chinese
and digits dropped, so ``search_for`` on the snippet itself rarely matches the
page): we match it against the page's characters with the same folding and box
the lines it runs over. Pure functions over an open PyMuPDF page.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from jixiao.models import Box, Finding, Report

# Snippet pieces shorter than this are not distinctive enough to box on their own.
MIN_PIECE = 4
SNIPPET_PAGES_AHEAD = 10
_PUNCT_RE = re.compile(r"[,;:!?()、。，；：！？（）\[\]【】“”\"'‘’《》<>\s]+")


@dataclass(frozen=True)
class Region:
    """The boxes to draw on one page, with the horizontal span worth showing around them."""

    page: int
    boxes: tuple[Box, ...]
    span: tuple[float, float] | None = None  # x0, x1 of the table or text column
    rows: tuple[float, ...] = ()  # the table's row lines on this page (y), to cut at whole rows


def fold(text: str) -> str:
    """The text as matched: NFKC, no whitespace.

    Example: ``fold("年初预算 677.14 万元，")`` → ``"年初预算677.14万元,"``
    """
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if not ch.isspace())


def report_boxes(report: Report) -> list[Box]:
    """Every cell box the report's records name (funds, indicators, total, grade)."""
    boxes: list[Box] = []
    lines = [*(getattr(report.funds, n) for n in ("total", "current_appropriation", "prior_carryover", "other")),
             *report.funds.extra]
    for line in lines:
        if line is not None:
            boxes.extend(line.cells.values())
    for indicator in report.indicators:
        boxes.extend(indicator.cells.values())
    boxes.extend(b for b in (report.total_box, report.grade_box) if b is not None)
    return boxes


def table_span(report: Report, page: int) -> tuple[float, float] | None:
    """The x-range of the report's table on ``page``, or None when it has no cell there."""
    xs = [(b.x0, b.x1) for b in report_boxes(report) if b.page == page]
    if not xs:
        return None
    return min(x0 for x0, _ in xs), max(x1 for _, x1 in xs)


def total_weight_box(report: Report) -> Box | None:
    """The 总分 row's 分值 cell, as the reader found it."""
    return report.total_weight_box


def finding_boxes(finding: Finding, report: Report) -> tuple[Box, ...]:
    """The cells to frame for ``finding``."""
    return finding.where.boxes


def row_lines(report: Report, page: int) -> tuple[float, ...]:
    """The y of every row line of the report's table on ``page``, top to bottom."""
    return tuple(sorted({y for b in report_boxes(report) if b.page == page for y in (b.y0, b.y1)}))


def boxes_by_page(boxes: Iterable[Box]) -> dict[int, tuple[Box, ...]]:
    """Boxes grouped by page in first-seen order, duplicates dropped."""
    pages: dict[int, list[Box]] = {}
    for box in boxes:
        kept = pages.setdefault(box.page, [])
        if box not in kept:
            kept.append(box)
    return {page: tuple(kept) for page, kept in pages.items()}


def snippet_pieces(snippet: str, prefer: Sequence[str] = ()) -> list[str]:
    """What to look for, best first: the whole snippet, then its pieces between punctuation.

    Pieces holding one of ``prefer`` (the finding's values) come first, then longer ones.

    Example: ``snippet_pieces("入778.26万元,其中年初预算677.14万元", ["677.14"])``
    → ``["入778.26万元,其中年初预算677.14万元", "其中年初预算677.14万元", "入778.26万元"]``
    """
    whole = fold(snippet)
    pieces = [p for p in _PUNCT_RE.split(whole) if len(p) >= MIN_PIECE and p != whole]
    pieces.sort(key=lambda p: (not any(v and v in p for v in prefer), -len(p)))
    return [whole, *pieces] if whole else pieces


def _page_chars(page: Any) -> list[tuple[str, tuple[float, float, float, float], int]]:
    """Every visible character of the page, folded, with its box and its line's index."""
    chars: list[tuple[str, tuple[float, float, float, float], int]] = []
    line_no = 0
    for block in page.get_text("rawdict")["blocks"]:
        for line in block.get("lines", ()):
            line_no += 1
            for span in line["spans"]:
                for ch in span["chars"]:
                    for c in fold(ch["c"]):
                        chars.append((c, tuple(ch["bbox"]), line_no))
    return chars


def find_text(page: Any, page_no: int, pieces: Sequence[str]) -> tuple[Box, ...]:
    """One box per line that the first piece found on the page runs over (empty if none is found)."""
    chars = _page_chars(page)
    text = "".join(c for c, _, _ in chars)
    for piece in pieces:
        start = text.find(piece)
        if start < 0:
            continue
        lines: dict[int, list[float]] = {}
        for _, (x0, y0, x1, y1), line_no in chars[start : start + len(piece)]:
            r = lines.setdefault(line_no, [x0, y0, x1, y1])
            r[:] = [min(r[0], x0), min(r[1], y0), max(r[2], x1), max(r[3], y1)]
        return tuple(Box.of(page_no, *r) for r in lines.values())
    return ()


def text_span(page: Any, boxes: Sequence[Box]) -> tuple[float, float] | None:
    """The x-range of the text blocks that hold ``boxes`` (the paragraph's column)."""
    xs: list[tuple[float, float]] = []
    for x0, y0, x1, y1, *_ in page.get_text("blocks"):
        if any(b.x0 < x1 and x0 < b.x1 and b.y0 < y1 and y0 < b.y1 for b in boxes):
            xs.append((x0, x1))
    if not xs:
        return None
    return min(x0 for x0, _ in xs), max(x1 for _, x1 in xs)


def finding_regions(finding: Finding, report: Report, page_of: Any) -> list[Region]:
    """The regions to crop for ``finding``; ``page_of(n)`` gives the open PyMuPDF page n (1-based).

    Cell boxes win; a finding with only a snippet is located by its text; one with
    neither (a missing field) has no region.
    """
    where = finding.where
    cells = finding_boxes(finding, report)
    if cells:
        return [
            Region(page, boxes, table_span(report, page), row_lines(report, page))
            for page, boxes in boxes_by_page(cells).items()
        ]
    page_no = where.page or finding.page
    if not where.snippet or page_no is None:
        return []
    prefer = [fold(v) for v in (finding.found, finding.expected) if v]
    pieces = snippet_pieces(where.snippet, prefer)
    for number in search_order(page_no):
        page = page_of(number)
        if page is None:
            continue
        boxes = find_text(page, number, pieces)
        if boxes:
            return [Region(number, boxes, text_span(page, boxes))]
    return []


def search_order(page: int) -> list[int]:
    """Pages to look for a snippet on: its own, the next ones, then the ones before.

    A narrative figure's page is where its section starts; the sentence may sit a few pages on.

    Example: ``search_order(3)[:4]`` → ``[3, 4, 5, 6]``
    """
    ahead = list(range(page, page + SNIPPET_PAGES_AHEAD + 1))
    return ahead + list(range(page - 1, 0, -1))
