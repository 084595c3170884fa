"""The store's schema: SQL scripts both engines run, in order, and the columns of its tables.

:data:`MIGRATIONS` is the only schema source: script *n* takes a store from version *n* to
*n + 1*; SQLite runs it as written (``PRAGMA user_version`` counts), PostgreSQL runs it
translated by :func:`jixiao.store.postgres.postgres_statements` (a table of applied versions
counts). Some versions also change data, which no SQL script can do for both engines alike:
those steps are methods of :class:`jixiao.store.base.Store`, run after the script of their
version (:data:`REVIEWS_VERSION`, :data:`KEYS_VERSION`).
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from jixiao.frames import COLUMNS, REVIEW_COLUMNS, TABLES, ColumnKind

_SCHEMA_V1 = """
CREATE TABLE runs (
    run_id          INTEGER PRIMARY KEY,
    started_at      TEXT NOT NULL,
    finished_at     TEXT,
    parser_version  TEXT NOT NULL,
    files_seen      INTEGER NOT NULL DEFAULT 0,
    files_parsed    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE files (
    path            TEXT PRIMARY KEY,
    sha256          TEXT,
    size            INTEGER,
    mtime           REAL,
    parser_version  TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('ok', 'failed', 'removed')),
    first_seen_run  INTEGER NOT NULL REFERENCES runs (run_id),
    last_parsed_run INTEGER REFERENCES runs (run_id),
    last_seen_run   INTEGER NOT NULL REFERENCES runs (run_id),
    records_json    TEXT
);

CREATE TABLE reports (
    path TEXT NOT NULL REFERENCES files (path) ON DELETE CASCADE,
    run_id INTEGER NOT NULL REFERENCES runs (run_id),
    "file" TEXT, "sha256" TEXT, "page_count" INTEGER, "text_method" TEXT, "table_index" INTEGER,
    "pages" TEXT, "report_type" TEXT, "unit_name" TEXT, "project_name" TEXT,
    "competent_department" TEXT, "implementing_unit" TEXT, "fiscal_year" INTEGER, "report_date" TEXT,
    "source_amount_unit" TEXT, "initial_budget" REAL, "annual_budget" REAL, "executed" REAL,
    "execution_rate" REAL, "fund_weight" REAL, "fund_score" REAL, "total_weight" REAL,
    "total_score" REAL, "recomputed_total" REAL, "grade" TEXT,
    "n_errors" INTEGER, "n_warnings" INTEGER, "n_info" INTEGER
);

CREATE TABLE funds (
    path TEXT NOT NULL REFERENCES files (path) ON DELETE CASCADE,
    run_id INTEGER NOT NULL REFERENCES runs (run_id),
    "file" TEXT, "sha256" TEXT, "table_index" INTEGER, "line" TEXT, "label" TEXT,
    "initial_budget" REAL, "annual_budget" REAL, "executed" REAL, "weight" REAL,
    "execution_rate" REAL, "score" REAL, "page" INTEGER, "row" INTEGER
);

CREATE TABLE indicators (
    path TEXT NOT NULL REFERENCES files (path) ON DELETE CASCADE,
    run_id INTEGER NOT NULL REFERENCES runs (run_id),
    "file" TEXT, "sha256" TEXT, "table_index" INTEGER, "level1" TEXT, "level2" TEXT, "name" TEXT,
    "target" TEXT, "actual" TEXT, "target_value" REAL, "target_unit" TEXT, "target_comparator" TEXT,
    "actual_value" REAL, "actual_unit" TEXT, "actual_comparator" TEXT, "weight" REAL, "score" REAL,
    "group_row" INTEGER, "deviation_note" TEXT, "page" INTEGER, "row" INTEGER
);

CREATE TABLE findings (
    path TEXT NOT NULL REFERENCES files (path) ON DELETE CASCADE,
    run_id INTEGER NOT NULL REFERENCES runs (run_id),
    "file" TEXT, "sha256" TEXT, "table_index" INTEGER, "rule" TEXT, "severity" TEXT, "message" TEXT,
    "expected" TEXT, "found" TEXT, "page" INTEGER, "row" INTEGER, "column" TEXT, "label" TEXT,
    "snippet" TEXT,
    fingerprint TEXT NOT NULL,
    first_seen_run INTEGER NOT NULL REFERENCES runs (run_id)
);

CREATE TABLE failures (
    path TEXT NOT NULL REFERENCES files (path) ON DELETE CASCADE,
    run_id INTEGER NOT NULL REFERENCES runs (run_id),
    "file" TEXT, "sha256" TEXT, "kind" TEXT, "message" TEXT
);

CREATE INDEX files_status ON files (status);
CREATE INDEX reports_path ON reports (path);
CREATE INDEX reports_unit_name ON reports (unit_name);
CREATE INDEX reports_fiscal_year ON reports (fiscal_year);
CREATE INDEX funds_path ON funds (path);
CREATE INDEX indicators_path ON indicators (path);
CREATE INDEX findings_path ON findings (path, fingerprint);
CREATE INDEX findings_rule ON findings (rule);
CREATE INDEX findings_severity ON findings (severity);
CREATE INDEX findings_first_seen_run ON findings (first_seen_run);
CREATE INDEX failures_path ON failures (path);
"""

_SCHEMA_V2 = """
ALTER TABLE reports ADD COLUMN "extra" TEXT;
ALTER TABLE funds ADD COLUMN "extra" TEXT;
ALTER TABLE indicators ADD COLUMN "extra" TEXT;
"""
"""Columns no field takes (``extra``: header → text, as JSON) on reports, fund lines and indicators."""

_SCHEMA_V3 = """
ALTER TABLE findings ADD COLUMN "profile" TEXT;
ALTER TABLE findings ADD COLUMN "scope" TEXT;
ALTER TABLE findings ADD COLUMN "compared" TEXT;
"""
"""Findings say which profile judged them, whether they are about one report or several
(``scope`` ``batch``: jixiao.validate.across) and which reports those are."""

_SCHEMA_V4 = """
CREATE TABLE reviews (
    fingerprint     TEXT PRIMARY KEY,
    state           TEXT NOT NULL CHECK (state IN ('open', 'confirmed', 'dismissed')),
    note            TEXT,
    reviewed_by     TEXT,
    reviewed_at     TEXT NOT NULL,
    report_key      TEXT,
    rule            TEXT,
    label           TEXT,
    message         TEXT
);

ALTER TABLE findings ADD COLUMN review_fingerprint TEXT;

CREATE INDEX findings_review_fingerprint ON findings (review_fingerprint);
CREATE INDEX reviews_state ON reviews (state);
CREATE INDEX reports_key ON reports (path, table_index);
"""
"""Version 4: review decisions (SPEC §5), kept by the finding's fingerprint
(:func:`jixiao.review.fingerprint`, in ``findings.review_fingerprint``) and never deleted with a
file's rows, so a rerun, a new version of the file and a second auditor see the same decision.
``report_key`` ``rule`` ``label`` ``message`` remember what was decided on, for a finding that no
longer appears (shown as resolved). ``reports_key`` lets the workbench page through 50,000 reports in
file order without sorting them."""

_SCHEMA_V5 = """
ALTER TABLE reports ADD COLUMN "format" TEXT;
"""
"""Version 5: what each report's file is (pdf docx xlsx xls html ofd, jixiao.extract.sniff); rows of
older stores read NULL until their file is parsed again."""

_SCHEMA_V6 = """
CREATE INDEX files_sha256 ON files (sha256);
"""
"""Version 6: a file is keyed by its resolved absolute path (:func:`jixiao.store.keys.file_key`), no
longer by the path as typed; older stores have their keys resolved in place and their findings'
fingerprints recomputed (:meth:`jixiao.store.base.Store._resolve_keys`). The index finds content the
store holds under another path (same sha256 and parser version: taken from the store, not parsed)."""

MIGRATIONS: list[str] = [_SCHEMA_V1, _SCHEMA_V2, _SCHEMA_V3, _SCHEMA_V4, _SCHEMA_V5, _SCHEMA_V6]
REVIEWS_VERSION = 4  # the version that brought review decisions: older stores get their fingerprints filled in
KEYS_VERSION = 6  # the version that keys files by their resolved path: older stores get their keys resolved
"""SQL scripts in order; script ``n`` upgrades a store at ``user_version`` n to n + 1.
Never edit a released script: append a new one."""

EXTRA_COLUMNS: dict[str, tuple[str, ...]] = {name: ("path", "run_id") for name in TABLES}
EXTRA_COLUMNS["findings"] += ("fingerprint", "first_seen_run", "review_fingerprint")
"""The store's own columns beside :data:`jixiao.frames.COLUMNS`."""

STORED_COLUMNS: dict[str, dict[str, ColumnKind]] = {
    name: {c: k for c, k in COLUMNS[name].items() if c not in REVIEW_COLUMNS} for name in TABLES
}
"""The frames' columns the five tables hold; the review columns come from ``reviews`` when read."""

Row = dict[str, Any]


def split_statements(script: str) -> list[str]:
    """A script split into complete statements (``executescript`` would commit our transaction)."""
    out: list[str] = []
    current = ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            out.append(current.strip())
            current = ""
    if current.strip():
        raise ValueError(f"incomplete SQL statement: {current.strip()[:60]}")
    return out



def our_tables() -> list[str]:
    """The tables the migrations create."""
    return [m.group(1) for script in MIGRATIONS for m in re.finditer(r"CREATE TABLE (\w+)", script)]


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'

