"""Records as pandas tables for analysts: one frame per kind of row.

``to_frames(records)`` gives five DataFrames, always all five and always with
their columns (zero rows when there is nothing to show):

- ``reports``    one row per report (one per self-evaluation table);
- ``funds``      one row per 资金 line (total, current_appropriation, prior_carryover, other, extra);
- ``indicators`` one row per 三级指标 row;
- ``findings``   one row per finding;
- ``failures``   one row per file that could not be read.

Every row carries ``file``, ``sha256`` and (except failures) ``table_index``,
and where it has one ``page`` and ``row``, so the value can be found in the PDF.
Amounts (万元), weights, scores and rates (fractions: 1.0 is 100%) are float64
(``float(Decimal)``, which prints back as the document wrote it); years, pages,
rows and counts are nullable ``Int64``; text is ``object`` with ``None`` for a
blank. Pure functions, no I/O: the table writers in :mod:`jixiao.outputs` read
these frames.

Example: ``to_frames(jixiao.parse("samples/seed-department-report.pdf"))["funds"]``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # pandas costs 0.4 s to import: only the table outputs pay for it
    import pandas as pd

from jixiao.models import Failure, Finding, Record, Report
from jixiao.outputs.records import record_to_dict
from jixiao.review import OPEN, fingerprint
from jixiao.validate.scores import recomputed_total

ColumnKind = Literal["float", "int", "text"]
DTYPES: dict[ColumnKind, str] = {"float": "float64", "int": "Int64", "text": "object"}

_WHERE: dict[str, ColumnKind] = {"file": "text", "sha256": "text", "table_index": "int"}
_FUND_AMOUNTS: dict[str, ColumnKind] = {
    "initial_budget": "float",
    "annual_budget": "float",
    "executed": "float",
    "weight": "float",
    "execution_rate": "float",
    "score": "float",
}

COLUMNS: dict[str, dict[str, ColumnKind]] = {
    "reports": {
        "file": "text",
        "sha256": "text",
        "page_count": "int",
        "format": "text",
        "text_method": "text",
        "table_index": "int",
        "pages": "text",
        "report_type": "text",
        "unit_name": "text",
        "project_name": "text",
        "competent_department": "text",
        "implementing_unit": "text",
        "fiscal_year": "int",
        "report_date": "text",
        "source_amount_unit": "text",
        "initial_budget": "float",
        "annual_budget": "float",
        "executed": "float",
        "execution_rate": "float",
        "fund_weight": "float",
        "fund_score": "float",
        "total_weight": "float",
        "total_score": "float",
        "recomputed_total": "float",
        "grade": "text",
        "n_errors": "int",
        "n_warnings": "int",
        "n_info": "int",
        "extra": "text",
    },
    "funds": {
        **_WHERE,
        "line": "text",
        "label": "text",
        **_FUND_AMOUNTS,
        "page": "int",
        "row": "int",
        "extra": "text",
    },
    "indicators": {
        **_WHERE,
        "level1": "text",
        "level2": "text",
        "name": "text",
        "target": "text",
        "actual": "text",
        "target_value": "float",
        "target_unit": "text",
        "target_comparator": "text",
        "actual_value": "float",
        "actual_unit": "text",
        "actual_comparator": "text",
        "weight": "float",
        "score": "float",
        "group_row": "int",
        "deviation_note": "text",
        "page": "int",
        "row": "int",
        "extra": "text",
    },
    "findings": {
        **_WHERE,
        "rule": "text",
        "severity": "text",
        "message": "text",
        "expected": "text",
        "found": "text",
        "page": "int",
        "row": "int",
        "column": "text",
        "label": "text",
        "snippet": "text",
        "profile": "text",
        "scope": "text",
        "compared": "text",
        "fingerprint": "text",
        "review": "text",
        "review_note": "text",
        "review_by": "text",
        "review_at": "text",
    },
    "failures": {"file": "text", "sha256": "text", "kind": "text", "message": "text"},
}
"""Every frame's columns in order, with the kind of value each holds."""

TABLES: tuple[str, ...] = tuple(COLUMNS)
REVIEW_COLUMNS: tuple[str, ...] = ("fingerprint", "review", "review_note", "review_by", "review_at")
"""The findings' review columns (SPEC §5): the fingerprint a decision is kept under, its state
(``open`` where none was taken), note, who and when."""
FUND_LINES: tuple[str, ...] = ("total", "current_appropriation", "prior_carryover", "other")

Row = dict[str, Any]


def to_frames(records: Iterable[Record]) -> dict[str, pd.DataFrame]:
    """Five typed DataFrames (``reports``, ``funds``, ``indicators``, ``findings``, ``failures``)."""
    rows: dict[str, list[Row]] = {name: [] for name in TABLES}
    for record in records:
        data = record_to_dict(record)
        if isinstance(record, Failure):
            rows["failures"].append(failure_row(data))
            continue
        where = where_of(data)
        rows["reports"].append(report_row(data, recomputed_total(record)))
        rows["funds"].extend({**where, **row} for row in fund_rows(data["funds"]))
        rows["indicators"].extend({**where, **indicator_row(i)} for i in data["indicators"])
        rows["findings"].extend(
            {**where, **finding_row(f), **review_row(record, finding)}
            for finding, f in zip(record.findings, data["findings"], strict=True)
        )
    return {name: rows_to_frame(rows[name], COLUMNS[name]) for name in TABLES}


def rows_to_frame(rows: Sequence[Mapping[str, Any]], columns: Mapping[str, ColumnKind]) -> pd.DataFrame:
    """A frame with exactly ``columns``, in order and typed, even with no rows."""
    import pandas as pd

    data = {
        name: pd.Series([cell_value(row.get(name), kind) for row in rows], dtype=DTYPES[kind])
        for name, kind in columns.items()
    }
    return pd.DataFrame(data, columns=list(columns))


def where_of(report: Mapping[str, Any]) -> Row:
    source = report["source"]
    return {"file": source["path"], "sha256": source["sha256"], "table_index": report["table_index"]}


def report_row(report: Mapping[str, Any], recomputed: Decimal | None) -> Row:
    source = report["source"]
    total = report["funds"]["total"] or {}
    severities = [f["severity"] for f in report["findings"]]
    return {
        "file": source["path"],
        "sha256": source["sha256"],
        "page_count": source["page_count"],
        "format": source.get("format", "pdf"),
        "text_method": source["text_method"],
        "table_index": report["table_index"],
        "pages": page_span(report["pages"]),
        **{key: report[key] for key in (
            "report_type", "unit_name", "project_name", "competent_department", "implementing_unit",
            "fiscal_year", "report_date", "source_amount_unit",
        )},
        "initial_budget": total.get("initial_budget"),
        "annual_budget": total.get("annual_budget"),
        "executed": total.get("executed"),
        "execution_rate": total.get("execution_rate"),
        "fund_weight": total.get("weight"),
        "fund_score": total.get("score"),
        "total_weight": report["total_weight"],
        "total_score": report["total_score"],
        "recomputed_total": recomputed,
        "grade": report["grade"],
        "n_errors": severities.count("error"),
        "n_warnings": severities.count("warning"),
        "n_info": severities.count("info"),
        "extra": extra_text(report.get("extra")),
    }


def extra_text(extra: Mapping[str, str] | None) -> str | None:
    """Columns (or form rows) no field takes, as one JSON object of header → text; None when none."""
    return json.dumps(dict(extra), ensure_ascii=False) if extra else None


def fund_rows(funds: Mapping[str, Any]) -> list[Row]:
    """The printed 资金 lines in table order: named lines first, then ``extra``."""
    lines = [(name, funds[name]) for name in FUND_LINES if funds[name] is not None]
    lines += [("extra", line) for line in funds["extra"]]
    return [
        {
            "line": name,
            "label": line["label"],
            **{k: line[k] for k in _FUND_AMOUNTS},
            "page": line["page"],
            "row": line["row"],
            "extra": extra_text(line.get("extra")),
        }
        for name, line in lines
    ]


def indicator_row(indicator: Mapping[str, Any]) -> Row:
    target = indicator["target_parsed"] or {}
    actual = indicator["actual_parsed"] or {}
    return {
        **{key: indicator[key] for key in ("level1", "level2", "name", "target", "actual")},
        "target_value": target.get("value"),
        "target_unit": target.get("unit"),
        "target_comparator": target.get("comparator"),
        "actual_value": actual.get("value"),
        "actual_unit": actual.get("unit"),
        "actual_comparator": actual.get("comparator"),
        **{key: indicator[key] for key in ("weight", "score", "group_row", "deviation_note", "page", "row")},
        "extra": extra_text(indicator.get("extra")),
    }


def finding_row(finding: Mapping[str, Any]) -> Row:
    where = finding["where"]
    page = finding["page"] if finding["page"] is not None else where["page"]
    return {
        **{key: finding[key] for key in ("rule", "severity", "message", "expected", "found")},
        "page": page,
        **{key: where[key] for key in ("row", "column", "label", "snippet")},
        "profile": finding.get("profile", "mof"),
        "scope": finding.get("scope", "report"),
        "compared": compared_text(finding.get("compared") or ()),
    }


def compared_text(refs: Sequence[Mapping[str, Any]]) -> str | None:
    """The reports a finding across reports compares, one cell: ``a.pdf p1-3; b.pdf p2 #2``."""
    if not refs:
        return None
    return "; ".join(
        f"{r['path']} p{page_span(r['pages']) or '-'}" + (f" #{r['table_index'] + 1}" if r["table_index"] else "")
        for r in refs
    )
def review_row(report: Report, finding: Finding) -> Row:
    """The review columns of a finding: as attached by :func:`jixiao.review.with_reviews`, else open."""
    review = finding.review or OPEN
    return {
        "fingerprint": finding.fingerprint or fingerprint(report, finding),
        "review": review.state,
        "review_note": review.note,
        "review_by": review.by,
        "review_at": review.at,
    }


def failure_row(failure: Mapping[str, Any]) -> Row:
    source, error = failure["source"], failure["error"]
    return {"file": source["path"], "sha256": source["sha256"], "kind": error["kind"], "message": error["message"]}


def page_span(pages: Sequence[int]) -> str | None:
    """Pages as a reader writes them.

    Example: ``(6,)`` → ``"6"``, ``(2, 3)`` → ``"2-3"``, ``(2, 4)`` → ``"2,4"``.
    """
    if not pages:
        return None
    first, last = min(pages), max(pages)
    if first == last:
        return str(first)
    if sorted(pages) == list(range(first, last + 1)):
        return f"{first}-{last}"
    return ",".join(str(p) for p in sorted(pages))


def cell_value(value: Any, kind: ColumnKind) -> Any:
    """A record value as the column's kind (Decimal → float, counts → int); shared with the stores."""
    if value is None:
        return None
    if kind == "float":
        return float(value)
    if kind == "int":
        return int(value)
    return value
