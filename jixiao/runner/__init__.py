"""The runner: many files through isolated workers, locally or on a Dask cluster.

Its modules import one way only, each from those listed before it:
``types`` (limits, outcomes, failure rows) → ``start`` (how workers start) →
``watchdog`` (memory cap without ``RLIMIT_AS``) → ``worker`` (the code in a worker) →
``pool`` (the local pool, :class:`IsolatedParser`) → ``dask`` (the Dask executor) →
``batch`` (:func:`run_batch`: duplicates, order; imports ``dask`` only when asked).
"""

from __future__ import annotations

from jixiao.runner.batch import iter_batch, parse_many, run_batch
from jixiao.runner.start import START_METHODS, UnknownStartMethod, start_method
from jixiao.runner.types import (
    DEFAULT_MEMORY_MB,
    DEFAULT_TIMEOUT_S,
    EXECUTORS,
    Done,
    Executor,
    ExecutorError,
    Limits,
    default_workers,
    failure_record,
    file_sha256,
)

__all__ = [
    "DEFAULT_MEMORY_MB",
    "DEFAULT_TIMEOUT_S",
    "EXECUTORS",
    "START_METHODS",
    "Done",
    "Executor",
    "ExecutorError",
    "Limits",
    "UnknownStartMethod",
    "default_workers",
    "failure_record",
    "file_sha256",
    "iter_batch",
    "parse_many",
    "run_batch",
    "start_method",
]
