"""Characters of a page, placed into table cells and joined into cell text.

Cells are filled per character (by the character's centre) rather than per
text line, because a PDF text line can run across several cells when their
texts sit on one baseline; reading whole lines would glue neighbouring numbers
(``310.2154.74``).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pymupdf


@dataclass(frozen=True, slots=True)
class Char:
    c: str
    x0: float
    y0: float
    x1: float
    y1: float
    size: float
    # A run of tightly set characters is one Char whose ``c`` is the run's text;
    # ``parts`` keeps its characters for when the run straddles a cell border.
    parts: tuple[Char, ...] = ()

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


TEXT_FLAGS = pymupdf.TEXT_PRESERVE_WHITESPACE


def page_chars(page: pymupdf.Page, textpage: pymupdf.TextPage | None = None) -> list[Char]:
    """All characters with their boxes, in reading order of the text layer.

    Pass the page's ``textpage`` when it was already made: making one is
    most of the cost of reading a page.
    """
    out: list[Char] = []
    raw = page.get_text("rawdict", flags=TEXT_FLAGS, textpage=textpage)
    for block in raw["blocks"]:
        for line in block.get("lines", ()):
            for span in line["spans"]:
                size = float(span["size"])
                run: list[Char] = []
                for ch in span["chars"]:
                    x0, y0, x1, y1 = ch["bbox"]
                    char = Char(ch["c"], x0, y0, x1, y1, size)
                    if run and (char.c == " " or x0 - run[-1].x1 > RUN_GAP * size or run[-1].c == " "):
                        out.append(_run(run))
                        run = []
                    run.append(char)
                if run:
                    out.append(_run(run))
    return out


RUN_GAP = 0.15  # characters closer than this (× font size) are one run of text


def _run(chars: list[Char]) -> Char:
    """Fast path: placing one run costs what one character costs."""
    if len(chars) == 1:
        return chars[0]
    first, last = chars[0], chars[-1]
    return Char(
        "".join(c.c for c in chars), first.x0, min(c.y0 for c in chars), last.x1, max(c.y1 for c in chars),
        first.size, tuple(chars),
    )


def unit_pieces(ch: Char, xs: Sequence[float], ys: Sequence[float]) -> Sequence[Char]:
    """A run that lies in one grid cell stays whole; one across a border is split up."""
    if not ch.parts:
        return (ch,)
    first, last = ch.parts[0], ch.parts[-1]
    if locate(xs, ys, first) == locate(xs, ys, last):
        return (ch,)
    return ch.parts


def locate(xs: Sequence[float], ys: Sequence[float], ch: Char) -> tuple[int, int] | None:
    """Elementary (row, col) of the grid holding the character's centre."""
    c = bisect_right(xs, ch.cx) - 1
    r = bisect_right(ys, ch.cy) - 1
    if 0 <= c < len(xs) - 1 and 0 <= r < len(ys) - 1:
        return r, c
    return None


def chars_to_text(chars: Iterable[Char]) -> str:
    """Join a cell's characters: lines by vertical position, a space for wide gaps.

    A gap becomes a space only between two Latin characters (two numbers set
    apart in one cell must not glue together); beside CJK text a gap is just
    the font's spacing, which differs between office suites.

    Example: "677.14" and "785.21" 6 pt apart at 9 pt → ``"677.14 785.21"``.
    """
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
