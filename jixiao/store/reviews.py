"""Review decisions in the store (SPEC §5): the ``reviews`` table, one row per fingerprint.

A decision is never deleted with a file's rows: when the file comes back (a rerun, a new
version, another machine's nightly job) its findings get the same fingerprints and find their
decisions again. A decision whose fingerprint no current finding has is *resolved*: the
finding went away when the file changed. Shared by the SQLite and PostgreSQL stores (same SQL).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from jixiao.models import Report, Review
from jixiao.outputs.records import record_from_dict
from jixiao.review import fingerprint, report_key

CHUNK = 500  # fingerprints per IN (…) query: well under SQLite's 32,766 host parameters


@dataclass(frozen=True)
class ReviewRow:
    """One line of ``jixiao review list``: a current finding with its decision, or a resolved decision."""

    fingerprint: str
    review: Review
    resolved: bool
    file: str | None
    rule: str | None
    severity: str | None
    label: str | None
    message: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "fingerprint": self.fingerprint, "state": self.review.state, "note": self.review.note,
            "by": self.review.by, "at": self.review.at, "resolved": self.resolved, "file": self.file,
            "rule": self.rule, "severity": self.severity, "label": self.label, "message": self.message,
        }


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _review(row: Any) -> Review:
    state, note, by, at = row
    return Review(state=state, note=note, by=by, at=at)


def _named(key: str | None) -> str | None:
    """A report key as a person reads it: unit, project and year, or the file."""
    if not key:
        return None
    parts = json.loads(key)[:-1]
    return " ".join(str(p) for p in parts[1:] if p is not None) or None


class ReviewsMixin:
    """Review methods of :class:`jixiao.store.Store` (and so of the PostgreSQL store)."""

    _db: Any

    def reviews_for(self, fingerprints: Iterable[str]) -> dict[str, Review]:
        """The decisions taken on ``fingerprints`` (those with none are left out: they are open)."""
        wanted = sorted(set(fingerprints))
        out: dict[str, Review] = {}
        for i in range(0, len(wanted), CHUNK):
            chunk = wanted[i : i + CHUNK]
            rows = self._db.execute(
                "SELECT fingerprint, state, note, reviewed_by, reviewed_at FROM reviews"
                f" WHERE fingerprint IN ({', '.join('?' for _ in chunk)})",
                chunk,
            )
            out.update({fp: _review(rest) for fp, *rest in rows})
        return out

    def set_review(self, fp: str, review: Review) -> Review:
        """Record a decision on a finding (now, unless ``review.at`` is set); returns what was stored.

        What the finding says (report, rule, label, message) is kept beside it when the finding is
        in the store now, so the decision still reads when the finding has gone (resolved).
        """
        stored = review if review.at else replace(review, at=_now())
        about = self._db.execute(
            "SELECT r.report_type, r.unit_name, r.project_name, r.fiscal_year, r.file, f.table_index,"
            " f.rule, f.label, f.message FROM findings f JOIN reports r ON r.path = f.path"
            " AND r.table_index = f.table_index WHERE f.review_fingerprint = ? LIMIT 1",
            (fp,),
        ).fetchone()
        key = report_key(*about[:6]) if about else None
        rule, label, message = (about[6], about[7], about[8]) if about else (None, None, None)
        self._db.execute(
            "INSERT INTO reviews (fingerprint, state, note, reviewed_by, reviewed_at, report_key, rule, label, message)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (fingerprint) DO UPDATE SET state = excluded.state,"
            " note = excluded.note, reviewed_by = excluded.reviewed_by, reviewed_at = excluded.reviewed_at,"
            " report_key = COALESCE(excluded.report_key, reviews.report_key),"
            " rule = COALESCE(excluded.rule, reviews.rule), label = COALESCE(excluded.label, reviews.label),"
            " message = COALESCE(excluded.message, reviews.message)",
            (fp, stored.state, stored.note, stored.by, stored.at, key, rule, label, message),
        )
        return stored

    def has_finding(self, fp: str) -> bool:
        """Whether a current finding has this fingerprint."""
        row = self._db.execute("SELECT 1 FROM findings WHERE review_fingerprint = ? LIMIT 1", (fp,)).fetchone()
        return row is not None

    def review_rows(self, state: str | None = None) -> list[ReviewRow]:
        """Current findings with their decisions (``open`` where none), then resolved decisions;
        ``state`` keeps one state. A finding in two files (copies) is listed once."""
        out: dict[str, ReviewRow] = {}
        current = self._db.execute(
            "SELECT f.review_fingerprint, COALESCE(v.state, 'open'), v.note, v.reviewed_by, v.reviewed_at,"
            " f.file, f.rule, f.severity, f.label, f.message FROM findings f"
            " LEFT JOIN reviews v ON v.fingerprint = f.review_fingerprint ORDER BY f.path, f.rowid"
        )
        for fp, st, note, by, at, file, rule, severity, label, message in current:
            if fp not in out:
                out[fp] = ReviewRow(fp, Review(st, note, by, at), False, file, rule, severity, label, message)
        resolved = self._db.execute(
            "SELECT fingerprint, state, note, reviewed_by, reviewed_at, report_key, rule, label, message"
            " FROM reviews ORDER BY reviewed_at, fingerprint"
        )
        for fp, st, note, by, at, key, rule, label, message in resolved:
            if fp not in out:
                out[fp] = ReviewRow(fp, Review(st, note, by, at), True, _named(key), rule, None, label, message)
        return [r for r in out.values() if state is None or r.review.state == state]

    def resolved_reviews(self, key: str, current: Iterable[str]) -> list[ReviewRow]:
        """Decisions taken in the report ``key`` whose findings no longer appear (the file changed)."""
        now = set(current)
        rows = self._db.execute(
            "SELECT fingerprint, state, note, reviewed_by, reviewed_at, rule, label, message FROM reviews"
            " WHERE report_key = ? ORDER BY reviewed_at",
            (key,),
        )
        return [
            ReviewRow(fp, Review(st, note, by, at), True, None, rule, None, label, message)
            for fp, st, note, by, at, rule, label, message in rows
            if fp not in now
        ]

    def _backfill_review_fingerprints(self) -> None:
        """Fill ``findings.review_fingerprint`` of a store upgraded from version 1, from the stored records
        (a finding's rows follow its records' order)."""
        files = self._db.execute("SELECT path, records_json FROM files WHERE records_json IS NOT NULL").fetchall()
        for path, text in files:
            records = [record_from_dict(d) for d in json.loads(text)]
            fps = [fingerprint(r, f) for r in records if isinstance(r, Report) for f in r.findings]
            rowids = [r[0] for r in self._db.execute("SELECT rowid FROM findings WHERE path = ? ORDER BY rowid", (path,))]
            if len(rowids) == len(fps):
                self._db.executemany(
                    "UPDATE findings SET review_fingerprint = ? WHERE rowid = ?", list(zip(fps, rowids, strict=True))
                )
