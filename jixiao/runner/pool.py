"""The local pool: long-lived worker processes, a deadline per file, replacement on failure.

A PDF library can hang, eat memory or crash on a hostile file. Files are therefore parsed
in worker processes (:mod:`jixiao.runner.worker`) under a memory cap, and the parent holds
a wall-clock deadline for each file: a worker that runs over is killed and replaced
(``timeout``), one that runs out of memory is replaced (``too_large``), one that dies becomes
``crashed`` for the file it held, and the batch goes on. Workers are kept between files
because a fresh process per file costs more than parsing a text report (cold caches, start).

Workers start by ``JIXIAO_START_METHOD`` (:mod:`jixiao.runner.start`); where the kernel
cannot cap a worker's memory, the parent watches it (:mod:`jixiao.runner.watchdog`).
"""

from __future__ import annotations

import os
import pickle
import time
import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any

from jixiao import memory
from jixiao.models import Record
from jixiao.pipeline import warm_up
from jixiao.runner.start import StartMethod, context, start_method
from jixiao.runner.types import Done, Job, Limits, failure_record
from jixiao.runner.watchdog import INTERVAL_S, MemoryWatch
from jixiao.runner.worker import READY, SPENT, WorkerArgs, unspill, worker_main

MAX_TASKS_PER_WORKER = 500  # recycle now and then: MuPDF's caches only grow

#: The parent's ends of every live worker's pipe in this process: a worker started by
#: ``fork`` closes the ones it inherited (see :mod:`jixiao.runner.worker`).
_LIVE: weakref.WeakSet[Connection] = weakref.WeakSet()


@dataclass(frozen=True)
class _Answer:
    """A worker's answer as it came off the pipe, not yet unpickled."""

    payload: bytes

    @property
    def spent(self) -> bool:
        return self.payload[:1] == SPENT

    def records(self) -> list[Record]:
        return unspill(pickle.loads(memoryview(self.payload)[1:]))


@dataclass
class _Task:
    index: int
    path: Path
    sha256: str | None
    started: float
    seq: int = 0  # position among the jobs: the reorder window counts in these


class _Worker:
    """One long-lived worker process; replaced when it dies, hangs or runs out of memory."""

    def __init__(self, ctx: BaseContext, method: StartMethod, limits: Limits) -> None:
        self.conn, child = ctx.Pipe(duplex=True)
        # Under fork the child inherits the parent's end of its own pipe and of its siblings'.
        inherited = tuple(c.fileno() for c in [self.conn, *_LIVE] if not c.closed) if method == "fork" else ()
        watched = memory.cap_method() == "watchdog"
        allowance = ctx.Value("q", 0, lock=False) if watched else None
        args = WorkerArgs(limits.memory_mb, limits.pdf, os.getpid(), inherited, allowance)
        self.process: Any = ctx.Process(target=worker_main, args=(child, args), daemon=True)  # type: ignore[attr-defined]
        self.process.start()
        child.close()
        _LIVE.add(self.conn)
        self.watch = MemoryWatch(self.process.pid, limits.memory_mb, allowance) if watched else None
        self.ready = False
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
            if answer is not None and answer.payload == READY:
                self._started()
                return None, False
            if answer is None:
                self.process.join(5)
                return _died(self.task, self.process.exitcode), True
            return answer, answer.spent or self.served >= MAX_TASKS_PER_WORKER
        if self.ready and time.monotonic() - self.task.started > limits.timeout_s:
            return _timed_out(self.task, limits), True
        rss = self.watch.over() if self.watch is not None and self.ready else None
        if rss is not None:
            return _too_large(self.task, rss, limits), True
        return None, False

    def _started(self) -> None:
        """The worker is ready: its file's deadline starts now, not at its interpreter's start."""
        self.ready = True
        if self.watch is not None:
            self.watch.ready()
        if self.task is not None:
            self.task.started = time.monotonic()

    def stop(self, kill: bool = False) -> None:
        _LIVE.discard(self.conn)
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


def _died(task: _Task, code: int | None) -> list[Record]:
    zh = f"解析进程异常退出（退出码 {code}），可能是 PDF 库崩溃或内存耗尽"
    en = f"the parser process died (exit code {code}): the PDF library crashed or ran out of memory"
    return [failure_record(task.path, task.sha256, "crashed", zh, en)]


def _timed_out(task: _Task, limits: Limits) -> list[Record]:
    zh = f"解析超过 {limits.timeout_s:g} 秒，已中止"
    en = f"parsing took longer than {limits.timeout_s:g} s and was stopped"
    return [failure_record(task.path, task.sha256, "timeout", zh, en)]


def _too_large(task: _Task, rss: int, limits: Limits) -> list[Record]:
    used = rss // (1024 * 1024)
    zh = f"解析时内存超出上限（解析进程占用 {used} MB，上限另加 {limits.memory_mb} MB），已中止"
    en = f"ran out of memory while parsing (the parser held {used} MB, over its {limits.memory_mb} MB allowance) and was stopped"
    return [failure_record(task.path, task.sha256, "too_large", zh, en)]


def _wait_s(pool: Sequence[_Worker], limits: Limits) -> float:
    """How long the parent may block: until the first deadline, or the next memory sample."""
    busy = [w for w in pool if w.task is not None]
    waits = [w.task.started + limits.timeout_s - time.monotonic() for w in busy if w.task and w.ready]
    if any(w.watch is not None for w in busy) or any(not w.ready for w in busy):
        waits.append(INTERVAL_S)
    return max(0.0, min(waits, default=INTERVAL_S))


def run_pool(
    jobs: Sequence[tuple[int, Path, str | None]], workers: int, limits: Limits, window: int | None = None
) -> Iterator[Done]:
    """Parse ``(index, path, sha256)`` jobs in ``workers`` processes; yields each as it finishes.

    With ``window``, no job is sent while one ``window`` jobs earlier is still unfinished, so
    a caller that puts the results back in input order holds at most ``window`` of them: a
    slow file holds up the files after it instead of letting finished ones pile up.
    """
    method = start_method()
    ctx = context(method)
    if method == "fork":
        warm_up()  # once here rather than once in every worker forked below
    pending = [_Task(i, p, sha, 0.0, seq) for seq, (i, p, sha) in reversed(list(enumerate(jobs)))]
    pool = [_Worker(ctx, method, limits) for _ in range(min(workers, len(jobs)))]

    def may_send() -> bool:
        if not pending:
            return False
        if window is None:
            return True
        out = [t.seq for w in pool for t in (w.task, w.queued) if t is not None]
        return not out or pending[-1].seq < min(out) + window

    def refill() -> None:
        for w in pool:  # idle workers first, then a next file for each busy one
            if w.task is None and may_send():
                nxt = pending.pop()
                nxt.started = time.monotonic()
                w.give(nxt)
        for w in pool:
            if w.can_queue() and may_send():
                w.give(pending.pop())

    try:
        refill()
        while pending or any(w.task for w in pool):
            busy = [w for w in pool if w.task is not None]
            ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout=_wait_s(pool, limits))
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
                    pool[i] = _Worker(ctx, method, limits) if pending else w
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
    threads (``spawn`` where there is no fork server, or as ``JIXIAO_START_METHOD`` says); the
    parser is preloaded in the fork server, so a replacement child starts warm.
    """

    def __init__(self, start: StartMethod | None = None) -> None:
        chosen = start_method() if os.environ.get("JIXIAO_START_METHOD") else None
        self._method: StartMethod = start or chosen or ("forkserver" if os.name == "posix" else "spawn")
        self._ctx = context(self._method)
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
            answer, replace_worker = w.outcome(wait([w.conn, w.process.sentinel], timeout=_wait_s([w], limits)), limits)
            if answer is not None:
                break
        w.task = None
        if replace_worker:
            self.close(kill=True)
        return answer.records() if isinstance(answer, _Answer) else answer

    def _ready(self, limits: Limits) -> _Worker:
        if self._worker is None or self._limits != limits or not self._worker.process.is_alive():
            self.close(kill=True)
            self._worker, self._limits = _Worker(self._ctx, self._method, limits), limits
        return self._worker

    def close(self, kill: bool = False) -> None:
        if self._worker is not None:
            self._worker.stop(kill=kill)
            self._worker = None
