"""Batches: every input accounted for, isolation by process, limits, duplicates, order."""

from __future__ import annotations

import shutil
from pathlib import Path

from jixiao.batch import Limits, run_batch
from jixiao.inputs import expand
from jixiao.models import Failure, Report
from tests import fuzzcorpus
from tests.conftest import SAMPLES

BAD_KINDS = {
    "empty.pdf": "empty",
    "encrypted-user-password.pdf": "encrypted",
    "not-a-pdf.pdf": "not_pdf",
    "not-a-report.pdf": "no_report_found",
    "truncated.pdf": "corrupt",
}


def test_every_bad_file_gets_its_failure_kind() -> None:
    results = run_batch(expand([SAMPLES / "bad"]), workers=2)
    kinds = {Path(d.path).name: [r.error.kind for r in d.records if isinstance(r, Failure)] for d in results}
    assert kinds == {name: [kind] for name, kind in BAD_KINDS.items()}
    for done in results:
        (failure,) = done.records
        assert isinstance(failure, Failure)
        assert " / " in failure.error.message  # Chinese / English


def test_mixed_folder_keeps_input_order_and_matches_in_process_run() -> None:
    files = [f for f in expand([SAMPLES]) if f.parent.name != "scanned"]  # OCR'd in test_ocr.py
    isolated = run_batch(files, workers=2)
    inline = run_batch(files, workers=0)
    assert [d.path for d in isolated] == files
    assert [r for d in isolated for r in d.records] == [r for d in inline for r in d.records]
    has_report = {d.path: any(isinstance(r, Report) for r in d.records) for d in isolated}
    # which real-layout samples give a report (narratives and fragments never do) is asserted in test_real_layouts.py
    has_report = {f: v for f, v in has_report.items() if not Path(f).name.startswith("real-")}
    assert has_report == {f: Path(f).parent.name != "bad" for f in has_report}


def test_duplicates_are_parsed_once_and_marked(tmp_path: Path) -> None:
    first = tmp_path / "a.pdf"
    second = tmp_path / "b" / "copy.PDF"
    second.parent.mkdir()
    shutil.copy(SAMPLES / "project-consistent.pdf", first)
    shutil.copy(SAMPLES / "project-consistent.pdf", second)
    seen: list[Path] = []
    results = run_batch(expand([tmp_path]), workers=1, on_done=lambda d: seen.append(d.path))
    assert [d.path for d in results] == [first, second]
    (orig,) = results[0].records
    (copy,) = results[1].records
    assert orig.source.duplicate_of is None
    assert copy.source.duplicate_of == str(first) and copy.source.path == str(second)
    assert isinstance(copy, Report) and isinstance(orig, Report) and copy.indicators == orig.indicators
    assert sorted(seen) == [first, second]


def test_timeout_becomes_a_failure_row() -> None:
    (done,) = run_batch([SAMPLES / "seed-department-report.pdf"], workers=1, limits=Limits(timeout_s=0.001))
    (failure,) = done.records
    assert isinstance(failure, Failure) and failure.error.kind == "timeout"


def test_files_sent_ahead_to_a_worker_that_hangs_are_parsed_by_its_replacement(tmp_path: Path) -> None:
    """A worker is sent its next file while it parses one; when that one hangs and the
    worker is killed, the file sent ahead goes to the replacement, not into a failure row."""
    slow = tmp_path / "slow.pdf"
    slow.write_bytes(fuzzcorpus.bomb(60))  # 60 MB of path operators: most of a minute to read
    files = [slow, SAMPLES / "project-consistent.pdf", SAMPLES / "seed-department-report.pdf"]
    results = run_batch(files, workers=1, limits=Limits(timeout_s=2.0))
    outcomes = [[r.error.kind if isinstance(r, Failure) else "report" for r in d.records] for d in results]
    assert outcomes == [["timeout"], ["report"], ["report"]]
    assert results[1].records == run_batch(files[1:2], workers=0)[0].records


def test_folder_walk_is_recursive_case_insensitive_and_loop_safe(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "A.PDF").write_bytes(b"%PDF-1.4")
    (tmp_path / "x" / "notes.txt").write_text("no")
    (tmp_path / "x" / "loop").symlink_to(tmp_path)
    assert expand([tmp_path]) == [tmp_path / "x" / "A.PDF"]


def test_large_results_travel_through_a_file_that_is_removed() -> None:
    from jixiao.pipeline import parse_path
    from jixiao.runner.worker import spill as _spill
    from jixiao.runner.worker import unspill as _unspill

    records = parse_path(SAMPLES / "seed-department-report.pdf")
    spilled = _spill(records)
    assert Path(spilled.path).exists()
    assert _unspill(spilled) == records
    assert not Path(spilled.path).exists()
    assert _unspill(records) is records  # small results come through the pipe as they are


def test_stream_keeps_input_order_and_holds_at_most_the_window(tmp_path: Path) -> None:
    """A slow first file: without a window every later file would finish and wait for it."""
    from jixiao.runner import iter_batch

    slow = tmp_path / "slow.pdf"
    slow.write_bytes(fuzzcorpus.bomb(60))
    good = [SAMPLES / "project-consistent.pdf", SAMPLES / "seed-department-report.pdf",
            SAMPLES / "department-split-table.pdf", SAMPLES / "multi-table-two-projects.pdf"]
    files = [slow, *good, good[0]]  # the last one a copy of the second
    finished: list[int] = []
    waiting: list[int] = []
    given: list[int] = []
    for done in iter_batch(files, workers=2, limits=Limits(timeout_s=3.0), on_done=lambda d: finished.append(d.index),
                           window=2):
        waiting.append(len(finished) - len(given))
        given.append(done.index)
    assert given == list(range(len(files)))
    assert finished[0] == 1  # the second worker went on while the slow file ran
    assert max(waiting) <= 2 + 1  # the window, and the copy that comes with its original
    assert [d.records for d in iter_batch(files[1:], workers=2)] == [d.records for d in run_batch(files[1:], workers=0)]
