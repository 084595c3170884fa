"""Characters of a page, placed into table cells and joined into cell text.

Cells are filled per character (by the character's centre) rather than per
text line, because a PDF text line can run across several cells when their
texts sit on one baseline; reading whole lines would glue neighbouring numbers
(``310.2154.74``).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

import pymupdf

from jixiao.extract.narrative import Line, new_line
from jixiao.models import Box

#: One character of a run as the text layer gives it: its text and (x0, y0, x1, y1).
Part = tuple[str, tuple[float, float, float, float]]


class Char(NamedTuple):
    """A character, or a run of tightly set characters, with its box in points.

    A named tuple rather than a frozen dataclass: a table page makes
    thousands of these, and a tuple is built several times faster.
    """

    c: str
    x0: float
    y0: float
    x1: float
    y1: float
    size: float
    # A run of tightly set characters is one Char whose ``c`` is the run's text;
    # ``parts`` keeps its characters (as the text layer gave them) for when the
    # run straddles a cell border, and Chars are made of them only then.
    parts: tuple[Part, ...] = ()

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


TEXT_FLAGS = pymupdf.TEXT_PRESERVE_WHITESPACE
_new_tuple = tuple.__new__  # builds a Char without the named tuple's Python-level __new__
RUN_GAP = 0.15  # characters closer than this (× font size) are one run of text


def page_chars(page: pymupdf.Page, textpage: pymupdf.TextPage | None = None) -> list[Char]:
    """All characters, grouped into runs, with their boxes, in reading order of the text layer.

    Pass the page's ``textpage`` when it was already made: making one is
    most of the cost of reading a page.  A run ends at a space (a space is a
    run of its own) and at a gap wider than ``RUN_GAP`` × the font size.
    """
    return rawdict_chars(page.get_text("rawdict", flags=TEXT_FLAGS, textpage=textpage))


#: Where a span sits in ``get_text("dict")``: its block's number, its line's and its own index.
SpanKey = tuple[int, int, int]


class PageSpans(NamedTuple):
    """A page's spans as coarse runs, and where each sits in the text layer.

    The key lets a span that runs across a cell border be read again by
    character (:func:`span_runs`) without reading the whole page so.
    """

    chars: list[Char]
    keys: list[SpanKey]


def read_dict(page_no: int, text_dict: dict[str, Any]) -> tuple[list[Line], PageSpans]:
    """A page's visual lines from ``get_text("dict")``, and its spans as coarse runs.

    A span becomes one Char without ``parts``: its text, box and size.  That
    is what the character runs of :func:`rawdict_chars` give once placed in
    cells, wherever a span lies wholly inside one cell (see
    :func:`jixiao.extract.tables.spans_fit`): MuPDF's spans already hold the
    spaces, real or synthetic, at which runs end.  ``dict`` costs half of
    ``rawdict``, and a span costs one Char instead of one per character.
    """
    lines: list[Line] = []
    spans: list[Char] = []
    keys: list[SpanKey] = []
    add_span, add_key, add_line = spans.append, keys.append, lines.append  # every span of every page
    for block in text_dict["blocks"]:
        number = block["number"]
        for line_at, line in enumerate(block.get("lines", ())):
            line_spans = line["spans"]
            line_size = 0.0
            for span_at, span in enumerate(line_spans):
                size = float(span["size"])
                if size > line_size:
                    line_size = size
                span_text = span["text"]
                if span_text:
                    x0, y0, x1, y1 = span["bbox"]
                    add_span(_new_tuple(Char, (span_text, x0, y0, x1, y1, size, ())))
                    add_key((number, line_at, span_at))
            text = line_spans[0]["text"] if len(line_spans) == 1 else "".join([s["text"] for s in line_spans])
            if text.strip():
                x0, y0, x1, y1 = line["bbox"]
                add_line(new_line(page_no, text, _box_of(page_no, x0, y0, x1, y1), line_size))
    return lines, PageSpans(spans, keys)


_box_of = Box.of  # bound once, not looked up for each line


def rawdict_chars(raw: dict[str, Any]) -> list[Char]:
    """A page's character runs, from ``get_text("rawdict")``."""
    out: list[Char] = []
    for block in raw["blocks"]:
        for line in block.get("lines", ()):
            for span in line["spans"]:
                _add_runs(span, out)
    return out


def _add_runs(span: dict[str, Any], out: list[Char]) -> None:
    """A ``rawdict`` span's character runs: a run ends at a space and at a gap wider than ``RUN_GAP`` × size."""
    size = float(span["size"])
    gap = RUN_GAP * size
    run: list[Part] = []
    last_x1 = 0.0
    for ch in span["chars"]:
        c, box = ch["c"], ch["bbox"]
        if run and (c == " " or box[0] - last_x1 > gap or run[-1][0] == " "):
            out.append(make_run(run, size))
            run = []
        run.append((c, box))
        last_x1 = box[2]
    if run:
        out.append(make_run(run, size))


class SpanRuns(NamedTuple):
    """The character runs of some spans, and how they were read."""

    runs: dict[int, list[Char]]  # by the span's index in :class:`PageSpans`
    whole_page: bool  # True: the page's ``rawdict`` was read (the per-line reader could not be used)


def span_runs(textpage: pymupdf.TextPage, spans: PageSpans, wanted: Sequence[int]) -> SpanRuns:
    """The character runs of the wanted spans (indices into ``spans``), as :func:`rawdict_chars` gives them.

    Only the text lines holding them are read by character, through the
    function MuPDF's ``rawdict`` itself builds each line with; a page whose
    lines cannot be read so (another PyMuPDF, a line that does not match
    its span) is read whole by ``rawdict``, the same characters at twice
    the cost of ``dict``.
    """
    lines = _raw_lines(textpage, {spans.keys[i][:2] for i in wanted})
    if lines is not None:
        runs: dict[int, list[Char]] = {}
        for i in wanted:
            number, line_at, span_at = spans.keys[i]
            line_spans = lines[number, line_at]
            if span_at >= len(line_spans) or not _same_span(line_spans[span_at], spans.chars[i]):
                break
            runs[i] = []
            _add_runs(line_spans[span_at], runs[i])
        else:
            return SpanRuns(runs, whole_page=False)
    raw = textpage.extractRAWDICT()
    blocks = {b["number"]: b for b in raw["blocks"]}
    runs = {}
    for i in wanted:
        number, line_at, span_at = spans.keys[i]
        runs[i] = []
        _add_runs(blocks[number]["lines"][line_at]["spans"][span_at], runs[i])
    return SpanRuns(runs, whole_page=True)


def _same_span(raw_span: dict[str, Any], span: Char) -> bool:
    return tuple(raw_span["bbox"]) == span[1:5] and "".join([ch["c"] for ch in raw_span["chars"]]) == span.c


def _raw_lines(textpage: pymupdf.TextPage, wanted: set[tuple[int, int]]) -> dict[tuple[int, int], list[Any]] | None:
    """The ``rawdict`` spans of the wanted lines (block number, line index), or None where they cannot be read alone.

    Walks MuPDF's text page as ``rawdict`` does (every block counts in the
    numbering; a line outside the page's box is skipped) and builds each
    wanted line with PyMuPDF's own line builder, so its characters and boxes
    are those of ``rawdict``.  That builder is not public API: any failure
    sends the caller to the whole page's ``rawdict``.
    """
    try:
        from pymupdf import extra, mupdf

        stext = textpage.this.m_internal
        rect = mupdf.FzRect(stext.mediabox)
        infinite = mupdf.fz_is_infinite_rect(rect)
        left, top, right, bottom = rect.x0, rect.y0, rect.x1, rect.y1
        buffer = mupdf.fz_new_buffer(128)
        blocks = {number for number, _ in wanted}
        out: dict[tuple[int, int], list[Any]] = {}
        block, number = stext.first_block, 0
        while block is not None:  # the C list itself: a wrapper per block costs four times more
            if number in blocks:
                at = 0
                for line in mupdf.FzStextBlock(block):
                    if not infinite:
                        # fz_is_empty_rect(fz_intersect_rect(rect, bbox)), compared here: four wrapper objects fewer a line
                        box = line.m_internal.bbox
                        if not (max(left, box.x0) < min(right, box.x1) and max(top, box.y0) < min(bottom, box.y1)):
                            continue
                    if (number, at) in wanted:
                        line_dict: dict[str, Any] = {}
                        extra.JM_make_spanlist(line_dict, line, True, buffer, rect)
                        out[number, at] = line_dict["spans"]
                    at += 1
                if len(out) == len(wanted):
                    return out
            block, number = block.next, number + 1
    except Exception:  # PyMuPDF's internals differ: read the whole page instead
        return None
    return None


def make_run(run: list[Part], size: float) -> Char:
    """Fast path: placing one run costs what one character costs."""
    c, (x0, y0, x1, y1) = run[0]
    if len(run) == 1:
        return _new_tuple(Char, (c, x0, y0, x1, y1, size, ()))
    top, bottom = y0, y1
    for _, box in run:
        if box[1] < top:
            top = box[1]
        if box[3] > bottom:
            bottom = box[3]
    return _new_tuple(Char, ("".join([p[0] for p in run]), x0, top, run[-1][1][2], bottom, size, tuple(run)))


def end_cells(run: Char, xs: Sequence[float], ys: Sequence[float]) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
    """The elementary grid cells of a run's first and last characters."""
    first, last = run.parts[0][1], run.parts[-1][1]
    return (
        _cell_at(xs, ys, (first[0] + first[2]) / 2, (first[1] + first[3]) / 2),
        _cell_at(xs, ys, (last[0] + last[2]) / 2, (last[1] + last[3]) / 2),
    )


def split_run(run: Char) -> list[Char]:
    """A run's characters, each a Char of its own (for a run across a cell border)."""
    return [Char(c, *box, run.size) for c, box in run.parts]


def _cell_at(xs: Sequence[float], ys: Sequence[float], x: float, y: float) -> tuple[int, int] | None:
    c = bisect_right(xs, x) - 1
    r = bisect_right(ys, y) - 1
    if 0 <= c < len(xs) - 1 and 0 <= r < len(ys) - 1:
        return r, c
    return None


def locate(xs: Sequence[float], ys: Sequence[float], ch: Char) -> tuple[int, int] | None:
    """Elementary (row, col) of the grid holding the character's centre."""
    return _cell_at(xs, ys, (ch.x0 + ch.x1) / 2, (ch.y0 + ch.y1) / 2)


def chars_to_text(chars: Iterable[Char]) -> str:
    """Join a cell's characters: lines by vertical position, a space for wide gaps.

    A gap becomes a space only between two Latin characters (two numbers set
    apart in one cell must not glue together); beside CJK text a gap is just
    the font's spacing, which differs between office suites.

    Example: "677.14" and "785.21" 6 pt apart at 9 pt → ``"677.14 785.21"``.
    """
    if isinstance(chars, list) and len(chars) == 1:  # most cells hold one run
        only: Char = chars[0]
        return only.c.strip()
    ordered = sorted(chars, key=lambda k: (k.cy, k.x0))
    lines: list[list[Char]] = []
    for ch in ordered:
        if lines:
            last = lines[-1]
            ref = last[0]
            if abs(ch.cy - ref.cy) <= max(ref.size, ch.size) * 0.5:
                last.append(ch)
                continue
        lines.append([ch])
    texts = []
    for line in lines:
        line.sort(key=lambda k: k.x0)
        parts: list[str] = []
        prev: Char | None = None
        for ch in line:
            if prev is not None and ch.c[:1].isascii() and prev.c[-1:].isascii() and " " not in (ch.c[:1], prev.c[-1:]):
                if ch.x0 - prev.x1 > 0.5 * max(ch.size, prev.size):
                    parts.append(" ")
            parts.append(ch.c)
            prev = ch
        texts.append("".join(parts).strip())
    return "\n".join(t for t in texts if t)
