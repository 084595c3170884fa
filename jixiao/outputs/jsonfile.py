"""JSON and JSON Lines writers (SPEC §2 records), written atomically and record by record."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path

from jixiao.models import Record
from jixiao.outputs.atomic import atomic_write
from jixiao.outputs.records import decimal_default, record_to_dict
from jixiao.outputs.sink import Sink


def dumps(record: Record) -> str:
    return json.dumps(record_to_dict(record), ensure_ascii=False, default=decimal_default)


class JsonlSink(Sink):
    """One line per record, written as soon as it is added."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self._fh = self._enter(atomic_write(path))

    def add(self, records: Sequence[Record]) -> None:
        for record in records:
            self._fh.write(dumps(record) + "\n")
        self._fh.flush()  # a file's lines are on disk (in the temporary file) as soon as it is added


class JsonSink(Sink):
    """One JSON array, indented as ``json.dump(records, indent=2)`` writes it, element by element."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self._fh = self._enter(atomic_write(path))
        self._first = True

    def add(self, records: Sequence[Record]) -> None:
        for record in records:
            text = json.dumps(record_to_dict(record), ensure_ascii=False, indent=2, default=decimal_default)
            self._fh.write(("[\n" if self._first else ",\n") + "\n".join("  " + line for line in text.split("\n")))
            self._first = False

    def finish(self) -> None:
        self._fh.write("[]\n" if self._first else "\n]\n")


def write_jsonl(records: Iterable[Record], path: Path) -> None:
    with JsonlSink(path) as sink:
        sink.add(list(records))


def write_json(records: Iterable[Record], path: Path) -> None:
    with JsonSink(path) as sink:
        sink.add(list(records))
