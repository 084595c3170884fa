"""Scanned and broken-text samples read through OCR give the records of their text versions.

The scans (``samples/build_scans.py``) are the text samples printed, stamped
with a red seal over the table's score columns, rotated and scanned; the
broken sample is the text PDF with its font's ToUnicode map deleted.  Each
is parsed once per session (OCR takes seconds a page) and compared with the
text version field by field: every amount, rate, weight and score, every
label, and the findings.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import unicodedata
from dataclasses import replace
from difflib import SequenceMatcher
from functools import cache
from pathlib import Path

import cv2
import numpy as np
import pymupdf
import pytest

from jixiao.extract.document import extract_path
from jixiao.extract.lattice import cluster_to_grid, drawings_to_segments, segments_to_clusters
from jixiao.extract.ocr import engine as ocr_engine
from jixiao.extract.ocr import image as im
from jixiao.extract.ocr.engine import ocr_available
from jixiao.layout import Extracted
from jixiao.models import FundLine, Report
from jixiao.normalize.report import build_reports
from jixiao.normalize.text import squeeze
from jixiao.pipeline import parse_path
from jixiao.validate import validate
from tests.conftest import SAMPLES

SCANNED = SAMPLES / "scanned"
needs_ocr = pytest.mark.skipif(not ocr_available(), reason="rapidocr-onnxruntime is not installed")

PAIRS = {
    "seed-scan": ("seed-department-report.pdf", "seed-department-report.scan.pdf"),
    "project-scan": ("project-consistent.pdf", "project-consistent.scan.pdf"),
    "project-broken": ("project-consistent.pdf", "project-consistent.broken-tounicode.pdf"),
}


@cache
def _extracted(path: Path) -> Extracted:
    return extract_path(path)


@cache
def _report(path: Path) -> Report:
    """What ``jixiao.parse`` gives, built from the cached extraction (OCR runs once per file)."""
    (report,) = build_reports(_extracted(path))
    return replace(report, findings=validate(report))


def _pair(key: str) -> tuple[Report, Report]:
    text, ocr = PAIRS[key]
    return _report(SAMPLES / text), _report(SCANNED / ocr)


FUND_FIELDS = ("initial_budget", "annual_budget", "executed", "weight", "execution_rate", "score")


def _fund(line: FundLine | None) -> tuple[object, ...] | None:
    return None if line is None else (line.label, *(getattr(line, f) for f in FUND_FIELDS))


def _similar(a: str | None, b: str | None) -> float:
    return SequenceMatcher(None, a or "", b or "").ratio()


@needs_ocr
@pytest.mark.parametrize("key", list(PAIRS))
def test_read_with_ocr(key: str) -> None:
    _text, ocr = _pair(key)
    assert ocr.source.text_method == "ocr"
    assert ocr.source.page_count == _text.source.page_count
    assert _text.source.text_method == "text"


@needs_ocr
@pytest.mark.parametrize("key", list(PAIRS))
def test_same_document_facts(key: str) -> None:
    text, ocr = _pair(key)
    for name in (
        "report_type",
        "unit_name",
        "project_name",
        "competent_department",
        "implementing_unit",
        "fiscal_year",
        "report_date",
        "source_amount_unit",
        "pages",
    ):
        assert getattr(ocr, name) == getattr(text, name), name


@needs_ocr
@pytest.mark.parametrize("key", list(PAIRS))
def test_same_funds(key: str) -> None:
    text, ocr = _pair(key)
    for name in ("total", "current_appropriation", "prior_carryover", "other"):
        assert _fund(getattr(ocr.funds, name)) == _fund(getattr(text.funds, name)), name


@needs_ocr
@pytest.mark.parametrize("key", list(PAIRS))
def test_same_indicators(key: str) -> None:
    """Labels, weights and scores exactly; targets and actuals as read (value, unit, comparator)."""
    text, ocr = _pair(key)
    assert len(ocr.indicators) == len(text.indicators)
    for t, o in zip(text.indicators, ocr.indicators, strict=True):
        where = t.name
        assert (o.level1, o.level2, o.weight, o.score, o.group_row is None) == (
            t.level1,
            t.level2,
            t.weight,
            t.score,
            t.group_row is None,
        ), where
        assert o.target_parsed == t.target_parsed, where
        assert o.actual_parsed == t.actual_parsed, where
        assert squeeze(o.target) == squeeze(t.target), where
        assert squeeze(o.actual) == squeeze(t.actual), where
        assert _similar(o.name, t.name) >= 0.8, where  # free text: OCR may slip a character (峻/竣)
        assert (o.deviation_note is None) == (t.deviation_note is None), where


@needs_ocr
@pytest.mark.parametrize("key", list(PAIRS))
def test_same_totals(key: str) -> None:
    text, ocr = _pair(key)
    assert ocr.level1_weights == text.level1_weights
    assert (ocr.total_weight, ocr.total_score, ocr.grade) == (text.total_weight, text.total_score, text.grade)


@needs_ocr
@pytest.mark.parametrize("key", list(PAIRS))
def test_same_findings(key: str) -> None:
    """Same rule, severity and place; the label it names may differ by an OCR slip in free text."""
    text, ocr = _pair(key)

    def keyed(r: Report) -> list[tuple[tuple[str, str, int | None, int | None, str | None], str]]:
        return sorted(
            ((f.rule, f.severity, f.page, f.where.row, f.where.column), f.where.label or "") for f in r.findings
        )

    mine, theirs = keyed(ocr), keyed(text)
    assert [k for k, _ in mine] == [k for k, _ in theirs]
    for (_, a), (_, b) in zip(mine, theirs, strict=True):
        assert _similar(a, b) >= 0.8, (a, b)


@needs_ocr
@pytest.mark.parametrize("key", list(PAIRS))
def test_narrative_read(key: str) -> None:
    """Figures stated in the narrative come out the same; free text nearly so (OCR may slip a character)."""
    text, ocr = _pair(key)
    assert {k: v.value for k, v in ocr.narrative.figures.items()} == {
        k: v.value for k, v in text.narrative.figures.items()
    }
    headings = [(s.heading, s.page) for s in ocr.narrative.sections]
    assert len(headings) == len(text.narrative.sections)
    for (mine, page), theirs in zip(headings, text.narrative.sections, strict=True):
        assert page == theirs.page and _similar(mine, theirs.heading) >= 0.85, (mine, theirs.heading)
    assert _similar(ocr.goals.expected, text.goals.expected) > 0.9
    assert _similar(ocr.goals.actual, text.goals.actual) > 0.9


@needs_ocr
def test_scanned_grid_has_the_text_grid_shape() -> None:
    """The seal-covered, rotated table gives the same cells with the same spans as the vector one."""
    (text_table,) = _extracted(SAMPLES / "seed-department-report.pdf").tables
    (ocr_table,) = _extracted(SCANNED / "seed-department-report.scan.pdf").tables

    def shape(t: object) -> set[tuple[int, int, int, int]]:
        return {(c.row, c.col, c.rowspan, c.colspan) for c in t.grid.cells}  # type: ignore[attr-defined]

    assert shape(ocr_table) == shape(text_table)
    for mine, theirs in zip(ocr_table.grid.col_edges, text_table.grid.col_edges, strict=True):
        assert abs(mine - theirs) < 2.5  # points, after deskew


@needs_ocr
def test_missing_ocr_fails_with_the_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)  # import raises ImportError
    monkeypatch.setattr(ocr_engine, "_engine", None)
    (record,) = parse_path(SCANNED / "seed-department-report.scan.pdf")
    assert record.status == "failed"
    assert record.error.kind == "ocr_unavailable"  # type: ignore[union-attr]
    assert "pip install" in record.error.message  # type: ignore[union-attr]
    # a text PDF never needs the engine
    (report,) = parse_path(SAMPLES / "project-consistent.pdf")
    assert report.status == "ok"


@needs_ocr
def test_no_network_access() -> None:
    """Building the engine and reading a page opens no socket: the models ship in the wheel."""
    code = textwrap.dedent(
        """
        import socket
        def refuse(*args, **kwargs):
            raise RuntimeError("network access attempted")
        socket.socket.connect = refuse
        socket.socket.connect_ex = refuse
        socket.create_connection = refuse
        socket.getaddrinfo = refuse
        import pymupdf
        from jixiao.extract.ocr.scan import ocr_page
        doc = pymupdf.open()
        page = doc.new_page(width=300, height=80)
        page.insert_text((20, 50), "2022 预算 785.21", fontname="china-s", fontsize=20)
        import unicodedata
        print(unicodedata.normalize("NFKC", "".join(p.text for p in ocr_page(page, 1).pieces)))
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "785.21" in done.stdout


# ------------------------------------------------------------ image steps, no OCR


def _render_grey(path: Path, page: int, dpi: int = im.RENDER_DPI) -> np.ndarray:
    with pymupdf.open(path) as doc:
        rgb = im.render(doc[page - 1], dpi)
    grey, _ = im.suppress_seal(rgb)
    return grey


@pytest.mark.parametrize("angle", [-5.5, -4.2, -0.9, -0.35, 0.0, 0.5, 1.0, 3.4, 4.8])
def test_skew_estimate(angle: float) -> None:
    """Scanner skew, and (past ±3°) what other software's scans show, found within 0.05°."""
    grey = _render_grey(SAMPLES / "seed-department-report.pdf", 6)
    h, w = grey.shape
    turned = cv2.warpAffine(grey, cv2.getRotationMatrix2D((w / 2, h / 2), -angle, 1.0), (w, h), borderValue=255)
    assert abs(im.estimate_skew(im.ink_mask(turned)) - angle) <= 0.05


def test_seal_suppressed_text_kept() -> None:
    rgb = np.full((60, 60, 3), 255, dtype=np.uint8)
    rgb[10:50, 28:32] = 0  # black text stroke
    rgb[28:32, 5:55] = (210, 30, 35)  # a red seal stroke across it
    rgb[29:31, 29:31] = 0  # ink multiplies: black stays black where they cross
    grey, seal = im.suppress_seal(rgb)
    assert seal is not None and seal[30, 10]
    assert grey[30, 10] == 255  # red ink is paper now
    assert grey[20, 30] == 0 and grey[30, 30] == 0  # the text is not


def test_rulings_match_the_vector_lines() -> None:
    """Lines found in the rendered text page are the PDF's own ruling lines."""
    path = SAMPLES / "seed-department-report.pdf"
    with pymupdf.open(path) as doc:
        vector = cluster_to_grid(segments_to_clusters(drawings_to_segments(doc[5].get_drawings()))[0])
    grey = _render_grey(path, 6)
    found = im.rulings_to_segments(im.find_rulings(im.ink_mask(grey)))
    raster = cluster_to_grid(segments_to_clusters(found)[0])
    assert vector is not None and raster is not None
    assert len(raster.xs) == len(vector.xs) and len(raster.ys) == len(vector.ys)
    assert max(abs(a - b) for a, b in zip(raster.xs, vector.xs, strict=True)) < 1.0
    assert max(abs(a - b) for a, b in zip(raster.ys, vector.ys, strict=True)) < 1.0
    assert {(c.row, c.col, c.rowspan, c.colspan) for c in raster.cells} == {
        (c.row, c.col, c.rowspan, c.colspan) for c in vector.cells
    }


def _glyph(ch: str, size: float = 9.0) -> np.ndarray:
    doc = pymupdf.open()
    page = doc.new_page(width=40, height=30)
    page.insert_text((8, 20), ch, fontname="china-s", fontsize=size)
    pix = page.get_pixmap(dpi=im.RENDER_DPI, colorspace=pymupdf.csGRAY)
    grey = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.h, pix.w)
    return (grey < 128).astype(np.uint8)


@pytest.mark.parametrize("size", [9.0, 10.5, 12.0])
def test_sign_shapes(size: float) -> None:
    """The shape test behind putting back a dropped ``≥``: signs yes, digits never."""
    from jixiao.extract.ocr.scan import classify_sign

    assert classify_sign(_glyph("≥", size)) == "≥"
    assert classify_sign(_glyph("≤", size)) == "≤"
    for digit in "0123456789":
        assert classify_sign(_glyph(digit, size)) not in ("≥", "≤"), digit


def test_boxes_cut_at_ruling_lines() -> None:
    """A detected box that runs over a column line becomes one piece per cell; doubles go."""
    from jixiao.extract.ocr.scan import cut_boxes, drop_overlaps

    rulings = im.Rulings(
        horizontal=((0, 0, 300, 2), (0, 50, 300, 2)),
        vertical=((0, 0, 50, 2), (100, 0, 50, 2), (200, 0, 50, 2), (300, 0, 50, 2)),
        mask=np.zeros((60, 310), dtype=np.uint8),
    )
    # "310.2154.74" read as one box over the line at x=100; a box that only grazes x=200 stays whole
    assert cut_boxes([(60.0, 10.0, 160.0, 40.0), (150.0, 10.0, 203.0, 40.0)], rulings, 5.0) == [
        (60.0, 10.0, 100, 40.0),
        (100, 10.0, 160.0, 40.0),
        (150.0, 10.0, 203.0, 40.0),
    ]
    assert cut_boxes([(96.0, 10.0, 140.0, 40.0)], rulings, 5.0) == [(96.0, 10.0, 140.0, 40.0)]
    assert drop_overlaps([(10.0, 10.0, 90.0, 40.0), (70.0, 12.0, 88.0, 38.0)]) == [(10.0, 10.0, 90.0, 40.0)]


def test_outline_numbers_read_as_dashes() -> None:
    from jixiao.extract.ocr.scan import fix_outline

    assert fix_outline("( --)整体支出绩效情况") == "(一)整体支出绩效情况"
    assert fix_outline("(=)项目支出") == "(二)项目支出"
    assert fix_outline("-、预算单位基本情况") == "一、预算单位基本情况"
    assert fix_outline("-6-") == "-6-"
    assert fix_outline("2022年-2023年") == "2022年-2023年"


@needs_ocr
def test_mixed_document(tmp_path: Path) -> None:
    """Text narrative page + scanned table page: ``mixed``, and the same table as the text version."""
    mixed = pymupdf.open(SAMPLES / "project-consistent.pdf")
    mixed.delete_page(1)
    with pymupdf.open(SCANNED / "project-consistent.scan.pdf") as scan:
        mixed.insert_pdf(scan, from_page=1, to_page=1)
    path = tmp_path / "mixed.pdf"
    mixed.save(path)
    mixed.close()
    report = _report(path)
    text = _report(SAMPLES / "project-consistent.pdf")
    assert report.source.text_method == "mixed"
    assert _fund(report.funds.total) == _fund(text.funds.total)
    assert [(i.weight, i.score, i.target_parsed) for i in report.indicators] == [
        (i.weight, i.score, i.target_parsed) for i in text.indicators
    ]
    assert {k: v.value for k, v in report.narrative.figures.items()} == {
        k: v.value for k, v in text.narrative.figures.items()
    }


def _recognize_in_child(out: object) -> None:
    inherited = ocr_engine._engine is None  # the parent's engine must not cross the fork
    crop = _text_crop("执行率 96.79%")
    out.put((inherited, ocr_engine.get_engine().recognize([crop])[0].text))  # type: ignore[attr-defined]


def _flat(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def _text_crop(text: str) -> np.ndarray:
    """One line of text drawn by MuPDF at 200 dpi, as the page reader crops it (BGR)."""
    doc = pymupdf.open()
    page = doc.new_page(width=200, height=30)
    page.insert_text((6, 20), text, fontname="china-s", fontsize=12)
    pix = page.get_pixmap(dpi=200)
    rgb = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width, pix.n)[:, :, :3]
    ys, xs = np.nonzero(rgb.min(axis=2) < 128)
    pad = 8
    box = rgb[max(0, ys.min() - pad) : ys.max() + pad, max(0, xs.min() - pad) : xs.max() + pad]
    return cv2.cvtColor(np.ascontiguousarray(box), cv2.COLOR_RGB2BGR)


@needs_ocr
def test_forked_child_builds_its_own_engine() -> None:
    """Recognizer threads do not survive a fork: a child that used its parent's engine hung."""
    import multiprocessing as mp

    ocr_engine.get_engine().recognize([_text_crop("预算")])  # the parent's engine and its threads are running
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    child = ctx.Process(target=_recognize_in_child, args=(out,))
    child.start()
    fresh, text = out.get(timeout=120)
    child.join(timeout=30)
    assert child.exitcode == 0
    assert fresh
    assert _flat(text) == "执行率96.79%"


@needs_ocr
def test_recognizer_lanes_read_what_one_lane_reads() -> None:
    words = ["项目资金", "96.79%", "绩效目标完成情况", "执行率", "预算执行", "年度总体目标"]
    crops = [_text_crop(t) for t in words]
    one = ocr_engine.Engine(threads=1).recognize(crops)
    two = ocr_engine.Engine(threads=2).recognize(crops)
    assert [r.text for r in two] == [r.text for r in one]
    assert [_flat(r.text) for r in one] == words


@needs_ocr
def test_detector_keeps_its_memory_arena() -> None:
    """RapidOCR builds its sessions without onnxruntime's memory arena; the detector gets it back.

    Should a RapidOCR release change how it makes session options, the
    engine quietly builds the detector its way (half a second more on each
    process's first page): this says so.
    """
    engine = ocr_engine.get_engine()
    assert engine.text_det.infer.session.get_session_options().enable_cpu_mem_arena is True
    assert engine.text_rec.session.session.get_session_options().enable_cpu_mem_arena is False


@needs_ocr
def test_first_page_builds_the_engine_beside_its_rendering() -> None:
    """In a fresh process the engine is built in a thread while the first page is prepared, and
    that page reads exactly as in a process whose engine was built first."""
    code = """
import json, sys, threading
import pymupdf
from jixiao.extract.ocr import engine
from jixiao.extract.ocr.scan import ocr_page
seen = []
original = engine.get_engine
def spy():
    seen.append(threading.current_thread().name)
    return original()
engine.get_engine = spy
if sys.argv[1] == "first":
    original()
with pymupdf.open(sys.argv[2]) as doc:
    page = ocr_page(doc[0], 1)
print(json.dumps({"threads": seen, "text": [p.text for p in page.pieces]}))
"""
    scan = str(SCANNED / "project-consistent.scan.pdf")
    runs = {how: json.loads(subprocess.run([sys.executable, "-c", code, how, scan], capture_output=True, text=True, check=True).stdout)
            for how in ("first", "soon")}
    assert runs["first"]["threads"] == []  # the engine existed: nothing built in a thread
    assert [name.startswith("jixiao-ocr-load") for name in runs["soon"]["threads"]] == [True]
    assert runs["soon"]["text"] == runs["first"]["text"]
    assert len(runs["soon"]["text"]) > 5


@needs_ocr
def test_next_scanned_page_is_read_ahead_and_the_same() -> None:
    """Page 2 of a scan is started while page 1 is read; each page reads as it does alone."""
    from concurrent.futures import Future

    from jixiao.extract.ocr import pages
    from jixiao.extract.ocr.scan import ocr_page

    path = SCANNED / "project-consistent.scan.pdf"
    started: list[tuple[int, bool]] = []
    original = pages.start_page_image

    def spy(page: pymupdf.Page, page_no: int) -> Future[object]:
        future = original(page, page_no)
        started.append((page_no, any(not f.done() for f in in_flight)))
        in_flight.append(future)
        return future  # type: ignore[return-value]

    in_flight: list[Future[object]] = []
    import jixiao.extract.document as document

    document.start_page_image = spy  # type: ignore[assignment]
    try:
        together = extract_path(path)
    finally:
        document.start_page_image = original
    assert [n for n, _ in started] == [1, 2]
    assert started[1][1]  # page 1 was still being read when page 2 started
    with pymupdf.open(path) as doc:
        alone = [ocr_page(doc[i], i + 1) for i in range(doc.page_count)]
    texts = sorted(p.text for scan in alone for p in scan.pieces)
    assert texts and sorted(t for f in in_flight for t in (p.text for p in f.result().pieces)) == texts  # type: ignore[attr-defined]
    assert together.source.ocr_pages == (1, 2)
