"""jixiao (绩效): read Chinese performance self-evaluation reports and check their arithmetic.

Library first: ``jixiao.parse(path)`` gives the reports of one PDF; the CLI is
a thin layer over the same calls.
"""

from __future__ import annotations

__version__ = "0.1.0"

from jixiao.models import Failure, Finding, Indicator, Record, Report
from jixiao.pipeline import ParseFailed, parse, parse_path

__all__ = [
    "Failure",
    "Finding",
    "Indicator",
    "ParseFailed",
    "Record",
    "Report",
    "__version__",
    "parse",
    "parse_path",
]
