"""The one record → dict function every writer is fed from.

Dicts keep ``Decimal`` values; each writer decides how to store them (JSON
writes them as numbers with the digits the document wrote, Excel as numbers).
Field order follows SPEC §2 so a JSON line reads like the spec.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from jixiao.models import Box, Failure, Record, Report


def _plain(value: Any) -> Any:
    if isinstance(value, Box):
        return [value.page, round(value.x0, 2), round(value.y0, 2), round(value.x1, 2), round(value.y1, 2)]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def record_to_dict(record: Record) -> dict[str, Any]:
    """SPEC §2 record as plain data (Decimals kept)."""
    data: dict[str, Any] = _plain(record)
    if isinstance(record, Report):
        data.pop("total_box", None)
        data.pop("grade_box", None)
    return data


def decimal_default(value: Any) -> Any:
    """``json.dumps`` hook: a Decimal becomes a JSON number with the same digits."""
    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral_value() else int(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def is_failure(record: Record) -> bool:
    return isinstance(record, Failure)
