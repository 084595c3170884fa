"""The nightly job's state: one SQLite file (``--db STATE.sqlite``), stdlib ``sqlite3`` only.

What it holds:

- ``runs``   one row per run (started, finished, parser version, files seen and parsed);
- ``files``  one row per input path ever seen: its sha256, size, mtime, the parser version
  that read it, ``status`` (``ok`` | ``failed`` | ``removed``) and ``records_json``, the
  file's records as JSON (Decimals as exact text), so an unchanged file's records load
  back exactly as they were parsed;
- ``reports`` ``funds`` ``indicators`` ``findings`` ``failures``: the columns of
  :data:`jixiao.frames.COLUMNS` plus ``path`` (the ``files`` key) and ``run_id`` (the run
  that parsed it); findings also carry a ``fingerprint`` and ``first_seen_run``.

The five tables always describe the *current* files: :meth:`Store.save` replaces a
file's rows in one transaction, committed per file (a killed run keeps every file it
finished, a rerun never duplicates rows), and :meth:`Store.mark_removed` deletes the
rows of files that were not given this time, keeping only their ``files`` row with
``status = 'removed'`` as history. So ``SELECT * FROM findings`` is today's findings.

Files are keyed by the path as given (``str(path)`` after folder expansion), the same
string the records carry in ``source.path``: run the nightly job from the same folder
with the same arguments, one store per input set.

The schema is versioned with ``PRAGMA user_version``: :data:`MIGRATIONS` is a list of
SQL scripts, script *n* taking a store from version *n* to *n + 1*. Opening an older
store upgrades it; a newer one (written by a newer jixiao) is refused with
:class:`StoreError`, and so is a SQLite file at version 0 that already holds tables of
someone else (we never write into a database that is not ours).

:class:`Store` is also the base of :class:`jixiao.store.postgres.PostgresStore`
(``--db postgresql://…``): its SQL is the portable subset both engines run, sent
through a connection that follows :class:`Connection`, and :meth:`Store.claim` /
:meth:`Store.wait_for` are where a shared database keeps two concurrent runs from
parsing the same file (a SQLite file is one machine's: every file is ours to parse).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Protocol

import pandas as pd

from jixiao import __version__
from jixiao.frames import (
    COLUMNS,
    REVIEW_COLUMNS,
    TABLES,
    ColumnKind,
    cell_value,
    failure_row,
    finding_row,
    fund_rows,
    indicator_row,
    report_row,
    rows_to_frame,
    where_of,
)
from jixiao.models import Failure, Finding, Record
from jixiao.outputs.records import decimal_text, record_from_dict, record_to_dict
from jixiao.review import fingerprint as review_fingerprint
from jixiao.runner import file_sha256
from jixiao.store.reviews import ReviewsMixin
from jixiao.validate.scores import recomputed_total

FileStatus = Literal["ok", "failed", "removed"]

RETRY_KINDS = frozenset({"timeout", "too_large", "crashed"})
"""Failure kinds that mean the parse did not finish (limits, a dying worker): retried next run."""

BUSY_TIMEOUT_S = 60.0  # another process writing (a second job, an analyst's long query): wait

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

MIGRATIONS: list[str] = [_SCHEMA_V1, _SCHEMA_V2, _SCHEMA_V3, _SCHEMA_V4, _SCHEMA_V5]
REVIEWS_VERSION = 4  # the version that brought review decisions: older stores get their fingerprints filled in
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


class Cursor(Protocol):
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    """What :class:`Store` needs of a DB-API connection: ``sqlite3.Connection`` in autocommit mode,
    or the PostgreSQL adapter of :mod:`jixiao.store.postgres` (same ``?`` placeholders)."""

    def execute(self, sql: str, parameters: Any = ..., /) -> Cursor: ...
    def executemany(self, sql: str, parameters: Any, /) -> Any: ...
    @property
    def in_transaction(self) -> bool: ...
    def close(self) -> None: ...


class StoreError(Exception):
    """The state file cannot be used (not SQLite, not ours, written by a newer jixiao)."""


@dataclass(frozen=True)
class FileState:
    """What a file looks like on disk now; ``sha256`` is None when it cannot be read."""

    sha256: str | None
    size: int | None
    mtime: float | None

    @classmethod
    def of(cls, path: Path) -> FileState:
        try:
            stat = path.stat()
        except OSError:
            return cls(None, None, None)
        return cls(file_sha256(path), stat.st_size, stat.st_mtime)


@dataclass(frozen=True)
class Plan:
    """Which inputs need parsing and which can be loaded from the store, in input order."""

    to_parse: list[Path]
    unchanged: list[Path]
    states: dict[Path, FileState]


@dataclass(frozen=True)
class Claims:
    """Of the files to parse: ``mine`` this run parses (held until saved), ``done`` another run
    stored meanwhile (load them), ``busy`` another run is parsing now (:meth:`Store.wait_for` them)."""

    mine: list[Path] = field(default_factory=list)
    done: list[Path] = field(default_factory=list)
    busy: list[Path] = field(default_factory=list)


def finding_fingerprint(path: str, table_index: int, finding: Finding) -> str:
    """A finding's identity across runs: what it says about which cell, not where it was drawn.

    Page, row, boxes and message wording are left out so a reworded message or a
    shifted page keeps the fingerprint; the file path and table are in it.

    Example: ``finding_fingerprint("a.pdf", 0, f)`` → 32 hex digits.
    """
    key = [path, table_index, finding.rule, finding.where.column, finding.where.label, finding.expected, finding.found]
    return hashlib.sha256(json.dumps(key, ensure_ascii=False).encode("utf-8")).hexdigest()[:32]


def records_to_json(records: Sequence[Record]) -> str:
    return json.dumps([record_to_dict(r) for r in records], ensure_ascii=False, default=decimal_text)


def records_from_json(text: str) -> list[Record]:
    return [record_from_dict(d) for d in json.loads(text)]


def record_rows(path: str, record: Record, data: Mapping[str, Any] | None = None) -> dict[str, list[Row]]:
    """The record's rows for the five tables (``jixiao.frames`` rows, plus findings' fingerprints);
    ``data`` is ``record_to_dict(record)`` when the caller has it already."""
    rows: dict[str, list[Row]] = {name: [] for name in TABLES}
    data = record_to_dict(record) if data is None else data
    if isinstance(record, Failure):
        rows["failures"].append(failure_row(data))
        return rows
    where = where_of(data)
    rows["reports"].append(report_row(data, recomputed_total(record)))
    rows["funds"].extend({**where, **row} for row in fund_rows(data["funds"]))
    rows["indicators"].extend({**where, **indicator_row(i)} for i in data["indicators"])
    rows["findings"].extend(
        {
            **where, **finding_row(f),
            "fingerprint": finding_fingerprint(path, record.table_index, finding),
            "review_fingerprint": review_fingerprint(record, finding),
        }
        for finding, f in zip(record.findings, data["findings"], strict=True)
    )
    return rows


def _value(value: Any, kind: ColumnKind) -> Any:
    """Like a frame cell, but text columns always hold text in the database."""
    converted = cell_value(value, kind)
    return str(converted) if kind == "text" and converted is not None else converted


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _statements(script: str) -> list[str]:
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


class Store(ReviewsMixin):
    """An open state file. Use as a context manager, or call :meth:`close`."""

    _db: Connection
    _path_order = "path"  # how frames() sorts files; PostgreSQL pins SQLite's byte order

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None, timeout=BUSY_TIMEOUT_S)
        except sqlite3.Error as exc:
            raise StoreError(f"无法打开状态库 {self.path} / cannot open the store {self.path}: {exc}") from exc
        try:
            self._check_ours()  # before anything persistent (WAL mode) touches a file that is not ours
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = NORMAL")  # WAL: a killed process loses nothing committed
            self._db.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise StoreError(f"{self.path} 不是可用的 SQLite 状态库 / {self.path} is not a usable SQLite store: {exc}") from exc
        except StoreError:
            self._db.close()
            raise

    # -- schema ---------------------------------------------------------------

    def _check_ours(self) -> None:
        """Refuse a store written by a newer jixiao, or a database of someone else's."""
        version = self.version
        if version > len(MIGRATIONS):
            raise StoreError(
                f"状态库 {self.path} 的版本 {version} 高于本程序支持的 {len(MIGRATIONS)}，请升级 jixiao / "
                f"the store {self.path} has schema version {version}, newer than this jixiao supports "
                f"({len(MIGRATIONS)}): upgrade jixiao or use another --db file"
            )
        if version == 0:
            tables = [r[0] for r in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
            if tables:
                raise StoreError(
                    f"{self.path} 不是 jixiao 状态库（版本 0 却已有表：{', '.join(tables)}），未作改动 / "
                    f"{self.path} is not a jixiao store (user_version 0 but it holds tables: "
                    f"{', '.join(tables)}); left untouched, use a new --db file"
                )

    def _migrate(self) -> None:
        """Bring the store to the newest schema, one script at a time, each with its version bump."""
        db = self._db
        db.execute("BEGIN IMMEDIATE")  # a second job opening the same new file waits, then sees our version
        try:
            self._check_ours()  # again, now that we hold the write lock
            before = self.version
            for n in range(before, len(MIGRATIONS)):
                for statement in _statements(MIGRATIONS[n]):
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {n + 1}")
            if 0 < before < REVIEWS_VERSION:  # a store from before review decisions
                self._backfill_review_fingerprints()
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:  # SQLite may already have rolled back (disk full, I/O error)
                db.execute("ROLLBACK")
            raise

    @property
    def version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    # -- runs -----------------------------------------------------------------

    def begin_run(self) -> int:
        self._db.execute("INSERT INTO runs (started_at, parser_version) VALUES (?, ?)", (_now(), __version__))
        return int(self._db.execute("SELECT last_insert_rowid()").fetchone()[0])

    def finish_run(self, run_id: int, files_seen: int) -> None:
        """Close the run; ``files_parsed`` was counted by each :meth:`save`."""
        self._db.execute(
            "UPDATE runs SET finished_at = ?, files_seen = ? WHERE run_id = ?", (_now(), files_seen, run_id)
        )

    # -- planning and loading ---------------------------------------------------

    def plan(self, paths: Sequence[Path]) -> Plan:
        """Hash every path and compare with the store.

        A file is parsed again when it is new, its sha256 changed, another parser
        version read it, it was marked removed, or its last parse did not finish
        (no stored records, or a ``timeout`` / ``too_large`` / ``crashed`` failure).
        """
        states = {path: FileState.of(path) for path in paths}
        fresh = self._fresh(paths, states, self._db.execute(_STORED_SQL))
        return Plan([p for p in paths if p not in fresh], [p for p in paths if p in fresh], states)

    @staticmethod
    def _fresh(paths: Sequence[Path], states: Mapping[Path, FileState], rows: Iterable[Any]) -> set[Path]:
        """Which of ``paths`` the stored ``rows`` (of :data:`_STORED_SQL`) hold finished records for."""
        stored: dict[str, tuple[str | None, str, str, bool, str | None]] = {
            path: (sha, version, status, unfinished, failed_json)
            for path, sha, version, status, unfinished, failed_json in rows
        }
        out: set[Path] = set()
        for path in paths:
            state = states[path]
            row = stored.get(str(path))
            if row is not None and state.sha256 is not None:
                sha, version, status, unfinished, failed_json = row
                if (
                    sha == state.sha256
                    and version == __version__
                    and status != "removed"
                    and not unfinished
                    and not (failed_json is not None and _unfinished(failed_json))
                ):
                    out.add(path)
        return out

    # -- sharing the work with concurrent runs ------------------------------------

    def claim(self, paths: Sequence[Path], states: Mapping[Path, FileState]) -> Claims:
        """Take the files this run will parse. A SQLite store is one machine's: all of them are ours."""
        return Claims(mine=list(paths))

    def wait_for(self, paths: Sequence[Path], states: Mapping[Path, FileState]) -> Claims:
        """Wait until other runs have finished ``paths`` (:attr:`Claims.busy`), then claim them again."""
        return Claims(mine=list(paths))

    def load_by_path(self, paths: Iterable[Path]) -> dict[Path, list[Record]]:
        """Stored records of each path that has them (removed files have none)."""
        out: dict[Path, list[Record]] = {}
        for path in paths:
            row = self._db.execute(
                "SELECT records_json FROM files WHERE path = ? AND status != 'removed'", (str(path),)
            ).fetchone()
            if row is not None and row[0] is not None:
                out[path] = records_from_json(row[0])
        return out

    def load(self, paths: Iterable[Path]) -> list[Record]:
        """Records of unchanged files, exactly as they were parsed, in the order of ``paths``."""
        return [r for records in self.load_by_path(paths).values() for r in records]

    def new_findings(self, run_id: int) -> set[str]:
        """Fingerprints of the findings first seen in this run."""
        rows = self._db.execute("SELECT DISTINCT fingerprint FROM findings WHERE first_seen_run = ?", (run_id,))
        return {r[0] for r in rows}

    # -- writing ----------------------------------------------------------------

    def save(
        self, run_id: int, path: Path, sha256: str | None, size: int | None, mtime: float | None,
        records: Sequence[Record],
    ) -> None:
        """Store one parsed file: its ``files`` row and all its rows, replacing the old ones, in one
        committed transaction. A finding seen before in this file keeps its ``first_seen_run``."""
        key = str(path)
        status: FileStatus = "failed" if records and all(isinstance(r, Failure) for r in records) else "ok"
        dicts = [record_to_dict(r) for r in records]
        rows: dict[str, list[Row]] = {name: [] for name in TABLES}
        for record, data in zip(records, dicts, strict=True):
            for name, more in record_rows(key, record, data).items():
                rows[name].extend(more)
        text = json.dumps(dicts, ensure_ascii=False, default=decimal_text)
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            seen_in = dict(
                db.execute("SELECT fingerprint, MIN(first_seen_run) FROM findings WHERE path = ? GROUP BY fingerprint", (key,))
            )
            for row in rows["findings"]:
                row["first_seen_run"] = seen_in.get(row["fingerprint"], run_id)
            db.execute(
                "INSERT INTO files (path, sha256, size, mtime, parser_version, status, first_seen_run,"
                " last_parsed_run, last_seen_run, records_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (path) DO UPDATE SET sha256 = excluded.sha256, size = excluded.size,"
                " mtime = excluded.mtime, parser_version = excluded.parser_version, status = excluded.status,"
                " last_parsed_run = excluded.last_parsed_run, last_seen_run = excluded.last_seen_run,"
                " records_json = excluded.records_json",
                (key, sha256, size, mtime, __version__, status, run_id, run_id, run_id, text),
            )
            for name in TABLES:
                db.execute(f"DELETE FROM {name} WHERE path = ?", (key,))
                self._insert(name, key, run_id, rows[name])
            db.execute("UPDATE runs SET files_parsed = files_parsed + 1 WHERE run_id = ?", (run_id,))
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:  # SQLite may already have rolled back (disk full, I/O error)
                db.execute("ROLLBACK")
            raise

    def replace_findings(self, run_id: int, paths: Sequence[str], rows: Sequence[tuple[str, Row]]) -> set[str]:
        """Replace every finding across reports (``scope = 'batch'``, :mod:`jixiao.validate.across`) and all
        findings of ``paths`` with ``rows`` (``(path, findings row)`` pairs): the driver's judgement of the
        whole batch, which :meth:`save` (one file, judged under ``mof`` as parsed) cannot write. A finding
        seen before keeps its ``first_seen_run``. Returns the fingerprints first seen in this run."""
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            seen = dict(db.execute("SELECT fingerprint, MIN(first_seen_run) FROM findings GROUP BY fingerprint"))
            db.execute("DELETE FROM findings WHERE scope = 'batch'")
            for path in paths:
                db.execute("DELETE FROM findings WHERE path = ?", (path,))
            by_path: dict[str, list[Row]] = {}
            for path, row in rows:
                by_path.setdefault(path, []).append({**row, "first_seen_run": seen.get(row["fingerprint"], run_id)})
            for path, path_rows in by_path.items():
                self._insert("findings", path, run_id, path_rows)
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        return {row["fingerprint"] for _, row in rows if seen.get(row["fingerprint"], run_id) == run_id}

    def _insert(self, table: str, path: str, run_id: int, rows: Sequence[Mapping[str, Any]]) -> None:
        if not rows:
            return
        columns = STORED_COLUMNS[table]
        extra = EXTRA_COLUMNS[table][2:]
        names = ("path", "run_id", *columns, *extra)
        sql = (
            f"INSERT INTO {table} ({', '.join(_quote(n) for n in names)})"
            f" VALUES ({', '.join('?' for _ in names)})"
        )
        self._db.executemany(
            sql,
            [
                (path, run_id, *(_value(row.get(n), kind) for n, kind in columns.items()), *(row[n] for n in extra))
                for row in rows
            ],
        )

    def mark_removed(self, run_id: int, seen: Sequence[Path]) -> list[str]:
        """Files in the store that were not among ``seen`` become ``removed``: their rows in the
        five tables are deleted (the tables always show current files) and their ``files`` row
        stays as history without records. Seen files get ``last_seen_run``. Returns the removed paths.
        """
        keys = {str(p) for p in seen}
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            current = [r[0] for r in db.execute("SELECT path FROM files WHERE status != 'removed'")]
            gone = [p for p in current if p not in keys]
            for key in gone:
                for name in TABLES:
                    db.execute(f"DELETE FROM {name} WHERE path = ?", (key,))
                db.execute("UPDATE files SET status = 'removed', records_json = NULL WHERE path = ?", (key,))
            db.executemany("UPDATE files SET last_seen_run = ? WHERE path = ?", [(run_id, k) for k in sorted(keys)])
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:  # SQLite may already have rolled back (disk full, I/O error)
                db.execute("ROLLBACK")
            raise
        return gone

    # -- reading ----------------------------------------------------------------

    def frames(self) -> dict[str, pd.DataFrame]:
        """The five tables as DataFrames with exactly the columns of :func:`jixiao.frames.to_frames`."""
        out: dict[str, pd.DataFrame] = {}
        for name in TABLES:
            columns = COLUMNS[name]
            if name == "findings":
                cursor = self._db.execute(
                    f"SELECT {', '.join('f.' + _quote(c) for c in STORED_COLUMNS[name])}, {REVIEW_SELECT}"
                    f" FROM findings f LEFT JOIN reviews v ON v.fingerprint = f.review_fingerprint"
                    f" ORDER BY f.{self._path_order}, f.rowid"
                )
            else:
                cursor = self._db.execute(
                    f"SELECT {', '.join(_quote(c) for c in columns)} FROM {name} ORDER BY {self._path_order}, rowid"
                )
            rows = [dict(zip(columns, values, strict=True)) for values in cursor]
            out[name] = rows_to_frame(rows, columns)
        return out

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """A read query for scripts and tests, e.g. ``store.execute("SELECT * FROM runs")``."""
        return self._db.execute(sql, parameters).fetchall()

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


REVIEW_SELECT = (
    "f.review_fingerprint, COALESCE(v.state, 'open'), v.note, v.reviewed_by, v.reviewed_at"
)
"""The frames' review columns (:data:`jixiao.frames.REVIEW_COLUMNS`) of findings ``f`` joined to reviews ``v``."""

_STORED_SQL = (
    "SELECT path, sha256, parser_version, status, records_json IS NULL,"
    " CASE WHEN status = 'failed' THEN records_json END FROM files"
)


def _unfinished(records_json: str) -> bool:
    return any(
        d.get("status") == "failed" and d.get("error", {}).get("kind") in RETRY_KINDS
        for d in json.loads(records_json)
    )


def is_database_url(location: str | Path) -> bool:
    """Whether ``--db`` names a PostgreSQL database (``postgresql://…``) rather than a SQLite file."""
    return isinstance(location, str) and location.startswith(("postgresql://", "postgres://"))


def open_store(path: str | Path) -> Store:
    """Open (creating or upgrading) the store at ``path``: a SQLite file, or a ``postgresql://``
    URL (:class:`jixiao.store.postgres.PostgresStore`); raises :class:`StoreError`."""
    if is_database_url(path):
        from jixiao.store.postgres import PostgresStore  # psycopg is an optional extra

        return PostgresStore(str(path))
    return Store(path)


def read_db(path: str | Path) -> dict[str, pd.DataFrame]:
    """The current files' tables of a state file, as :func:`jixiao.to_frames` would give them.

    Example: ``jixiao.read_db("STATE.sqlite")["findings"].groupby("rule").size()``.
    """
    if not is_database_url(path) and not Path(path).is_file():
        raise FileNotFoundError(f"没有状态库 / no store at {path}")
    with open_store(path) as store:
        return store.frames()
