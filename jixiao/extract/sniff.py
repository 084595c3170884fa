"""What a file is, from its first bytes and (for zips) its member names, never from its name.

Government systems save an HTML table as ``.xls`` and a Word file as ``.doc``
after a ``.docx`` was filled in, so the suffix is a hint at best.  A zip is
told by the part its format requires (``word/document.xml``,
``xl/workbook.xml``, ``OFD.xml``); an OLE2 compound file (``D0CF11E0``) by
the stream names in its directory (``Workbook``/``Book`` for Excel,
``WordDocument`` for Word and WPS).
"""

from __future__ import annotations

import io
import zipfile
from typing import Literal

Format = Literal["pdf", "docx", "xlsx", "ofd", "xls", "html", "doc", "ole", "zip", "damaged_zip", "unknown"]

PDF_WINDOW = 1024  # the PDF spec allows junk before %PDF-; readers look this far
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
HTML_WINDOW = 2048
# suffixes a folder search picks up (any letter case); the format itself comes from the bytes.
# Old binary Word/WPS/ET files are picked up too, so each gets a row saying how to convert it.
SUFFIXES = (".pdf", ".docx", ".xlsx", ".xls", ".ofd", ".doc", ".wps", ".et")
_BOM = b"\xef\xbb\xbf"


def sniff(data: bytes) -> Format:
    """The format of a file's bytes.

    Example: ``sniff(b"%PDF-1.7 ...") == "pdf"``.
    """
    if b"%PDF-" in data[:PDF_WINDOW]:
        return "pdf"
    if data.startswith(ZIP_MAGIC) or data.startswith(b"PK\x05\x06"):
        return _zip_kind(data)
    if data.startswith(OLE_MAGIC):
        return _ole_kind(data)
    head = data[:HTML_WINDOW].lstrip(_BOM).lstrip().lower()
    if head.startswith(b"<") and b"<table" in data[: 1 << 20].lower():
        return "html"  # a page without a table (a 404 page saved as .pdf) is no table export
    return "unknown"


def _zip_kind(data: bytes) -> Format:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return "damaged_zip"  # cut short (no central directory) or broken
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "OFD.xml" in names or "ofd.xml" in names:
        return "ofd"
    return "zip"


def _ole_kind(data: bytes) -> Format:
    """Excel or Word, from the UTF-16 stream names in the compound file's directory
    (``ole`` where neither is found: a file cut short before its directory)."""
    if "Workbook".encode("utf-16-le") in data or "Book\x00".encode("utf-16-le") in data:
        return "xls"
    if "WordDocument".encode("utf-16-le") in data:
        return "doc"
    return "ole"
