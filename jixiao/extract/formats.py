"""Bytes of any supported format → :class:`Extracted`, the one hand-over to ``normalize/``.

The format comes from the bytes (:func:`jixiao.extract.sniff.sniff`); each
reader lives in its own module and is imported only when a file needs it.
Old binary Word/WPS files get ``unsupported_format`` with how to convert.
"""

from __future__ import annotations

from jixiao.errors import Corrupt, NotPdf, UnsupportedFormat
from jixiao.extract.document import extract_bytes
from jixiao.extract.pdf import PdfLimits
from jixiao.extract.sniff import sniff
from jixiao.layout import Extracted


def extract_any(data: bytes, name: str, limits: PdfLimits | None = None) -> Extracted:
    kind = sniff(data)
    if kind in ("pdf", "unknown"):  # the PDF path says what is wrong with a file of no known kind
        return extract_bytes(data, name, limits)
    if kind == "docx":
        from jixiao.extract.docx import read_docx

        return read_docx(data, name)
    if kind == "xlsx":
        from jixiao.extract.xlsx import read_xlsx

        return read_xlsx(data, name)
    if kind in ("xls", "ole"):  # an unknown compound file: xlrd says whether it is a workbook
        from jixiao.extract.xls import read_xls

        return read_xls(data, name)
    if kind == "ofd":
        from jixiao.extract.ofd import read_ofd

        return read_ofd(data, name, limits)
    if kind == "html":
        from jixiao.extract.html_table import read_html

        return read_html(data, name)
    if kind == "doc":
        raise UnsupportedFormat(
            "旧版 Word/WPS 二进制文件（.doc/.wps）不支持，请用 Word 或 WPS 另存为 .docx 后再提交",
            "old binary Word/WPS files (.doc/.wps) are not supported: save as .docx in Word or WPS and submit that",
        )
    if kind == "damaged_zip":
        raise Corrupt(
            "文件已损坏（zip 结构无法读取，可能被截断）", "damaged file (its zip structure cannot be read: cut short?)"
        )
    if kind == "zip":
        raise UnsupportedFormat(
            "压缩包不是 .docx/.xlsx/.ofd 文件（或已损坏），请解压后提交其中的文件，或另存为 .docx/.xlsx",
            "a zip that is no .docx/.xlsx/.ofd (or a damaged one): unpack it, or save as .docx/.xlsx",
        )
    raise NotPdf(  # pragma: no cover - every Format is handled above
        "不是可读取的文件格式（支持 PDF、.docx、.xlsx、.xls、OFD）",
        "not a readable format (PDF, .docx, .xlsx, .xls and OFD are read)",
    )
