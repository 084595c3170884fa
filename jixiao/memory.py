"""The parser process's memory cap: an address-space limit, and room made for the OCR engine.

A batch worker caps its own address space (``RLIMIT_AS``), so a file that
would eat the machine's memory fails as ``too_large`` instead.  The OCR
engine is not a file's doing: onnxruntime reserves about 0.7–0.9 GB of
address space for its models, thread pools and allocator arenas when it is
built, once per process.  :func:`engine_built` moves the cap up by what the
engine took, so ``--memory-mb`` stays what one file may use on top.

Windows has no ``RLIMIT_AS`` and macOS does not enforce it; there (or with
``JIXIAO_MEMORY_CAP=watchdog``) the parent watches each worker's resident memory
instead (:mod:`jixiao.runner.watchdog`) and :func:`engine_built` raises the
allowance it reads from :func:`watch_allowance`.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
from typing import Any, Literal

try:
    import resource
except ImportError:  # Windows
    resource = None  # type: ignore[assignment]

import psutil

CapMethod = Literal["rlimit", "watchdog"]
CAP_ENV = "JIXIAO_MEMORY_CAP"

#: The extra bytes the watchdog allows this worker (the OCR engine's): a shared
#: ``multiprocessing`` value the parent reads, set by :func:`watch_allowance`.
_allowance: Any = None


def cap_method() -> CapMethod:
    """``rlimit`` where the kernel enforces ``RLIMIT_AS`` (Linux), else the parent's watchdog."""
    if os.environ.get(CAP_ENV, "").strip().lower() == "watchdog":
        return "watchdog"
    usable = resource is not None and hasattr(resource, "RLIMIT_AS") and sys.platform.startswith("linux")
    return "rlimit" if usable else "watchdog"


def watch_allowance(shared: Any) -> None:
    """In a watched worker: where :func:`engine_built` adds the engine's bytes for the parent to see."""
    global _allowance
    _allowance = shared


def resident() -> int:
    """Bytes of this process's resident memory (what the watchdog measures)."""
    return int(psutil.Process().memory_info().rss)

#: glibc's mallopt parameter for the number of malloc arenas.
_M_ARENA_MAX = -8
#: Arenas for a worker: each thread may otherwise reserve a 64 MB arena of
#: address space (onnxruntime runs several threads), which counts against the cap.
WORKER_ARENAS = 2


def address_space() -> int:
    """Bytes of address space this process maps now (Linux ``/proc``); 0 where that is unknown."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):
        try:
            return int(psutil.Process().memory_info().vms)
        except psutil.Error:
            return 0


def cap(extra_mb: int) -> None:
    """Cap this process at its present address space plus ``extra_mb``.

    Only the soft limit is lowered, so :func:`engine_built` can raise it again.
    """
    _limit_arenas()
    if resource is None or cap_method() == "watchdog":
        return
    limit = address_space() + extra_mb * 1024 * 1024
    try:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):
        pass


def engine_built(before: int) -> None:
    """Raise a soft cap by the address space taken since ``before`` (the OCR engine's own)."""
    grown = address_space() - before
    if _allowance is not None and grown > 0 and before != 0:
        _allowance.value += grown
    if resource is None:
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY or grown <= 0 or before == 0:
        return
    raised = soft + grown if hard == resource.RLIM_INFINITY else min(hard, soft + grown)
    try:
        resource.setrlimit(resource.RLIMIT_AS, (raised, hard))
    except (ValueError, OSError):
        pass


def _limit_arenas() -> None:
    name = ctypes.util.find_library("c")
    if not name:
        return
    try:
        ctypes.CDLL(name).mallopt(_M_ARENA_MAX, WORKER_ARENAS)
    except (OSError, AttributeError):  # not glibc
        pass
