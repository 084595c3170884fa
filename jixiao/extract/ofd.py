"""OFD (GB/T 33190) → the same pages, lines and ruled grids as a PDF.

An OFD is a zip of XML: ``OFD.xml`` names the document, ``Document.xml`` its
pages and template pages, each page's ``Content.xml`` holds text objects
(``TextObject``/``TextCode``: X, Y, ``DeltaX`` with its ``g`` shorthand, an
optional ``CTM``, a ``Boundary`` that places the object) and path objects
(``AbbreviatedData``).  The libraries on PyPI give text without geometry or
fail to convert, so the parts are read here with the standard library's zip
and defusedxml's parser (no DTDs, no entity expansion), and the characters
and ruling segments go to the PDF path's lattice and table finder.
Coordinates are millimetres in OFD and points (×72/25.4) from here on.
"""

from __future__ import annotations

import itertools
import posixpath
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import regex
from defusedxml import ElementTree as SafeET

from jixiao.errors import Corrupt
from jixiao.extract.chars import RUN_GAP, Char, Part, chars_to_text, make_run
from jixiao.extract.document import FRONT_PAGES, outside_areas, table_areas
from jixiao.extract.lattice import Segment, axis_segment, cluster_to_grid, rect_to_segments, segments_to_clusters
from jixiao.extract.narrative import Line, ParagraphBuilder
from jixiao.extract.pdf import PdfLimits, sha256_of
from jixiao.extract.tables import TableFinder, grids_from_raws
from jixiao.extract.traditional import looks_traditional, to_simplified
from jixiao.extract.zipcheck import open_zip
from jixiao.layout import Extracted
from jixiao.models import Box, Source

PT_PER_MM = 72 / 25.4
A4_MM = (0.0, 0.0, 210.0, 297.0)
ASCENT, DESCENT = 0.88, 0.12  # of the font size above and below the baseline: CJK fonts' usual box
LINE_GAP = 2.0  # × font size: a wider gap on one baseline starts another line (the next cell)
_NUMBER = regex.compile(r"-?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?")
_FISCAL_YEAR = regex.compile(r"(20[0-9]{2})\s*年度")
Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


@dataclass(frozen=True)
class OfdPage:
    number: int
    width: float  # points
    height: float
    chars: tuple[Char, ...]
    segments: tuple[Segment, ...]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _find(el: Any, name: str) -> Any:
    for child in el:
        if _local(child.tag) == name:
            return child
    return None


def _iter(el: Any, name: str) -> Iterator[Any]:
    for child in el:
        if _local(child.tag) == name:
            yield child


def _floats(text: str | None) -> list[float]:
    return [float(v) for v in _NUMBER.findall(text or "")]


def _box_of(text: str | None) -> tuple[float, float, float, float] | None:
    """``x y w h`` → (x0, y0, x1, y1)."""
    v = _floats(text)
    return (v[0], v[1], v[0] + v[2], v[1] + v[3]) if len(v) == 4 else None


def _matrix(text: str | None) -> Matrix:
    v = _floats(text)
    return (v[0], v[1], v[2], v[3], v[4], v[5]) if len(v) == 6 else IDENTITY


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


def deltas(text: str | None) -> list[float]:
    """``DeltaX``/``DeltaY`` with the ``g`` shorthand expanded.

    Example: ``deltas("g 3 3.175 1.5") == [3.175, 3.175, 3.175, 1.5]``.
    """
    tokens = (text or "").split()
    out: list[float] = []
    i = 0
    try:
        while i < len(tokens):
            if tokens[i] == "g":
                out.extend([float(tokens[i + 2])] * min(int(tokens[i + 1]), 100_000))
                i += 3
            else:
                out.append(float(tokens[i]))
                i += 1
    except (IndexError, ValueError):
        return out  # a damaged list: the characters it places are enough
    return out


class _Package:
    """The zip's parts, parsed safely, with paths resolved against the part that names them."""

    def __init__(self, zf: zipfile.ZipFile) -> None:
        self.zf = zf
        self.names = {n.lstrip("/"): n for n in zf.namelist()}

    def xml(self, path: str) -> Any:
        name = self.names.get(path) or self.names.get(path.lower())
        if name is None:
            raise Corrupt(f"OFD 文件缺少部件 {path}", f"the OFD file lacks its part {path}")
        try:
            return SafeET.fromstring(self.zf.read(name), forbid_dtd=True)
        except Exception as exc:  # ParseError, DTDForbidden, EntitiesForbidden, zlib errors
            raise Corrupt(f"OFD 部件 {path} 无法解析：{exc}", f"the OFD part {path} cannot be parsed: {exc}") from exc

    @staticmethod
    def resolve(base_dir: str, loc: str) -> str:
        loc = loc.strip().replace("\\", "/")
        path = posixpath.normpath(loc.lstrip("/") if loc.startswith("/") else posixpath.join(base_dir, loc))
        if path.startswith(".."):
            raise Corrupt(f"OFD 引用了压缩包外的路径：{loc}", f"the OFD refers to a path outside the archive: {loc}")
        return path


def read_pages(data: bytes, limits: PdfLimits | None = None) -> list[OfdPage]:
    limits = limits or PdfLimits()
    zf = open_zip(data, "OFD", limits.max_stream_mb)
    try:
        pkg = _Package(zf)
        root = pkg.xml("OFD.xml")
        body = _find(root, "DocBody")
        doc_root = _find(body, "DocRoot") if body is not None else None
        if doc_root is None or not (doc_root.text or "").strip():
            raise Corrupt("OFD.xml 没有 DocRoot", "OFD.xml names no DocRoot")
        doc_path = pkg.resolve("", doc_root.text or "")
        doc_dir = posixpath.dirname(doc_path)
        document = pkg.xml(doc_path)
        common = _find(document, "CommonData")
        area = _find(common, "PageArea") if common is not None else None
        default_box = _page_box(area) or A4_MM
        templates = {
            t.get("ID"): pkg.resolve(doc_dir, t.get("BaseLoc") or "")
            for t in (_iter(common, "TemplatePage") if common is not None else ())
        }
        pages_el = _find(document, "Pages")
        page_refs = list(_iter(pages_el, "Page")) if pages_el is not None else []
        if not page_refs:
            raise Corrupt("OFD 没有页面", "the OFD has no pages")
        if len(page_refs) > limits.max_pages:
            from jixiao.errors import TooLarge

            raise TooLarge(
                f"OFD 有 {len(page_refs)} 页，超过上限 {limits.max_pages} 页",
                f"the OFD has {len(page_refs)} pages, more than the limit of {limits.max_pages}",
            )
        pages = []
        for number, ref in enumerate(page_refs, 1):
            content = pkg.xml(pkg.resolve(doc_dir, ref.get("BaseLoc") or ""))
            page_area = _find(content, "Area")
            x0, y0, x1, y1 = _page_box(page_area) or default_box
            chars: list[Char] = []
            segments: list[Segment] = []
            for tpl in _iter(content, "Template"):
                path = templates.get(tpl.get("TemplateID"))
                if path:
                    _read_objects(pkg.xml(path), IDENTITY, chars, segments)
            _read_objects(content, IDENTITY, chars, segments)
            pages.append(OfdPage(number, (x1 - x0) * PT_PER_MM, (y1 - y0) * PT_PER_MM, tuple(chars), tuple(segments)))
        return pages
    finally:
        zf.close()


def _page_box(area: Any) -> tuple[float, float, float, float] | None:
    if area is None:
        return None
    physical = _find(area, "PhysicalBox")
    return _box_of(physical.text) if physical is not None else None


def _read_objects(el: Any, outer: Matrix, chars: list[Char], segments: list[Segment]) -> None:
    """Every text and path object under ``el`` (layers, page blocks), in document order."""
    for child in el:
        name = _local(child.tag)
        if name == "TextObject":
            chars.extend(_text_chars(child))
        elif name == "PathObject":
            segments.extend(_path_segments(child))
        elif name in ("Content", "Layer", "PageBlock"):
            _read_objects(child, outer, chars, segments)


def _placement(obj: Any) -> tuple[Matrix, tuple[float, float, float, float]] | None:
    boundary = _box_of(obj.get("Boundary"))
    if boundary is None:
        return None
    return _matrix(obj.get("CTM")), boundary


def _text_chars(obj: Any) -> Iterator[Char]:
    """The object's characters as runs (one :class:`Char` per tightly set stretch, its characters
    kept in ``parts``), as the PDF path's text layer gives them: placing a run costs what one
    character costs, and the table filler splits a run only where it crosses a cell border."""
    placed = _placement(obj)
    if placed is None:
        return
    ctm, (bx, by, _bx1, _by1) = placed
    size = float(obj.get("Size") or 3.5)
    scale = abs(ctm[3]) or abs(ctm[0]) or 1.0
    size_pt = size * scale * PT_PER_MM
    gap = RUN_GAP * size_pt
    x = y = 0.0
    for code in _iter(obj, "TextCode"):
        text = code.text or ""
        if code.get("X") is not None:
            x = float(code.get("X") or 0)
        if code.get("Y") is not None:
            y = float(code.get("Y") or 0)
        dx, dy = deltas(code.get("DeltaX")), deltas(code.get("DeltaY"))
        run: list[Part] = []
        upright = ctm[1] == ctm[2] == 0 and ctm[0] > 0 and ctm[3] > 0  # scale and shift only: the usual case
        sx, sy = ctm[0] * PT_PER_MM, ctm[3] * PT_PER_MM
        ox, oy = (bx + ctm[4]) * PT_PER_MM, (by + ctm[5]) * PT_PER_MM
        up, down = size * ASCENT, size * DESCENT
        n_dx = len(dx)
        for i, ch in enumerate(text):
            # the last character's width is not in the file: a CJK glyph is one em, Latin about half
            advance = dx[i] if i < n_dx else (size if ord(ch) > 0x2E7F else size / 2)
            width = advance if advance < size else size
            if upright:
                box = (ox + sx * x, oy + sy * (y - up), ox + sx * (x + width), oy + sy * (y + down))
            else:
                ax, ay = _apply(ctm, x, y - up)
                cx, cy = _apply(ctm, x + width, y + down)
                box = (
                    (bx + min(ax, cx)) * PT_PER_MM,
                    (by + min(ay, cy)) * PT_PER_MM,
                    (bx + max(ax, cx)) * PT_PER_MM,
                    (by + max(ay, cy)) * PT_PER_MM,
                )
            if ch in "\r\n\t":
                ch = " "
            if run and (ch == " " or run[-1][0] == " " or box[0] - run[-1][1][2] > gap or abs(box[1] - run[-1][1][1]) > gap):
                yield make_run(run, size_pt)
                run = []
            run.append((ch, box))
            x += advance
            if i < len(dy):
                y += dy[i]
        if run:
            yield make_run(run, size_pt)


def _path_segments(obj: Any) -> Iterator[Segment]:
    placed = _placement(obj)
    data = _find(obj, "AbbreviatedData")
    if placed is None or data is None:
        return
    ctm, (bx, by, _bx1, _by1) = placed
    filled_only = obj.get("Fill") == "true" and obj.get("Stroke") == "false"

    def page_pt(px: float, py: float) -> tuple[float, float]:
        tx, ty = _apply(ctm, px, py)
        return (bx + tx) * PT_PER_MM, (by + ty) * PT_PER_MM

    for sub in _subpaths(data.text or ""):
        points = [page_pt(px, py) for px, py in sub]
        if filled_only and len(points) >= 3:
            xs, ys = [p[0] for p in points], [p[1] for p in points]
            yield from rect_to_segments(min(xs), min(ys), max(xs), max(ys))
            continue
        for (ax, ay), (cx, cy) in itertools.pairwise(points):
            seg = axis_segment(ax, ay, cx, cy)
            if seg:
                yield seg


ARGS = {"M": 2, "S": 2, "L": 2, "Q": 4, "B": 6, "A": 7, "C": 0}


def _subpaths(text: str) -> Iterator[list[tuple[float, float]]]:
    """Polylines of ``AbbreviatedData``; curves are reduced to their end points (borders are straight)."""
    tokens = text.split()
    current: list[tuple[float, float]] = []
    i = 0
    while i < len(tokens):
        op = tokens[i]
        n = ARGS.get(op)
        if n is None:
            i += 1
            continue
        try:
            args = [float(t) for t in tokens[i + 1 : i + 1 + n]]
        except ValueError:
            return
        if len(args) < n:
            break
        i += 1 + n
        if op in ("M", "S"):
            if len(current) > 1:
                yield current
            current = [(args[0], args[1])]
        elif op == "C":
            if current:
                current.append(current[0])
                yield current
                current = [current[0]]
        else:
            current.append((args[-2], args[-1]))
    if len(current) > 1:
        yield current


def chars_to_lines(page: int, chars: tuple[Char, ...]) -> list[Line]:
    """Visual lines in the order the file writes them (as a PDF's text layer is read):
    a line ends where the baseline moves, the text steps back, or a gap wider than two
    characters opens (the next cell of a table row)."""
    rows: list[list[Char]] = []
    for ch in chars:
        if rows:
            last = rows[-1][-1]
            same = abs(last.cy - ch.cy) <= 0.3 * ch.size and last.x0 <= ch.x0 <= last.x1 + LINE_GAP * ch.size
            if same:
                rows[-1].append(ch)
                continue
        rows.append([ch])
    lines = []
    for row in rows:
        text = chars_to_text(row)
        if text.strip():
            x0, y0 = min(c.x0 for c in row), min(c.y0 for c in row)
            x1, y1 = max(c.x1 for c in row), max(c.y1 for c in row)
            lines.append(Line(page, text, Box.of(page, x0, y0, x1, y1), max(c.size for c in row)))
    return lines


def read_ofd(data: bytes, name: str, limits: PdfLimits | None = None) -> Extracted:
    """Like :func:`jixiao.extract.document.extract_bytes`, page by page, for an OFD file."""
    pages = read_pages(data, limits)
    all_lines = {p.number: chars_to_lines(p.number, p.chars) for p in pages}
    sample = "".join(ln.text for p in pages[:3] for ln in all_lines[p.number])
    text_map = to_simplified if looks_traditional(sample) else None
    finder = TableFinder()
    paragraphs = ParagraphBuilder()
    front: list[str] = []
    year_hint: int | None = None
    for page in pages:
        lines = all_lines[page.number]
        if text_map is not None:
            lines = [replace(ln, text=text_map(ln.text)) for ln in lines]
        text = "\n".join(ln.text for ln in lines)
        if page.number <= FRONT_PAGES:
            front.append(text)
        if year_hint is None and (m := _FISCAL_YEAR.search(text)):
            year_hint = int(m.group(1))

        def grids(page: OfdPage = page) -> list[Any]:
            raws = [g for g in (cluster_to_grid(c) for c in segments_to_clusters(page.segments)) if g]
            return grids_from_raws(raws, page.chars, page.number, page.height, text_map) if raws else []

        used = finder.feed(page.number, finder.wants(text), grids)
        areas = [area for pg in used for area in table_areas(pg.grid)]
        paragraphs.feed(outside_areas(lines, areas) if areas else lines)
    source = Source(path=name, sha256=sha256_of(data), page_count=len(pages), format="ofd")
    return Extracted(source, tuple(front), tuple(paragraphs.finish()), tuple(finder.blocks), year_hint)
