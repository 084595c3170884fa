"""The one record → dict function every writer is fed from.

Dicts keep ``Decimal`` values; each writer decides how to store them (JSON
writes them as numbers with the digits the document wrote, Excel as numbers).
Field order follows SPEC §2 so a JSON line reads like the spec.
"""

from __future__ import annotations

import dataclasses
import types
from decimal import Decimal
from functools import cache
from typing import Any, Union, get_args, get_origin, get_type_hints

from jixiao.models import Box, Failure, Record, Report


def _plain(value: Any) -> Any:
    if isinstance(value, Box):
        return [value.page, value.x0, value.y0, value.x1, value.y1]
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
    return data


def decimal_default(value: Any) -> Any:
    """``json.dumps`` hook: a Decimal becomes a JSON number with the same digits."""
    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral_value() else int(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def decimal_text(value: Any) -> Any:
    """``json.dumps`` hook for storage: a Decimal as its exact text, so ``1.00`` stays ``1.00``."""
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def is_failure(record: Record) -> bool:
    return isinstance(record, Failure)


def record_from_dict(data: dict[str, Any]) -> Record:
    """Inverse of :func:`record_to_dict` (also accepts its JSON form), for stores and readers."""
    cls: type = Failure if data.get("status") == "failed" else Report
    built = _build(cls, data)
    assert isinstance(built, (Report, Failure))
    return built


@cache
def _hints(tp: type) -> dict[str, Any]:
    return get_type_hints(tp)


def _build(tp: Any, value: Any) -> Any:
    origin = get_origin(tp)
    if value is None:
        return None
    if tp is Box:
        page, x0, y0, x1, y1 = value
        return Box(int(page), float(x0), float(y0), float(x1), float(y1))
    if tp is Decimal:
        return Decimal(str(value))
    if origin in (Union, types.UnionType):
        options = [a for a in get_args(tp) if a is not type(None)]
        return _build(options[0], value) if len(options) == 1 else value
    if origin is tuple:
        return tuple(_build(get_args(tp)[0], v) for v in value)
    if origin is dict:
        return {k: _build(get_args(tp)[1], v) for k, v in value.items()}
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        hints = _hints(tp)
        kwargs = {f.name: _build(hints[f.name], value[f.name]) for f in dataclasses.fields(tp) if f.name in value}
        return tp(**kwargs)
    return value
