"""Writers chosen by the output file's suffix."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from jixiao.models import Record
from jixiao.outputs.jsonfile import JsonlSink, JsonSink, write_json, write_jsonl
from jixiao.outputs.sink import Sink

Writer = Callable[[Sequence[Record], Path], None]


# The table writers load pandas, pyarrow and openpyxl only when a table is written,
# so `jixiao check` without -o starts as fast as before.
def write_xlsx(records: Sequence[Record], path: Path) -> None:
    from jixiao.outputs import tabular

    tabular.write_xlsx(records, path)


def write_csv(records: Sequence[Record], path: Path) -> None:
    """``out.csv`` → ``out.reports.csv``, ``out.funds.csv``, … (one file per table)."""
    from jixiao.outputs import tabular

    tabular.write_csv(records, path)


def write_parquet(records: Sequence[Record], path: Path) -> None:
    """``out.parquet`` → ``out.reports.parquet``, ``out.funds.parquet``, … (one file per table)."""
    from jixiao.outputs import tabular

    tabular.write_parquet(records, path)


WRITERS: dict[str, Writer] = {
    ".jsonl": write_jsonl,
    ".json": write_json,
    ".xlsx": write_xlsx,
    ".csv": write_csv,
    ".parquet": write_parquet,
}


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


def open_sink(path: Path) -> Sink:
    """A streaming writer for ``path`` (format by suffix, as :func:`writer_for`): ``add`` each file's
    records as they come, ``close`` at the end (or ``abort``). Raises :class:`UnknownFormat`."""
    writer_for(path)
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        return JsonlSink(path)
    if suffix == ".json":
        return JsonSink(path)
    from jixiao.outputs import tabular

    sinks: dict[str, Callable[[Path], Sink]] = {
        ".xlsx": tabular.XlsxSink, ".csv": tabular.CsvSink, ".parquet": tabular.ParquetSink,
    }
    return sinks[suffix](path)
