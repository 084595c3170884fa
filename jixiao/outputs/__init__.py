"""Writers chosen by the output file's suffix."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from jixiao.models import Record
from jixiao.outputs.jsonfile import write_json, write_jsonl

Writer = Callable[[Sequence[Record], Path], None]
WRITERS: dict[str, Writer] = {".jsonl": write_jsonl, ".json": write_json}


class UnknownFormat(ValueError):
    pass


def writer_for(path: Path) -> Writer:
    suffix = path.suffix.lower()
    if suffix not in WRITERS:
        known = " ".join(sorted(WRITERS))
        raise UnknownFormat(f"不支持的输出格式 {suffix or '(无后缀)'}，可用：{known} / unknown output format, use one of: {known}")
    return WRITERS[suffix]


def write(records: Sequence[Record], path: Path) -> None:
    writer_for(path)(records, path)
