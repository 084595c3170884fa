"""The parser process's memory cap: an address-space limit, and room made for the OCR engine.

A batch worker caps its own address space (``RLIMIT_AS``), so a file that
would eat the machine's memory fails as ``too_large`` instead.  The OCR
engine is not a file's doing: onnxruntime reserves about 0.7–0.9 GB of
address space for its models, thread pools and allocator arenas when it is
built, once per process.  :func:`engine_built` moves the cap up by what the
engine took, so ``--memory-mb`` stays what one file may use on top.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import resource

#: glibc's mallopt parameter for the number of malloc arenas.
_M_ARENA_MAX = -8
#: Arenas for a worker: each thread may otherwise reserve a 64 MB arena of
#: address space (onnxruntime runs several threads), which counts against the cap.
WORKER_ARENAS = 2


def address_space() -> int:
    """Bytes of address space this process maps now (Linux ``/proc``); 0 where that is unknown."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


def cap(extra_mb: int) -> None:
    """Cap this process at its present address space plus ``extra_mb``.

    Only the soft limit is lowered, so :func:`engine_built` can raise it again.
    """
    _limit_arenas()
    limit = address_space() + extra_mb * 1024 * 1024
    try:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):
        pass


def engine_built(before: int) -> None:
    """Raise a soft cap by the address space taken since ``before`` (the OCR engine's own)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    grown = address_space() - before
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
