"""What every part of the runner shares: per-file limits, one input's outcome, failure rows.

The bottom of the runner's imports: this module imports nothing else of the runner,
so the local pool, the Dask executor and the batch can all depend on it.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from jixiao.extract.pdf import PdfLimits
from jixiao.models import Failure, FailureError, FailureKind, Record, Source

Executor = Literal["local", "dask"]
EXECUTORS: tuple[Executor, ...] = ("local", "dask")

DEFAULT_TIMEOUT_S = 120.0
DEFAULT_MEMORY_MB = 2048


@dataclass(frozen=True)
class Limits:
    """Per-file limits; defaults a real report never comes near.

    ``memory_mb`` is the memory a worker may add to what it holds when it is ready for its
    first file: under ``fork`` the parent's mappings (pandas, a Dask client's threads and
    their malloc arenas) are shared, not the parse's, and must not eat into its allowance.
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


Job = tuple[str, bytes] | str
"""What a worker is sent: a path to read, or a file's name and bytes (from a Dask task)."""


class ExecutorError(RuntimeError):
    """The batch cannot go on (the Dask scheduler cannot be reached or was lost): no one file's fault."""


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
