"""Opening a PDF, with every way it can fail turned into a failure kind.

This is the only place that decides a file is empty, not a PDF, encrypted or
damaged, so the batch runner and the library report the same reasons.
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass
from pathlib import Path

import pymupdf
from pymupdf import mupdf

from jixiao.errors import Corrupt, EmptyFile, Encrypted, NotPdf, TooLarge

MAX_PAGES = 50_000  # a real report has tens of pages; a 决算 volume a few thousand
MAX_STREAM_MB = 256  # inflated size of one stream; real content streams are KBs
FLATE_MAX_RATIO = 1032  # deflate cannot expand more than this, so smaller streams are safe unread
PDF_MAGIC = b"%PDF-"
MAGIC_WINDOW = 1024  # the PDF spec allows junk before the header; readers look this far

pymupdf.TOOLS.mupdf_display_errors(False)
pymupdf.TOOLS.mupdf_display_warnings(False)


def read_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    if not data:
        raise EmptyFile("文件为空（0 字节）", "the file is empty (0 bytes)")
    return data


class _ContentDocument(pymupdf.Document):
    """A :class:`pymupdf.Document` that skips what PyMuPDF reads on opening for its own
    API and nothing here uses: the outline tree and eleven metadata look-ups
    (``init_doc``; ``metadata`` and ``outline`` stay ``None``).  About half the
    cost of opening a report; the pages, text and drawings are PyMuPDF's own."""

    def init_doc(self) -> None:
        self._outline = None


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class PdfLimits:
    """Per-file limits checked before any page is read; defaults a real report never hits."""

    max_pages: int = MAX_PAGES
    max_stream_mb: int = MAX_STREAM_MB


def open_pdf(data: bytes, name: str, limits: PdfLimits | None = None) -> pymupdf.Document:
    """Open PDF bytes; raise a :class:`jixiao.errors.JixiaoError` for unreadable ones."""
    if PDF_MAGIC not in data[:MAGIC_WINDOW]:
        raise NotPdf("不是 PDF 文件（缺少 %PDF- 文件头）", "not a PDF file (no %PDF- header)")
    try:
        doc = _ContentDocument(stream=data, filetype="pdf")
    except Exception as exc:  # MuPDF raises plain RuntimeError/FzError subclasses
        raise Corrupt(f"PDF 已损坏，无法打开：{exc}", f"damaged PDF, cannot be opened: {exc}") from exc
    if doc.needs_pass and not doc.authenticate(""):
        doc.close()
        raise Encrypted(
            "PDF 设有打开密码，无法读取", "the PDF is protected by a user password and cannot be read"
        )
    if doc.is_repaired:
        pages = doc.page_count
        doc.close()
        raise Corrupt(
            f"PDF 已损坏（被截断或交叉引用表损坏），仅能部分修复（{pages} 页）",
            f"damaged PDF (truncated or broken xref), only partly repairable ({pages} pages)",
        )
    if doc.page_count == 0:
        doc.close()
        raise Corrupt("PDF 没有页面", "the PDF has no pages")
    limits = limits or PdfLimits()
    try:
        check_limits(doc, limits.max_pages, limits.max_stream_mb, len(data))
    except TooLarge:
        doc.close()
        raise
    return doc


def check_limits(
    doc: pymupdf.Document, max_pages: int = MAX_PAGES, max_stream_mb: int = MAX_STREAM_MB, file_size: int | None = None
) -> None:
    """Refuse a file before reading it if it has too many pages or a stream that
    inflates beyond the limit (a decompression bomb): a ``too_large`` failure
    instead of a worker that runs out of memory or time.

    Only streams large enough to possibly exceed the limit are inflated, and
    only up to the limit, so normal files pay a few microseconds per stream;
    a file too small to hold such a stream (``file_size``) pays nothing.
    """
    if doc.page_count > max_pages:
        raise TooLarge(
            f"PDF 有 {doc.page_count} 页，超过上限 {max_pages} 页",
            f"the PDF has {doc.page_count} pages, more than the limit of {max_pages}",
        )
    limit = max_stream_mb * 1024 * 1024
    if file_size is not None and file_size * FLATE_MAX_RATIO <= limit:
        return  # no stream of so small a file can inflate past the limit
    pdf = doc.this if isinstance(doc.this, mupdf.PdfDocument) else mupdf.PdfDocument(doc.this)
    for xref in range(1, doc.xref_length()):
        # what doc.xref_is_stream asks, without its wrapper's checks on every object of the file
        if not mupdf.pdf_obj_num_is_stream(pdf, xref):
            continue
        kind, length = doc.xref_get_key(xref, "Length")
        if kind != "int" or int(length) * FLATE_MAX_RATIO <= limit:
            continue
        if "FlateDecode" not in doc.xref_get_key(xref, "Filter")[1]:
            continue
        inflated = _inflated_size(doc.xref_stream_raw(xref), limit)
        if inflated > limit:
            raise TooLarge(
                f"PDF 中有数据流解压后超过 {max_stream_mb} MB（疑似压缩炸弹）",
                f"a stream inflates to more than {max_stream_mb} MB (a decompression bomb?)",
            )


def _inflated_size(raw: bytes, limit: int) -> int:
    """Inflate in bounded chunks and stop as soon as the limit is passed."""
    engine = zlib.decompressobj()
    total = 0
    data = raw
    try:
        while data and total <= limit:
            out = engine.decompress(data, 1 << 20)
            total += len(out)
            data = engine.unconsumed_tail
    except zlib.error:
        return total  # a damaged stream: MuPDF will report it when it reads it
    return total
