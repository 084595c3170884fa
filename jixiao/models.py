"""The records that the three stages hand to each other and to the outputs.

They are frozen so that a validated report can never drift from what was read,
and they carry where each value came from (page, table row, cell box) because
an auditor must be able to look at the number a finding is about.
Amounts are ``Decimal`` in 万元 with the precision the document wrote; rates are
fractions (``Decimal("1.00")`` for 100%).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

Severity = Literal["error", "warning", "info"]
ReportType = Literal["department_overall", "project"]
TextMethod = Literal["text", "ocr", "mixed"]
FailureKind = Literal[
    "empty",
    "not_pdf",
    "encrypted",
    "corrupt",
    "no_report_found",
    "timeout",
    "too_large",
    "crashed",
    "ocr_unavailable",
    "unsupported_format",
]

_new_object = object.__new__

SEVERITY_ORDER: dict[str, int] = {"info": 0, "warning": 1, "error": 2}
ReviewState = Literal["open", "confirmed", "dismissed"]


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle on a page, in PDF points from the top-left (PyMuPDF's frame)."""

    page: int
    x0: float
    y0: float
    x1: float
    y1: float

    @classmethod
    def of(cls, page: int, x0: float, y0: float, x1: float, y1: float) -> Box:
        """A box rounded to 0.01 pt: finer is noise, and rounding makes records round-trip."""
        # round(v * 100) / 100 rather than round(v, 2), which is twice as slow: pages make
        # hundreds of boxes.  (Both give the double nearest a whole hundredth.)
        return _box(page, round(x0 * 100) / 100, round(y0 * 100) / 100, round(x1 * 100) / 100, round(y1 * 100) / 100)

    @staticmethod
    def of_rounded(page: int, x0: float, y0: float, x1: float, y1: float) -> Box:
        """A box of coordinates already rounded as :meth:`of` rounds them (:func:`round_pt`):
        a table's cells share its column and row lines, which are rounded once."""
        return _box(page, x0, y0, x1, y1)

    def __reduce__(self) -> tuple[Callable[..., Box], tuple[int, float, float, float, float]]:
        # A plain tuple of fields pickles and loads several times faster than the
        # state a slotted dataclass gives by default; workers send thousands of boxes.
        return _box, (self.page, self.x0, self.y0, self.x1, self.y1)


def round_pt(v: float) -> float:
    """A coordinate as :meth:`Box.of` keeps it: to 0.01 pt."""
    return round(v * 100) / 100


def _box(page: int, x0: float, y0: float, x1: float, y1: float) -> Box:
    """What the dataclass's ``__init__`` does, without its lookups (for :meth:`Box.of` and unpickling)."""
    box = _new_object(Box)
    _set_page(box, page)
    _set_x0(box, x0)
    _set_y0(box, y0)
    _set_x1(box, x1)
    _set_y1(box, y1)
    return box


# The slots' own setters: a frozen dataclass refuses ``box.x0 = v``, and these skip
# the name lookup that ``object.__setattr__`` makes for each field.
_set_page, _set_x0, _set_y0, _set_x1, _set_y1 = (Box.__dict__[name].__set__ for name in ("page", "x0", "y0", "x1", "y1"))


@dataclass(frozen=True)
class Source:
    path: str
    sha256: str
    page_count: int
    text_method: TextMethod = "text"
    duplicate_of: str | None = None  # the first file with the same content in a batch
    # Tables of the file that are no report (a fragment without a header of its own, a 决算
    # table): kept visible here, never turned into a report with findings of its own.
    fragments: tuple[str, ...] = ()
    ocr_pages: tuple[int, ...] = ()  # pages read by OCR: findings about them say so
    format: str = "pdf"  # what the bytes are (jixiao.extract.sniff): pdf docx xlsx xls html ofd
    sheets: tuple[str, ...] = ()  # workbooks: sheet names, Box.page - 1 indexes them


@dataclass(frozen=True)
class FundLine:
    """One row of the 资金情况 block; ``cells`` maps a field name to its box."""

    label: str
    initial_budget: Decimal | None = None
    annual_budget: Decimal | None = None
    executed: Decimal | None = None
    weight: Decimal | None = None
    execution_rate: Decimal | None = None
    score: Decimal | None = None
    page: int | None = None
    row: int | None = None
    cells: dict[str, Box] = field(default_factory=dict)
    extra: dict[str, str] = field(default_factory=dict)  # header → cell text of columns no field takes


@dataclass(frozen=True)
class Funds:
    total: FundLine | None = None
    current_appropriation: FundLine | None = None
    prior_carryover: FundLine | None = None
    other: FundLine | None = None
    extra: tuple[FundLine, ...] = ()

    def sources(self) -> tuple[FundLine, ...]:
        """The rows that should add up to ``total`` (extra rows included)."""
        named = (self.current_appropriation, self.prior_carryover, self.other)
        return tuple(line for line in named if line is not None) + self.extra


@dataclass(frozen=True)
class Goals:
    expected: str | None = None
    actual: str | None = None


@dataclass(frozen=True)
class Measure:
    """A target or actual cell read as a number with unit and comparator.

    ``kind`` says what sort of value the cell holds so rules can tell a time
    from an amount: number, percent, money (value in 万元), time, text, blank.
    """

    value: Decimal | None
    unit: str | None
    comparator: str | None
    kind: str


@dataclass(frozen=True)
class Indicator:
    """One 三级指标 row.

    A 分值/得分 cell merged over several rows is counted once: the first row of
    the group holds it and ``group_row`` of the others points at that row.
    """

    level1: str | None
    level2: str | None
    name: str | None
    target: str | None
    actual: str | None
    weight: Decimal | None
    score: Decimal | None
    deviation_note: str | None
    page: int | None
    row: int
    target_parsed: Measure | None = None
    actual_parsed: Measure | None = None
    group_row: int | None = None
    cells: dict[str, Box] = field(default_factory=dict)
    extra: dict[str, str] = field(default_factory=dict)  # header → cell text of columns no field takes


@dataclass(frozen=True)
class Section:
    heading: str
    text: str
    page: int


@dataclass(frozen=True)
class Figure:
    """A figure read from the narrative, with the snippet that states it."""

    value: Decimal
    page: int
    snippet: str
    box: Box | None = None


@dataclass(frozen=True)
class ProjectItem:
    """One project's "全年预算数为 X，执行数为 Y，完成预算的 Z%" sentence."""

    budget: Figure
    executed: Figure
    rate: Figure


@dataclass(frozen=True)
class Narrative:
    sections: tuple[Section, ...] = ()
    figures: dict[str, Figure] = field(default_factory=dict)
    project_items: tuple[ProjectItem, ...] = ()


@dataclass(frozen=True)
class Repair:
    """A label the reader had to mend (cut short, OCR-damaged), kept for the audit trail."""

    field: str
    original: str
    repaired: str
    page: int | None
    row: int | None
    box: Box | None = None
    reason: Literal["cut_short", "ocr"] = "cut_short"


@dataclass(frozen=True)
class OcrReading:
    """A table cell OCR read with a low recognizer score: findings resting on it ask for a look."""

    box: Box
    confidence: float
    text: str


@dataclass(frozen=True)
class UnmappedColumn:
    """A table column no field takes (a header the reader does not know, a sub-column
    it could not place): its values stay on their rows' ``extra`` under ``header``."""

    header: str
    block: Literal["funds", "indicators"]
    page: int | None
    box: Box | None = None
    values: int = 0  # how many rows hold a value in it


@dataclass(frozen=True)
class Where:
    page: int | None = None
    row: int | None = None
    column: str | None = None
    label: str | None = None
    snippet: str | None = None
    boxes: tuple[Box, ...] = ()


@dataclass(frozen=True)
class ReportRef:
    """One report a check across reports compared: enough to open it at the right pages."""

    path: str
    table_index: int
    report_type: ReportType
    unit_name: str | None
    project_name: str | None
    fiscal_year: int | None
    pages: tuple[int, ...]
    boxes: tuple[Box, ...] = ()  # the cells of this report the finding compares (the other side's evidence)


FindingScope = Literal["report", "batch"]


@dataclass(frozen=True)
class Review:
    """An auditor's decision on a finding (SPEC §5): 待核 open, 已核实 confirmed, 误报 dismissed."""

    state: ReviewState = "open"
    note: str | None = None
    by: str | None = None
    at: str | None = None


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    message: str
    expected: str | None
    found: str | None
    page: int | None
    where: Where = field(default_factory=Where)
    profile: str = "mof"  # the scoring profile that judged it (jixiao.validate.profile)
    scope: FindingScope = "report"  # "batch": a check across reports (jixiao.validate.across)
    compared: tuple[ReportRef, ...] = ()  # scope "batch": every report it compares
    # Filled by jixiao.review.with_reviews where a record leaves the library (outputs, store, workbench).
    fingerprint: str | None = None
    review: Review | None = None


@dataclass(frozen=True)
class Report:
    source: Source
    report_type: ReportType
    unit_name: str | None
    project_name: str | None
    competent_department: str | None
    implementing_unit: str | None
    fiscal_year: int | None
    report_date: str | None
    source_amount_unit: str
    funds: Funds
    goals: Goals
    indicators: tuple[Indicator, ...]
    level1_weights: dict[str, Decimal]
    total_weight: Decimal | None
    total_score: Decimal | None
    grade: str | None
    narrative: Narrative
    pages: tuple[int, ...]
    table_index: int = 0
    repairs: tuple[Repair, ...] = ()
    findings: tuple[Finding, ...] = ()
    status: Literal["ok"] = "ok"
    total_box: Box | None = None
    grade_box: Box | None = None
    total_weight_box: Box | None = None
    unmapped_columns: tuple[UnmappedColumn, ...] = ()
    ocr_readings: tuple[OcrReading, ...] = ()  # low-confidence OCR cells of the table
    extra: dict[str, str] = field(default_factory=dict)  # rows of the form no field takes: label → text


@dataclass(frozen=True)
class FailureError:
    kind: FailureKind
    message: str


@dataclass(frozen=True)
class Failure:
    source: Source
    error: FailureError
    status: Literal["failed"] = "failed"


Record = Report | Failure
