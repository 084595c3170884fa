"""A batch on a Dask distributed cluster: ``run_batch(..., executor="dask", scheduler=ADDRESS)``.

Each file is one task submitted to an existing cluster (``distributed.Client(address)``);
the task carries the file's bytes, so workers need no shared disk. On the worker the task
parses in a child process under the batch's :class:`~jixiao.runner.types.Limits`
(:class:`~jixiao.runner.pool.IsolatedParser`, the local pool's worker code), so a hostile file
costs a ``timeout`` / ``too_large`` / ``crashed`` record, not the Dask worker.

Results stream back with ``as_completed`` and are yielded as :class:`~jixiao.runner.types.Done`
to :func:`jixiao.runner.batch.run_batch`, which applies the same ordering and duplicate logic as
for the local pool: same records, same order, same failure rows.

Worker loss is Dask's business: the scheduler reruns the tasks of a worker that died, and a
task that was running on ``distributed.scheduler.allowed-failures + 1`` workers that died
ends in ``KilledWorker``, which becomes that file's ``crashed`` record (start the scheduler
with ``DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES=1`` for "a file that kills two workers").
A task that raises is retried once (``retries=1``) before it is a ``crashed`` record.
Only files in flight are held in memory: at most :data:`IN_FLIGHT_PER_THREAD` tasks per
worker thread are submitted at a time; the next file is read when one comes back. With a
``window``, no file is submitted more than ``window`` places after the oldest one still running,
so what :func:`jixiao.runner.batch.iter_batch` holds back to put in order stays bounded however
long one file takes (a slow file no longer lets the rest of the batch pile up behind it).
"""

from __future__ import annotations

import multiprocessing as mp
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import CancelledError
from pathlib import Path
from typing import Any

from jixiao import __version__
from jixiao.models import Failure, Record
from jixiao.pipeline import read_input
from jixiao.runner.pool import IsolatedParser
from jixiao.runner.types import Done, ExecutorError, Limits, failure_record

TASK_RETRIES = 1
IN_FLIGHT_PER_THREAD = 2  # one running, one waiting on the worker: no idle gap, little memory
CONNECT_TIMEOUT_S = 30.0
WORKERS_TIMEOUT_S = 60.0  # a cluster with no worker: fail the batch rather than wait forever

Task = Callable[[str, bytes, str | None, Limits], tuple[str, list[Record]]]

_local = threading.local()


def parse_task(name: str, data: bytes, sha256: str | None, limits: Limits) -> tuple[str, list[Record]]:
    """The task run on a Dask worker: ``(jixiao version, records)`` of one file's bytes.

    Each worker thread keeps one long-lived child parser (started from a fork server,
    so the worker's own threads never leak into it) and replaces it when it dies or hangs.
    """
    parser: IsolatedParser | None = getattr(_local, "parser", None)
    if parser is None:
        _allow_children()
        parser = _local.parser = IsolatedParser()
    return __version__, parser.parse(name, data, sha256, limits)


def _allow_children() -> None:
    """Let a daemonic Dask worker start the parser's child process.

    Dask's nanny starts workers as daemon processes (``distributed.worker.daemon: true``)
    and multiprocessing refuses children to a daemon, because they would be orphaned when
    it is terminated. Ours are not: the child exits when its pipe to this worker closes, and
    it is killed on its deadline. Setting ``DASK_DISTRIBUTED__WORKER__DAEMON=False`` on the
    workers does the same from outside.
    """
    config = getattr(mp.current_process(), "_config", None)
    if isinstance(config, dict) and config.get("daemon"):
        config["daemon"] = False


def run_on_dask(
    jobs: Sequence[tuple[int, Path, str | None]],
    scheduler: str,
    limits: Limits,
    task: Task = parse_task,
    in_flight: int | None = None,
    window: int | None = None,
) -> Iterator[Done]:
    """Parse ``(index, path, sha256)`` jobs on the cluster at ``scheduler``; yields each as it finishes,
    never more than ``window`` jobs past the oldest unfinished one (``None``: no bound).

    ``task`` is :func:`parse_task` (tests pass another module-level function).
    Raises :class:`~jixiao.runner.types.ExecutorError` when the cluster cannot be reached, has no
    worker, runs another jixiao version, or is lost mid-batch.
    """
    try:
        from distributed import Client
    except ImportError as exc:  # pragma: no cover - the extra is part of dev
        raise ExecutorError(
            "--executor dask 需要安装 cluster 扩展 / needs the cluster extra: pip install 'jixiao[cluster]'"
        ) from exc
    if not jobs:
        return
    try:
        client = Client(scheduler, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ExecutorError(f"无法连接 Dask 调度器 / cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
    with client:
        try:
            client.wait_for_workers(1, timeout=WORKERS_TIMEOUT_S)
        except TimeoutError as exc:
            raise ExecutorError(
                f"Dask 调度器 {scheduler} 在 {WORKERS_TIMEOUT_S:g} 秒内没有工作进程 / "
                f"the Dask scheduler at {scheduler} has had no worker for {WORKERS_TIMEOUT_S:g} s"
            ) from exc
        yield from _stream(client, jobs, limits, task, in_flight, window)


def _stream(
    client: Any, jobs: Sequence[tuple[int, Path, str | None]], limits: Limits, task: Task, in_flight: int | None,
    window: int | None,
) -> Iterator[Done]:
    from distributed import as_completed

    if in_flight is None:
        threads = sum(w.get("nthreads", 1) for w in client.scheduler_info()["workers"].values())
        in_flight = max(2, IN_FLIGHT_PER_THREAD * threads)
    run = uuid.uuid4().hex[:8]
    queue = deque(jobs)
    meta: dict[str, tuple[int, Path, str | None, float]] = {}
    unreadable: list[Done] = []
    pending = as_completed(loop=client.loop, with_results=True, raise_errors=False)  # fetched as they finish

    def fill() -> None:
        """Submit files until ``in_flight`` are out; unreadable ones are answered here, as locally."""
        while queue and pending.count() < in_flight:
            if window is not None and meta and queue[0][0] - min(m[0] for m in meta.values()) >= window:
                return  # the oldest file still runs: the next is submitted when it comes back
            index, path, sha = queue.popleft()
            started = time.monotonic()
            data = read_input(path)
            if isinstance(data, Failure):
                unreadable.append(Done(index, path, [data], 0.0))
                continue
            key = f"jixiao-parse-{run}-{index}"
            meta[key] = (index, path, sha, started)
            pending.add(client.submit(task, str(path), data, sha, limits, key=key, retries=TASK_RETRIES, pure=False))

    fill()
    yield from _drain(unreadable)
    for future, result in pending:
        index, path, sha, started = meta.pop(future.key)
        records = _records(future.status, result, path, sha)
        future.release()
        yield Done(index, path, records, time.monotonic() - started)
        fill()
        yield from _drain(unreadable)


def _drain(items: list[Done]) -> Iterator[Done]:
    while items:
        yield items.pop(0)


def _records(status: str, result: Any, path: Path, sha: str | None) -> list[Record]:
    """A finished task's records; ``result`` is what ``as_completed(with_results=True,
    raise_errors=False)`` gives: the value, ``(type, exception, traceback)`` for an error,
    or a ``CancelledError``."""
    from distributed import KilledWorker

    if isinstance(result, CancelledError) or status == "cancelled":
        raise ExecutorError(f"与 Dask 调度器的连接中断 / lost the Dask scheduler mid-batch: {result}")
    if status == "error":
        exc = result[1]
        if isinstance(exc, KilledWorker):
            zh = "解析该文件的任务使 Dask 工作进程多次退出"
            en = f"the task parsing this file killed Dask workers ({type(exc).__name__}: {exc})"
        else:  # the task raised twice (retries=1): that file's failure, not the batch's
            zh = "Dask 任务出错"
            en = f"the Dask task failed: {type(exc).__name__}: {exc}"
        return [failure_record(path, sha, "crashed", zh, en)]
    version, records = result
    if version != __version__:
        raise ExecutorError(
            f"Dask 工作进程运行 jixiao {version}，本机为 {__version__}，请在各节点安装同一版本 / "
            f"a Dask worker runs jixiao {version}, this machine {__version__}: install the same version everywhere"
        )
    return list(records)


def dask_setup(worker: Any) -> None:
    """Run by ``dask worker … --preload jixiao.dask_runner`` (or ``jixiao.runner.dask``): start the parser's fork server (and
    import the parser into it) as the worker starts, rather than on its first file."""
    from multiprocessing import forkserver

    _allow_children()
    IsolatedParser()  # sets the fork server's preload
    forkserver.ensure_running()
