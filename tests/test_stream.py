"""A batch as a stream (issue 17): writers fed one file at a time write what they wrote fed the whole
batch, Parquet's schema does not depend on the first rows, lines reach the disk while the batch is
still going, and the checks across reports done unit by unit find what the whole batch finds."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest

from jixiao.audit import judge
from jixiao.cli import _HtmlRecords
from jixiao.frames import COLUMNS, TABLES
from jixiao.html import write_html
from jixiao.inputs import expand
from jixiao.models import Failure, Record, Report
from jixiao.outputs import open_sink, write
from jixiao.outputs.jsonfile import JsonlSink
from jixiao.outputs.tabular import ARROW_TYPES, CsvSink, ParquetSink, XlsxSink, table_path
from jixiao.pipeline import parse_path
from jixiao.runner import iter_batch
from jixiao.store import RunCounts, iter_incremental, open_store
from jixiao.stream import AcrossIndex, Spill, with_found
from jixiao.validate.profile import MOF
from tests.conftest import sample

AUDIT = Path(__file__).resolve().parent.parent / "samples" / "audit"
NAMES = ["seed-department-report.pdf", "project-consistent.pdf", "multi-table-two-projects.pdf"]


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> list[Record]:
    bad = tmp_path_factory.mktemp("bad") / "not.pdf"
    bad.write_text("这不是 PDF", encoding="utf-8")
    out = [r for name in NAMES for r in parse_path(sample(name))]
    return [*out[:2], *parse_path(bad), *out[2:]]


def by_file(records: Sequence[Record]) -> list[list[Record]]:
    files: list[list[Record]] = []
    for r in records:
        if files and files[-1][0].source.path == r.source.path:
            files[-1].append(r)
        else:
            files.append([r])
    return files


def test_streamed_writers_write_what_the_whole_batch_writes(records: list[Record], tmp_path: Path) -> None:
    whole, streamed = tmp_path / "whole", tmp_path / "streamed"
    for suffix in ("jsonl", "json", "csv", "parquet", "xlsx"):
        write(records, whole / f"out.{suffix}")
    sinks = [
        open_sink(streamed / "out.jsonl"), open_sink(streamed / "out.json"), CsvSink(streamed / "out.csv", size=1),
        ParquetSink(streamed / "out.parquet", size=2), XlsxSink(streamed / "out.xlsx", size=1),
    ]
    for file_records in by_file(records):  # one file at a time, as the CLI hands them over
        for sink in sinks:
            sink.add(file_records)
    for sink in sinks:
        sink.close()
    for name in ("out.jsonl", "out.json"):
        assert (streamed / name).read_bytes() == (whole / name).read_bytes()
    assert len((streamed / "out.jsonl").read_text(encoding="utf-8").splitlines()) == 5
    assert json.loads((streamed / "out.json").read_text(encoding="utf-8"))[2]["status"] == "failed"
    for table in TABLES:
        assert table_path(streamed / "out.csv", table).read_bytes() == table_path(whole / "out.csv", table).read_bytes()
        pd.testing.assert_frame_equal(
            pd.read_parquet(table_path(streamed / "out.parquet", table)),
            pd.read_parquet(table_path(whole / "out.parquet", table)),
        )
    a = pd.read_excel(streamed / "out.xlsx", sheet_name=None)
    b = pd.read_excel(whole / "out.xlsx", sheet_name=None)
    assert list(a) == ["报告", "资金", "指标", "问题", "失败"]
    for sheet in a:
        pd.testing.assert_frame_equal(a[sheet], b[sheet])
    assert a["报告"].shape[0] == 4 and a["失败"].shape[0] == 1
    book = openpyxl.load_workbook(streamed / "out.xlsx")
    assert book["报告"].auto_filter.ref == f"A1:{book['报告'].cell(1, book['报告'].max_column).column_letter}5"
    assert book["报告"].freeze_panes == "A2"
    assert sorted(p.name for p in streamed.iterdir() if p.name.startswith(".")) == []  # no temporary file left


def test_parquet_schema_comes_from_the_columns_not_the_first_rows(records: list[Record], tmp_path: Path) -> None:
    failure = next(r for r in records if isinstance(r, Failure))
    department = records[0]
    project = next(r for r in records if isinstance(r, Report) and r.project_name)
    assert isinstance(department, Report) and department.project_name is None
    with ParquetSink(tmp_path / "out.parquet", size=1) as sink:
        sink.add([failure])  # the first row groups: no report at all, then a report without a project name
        sink.add([department])
        sink.add([project])
    for table in TABLES:
        schema = pq.read_schema(table_path(tmp_path / "out.parquet", table))
        assert [(f.name, f.type) for f in schema] == [(n, ARROW_TYPES[k]) for n, k in COLUMNS[table].items()]
    reports = pd.read_parquet(table_path(tmp_path / "out.parquet", "reports"))
    assert reports["project_name"].tolist()[0] is None or pd.isna(reports["project_name"].tolist()[0])
    assert reports["project_name"].tolist()[1] == project.project_name
    assert str(reports["fiscal_year"].dtype) == "Int64"
    empty = pd.read_parquet(table_path(tmp_path / "out.parquet", "failures"))
    assert empty["file"].tolist() == [failure.source.path]


def test_jsonl_lines_reach_the_disk_while_the_batch_goes_on(tmp_path: Path) -> None:
    files = [sample(name) for name in NAMES]
    out = tmp_path / "out.jsonl"
    seen: list[int] = []
    with JsonlSink(out) as sink:
        for done in iter_batch(files, workers=0):
            sink.add(done.records)
            (temp,) = tmp_path.glob(".out.jsonl.*.tmp")
            seen.append(len(temp.read_text(encoding="utf-8").splitlines()))
            assert not out.exists()  # published only at the end
    assert seen == [1, 2, 4]  # the two-project file adds two lines, before the batch has ended
    assert len(out.read_text(encoding="utf-8").splitlines()) == 4


def test_an_aborted_sink_leaves_the_target_as_it_was(records: list[Record], tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    out.write_bytes(b"old")
    with pytest.raises(RuntimeError), XlsxSink(out) as sink:
        sink.add(records)
        raise RuntimeError("stop")
    assert out.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]


def test_iter_incremental_streams_in_input_order_and_counts_at_the_end(tmp_path: Path) -> None:
    files = [sample(name) for name in NAMES]
    with open_store(tmp_path / "state.sqlite") as store:
        first = RunCounts()
        stream = iter_incremental(store, files[:2], workers=0, counts=first)
        done = next(stream)
        assert done.index == 0 and done.path == files[0] and first.run_id == 1 and not first.finished
        # parsed and saved already, before the run ends
        assert store.execute("SELECT path FROM files") == [(str(files[0]),)]
        rest = list(stream)
        assert [d.index for d in rest] == [1] and first.finished
        assert (first.parsed, first.cached, first.removed) == (2, 0, [])
        again = RunCounts()
        items = list(iter_incremental(store, files, workers=0, counts=again))
        assert [d.path for d in items] == files and [len(d.records) for d in items] == [1, 1, 2]
        assert (again.run_id, again.parsed, again.cached) == (2, 1, 2)


def test_iter_incremental_marks_copies_like_a_fresh_batch(tmp_path: Path) -> None:
    a, b = tmp_path / "a.pdf", tmp_path / "b.pdf"
    a.write_bytes(sample(NAMES[1]).read_bytes())
    b.write_bytes(a.read_bytes())
    with open_store(tmp_path / "state.sqlite") as store:
        list(iter_incremental(store, [a], workers=0))
        items = list(iter_incremental(store, [a, b], workers=0))  # a loaded, b parsed: b is a's copy
    fresh = list(iter_batch([a, b], workers=0))
    assert [d.records for d in items] == [d.records for d in fresh]
    assert items[1].records[0].source.duplicate_of == str(a)


def test_across_reports_unit_by_unit_finds_what_the_whole_batch_finds() -> None:
    batch = [r for f in expand([AUDIT / "planted"]) for r in parse_path(f)]
    context = [r for f in expand([AUDIT / "consistent"])[:3] for r in parse_path(f)]
    for given, n in (((), 3), (context, 2)):  # with the store's reports: whatever judge() finds over all at once
        index = AcrossIndex()
        index.add(given, in_batch=False)
        index.add(batch)
        found = index.findings(MOF)
        index.close()
        got = [r for file_records in by_file(batch) for r in with_found(file_records, found)]
        assert got == judge(batch, MOF, given)
        assert sum(1 for r in got if isinstance(r, Report) for f in r.findings if f.scope == "batch") == n


def test_spill_reads_back_in_order_and_by_offset() -> None:
    with Spill() as spill:
        offsets = [spill.add({"n": i}) for i in range(5)]
        it = iter(spill)
        assert next(it) == {"n": 0}
        assert spill.at(offsets[3]) == {"n": 3}  # reading elsewhere in between does not lose the place
        assert list(it) == [{"n": i} for i in range(1, 5)]


def test_html_holds_the_first_records_and_says_where_the_rest_are(records: list[Record], tmp_path: Path) -> None:
    html = _HtmlRecords(True, limit=2)
    for file_records in by_file(records):
        html.add(file_records)
    assert html.records == records[:2] and html.left_out == 3
    size = write_html(html.records, tmp_path / "r.html", files=4, note="只含前 2 条 / the first 2 records only")
    text = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert size == len(text.encode("utf-8")) and "只含前 2 条 / the first 2 records only" in text
