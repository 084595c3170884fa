"""Checks across reports: one unit's reports against each other, over a batch or the store.

Auditors read a department with its projects and a unit over years; an
inconsistency between two reports is invisible to the per-table rules. Reports
are matched by :func:`jixiao.validate.units.name_key` and fiscal year only; where
the counterpart is not certain (no year, no name, two differing candidates) there
is no finding. Each finding names every report it compares (``compared``) and is
attached to the report it is about, or, when that one is only in the store, to the
first compared report of this batch, so it shows wherever that report's findings do.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from jixiao.models import Box, Finding, Record, Report, ReportRef
from jixiao.validate.profile import Profile, active, judging
from jixiao.validate.registry import finding, judged, show
from jixiao.validate.tolerance import close
from jixiao.validate.units import name_key, project_key

ACROSS_RULES = ("duplicate_report", "projects_vs_department", "carryover_chain")
Key = tuple[str, int]  # (path, table_index)


@dataclass(frozen=True)
class Candidate:
    """A report with the keys that match it to others."""

    report: Report
    unit: str | None
    project: str | None
    in_batch: bool

    @property
    def key(self) -> Key:
        return (self.report.source.path, self.report.table_index)


def ref(report: Report, boxes: Iterable[Box | None] = ()) -> ReportRef:
    """``report`` as a finding across reports names it, with the cells of it the finding compares."""
    return ReportRef(
        path=report.source.path,
        table_index=report.table_index,
        report_type=report.report_type,
        unit_name=report.unit_name,
        project_name=report.project_name,
        fiscal_year=report.fiscal_year,
        pages=report.pages,
        boxes=tuple(b for b in boxes if b is not None),
    )


def unit_of(report: Report) -> str | None:
    """A department report's own unit; a project table's 主管部门 (the department that reports it)."""
    if report.report_type == "project":
        return name_key(report.competent_department or report.unit_name)
    return name_key(report.unit_name)


def candidates(batch: Sequence[Record], context: Sequence[Record] = ()) -> list[Candidate]:
    """The reports to compare: the batch's, then the store's that the batch does not hold.
    Copies of a file (``duplicate_of``) are the same report, not a second one."""
    out: list[Candidate] = []
    seen: set[Key] = set()
    for records, in_batch in ((batch, True), (context, False)):
        for r in records:
            if not isinstance(r, Report) or r.source.duplicate_of is not None:
                continue
            key = (r.source.path, r.table_index)
            if key in seen:
                continue
            seen.add(key)
            project = project_key(r.project_name) if r.report_type == "project" else None
            out.append(Candidate(r, unit_of(r), project, in_batch))
    return out


def figures_of(report: Report) -> tuple[Decimal | None, ...]:
    """What two reports of the same unit, year and kind must agree on."""
    t = report.funds.total
    amounts = (t.initial_budget, t.annual_budget, t.executed) if t else (None, None, None)
    return (*amounts, report.total_score)


def _same(a: Report, b: Report) -> bool:
    """No figure both reports state differs (a figure one of them lacks, say one OCR missed, proves nothing)."""
    return all(
        x is None or y is None or close(x, y, x, y) for x, y in zip(figures_of(a), figures_of(b), strict=True)
    )


def _where(report: Report) -> str:
    pages = f"p{report.pages[0]}-{report.pages[-1]}" if report.pages else "p-"
    table = f" 表 table {report.table_index + 1}" if report.table_index else ""
    return f"{report.source.path} {pages}{table}"


def _figures_text(report: Report) -> str:
    return " / ".join(show(v) or "—" for v in figures_of(report))


def duplicate_report(cands: Sequence[Candidate]) -> list[tuple[Candidate, Finding]]:
    groups: dict[tuple[str, str, str | None, int], list[Candidate]] = defaultdict(list)
    for c in cands:
        year = c.report.fiscal_year
        if c.unit is None or year is None or (c.report.report_type == "project" and c.project is None):
            continue
        groups[(c.report.report_type, c.unit, c.project, year)].append(c)
    out: list[tuple[Candidate, Finding]] = []
    for group in groups.values():
        first = group[0]
        for other in group[1:]:
            if _same(first.report, other.report):
                continue
            a, b = first.report, other.report
            f = finding(
                "duplicate_report",
                f"同一单位同一年度的{_kind_zh(b)}报告出现两份且数字不同：{_where(a)} 与 {_where(b)}"
                f"（年初预算/全年预算/执行数/总分 {_figures_text(a)} 对 {_figures_text(b)}）",
                f"the same unit, year and kind is reported twice with different figures: {_where(a)} and {_where(b)} "
                f"(initial/annual budget, executed, total score {_figures_text(a)} vs {_figures_text(b)})",
                expected=_figures_text(a),
                found=_figures_text(b),
                page=b.pages[0] if b.pages else None,
                column="funds",
                label=b.project_name or b.unit_name,
                boxes=_total_boxes(b),
            )
            out.append((other, replace(f, compared=(ref(a, _total_boxes(a)), ref(b, _total_boxes(b))))))
    return out


def _kind_zh(report: Report) -> str:
    return "项目支出" if report.report_type == "project" else "部门整体"


def _total_boxes(report: Report) -> list[Box | None]:
    t = report.funds.total
    return [t.cells.get("initial_budget"), t.cells.get("annual_budget"), t.cells.get("executed")] if t else []


def _unique(group: Sequence[Candidate]) -> Candidate | None:
    """The one report a group stands for, or None when its members disagree (uncertain)."""
    if not group:
        return None
    first = group[0]
    return first if all(_same(first.report, c.report) for c in group[1:]) else None


def projects_vs_department(cands: Sequence[Candidate]) -> list[tuple[Candidate, Finding]]:
    departments: dict[tuple[str, int], list[Candidate]] = defaultdict(list)
    projects: dict[tuple[str, int], dict[str, list[Candidate]]] = defaultdict(lambda: defaultdict(list))
    for c in cands:
        year = c.report.fiscal_year
        if c.unit is None or year is None:
            continue
        if c.report.report_type == "department_overall":
            departments[(c.unit, year)].append(c)
        elif c.project is not None:
            projects[(c.unit, year)][c.project].append(c)
    out: list[tuple[Candidate, Finding]] = []
    for key, group in departments.items():
        dept = _unique(group)
        figure = dept.report.narrative.figures.get("project_expenditure") if dept else None
        if dept is None or figure is None or key not in projects:
            continue
        chosen = [_unique(g) for g in projects[key].values()]
        if any(c is None for c in chosen):
            continue  # two differing tables of one project: duplicate_report says so
        tables = [c for c in chosen if c is not None]
        executed = [c.report.funds.total.executed if c.report.funds.total else None for c in tables]
        if any(v is None for v in executed):
            continue  # a project whose 全年执行数 was not read: the sum would prove nothing
        amounts = [v for v in executed if v is not None]
        found = sum(amounts, Decimal(0))
        if close(figure.value, found, figure.value, *amounts):
            continue
        d = dept.report
        listed = "；".join(f"{c.report.project_name} {show(v)}（{_where(c.report)}）" for c, v in zip(tables, amounts, strict=True))
        listed_en = "; ".join(f"{c.report.project_name} {show(v)} ({_where(c.report)})" for c, v in zip(tables, amounts, strict=True))
        f = finding(
            "projects_vs_department",
            f"部门报告写项目支出 {show(figure.value)} 万元，其 {len(tables)} 张项目自评表全年执行数合计 {show(found)} 万元：{listed}",
            f"the department report states project spending of {show(figure.value)}, its {len(tables)} project tables "
            f"executed {show(found)} in all: {listed_en}",
            expected=found,
            found=figure.value,
            page=figure.page,
            column="project_expenditure",
            label="项目支出",
            snippet=figure.snippet,
            boxes=[figure.box],
        )
        executed_boxes = [[c.report.funds.total.cells.get("executed")] if c.report.funds.total else [] for c in tables]
        others = (ref(c.report, b) for c, b in zip(tables, executed_boxes, strict=True))
        out.append((dept, replace(f, compared=(ref(d, [figure.box]), *others))))
    return out


def carryover_chain(cands: Sequence[Candidate]) -> list[tuple[Candidate, Finding]]:
    by_year: dict[tuple[str, str, str | None, int], list[Candidate]] = defaultdict(list)
    for c in cands:
        if c.unit is None or c.report.fiscal_year is None:
            continue
        if c.report.report_type == "project" and c.project is None:
            continue
        by_year[(c.report.report_type, c.unit, c.project, c.report.fiscal_year)].append(c)
    out: list[tuple[Candidate, Finding]] = []
    for (kind, unit, project, year), group in by_year.items():
        this, last = _unique(group), _unique(by_year.get((kind, unit, project, year - 1), []))
        if this is None or last is None:
            continue
        line, prev = this.report.funds.prior_carryover, last.report.funds.total
        if line is None or line.initial_budget is None or prev is None:
            continue
        if prev.annual_budget is None or prev.executed is None:
            continue
        unspent = prev.annual_budget - prev.executed
        carried = line.initial_budget
        if close(carried, unspent, carried, prev.annual_budget, prev.executed):
            continue
        r, p = this.report, last.report
        f = finding(
            "carryover_chain",
            f"{year} 年上年结转资金（年初预算数）{show(carried)} 万元，{year - 1} 年报告结余 {show(unspent)} 万元"
            f"（全年预算数 {show(prev.annual_budget)} − 全年执行数 {show(prev.executed)}，{_where(p)}）",
            f"{year}'s prior-year carryover (initial budget) is {show(carried)}, the {year - 1} report leaves "
            f"{show(unspent)} unspent (annual budget {show(prev.annual_budget)} − executed {show(prev.executed)}, {_where(p)})",
            expected=unspent,
            found=carried,
            page=line.page,
            row=line.row,
            column="initial_budget",
            label=line.label,
            boxes=[line.cells.get("initial_budget")],
        )
        compared = (ref(r, [line.cells.get("initial_budget")]),
                    ref(p, [prev.cells.get("annual_budget"), prev.cells.get("executed")]))
        out.append((this, replace(f, compared=compared)))
    return out


CHECKS = {"duplicate_report": duplicate_report, "projects_vs_department": projects_vs_department,
          "carryover_chain": carryover_chain}


def across_findings(
    batch: Sequence[Record], context: Sequence[Record] = (), profile: Profile | None = None
) -> dict[Key, list[Finding]]:
    """Findings across reports, keyed by the batch report each is attached to."""
    prof = profile or active()
    cands = candidates(batch, context)
    in_batch = {c.key for c in cands if c.in_batch}
    out: dict[Key, list[Finding]] = defaultdict(list)
    with judging(prof):
        for rule_id, check in CHECKS.items():
            if rule_id in prof.disabled:
                continue
            for owner, f in check(cands):
                target = _holder(owner, f.compared, in_batch)
                if target is not None:
                    out[target].append(replace(judged(f, prof), scope="batch"))
    return dict(out)


def _holder(owner: Candidate, compared: Iterable[ReportRef], in_batch: set[Key]) -> Key | None:
    if owner.key in in_batch:
        return owner.key
    return next(((r.path, r.table_index) for r in compared if (r.path, r.table_index) in in_batch), None)


def with_across(batch: Sequence[Record], context: Sequence[Record] = (), profile: Profile | None = None) -> list[Record]:
    """The batch's records with the findings across reports added to the reports they concern.
    A copy of a file (``duplicate_of``) gets its original's, as it gets its other findings."""
    found = across_findings(batch, context, profile)
    if not found:
        return list(batch)
    out: list[Record] = []
    for r in batch:
        if isinstance(r, Report):
            origin = r.source.duplicate_of or r.source.path
            extra = found.get((origin, r.table_index), [])
            if extra:
                r = replace(r, findings=(*r.findings, *extra))
        out.append(r)
    return out
