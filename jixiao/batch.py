"""The batch's old address, kept for code that imports it: everything lives in :mod:`jixiao.runner`."""

from __future__ import annotations

from jixiao.runner.batch import parse_many, run_batch
from jixiao.runner.pool import MAX_TASKS_PER_WORKER, IsolatedParser
from jixiao.runner.types import (
    DEFAULT_MEMORY_MB,
    DEFAULT_TIMEOUT_S,
    EXECUTORS,
    Done,
    Executor,
    ExecutorError,
    Job,
    Limits,
    default_workers,
    failure_record,
    file_sha256,
)

__all__ = [
    "DEFAULT_MEMORY_MB",
    "DEFAULT_TIMEOUT_S",
    "EXECUTORS",
    "MAX_TASKS_PER_WORKER",
    "Done",
    "Executor",
    "ExecutorError",
    "IsolatedParser",
    "Job",
    "Limits",
    "default_workers",
    "failure_record",
    "file_sha256",
    "parse_many",
    "run_batch",
]
