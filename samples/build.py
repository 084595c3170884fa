"""Build the sample PDFs in samples/ from the text sources in samples/sources/.

Run ``python samples/build.py`` (optionally with source names to build only
those).  Every ``sources/<name>.txt`` becomes ``samples/<name>.pdf`` and every
``sources/bad/<name>.txt`` becomes ``samples/bad/<name>.pdf``; then the other
broken inputs of ``samples/bad/`` are written (see ``build_bad_files``).

The PDFs imitate what Word/WPS exports of Chinese 绩效自评 reports look like:
A4 pages, 72/90 pt margins, 宋体-like CJK text (the Droid Sans Fallback font
that ships inside PyMuPDF, subset and embedded), ruled tables drawn as line
segments along cell borders only (so merged cells have no inner lines),
tables split over pages, page numbers ``- N -`` in the footer.  Output is
byte-for-byte reproducible: fixed metadata dates, no document id, no
timestamps.  (The one exception is the AES-encrypted bad file, whose salts
MuPDF draws at random; it is rewritten only when its decrypted content
changes.)

Source format: a line-based DSL, one directive or paragraph per line.

    %% comment               ignored
    @page 595x842            page size in pt (only before any content; A4 default)
    @pagebreak               continue on a new page
    @space 120               vertical space in pt (cover pages)
    # text                   centered title, 16 pt (long titles wrap, centered)
    ## text                  centered subtitle, 14 pt
    ### text                 heading at the left margin, 12 pt
    > text                   paragraph without first-line indent
    >> text                  line flush right (signature and date of a notice)
    any other text           one paragraph: 10.5 pt (五号), line height 1.5,
                             first line indented by two CJK characters, wrapped
                             to the text width, split over pages where needed
    (blank lines)            ignored; each non-blank line is its own paragraph

    @table widths=38,52,52 [font=9] [repeat-header=N] [attach]
    cell | cell | cell       one row; cells separated by "|" (trimmed)
    text | < | ^             "<" merges with the cell to the left (column span),
                             "^" merges with the cell above (row span); merged
                             areas must be rectangles
    @tablebreak              the following rows continue on the next page
    @end

Table options: ``widths`` are relative column widths scaled to the text
width; ``font`` is the cell font size (default 9); ``repeat-header=N``
repeats the table's first N rows at the top of every continuation page;
``attach`` starts the table directly under the previous table, sharing its
bottom border, so two tables read as one (Word users build the 绩效指标 part
with its own repeated header row this way).

Rows that do not fit at the page bottom move to the next page.  A merged cell
cut by a page break becomes two merged cells, one per page, with the text in
the first one (as Word does).  Row height is the largest height needed by the
row's single-row cells (at least 18 pt); a merged cell needing more height
than its rows give grows its last row (on that page).  Cell text is wrapped to
the cell width minus padding, centered vertically, and centered horizontally
when it fits on one line, else left-aligned.
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

import pymupdf

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "sources"
BAD = HERE / "bad"

FONT = pymupdf.Font("cjk")  # Droid Sans Fallback, shipped inside PyMuPDF
FONT_NAME = "song"
ASC, DESC = FONT.ascender, FONT.descender  # glyph box, as text extractors see it

A4 = (595.0, 842.0)
MARGIN_TOP = MARGIN_BOTTOM = 72.0
MARGIN_LEFT = MARGIN_RIGHT = 90.0
BODY_SIZE = 10.5  # 五号
LINE_FACTOR = 1.5  # Word "1.5 倍行距"
TITLE_SIZE, SUBTITLE_SIZE, HEADING_SIZE = 16.0, 14.0, 12.0
FOOTER_SIZE = 9.0
FOOTER_FROM_BOTTOM = 50.0  # baseline of "- N -", about Word's 1.75 cm footer
TABLE_FONT_SIZE = 9.0
CELL_LINE_FACTOR = 1.3  # single spacing of a 宋体-like font
CELL_PAD_X, CELL_PAD_Y = 2.5, 2.5
MIN_ROW_HEIGHT = 18.0
RULE_WIDTH = 0.5
GAP_AFTER_TABLE = 6.0
GAP_AFTER_TITLE = 4.0
GAP_BEFORE_HEADING = 3.0
FIXED_DATE = "D:20230620090000+08'00'"
# PyMuPDF defines these at import time, where mypy cannot see them.
ENCRYPT_AES_256 = pymupdf.PDF_ENCRYPT_AES_256  # type: ignore[attr-defined]
PERMISSIONS = pymupdf.PDF_PERM_PRINT | pymupdf.PDF_PERM_COPY | pymupdf.PDF_PERM_ACCESSIBILITY  # type: ignore[attr-defined]
EPS = 1e-6

# Kinsoku: characters Word will not put at the start / end of a line.
NO_LINE_START = set("，。、；：？！）》」』”’％%,.;:!?)]}…")
NO_LINE_END = set("（《「『“‘([{")
TOKEN_RE = re.compile(r"[\x21-\x7e]+| +|.")


# ---------------------------------------------------------------- source model


@dataclass
class Text:
    """A title, subtitle, heading or paragraph line of the source."""

    kind: str  # "title" | "subtitle" | "heading" | "para" | "plain" | "right"
    text: str


@dataclass
class Space:
    points: float


@dataclass
class PageBreak:
    pass


@dataclass
class Table:
    """A ruled table: raw cell texts plus the options of its @table line."""

    widths: list[float]
    rows: list[list[str]] = field(default_factory=list)
    font_size: float = TABLE_FONT_SIZE
    repeat_header: int = 0
    attach: bool = False
    breaks_before: set[int] = field(default_factory=set)
    line_no: int = 0


@dataclass
class Cell:
    """One (possibly merged) cell; rows and columns inclusive."""

    text: str
    top: int
    left: int
    bottom: int
    right: int


Block = Text | Space | PageBreak | Table


def parse_source(text: str, name: str) -> tuple[tuple[float, float], list[Block]]:
    """Turn DSL text into page size + blocks; errors name the source line."""
    page_size = A4
    blocks: list[Block] = []
    table: Table | None = None
    for no, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        where = f"{name}:{no}"
        if line.startswith("%%"):
            continue
        if table is not None:
            if line == "@end":
                check_table(table, where)
                blocks.append(table)
                table = None
            elif line == "@tablebreak":
                table.breaks_before.add(len(table.rows))
            elif line:
                table.rows.append([c.strip() for c in line.split("|")])
            continue
        if not line:
            continue
        if line.startswith("@page "):
            if blocks:
                raise ValueError(f"{where}: @page must come before any content")
            w, h = line.split()[1].lower().split("x")
            page_size = (float(w), float(h))
        elif line == "@pagebreak":
            blocks.append(PageBreak())
        elif line.startswith("@space "):
            blocks.append(Space(float(line.split()[1])))
        elif line.startswith("@table"):
            table = parse_table_options(line, no, where)
        elif line.startswith("@"):
            raise ValueError(f"{where}: unknown directive {line.split()[0]}")
        else:
            blocks.append(parse_text_line(line))
    if table is not None:
        raise ValueError(f"{name}: @table opened at line {table.line_no} has no @end")
    return page_size, blocks


def parse_text_line(line: str) -> Text:
    """Map the line's prefix (#, ##, ###, >>, >) to the kind of text block."""
    prefixes = (("### ", "heading"), ("## ", "subtitle"), ("# ", "title"), (">> ", "right"), ("> ", "plain"))
    for prefix, kind in prefixes:
        if line.startswith(prefix):
            return Text(kind, line[len(prefix) :].strip())
    return Text("para", line)


def parse_table_options(line: str, no: int, where: str) -> Table:
    """Read `@table widths=… font=… repeat-header=… attach`."""
    opts: dict[str, str] = {}
    for word in line.split()[1:]:
        key, _, value = word.partition("=")
        opts[key] = value
    unknown = set(opts) - {"widths", "font", "repeat-header", "attach"}
    if unknown or "widths" not in opts:
        raise ValueError(f"{where}: @table needs widths=…, unknown options {sorted(unknown)}")
    return Table(
        widths=[float(w) for w in opts["widths"].split(",")],
        font_size=float(opts.get("font") or TABLE_FONT_SIZE),
        repeat_header=int(opts.get("repeat-header") or 0),
        attach="attach" in opts,
        line_no=no,
    )


def check_table(table: Table, where: str) -> None:
    """Fail early on rows whose cell count differs from the column count."""
    for i, row in enumerate(table.rows):
        if len(row) != len(table.widths):
            raise ValueError(
                f"{where}: table from line {table.line_no}, row {i + 1} has "
                f"{len(row)} cells, expected {len(table.widths)}: {row}"
            )


def grid_to_cells(rows: list[list[str]], where: str) -> tuple[list[Cell], list[list[int]]]:
    """Resolve ^ and < markers into merged cells; owner[r][c] indexes cells.

    Merged areas must be rectangles, because Word's cell borders can only
    describe rectangles; anything else is a typo in the source.
    """
    owner: list[list[int]] = []
    cells: list[Cell] = []
    for r, row in enumerate(rows):
        owner.append([])
        for c, text in enumerate(row):
            if text == "^" and r > 0:
                owner[r].append(owner[r - 1][c])
            elif text == "<" and c > 0:
                owner[r].append(owner[r][c - 1])
            else:
                owner[r].append(len(cells))
                cells.append(Cell(text, r, c, r, c))
            cell = cells[owner[r][c]]
            cell.bottom, cell.right = max(cell.bottom, r), max(cell.right, c)
    for i, cell in enumerate(cells):
        for r in range(cell.top, cell.bottom + 1):
            for c in range(cell.left, cell.right + 1):
                if owner[r][c] != i:
                    raise ValueError(f"{where}: merged cell {cell.text!r} is not a rectangle")
    return cells, owner


# ------------------------------------------------------------------ text wrap


def wrap(text: str, size: float, width: float, first_width: float | None = None) -> list[str]:
    """Greedy line breaking as Word does for Chinese text.

    Breaks between any two CJK characters, keeps runs of ASCII (numbers such
    as 778.26, words) together unless a run is wider than the line, drops
    spaces at line ends, and applies simple kinsoku: a closing punctuation
    mark never starts a line, an opening one never ends a line.
    """
    tokens = deque(TOKEN_RE.findall(text))
    lines: list[str] = []
    cur: list[str] = []
    limit = width if first_width is None else first_width

    def length(toks: list[str]) -> float:
        return float(FONT.text_length("".join(toks), size))

    while tokens:
        tok = tokens.popleft()
        if tok.isspace() and not cur:
            continue  # no leading spaces on a line
        if len(tok) > 1 and not tok.isspace() and length([tok]) > width + EPS:
            tokens.extendleft(reversed(list(tok)))  # too wide for any line: split the run
            continue
        if not cur or length([*cur, tok]) <= limit + EPS:
            cur.append(tok)  # (a lone character wider than the line still goes somewhere)
            continue
        carry: list[str] = []
        if not tok.isspace():
            if tok[0] in NO_LINE_START and len(cur) > 1 and length([cur[-1], tok]) <= width:
                carry = [cur.pop()]
            while len(cur) > 1 and cur[-1][-1] in NO_LINE_END and length([cur[-1], *carry, tok]) <= width:
                carry.insert(0, cur.pop())
            carry.append(tok)
        lines.append("".join(cur).rstrip())
        cur = carry
        limit = width
    if cur:
        lines.append("".join(cur).rstrip())
    return lines or [""]


# --------------------------------------------------------------------- writer


class Writer:
    """Lays blocks out onto pages of a new PDF, keeping a y cursor."""

    def __init__(self, page_size: tuple[float, float]) -> None:
        self.doc = pymupdf.open()
        self.page_w, self.page_h = page_size
        self.left = MARGIN_LEFT
        self.right = self.page_w - MARGIN_RIGHT
        self.top = MARGIN_TOP
        self.bottom = self.page_h - MARGIN_BOTTOM
        self.page: pymupdf.Page | None = None
        self.y = self.top
        self.pending_gap = 0.0
        self.last_was_table = False

    @property
    def text_width(self) -> float:
        return self.right - self.left

    def new_page(self) -> None:
        """Start a page and embed the font in its resources."""
        self.page = self.doc.new_page(width=self.page_w, height=self.page_h)
        self.page.insert_font(fontname=FONT_NAME, fontbuffer=FONT.buffer)
        self.y = self.top
        self.pending_gap = 0.0

    def add_page_numbers(self) -> None:
        """Word-style centered "- N -" footers, written last like Word does,
        so text extraction reads the page body before its number."""
        for number in range(self.doc.page_count):
            self.page = self.doc[number]
            label = f"- {number + 1} -"
            x = (self.page_w - FONT.text_length(label, FOOTER_SIZE)) / 2
            self.put_text(x, self.page_h - FOOTER_FROM_BOTTOM, label, FOOTER_SIZE)

    def ensure_page(self) -> pymupdf.Page:
        if self.page is None:
            self.new_page()
        assert self.page is not None
        return self.page

    def put_text(self, x: float, baseline: float, text: str, size: float) -> None:
        if text:
            assert self.page is not None
            self.page.insert_text((x, baseline), text, fontname=FONT_NAME, fontsize=size)

    def put_line_in_box(self, x: float, top: float, line_h: float, text: str, size: float) -> None:
        """Place one text line vertically centered in a line box of height line_h."""
        baseline = top + (line_h - (ASC - DESC) * size) / 2 + ASC * size
        self.put_text(x, baseline, text, size)

    def add(self, block: Block) -> None:
        if isinstance(block, PageBreak):
            self.new_page()
        elif isinstance(block, Space):
            self.ensure_page()
            self.y += block.points
        elif isinstance(block, Text):
            self.add_text(block)
        else:
            self.add_table(block)
        self.last_was_table = isinstance(block, Table)

    def add_text(self, block: Text) -> None:
        """Titles are centered, headings flush left, paragraphs indented.

        Lines that do not fit go to the next page one by one, so a long
        paragraph is split across pages like Word's output.
        """
        self.ensure_page()
        size = {"title": TITLE_SIZE, "subtitle": SUBTITLE_SIZE, "heading": HEADING_SIZE}.get(block.kind, BODY_SIZE)
        line_h = size * LINE_FACTOR
        indent = 2 * size if block.kind == "para" else 0.0
        lines = wrap(block.text, size, self.text_width, self.text_width - indent)
        self.y += self.pending_gap
        self.pending_gap = 0.0
        if block.kind == "heading" and self.y > self.top + EPS:
            self.y += GAP_BEFORE_HEADING
        for i, line in enumerate(lines):
            if self.y + line_h > self.bottom + EPS:
                self.new_page()
            if block.kind in ("title", "subtitle"):
                x = self.left + (self.text_width - FONT.text_length(line, size)) / 2
            elif block.kind == "right":
                x = self.right - FONT.text_length(line, size)
            else:
                x = self.left + (indent if i == 0 else 0.0)
            self.put_line_in_box(x, self.y, line_h, line, size)
            self.y += line_h
        if block.kind in ("title", "subtitle"):
            self.pending_gap = GAP_AFTER_TITLE  # keeps a following table off the title

    # ------------------------------------------------------------- tables

    def add_table(self, table: Table) -> None:
        """Paginate the rows of a table and draw each page's part."""
        self.ensure_page()
        if not (table.attach and self.last_was_table):
            self.y += self.pending_gap
        layout = TableLayout(table, self.left, self.text_width)
        for i, part in enumerate(layout.paginate(self.y, self.top, self.bottom)):
            if i > 0 or (part and part[0][1] < self.y - EPS):
                self.new_page()
            self.draw_table_part(layout, part)
            if part:
                self.y = part[-1][1] + part[-1][2]
        self.pending_gap = GAP_AFTER_TABLE

    def draw_table_part(self, layout: TableLayout, part: list[tuple[int, float, float]]) -> None:
        """Draw one page's rows: borders of the cell parts, then their texts.

        `part` lists (row, y, height).  Rows that are consecutive in the
        table form a group; a cell is drawn once per group it touches and
        gets its text only in the group holding its first row.
        """
        page = self.ensure_page()
        groups: list[list[tuple[int, float, float]]] = []
        for entry in part:
            if groups and groups[-1][-1][0] + 1 == entry[0]:
                groups[-1].append(entry)
            else:
                groups.append([entry])
        h_edges: dict[float, set[int]] = {}
        v_edges: dict[int, list[tuple[float, float]]] = {}
        texts = []
        for group in groups:
            rows = {r: (y, h) for r, y, h in group}
            for cell in layout.cells:
                covered = [r for r in range(cell.top, cell.bottom + 1) if r in rows]
                if not covered:
                    continue
                y0 = rows[covered[0]][0]
                y1 = rows[covered[-1]][0] + rows[covered[-1]][1]
                for y in (y0, y1):
                    h_edges.setdefault(round(y, 3), set()).update(range(cell.left, cell.right + 1))
                for xi in (cell.left, cell.right + 1):
                    v_edges.setdefault(xi, []).append((y0, y1))
                if cell.top in rows:
                    texts.append((cell, y0, y1))
        xs = layout.xs
        for y, cols in sorted(h_edges.items()):
            for c0, c1 in runs(sorted(cols)):
                page.draw_line((xs[c0], y), (xs[c1 + 1], y), width=RULE_WIDTH)
        for xi, spans in sorted(v_edges.items()):
            for y0, y1 in merge_intervals(spans):
                page.draw_line((xs[xi], y0), (xs[xi], y1), width=RULE_WIDTH)
        for cell, y0, y1 in texts:
            self.draw_cell_text(layout, cell, y0, y1)

    def draw_cell_text(self, layout: TableLayout, cell: Cell, y0: float, y1: float) -> None:
        """Center the wrapped text block vertically; one-liners also horizontally."""
        lines = layout.lines[id(cell)]
        if lines == [""]:
            return
        size, line_h = layout.size, layout.line_h
        x0, x1 = layout.xs[cell.left], layout.xs[cell.right + 1]
        top = y0 + (y1 - y0 - len(lines) * line_h) / 2
        for i, line in enumerate(lines):
            if len(lines) == 1:
                x = x0 + (x1 - x0 - FONT.text_length(line, size)) / 2
            else:
                x = x0 + CELL_PAD_X
            self.put_line_in_box(x, top + i * line_h, line_h, line, size)


class TableLayout:
    """Column edges, wrapped cell texts and row heights of one table."""

    def __init__(self, table: Table, left: float, width: float) -> None:
        self.table = table
        self.cells, _ = grid_to_cells(table.rows, f"table at line {table.line_no}")
        scale = width / sum(table.widths)
        self.xs = [left]
        for w in table.widths:
            self.xs.append(self.xs[-1] + w * scale)
        self.size = table.font_size
        self.line_h = self.size * CELL_LINE_FACTOR
        self.lines: dict[int, list[str]] = {}
        self.need: dict[int, float] = {}
        n = len(table.rows)
        self.base = [MIN_ROW_HEIGHT] * n
        self.covering: list[list[Cell]] = [[] for _ in range(n)]
        for cell in self.cells:
            inner = self.xs[cell.right + 1] - self.xs[cell.left] - 2 * CELL_PAD_X
            self.lines[id(cell)] = wrap(cell.text, self.size, inner)
            self.need[id(cell)] = len(self.lines[id(cell)]) * self.line_h + 2 * CELL_PAD_Y
            if cell.top == cell.bottom:
                self.base[cell.top] = max(self.base[cell.top], self.need[id(cell)])
            for r in range(cell.top, cell.bottom + 1):
                self.covering[r].append(cell)

    def row_height(self, r: int, start: int, placed: dict[int, float], ends_here: bool) -> float:
        """Height of row r in a page group that began at row `start`.

        Merged cells whose text lives in this group (top >= start) must fit
        in the rows they cover here; the shortfall is added to their last
        row in the group: row r if the cell ends at r, or if the group (the
        page) ends at r.
        """
        h = self.base[r]
        for cell in self.covering[r]:
            if cell.top < start or cell.top == cell.bottom:
                continue
            if cell.bottom == r or ends_here:
                used = sum(placed[k] for k in range(cell.top, r))
                h = max(h, self.need[id(cell)] - used)
        return h

    def header_part(self, y: float) -> list[tuple[int, float, float]]:
        """Rows repeated at the top of continuation pages, starting at y."""
        n = self.table.repeat_header
        placed: dict[int, float] = {}
        part = []
        for r in range(n):
            placed[r] = self.row_height(r, 0, placed, r == n - 1)
            part.append((r, y, placed[r]))
            y += placed[r]
        return part

    def paginate(self, y: float, top: float, bottom: float) -> list[list[tuple[int, float, float]]]:
        """Split rows into page parts of (row, y, height), greedily.

        A row goes on the current page if it fits there as the page's last
        row (with any growth that would cause); otherwise the page closes
        and the row opens the next one, under the repeated header rows.
        """
        parts: list[list[tuple[int, float, float]]] = []
        part: list[tuple[int, float, float]] = []
        placed: dict[int, float] = {}
        start, last_end_h = 0, 0.0
        if y + self.row_height(0, 0, {}, True) > bottom + EPS and y > top + EPS:
            y = top  # not even the first row fits: the table starts on a new page
        for r in range(len(self.table.rows)):
            end_h = self.row_height(r, start, placed, True)
            if part and (r in self.table.breaks_before or y + end_h > bottom + EPS):
                part[-1] = (part[-1][0], part[-1][1], last_end_h)
                parts.append(part)
                part, placed, start = [], {}, r
                y = top
                if 0 < self.table.repeat_header <= r:
                    part = self.header_part(y)
                    y = part[-1][1] + part[-1][2]
                end_h = self.row_height(r, start, placed, True)
            placed[r] = self.row_height(r, start, placed, False)
            part.append((r, y, placed[r]))
            y += placed[r]
            last_end_h = end_h
        if part:
            part[-1] = (part[-1][0], part[-1][1], last_end_h)
            parts.append(part)
        return parts


def runs(values: list[int]) -> list[tuple[int, int]]:
    """[1,2,3,5] -> [(1,3),(5,5)]: consecutive column edges become one line."""
    out: list[tuple[int, int]] = []
    for v in values:
        if out and out[-1][1] + 1 == v:
            out[-1] = (out[-1][0], v)
        else:
            out.append((v, v))
    return out


def merge_intervals(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Join touching/overlapping vertical pieces so each border is one segment."""
    out: list[tuple[float, float]] = []
    for y0, y1 in sorted(spans):
        if out and y0 <= out[-1][1] + 1e-3:
            out[-1] = (out[-1][0], max(out[-1][1], y1))
        else:
            out.append((y0, y1))
    return out


# ---------------------------------------------------------------- documents


def render(source: str, name: str) -> pymupdf.Document:
    """Lay out one DSL source into a new in-memory PDF document."""
    page_size, blocks = parse_source(source, name)
    writer = Writer(page_size)
    for block in blocks:
        writer.add(block)
    writer.ensure_page()
    writer.add_page_numbers()
    titles = [b.text for b in blocks if isinstance(b, Text) and b.kind == "title"]
    writer.doc.set_metadata(
        {
            "title": "".join(titles[:3]) or name,
            "author": "",
            "subject": "",
            "keywords": "",
            "creator": "jixiao samples/build.py",
            "producer": "PyMuPDF",
            "creationDate": FIXED_DATE,
            "modDate": FIXED_DATE,
        }
    )
    writer.doc.subset_fonts()
    return writer.doc


def pdf_bytes(doc: pymupdf.Document) -> bytes:
    """Serialize without a document id, so the bytes only depend on content;
    clean=True merges each page's many small content streams into one."""
    return bytes(doc.tobytes(garbage=3, deflate=True, clean=True, no_new_id=True))


def write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    print(f"{path.relative_to(HERE.parent)}  {len(data):>7} bytes  sha256 {hashlib.sha256(data).hexdigest()[:16]}")


def build_sources(only: set[str]) -> None:
    """sources/*.txt -> samples/*.pdf and sources/bad/*.txt -> samples/bad/*.pdf."""
    for src_dir, out_dir in ((SOURCES, HERE), (SOURCES / "bad", BAD)):
        for src in sorted(src_dir.glob("*.txt")):
            if only and src.stem not in only:
                continue
            doc = render(src.read_text(encoding="utf-8"), src.name)
            write(out_dir / f"{src.stem}.pdf", pdf_bytes(doc))


def build_bad_files() -> None:
    """Inputs a parser must refuse cleanly, each named after its failure."""
    write(BAD / "empty.pdf", b"")
    write(
        BAD / "not-a-pdf.pdf",
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>404 Not Found</title></head>\n'
        "<body><h1>404 Not Found</h1><p>您访问的页面不存在或已被删除。</p></body></html>\n".encode(),
    )
    seed = (HERE / "seed-department-report.pdf").read_bytes()
    write(BAD / "truncated.pdf", seed[: len(seed) * 6 // 10])
    write_encrypted(HERE / "project-consistent.pdf", BAD / "encrypted-user-password.pdf")


def write_encrypted(src: Path, dest: Path) -> None:
    """AES-256 copy of src with user password "secret".

    MuPDF draws the encryption salts and the document id at random, so the
    bytes differ on every save.  To keep builds reproducible an existing
    file is kept when it decrypts to the same pages as src.
    """
    source = pymupdf.open(src)
    if dest.exists():
        old = pymupdf.open(dest)
        if old.needs_pass and old.authenticate("secret") and page_digest(old) == page_digest(source):
            print(f"{dest.relative_to(HERE.parent)}  {dest.stat().st_size:>7} bytes  kept (same decrypted pages)")
            return
    write(
        dest,
        source.tobytes(  # no clean=True: it would rewrite the already clean contents
            garbage=3,
            deflate=True,
            encryption=ENCRYPT_AES_256,
            user_pw="secret",
            owner_pw="jixiao-owner",
            permissions=PERMISSIONS,
        ),
    )


def page_digest(doc: pymupdf.Document) -> str:
    """Hash of what the pages show: content streams and extracted text."""
    h = hashlib.sha256(str(doc.page_count).encode())
    for number in range(doc.page_count):
        h.update(doc[number].read_contents())
        h.update(doc[number].get_text().encode())
    return h.hexdigest()


def main(argv: list[str]) -> int:
    only = set(argv)
    build_sources(only)
    if not only:
        build_bad_files()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
