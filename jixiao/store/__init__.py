"""The incremental store behind ``--db``: an embedded SQLite file (:mod:`jixiao.store.sqlite`)
or a shared PostgreSQL database (:mod:`jixiao.store.postgres`, the ``cluster`` extra)."""

from __future__ import annotations

import sqlite3
import sys

from jixiao.store.incremental import Incremental, RunCounts, iter_incremental, mark_copies, run_incremental
from jixiao.store.sqlite import (
    MIGRATIONS,
    Claims,
    FileState,
    Plan,
    Store,
    StoreError,
    finding_fingerprint,
    is_database_url,
    open_store,
    read_db,
)


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
    "Store",
    "StoreError",
    "database_errors",
    "finding_fingerprint",
    "is_database_url",
    "iter_incremental",
    "mark_copies",
    "open_store",
    "read_db",
    "run_incremental",
]
