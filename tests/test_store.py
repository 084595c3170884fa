"""The incremental store behind ``--db``: real files in tmp_path, through the CLI and the API."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import jixiao
from jixiao.cli import main
from jixiao.frames import COLUMNS, REVIEW_COLUMNS, to_frames
from jixiao.inputs import expand
from jixiao.models import Failure, FailureError, Report, Source
from jixiao.runner import run_batch
from jixiao.store import (
    MIGRATIONS,
    SqliteStore,
    StoreError,
    file_key,
    finding_fingerprint,
    open_store,
    read_db,
    run_incremental,
)
from jixiao.store import schema as store_schema
from tests.conftest import SAMPLES

SEED = "seed-department-report.pdf"
PROJECT = "project-consistent.pdf"
SPLIT = "department-split-table.pdf"
NOT_PDF = "not-a-pdf.pdf"
GOOD = (SEED, PROJECT, SPLIT)


def folder(tmp_path: Path, names: tuple[str, ...] = (*GOOD, NOT_PDF)) -> Path:
    root = tmp_path / "in"
    root.mkdir()
    for name in names:
        shutil.copy(SAMPLES / ("bad" if name == NOT_PDF else "") / name, root / name)
    return root


def padded(src: Path, dst: Path, n: int) -> Path:
    """A copy that is still a valid PDF but hashes differently: a PDF comment after ``%%EOF``."""
    dst.write_bytes(src.read_bytes() + f"%%pad {n}\n".encode())
    return dst


def run(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.output


def runs(db: Path) -> list[tuple[int, int, int, bool]]:
    """(run_id, files_seen, files_parsed, finished) of every run."""
    with sqlite3.connect(db) as con:
        rows = con.execute("SELECT run_id, files_seen, files_parsed, finished_at IS NOT NULL FROM runs ORDER BY run_id")
        return [(a, b, c, bool(d)) for a, b, c, d in rows]


def query(db: Path, sql: str) -> list[tuple[object, ...]]:
    con = sqlite3.connect(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


# -- the nightly cycle through the CLI -------------------------------------------------------------


def test_first_run_parses_all_second_run_none_with_identical_output(tmp_path: Path) -> None:
    src, db = folder(tmp_path), tmp_path / "STATE.sqlite"
    code, text = run("check", src, "--db", db, "-w", "1", "-o", tmp_path / "first.jsonl")
    assert code == 3  # not-a-pdf failed; the others are still written
    assert "解析 parsed 4 · 取自存储 from store 0" in text
    assert runs(db) == [(1, 4, 4, True)]
    assert query(db, "SELECT kind FROM failures") == [("not_pdf",)]
    assert query(db, "SELECT status, COUNT(*) FROM files GROUP BY status ORDER BY status") == [("failed", 1), ("ok", 3)]

    code2, text2 = run("check", src, "--db", db, "-w", "1", "-o", tmp_path / "second.jsonl")
    assert code2 == 3
    assert "解析 parsed 0 · 取自存储 from store 4" in text2
    assert runs(db)[1] == (2, 4, 0, True)
    first = (tmp_path / "first.jsonl").read_bytes()
    assert (tmp_path / "second.jsonl").read_bytes() == first
    # and the same as a run without the store at all
    assert run("check", src, "-w", "1", "-o", tmp_path / "plain.jsonl")[0] == 3
    assert (tmp_path / "plain.jsonl").read_bytes() == first
    # the printed report blocks are the same too; only the store line differs
    assert text2.split("状态库 store")[0] == text.split("状态库 store")[0]


def test_changed_file_is_the_only_one_parsed(tmp_path: Path) -> None:
    src, db = folder(tmp_path), tmp_path / "STATE.sqlite"
    run("check", src, "--db", db, "-w", "1")
    padded(SAMPLES / SEED, src / PROJECT, 1)  # new bytes (no file of the store has them) under an old name
    code, text = run("check", src, "--db", db, "-w", "1", "-o", tmp_path / "out.jsonl")
    assert "解析 parsed 1 · 取自存储 from store 3" in text
    assert query(db, "SELECT path FROM files WHERE last_parsed_run = 2") == [(str(src / PROJECT),)]
    assert query(db, f"SELECT report_type FROM reports WHERE path = '{src / PROJECT}'") == [("department_overall",)]
    assert code == 3
    assert run("check", src, "-w", "1", "-o", tmp_path / "plain.jsonl")[0] == 3
    assert (tmp_path / "out.jsonl").read_bytes() == (tmp_path / "plain.jsonl").read_bytes()


def test_deleted_file_is_marked_removed_and_leaves_the_tables(tmp_path: Path) -> None:
    src, db = folder(tmp_path), tmp_path / "STATE.sqlite"
    run("check", src, "--db", db, "-w", "1")
    gone = src / SPLIT
    gone.unlink()
    _, text = run("check", src, "--db", db, "-w", "1")
    assert "已移除 removed 1" in text
    assert query(db, f"SELECT status, records_json, last_seen_run FROM files WHERE path = '{gone}'") == [("removed", None, 1)]
    for table in COLUMNS:
        assert query(db, f"SELECT COUNT(*) FROM {table} WHERE path = '{gone}'") == [(0,)]
    assert len(read_db(db)["reports"]) == 2
    # coming back, it is parsed again
    shutil.copy(SAMPLES / SPLIT, gone)
    _, text = run("check", src, "--db", db, "-w", "1")
    assert "解析 parsed 1 · 取自存储 from store 3" in text
    assert len(read_db(db)["reports"]) == 3


def test_extract_with_db_is_incremental_too(tmp_path: Path) -> None:
    src, db = folder(tmp_path, GOOD), tmp_path / "STATE.sqlite"
    assert run("extract", src, "--db", db, "-o", tmp_path / "a.json")[0] == 0
    code, text = run("extract", src, "--db", db, "-o", tmp_path / "b.json")
    assert code == 0
    assert "解析 parsed 0 · 取自存储 from store 3" in text
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


def test_copies_of_a_stored_file_read_as_in_a_fresh_run(tmp_path: Path) -> None:
    src, db = folder(tmp_path, (PROJECT,)), tmp_path / "STATE.sqlite"
    run("extract", src, "--db", db, "-o", tmp_path / "a.jsonl")
    shutil.copy(SAMPLES / PROJECT, src / "z-copy.pdf")  # a new file with the content of a stored one
    shutil.copy(SAMPLES / PROJECT, src / "a-copy.pdf")  # ... and one that comes first in input order
    _, text = run("extract", src, "--db", db, "-o", tmp_path / "b.jsonl")
    assert "解析 parsed 0 · 取自存储 from store 3" in text  # the content is in the store: nothing to parse
    run("extract", src, "-o", tmp_path / "plain.jsonl")
    stored = (tmp_path / "b.jsonl").read_text(encoding="utf-8")
    assert stored == (tmp_path / "plain.jsonl").read_text(encoding="utf-8")
    sources = [json.loads(line)["source"] for line in stored.splitlines()]
    assert [s["duplicate_of"] for s in sources] == [None, str(src / "a-copy.pdf"), str(src / "a-copy.pdf")]


# -- --new-only ------------------------------------------------------------------------------------


def test_new_only_shows_only_findings_first_seen_in_this_run(tmp_path: Path, seed: Report) -> None:
    src, db = folder(tmp_path, GOOD), tmp_path / "STATE.sqlite"
    code, text = run("check", src, "--db", db, "--new-only")
    assert code == 1  # first run: every finding is new
    assert "score_total" in text
    code, text = run("check", src, "--db", db, "--new-only")
    assert code == 0
    assert "问题 findings: 错误 errors 0 · 警告 warnings 0 · 提示 info 0" in text
    assert "p6-6" not in text  # no report block without a new finding
    assert "仅显示新问题 new findings only" in text
    shutil.copy(SAMPLES / SEED, src / "another-seed.pdf")
    code, text = run("check", src, "--db", db, "--new-only")
    assert code == 1
    counts = Counter(f.severity for f in seed.findings)
    assert (
        f"问题 findings: 错误 errors {counts['error']} · 警告 warnings {counts['warning']} · 提示 info {counts['info']}"
    ) in text
    blocks = [line for line in text.splitlines() if line.startswith(str(src))]
    assert len(blocks) == 1 and blocks[0].startswith(str(src / "another-seed.pdf"))
    # without --new-only the same store shows everything
    code, text = run("check", src, "--db", db)
    assert code == 1 and text.count("score_total") == 2 + 1  # two reports' lines + the summary


def test_new_only_needs_db(tmp_path: Path) -> None:
    code, text = run("check", SAMPLES / SEED, "--new-only")
    assert code == 2
    assert "--new-only" in text and "--db" in text


def test_finding_of_a_reparsed_file_keeps_its_first_run(tmp_path: Path) -> None:
    src, db = folder(tmp_path, (SEED,)), tmp_path / "STATE.sqlite"
    run("check", src, "--db", db)
    padded(SAMPLES / SEED, src / SEED, 1)  # new hash, same findings
    code, text = run("check", src, "--db", db, "--new-only")
    assert "解析 parsed 1" in text
    assert code == 0
    assert query(db, "SELECT DISTINCT first_seen_run, run_id FROM findings") == [(1, 2)]


def test_fingerprint_ignores_page_and_wording(seed: Report) -> None:
    finding = seed.findings[0]
    moved = type(finding)(finding.rule, finding.severity, "reworded", finding.expected, finding.found, 99, finding.where)
    assert finding_fingerprint("a.pdf", 0, finding) == finding_fingerprint("a.pdf", 0, moved)
    assert finding_fingerprint("a.pdf", 0, finding) != finding_fingerprint("b.pdf", 0, finding)
    assert finding_fingerprint("a.pdf", 0, finding) != finding_fingerprint("a.pdf", 1, finding)


# -- the API ---------------------------------------------------------------------------------------


def test_api_plan_save_load_round_trip(tmp_path: Path) -> None:
    src = folder(tmp_path)
    files = expand([src])
    with open_store(tmp_path / "s.sqlite") as store:
        run_id = store.begin_run()
        plan = store.plan(files)
        assert plan.to_parse == files and plan.unchanged == []
        for done in run_batch(plan.to_parse, workers=0):
            state = plan.states[done.path]
            store.save(run_id, done.path, state.sha256, state.size, state.mtime, done.records)
        store.mark_removed(run_id, files)
        store.finish_run(run_id, len(files))
        assert store.plan(files).unchanged == files
        assert store.load(files) == [r for f in files for r in jixiao.parse_path(f)]
        expected = {
            finding_fingerprint(file_key(f), r.table_index, finding)
            for f in files for r in jixiao.parse_path(f) if isinstance(r, Report) for finding in r.findings
        }
        assert expected and store.new_findings(run_id) == expected
        assert store.new_findings(run_id + 1) == set()


def test_read_db_matches_to_frames_of_a_fresh_parse(tmp_path: Path) -> None:
    src, db = folder(tmp_path), tmp_path / "STATE.sqlite"
    run("check", src, "--db", db)
    stored = read_db(db)
    fresh = to_frames(r for f in expand([src]) for r in jixiao.parse_path(f))
    assert list(stored) == list(fresh) == list(COLUMNS)
    for name, frame in stored.items():
        assert list(frame.columns) == list(COLUMNS[name])
        assert len(frame) == len(fresh[name]), name
        assert dict(frame.dtypes) == dict(fresh[name].dtypes), name
    assert (stored["indicators"]["file"] == str(src / SEED)).sum() == 11
    assert len(stored["failures"]) == 1
    assert jixiao.read_db is read_db


def test_read_db_of_one_file_equals_to_frames(tmp_path: Path) -> None:
    src, db = folder(tmp_path, (SEED,)), tmp_path / "STATE.sqlite"
    run("check", src, "--db", db)
    stored, fresh = read_db(db), to_frames(jixiao.parse_path(src / SEED))
    for name in COLUMNS:
        pd.testing.assert_frame_equal(stored[name], fresh[name], check_index_type=False)


def test_read_db_needs_an_existing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_db(tmp_path / "nothing.sqlite")
    assert not (tmp_path / "nothing.sqlite").exists()


def test_unfinished_parse_is_retried(tmp_path: Path) -> None:
    path = folder(tmp_path, (PROJECT,)) / PROJECT
    timeout = Failure(Source(str(path), "x", 0), FailureError("timeout", "slow / slow"))
    with open_store(tmp_path / "s.sqlite") as store:
        run_id = store.begin_run()
        state = store.plan([path]).states[path]
        store.save(run_id, path, state.sha256, state.size, state.mtime, [timeout])
        assert store.plan([path]).to_parse == [path]
        result = run_incremental(store, [path], workers=0)
        assert result.parsed == 1 and isinstance(result.records[0], Report)
        assert store.plan([path]).unchanged == [path]


def test_store_tables_have_the_frames_columns(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.sqlite") as store:
        for name, columns in store_schema.STORED_COLUMNS.items():
            assert list(columns) == [c for c in COLUMNS[name] if c not in REVIEW_COLUMNS]
            have = [row[1] for row in store.execute(f"PRAGMA table_info({name})")]
            # Columns a later migration added (ALTER TABLE … ADD COLUMN) come last; inserts name every column.
            assert have[:2] == ["path", "run_id"]
            assert sorted(have[2:]) == sorted([*columns, *store_schema.EXTRA_COLUMNS[name][2:]])
        indexes = {row[0] for row in store.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {"reports_unit_name", "reports_fiscal_year", "findings_rule", "findings_severity"} <= indexes
        assert store.execute("PRAGMA journal_mode") == [("wal",)]


# -- migrations ------------------------------------------------------------------------------------


def test_version_0_database_with_foreign_tables_is_refused_untouched(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite"
    with sqlite3.connect(db) as con:
        con.execute("CREATE TABLE files (path TEXT PRIMARY KEY, sha256 TEXT)")
        con.execute("INSERT INTO files VALUES ('a.pdf', 'abc')")
    con.close()
    before = db.read_bytes()
    with pytest.raises(StoreError, match="not a jixiao store"):
        open_store(db)
    code, text = run("check", SAMPLES / PROJECT, "--db", db)
    assert code == 2
    assert "not a jixiao store" in text and "files" in text
    assert db.read_bytes() == before


def test_older_store_is_upgraded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "s.sqlite"
    src = folder(tmp_path, (PROJECT,))
    run("check", src, "--db", db)
    assert query(db, "PRAGMA user_version") == [(len(MIGRATIONS),)]
    monkeypatch.setattr(store_schema, "MIGRATIONS", [*MIGRATIONS, "ALTER TABLE runs ADD COLUMN note TEXT;\n"])
    with open_store(db) as store:
        assert store.version == len(MIGRATIONS) + 1
        assert "note" in [row[1] for row in store.execute("PRAGMA table_info(runs)")]
        assert store.plan([src / PROJECT]).unchanged == [src / PROJECT]  # data kept


def test_first_version_store_gains_the_extra_columns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A store made before ``extra`` existed is upgraded in place and then takes records with it."""
    db = tmp_path / "s.sqlite"
    src = folder(tmp_path, (PROJECT,))
    with monkeypatch.context() as m:
        m.setattr(store_schema, "MIGRATIONS", MIGRATIONS[:1])
        SqliteStore(db).close()
        assert query(db, "PRAGMA user_version") == [(1,)]
    assert "extra" not in [row[1] for row in query(db, "PRAGMA table_info(indicators)")]
    with open_store(db) as store:
        assert store.version == len(MIGRATIONS)
        for table in ("reports", "funds", "indicators"):
            assert "extra" in [row[1] for row in store.execute(f"PRAGMA table_info({table})")]
    assert run("extract", src, "--db", db, "-o", tmp_path / "o.jsonl")[0] == 0
    frames = jixiao.read_db(db)
    assert frames["indicators"]["extra"].isna().all() and len(frames["indicators"]) > 0


def test_newer_store_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite"
    SqliteStore(db).close()
    with sqlite3.connect(db) as con:
        con.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    con.close()
    with pytest.raises(StoreError, match="newer than this jixiao supports"):
        open_store(db)
    code, text = run("check", SAMPLES / PROJECT, "--db", db)
    assert code == 2 and "upgrade jixiao" in text


def test_not_a_database_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "notes.sqlite"
    db.write_text("just text, not SQLite " * 100, encoding="utf-8")
    code, text = run("check", SAMPLES / PROJECT, "--db", db)
    assert code == 2 and "not a usable SQLite store" in text


# -- a killed run ------------------------------------------------------------------------------------


def _saved(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            return int(con.execute("SELECT COUNT(*) FROM files").fetchone()[0])
        finally:
            con.close()
    except sqlite3.Error:  # not created yet, or mid-migration
        return 0


def test_killed_run_keeps_what_it_saved_and_rerun_does_not_duplicate(tmp_path: Path) -> None:
    src, db = tmp_path / "in", tmp_path / "STATE.sqlite"
    src.mkdir()
    for n in range(12):
        padded(SAMPLES / GOOD[n % 3], src / f"{n:02d}-{GOOD[n % 3]}", n)
    proc = subprocess.Popen(
        [sys.executable, "-m", "jixiao.cli", "check", "--db", str(db), "-w", "1", "-q", str(src)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while _saved(db) < 3 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # a parse child it left behind (same session)
        except ProcessLookupError:
            pass
    assert proc.returncode == -signal.SIGKILL, "the run finished before it could be killed"
    kept = _saved(db)
    assert 3 <= kept < 12
    assert query(db, "SELECT files_parsed, finished_at FROM runs") == [(kept, None)]

    code, text = run("check", src, "--db", db, "-w", "1")
    assert f"解析 parsed {12 - kept} · 取自存储 from store {kept}" in text
    assert code == 1
    paths = [row[0] for row in query(db, "SELECT path FROM files ORDER BY path")]
    assert paths == sorted(str(p) for p in src.iterdir())
    assert query(db, "SELECT path, table_index, COUNT(*) FROM reports GROUP BY 1, 2 HAVING COUNT(*) > 1") == []
    assert query(db, "SELECT COUNT(*), COUNT(DISTINCT path) FROM reports") == [(12, 12)]
    counts = dict(query(db, "SELECT path, COUNT(*) FROM indicators GROUP BY path"))
    fresh = {str(p): len(r.indicators) for p in src.iterdir() for r in jixiao.parse(p)}
    assert counts == fresh
