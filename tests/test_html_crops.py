"""The HTML report's page crops: each red frame sits where the finding's cell is, and holds its text.

The text inside a frame is read back from the PDF (``page.get_textbox``) after
mapping the frame's pixels back to points, and compared with the value the
record holds for that cell: the crop, not only the finding's box, is checked.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal, InvalidOperation

import pymupdf
import pytest
from PIL import Image

import jixiao
from jixiao.html.crops import BOX_PAD_PX, RED, Crop, CropRenderer
from jixiao.html.locate import finding_boxes, fold, snippet_pieces, total_weight_box
from jixiao.models import Box, Finding, Report, Where
from jixiao.validate.registry import show
from tests.conftest import sample

SAMPLES = ("seed-department-report.pdf", "department-split-table.pdf")
BLANK = {"", "无", "/", "—", "-", "–"}
_NUMBER_RE = re.compile(r"\d+(?:\.\d+)?")


@pytest.fixture(scope="module", params=SAMPLES)
def report(request: pytest.FixtureRequest) -> Report:
    (parsed,) = jixiao.parse(sample(request.param))
    return parsed


@pytest.fixture(scope="module")
def renderer() -> Iterator[CropRenderer]:
    with CropRenderer() as r:
        yield r


def cell_values(report: Report) -> dict[Box, tuple[str, object]]:
    """Every cell box of the report → (field, the value the record holds for it)."""
    repaired = {(r.row, r.field): r.original for r in report.repairs}
    values: dict[Box, tuple[str, object]] = {}

    def put(box: Box | None, field: str, value: object) -> None:
        if box is None:
            return
        if value is None and box in values:
            return  # a merged cell: the group's first row holds the value
        values[box] = (field, value)

    for name in ("total", "current_appropriation", "prior_carryover", "other"):
        line = getattr(report.funds, name)
        if line is not None:
            for field, box in line.cells.items():
                put(box, field, getattr(line, field, None))
    for indicator in report.indicators:
        for field, box in indicator.cells.items():
            value = repaired.get((indicator.row, field), getattr(indicator, field, None))
            put(box, field, value)
    put(total_weight_box(report), "total_weight", report.total_weight)
    put(report.total_box, "total_score", report.total_score)
    put(report.grade_box, "grade", report.grade)
    return values


def numbers(text: str) -> set[Decimal]:
    out = set()
    for m in _NUMBER_RE.findall(text):
        try:
            out.add(Decimal(m))
        except InvalidOperation:
            pass
    return out


def holds(cell_text: str, field: str, value: object) -> bool:
    """Does the text read inside a box show the record's value for that cell?"""
    text = fold(cell_text)
    if value is None or (isinstance(value, str) and fold(value) in BLANK):
        return text in BLANK
    if isinstance(value, Decimal):
        wanted = {value, value * 100} if field == "execution_rate" else {value}
        return bool(wanted & numbers(text))
    return fold(str(value)) in text


def frame_to_points(crop: Crop, box: Box) -> pymupdf.Rect:
    """The region the red frame drawn for ``box`` encloses, mapped back from pixels to PDF points."""
    left, top, right, bottom = crop.frame(box)
    inset = BOX_PAD_PX + 1
    return pymupdf.Rect(
        crop.clip[0] + (left + inset) / crop.zoom,
        crop.clip[1] + (top + inset) / crop.zoom,
        crop.clip[0] + (right - inset) / crop.zoom,
        crop.clip[1] + (bottom - inset) / crop.zoom,
    )


def assert_framed_in_red(crop: Crop, box: Box) -> None:
    """The picture shows a red frame around ``box``: red on each of its four sides."""
    image = Image.open(io.BytesIO(crop.png)).convert("RGB")
    assert image.size == (crop.width, crop.height)
    left, top, right, bottom = crop.frame(box)
    for t in (0.25, 0.5, 0.75):
        x = round(left + t * (right - left))
        y = round(top + t * (bottom - top))
        for point in ((x, top), (x, bottom), (left, y), (right, y)):
            assert image.getpixel(point) == RED, f"no red frame at {point} for {box}"


def continued_label(values: dict[Box, tuple[str, object]], box: Box) -> bool:
    """A 一级/二级指标 label merged over a page break is written once, on the earlier page."""
    field, value = values[box]
    return field in ("level1", "level2") and any(
        other.page < box.page and (f, v) == (field, value) for other, (f, v) in values.items()
    )


def check_crop_text(report: Report, crop: Crop, box: Box, values: dict[Box, tuple[str, object]]) -> str:
    """Frame and text of one box in one crop; the text read inside the frame."""
    assert box in values, f"{box} is not a cell of the parsed tables"
    assert_framed_in_red(crop, box)
    with pymupdf.open(report.source.path) as doc:
        text: str = doc[box.page - 1].get_textbox(frame_to_points(crop, box))
    field, value = values[box]
    if fold(text) == "" and continued_label(values, box):
        return text
    assert holds(text, field, value), f"{field}: the frame holds {text!r}, the record says {value!r}"
    return text


def test_every_finding_crop_frames_its_cells(report: Report, renderer: CropRenderer) -> None:
    values = cell_values(report)
    for finding in report.findings:
        if finding.severity == "info" and not finding.where.boxes:
            continue
        crops = renderer.crops(report, finding)
        assert finding.where.boxes, f"{finding.rule} names no cell"
        assert {c.page for c in crops} == {b.page for b in finding_boxes(finding, report)}
        for crop in crops:
            for box in crop.boxes:
                check_crop_text(report, crop, box, values)


def test_first_frame_holds_the_value_the_finding_names(report: Report, renderer: CropRenderer) -> None:
    """The finding's ``found`` (or, for a sum, its label) is what its first frame shows."""
    for finding in report.findings:
        crop = renderer.crops(report, finding)[0]
        with pymupdf.open(report.source.path) as doc:
            text = fold(doc[crop.page - 1].get_textbox(frame_to_points(crop, crop.boxes[0])))
        if finding.rule == "level1_weight_sum":
            assert finding.where.label and finding.where.label in text
        elif finding.rule == "deduction_unexplained":
            assert text in BLANK  # the empty 偏差原因 cell
        elif finding.rule == "weight_total":
            assert finding.expected and fold(finding.expected) in text  # the stated total weight; found is the sum
        elif finding.rule == "indicator_kind":
            assert text == fold(finding.found or "").split("、")[0]
        else:
            assert finding.found and fold(finding.found) in text, (finding.rule, text)


def test_seed_total_and_grade_frames() -> None:
    (seed,) = jixiao.parse(sample("seed-department-report.pdf"))
    by_rule = {f.rule: f for f in seed.findings}
    with CropRenderer() as renderer, pymupdf.open(seed.source.path) as doc:
        (crop,) = renderer.crops(seed, by_rule["score_total"])
        assert fold(doc[5].get_textbox(frame_to_points(crop, crop.boxes[0]))) == "92"
        (crop,) = renderer.crops(seed, by_rule["weight_total"])
        assert fold(doc[5].get_textbox(frame_to_points(crop, crop.boxes[0]))) == "100"
        (crop,) = renderer.crops(seed, by_rule["grade_recomputed"])
        grade, total = (fold(doc[5].get_textbox(frame_to_points(crop, b))) for b in crop.boxes)
        assert "优" in grade and total == "92"


def test_every_cell_of_the_tables_can_be_framed(report: Report, renderer: CropRenderer) -> None:
    """Any cell a future rule names, on either page of a split table, is framed around its text."""
    values = cell_values(report)
    pages = set()
    for box in values:
        probe = Finding("score_range", "error", "probe", None, None, box.page, Where(page=box.page, boxes=(box,)))
        (crop,) = renderer.crops(report, probe)
        check_crop_text(report, crop, box, values)
        pages.add(box.page)
    assert pages == set(report.pages)


def test_crops_stay_small(report: Report, renderer: CropRenderer) -> None:
    for finding in report.findings:
        for crop in renderer.crops(report, finding):
            assert crop.width <= 1000 and crop.height <= 900
            assert len(crop.png) < 40_000
            assert crop.zoom == pytest.approx(150 / 72) or crop.width == 1000 or crop.height == 900


def test_narrative_finding_is_found_by_its_snippet(renderer: CropRenderer) -> None:
    """A narrative finding has no cell: its snippet's lines are found on the page and framed."""
    (seed,) = jixiao.parse(sample("seed-department-report.pdf"))
    figure = seed.narrative.figures["initial_budget"]
    finding = Finding(
        "narrative_vs_table", "error", "probe", "1", show(figure.value), figure.page,
        Where(page=figure.page, snippet=figure.snippet),
    )
    (crop,) = renderer.crops(seed, finding)
    assert crop.page == 3
    with pymupdf.open(seed.source.path) as doc:
        framed = "".join(fold(doc[2].get_textbox(frame_to_points(crop, b))) for b in crop.boxes)
    assert "年初预算677.14万元" in framed
    for box in crop.boxes:
        assert_framed_in_red(crop, box)


def test_snippet_over_two_lines_frames_both() -> None:
    (seed,) = jixiao.parse(sample("seed-department-report.pdf"))
    figure = seed.narrative.figures["budget_income"]  # "预算收支情况2022年预算收入…" runs over a heading and a line
    finding = Finding("narrative_sum", "error", "probe", None, None, figure.page,
                      Where(page=figure.page, snippet=figure.snippet))
    with CropRenderer() as renderer:
        (crop,) = renderer.crops(seed, finding)
    assert len(crop.boxes) == 2
    assert crop.boxes[0].y1 <= crop.boxes[1].y0 + 1


def test_unlocatable_snippet_and_missing_field_give_no_crop(renderer: CropRenderer) -> None:
    (seed,) = jixiao.parse(sample("seed-department-report.pdf"))
    lost = Finding("narrative_sum", "error", "probe", None, None, 3, Where(page=3, snippet="这段文字不在页面上出现"))
    missing = Finding("missing_field", "warning", "probe", None, None, 6, Where(page=6, column="total_score"))
    assert renderer.crops(seed, lost) == []
    assert renderer.crops(seed, missing) == []
    moved = replace(seed, source=replace(seed.source, path="/nonexistent/seed.pdf"))
    assert renderer.crops(moved, seed.findings[0]) == []


@pytest.mark.parametrize(
    ("text", "folded"),
    [("年初预算 677.14 万元，", "年初预算677.14万元,"), ("１２３．４５％", "123.45%"), ("92", "92"), (" \n", "")],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_snippet_pieces_prefer_the_value() -> None:
    pieces = snippet_pieces("入778.26万元,其中年初预算677.14万元", ["677.14"])
    assert pieces == ["入778.26万元,其中年初预算677.14万元", "其中年初预算677.14万元", "入778.26万元"]


def test_snippet_on_a_later_page_is_found(renderer: CropRenderer) -> None:
    """A figure's page is where its section starts; the sentence itself may be on a later page."""
    (seed,) = jixiao.parse(sample("seed-department-report.pdf"))
    rate = seed.narrative.project_items[0].rate
    finding = Finding("narrative_sum", "error", "probe", None, show(rate.value), rate.page,
                      Where(page=rate.page, snippet=rate.snippet))
    (crop,) = renderer.crops(seed, finding)
    assert crop.page > rate.page
    with pymupdf.open(seed.source.path) as doc:
        framed = "".join(fold(doc[crop.page - 1].get_textbox(frame_to_points(crop, b))) for b in crop.boxes)
    assert "项目全年预算数为53万元" in framed
