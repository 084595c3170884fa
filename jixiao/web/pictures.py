"""Evidence pictures rendered on demand from the stored PDF, and cached on disk.

A finding's crops are those of the HTML report (:class:`jixiao.html.crops.CropRenderer`: the region
around the cells, framed in red); a whole page is rendered for the page viewer, with the boxes of
the report's findings on it framed the same way. A picture is keyed by the file's sha256 and a hash of
what it frames (the finding's rule, boxes, page and snippet; a page's framed boxes), not by a finding's
number: findings judged again under another profile, or by a newer parser, are numbered differently,
and a crop cached under a number would then show an auditor the wrong cells. PyMuPDF (not
thread-safe) renders one picture at a time.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import pymupdf
from PIL import Image

from jixiao.html.crops import CropRenderer, frame, png_with_frames
from jixiao.html.locate import finding_boxes
from jixiao.models import Finding, Report

PAGE_DPI = 110
MAX_PAGE_PX = 2400
_render_lock = threading.Lock()


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{threading.get_ident()}.part")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _digest(*parts: object) -> str:
    return hashlib.blake2b(repr(parts).encode("utf-8"), digest_size=10).hexdigest()


def crop_stem(report: Report, finding: Finding) -> str:
    """The cache name of a finding's crops: the file's bytes and what the crops frame."""
    where = finding.where
    framed = _digest(finding.rule, finding_boxes(finding, report), finding.page, where.page, where.snippet)
    return f"{report.source.sha256}-{framed}"


def crop_png(cache: Path, report: Report, number: int, which: int) -> bytes | None:
    """Crop ``which`` of finding ``number`` of ``report`` as PNG; None when it has no such crop."""
    if not 0 <= number < len(report.findings):
        return None
    stem = crop_stem(report, report.findings[number])
    target = cache / "crops" / f"{stem}-{which}.png"
    if target.is_file():
        return target.read_bytes()
    none = cache / "crops" / f"{stem}.none"
    if none.is_file():
        return None
    with _render_lock:
        with CropRenderer() as renderer:
            crops = renderer.crops(report, report.findings[number])
        for i, crop in enumerate(crops):
            _write(cache / "crops" / f"{stem}-{i}.png", crop.png)
        if not crops:
            _write(none, b"")
    return crops[which].png if 0 <= which < len(crops) else None


def crop_count(report: Report, number: int) -> int:
    """How many pages a finding's crops span (one picture each), without rendering them."""
    finding = report.findings[number]
    boxes = finding_boxes(finding, report)
    pages = {b.page for b in boxes}
    if pages:
        return len(pages)
    return 1 if (finding.page or finding.where.page or finding.where.snippet) else 0


def page_png(cache: Path, report: Report, page: int) -> bytes | None:
    """Page ``page`` (1-based) of the report's file, its findings' boxes framed; None if no such page."""
    boxes = [b for f in report.findings for b in finding_boxes(f, report) if b.page == page]
    target = cache / "pages" / f"{report.source.sha256}-p{page}-{_digest(boxes)}.png"
    if target.is_file():
        return target.read_bytes()
    with _render_lock:
        try:
            doc = pymupdf.open(report.source.path)
        except Exception:
            return None
        try:
            if not 1 <= page <= doc.page_count:
                return None
            pdf_page = doc[page - 1]
            rect = pdf_page.rect
            zoom = min(PAGE_DPI / 72, MAX_PAGE_PX / max(rect.width, rect.height, 1))
            pix = pdf_page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False)
            image = Image.frombytes("RGB", (pix.width, pix.height), pix.samples)
            clip = (rect.x0, rect.y0, rect.x1, rect.y1)
            png = png_with_frames(image, [frame(b, clip, zoom, pix.width, pix.height) for b in boxes])
        finally:
            doc.close()
    _write(target, png)
    return png
