"""What every request shares: the settings, the CSRF token, the runs, and one store connection per thread
(SQLite connections belong to the thread that opened them; Starlette runs handlers in a thread pool)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from jixiao.store import Store, open_store
from jixiao.web.config import ServeConfig
from jixiao.web.runs import RunManager


@dataclass
class Workbench:
    config: ServeConfig
    csrf: str
    runs: RunManager
    _local: threading.local = field(default_factory=threading.local)
    charts: dict[str, Any] = field(default_factory=dict)
    charts_lock: threading.Lock = field(default_factory=threading.Lock)

    @contextmanager
    def store(self) -> Iterator[Store]:
        """This thread's store connection, opened on first use and kept for the next request."""
        store: Store | None = getattr(self._local, "store", None)
        if store is None:
            store = open_store(self.config.db)
            self._local.store = store
        try:
            yield store
        except BaseException:
            self._local.store = None  # a broken connection is not handed to the next request
            try:
                store.close()
            except Exception:
                pass
            raise
