"""The code that runs inside a worker process: tie its life to the parent's, cap its memory,
then parse the files it is sent until told to stop.

Importable on its own (``spawn`` and the fork server import it in a fresh interpreter), and it
imports nothing of the pool that starts it.

A worker must not outlive its parent: after a ``kill -9`` or the OOM killer the parent cannot
stop it, and a worker blocked on its pipe would wait forever (100 MB each). On Linux the kernel
kills it when its parent dies (``PR_SET_PDEATHSIG``); elsewhere a thread checks every
:data:`PARENT_CHECK_S` that the process that started it still runs. Under ``fork`` a worker also
closes the parent's ends of its own pipe and of its siblings' pipes, which it inherited: held
open there, they kept its own and a sibling's ``recv`` from ever seeing the parent go.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import os
import pickle
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

import psutil

from jixiao import memory
from jixiao.extract.pdf import PdfLimits
from jixiao.models import Failure, Record
from jixiao.pipeline import parse_bytes, parse_path, warm_up
from jixiao.runner.types import Job

#: The worker's garbage-collector thresholds.  Parsing allocates hundreds of
#: thousands of short-lived, acyclic objects (PyMuPDF's text dicts); with the
#: default (700) the collector runs every few hundred of them.  Objects that
#: live from start-up on are frozen out of it.  (Measured in one process:
#: between no difference and 10% faster, within this machine's noise.)
WORKER_GC_THRESHOLDS = (50_000, 20, 20)

PARENT_CHECK_S = 0.5
_PR_SET_PDEATHSIG = 1

SPILL_PAGES = 1000  # results of longer documents go through a temporary file

# A worker's messages are one flag byte and, for an answer, the pickled records.  The flag
# says whether the worker must be replaced, so the parent can hand a fit worker its next
# file before it unpickles the answer (0.8 ms per text report, in which the worker would sit
# idle).  READY comes once, when the worker has started up: a file's deadline counts from
# then, not from a ``spawn`` start's imports.
READY, FIT, SPENT = b"R", b"F", b"S"


@dataclass(frozen=True)
class WorkerArgs:
    """What a worker is started with (pickled to it under ``spawn`` and the fork server)."""

    memory_mb: int
    pdf_limits: PdfLimits
    parent_pid: int
    inherited_fds: tuple[int, ...] = ()  # under fork: the parent's ends of its own and sibling pipes
    allowance: Any = None  # the watchdog's shared value, when the parent watches memory


def worker_main(conn: Connection, args: WorkerArgs) -> None:
    """A worker process: see the module docstring."""
    for fd in args.inherited_fds:
        try:
            os.close(fd)
        except OSError:
            pass
    die_with_parent(args.parent_pid)
    warm_up()  # inherited under fork; built here under spawn and in a fork server's child
    gc.freeze()
    gc.set_threshold(*WORKER_GC_THRESHOLDS)
    if args.allowance is not None:
        memory.watch_allowance(args.allowance)
    memory.cap(args.memory_mb)
    try:
        conn.send_bytes(READY)
    except OSError:
        return
    while True:
        try:
            job: Job | None = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        records = parse_path(job, args.pdf_limits) if isinstance(job, str) else parse_bytes(job[1], job[0], args.pdf_limits)
        message = spill(records) if _is_large(records) else records
        try:
            conn.send_bytes((SPENT if _spent(records) else FIT) + pickle.dumps(message, pickle.HIGHEST_PROTOCOL))
        except OSError:  # the parent is gone (e.g. its Dask worker was killed): nobody to answer
            return


def die_with_parent(parent_pid: int) -> None:
    """End this process when ``parent_pid`` ends (see the module docstring)."""
    try:
        parent = psutil.Process(parent_pid)
    except psutil.Error:
        os._exit(1)
    if sys.platform.startswith("linux") and _pdeathsig():
        if not parent.is_running():  # it died before the signal was asked for
            os._exit(1)
        if os.getppid() == parent_pid:  # the kernel watches the parent itself; no thread needed
            return
        # Under a fork server the kernel watches the server, which exits when the parent
        # goes, but only once no process holds its "alive" pipe: multiprocessing hands that
        # pipe's write end to every worker it starts, so a worker busy in MuPDF (whose thread
        # below cannot run while the call holds the GIL) would keep the server, and so itself,
        # alive. This worker starts no processes of its own: it lets go of the pipe.
        _release_forkserver_pipe()
        # The check below also covers the parent's own death directly.
    threading.Thread(target=_watch_parent, args=(parent,), name="jixiao-parent-alive", daemon=True).start()


def _release_forkserver_pipe() -> None:
    from multiprocessing import forkserver

    server = forkserver._forkserver
    fd = getattr(server, "_forkserver_alive_fd", None)
    if fd is None:
        return
    with contextlib.suppress(OSError):
        os.close(fd)
    server._forkserver_alive_fd = None  # type: ignore[attr-defined]  # set by _serve_one in this child


def _pdeathsig() -> bool:
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        return int(ctypes.CDLL(name, use_errno=True).prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _watch_parent(parent: psutil.Process) -> None:
    while parent.is_running() and parent.status() != psutil.STATUS_ZOMBIE:
        time.sleep(PARENT_CHECK_S)
    os._exit(1)


@dataclass(frozen=True)
class Spilled:
    """Records pickled to a file: a pipe would hold the whole pickle in memory at once,
    beside the records themselves (80 MB more for a 20,000-page narrative)."""

    path: str


def _is_large(records: list[Record]) -> bool:
    return any(r.source.page_count > SPILL_PAGES for r in records)


def spill(records: list[Record]) -> Spilled:
    fd, path = tempfile.mkstemp(prefix="jixiao-", suffix=".pickle")
    with os.fdopen(fd, "wb") as fh:
        pickle.dump(records, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return Spilled(path)


def unspill(message: object) -> list[Record]:
    if not isinstance(message, Spilled):
        return message  # type: ignore[return-value]
    try:
        with open(message.path, "rb") as fh:
            records: list[Record] = pickle.load(fh)
    finally:
        os.unlink(message.path)
    return records


def _spent(records: Sequence[Record]) -> bool:
    """A worker that ran out of memory is replaced: its heap cannot be trusted."""
    return any(isinstance(r, Failure) and r.error.kind == "too_large" for r in records)
