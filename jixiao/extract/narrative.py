"""The narrative part of a report as sections (heading, text, page).

Paragraphs come from PyMuPDF's text blocks; a short paragraph that opens with
an outline number (``一、`` ``（二）`` ``3.``) starts a section. Page footers
(``- 3 -``) are dropped so they never end up inside a sentence.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import regex

from jixiao.models import Box, Section
from jixiao.normalize.text import clean_text

HEADING = regex.compile(r"^\s*(?:[一二三四五六七八九十]{1,3}[、.．]|[（(][一二三四五六七八九十]{1,3}[）)])")
MAX_HEADING = 40  # characters: longer paragraphs that start with a number are body text
_CLAUSE = regex.compile(r"[;；]|。.")  # a heading is one phrase, not a list of clauses
FOOTER = regex.compile(r"^[-—–\s]*(?:第\s*)?\d{1,4}\s*(?:页)?[-—–\s]*(?:共\s*\d+\s*页)?$")


@dataclass(frozen=True)
class Paragraph:
    page: int
    text: str
    box: Box


def is_footer(text: str) -> bool:
    return bool(FOOTER.match(text.strip()))


def paragraphs_to_sections(paragraphs: Iterable[Paragraph]) -> tuple[Section, ...]:
    """Group paragraphs under the nearest heading above them."""
    sections: list[Section] = []
    heading, page = "", 0
    body: list[str] = []
    for para in paragraphs:
        text = para.text
        if HEADING.match(text) and len(text) <= MAX_HEADING and not _CLAUSE.search(text):
            if heading or body:
                sections.append(Section(heading, "\n".join(body), page))
            heading, page, body = text, para.page, []
        else:
            if not heading and not body:
                page = para.page
            body.append(text)
    if heading or body:
        sections.append(Section(heading, "\n".join(body), page))
    return tuple(sections)


@dataclass(frozen=True)
class Line:
    page: int
    text: str
    box: Box
    size: float


def page_lines(page_no: int, text_dict: dict[str, Any]) -> list[Line]:
    """Visual lines of a page from PyMuPDF's ``get_text("dict")``."""
    out = []
    for block in text_dict["blocks"]:
        for line in block.get("lines", ()):
            spans = line["spans"]
            text = "".join(s["text"] for s in spans)
            if not text.strip():
                continue
            size = max(float(s["size"]) for s in spans)
            x0, y0, x1, y1 = line["bbox"]
            out.append(Line(page_no, text, Box.of(page_no, x0, y0, x1, y1), size))
    return out


def _starts_paragraph(line: Line, prev: Line | None, left: float, right: float) -> bool:
    """Word starts a paragraph with a two-character indent or after a short line."""
    if prev is None:
        return True
    if HEADING.match(line.text.strip()):
        return True
    indented = line.box.x0 - left > line.size * 1.2
    prev_short = prev.box.x1 < right - prev.size * 2.5
    return indented or prev_short


def lines_to_paragraphs(lines: Sequence[Line]) -> list[Paragraph]:
    """Join wrapped lines into paragraphs, across page breaks too."""
    body = [ln for ln in lines if not is_footer(ln.text)]
    bounds: dict[int, tuple[float, float]] = {}
    for ln in body:
        lo, hi = bounds.get(ln.page, (ln.box.x0, ln.box.x1))
        bounds[ln.page] = (min(lo, ln.box.x0), max(hi, ln.box.x1))
    paragraphs: list[Paragraph] = []
    parts: list[str] = []
    first: Line | None = None
    prev: Line | None = None
    for ln in body:
        left, right = bounds[ln.page]
        if _starts_paragraph(ln, prev, left, right) and parts and first is not None:
            paragraphs.append(_paragraph(first, parts))
            parts = []
            first = None
        if first is None:
            first = ln
        parts.append(ln.text)
        prev = ln
    if parts and first is not None:
        paragraphs.append(_paragraph(first, parts))
    return [p for p in paragraphs if p.text]


def _paragraph(first: Line, parts: list[str]) -> Paragraph:
    return Paragraph(first.page, clean_text("\n".join(parts)) or "", first.box)
