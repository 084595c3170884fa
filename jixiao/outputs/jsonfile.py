"""JSON and JSON Lines writers (SPEC §2 records), written atomically."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from jixiao.models import Record
from jixiao.outputs.atomic import atomic_write
from jixiao.outputs.records import decimal_default, record_to_dict


def dumps(record: Record) -> str:
    return json.dumps(record_to_dict(record), ensure_ascii=False, default=decimal_default)


def write_jsonl(records: Iterable[Record], path: Path) -> None:
    with atomic_write(path) as fh:
        for record in records:
            fh.write(dumps(record) + "\n")


def write_json(records: Iterable[Record], path: Path) -> None:
    data = [record_to_dict(r) for r in records]
    with atomic_write(path) as fh:
        json.dump(data, fh, ensure_ascii=False, indent=2, default=decimal_default)
        fh.write("\n")
