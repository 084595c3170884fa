"""The narrative part of a report as sections (heading, text, page).

Paragraphs come from PyMuPDF's text blocks; a short paragraph that opens with
an outline number (``一、`` ``（二）`` ``3.``) starts a section. Page footers
(``- 3 -``) are dropped so they never end up inside a sentence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import regex

from jixiao.layout import Paragraph
from jixiao.models import Box
from jixiao.normalize.sections import HEADING
from jixiao.normalize.text import clean_text

FOOTER = regex.compile(r"^[-—–\s]*(?:第\s*)?\d{1,4}\s*(?:页)?[-—–\s]*(?:共\s*\d+\s*页)?$")


def is_footer(text: str) -> bool:
    flat = text.strip()
    # A footer opens with a dash, 第 or a digit: a line that opens with another ASCII character
    # or a Han character is none (asked first: every line of every page comes here).
    first = flat[:1]
    if (first.isascii() and first not in "-0123456789") or ("\u4e00" <= first <= "\u9fff" and first != "第"):
        return False
    return bool(FOOTER.match(flat))


@dataclass(frozen=True)
class Line:
    page: int
    text: str
    box: Box
    size: float


_new_object = object.__new__


def new_line(page: int, text: str, box: Box, size: float) -> Line:
    """``Line(...)`` without the frozen dataclass's ``__init__`` (a field at a time through
    ``object.__setattr__``): every text line of every page is one.  The same line."""
    line = _new_object(Line)
    fields = line.__dict__
    fields["page"] = page
    fields["text"] = text
    fields["box"] = box
    fields["size"] = size
    return line


def _starts_paragraph(line: Line, prev: Line | None, left: float, right: float) -> bool:
    """Word starts a paragraph with a two-character indent or after a short line."""
    if prev is None:
        return True
    if HEADING.match(line.text.strip()):
        return True
    indented = line.box.x0 - left > line.size * 1.2
    prev_short = prev.box.x1 < right - prev.size * 2.5
    return indented or prev_short


class ParagraphBuilder:
    """Joins wrapped lines into paragraphs page by page, across page breaks too,
    keeping only the paragraphs (not every line) so long documents stream."""

    def __init__(self) -> None:
        self.paragraphs: list[Paragraph] = []
        self._parts: list[str] = []
        self._first: Line | None = None
        self._prev: Line | None = None

    def feed(self, lines: Sequence[Line]) -> None:
        """The lines of one page (outside its tables), in reading order."""
        body = [ln for ln in lines if not is_footer(ln.text)]
        if not body:
            return
        left = min(ln.box.x0 for ln in body)
        right = max(ln.box.x1 for ln in body)
        for ln in body:
            if _starts_paragraph(ln, self._prev, left, right):
                self._close()
            if self._first is None:
                self._first = ln
            self._parts.append(ln.text)
            self._prev = ln

    def _close(self) -> None:
        if self._parts and self._first is not None:
            para = _paragraph(self._first, self._parts)
            if para.text:
                self.paragraphs.append(para)
        self._parts = []
        self._first = None

    def finish(self) -> list[Paragraph]:
        self._close()
        return self.paragraphs


def lines_to_paragraphs(lines: Sequence[Line]) -> list[Paragraph]:
    """Join wrapped lines into paragraphs, across page breaks too."""
    builder = ParagraphBuilder()
    page: list[Line] = []
    for ln in lines:
        if page and ln.page != page[0].page:
            builder.feed(page)
            page = []
        page.append(ln)
    builder.feed(page)
    return builder.finish()


def _paragraph(first: Line, parts: list[str]) -> Paragraph:
    return Paragraph(first.page, clean_text("\n".join(parts)) or "", first.box)
