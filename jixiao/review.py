"""Review decisions on findings (SPEC §5): the fingerprint they are kept under, and putting them on records.

A decision has to outlive the run that raised the finding: the nightly job parses the file
again, an office sends a corrected version, a second auditor opens the same store. So it is
keyed by what the finding *says* about *which report*, not by the file's bytes or path:
the report's identity as read (kind, unit, project, year), the table, the rule, the finding's
place (page, row, column, label) and its expected and found values. A finding whose values
change is a new finding and starts ``open`` again. Only where the report names no unit and
no project, or no year, does the file's path (within its root) stand in for the identity.

Pure functions; the stores keep the decisions, :func:`with_reviews` puts them on records.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import PurePath

from jixiao.models import Finding, Record, Report, Review, ReviewState

STATES: tuple[ReviewState, ...] = ("open", "confirmed", "dismissed")
STATE_ZH: dict[str, str] = {"open": "待核", "confirmed": "已核实", "dismissed": "误报"}
OPEN = Review()
FINGERPRINT_VERSION = "jixiao-finding/1"  # bump only if the key below must change; old decisions then stop matching


class ReviewError(ValueError):
    """A review decision that cannot be stored (unknown state, note too long)."""


MAX_NOTE_CHARS = 4000
MAX_BY_CHARS = 200


def report_identity(report: Report, path: str | None = None) -> list[object]:
    """What names a report across versions of its file: kind, unit, project and year as read;
    the path (``path`` or ``source.path``) only where the report names neither unit nor project, or no year.

    Example: a project table of 某局 for 2022 → ``["project", "某局", "某项目", 2022]``.
    """
    where = path if path is not None else report.source.path
    return identity(report.report_type, report.unit_name, report.project_name, report.fiscal_year, where)


def identity(kind: str, unit: str | None, project: str | None, year: int | None, path: str) -> list[object]:
    """:func:`report_identity` from a report's columns (a store row)."""
    if (unit or project) and year is not None:
        return [kind, unit, project, year]
    return [kind, None, None, year, PurePath(path).as_posix()]


def report_key(kind: str, unit: str | None, project: str | None, year: int | None, path: str, table_index: int) -> str:
    """The report a decision was taken in, as text (``reviews.report_key``): its identity and table."""
    return json.dumps([*identity(kind, unit, project, year, path), table_index], ensure_ascii=False)


def fingerprint(report: Report, finding: Finding, path: str | None = None) -> str:
    """A finding's stable key (32 hex digits): report identity, table, rule, place, expected and found.

    The message's wording is left out (a reworded message keeps its decision); the page and row
    are in (SPEC §5: the finding's place), so the same slip in another row is another finding.

    Example: ``fingerprint(report, report.findings[0])`` → ``"3f0c…"``.
    """
    where = finding.where
    page = finding.page if finding.page is not None else where.page
    key = [
        FINGERPRINT_VERSION,
        report_identity(report, path),
        report.table_index,
        finding.rule,
        page,
        where.row,
        where.column,
        where.label,
        finding.expected,
        finding.found,
    ]
    return hashlib.sha256(json.dumps(key, ensure_ascii=False).encode("utf-8")).hexdigest()[:32]


def checked_review(state: str, note: str | None = None, by: str | None = None, at: str | None = None) -> Review:
    """A :class:`Review` from untrusted input, or :class:`ReviewError` saying what is wrong."""
    if state not in STATES:
        raise ReviewError(f"未知的核查状态 {state!r}，可用 open/confirmed/dismissed / unknown review state {state!r}")
    if note is not None and len(note) > MAX_NOTE_CHARS:
        raise ReviewError(f"备注超过 {MAX_NOTE_CHARS} 字 / the note is longer than {MAX_NOTE_CHARS} characters")
    if by is not None and len(by) > MAX_BY_CHARS:
        raise ReviewError(f"核查人超过 {MAX_BY_CHARS} 字 / the reviewer's name is longer than {MAX_BY_CHARS} characters")
    return Review(state=state, note=note or None, by=by or None, at=at)


def with_reviews(
    records: Sequence[Record], reviews: Mapping[str, Review], paths: Mapping[str, str] | None = None
) -> list[Record]:
    """Records with every finding's ``fingerprint`` and ``review`` filled (``open`` where no decision).

    ``paths`` maps a record's ``source.path`` to its path within its root, for reports that
    name no unit or year (the workbench's uploads); by default the path as given.
    """
    out: list[Record] = []
    for record in records:
        if not isinstance(record, Report) or not record.findings:
            out.append(record)
            continue
        path = (paths or {}).get(record.source.path)
        findings = []
        for finding in record.findings:
            fp = fingerprint(record, finding, path)
            findings.append(replace(finding, fingerprint=fp, review=reviews.get(fp, OPEN)))
        out.append(replace(record, findings=tuple(findings)))
    return out


def fingerprints(records: Sequence[Record]) -> set[str]:
    """Every finding's fingerprint in ``records`` (for fetching only the decisions they need)."""
    return {fingerprint(r, f) for r in records if isinstance(r, Report) for f in r.findings}
