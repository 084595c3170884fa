"""Text lines inside a scanned table's cells, found from the ink (no detector in tables).

The scanned samples are printed from the text samples, so the text PDF says
which cells hold text: the ink finder must find a line in each of those and
in no other.
"""

from pathlib import Path

import numpy as np
import pymupdf
import pytest

cv2 = pytest.importorskip("cv2")

from jixiao.extract.ocr import image as im  # noqa: E402
from jixiao.extract.ocr import scan  # noqa: E402
from jixiao.extract.ocr.cells import _join_parts, cell_lines, read_level  # noqa: E402

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def scan_cells(scanned: Path, page_index: int) -> tuple[list[tuple[float, float, float, float]], list, float, list]:
    """(line boxes in pixels, the page's cells in points, pixels per point, ink-tight boxes)."""
    with pymupdf.open(scanned) as doc:
        page = doc[page_index]
        dpi = im.page_dpi(page)
        rgb = im.fill_margins(im.render(page, dpi), im.image_rects(page, dpi))
    grey, _ = im.suppress_seal(rgb)
    grey = im.rotate(grey, im.estimate_skew(im.ink_mask(grey, dpi), dpi))
    ink = im.ink_mask(grey, dpi)
    rulings = im.find_rulings(ink, dpi, None)
    raws = scan._raws(im.rulings_to_segments(rulings, dpi))
    clean = im.erase_rulings(grey, rulings)
    split, _ = cv2.threshold(clean, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    px = dpi / 72
    boxes, inks = cell_lines((ink & ~rulings.mask) & (clean < split).astype(np.uint8) * 255, raws, px)
    return boxes, [c for raw in raws for c in raw.cells], px, inks


@pytest.mark.parametrize(
    ("scanned", "text", "page_index"),
    [
        ("scanned/project-consistent.scan.pdf", "project-consistent.pdf", 1),
        ("scanned/project-consistent.bold.pdf", "project-consistent.pdf", 1),
        ("scanned/seed-department-report.scan.pdf", "seed-department-report.pdf", 5),
    ],
)
def test_a_line_in_every_cell_with_text_and_in_no_other(scanned: str, text: str, page_index: int) -> None:
    boxes, cells, px, _ = scan_cells(SAMPLES / scanned, page_index)
    with pymupdf.open(SAMPLES / text) as doc:
        words = doc[page_index].get_text("words")
    assert len(cells) > 50

    def inside(cell: object, x: float, y: float) -> bool:
        return cell.x0 <= x <= cell.x1 and cell.y0 <= y <= cell.y1  # type: ignore[attr-defined]

    wrong = [
        cell
        for cell in cells
        if any(inside(cell, (b[0] + b[2]) / 2 / px, (b[1] + b[3]) / 2 / px) for b in boxes)
        != any(inside(cell, (w[0] + w[2]) / 2, (w[1] + w[3]) / 2) for w in words)
    ]
    assert wrong == []


def test_an_upright_table_reads_level() -> None:
    _, _, _, inks = scan_cells(SAMPLES / "scanned/project-consistent.scan.pdf", 1)
    assert read_level(inks)
    # the same lines turned a quarter: each band is a pile of characters, taller than wide
    assert not read_level([(y0, x0, y1, x1) for x0, y0, x1, y1 in inks])


def test_parts_of_one_line_are_joined_and_two_lines_are_not() -> None:
    # 二 is two strokes with blank rows between: two bands, together as tall as a line (20 px)
    assert _join_parts([(0, 3), (16, 20)], usual=20) == [(0, 20)]
    # two lines of a wrapped cell, 20 px each and 6 px apart, stay two
    assert _join_parts([(0, 20), (26, 46)], usual=20) == [(0, 20), (26, 46)]
    # 益's dots over its body, then a second line
    assert _join_parts([(0, 5), (7, 20), (27, 47)], usual=20) == [(0, 20), (27, 47)]


def test_dust_is_not_a_region_to_detect() -> None:
    ink = np.zeros((400, 300), dtype=np.uint8)
    ink[50:70, 40:200] = 255  # a line of text
    ink[300:302, 250:252] = 255  # a speck of dust far below
    assert scan.content_regions(ink, gap=100) == [(40, 50, 200, 70)]
    ink[300:330, 100:160] = 255  # a real blot of ink: its own region
    assert scan.content_regions(ink, gap=100) == [(40, 50, 200, 70), (100, 300, 160, 330)]
