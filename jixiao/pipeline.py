"""One file in, records out: the library's entry point and the batch's unit of work.

Every file gives at least one record. Anything that stops a file (a
:class:`~jixiao.errors.JixiaoError`, or a bug of ours) becomes a
:class:`~jixiao.models.Failure` instead of an exception, so one bad file can
never stop a batch.
"""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path

from pymupdf import mupdf

from jixiao.errors import JixiaoError
from jixiao.extract.formats import extract_any
from jixiao.extract.ocr.decide import text_stats
from jixiao.extract.pdf import PdfLimits, read_bytes, sha256_of
from jixiao.extract.sniff import sniff
from jixiao.extract.traditional import to_simplified
from jixiao.models import Failure, FailureError, Record, Report, Source
from jixiao.normalize import vocab
from jixiao.normalize.canon import prepare_matchers
from jixiao.normalize.memo import forget_document
from jixiao.normalize.report import build_reports
from jixiao.validate import validate


def parse_bytes(data: bytes, name: str, limits: PdfLimits | None = None) -> list[Record]:
    forget_document()
    try:
        reports = build_reports(extract_any(data, name, limits))
    except JixiaoError as exc:
        return [failure(name, data, exc.kind, str(exc))]
    except MemoryError:
        return [failure(name, data, "too_large", "解析时内存超出上限 / ran out of memory while parsing")]
    except Exception as exc:  # a bug of ours must not lose the file
        if _out_of_memory(exc):
            return [failure(name, data, "too_large", "读取页面或识别扫描页时内存超出上限 / ran out of memory while reading a page")]
        if _damaged(exc):
            return [failure(name, data, "corrupt", f"PDF 已损坏，读取页面时出错 / damaged PDF, error while reading a page: {exc}")]
        return [failure(name, data, "crashed", f"解析出错 / parser error: {type(exc).__name__}: {exc}")]
    return [replace(r, findings=validate(r)) for r in reports]


#: MuPDF's own exceptions for a damaged file (``code=7: malformed page tree``, ``cycle in
#: page tree``): raised while pages are read, after the file opened, and not RuntimeErrors.
_DAMAGED = (mupdf.FzErrorFormat, mupdf.FzErrorSyntax)


def _damaged(exc: Exception) -> bool:
    """MuPDF failing on a damaged file: its typed errors, or a RuntimeError reading "code=N: …"
    (any other RuntimeError is ours)."""
    return isinstance(exc, _DAMAGED) or (isinstance(exc, RuntimeError) and str(exc).startswith("code="))


def warm_up() -> None:
    """Build the tables the parser makes on first use (the page decision's character
    classes, about 30 ms; the column vocabularies' matchers, 20 ms; the Traditional
    → Simplified converter, 8 ms).  A batch calls this before it forks its workers, so each
    worker, and each replacement of one, inherits them instead of building them on
    its first file."""
    text_stats("预算")
    prepare_matchers(vocab.FUND_COLUMNS, vocab.INDICATOR_COLUMNS)
    to_simplified("")


#: MuPDF's way of saying MemoryError: ``code=2: malloc (155520000 bytes) failed`` (an FzErrorSystem).
_MUPDF_MALLOC = re.compile(r"\bmalloc \(\d+ bytes\) failed")


def _out_of_memory(exc: Exception) -> bool:
    """onnxruntime's and MuPDF's ways of saying MemoryError (under a worker's memory cap): a C++
    ``bad_alloc``, or MuPDF's failed ``malloc`` (rendering a huge scanned page while the OCR engine
    loads beside it)."""
    text = str(exc)
    return "bad_alloc" in text or "Failed to allocate memory" in text or _MUPDF_MALLOC.search(text) is not None


def parse_path(path: str | os.PathLike[str], limits: PdfLimits | None = None) -> list[Record]:
    """Parse one PDF into report records (one per table) or one failure record."""
    data = read_input(path)
    if isinstance(data, Failure):
        return [data]
    return parse_bytes(data, str(Path(path)), limits)


def read_input(path: str | os.PathLike[str]) -> bytes | Failure:
    """A file's bytes, or its failure record when it cannot be read (empty, unreadable): the first
    step of :func:`parse_path`, also taken by a batch that sends bytes to other machines."""
    p = Path(path)
    try:
        return read_bytes(p)
    except JixiaoError as exc:
        return failure(str(p), b"", exc.kind, str(exc))
    except OSError as exc:
        return failure(str(p), b"", "corrupt", f"无法读取文件 / cannot read file: {exc}")


def parse(path: str | os.PathLike[str]) -> list[Report]:
    """The library call: reports of one PDF; a file that cannot be read raises.

    Example: ``jixiao.parse("samples/seed-department-report.pdf")[0].total_score``.
    """
    records = parse_path(path)
    failed = [r for r in records if isinstance(r, Failure)]
    if failed:
        raise ParseFailed(failed[0])
    return [r for r in records if isinstance(r, Report)]


class ParseFailed(Exception):
    def __init__(self, failure: Failure) -> None:
        super().__init__(f"{failure.source.path}: [{failure.error.kind}] {failure.error.message}")
        self.failure = failure


def _format_of(data: bytes) -> str:
    """What a failed file is, for its failure row ("pdf" where nothing else is known, as before)."""
    kind = sniff(data) if data else "unknown"
    return kind if kind in ("docx", "xlsx", "xls", "ofd", "html", "doc") else "pdf"


def failure(name: str, data: bytes, kind: str, message: str) -> Failure:
    source = Source(path=name, sha256=sha256_of(data) if data else "", page_count=0, format=_format_of(data))
    return Failure(source=source, error=FailureError(kind=kind, message=message))  # type: ignore[arg-type]
