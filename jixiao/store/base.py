"""The store behind ``--db``, whatever the engine: one set of SQL statements for SQLite and PostgreSQL.

What it holds:

- ``runs``   one row per run (started, finished, parser version, files seen and parsed);
- ``files``  one row per file ever seen, keyed by its resolved absolute path
  (:func:`jixiao.store.keys.file_key`): its sha256, size, mtime, the parser version that read
  it, ``status`` (``ok`` | ``failed`` | ``removed``) and ``records_json``, the file's records as
  JSON (Decimals as exact text), so an unchanged file's records load back exactly as they were
  parsed;
- ``reports`` ``funds`` ``indicators`` ``findings`` ``failures``: the columns of
  :data:`jixiao.frames.COLUMNS` plus ``path`` (the ``files`` key) and ``run_id`` (the run
  that parsed it); findings also carry a ``fingerprint`` and ``first_seen_run``.

The five tables always describe the *current* files: :meth:`Store.save` replaces a file's rows
in one transaction, committed per file (a killed run keeps every file it finished, a rerun never
duplicates rows), and :meth:`Store.mark_removed` deletes the rows of files that are gone,
keeping only their ``files`` row with ``status = 'removed'`` as history. So
``SELECT * FROM findings`` is today's findings.

A file is the same file however it is reached (relative or absolute, from any working
directory, through a symlink): the key is resolved. Its content is the same content under any
path: a file whose sha256 the store holds, read by this parser version, is taken from the store
(:meth:`Store.reuse`), not parsed. A run marks as removed only files under the folders it was
given that no longer exist, so runs over different folders share one store without hiding each
other's reports. The records a run returns keep the path as typed (``source.path``).

:class:`Store` holds every statement; the engines are subclasses that say only how they differ:
how to connect, where the schema version is kept, how a write transaction starts, how two runs
are kept from parsing one file (:class:`jixiao.store.sqlite.SqliteStore`,
:class:`jixiao.store.postgres.PostgresStore`). The statements use ``?`` placeholders; the
PostgreSQL connection adapter turns them into psycopg's.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Protocol

import pandas as pd

from jixiao import __version__
from jixiao.frames import (
    COLUMNS,
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
from jixiao.store import schema
from jixiao.store.keys import covered, file_key, old_key
from jixiao.store.reviews import ReviewsMixin
from jixiao.validate.scores import recomputed_total

FileStatus = Literal["ok", "failed", "removed"]

RETRY_KINDS = frozenset({"timeout", "too_large", "crashed"})
"""Failure kinds that mean the parse did not finish (limits, a dying worker): retried next run."""

CHUNK = 500  # keys per IN (…) query: well under SQLite's 32,766 host parameters

Row = schema.Row


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
    """The store cannot be used (not a database, not ours, written by a newer jixiao)."""


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
    """Which inputs need parsing and which can be loaded from the store, in input order.

    ``copies`` are files to parse whose content the store holds under another path (that path's
    key): :meth:`Store.reuse` stores them from it instead."""

    to_parse: list[Path]
    unchanged: list[Path]
    states: dict[Path, FileState]
    copies: dict[Path, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Claims:
    """Of the files to parse: ``mine`` this run parses (held until saved), ``done`` another run
    stored meanwhile (load them), ``busy`` another run is parsing now (:meth:`Store.wait_for` them)."""

    mine: list[Path] = field(default_factory=list)
    done: list[Path] = field(default_factory=list)
    busy: list[Path] = field(default_factory=list)


def finding_fingerprint(key: str, table_index: int, finding: Finding) -> str:
    """A finding's identity across runs: what it says about which cell, not where it was drawn.

    Page, row, boxes and message wording are left out so a reworded message or a
    shifted page keeps the fingerprint; the file (its store key, :func:`file_key`) and table are in it.

    Example: ``finding_fingerprint("/in/a.pdf", 0, f)`` → 32 hex digits.
    """
    where = finding.where
    return fingerprint_of(key, table_index, finding.rule, where.column, where.label, finding.expected, finding.found)


def fingerprint_of(
    key: str, table_index: int, rule: str, column: str | None, label: str | None, expected: str | None,
    found: str | None,
) -> str:
    """:func:`finding_fingerprint` from a ``findings`` row's columns (a migration recomputes them)."""
    parts = [key, table_index, rule, column, label, expected, found]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode("utf-8")).hexdigest()[:32]


def records_to_json(records: Sequence[Record]) -> str:
    return json.dumps([record_to_dict(r) for r in records], ensure_ascii=False, default=decimal_text)


def records_from_json(text: str) -> list[Record]:
    return [record_from_dict(d) for d in json.loads(text)]


def record_rows(key: str, record: Record, data: Mapping[str, Any] | None = None) -> dict[str, list[Row]]:
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
            "fingerprint": finding_fingerprint(key, record.table_index, finding),
            "review_fingerprint": review_fingerprint(record, finding),
        }
        for finding, f in zip(record.findings, data["findings"], strict=True)
    )
    return rows


def _value(value: Any, kind: ColumnKind) -> Any:
    """Like a frame cell, but text columns always hold text in the database."""
    converted = cell_value(value, kind)
    return str(converted) if kind == "text" and converted is not None else converted


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _unfinished(records_json: str) -> bool:
    return any(
        d.get("status") == "failed" and d.get("error", {}).get("kind") in RETRY_KINDS
        for d in json.loads(records_json)
    )


def _at(record: Record, path: str) -> Record:
    """The record as a parse of the same bytes at ``path`` gives it (content taken from another path)."""
    return replace(record, source=replace(record.source, path=path, duplicate_of=None))


REVIEW_SELECT = "f.review_fingerprint, COALESCE(v.state, 'open'), v.note, v.reviewed_by, v.reviewed_at"
"""The frames' review columns (:data:`jixiao.frames.REVIEW_COLUMNS`) of findings ``f`` joined to reviews ``v``."""

STORED_SQL = (
    "SELECT path, sha256, parser_version, status, records_json IS NULL,"
    " CASE WHEN status = 'failed' THEN records_json END FROM files"
)

_FILE_COLUMNS = (
    "sha256, size, mtime, parser_version, status, first_seen_run, last_parsed_run, last_seen_run, records_json"
)


class Store(ReviewsMixin):
    """An open store (use as a context manager, or call :meth:`close`); open one with
    :func:`jixiao.store.open_store`. Subclasses connect in ``__init__`` and then call :meth:`_migrate`."""

    _db: Connection
    path: Path  # the SQLite file, or the redacted URL (for messages only)
    _path_order = "path"  # how files are sorted; PostgreSQL pins SQLite's byte order
    _begin = "BEGIN"  # a write transaction; SQLite takes its write lock at once
    _elsewhere = "use a new --db file"  # what to do instead, in refusals

    def __init__(self) -> None:
        self._keys: dict[tuple[str, str], str] = {}

    def key(self, path: str | os.PathLike[str]) -> str:
        """The store's key of ``path`` (:func:`file_key`), resolved once per open store: a run asks for
        each input's key several times (plan, load, removed, the store's other files)."""
        memo = (os.getcwd(), os.fspath(path))
        key = self._keys.get(memo)
        if key is None:
            key = self._keys[memo] = file_key(path)
        return key

    # -- what an engine says about itself ----------------------------------------

    @property
    def version(self) -> int:
        """The schema version the store is at (0: new)."""
        raise NotImplementedError

    def _foreign_tables(self) -> list[str]:
        """Tables already there in a store at version 0 that would clash with ours."""
        raise NotImplementedError

    def _lock_schema(self) -> None:
        """Inside the migration's transaction: keep other runs from migrating at the same time."""

    def _script(self, script: str) -> list[str]:
        """A migration script as this engine's statements."""
        return schema.split_statements(script)

    def _set_version(self, version: int) -> None:
        raise NotImplementedError

    def _key_bases(self) -> list[Path]:
        """Where relative paths of a store older than version 6 are looked for (:func:`old_key`)."""
        return [Path.cwd()]

    def _release(self, path: Path) -> None:
        """Let go of the claim on ``path`` (:meth:`claim`); one machine's store holds none."""

    def _shown(self) -> str:
        """The store as messages name it."""
        return str(self.path)

    # -- schema ---------------------------------------------------------------

    def _check_ours(self) -> None:
        """Refuse a store written by a newer jixiao, or a database of someone else's."""
        version, newest, where = self.version, len(schema.MIGRATIONS), self._shown()
        if version > newest:
            raise StoreError(
                f"状态库 {where} 的版本 {version} 高于本程序支持的 {newest}，请升级 jixiao / "
                f"the store {where} has schema version {version}, newer than this jixiao supports "
                f"({newest}): upgrade jixiao or {self._elsewhere}"
            )
        if version == 0:
            taken = self._foreign_tables()
            if taken:
                raise StoreError(
                    f"{where} 不是 jixiao 状态库（没有版本却已有表：{', '.join(taken)}），未作改动 / "
                    f"{where} is not a jixiao store (no schema version but it holds tables: "
                    f"{', '.join(taken)}); left untouched, {self._elsewhere}"
                )

    def _migrate(self) -> None:
        """Bring the store to the newest schema in one transaction, one script at a time, each with its
        version, then the data steps of the versions it passed; serialised with other runs doing the same."""
        db = self._db
        db.execute(self._begin)
        try:
            self._lock_schema()
            self._check_ours()  # again, now that we hold the lock
            before = self.version
            for n in range(before, len(schema.MIGRATIONS)):
                for statement in self._script(schema.MIGRATIONS[n]):
                    db.execute(statement)
                self._set_version(n + 1)
            after = len(schema.MIGRATIONS)
            if 0 < before < schema.REVIEWS_VERSION <= after:  # a store from before review decisions
                self._backfill_review_fingerprints()
            if 0 < before < schema.KEYS_VERSION <= after:  # a store keyed by the paths as typed
                self._resolve_keys()
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:  # SQLite may already have rolled back (disk full, I/O error)
                db.execute("ROLLBACK")
            raise

    def _resolve_keys(self) -> None:
        """Key every file of an older store by its resolved path (:func:`old_key`). Files that were two
        rows (reached two ways) become one: the row seen last wins, keeping the first run it was seen
        in. Findings' fingerprints are recomputed with the new keys, each keeping the first run any of
        its rows was seen in, so the next run's findings are not all new."""
        db = self._db
        bases = self._key_bases()
        rows = db.execute(
            "SELECT path, status, first_seen_run, last_seen_run, COALESCE(last_parsed_run, 0) FROM files"
        ).fetchall()
        key_of = {row[0]: old_key(row[0], bases) for row in rows}
        groups: dict[str, list[tuple[Any, ...]]] = {}
        for row in rows:
            groups.setdefault(key_of[row[0]], []).append(tuple(row))
        findings = db.execute(
            'SELECT rowid, path, table_index, rule, "column", label, expected, found, first_seen_run FROM findings'
        ).fetchall()
        new_fp = {
            rowid: fingerprint_of(key_of[path], index, rule, column, label, expected, found)
            for rowid, path, index, rule, column, label, expected, found, _ in findings
        }
        first: dict[str, int] = {}
        for rowid, *_, seen in findings:
            fp = new_fp[rowid]
            first[fp] = min(first.get(fp, seen), seen)
        moves: list[tuple[str, str, int]] = []
        for key, group in groups.items():
            winner = max(group, key=lambda r: (r[1] != "removed", r[3], r[4]))
            for loser in group:
                if loser is not winner:
                    self._delete_file(loser[0])
            moves.append((winner[0], key, min(r[2] for r in group)))
        for old, key, first_run in moves:
            if old != key:
                db.execute(
                    f"INSERT INTO files (path, {_FILE_COLUMNS}) SELECT ?, {_FILE_COLUMNS} FROM files WHERE path = ?",
                    (key, old),
                )
                for name in TABLES:
                    db.execute(f"UPDATE {name} SET path = ? WHERE path = ?", (key, old))
                db.execute("DELETE FROM files WHERE path = ?", (old,))
            db.execute("UPDATE files SET first_seen_run = ? WHERE path = ?", (first_run, key))
        db.executemany(
            "UPDATE findings SET fingerprint = ?, first_seen_run = ? WHERE rowid = ?",
            [(fp, first[fp], rowid) for rowid, fp in new_fp.items()],
        )

    def _delete_file(self, key: str) -> None:
        for name in TABLES:
            self._db.execute(f"DELETE FROM {name} WHERE path = ?", (key,))
        self._db.execute("DELETE FROM files WHERE path = ?", (key,))

    # -- runs -----------------------------------------------------------------

    def begin_run(self) -> int:
        row = self._db.execute(
            "INSERT INTO runs (started_at, parser_version) VALUES (?, ?) RETURNING run_id", (now(), __version__)
        ).fetchone()
        return int(row[0])

    def finish_run(self, run_id: int, files_seen: int) -> None:
        """Close the run; ``files_parsed`` was counted by each :meth:`save`."""
        self._db.execute(
            "UPDATE runs SET finished_at = ?, files_seen = ? WHERE run_id = ?", (now(), files_seen, run_id)
        )

    # -- planning and loading ---------------------------------------------------

    def plan(self, paths: Sequence[Path]) -> Plan:
        """Hash every path and compare with the store.

        A file is parsed again when it is new, its sha256 changed, another parser
        version read it, it was marked removed, or its last parse did not finish
        (no stored records, or a ``timeout`` / ``too_large`` / ``crashed`` failure).
        Of those, the ones whose content the store holds finished under another path are
        ``copies`` (:meth:`reuse` stores them without parsing).
        """
        states = {path: FileState.of(path) for path in paths}
        fresh, copies = self._sort(paths, states, self._db.execute(STORED_SQL))
        return Plan([p for p in paths if p not in fresh], [p for p in paths if p in fresh], states, copies)

    def _sort(
        self, paths: Sequence[Path], states: Mapping[Path, FileState], rows: Iterable[Any]
    ) -> tuple[set[Path], dict[Path, str]]:
        """Which of ``paths`` the stored ``rows`` (of :data:`STORED_SQL`) hold finished records for
        under their own key, and which others have their content stored finished under another key."""
        stored: dict[str, tuple[str | None, str, str, bool, str | None]] = {}
        finished: dict[str, str] = {}  # sha256 → a key holding finished records of it
        for key, *row in rows:
            stored[key] = (row[0], row[1], row[2], bool(row[3]), row[4])
            if row[0] is not None and _finished(stored[key]):
                finished.setdefault(row[0], key)
        fresh: set[Path] = set()
        copies: dict[Path, str] = {}
        for path in paths:
            sha = states[path].sha256
            if sha is None:
                continue
            own = stored.get(self.key(path))
            if own is not None and own[0] == sha and _finished(own):
                fresh.add(path)
            elif sha in finished:
                copies[path] = finished[sha]
        return fresh, copies

    def reuse(self, run_id: int, plan: Plan) -> Plan:
        """Store the plan's ``copies`` from the records the store holds for their content (each as a
        parse of it at its own path would give it), not parsing them; returns the plan with them
        among ``unchanged``. A copy another run is parsing now stays to parse (it will be waited for);
        one whose content left the store meanwhile too."""
        if not plan.copies:
            return plan
        claims = self.claim(list(plan.copies), plan.states)
        taken = set(claims.done)
        for path in claims.mine:
            state = plan.states[path]
            records = self._content(state.sha256)
            if records is None:
                self._release(path)
                continue
            moved = [_at(r, str(path)) for r in records]
            self.save(run_id, path, state.sha256, state.size, state.mtime, moved, parsed=False)
            taken.add(path)
        kept = set(plan.unchanged) | taken
        return replace(
            plan, to_parse=[p for p in plan.to_parse if p not in taken], unchanged=[p for p in plan.states if p in kept],
            copies={},
        )

    def _content(self, sha256: str | None) -> list[Record] | None:
        """Finished records of content ``sha256`` read by this parser version, under any path."""
        rows = self._db.execute(
            "SELECT records_json, status FROM files WHERE sha256 = ? AND parser_version = ?"
            " AND status != 'removed' AND records_json IS NOT NULL",
            (sha256, __version__),
        )
        for text, status in rows:
            if not (status == "failed" and _unfinished(text)):
                return records_from_json(text)
        return None

    # -- sharing the work with concurrent runs ------------------------------------

    def claim(self, paths: Sequence[Path], states: Mapping[Path, FileState]) -> Claims:
        """Take the files this run will parse. A SQLite store is one machine's: all of them are ours."""
        return Claims(mine=list(paths))

    def wait_for(self, paths: Sequence[Path], states: Mapping[Path, FileState]) -> Claims:
        """Wait until other runs have finished ``paths`` (:attr:`Claims.busy`), then claim them again."""
        return Claims(mine=list(paths))

    def _texts(self, keys: Iterable[str]) -> dict[str, str]:
        """``records_json`` of the current files among ``keys`` (removed files have none)."""
        wanted = sorted(set(keys))
        out: dict[str, str] = {}
        for i in range(0, len(wanted), CHUNK):
            chunk = wanted[i : i + CHUNK]
            rows = self._db.execute(
                f"SELECT path, records_json FROM files WHERE path IN ({', '.join('?' for _ in chunk)})"
                " AND status != 'removed' AND records_json IS NOT NULL",
                chunk,
            )
            out.update({key: text for key, text in rows})
        return out

    def load_by_path(self, paths: Iterable[Path]) -> dict[Path, list[Record]]:
        """Stored records of each path that has them (removed files have none)."""
        keys = {path: self.key(path) for path in paths}
        texts = self._texts(keys.values())
        return {path: records_from_json(texts[key]) for path, key in keys.items() if key in texts}

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
        records: Sequence[Record], parsed: bool = True,
    ) -> None:
        """Store one file (``parsed`` now, or taken from stored content): its ``files`` row and all its
        rows, replacing the old ones, in one committed transaction. A finding seen before in this file
        keeps its ``first_seen_run``."""
        key = self.key(path)
        status: FileStatus = "failed" if records and all(isinstance(r, Failure) for r in records) else "ok"
        dicts = [record_to_dict(r) for r in records]
        rows: dict[str, list[Row]] = {name: [] for name in TABLES}
        for record, data in zip(records, dicts, strict=True):
            for name, more in record_rows(key, record, data).items():
                rows[name].extend(more)
        text = json.dumps(dicts, ensure_ascii=False, default=decimal_text)
        db = self._db
        db.execute(self._begin)
        try:
            seen_in = dict(
                db.execute("SELECT fingerprint, MIN(first_seen_run) FROM findings WHERE path = ? GROUP BY fingerprint", (key,))
            )
            for row in rows["findings"]:
                row["first_seen_run"] = seen_in.get(row["fingerprint"], run_id)
            db.execute(
                f"INSERT INTO files (path, {_FILE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (path) DO UPDATE SET sha256 = excluded.sha256, size = excluded.size,"
                " mtime = excluded.mtime, parser_version = excluded.parser_version, status = excluded.status,"
                " last_parsed_run = excluded.last_parsed_run, last_seen_run = excluded.last_seen_run,"
                " records_json = excluded.records_json",
                (key, sha256, size, mtime, __version__, status, run_id, run_id, run_id, text),
            )
            for name in TABLES:
                db.execute(f"DELETE FROM {name} WHERE path = ?", (key,))
                self._insert(name, key, run_id, rows[name])
            if parsed:
                db.execute("UPDATE runs SET files_parsed = files_parsed + 1 WHERE run_id = ?", (run_id,))
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:  # SQLite may already have rolled back (disk full, I/O error)
                db.execute("ROLLBACK")
            raise

    def replace_findings(self, run_id: int, paths: Sequence[str], rows: Sequence[tuple[str, Row]]) -> set[str]:
        """Replace every finding across reports (``scope = 'batch'``, :mod:`jixiao.validate.across`) and all
        findings of ``paths`` with ``rows`` (``(path, findings row)`` pairs, paths as given): the driver's
        judgement of the whole batch, which :meth:`save` (one file, judged under ``mof`` as parsed) cannot
        write. A finding seen before keeps its ``first_seen_run``. Returns the fingerprints first seen now."""
        db = self._db
        db.execute(self._begin)
        try:
            seen = dict(db.execute("SELECT fingerprint, MIN(first_seen_run) FROM findings GROUP BY fingerprint"))
            db.execute("DELETE FROM findings WHERE scope = 'batch'")
            for path in paths:
                db.execute("DELETE FROM findings WHERE path = ?", (self.key(path),))
            by_key: dict[str, list[Row]] = {}
            for path, row in rows:
                by_key.setdefault(self.key(path), []).append({**row, "first_seen_run": seen.get(row["fingerprint"], run_id)})
            for key, key_rows in by_key.items():
                self._insert("findings", key, run_id, key_rows)
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        return {row["fingerprint"] for _, row in rows if seen.get(row["fingerprint"], run_id) == run_id}

    def _insert(self, table: str, key: str, run_id: int, rows: Sequence[Mapping[str, Any]]) -> None:
        if not rows:
            return
        columns = schema.STORED_COLUMNS[table]
        extra = schema.EXTRA_COLUMNS[table][2:]
        names = ("path", "run_id", *columns, *extra)
        sql = (
            f"INSERT INTO {table} ({', '.join(schema.quote(n) for n in names)})"
            f" VALUES ({', '.join('?' for _ in names)})"
        )
        self._db.executemany(
            sql,
            [
                (key, run_id, *(_value(row.get(n), kind) for n, kind in columns.items()), *(row[n] for n in extra))
                for row in rows
            ],
        )

    def mark_removed(self, run_id: int, seen: Sequence[Path], roots: Sequence[Path] = ()) -> list[str]:
        """Files of the store under ``roots`` (the folders and files this run was given) that were not
        among ``seen`` and no longer exist become ``removed``: their rows in the five tables are deleted
        (the tables always show current files) and their ``files`` row stays as history without records.
        Files elsewhere are another run's business and stay as they are. Seen files get ``last_seen_run``.
        Returns the removed files' keys."""
        keys = {self.key(p) for p in seen}
        under = [self.key(r) for r in roots]
        db = self._db
        db.execute(self._begin)
        try:
            current = [r[0] for r in db.execute("SELECT path FROM files WHERE status != 'removed'")]
            gone = [k for k in covered(current, under) if k not in keys and not os.path.lexists(k)]
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
                    f"SELECT {', '.join('f.' + schema.quote(c) for c in schema.STORED_COLUMNS[name])}, {REVIEW_SELECT}"
                    f" FROM findings f LEFT JOIN reviews v ON v.fingerprint = f.review_fingerprint"
                    f" ORDER BY f.{self._path_order}, f.rowid"
                )
            else:
                cursor = self._db.execute(
                    f"SELECT {', '.join(schema.quote(c) for c in columns)} FROM {name} ORDER BY {self._path_order}, rowid"
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


def _finished(row: tuple[str | None, str, str, bool, str | None]) -> bool:
    """Whether a stored ``files`` row holds finished records of this parser version."""
    _, version, status, unfinished, failed_json = row
    return (
        version == __version__
        and status != "removed"
        and not unfinished
        and not (failed_json is not None and _unfinished(failed_json))
    )
