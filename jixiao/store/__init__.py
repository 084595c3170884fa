"""The incremental store behind ``--db``: an embedded SQLite file (:mod:`jixiao.store.sqlite`)
or a shared PostgreSQL database (:mod:`jixiao.store.postgres`, the ``cluster`` extra), both
:class:`jixiao.store.base.Store` with one set of statements.

The modules import one way: ``schema`` and ``keys`` ← ``base`` ← ``sqlite`` / ``postgres``;
``incremental`` uses ``base``; only :func:`open_store` here picks an engine (psycopg is imported
for a ``postgresql://`` URL only).
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pandas as pd

from jixiao.store.base import Claims, FileState, Plan, Store, StoreError, finding_fingerprint
from jixiao.store.incremental import Incremental, RunCounts, iter_incremental, run_incremental
from jixiao.store.keys import file_key
from jixiao.store.schema import MIGRATIONS
from jixiao.store.sqlite import SqliteStore


def is_database_url(location: str | Path) -> bool:
    """Whether ``--db`` names a PostgreSQL database (``postgresql://…``) rather than a SQLite file."""
    return isinstance(location, str) and location.startswith(("postgresql://", "postgres://"))


def open_store(path: str | Path) -> Store:
    """Open (creating or upgrading) the store at ``path``: a SQLite file, or a ``postgresql://``
    URL (:class:`jixiao.store.postgres.PostgresStore`); raises :class:`StoreError`."""
    if is_database_url(path):
        from jixiao.store.postgres import PostgresStore  # psycopg is an optional extra

        return PostgresStore(str(path))
    return SqliteStore(path)


def read_db(path: str | Path) -> dict[str, pd.DataFrame]:
    """The current files' tables of a state file, as :func:`jixiao.to_frames` would give them.

    Example: ``jixiao.read_db("STATE.sqlite")["findings"].groupby("rule").size()``.
    """
    if not is_database_url(path) and not Path(path).is_file():
        raise FileNotFoundError(f"没有状态库 / no store at {path}")
    with open_store(path) as store:
        return store.frames()


def database_errors() -> tuple[type[Exception], ...]:
    """The exceptions a store's database raises mid-run (``sqlite3.Error``, and ``psycopg.Error``
    once a PostgreSQL store was opened), for callers that report them instead of a traceback."""
    errors: list[type[Exception]] = [sqlite3.Error]
    psycopg = sys.modules.get("psycopg")
    if psycopg is not None:
        errors.append(psycopg.Error)
    return tuple(errors)


__all__ = [
    "MIGRATIONS",
    "Claims",
    "FileState",
    "Incremental",
    "Plan",
    "RunCounts",
    "SqliteStore",
    "Store",
    "StoreError",
    "database_errors",
    "file_key",
    "finding_fingerprint",
    "is_database_url",
    "iter_incremental",
    "open_store",
    "read_db",
    "run_incremental",
]
