"""JSON Schema of the output records, generated from the dataclasses.

Generated rather than written so that it cannot drift from the models; it
follows the writers' conventions (a Box is ``[page, x0, y0, x1, y1]``, a
Decimal a number). ``python -m jixiao.schema`` prints it.
"""

from __future__ import annotations

import dataclasses
import json
import types
from decimal import Decimal
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

from jixiao.models import Box, Failure, Report

OMITTED: dict[type, set[str]] = {}


def _type_schema(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    origin = get_origin(tp)
    if tp is Box:
        return {"type": "array", "items": {"type": "number"}, "minItems": 5, "maxItems": 5}
    if tp is Decimal:
        return {"type": "number"}
    if tp is str:
        return {"type": "string"}
    if tp is bool:
        return {"type": "boolean"}
    if tp is int:
        return {"type": "integer"}
    if tp is float:
        return {"type": "number"}
    if tp is type(None):
        return {"type": "null"}
    if origin is Literal:
        return {"enum": list(get_args(tp))}
    if origin in (Union, types.UnionType):
        return {"anyOf": [_type_schema(a, defs) for a in get_args(tp)]}
    if origin in (tuple, list):
        args = get_args(tp)
        return {"type": "array", "items": _type_schema(args[0], defs)}
    if origin is dict:
        return {"type": "object", "additionalProperties": _type_schema(get_args(tp)[1], defs)}
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        name = tp.__name__
        if name not in defs:
            defs[name] = {}
            defs[name] = _dataclass_schema(tp, defs)
        return {"$ref": f"#/$defs/{name}"}
    raise TypeError(f"no schema for {tp!r}")


def _dataclass_schema(cls: Any, defs: dict[str, Any]) -> dict[str, Any]:
    hints = get_type_hints(cls)
    skip = OMITTED.get(cls, set())
    props = {f.name: _type_schema(hints[f.name], defs) for f in dataclasses.fields(cls) if f.name not in skip}
    return {"type": "object", "properties": props, "required": sorted(props), "additionalProperties": False}


def record_schema() -> dict[str, Any]:
    defs: dict[str, Any] = {}
    one_of = [_type_schema(Report, defs), _type_schema(Failure, defs)]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "jixiao record (report or failure)",
        "oneOf": one_of,
        "$defs": defs,
    }


if __name__ == "__main__":
    print(json.dumps(record_schema(), ensure_ascii=False, indent=2))
