"""Opening a PDF, with every way it can fail turned into a failure kind.

This is the only place that decides a file is empty, not a PDF, encrypted or
damaged, so the batch runner and the library report the same reasons.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pymupdf

from jixiao.errors import Corrupt, EmptyFile, Encrypted, NotPdf

PDF_MAGIC = b"%PDF-"
MAGIC_WINDOW = 1024  # the PDF spec allows junk before the header; readers look this far

pymupdf.TOOLS.mupdf_display_errors(False)
pymupdf.TOOLS.mupdf_display_warnings(False)


def read_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    if not data:
        raise EmptyFile("文件为空（0 字节）", "the file is empty (0 bytes)")
    return data


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def open_pdf(data: bytes, name: str) -> pymupdf.Document:
    """Open PDF bytes; raise a :class:`jixiao.errors.JixiaoError` for unreadable ones."""
    if PDF_MAGIC not in data[:MAGIC_WINDOW]:
        raise NotPdf("不是 PDF 文件（缺少 %PDF- 文件头）", "not a PDF file (no %PDF- header)")
    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
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
    return doc
