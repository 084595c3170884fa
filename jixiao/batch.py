"""Many files, each parsed in its own forked process, none able to stop the batch.

A PDF library can hang, eat memory or crash on a hostile file. Each file is
therefore parsed in a child process with a wall-clock limit and an address-
space cap; a child that runs over becomes a ``timeout`` or ``too_large``
failure row, one that dies becomes ``crashed``, and the next file goes on.
Forking per file costs a few milliseconds (the parent has already imported
everything) and means a poisoned worker is never reused.

Files with the same content are parsed once; the copies get the same records
under their own path, with ``source.duplicate_of`` naming the first one.
"""

from __future__ import annotations

import hashlib
import multiprocessing as mp
import os
import resource
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection, wait
from pathlib import Path

from jixiao.models import Failure, FailureError, FailureKind, Record, Source
from jixiao.pipeline import parse_path

DEFAULT_TIMEOUT_S = 120.0
DEFAULT_MEMORY_MB = 2048


@dataclass(frozen=True)
class Limits:
    """Per-file limits; defaults a real report never comes near."""

    timeout_s: float = DEFAULT_TIMEOUT_S
    memory_mb: int = DEFAULT_MEMORY_MB

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


def _child(path: str, conn: Connection, memory_mb: int) -> None:
    """Runs in the forked process: cap memory, parse, send the records back."""
    limit = memory_mb * 1024 * 1024
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):
        pass
    records = parse_path(path)
    conn.send(records)
    conn.close()


@dataclass
class _Running:
    index: int
    path: Path
    sha256: str | None
    process: mp.process.BaseProcess
    conn: Connection
    started: float


def _died(run: _Running) -> list[Record]:
    code = run.process.exitcode
    zh = f"解析进程异常退出（退出码 {code}），可能是 PDF 库崩溃或内存耗尽"
    en = f"the parser process died (exit code {code}): the PDF library crashed or ran out of memory"
    return [failure_record(run.path, run.sha256, "crashed", zh, en)]


def _timed_out(run: _Running, limits: Limits) -> list[Record]:
    zh = f"解析超过 {limits.timeout_s:g} 秒，已中止"
    en = f"parsing took longer than {limits.timeout_s:g} s and was stopped"
    return [failure_record(run.path, run.sha256, "timeout", zh, en)]


def _run_isolated(
    jobs: Sequence[tuple[int, Path, str | None]], workers: int, limits: Limits
) -> Iterator[Done]:
    ctx = mp.get_context("fork")
    pending = list(jobs)
    pending.reverse()
    running: list[_Running] = []
    while pending or running:
        while pending and len(running) < workers:
            index, path, sha = pending.pop()
            recv, send = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_child, args=(str(path), send, limits.memory_mb), daemon=True)
            proc.start()
            send.close()
            running.append(_Running(index, path, sha, proc, recv, time.monotonic()))
        now = time.monotonic()
        next_deadline = min(r.started + limits.timeout_s for r in running)
        ready = wait([r.conn for r in running] + [r.process.sentinel for r in running],
                     timeout=max(0.0, next_deadline - now))
        still: list[_Running] = []
        for run in running:
            records: list[Record] | None = None
            if run.conn in ready:
                try:
                    records = run.conn.recv()
                except (EOFError, OSError):
                    run.process.join(5)
                    records = _died(run)
            elif run.process.sentinel in ready and not run.conn.poll():
                run.process.join(5)
                records = _died(run)
            elif time.monotonic() - run.started > limits.timeout_s:
                run.process.kill()
                records = _timed_out(run, limits)
            if records is None:
                still.append(run)
                continue
            run.conn.close()
            run.process.join(5)
            if run.process.is_alive():
                run.process.kill()
                run.process.join()
            yield Done(run.index, run.path, records, time.monotonic() - run.started)
        running = still


def _run_inline(jobs: Sequence[tuple[int, Path, str | None]]) -> Iterator[Done]:
    for index, path, _sha in jobs:
        t = time.monotonic()
        yield Done(index, path, parse_path(path), time.monotonic() - t)


def run_batch(
    paths: Sequence[Path],
    workers: int | None = None,
    limits: Limits | None = None,
    on_done: Callable[[Done], None] | None = None,
) -> list[Done]:
    """Parse every path; results come to ``on_done`` as they finish and are
    returned in input order. ``workers=0`` parses in this process (no isolation).
    """
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
    runner = _run_inline(jobs) if workers == 0 else _run_isolated(jobs, workers, limits)
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
    paths: Iterable[str | os.PathLike[str]], workers: int | None = None, limits: Limits | None = None
) -> Iterator[Record]:
    """Library form of a batch: records of every file, in input order."""
    from jixiao.inputs import expand

    for done in run_batch(expand(paths), workers=workers, limits=limits):
        yield from done.records
