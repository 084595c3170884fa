"""The memory cap where the kernel gives none: the parent samples each busy worker's resident memory.

Windows has no ``RLIMIT_AS`` (and macOS does not enforce it), so a worker there cannot be
stopped from inside when a file eats memory. The parent reads the worker's resident set
(psutil) every :data:`INTERVAL_S` while it parses and kills it once it holds more than
``--memory-mb`` over what it held when it was ready; the file becomes ``too_large``. The
check runs in the parent because PyMuPDF keeps the GIL during a long C call, so a thread in
the worker could not run while the worker's memory grows. What the OCR engine reserves
when it is built is allowed on top (:func:`jixiao.memory.engine_built` adds it to a shared
value). A sample can miss a short spike: this is a cap on runaway files, not an exact limit.
"""

from __future__ import annotations

import time
from typing import Any

import psutil

INTERVAL_S = 0.1
MB = 1024 * 1024


class MemoryWatch:
    """One worker's resident memory against its allowance."""

    def __init__(self, pid: int, memory_mb: int, allowance: Any) -> None:
        self._pid = pid
        self._limit = memory_mb * MB
        self._allowance = allowance  # the worker's engine bytes (a shared multiprocessing value)
        self._baseline: int | None = None
        self._next = 0.0

    def ready(self) -> None:
        """The worker has started up: what it holds now is not any file's doing."""
        self._baseline = _rss(self._pid)

    def over(self) -> int | None:
        """Resident bytes when over the allowance (checked at most every :data:`INTERVAL_S`), else None."""
        now = time.monotonic()
        if self._baseline is None or now < self._next:
            return None
        self._next = now + INTERVAL_S
        rss = _rss(self._pid)
        allowed = self._baseline + self._limit + int(self._allowance.value)
        return rss if rss > allowed else None


def _rss(pid: int) -> int:
    try:
        return int(psutil.Process(pid).memory_info().rss)
    except psutil.Error:  # gone: its exit is seen on its sentinel
        return 0
