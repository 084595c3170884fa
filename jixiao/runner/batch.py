"""Many files, parsed in worker processes or on a Dask cluster, none able to stop the batch.

Files with the same content are parsed once; the copies get the same records under their
own path, with ``source.duplicate_of`` naming the first one. The local pool is
:mod:`jixiao.runner.pool`; ``executor="dask"`` sends each file to a Dask cluster instead
(:mod:`jixiao.runner.dask`), and the results come back through the same ordering and
duplicate logic here.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from jixiao.models import Record
from jixiao.pipeline import parse_path
from jixiao.runner.pool import run_pool
from jixiao.runner.types import EXECUTORS, Done, Executor, Limits, default_workers, file_sha256


def _run_inline(jobs: Sequence[tuple[int, Path, str | None]], limits: Limits) -> Iterator[Done]:
    for index, path, _sha in jobs:
        t = time.monotonic()
        yield Done(index, path, parse_path(path, limits.pdf), time.monotonic() - t)


#: Jobs the local pool may run ahead of the oldest unfinished one (:func:`iter_batch`): enough
#: that a slow file does not idle the other workers for long, few enough to hold in memory.
REORDER_WINDOW = 256


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
    :func:`iter_batch` is the same without holding every result.

    ``executor="dask"`` parses on the Dask cluster whose scheduler is at ``scheduler``
    (``tcp://HOST:8786``): one task per file, carrying its bytes; ``workers`` is then
    unused (the cluster's threads decide). Raises :class:`ExecutorError` when the
    cluster cannot be used; a file that kills Dask workers gets a ``crashed`` record.
    Raises :class:`~jixiao.runner.start.UnknownStartMethod` for a bad ``JIXIAO_START_METHOD``.
    """
    return list(iter_batch(paths, workers, limits, on_done, executor, scheduler, window=None))


def iter_batch(
    paths: Sequence[Path],
    workers: int | None = None,
    limits: Limits | None = None,
    on_done: Callable[[Done], None] | None = None,
    executor: Executor = "local",
    scheduler: str | None = None,
    window: int | None = REORDER_WINDOW,
    hashes: Sequence[str | None] | None = None,
) -> Iterator[Done]:
    """:func:`run_batch` as a stream: each input's :class:`Done` in input order as soon as it
    and every one before it are finished, so a writer can take them one by one. The local
    pool (and the Dask executor) runs at most ``window`` files ahead of the oldest unfinished one, which bounds what
    waits here to be put in order (``None``: no bound). ``hashes``: each path's sha256 where
    the caller has it already (the store does), so no file is read twice for it."""
    if executor not in EXECUTORS:
        raise ValueError(f"executor must be one of {', '.join(EXECUTORS)}, not {executor!r}")
    if executor == "dask" and not scheduler:
        raise ValueError("executor='dask' needs scheduler='tcp://HOST:8786'")
    limits = limits or Limits()
    workers = default_workers() if workers is None else workers
    if hashes is None:
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
        from jixiao.runner.dask import run_on_dask  # distributed is an optional extra

        runner = run_on_dask(jobs, scheduler or "", limits, window=window)
    else:
        runner = _run_inline(jobs, limits) if workers == 0 else run_pool(jobs, workers, limits, window)
    waiting: dict[int, Done] = {}  # finished, not yet given out: an earlier input is still running
    following = 0
    for done in runner:
        for item in [done, *(_as_copy(done, j, paths[j]) for j in copies.pop(done.index, []))]:
            waiting[item.index] = item
            if on_done is not None:
                on_done(item)
        while following in waiting:
            yield waiting.pop(following)
            following += 1


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
    """Library form of a batch: records of every file, in input order, as they come."""
    from jixiao.inputs import expand

    for done in iter_batch(expand(paths), workers=workers, limits=limits, executor=executor, scheduler=scheduler):
        yield from done.records
