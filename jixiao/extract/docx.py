"""Word ``.docx`` → paragraphs and tables with the spans the file states.

python-docx opens the package (and resolves style names); the body and the
tables are walked here on the XML, because python-docx's ``Row.cells`` is
about ten times slower and knows no ``hMerge``, and its paragraphs skip
block-level content controls.  Spans come from ``gridSpan``, ``vMerge``
(``restart``/continue), the older ``hMerge`` and ``gridBefore``; cells and
rows wrapped in content controls (``sdt``) or custom XML are looked into.

Automatic numbering (四、 （一）) is not in a paragraph's text, so a heading
is told by its style (Heading N / 标题 N, or an outline level) and, where its
text has no outline number, gets the one Word shows for that level.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import docx
from docx.oxml.ns import qn

from jixiao.errors import Corrupt
from jixiao.extract.docx_numbering import Numbering, chinese, num_pr
from jixiao.extract.flow import FlowCell, FlowItem, FlowPara, FlowTable, assemble, col_edges_of
from jixiao.extract.pdf import sha256_of
from jixiao.extract.zipcheck import open_zip
from jixiao.layout import Extracted
from jixiao.models import Source
from jixiao.normalize.sections import HEADING

W_P, W_TBL, W_TR, W_TC, W_T = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc"), qn("w:t")
W_SDT, W_SDT_CONTENT, W_CUSTOM = qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml")
W_VAL = qn("w:val")
WRAPPERS = (W_SDT, W_CUSTOM, qn("w:smartTag"), qn("w:ins"))
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
TWIPS_PER_PT = 20


def read_docx(data: bytes, name: str) -> Extracted:
    open_zip(data, "Word").close()
    try:
        document = docx.Document(_stream(data))
    except Exception as exc:  # python-docx/lxml raise many kinds for a damaged package
        raise Corrupt(f"Word 文件已损坏，无法打开：{exc}", f"damaged Word file, cannot be opened: {exc}") from exc
    styles = _style_levels(document)
    style_lists = _style_lists(document)
    body = document.element.body
    _drop_fallbacks(body)
    source = Source(path=name, sha256=sha256_of(data), page_count=1, format="docx")
    return assemble(source, _items(body, styles, Numbering.of(document), style_lists))


def _style_lists(document: Any) -> dict[str, tuple[str, int]]:
    """Style id → the list (numId, level) that numbers its paragraphs (heading styles often do)."""
    out = {}
    for style in document.styles.element.iter(qn("w:style")):
        found = num_pr(style.find(qn("w:pPr")))
        if found is not None:
            out[style.get(qn("w:styleId")) or ""] = found
    return out


def _drop_fallbacks(body: Any) -> None:
    """Text boxes and shapes come twice, as ``mc:Choice`` and as ``mc:Fallback`` for older
    readers; keeping both would read their text twice."""
    for fallback in list(body.iter(MC_FALLBACK)):
        parent = fallback.getparent()
        if parent is not None:
            parent.remove(fallback)


def _stream(data: bytes) -> io.BytesIO:
    return io.BytesIO(data)


def _style_levels(document: Any) -> dict[str, tuple[int, bool]]:
    """Style id → (heading level, 0-based; whether the style numbers its paragraphs)."""
    out: dict[str, tuple[int, bool]] = {}
    for style in document.styles.element.iter(qn("w:style")):
        sid = style.get(qn("w:styleId")) or ""
        name_el = style.find(qn("w:name"))
        name = (name_el.get(W_VAL) if name_el is not None else "") or ""
        level = _level_of_name(name) if name else None
        outline = style.find(f"{qn('w:pPr')}/{qn('w:outlineLvl')}")
        if level is None and outline is not None:
            level = int(outline.get(W_VAL) or 0)
        if level is not None and level < 9:
            out[sid] = (level, style.find(f"{qn('w:pPr')}/{qn('w:numPr')}") is not None)
    return out


def _level_of_name(name: str) -> int | None:
    low = name.lower().replace(" ", "")
    for prefix in ("heading", "标题"):
        if low.startswith(prefix) and low[len(prefix):].isdigit():
            return int(low[len(prefix):]) - 1
    return None


def _children(el: Any, tag: str) -> Iterator[Any]:
    """Children with ``tag``, looking through content controls and custom XML."""
    for child in el:
        if child.tag == tag:
            yield child
        elif child.tag in WRAPPERS:
            inner = child.find(W_SDT_CONTENT) if child.tag == W_SDT else child
            if inner is not None:
                yield from _children(inner, tag)


def _body(el: Any) -> Iterator[Any]:
    """Paragraphs and tables of the body in order, through content controls."""
    for child in el:
        if child.tag in (W_P, W_TBL):
            yield child
        elif child.tag in WRAPPERS:
            inner = child.find(W_SDT_CONTENT) if child.tag == W_SDT else child
            if inner is not None:
                yield from _body(inner)


def paragraph_text(p: Any) -> str:
    parts: list[str] = []
    for el in p.iter(W_T, qn("w:tab"), qn("w:br"), qn("w:cr")):
        if el.tag == W_T:
            parts.append(el.text or "")
        elif el.tag == qn("w:tab"):
            parts.append(" ")
        elif el.get(qn("w:type")) in (None, "textWrapping"):
            parts.append("\n")
    return "".join(parts)


class _Headings:
    """The outline numbers Word would show: 一、 at level 0, （一） at 1, 1. at 2."""

    def __init__(self) -> None:
        self.counts = [0] * 9

    def number(self, level: int) -> str:
        self.counts[level] += 1
        for deeper in range(level + 1, 9):
            self.counts[deeper] = 0
        n = self.counts[level]
        if level == 0:
            return chinese(n) + "、"
        if level == 1:
            return "（" + chinese(n) + "）"
        return f"{n}."


def _items(
    body: Any, styles: dict[str, tuple[int, bool]], numbering: Numbering, style_lists: dict[str, tuple[str, int]]
) -> Iterator[FlowItem]:
    table_no = 1
    index = 0
    headings = _Headings()
    previous_table = False
    page_break = False
    for el in _body(body):
        if el.tag == W_P:
            text = paragraph_text(el).strip()
            index += 1
            page_break = page_break or _breaks_page(el)
            if not text:
                continue
            text = _numbered(el, text, styles, numbering, style_lists, headings)
            yield FlowPara(table_no, index - 1, text, new_page=page_break)
            previous_table = page_break = False
        else:
            yield read_table(el, table_no, attached=previous_table)
            table_no += 1
            previous_table = True


def _numbered(
    p: Any,
    text: str,
    styles: dict[str, tuple[int, bool]],
    numbering: Numbering,
    style_lists: dict[str, tuple[str, int]],
    headings: _Headings,
) -> str:
    """The paragraph's text with the number Word shows before it (from numbering.xml; for a
    numbered heading style whose list cannot be resolved, 一、 （一） 1. by level)."""
    ppr = p.find(qn("w:pPr"))
    style = ppr.find(qn("w:pStyle")) if ppr is not None else None
    listed = num_pr(ppr) or (style_lists.get(style.get(W_VAL) or "") if style is not None else None)
    label = numbering.label(*listed) if listed is not None else None
    heading = _heading_level(p, styles)
    if label is None and heading is not None:
        level, style_numbered = heading
        fallback = headings.number(level)
        if style_numbered or listed is not None:
            label = fallback
    if label and not HEADING.match(text):
        return label + text
    return text


def _breaks_page(p: Any) -> bool:
    """An explicit page break in the paragraph or before it (Word's pageBreakBefore)."""
    if p.find(f"{qn('w:pPr')}/{qn('w:pageBreakBefore')}") is not None:
        return True
    return any(br.get(qn("w:type")) == "page" for br in p.iter(qn("w:br")))


def _heading_level(p: Any, styles: dict[str, tuple[int, bool]]) -> tuple[int, bool] | None:
    """The paragraph's heading level and whether its style numbers it; None for body text."""
    ppr = p.find(qn("w:pPr"))
    if ppr is None:
        return None
    style = ppr.find(qn("w:pStyle"))
    by_style = styles.get(style.get(W_VAL) or "") if style is not None else None
    outline = ppr.find(qn("w:outlineLvl"))
    if outline is not None and (outline.get(W_VAL) or "").isdigit() and int(outline.get(W_VAL) or 9) < 9:
        return int(outline.get(W_VAL) or 0), by_style[1] if by_style else False
    return by_style


def _int(el: Any, tag: str, default: int) -> int:
    found = el.find(tag)
    if found is None:
        return default
    try:
        return int(found.get(W_VAL) or default)
    except ValueError:
        return default


def read_table(tbl: Any, table_no: int, attached: bool = False) -> FlowTable:
    """One ``w:tbl`` as cells with spans; a nested table's text stays in its cell."""
    widths = []
    grid = tbl.find(qn("w:tblGrid"))
    if grid is not None:
        for col in grid.findall(qn("w:gridCol")):
            try:
                widths.append(float(col.get(qn("w:w")) or 0) / TWIPS_PER_PT)
            except ValueError:
                widths.append(0.0)
    cells: list[list[Any]] = []  # [row, col, rowspan, colspan, text]
    at: dict[tuple[int, int], list[Any]] = {}
    ncols = 0
    rows = list(_children(tbl, W_TR))
    for r, tr in enumerate(rows):
        trpr = tr.find(qn("w:trPr"))
        col = _int(trpr, qn("w:gridBefore"), 0) if trpr is not None else 0
        last: list[Any] | None = None
        for tc in _children(tr, W_TC):
            tcpr = tc.find(qn("w:tcPr"))
            span = max(1, _int(tcpr, qn("w:gridSpan"), 1)) if tcpr is not None else 1
            vmerge = tcpr.find(qn("w:vMerge")) if tcpr is not None else None
            hmerge = tcpr.find(qn("w:hMerge")) if tcpr is not None else None
            if hmerge is not None and hmerge.get(W_VAL) != "restart" and last is not None:
                last[3] += span
                for c in range(col, col + span):
                    at[(r, c)] = last
            elif vmerge is not None and vmerge.get(W_VAL) != "restart" and (r - 1, col) in at:
                owner = at[(r - 1, col)]
                owner[2] = r - owner[0] + 1
                for c in range(col, col + span):
                    at[(r, c)] = owner
                last = owner
            else:
                text = "\n".join(t for t in (paragraph_text(p).strip() for p in tc.iter(W_P)) if t)
                last = [r, col, 1, span, text]
                cells.append(last)
                for c in range(col, col + span):
                    at[(r, c)] = last
            col += span
        ncols = max(ncols, col)
    while len(widths) < ncols:
        widths.append(widths[-1] if widths else 50.0)
    flow = tuple(FlowCell(c[0], c[1], c[2], c[3], c[4]) for c in cells)
    return FlowTable(table_no, flow, len(rows), ncols, col_edges_of(widths[:max(ncols, 1)]), (0, 0), attached)
