"""An HTML table saved as ``.xls`` (what many government systems export) → tables and text.

Excel opens such a file as a sheet; its merged cells are ``rowspan`` and
``colspan``.  The standard library's tokenizer reads it (no DTDs, no
entities beyond HTML's own), cells are laid out with the HTML table rule (a
cell takes the next column not covered by a row span from above), and the
text outside tables becomes paragraphs.  Positions are table, row and column,
as in Word.
"""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser

from jixiao.extract.flow import FlowCell, FlowItem, FlowPara, FlowTable, assemble, col_edges_of
from jixiao.extract.pdf import sha256_of
from jixiao.extract.sheet import CELL_WIDTH_PT
from jixiao.layout import Extracted
from jixiao.models import Source

ENCODINGS = ("utf-8", "gb18030")
BLOCK_TAGS = {"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "title"}
MAX_SPAN = 1000  # a rowspan/colspan beyond this is a broken file, not a table


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[tuple[str, object]] = []  # ("p", text) or ("t", rows)
        self.text: list[str] = []
        self.tables: list[list[list[tuple[str, int, int]]]] = []  # open tables: rows of (text, rowspan, colspan)
        self.cell: list[str] | None = None
        self.span = (1, 1)
        self.skip = 0  # inside <script>/<style>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        elif tag == "table":
            self._flush()
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th") and self.tables:
            if not self.tables[-1]:
                self.tables[-1].append([])
            a = dict(attrs)
            self.cell = []
            self.span = (_int(a.get("rowspan")), _int(a.get("colspan")))
        elif tag in BLOCK_TAGS:
            if self.cell is not None:
                self.cell.append("\n")
            else:
                self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif tag in ("td", "th") and self.cell is not None and self.tables:
            text = "\n".join(s.strip() for s in "".join(self.cell).split("\n") if s.strip())
            self.tables[-1][-1].append((text, *self.span))
            self.cell = None
        elif tag == "table" and self.tables:
            rows = self.tables.pop()
            if self.tables and self.cell is not None:  # a nested table: its text stays in the cell
                self.cell.append(" ".join(t for row in rows for t, _r, _c in row))
            else:
                self.items.append(("t", rows))
        elif tag in BLOCK_TAGS and self.cell is None:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.cell is not None:
            self.cell.append(data)
        elif not self.tables:
            self.text.append(data)

    def _flush(self) -> None:
        text = " ".join("".join(self.text).split())
        if text:
            self.items.append(("p", text))
        self.text = []


def _int(value: str | None) -> int:
    try:
        return max(1, min(int((value or "1").strip()), MAX_SPAN))
    except ValueError:
        return 1


def layout(rows: list[list[tuple[str, int, int]]], table_no: int) -> FlowTable:
    """HTML's table rule: each cell takes the next free column of its row."""
    taken: set[tuple[int, int]] = set()
    cells = []
    ncols = 0
    for r, row in enumerate(rows):
        c = 0
        for text, rowspan, colspan in row:
            while (r, c) in taken:
                c += 1
            rs = min(rowspan, len(rows) - r)
            for rr in range(r, r + rs):
                for cc in range(c, c + colspan):
                    taken.add((rr, cc))
            cells.append(FlowCell(r, c, rs, colspan, text))
            c += colspan
            ncols = max(ncols, c)
    return FlowTable(table_no, tuple(cells), len(rows), ncols, col_edges_of([CELL_WIDTH_PT] * ncols))


def decode(data: bytes) -> str:
    head = data[:2048].lower()
    for enc in ("gb2312", "gbk", "gb18030"):
        if enc.encode() in head:
            return data.decode("gb18030", errors="replace")
    for enc in ENCODINGS:
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def _items(reader: _Reader) -> Iterator[FlowItem]:
    table_no = 1
    for index, (kind, value) in enumerate(reader.items):
        if kind == "p":
            yield FlowPara(table_no, index, str(value))
        else:
            rows = value if isinstance(value, list) else []
            if rows:
                yield layout(rows, table_no)
                table_no += 1


def read_html(data: bytes, name: str) -> Extracted:
    reader = _Reader()
    reader.feed(decode(data))
    reader.close()
    reader._flush()
    source = Source(path=name, sha256=sha256_of(data), page_count=1, format="html")
    return assemble(source, _items(reader))
