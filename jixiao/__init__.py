"""jixiao (绩效): read Chinese performance self-evaluation reports and check their arithmetic.

Library first: ``jixiao.parse(path)`` gives the reports of one PDF; the CLI is
a thin layer over the same calls. ``jixiao.parse_many(paths)`` parses a batch,
``jixiao.to_frames(records)`` turns records into pandas tables and
``jixiao.read_db("STATE.sqlite")`` reads the same tables from a ``--db`` store.
"""

from __future__ import annotations

__version__ = "0.1.0"

from typing import TYPE_CHECKING, Any

from jixiao.models import Failure, Finding, Indicator, Record, Report
from jixiao.pipeline import ParseFailed, parse, parse_path

if TYPE_CHECKING:
    from jixiao.frames import to_frames
    from jixiao.runner import parse_many
    from jixiao.store import read_db

# Loaded on first use: the first two import pandas, which would slow every `import jixiao` (and the
# CLI); the runner brings multiprocessing, about 0.1 s of every worker's and one-file parse's start.
_LAZY = {"to_frames": "jixiao.frames", "read_db": "jixiao.store", "parse_many": "jixiao.runner"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'jixiao' has no attribute {name!r}")


__all__ = [
    "Failure",
    "Finding",
    "Indicator",
    "ParseFailed",
    "Record",
    "Report",
    "__version__",
    "parse",
    "parse_many",
    "parse_path",
    "read_db",
    "to_frames",
]
