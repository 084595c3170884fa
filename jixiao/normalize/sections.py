"""Narrative paragraphs → sections (heading, text, page).

A short paragraph that opens with an outline number (``一、`` ``（二）``)
starts a section; the figures are then read section by section.
"""

from __future__ import annotations

from collections.abc import Iterable

import regex

from jixiao.layout import Paragraph
from jixiao.models import Section

HEADING = regex.compile(r"^\s*(?:[一二三四五六七八九十]{1,3}[、.．]|[（(][一二三四五六七八九十]{1,3}[）)])")
MAX_HEADING = 40  # characters: longer paragraphs that start with a number are body text
_CLAUSE = regex.compile(r"[;；]|。.")  # a heading is one phrase, not a list of clauses


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
