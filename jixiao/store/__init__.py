"""The embedded incremental store behind ``--db STATE.sqlite`` (see :mod:`jixiao.store.sqlite`)."""

from __future__ import annotations

from jixiao.store.incremental import Incremental, mark_copies, run_incremental
from jixiao.store.sqlite import (
    MIGRATIONS,
    FileState,
    Plan,
    Store,
    StoreError,
    finding_fingerprint,
    open_store,
    read_db,
)

__all__ = [
    "MIGRATIONS",
    "FileState",
    "Incremental",
    "Plan",
    "Store",
    "StoreError",
    "finding_fingerprint",
    "mark_copies",
    "open_store",
    "read_db",
    "run_incremental",
]
