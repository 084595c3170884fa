"""Many files, parsed in forked worker processes, none able to stop the batch.

A PDF library can hang, eat memory or crash on a hostile file. Files are
therefore parsed in long-lived worker processes with an address-space cap,
and the parent holds a wall-clock deadline for each file: a worker that runs
over is killed and replaced (``timeout``), one that runs out of memory is
replaced (``too_large``), one that dies becomes ``crashed`` for the file it
held, and the batch goes on. Workers are kept between files because a fresh
process per file costs more than parsing a text report (cold caches, fork).

Files with the same content are parsed once; the copies get the same records
under their own path, with ``source.duplicate_of`` naming the first one.

``run_batch(..., executor="dask", scheduler="tcp://HOST:8786")`` sends each file
to a Dask cluster instead (:mod:`jixiao.dask_runner`); there each task parses in
a child process under the same limits (:class:`IsolatedParser`), and the results
come back through the same ordering and duplicate logic here.
"""

from __future__ import annotations

import gc
import hashlib
import multiprocessing as mp
import os
import pickle
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Literal

from jixiao import memory
from jixiao.extract.pdf import PdfLimits
from jixiao.models import Failure, FailureError, FailureKind, Record, Source
from jixiao.pipeline import parse_bytes, parse_path, warm_up

Executor = Literal["local", "dask"]
EXECUTORS: tuple[Executor, ...] = ("local", "dask")

DEFAULT_TIMEOUT_S = 120.0
DEFAULT_MEMORY_MB = 2048


@dataclass(frozen=True)
class Limits:
    """Per-file limits; defaults a real report never comes near.

    ``memory_mb`` is the address space a worker may add to what it inherited when it was
    forked: the parent's mappings (pandas, a Dask client's threads and their malloc arenas)
    are shared, not the parse's, and must not eat into its allowance.
    """

    timeout_s: float = DEFAULT_TIMEOUT_S
    memory_mb: int = DEFAULT_MEMORY_MB
    pdf: PdfLimits = field(default_factory=PdfLimits)

    def __post_init__(self) -> None:
        if self.timeout_s <= 0:
            raise ValueError("timeout_s must be positive")
        if self.memory_mb < 64:
            raise ValueError("memory_mb must be at least 64")


@dataclass(frozen=True)
class Done:
    """One input's outcome, with its position in the input list."""

    index: int
    path: Path
    records: list[Record]
    elapsed_s: float


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)


def file_sha256(path: Path) -> str | None:
    h = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    except OSError:
        return None
    return h.hexdigest()


def failure_record(path: Path, sha256: str | None, kind: FailureKind, zh: str, en: str) -> Failure:
    return Failure(Source(str(path), sha256 or "", 0), FailureError(kind, f"{zh} / {en}"))


class ExecutorError(RuntimeError):
    """The batch cannot go on (the Dask scheduler cannot be reached or was lost): no one file's fault."""


Job = tuple[str, bytes] | str
"""What a worker is sent: a path to read, or a file's name and bytes (from a Dask task)."""


#: The worker's garbage-collector thresholds.  Parsing allocates hundreds of
#: thousands of short-lived, acyclic objects (PyMuPDF's text dicts); with the
#: default (700) the collector runs every few hundred of them.  Objects that
#: live from start-up on are frozen out of it.  (Measured in one process:
#: between no difference and 10% faster, within this machine's noise.)
WORKER_GC_THRESHOLDS = (50_000, 20, 20)


def _worker_main(conn: Connection, memory_mb: int, pdf_limits: PdfLimits) -> None:
    """A worker process: cap its memory, then parse the jobs it is sent until told to stop."""
    gc.freeze()
    gc.set_threshold(*WORKER_GC_THRESHOLDS)
    memory.cap(memory_mb)
    while True:
        try:
            job: Job | None = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        records = parse_path(job, pdf_limits) if isinstance(job, str) else parse_bytes(job[1], job[0], pdf_limits)
        message = _spill(records) if _is_large(records) else records
        try:
            conn.send_bytes((_SPENT if _spent(records) else _FIT) + pickle.dumps(message, pickle.HIGHEST_PROTOCOL))
        except OSError:  # the parent is gone (e.g. its Dask worker was killed): nobody to answer
            return


SPILL_PAGES = 1000  # results of longer documents go through a temporary file


@dataclass(frozen=True)
class _Spilled:
    """Records pickled to a file: a pipe would hold the whole pickle in memory at once,
    beside the records themselves (80 MB more for a 20,000-page narrative)."""

    path: str


def _is_large(records: list[Record]) -> bool:
    return any(r.source.page_count > SPILL_PAGES for r in records)


def _spill(records: list[Record]) -> _Spilled:
    fd, path = tempfile.mkstemp(prefix="jixiao-", suffix=".pickle")
    with os.fdopen(fd, "wb") as fh:
        pickle.dump(records, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return _Spilled(path)


# A worker's answer is one flag byte and the pickled records.  The flag says whether the
# worker must be replaced, so the parent can hand a fit worker its next file before it
# unpickles the answer (0.8 ms per text report, in which the worker would sit idle).
_FIT, _SPENT = b"F", b"S"


@dataclass(frozen=True)
class _Answer:
    """A worker's answer as it came off the pipe, not yet unpickled."""

    payload: bytes

    @property
    def spent(self) -> bool:
        return self.payload[:1] == _SPENT

    def records(self) -> list[Record]:
        return _unspill(pickle.loads(memoryview(self.payload)[1:]))


def _unspill(message: object) -> list[Record]:
    if not isinstance(message, _Spilled):
        return message  # type: ignore[return-value]
    try:
        with open(message.path, "rb") as fh:
            records: list[Record] = pickle.load(fh)
    finally:
        os.unlink(message.path)
    return records


@dataclass
class _Task:
    index: int
    path: Path
    sha256: str | None
    started: float


class _Worker:
    """One long-lived worker process; replaced when it dies, hangs or runs out of memory."""

    def __init__(self, ctx: mp.context.ForkContext | mp.context.ForkServerContext, limits: Limits) -> None:
        self.conn, child = ctx.Pipe(duplex=True)
        self.process = ctx.Process(target=_worker_main, args=(child, limits.memory_mb, limits.pdf), daemon=True)
        self.process.start()
        child.close()
        self.task: _Task | None = None  # the file it is parsing
        self.queued: _Task | None = None  # the file it will parse next, already sent
        self.served = 0

    def give(self, task: _Task, job: Job | None = None) -> None:
        """Send a file: the worker's task if it has none, else its next (see :meth:`can_queue`)."""
        if self.task is None:
            self.task = task
        else:
            assert self.queued is None
            self.queued = task
        self.served += 1
        self.conn.send(str(task.path) if job is None else job)

    def can_queue(self) -> bool:
        """Whether a busy worker may be sent its next file now, so that it starts on it the
        moment it has sent its answer instead of waiting for the parent to read the answer
        and reply (a round trip per file).  Not when this answer may be its last."""
        return self.task is not None and self.queued is None and self.served + 1 < MAX_TASKS_PER_WORKER

    def advance(self) -> None:
        """The task's answer is in: the queued file, if any, is what the worker parses now."""
        self.task, self.queued = self.queued, None
        if self.task is not None:
            self.task.started = time.monotonic()

    def outcome(self, ready: Sequence[object], limits: Limits) -> tuple[_Answer | list[Record] | None, bool]:
        """What the task came to, given what a :func:`wait` on this worker returned: ``(answer,
        replace this worker)``, or ``(None, False)`` while it is still running within its time.
        The answer is the worker's, still pickled, or the failure the parent wrote for it."""
        assert self.task is not None
        if self.conn in ready or self.process.sentinel in ready:
            try:
                answer = _Answer(self.conn.recv_bytes()) if self.conn.poll() else None
            except (EOFError, OSError):
                answer = None
            if answer is None:
                self.process.join(5)
                return _died(self.task, self.process.exitcode), True
            return answer, answer.spent or self.served >= MAX_TASKS_PER_WORKER
        if time.monotonic() - self.task.started > limits.timeout_s:
            return _timed_out(self.task, limits), True
        return None, False

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.process.kill()
        else:
            try:
                self.conn.send(None)
            except OSError:
                pass
        self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


MAX_TASKS_PER_WORKER = 500  # recycle now and then: MuPDF's caches only grow


def _died(task: _Task, code: int | None) -> list[Record]:
    zh = f"解析进程异常退出（退出码 {code}），可能是 PDF 库崩溃或内存耗尽"
    en = f"the parser process died (exit code {code}): the PDF library crashed or ran out of memory"
    return [failure_record(task.path, task.sha256, "crashed", zh, en)]


def _timed_out(task: _Task, limits: Limits) -> list[Record]:
    zh = f"解析超过 {limits.timeout_s:g} 秒，已中止"
    en = f"parsing took longer than {limits.timeout_s:g} s and was stopped"
    return [failure_record(task.path, task.sha256, "timeout", zh, en)]


def _spent(records: list[Record]) -> bool:
    """A worker that ran out of memory is replaced: its heap cannot be trusted."""
    return any(isinstance(r, Failure) and r.error.kind == "too_large" for r in records)


def _run_isolated(
    jobs: Sequence[tuple[int, Path, str | None]], workers: int, limits: Limits
) -> Iterator[Done]:
    ctx = mp.get_context("fork")
    warm_up()  # once here rather than once in every worker forked below
    pending = [_Task(i, p, sha, 0.0) for i, p, sha in reversed(jobs)]
    pool = [_Worker(ctx, limits) for _ in range(min(workers, len(jobs)))]

    def refill() -> None:
        for w in pool:  # idle workers first, then a next file for each busy one
            if w.task is None and pending:
                nxt = pending.pop()
                nxt.started = time.monotonic()
                w.give(nxt)
        for w in pool:
            if pending and w.can_queue():
                w.give(pending.pop())

    try:
        refill()
        while pending or any(w.task for w in pool):
            busy = [w for w in pool if w.task is not None]
            deadline = min(w.task.started for w in busy if w.task) + limits.timeout_s
            ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy],
                         timeout=max(0.0, deadline - time.monotonic()))
            finished: list[tuple[_Task, _Answer | list[Record], float]] = []
            for i, w in enumerate(pool):
                if w.task is None:
                    continue
                task = w.task
                answer, replace_worker = w.outcome(ready, limits)
                if answer is None:
                    continue
                if replace_worker:
                    if w.queued is not None:  # sent but not parsed (or not to the end): goes again
                        pending.append(w.queued)
                        w.queued = None
                    w.task = None
                    w.stop(kill=True)
                    pool[i] = _Worker(ctx, limits) if pending else w
                else:
                    w.advance()
                finished.append((task, answer, time.monotonic() - task.started))
            pool[:] = [w for w in pool if w.process.is_alive() or w.task is not None]
            # The next files go out before the answers are unpickled and the caller handles
            # them (writes them, stores them): a worker never waits on the parent.
            refill()
            for task, answer, elapsed in finished:
                records = answer.records() if isinstance(answer, _Answer) else answer
                yield Done(task.index, task.path, records, elapsed)
    finally:
        for w in pool:
            w.stop(kill=w.task is not None)


class IsolatedParser:
    """One file at a time in a long-lived child process under :class:`Limits`: the local pool's
    worker, deadline and replacement rules, for a caller that already runs one file per thread
    (a Dask task). The default ``forkserver`` start keeps the child clear of the caller's
    threads; the parser is preloaded in the fork server, so a replacement child starts warm.
    """

    def __init__(self, start_method: Literal["fork", "forkserver"] = "forkserver") -> None:
        self._ctx: mp.context.ForkContext | mp.context.ForkServerContext
        if start_method == "fork":
            self._ctx = mp.get_context("fork")
        else:
            self._ctx = mp.get_context("forkserver")
            self._ctx.set_forkserver_preload(["jixiao.batch"])
        self._worker: _Worker | None = None
        self._limits: Limits | None = None

    def parse(self, name: str, data: bytes, sha256: str | None, limits: Limits) -> list[Record]:
        """Records of one file's bytes; a hang, a crash or too much memory gives its failure record."""
        task = _Task(0, Path(name), sha256, time.monotonic())
        w = self._ready(limits)
        try:
            w.give(task, (name, data))
        except OSError:  # the child died while idle: start a fresh one
            self.close(kill=True)
            w = self._ready(limits)
            w.give(task, (name, data))
        while True:
            left = max(0.0, task.started + limits.timeout_s - time.monotonic())
            answer, replace_worker = w.outcome(wait([w.conn, w.process.sentinel], timeout=left), limits)
            if answer is not None:
                break
        w.task = None
        if replace_worker:
            self.close(kill=True)
        return answer.records() if isinstance(answer, _Answer) else answer

    def _ready(self, limits: Limits) -> _Worker:
        if self._worker is None or self._limits != limits or not self._worker.process.is_alive():
            self.close(kill=True)
            self._worker, self._limits = _Worker(self._ctx, limits), limits
        return self._worker

    def close(self, kill: bool = False) -> None:
        if self._worker is not None:
            self._worker.stop(kill=kill)
            self._worker = None


def _run_inline(jobs: Sequence[tuple[int, Path, str | None]], limits: Limits) -> Iterator[Done]:
    for index, path, _sha in jobs:
        t = time.monotonic()
        yield Done(index, path, parse_path(path, limits.pdf), time.monotonic() - t)


def run_batch(
    paths: Sequence[Path],
    workers: int | None = None,
    limits: Limits | None = None,
    on_done: Callable[[Done], None] | None = None,
    executor: Executor = "local",
    scheduler: str | None = None,
) -> list[Done]:
    """Parse every path; results come to ``on_done`` as they finish and are
    returned in input order. ``workers=0`` parses in this process (no isolation).

    ``executor="dask"`` parses on the Dask cluster whose scheduler is at ``scheduler``
    (``tcp://HOST:8786``): one task per file, carrying its bytes; ``workers`` is then
    unused (the cluster's threads decide). Raises :class:`ExecutorError` when the
    cluster cannot be used; a file that kills Dask workers gets a ``crashed`` record.
    """
    if executor not in EXECUTORS:
        raise ValueError(f"executor must be one of {', '.join(EXECUTORS)}, not {executor!r}")
    if executor == "dask" and not scheduler:
        raise ValueError("executor='dask' needs scheduler='tcp://HOST:8786'")
    limits = limits or Limits()
    workers = default_workers() if workers is None else workers
    hashes = [file_sha256(p) for p in paths]
    first_of: dict[str, int] = {}
    jobs: list[tuple[int, Path, str | None]] = []
    copies: dict[int, list[int]] = {}
    for i, (path, sha) in enumerate(zip(paths, hashes, strict=True)):
        if sha is not None and sha in first_of:
            copies.setdefault(first_of[sha], []).append(i)
            continue
        if sha is not None:
            first_of[sha] = i
        jobs.append((i, path, sha))
    runner: Iterator[Done]
    if executor == "dask":
        from jixiao.dask_runner import run_on_dask  # distributed is an optional extra

        runner = run_on_dask(jobs, scheduler or "", limits)
    else:
        runner = _run_inline(jobs, limits) if workers == 0 else _run_isolated(jobs, workers, limits)
    results: dict[int, Done] = {}
    for done in runner:
        for item in [done, *(_as_copy(done, j, paths[j]) for j in copies.get(done.index, []))]:
            results[item.index] = item
            if on_done is not None:
                on_done(item)
    return [results[i] for i in sorted(results)]


def _as_copy(done: Done, index: int, path: Path) -> Done:
    records = [
        replace(r, source=replace(r.source, path=str(path), duplicate_of=done.records[0].source.path))
        for r in done.records
    ]
    return Done(index, path, records, 0.0)


def parse_many(
    paths: Iterable[str | os.PathLike[str]],
    workers: int | None = None,
    limits: Limits | None = None,
    executor: Executor = "local",
    scheduler: str | None = None,
) -> Iterator[Record]:
    """Library form of a batch: records of every file, in input order."""
    from jixiao.inputs import expand

    for done in run_batch(expand(paths), workers=workers, limits=limits, executor=executor, scheduler=scheduler):
        yield from done.records
