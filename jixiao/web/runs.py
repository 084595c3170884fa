"""Background runs: files handed to the batch runner one run at a time, progress kept for the page.

A run is queued when it is posted and answered at once with its id; one thread takes the runs in
turn (two runs at once would fight over the same cores and the same store). Each run opens its own
store connection, parses only new or changed files (as ``check --db`` does, each file committed as
soon as it is parsed) and never marks other files removed: the workbench's store is a library that
grows. Cancelling stops after the file in hand; what was parsed stays. Progress lives in memory;
the reports themselves are in the store, so a restarted server shows everything but old runs.
"""

from __future__ import annotations

import itertools
import queue
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from jixiao.models import Failure
from jixiao.runner import Done, Limits, run_batch
from jixiao.store import open_store

RunState = Literal["queued", "running", "done", "failed", "cancelled"]
KEEP_RUNS = 200  # finished runs remembered for their pages; older ones are forgotten


class Cancelled(Exception):
    """Raised from the runner's callback to stop a cancelled run between files."""


@dataclass
class Run:
    """One run's live progress (mutated by the worker thread under :attr:`lock`)."""

    id: int
    files: list[Path]
    names: dict[str, str]
    state: RunState = "queued"
    done: int = 0
    failed: int = 0
    parsed: int = 0
    from_store: int = 0
    error: str | None = None
    started: float = field(default_factory=time.time)
    finished: float | None = None
    cancel: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def snapshot(self) -> dict[str, Any]:
        """The run as ``GET /api/runs/ID`` answers (SPEC §5), plus a few counts for the page."""
        with self.lock:
            return {
                "id": self.id,
                "state": self.state,
                "files": len(self.files),
                "done": self.done,
                "failed": self.failed,
                "parsed": self.parsed,
                "from_store": self.from_store,
                "error": self.error,
                "started": self.started,
                "finished": self.finished,
            }


class RunManager:
    """Runs by id, and the one thread that works through them."""

    def __init__(self, db: str, workers: int | None = None, limits: Limits | None = None) -> None:
        self.db = db
        self.workers = workers
        self.limits = limits or Limits()
        self._runs: dict[int, Run] = {}
        self._ids = itertools.count(1)
        self._queue: queue.Queue[Run | None] = queue.Queue()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._work, name="jixiao-runs", daemon=True)
        self._thread.start()

    def submit(self, files: list[Path], names: dict[str, str] | None = None) -> Run:
        with self._lock:
            run = Run(next(self._ids), files, names or {})
            self._runs[run.id] = run
            for old in sorted(self._runs)[:-KEEP_RUNS]:
                if self._runs[old].state not in ("queued", "running"):
                    del self._runs[old]
        self._queue.put(run)
        return run

    def get(self, run_id: int) -> Run | None:
        with self._lock:
            return self._runs.get(run_id)

    def recent(self, n: int = 20) -> list[Run]:
        with self._lock:
            return [self._runs[i] for i in sorted(self._runs, reverse=True)[:n]]

    def cancel(self, run_id: int) -> Run | None:
        run = self.get(run_id)
        if run is not None:
            run.cancel.set()
            with run.lock:
                if run.state == "queued":
                    run.state, run.finished = "cancelled", time.time()
        return run

    def stop(self, timeout: float = 60.0) -> None:
        """Cancel every run and wait for the one in hand to stop after its current file, so its
        worker processes are shut down before the server exits (never left running)."""
        for run in self.recent(KEEP_RUNS):
            run.cancel.set()
        self._queue.put(None)
        self._thread.join(timeout)

    def wait_idle(self, timeout: float = 60.0) -> bool:
        """Whether every run finished within ``timeout`` seconds (for tests and a clean shutdown)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if all(r.state not in ("queued", "running") for r in self.recent(KEEP_RUNS)):
                return True
            time.sleep(0.05)
        return False

    def _work(self) -> None:
        while (run := self._queue.get()) is not None:
            with run.lock:
                if run.state != "queued":
                    continue
                run.state = "running"
            try:
                self._run(run)
                state: RunState = "cancelled" if run.cancel.is_set() else "done"
                error = None
            except Cancelled:
                state, error = "cancelled", None
            except Exception as exc:  # a broken store or runner fails the run, never the server
                state, error = "failed", f"{type(exc).__name__}: {exc}"
            with run.lock:
                run.state, run.error, run.finished = state, error, time.time()

    def _run(self, run: Run) -> None:
        with open_store(self.db) as store:
            run_id = store.begin_run()
            plan = store.reuse(run_id, store.plan(run.files))
            stored = store.load_by_path(plan.unchanged)
            with run.lock:
                run.from_store = len(plan.unchanged)
                run.done = len(plan.unchanged)
                run.failed = sum(
                    1 for p in plan.unchanged if any(isinstance(r, Failure) for r in stored.get(p, []))
                )

            def saved(done: Done) -> None:
                state = plan.states[done.path]
                store.save(run_id, done.path, state.sha256, state.size, state.mtime, done.records)
                with run.lock:
                    run.done += 1
                    run.parsed += 1
                    run.failed += any(isinstance(r, Failure) for r in done.records)
                if run.cancel.is_set():
                    raise Cancelled

            try:
                if plan.to_parse and not run.cancel.is_set():
                    run_batch(plan.to_parse, workers=self.workers, limits=self.limits, on_done=saved)
            finally:
                store.finish_run(run_id, len(run.files))
