"""Scans made by other software: pages turned sideways or upside down, skewed past 3°, placed on a Letter page.

``samples/scanned/project-consistent.rotated.pdf`` (Pillow's PDF writer,
grey JPEG at 200 dpi; page 1 fed sideways with no ``/Rotate``, page 2
upside down) and ``project-consistent.letter.pdf`` (skewed 3.5–4°, fitted
into a US Letter page with white margins) must give the record of the text
PDF, field by field, as the scans of ``tests/test_ocr.py`` do.  The steps
behind them are tested alone below, most without the OCR engine.
"""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np
import pymupdf
import pytest

from jixiao.extract.document import extract_path
from jixiao.extract.lattice import RawCell, RawGrid
from jixiao.extract.ocr import image as im
from jixiao.extract.ocr import orient
from jixiao.extract.ocr import scan as sc
from jixiao.extract.ocr.engine import Recognized, get_engine
from jixiao.extract.ocr.pages import shown_box
from jixiao.models import Box, Report
from jixiao.normalize.text import squeeze
from tests.conftest import SAMPLES
from tests.test_ocr import _fund, _glyph, _report, _similar, needs_ocr

SCANNED = SAMPLES / "scanned"
TEXT = SAMPLES / "project-consistent.pdf"
OTHER = ("project-consistent.rotated.pdf", "project-consistent.letter.pdf")


def _pair(name: str) -> tuple[Report, Report]:
    return _report(TEXT), _report(SCANNED / name)


# ------------------------------------------------------------ whole documents


@needs_ocr
@pytest.mark.parametrize("name", OTHER)
def test_same_record_as_the_text_pdf(name: str) -> None:
    text, ocr = _pair(name)
    assert ocr.source.text_method == "ocr" and ocr.source.page_count == text.source.page_count
    for field in ("report_type", "unit_name", "project_name", "fiscal_year", "report_date", "pages"):
        assert getattr(ocr, field) == getattr(text, field), field
    for line in ("total", "current_appropriation", "prior_carryover", "other"):
        assert _fund(getattr(ocr.funds, line)) == _fund(getattr(text.funds, line)), line
    assert len(ocr.indicators) == len(text.indicators)
    for t, o in zip(text.indicators, ocr.indicators, strict=True):
        assert (o.level1, o.level2, o.weight, o.score) == (t.level1, t.level2, t.weight, t.score), t.name
        assert (o.target_parsed, o.actual_parsed) == (t.target_parsed, t.actual_parsed), t.name
        assert (squeeze(o.target), squeeze(o.actual)) == (squeeze(t.target), squeeze(t.actual)), t.name
        assert _similar(o.name, t.name) >= 0.8, t.name
    assert (ocr.total_weight, ocr.total_score, ocr.grade) == (text.total_weight, text.total_score, text.grade)
    assert sorted((f.rule, f.severity, f.page, f.where.row, f.where.column) for f in ocr.findings) == sorted(
        (f.rule, f.severity, f.page, f.where.row, f.where.column) for f in text.findings
    )
    assert {k: v.value for k, v in ocr.narrative.figures.items()} == {
        k: v.value for k, v in text.narrative.figures.items()
    }
    assert [s.page for s in ocr.narrative.sections] == [s.page for s in text.narrative.sections]


@needs_ocr
def test_turned_pages_are_read_upright() -> None:
    """The sideways page is read turned a quarter: its pieces lie on an upright, portrait page."""
    with pymupdf.open(SCANNED / "project-consistent.rotated.pdf") as doc:
        sideways = sc.ocr_page(doc[0], 1)
        assert doc[0].rect.width > doc[0].rect.height  # stored landscape, /Rotate 0
    assert sideways.turned == 90
    assert (sideways.width, sideways.height) == pytest.approx((595.08, 842.04), abs=0.5)
    assert all(0 <= p.x0 and p.x1 <= sideways.width + 1 and p.y1 <= sideways.height + 1 for p in sideways.pieces)
    assert sideways.lines[0].text.startswith("2022年度清溪县")


# ------------------------------------------------------------ which way up


@needs_ocr
@pytest.mark.parametrize(("page", "turns"), [(2, (0, 90, 180, 270)), (1, (90, 180))])
def test_page_turn_found(page: int, turns: tuple[int, ...]) -> None:
    """A rendered page turned by 90°, 180° or 270° is found to need the turn back; upright stays."""
    engine = get_engine()
    with pymupdf.open(TEXT) as doc:
        rgb = im.render(doc[page - 1])
    for turned in turns:
        t = sc.Timings()
        prep = sc._prepare(lambda: engine, orient.turn(rgb, turned), im.RENDER_DPI, t, lambda: 0.0)
        assert sc.turn_needed(engine, prep) == (360 - turned) % 360, turned


@needs_ocr
def test_upright_check_is_small() -> None:
    """On an upright page the check is one small classifier batch: a few short line pieces, never the page."""
    engine = get_engine()
    with pymupdf.open(TEXT) as doc:
        rgb = im.render(doc[0])
    prep = sc._prepare(lambda: engine, rgb, im.RENDER_DPI, sc.Timings(), lambda: 0.0)
    pieces = orient.line_pieces(prep.clean, prep.boxes, sideways=False)
    assert 0 < len(pieces) <= orient.CLASSIFY_LINES
    assert all(p.shape[1] <= orient.PIECE_LENGTH * p.shape[0] + 2 for p in pieces)
    assert orient.page_turn(engine, prep.clean, prep.boxes) == 0


def test_sideways_by_box_shape() -> None:
    level = [(0.0, 10.0 * i, 300.0, 10.0 * i + 8) for i in range(5)]
    digits = [(400.0, 10.0 * i, 406.0, 10.0 * i + 10) for i in range(20)]  # lone digits stand a little tall
    upright = [(10.0 * i, 0.0, 10.0 * i + 8, 300.0) for i in range(5)]
    assert not orient.is_sideways(level + digits)
    assert orient.is_sideways(upright + digits)
    assert not orient.is_sideways(upright[:1])  # one tall box (a vertical label) is not a page
    assert not orient.is_sideways([])


def test_turn_round_trip() -> None:
    image = np.arange(12, dtype=np.uint8).reshape(3, 4)
    assert orient.turn(image, 90).shape == (4, 3)
    assert np.array_equal(orient.turn(orient.turn(image, 90), 270), image)
    assert np.array_equal(orient.turn(image, 0), image)


# ------------------------------------------------------------ skew, margins, lines


def test_margins_take_the_paper_tone() -> None:
    """White page around a grey scan becomes the scan's paper; text on the margin stays."""
    rgb = np.full((100, 80, 3), 255, dtype=np.uint8)
    rgb[10:90, 10:70] = 232  # the scan, with its paper tone
    rgb[40:42, 20:60] = 20  # a line of its text
    rgb[95:98, 5:30] = 0  # something drawn on the page's margin
    out = im.fill_margins(rgb, [(10, 10, 70, 90)])
    assert (out[2, 2] == 232).all() and (out[50, 75] == 232).all()
    assert (out[96, 10] == 0).all() and (out[41, 30] == 20).all()
    assert im.fill_margins(rgb, [(0, 0, 80, 100)]) is rgb  # a page-sized scan: nothing to do
    assert im.fill_margins(rgb, [(10, 10, 30, 30)]) is rgb  # a logo, no scan
    assert im.fill_margins(rgb, []) is rgb


def _blurred_table(fontsize: float) -> np.ndarray:
    """A ruled table whose cells are filled by their text, scanned small and blurred (150 dpi, JPEG 30)."""
    doc = pymupdf.open()
    page = doc.new_page(width=300, height=200)
    xs = [20, 20 + 6 * fontsize + 1.5, 180, 280]
    ys = [40, 80, 120, 160]
    for x in xs:
        page.draw_line((x, ys[0]), (x, ys[-1]), width=0.6)
    for y in ys:
        page.draw_line((xs[0], y), (xs[-1], y), width=0.6)
    page.insert_text((xs[0] + 0.6, 60), "年度总体目标", fontname="china-s", fontsize=fontsize)  # fills its cell
    page.insert_text((xs[0] + 0.6, 100), "工程完工时间要求", fontname="china-s", fontsize=fontsize)  # and spills over
    page.insert_text((xs[0] + 0.6, 140), "工程完工时间", fontname="china-s", fontsize=fontsize)
    pix = page.get_pixmap(dpi=150, colorspace=pymupdf.csGRAY)
    grey = np.frombuffer(pix.samples, np.uint8).reshape(pix.h, pix.w)
    grey = cv2.GaussianBlur(grey, (3, 3), 0.9)
    grey = cv2.imdecode(cv2.imencode(".jpg", grey, [cv2.IMWRITE_JPEG_QUALITY, 30])[1], cv2.IMREAD_GRAYSCALE)
    return cv2.resize(grey, None, fx=200 / 150, fy=200 / 150, interpolation=cv2.INTER_LINEAR)


def _rows(grey: np.ndarray) -> list[int]:
    return sorted(round(y * 72 / 200) for _, y, _, _ in im.find_rulings(im.ink_mask(grey, 200), 200).horizontal)


@pytest.mark.parametrize("fontsize", [10.5, 12.0])
def test_text_filling_a_cell_is_no_line(fontsize: float, monkeypatch: pytest.MonkeyPatch) -> None:
    """The feet of a row of characters that fill a cell close into a run as long as the cell: not a ruling line."""
    grey = _blurred_table(fontsize)
    assert _rows(grey) == [40, 80, 120, 160]
    monkeypatch.setattr(im, "MAX_TOUCHED", 1.01)  # without both tests the text made a row
    monkeypatch.setattr(im, "OVERSHOOT_PT", 1000.0)
    assert len(_rows(grey)) > 4


# ------------------------------------------------------------ pieces and cells


def test_two_lines_in_one_box_are_split() -> None:
    ink = np.zeros((200, 300), dtype=np.uint8)
    boxes = [(0.0, 10.0 * i, 50.0, 10.0 * i + 10) for i in range(6)]  # the usual line: 10 px
    ink[101:109, 100:200] = 255  # two lines in one box
    ink[113:121, 100:160] = 255
    ink[150:166, 100:250] = 255  # a big title: tall, no blank row
    ink[170:174, 100:130] = 255  # "二": two bars, but not a tall box
    ink[177:181, 100:130] = 255
    boxes += [(98.0, 99.0, 202.0, 123.0), (98.0, 148.0, 252.0, 168.0), (98.0, 169.0, 132.0, 182.0)]
    out = sc.split_lines(boxes, ink)
    assert (98.0, 99.0, 202.0, 111.0) in out and (98.0, 111.0, 202.0, 123.0) in out
    assert (98.0, 148.0, 252.0, 168.0) in out and (98.0, 169.0, 132.0, 182.0) in out
    assert len(out) == len(boxes) + 1


def _glyph_crop(text: str, size: float = 10.5) -> np.ndarray:
    doc = pymupdf.open()
    page = doc.new_page(width=16 + len(text) * size, height=20)
    page.insert_text((6, 14), text, fontname="china-s", fontsize=size)
    pix = page.get_pixmap(dpi=im.RENDER_DPI, colorspace=pymupdf.csRGB)
    rgb = np.frombuffer(pix.samples, np.uint8).reshape(pix.h, pix.w, 3)
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)


def test_a_dash_read_as_one() -> None:
    """A cell's ``—`` the recognizer read as ``1`` is a dash again; a real ``1`` and ``10`` are not."""
    dash, one, ten = _glyph_crop("—"), _glyph_crop("1"), _glyph_crop("10")
    assert sc.is_dash(dash) and not sc.is_dash(one) and not sc.is_dash(ten)
    found = [Recognized("1", 0.98), Recognized("1", 0.99), Recognized("10", 0.99)]
    assert [r.text for r in sc.restore_dashes([dash, one, ten], found)] == ["—", "1", "10"]


@pytest.mark.parametrize("size", [9.0, 10.5, 12.0])
def test_bold_six_is_no_sign(size: float) -> None:
    """A bold or blurred ``6`` (a bowl under a curved top) looked like ``≤``; its bowl rows cross two strokes."""
    six = _glyph("6", size)
    for fat in (1, 2, 3):
        assert sc.classify_sign(cv2.dilate(six, np.ones((fat, fat), np.uint8))) is None, fat
    assert sc.classify_sign(cv2.dilate(_glyph("≤", size), np.ones((2, 2), np.uint8))) == "≤"


def test_sign_with_a_stroke_of_the_next_line() -> None:
    """The crop of ``≤320.5万`` took in the top of ``元`` below it: the sign is still a sign."""
    rows = [
        "..............",
        ".........##...",
        "........####..",
        "......######..",
        "....######....",
        "...#####......",
        "..######......",
        "..######......",
        "...#######....",
        ".....######...",
        "......######..",
        "......######..",
        "...##########.",
        "..##########..",
        "...########...",
        *([".............."] * 10),
        "##############",
        "##############",
    ]
    glyph = np.array([[c == "#" for c in row] for row in rows], dtype=np.uint8)
    assert sc.classify_sign(glyph) == "≤"


class _Rest:
    """An engine whose recognizer reads every crop as the text less its first character."""

    def __init__(self, rest: str) -> None:
        self.rest = rest

    def recognize(self, crops: list[np.ndarray], lines: bool = False) -> list[Recognized]:
        return [Recognized(self.rest, 0.99) for _ in crops]


@pytest.mark.parametrize(
    ("read", "rest", "mended"),
    [
        ("295%", "95%", "≥95%"),  # the sign misread as 2
        ("2 95% ", "95%", "≥95%"),  # ... set apart, with a trailing space
        ("95%", "95%", "≥95%"),  # the sign dropped
        ("677.14", "77.14", "677.14"),  # a 6 is never a misread sign, whatever its shape
        ("2022年5月31日前", "022年5月31日前", "2022年5月31日前"),  # no figure starts 0 and a digit: 2 is a 2
        ("20.5%", "0.5%", "≥0.5%"),  # ... but 0.5 does
    ],
)
def test_sign_put_back_only_for_its_misreadings(
    read: str, rest: str, mended: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sc, "classify_sign", lambda glyph: "≥")
    crop = _glyph_crop("≥95%")
    out = sc.restore_lead_signs(_Rest(rest), [crop], [Recognized(read, 0.9)])  # type: ignore[arg-type]
    assert out[0].text.strip() == mended


def test_two_line_cell_reads_whole() -> None:
    """A row's pieces go cell by cell, each cell's lines top to bottom (the date the report is dated by)."""
    raw = RawGrid(
        xs=(0.0, 60.0, 120.0),
        ys=(0.0, 40.0),
        cells=(RawCell(0, 0, 1, 1, 0.0, 0.0, 60.0, 40.0), RawCell(0, 1, 1, 1, 60.0, 0.0, 120.0, 40.0)),
    )

    def piece(text: str, x0: float, y0: float, x1: float, y1: float) -> sc.Piece:
        return sc.Piece(text, x0, y0, x1, y1, 0.99)

    pieces = [
        piece("工程完工时间", 4.0, 14.0, 56.0, 26.0),
        piece("2022年11", 66.0, 8.0, 114.0, 20.0),
        piece("月28日", 64.0, 20.0, 100.0, 32.0),  # starts left of the line above it
    ]
    (line,) = sc.pieces_to_lines(1, pieces, [raw])
    assert line.text == "工程完工时间2022年11月28日"


@needs_ocr
def test_bold_bilevel_scan() -> None:
    """A dark 1-bit scan (strokes 3 px thicker): 实际完成值 reads 实际宪成自 and 年度指标值
    reads 年底指标值, so the headers are mended by their nearest spellings; stray specks
    around values (“12处, ·≤320.5万元, 96.5%6 *) and misread signs (v 90%, .290%) are
    mended in their columns.  Every mend is on the audit trail."""
    text, ocr = _pair("project-consistent.bold.pdf")
    mended = {(r.field, r.repaired) for r in ocr.repairs if r.reason == "ocr"}
    assert {("actual", "实际完成值")} <= mended
    for line in ("total", "current_appropriation", "prior_carryover", "other"):
        assert _fund(getattr(ocr.funds, line)) == _fund(getattr(text.funds, line)), line
    assert len(ocr.indicators) == len(text.indicators)
    for t, o in zip(text.indicators, ocr.indicators, strict=True):
        assert (o.level1, o.level2, o.weight, o.score) == (t.level1, t.level2, t.weight, t.score), t.name
        assert o.actual_parsed == t.actual_parsed, t.name
    differing = {t.name for t, o in zip(text.indicators, ocr.indicators, strict=True) if o.target_parsed != t.target_parsed}
    assert differing <= {"改造供水管网"}  # ≥85公里 read as ≥85公量: no unit to mend it to
    assert (ocr.total_weight, ocr.total_score, ocr.grade) == (text.total_weight, text.total_score, text.grade)


def test_shown_box_turns_back() -> None:
    box = Box.of(2, 10, 20, 110, 40)
    upright = sc.OcrPage(2, 600, 800, [], [], [], 0.0)
    assert shown_box(box, replace(upright, turned=180)) == Box.of(2, 490, 760, 590, 780)
    # a quarter turn: the upright page is 600 wide, the page as shown 800 wide
    assert shown_box(box, replace(upright, turned=90)) == Box.of(2, 20, 490, 40, 590)
    assert shown_box(box, replace(upright, turned=270)) == Box.of(2, 760, 10, 780, 110)
    assert shown_box(box, upright) == box


@needs_ocr
def test_evidence_boxes_on_the_page_as_shown() -> None:
    """Boxes of a turned scan are where the text is on the page a viewer shows (and the
    evidence crops are cut from), not on the page turned upright."""
    path = SCANNED / "project-consistent.rotated.pdf"
    with pymupdf.open(path) as doc:
        shown = [pymupdf.Rect(p.rect) for p in doc]
    extracted = extract_path(path)
    (table,) = extracted.tables
    for cell in table.grid.cells:
        r = shown[cell.page - 1]
        assert -1 <= cell.box.x0 < cell.box.x1 <= r.width + 1 and -1 <= cell.box.y0 < cell.box.y1 <= r.height + 1
    rows = {c.row: c for c in table.grid.cells if c.col == 0 and c.page == 2}
    first, last = rows[min(rows)], rows[max(rows)]
    assert first.box.y0 > last.box.y1  # page 2 is upside down: the table's first row is at the bottom
    top = sorted((c for c in table.grid.cells if c.row == first.row), key=lambda c: c.col)
    assert top[0].box.x0 > top[1].box.x0  # ... and its first column on the right
    sideways = [p.box for p in extracted.paragraphs if p.box is not None and p.box.page == 1]
    assert sideways and all(b.y1 - b.y0 > b.x1 - b.x0 for b in sideways)  # page 1: lines run up the page
