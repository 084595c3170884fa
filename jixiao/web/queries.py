"""What the pages and the API read from the store: the report list (filtered and paged in SQL, so
50,000 reports stay fast), one report's record with its decisions, and the overview's counts.

A report's id is its store key and table made URL-safe (``base64url("<table_index>:<path>")``):
stable across reruns and restarts (a row id is not), and decoded without a lookup table.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jixiao.models import Record, Report
from jixiao.review import STATES, fingerprints, report_key, with_reviews
from jixiao.store import Store
from jixiao.store.base import records_from_json

MAX_LIMIT = 500
DEFAULT_LIMIT = 50
FILTERS = ("q", "unit", "year", "type", "grade", "rule", "severity", "review")
REPORT_TYPES = ("department_overall", "project")
SEVERITIES = ("error", "warning", "info")
SEVERITY_COUNTS = {"error": "n_errors", "warning": "n_warnings", "info": "n_info"}

_LIST_COLUMNS = (
    "path", "table_index", "file", "format", "report_type", "unit_name", "project_name", "fiscal_year", "text_method",
    "execution_rate", "total_score", "recomputed_total", "grade", "n_errors", "n_warnings", "n_info",
)


class BadFilter(ValueError):
    """A filter value that cannot be used (a year that is not a number, an unknown state)."""


def report_id(path: str, table_index: int) -> str:
    """Example: ``report_id("a.pdf", 0)`` → ``"MDphLnBkZg"``."""
    return base64.urlsafe_b64encode(f"{table_index}:{path}".encode()).decode("ascii").rstrip("=")


def parse_report_id(rid: str) -> tuple[str, int] | None:
    """Inverse of :func:`report_id`; None for anything that is not one."""
    try:
        text = base64.urlsafe_b64decode(rid + "=" * (-len(rid) % 4)).decode("utf-8")
        index, path = text.split(":", 1)
        return path, int(index)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None


@dataclass(frozen=True)
class Filters:
    """The list's filters, checked (every value goes to SQL as a parameter, never as text)."""

    q: str | None = None
    unit: str | None = None
    year: int | None = None
    type: str | None = None
    grade: str | None = None
    rule: str | None = None
    severity: str | None = None
    review: str | None = None

    @classmethod
    def of(cls, params: Mapping[str, str]) -> Filters:
        values = {k: (params.get(k) or "").strip() or None for k in FILTERS}
        year = values.pop("year")
        if year is not None and not year.lstrip("-").isdigit():
            raise BadFilter(f"年度应为数字 / year must be a number: {year}")
        if values["type"] is not None and values["type"] not in REPORT_TYPES:
            raise BadFilter(f"未知的报告类型 / unknown type: {values['type']}")
        if values["severity"] is not None and values["severity"] not in SEVERITIES:
            raise BadFilter(f"未知的级别 / unknown severity: {values['severity']}")
        if values["review"] is not None and values["review"] not in STATES:
            raise BadFilter(f"未知的核查状态 / unknown review state: {values['review']}")
        return cls(year=int(year) if year is not None else None, **values)

    def query(self) -> dict[str, str]:
        """The filters as URL parameters (for links and the export)."""
        return {k: str(getattr(self, k)) for k in FILTERS if getattr(self, k) is not None}

    def finding_filter(self) -> bool:
        return any(v is not None for v in (self.rule, self.severity, self.review))


def _like(text: str) -> str:
    return "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _where(f: Filters) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if f.q is not None:
        like = _like(f.q)
        fields = ("unit_name", "project_name", "file", "competent_department", "implementing_unit")
        clauses.append("(" + " OR ".join(f"LOWER(r.{c}) LIKE ? ESCAPE '\\'" for c in fields) + ")")
        params += [like] * len(fields)
    for column, value in (("unit_name", f.unit), ("fiscal_year", f.year), ("report_type", f.type), ("grade", f.grade)):
        if value is not None:
            clauses.append(f"r.{column} = ?")
            params.append(value)
    if f.severity is not None and f.rule is None and f.review is None:
        clauses.append(f"r.{SEVERITY_COUNTS[f.severity]} > 0")  # the report row counts its findings already
    elif f.finding_filter():
        inner, inner_params = _finding_where(f)
        # One uncorrelated set of (file, table) pairs, built once per query: a correlated EXISTS ran
        # per report and SQLite chose the severity index for it (0.4 s for 2,000 reports).
        clauses.append(f"(r.path, r.table_index) IN (SELECT f.path, f.table_index FROM findings f WHERE 1 = 1{inner})")
        params += inner_params
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def _finding_where(f: Filters) -> tuple[str, list[Any]]:
    """Conditions on findings ``f``. A decided state is looked up among the (few) decisions; ``open``
    is every finding without a decision that says otherwise."""
    sql, params = "", []
    if f.rule is not None:
        sql += " AND f.rule = ?"
        params.append(f.rule)
    if f.severity is not None:
        sql += " AND f.severity = ?"
        params.append(f.severity)
    if f.review == "open":
        sql += " AND f.review_fingerprint NOT IN (SELECT fingerprint FROM reviews WHERE state != 'open')"
    elif f.review is not None:
        sql += " AND f.review_fingerprint IN (SELECT fingerprint FROM reviews WHERE state = ?)"
        params.append(f.review)
    return sql, params


def list_reports(store: Store, f: Filters, limit: int = DEFAULT_LIMIT, offset: int = 0) -> dict[str, Any]:
    """``{"total": N, "items": [...]}``: one page of report summaries, each with its ``id``."""
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    where, params = _where(f)
    total = store.execute(f"SELECT COUNT(*) FROM reports r{where}", params)[0][0]
    # The page's keys first (the (path, table_index) index, no row read for skipped reports), then their rows.
    keys = store.execute(
        f"SELECT r.path, r.table_index FROM reports r{where} ORDER BY r.path, r.table_index LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    rows = [
        store.execute(
            f"SELECT {', '.join('r.' + c for c in _LIST_COLUMNS)},"
            " (SELECT COUNT(*) FROM findings f LEFT JOIN reviews v ON v.fingerprint = f.review_fingerprint"
            "  WHERE f.path = r.path AND f.table_index = r.table_index AND COALESCE(v.state, 'open') = 'open')"
            " FROM reports r WHERE r.path = ? AND r.table_index = ?",
            key,
        )[0]
        for key in keys
    ]
    items = []
    for row in rows:
        item = dict(zip(_LIST_COLUMNS, row, strict=False))
        item["n_open"] = row[-1]
        item["id"] = report_id(item.pop("path"), item["table_index"])
        items.append(item)
    return {"total": int(total), "limit": limit, "offset": offset, "items": items}


def load_report(store: Store, rid: str) -> Report | None:
    """The report ``rid`` as parsed, with each finding's fingerprint and decision; None if unknown."""
    key = parse_report_id(rid)
    if key is None:
        return None
    path, index = key
    rows = store.execute("SELECT records_json FROM files WHERE path = ? AND status != 'removed'", (path,))
    if not rows or rows[0][0] is None:
        return None
    records: list[Record] = [r for r in records_from_json(rows[0][0]) if isinstance(r, Report) and r.table_index == index]
    if not records:
        return None
    reviewed = with_reviews(records, store.reviews_for(fingerprints(records)))
    report = reviewed[0]
    assert isinstance(report, Report)
    return report


def key_of(report: Report) -> str:
    return report_key(
        report.report_type, report.unit_name, report.project_name, report.fiscal_year, report.source.path,
        report.table_index,
    )


def records_for_export(store: Store, f: Filters, cap: int) -> list[Record]:
    """Records of the reports the filter shows (up to ``cap``), findings cut to the finding filters,
    with their decisions; failures too when no report filter is set."""
    where, params = _where(f)
    keys = store.execute(f"SELECT r.path, r.table_index FROM reports r{where} ORDER BY r.path, r.table_index LIMIT ?", [*params, cap])
    wanted: dict[str, set[int]] = {}
    for path, index in keys:
        wanted.setdefault(path, set()).add(int(index))
    out: list[Record] = []
    for path, indexes in wanted.items():
        rows = store.execute("SELECT records_json FROM files WHERE path = ?", (path,))
        if rows and rows[0][0]:
            out += [r for r in records_from_json(rows[0][0]) if isinstance(r, Report) and r.table_index in indexes]
    if f == Filters():
        for (text,) in store.execute("SELECT records_json FROM files WHERE status = 'failed' ORDER BY path"):
            out += records_from_json(text) if text else []
    out = with_reviews(out, store.reviews_for(fingerprints(out)))
    if f.finding_filter():
        out = [_cut(r, f) for r in out]
    return out


def _cut(record: Record, f: Filters) -> Record:
    from dataclasses import replace

    if not isinstance(record, Report):
        return record
    kept = tuple(
        x for x in record.findings
        if (f.rule is None or x.rule == f.rule)
        and (f.severity is None or x.severity == f.severity)
        and (f.review is None or (x.review is not None and x.review.state == f.review))
    )
    return replace(record, findings=kept)


def overview(store: Store) -> dict[str, Any]:
    """Counts for the overview page: files, reports, failures by kind, findings by rule, severity and decision."""
    one = store.execute
    files = one("SELECT COUNT(*) FROM files WHERE status != 'removed'")[0][0]
    reports = one("SELECT COUNT(*) FROM reports")[0][0]
    failures = dict(one("SELECT kind, COUNT(*) FROM failures GROUP BY kind ORDER BY kind"))
    severities = dict(one("SELECT severity, COUNT(*) FROM findings GROUP BY severity"))
    rules = one(
        "SELECT rule, severity, COUNT(*) FROM findings GROUP BY rule, severity ORDER BY COUNT(*) DESC, rule"
    )
    states = dict(
        one(
            "SELECT COALESCE(v.state, 'open'), COUNT(*) FROM findings f"
            " LEFT JOIN reviews v ON v.fingerprint = f.review_fingerprint GROUP BY COALESCE(v.state, 'open')"
        )
    )
    years = [r[0] for r in one("SELECT DISTINCT fiscal_year FROM reports WHERE fiscal_year IS NOT NULL ORDER BY 1 DESC")]
    grades = [r[0] for r in one("SELECT DISTINCT grade FROM reports WHERE grade IS NOT NULL ORDER BY 1")]
    rule_ids = sorted({r[0] for r in rules})
    return {
        "files": int(files), "reports": int(reports), "failures": failures,
        "severities": {s: int(severities.get(s, 0)) for s in SEVERITIES},
        "rules": [{"rule": r, "severity": s, "count": int(n)} for r, s, n in rules],
        "reviews": {s: int(states.get(s, 0)) for s in STATES},
        "years": years, "grades": grades, "rule_ids": rule_ids,
    }


def choices(store: Store) -> dict[str, list[Any]]:
    """What the list's drop-downs offer: years, grades and rules present (index scans only)."""
    return {
        "years": [r[0] for r in store.execute("SELECT DISTINCT fiscal_year FROM reports WHERE fiscal_year IS NOT NULL ORDER BY 1 DESC")],
        "grades": [r[0] for r in store.execute("SELECT DISTINCT grade FROM reports WHERE grade IS NOT NULL ORDER BY 1")],
        "rule_ids": [r[0] for r in store.execute("SELECT DISTINCT rule FROM findings ORDER BY 1")],
    }


def chart_reports(store: Store) -> list[Report]:
    """Every report reduced to what the overview charts read (stated total, execution rate, grade,
    recomputed total, whether ``score_total`` flagged it), from the ``reports`` table alone: the
    HTML report's chart functions draw them unchanged, without loading 50,000 records.

    The recomputed total rides on the fund line's score with no indicators, so
    :func:`jixiao.validate.scores.recomputed_total` gives back the stored value.
    """
    from decimal import Decimal

    from jixiao.models import Finding, FundLine, Funds, Goals, Narrative, Source

    def dec(value: Any) -> Decimal | None:
        return None if value is None else Decimal(repr(float(value)))

    flag = Finding("score_total", "error", "", None, None, None)
    rows = store.execute(
        "SELECT r.report_type, r.total_score, r.execution_rate, r.grade, r.recomputed_total,"
        " CASE WHEN (r.path, r.table_index) IN (SELECT path, table_index FROM findings WHERE rule = 'score_total')"
        " THEN 1 ELSE 0 END FROM reports r"
    )
    return [
        Report(
            source=Source("", "", 0), report_type=kind, unit_name=None, project_name=None,
            competent_department=None, implementing_unit=None, fiscal_year=None, report_date=None,
            source_amount_unit="万元", funds=Funds(total=FundLine("合计", execution_rate=dec(rate), score=dec(recomputed))),
            goals=Goals(), indicators=(), level1_weights={}, total_weight=None, total_score=dec(total), grade=grade,
            narrative=Narrative(), pages=(), findings=(flag,) if flagged else (),
        )
        for kind, total, rate, grade, recomputed, flagged in rows
    ]


def failure_rows(store: Store, limit: int = 200) -> list[dict[str, Any]]:
    rows = store.execute("SELECT file, kind, message FROM failures ORDER BY path LIMIT ?", (limit,))
    return [{"file": f, "kind": k, "message": m} for f, k, m in rows]


def report_json(report: Report, rid: str) -> dict[str, Any]:
    """The SPEC §2 record of a report, findings with ``fingerprint`` and ``review``, plus its ``id``."""
    from jixiao.outputs.records import decimal_default, record_to_dict

    data = json.loads(json.dumps(record_to_dict(report), ensure_ascii=False, default=decimal_default))
    data["id"] = rid
    return dict(data)
