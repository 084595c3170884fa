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
                for ch in span["chars"]:
                    x0, y0, x1, y1 = ch["bbox"]
                    out.append(Char(ch["c"], x0, y0, x1, y1, size))
    return out


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
            if prev is not None and ch.c.isascii() and prev.c.isascii() and " " not in (ch.c, prev.c):
                if ch.x0 - prev.x1 > 0.5 * max(ch.size, prev.size):
                    parts.append(" ")
            parts.append(ch.c)
            prev = ch
        texts.append("".join(parts).strip())
    return "\n".join(t for t in texts if t)
