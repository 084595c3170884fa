"""The nightly job's state in one SQLite file (``--db STATE.sqlite``), stdlib ``sqlite3`` only.

Every statement is :class:`jixiao.store.base.Store`'s; this module says only what is SQLite's:
the schema version is ``PRAGMA user_version``, the file is in WAL mode (readers never wait for the
nightly job; a killed process loses nothing committed), a write transaction takes the write lock
at once (``BEGIN IMMEDIATE``: a second job opening the same new file waits, then sees our
version), and every file is this run's to parse (a SQLite file is one machine's).

A new file at version 0 that already holds tables of someone else is refused, and so is a file
written by a newer jixiao (:class:`StoreError`): we never write into a database that is not ours.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from jixiao.store.base import Store, StoreError

BUSY_TIMEOUT_S = 60.0  # another process writing (a second job, an analyst's long query): wait


class SqliteStore(Store):
    """An open SQLite state file. Use as a context manager, or call :meth:`close`."""

    _begin = "BEGIN IMMEDIATE"

    def __init__(self, path: str | Path) -> None:
        super().__init__()
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

    @property
    def version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def _foreign_tables(self) -> list[str]:
        return [r[0] for r in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]

    def _set_version(self, version: int) -> None:
        self._db.execute(f"PRAGMA user_version = {int(version)}")

    def _key_bases(self) -> list[Path]:
        """The working directory, then the store file's folder (where a store often sits beside its reports)."""
        here, folder = Path.cwd(), self.path.resolve().parent
        return [here] if folder == here else [here, folder]
