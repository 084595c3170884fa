"""Pictures of the page around a finding, the cells boxed in red.

PyMuPDF renders the region at ``DPI`` (a readable 150 dpi, less when the
region is large), Pillow draws the boxes and packs the picture as a 16-colour
PNG (a table is black, white and a few greys: 40% of a quality-70 JPEG's size,
and sharp; about 20 ms a crop). :class:`CropRenderer` opens each source PDF once while the records of
one file come by, and closes it when the next file starts.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import pymupdf
from PIL import Image, ImageDraw

from jixiao.html.locate import Region, finding_regions
from jixiao.models import Box, Finding, Report

DPI = 150
MIN_DPI = 72
MAX_WIDTH_PX = 1000
MAX_HEIGHT_PX = 900
MARGIN_X_PT = 10.0  # beside the table or text column
MARGIN_Y_PT = 30.0  # about two lines above and below, where no row line is known
ROW_CONTEXT_PT = 12.0  # in a table, at least this much of the row above and below
MAX_CONTEXT_PT = 42.0  # but no more than this (rows the parser did not keep, like the header, have no line)
EDGE_PAD_PT = 3.0  # past the row line, so the rule itself shows
BOX_PAD_PX = 2  # the red frame sits just outside the cell's rules
BOX_WIDTH_PX = 3
COLOURS = 15  # the page's colours; one more palette slot is the red
RED = (220, 0, 0)
PNG_LEVEL = 6  # 9 or optimize=True save 5% and cost 6x the time


@dataclass(frozen=True)
class Crop:
    """A rendered region: ``clip`` in PDF points, ``zoom`` pixels per point, the PNG."""

    page: int
    clip: tuple[float, float, float, float]
    zoom: float
    boxes: tuple[Box, ...]
    png: bytes
    width: int
    height: int
    source: str | None = None  # set when the crop is of another report a finding across reports compares

    def to_pixels(self, box: Box) -> tuple[int, int, int, int]:
        """Where ``box`` falls in the picture (left, top, right, bottom pixels)."""
        return to_pixels(box, self.clip, self.zoom)

    def frame(self, box: Box) -> tuple[int, int, int, int]:
        """The red frame drawn around ``box``, clamped to the picture."""
        return frame(box, self.clip, self.zoom, self.width, self.height)

    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


def to_pixels(box: Box, clip: tuple[float, float, float, float], zoom: float) -> tuple[int, int, int, int]:
    return (
        round((box.x0 - clip[0]) * zoom),
        round((box.y0 - clip[1]) * zoom),
        round((box.x1 - clip[0]) * zoom),
        round((box.y1 - clip[1]) * zoom),
    )


def frame(
    box: Box, clip: tuple[float, float, float, float], zoom: float, width: int, height: int
) -> tuple[int, int, int, int]:
    """The red frame around ``box``: just outside the cell's rules, inside the picture."""
    left, top, right, bottom = to_pixels(box, clip, zoom)
    return (
        max(0, left - BOX_PAD_PX),
        max(0, top - BOX_PAD_PX),
        min(width - 1, right + BOX_PAD_PX),
        min(height - 1, bottom + BOX_PAD_PX),
    )


def clip_for(region: Region, page_rect: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """The boxes' union, widened to the table or text column, with about a row above and below, inside the page.

    In a table the cut falls on row lines (one whole row of context each side)
    rather than through a line of text.
    """
    x0 = min(b.x0 for b in region.boxes)
    y0 = min(b.y0 for b in region.boxes)
    x1 = max(b.x1 for b in region.boxes)
    y1 = max(b.y1 for b in region.boxes)
    if region.span is not None:
        x0, x1 = min(x0, region.span[0]), max(x1, region.span[1])
    above = [y for y in region.rows if y <= y0 - ROW_CONTEXT_PT]
    below = [y for y in region.rows if y >= y1 + ROW_CONTEXT_PT]
    top = max(max(above) - EDGE_PAD_PT, y0 - MAX_CONTEXT_PT) if above else y0 - MARGIN_Y_PT
    if below:
        bottom = min(min(below) + EDGE_PAD_PT, y1 + MAX_CONTEXT_PT)
    else:  # the table's last row: its bottom rule, not the text under the table
        bottom = y1 + (EDGE_PAD_PT if region.rows else MARGIN_Y_PT)
    px0, py0, px1, py1 = page_rect
    return (max(px0, x0 - MARGIN_X_PT), max(py0, top), min(px1, x1 + MARGIN_X_PT), min(py1, bottom))


def zoom_for(clip: tuple[float, float, float, float]) -> float:
    """``DPI`` unless that makes the picture larger than the caps; never below ``MIN_DPI``."""
    width, height = clip[2] - clip[0], clip[3] - clip[1]
    zoom = DPI / 72
    if width > 0:
        zoom = min(zoom, MAX_WIDTH_PX / width)
    if height > 0:
        zoom = min(zoom, MAX_HEIGHT_PX / height)
    return max(zoom, MIN_DPI / 72)


def render_region(page: Any, region: Region) -> Crop:
    """Render ``region`` of an open PyMuPDF page with its boxes framed in red."""
    r = page.rect
    clip = clip_for(region, (r.x0, r.y0, r.x1, r.y1))
    zoom = zoom_for(clip)
    pix = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), clip=pymupdf.Rect(*clip), alpha=False)
    image = Image.frombytes("RGB", (pix.width, pix.height), pix.samples)
    frames = [frame(b, clip, zoom, pix.width, pix.height) for b in region.boxes]
    return Crop(region.page, clip, zoom, region.boxes, png_with_frames(image, frames), pix.width, pix.height)


def png_with_frames(image: Image.Image, frames: Sequence[tuple[int, int, int, int]]) -> bytes:
    """A paletted PNG of ``image`` with red rectangles drawn on it."""
    paletted = image.quantize(colors=COLOURS, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    palette = paletted.getpalette() or []
    palette = palette[: 3 * COLOURS] + [0] * max(0, 3 * COLOURS - len(palette)) + list(RED)
    paletted.putpalette(palette)
    draw = ImageDraw.Draw(paletted)
    for frame in frames:
        draw.rectangle(frame, outline=COLOURS, width=BOX_WIDTH_PX)
    out = io.BytesIO()
    paletted.save(out, format="PNG", compress_level=PNG_LEVEL)
    return out.getvalue()


class CropRenderer:
    """Crops for findings, opening each source PDF once (the records of one file come together).

    Use as a context manager; a file that cannot be opened again gives no crops.
    """

    def __init__(self) -> None:
        self._path: str | None = None
        self._doc: Any = None

    def __enter__(self) -> CropRenderer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._doc is not None:
            self._doc.close()
        self._path, self._doc = None, None

    def _open(self, path: str) -> Any:
        if path != self._path:
            self.close()
            self._path = path
            try:
                self._doc = _open_pages(path)
            except Exception:
                self._doc = None
        return self._doc

    def page(self, path: str, number: int) -> Any:
        """Page ``number`` (1-based) of ``path``, or None."""
        doc = self._open(path)
        if doc is None or not 1 <= number <= doc.page_count:
            return None
        return doc[number - 1]

    def crops(self, report: Report, finding: Finding) -> list[Crop]:
        """One crop per page the finding points at (none when it names no place)."""
        path = report.source.path
        if report.source.format not in ("pdf", "ofd"):
            return []  # MuPDF would open a .docx or .xlsx, but its boxes are cell positions, not points

        def page_of(number: int) -> Any:
            return self.page(path, number)

        out: list[Crop] = []
        for region in finding_regions(finding, report, page_of):
            page = page_of(region.page)
            if page is not None:
                out.append(render_region(page, region))
        return out + self._other_sides(report, finding)

    def _other_sides(self, report: Report, finding: Finding) -> list[Crop]:
        """A finding across reports also shows the cells it compares in the other reports."""
        out: list[Crop] = []
        for ref in finding.compared:
            if (ref.path, ref.table_index) == (report.source.path, report.table_index) or not ref.boxes:
                continue
            by_page: dict[int, list[Box]] = {}
            for box in ref.boxes:
                by_page.setdefault(box.page, []).append(box)
            for number, boxes in sorted(by_page.items()):
                page = self.page(ref.path, number)
                if page is not None:
                    crop = render_region(page, Region(number, tuple(boxes)))
                    out.append(replace(crop, source=ref.path))
        return out


def _open_pages(path: str) -> Any:
    """The file's pages for MuPDF: a PDF as it is, an OFD drawn as one (:mod:`jixiao.extract.ofd_render`)."""
    with open(path, "rb") as fh:
        head = fh.read(4)
    if head.startswith(b"PK"):
        from pathlib import Path

        from jixiao.extract.ofd_render import ofd_to_pdf

        return ofd_to_pdf(Path(path).read_bytes())
    return pymupdf.open(path)
