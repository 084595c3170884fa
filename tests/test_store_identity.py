"""A file's identity in the store (issue 17, item 5): the same file reached another way is the same
file, content the store holds is taken from it under any path, and a run hides nothing outside the
folders it was given. Each test runs on a real SQLite file and on a real throwaway PostgreSQL."""

from __future__ import annotations

import ast
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from jixiao.cli import main
from jixiao.store import file_key, open_store, read_db
from jixiao.store import schema as store_schema
from jixiao.store.base import fingerprint_of
from jixiao.store.keys import covered, is_under, old_key
from tests.conftest import SAMPLES
from tests.services import new_database, postgres_missing, shared_postgres_server

SEED = "seed-department-report.pdf"
PROJECT = "project-consistent.pdf"
SPLIT = "department-split-table.pdf"
TWO = "multi-table-two-projects.pdf"
TABLES = ("files", "reports", "funds", "indicators", "findings", "failures")


@pytest.fixture(params=["sqlite", "postgres"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new store: a SQLite file (absolute path), or a new database on the shared PostgreSQL server."""
    if request.param == "sqlite":
        return str(tmp_path / "STATE.sqlite")
    missing = postgres_missing()
    if missing is not None:
        pytest.skip(missing)
    return new_database(shared_postgres_server())


def tree(root: Path, layout: dict[str, tuple[str, ...]]) -> None:
    """Folders of sample copies under ``root``; a name ``x.pdf=SAMPLE`` copies SAMPLE as x.pdf."""
    for name, files in layout.items():
        (root / name).mkdir(parents=True)
        for spec in files:
            target, _, sample = spec.partition("=")
            shutil.copy(SAMPLES / (sample or target), root / name / target)


def run(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.output


def counts(text: str) -> tuple[int, int]:
    """(parsed, from store) of the CLI's store line."""
    line = text.split("解析 parsed ")[1]
    return int(line.split()[0]), int(line.split("取自存储 from store ")[1].split()[0])


class Raw:
    """Plain SQL on the store, past jixiao (``?`` placeholders on both engines); a connection per query,
    as a SQLite file only exists once the first run made it."""

    def __init__(self, db: str) -> None:
        self.db, self.pg = db, db.startswith("postgresql://")

    def __call__(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        if self.pg:
            import psycopg

            with psycopg.connect(self.db, autocommit=True) as conn:
                cur = conn.execute(sql.replace("?", "%s"), params)  # type: ignore[arg-type]
                return list(cur.fetchall()) if cur.description else []
        con = sqlite3.connect(self.db, isolation_level=None)
        try:
            cur = con.execute(sql, params)
            return list(cur.fetchall()) if cur.description else []
        finally:
            con.close()


@pytest.fixture
def raw(db: str) -> Raw:
    return Raw(db)


def statuses(raw: Raw) -> dict[str, str]:
    return {path: status for path, status in raw("SELECT path, status FROM files")}


# -- the same file, however it is reached -----------------------------------------------------------------


def test_folders_run_from_different_directories_all_stay_visible(
    db: str, raw: Raw, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's measurement: a run over in2/ hid the files of in1/, and in1/ given by absolute path
    from elsewhere was parsed again and hid in2/."""
    tree(tmp_path / "work", {"in1": (SEED, PROJECT), "in2": (SPLIT, TWO)})
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    assert counts(run("extract", "in1", "--db", db, "-o", tmp_path / "a.jsonl")[1]) == (2, 0)
    assert counts(run("extract", "in2", "--db", db, "-o", tmp_path / "b.jsonl")[1]) == (2, 0)
    monkeypatch.chdir(tmp_path / "elsewhere")
    absolute = tmp_path / "work" / "in1"
    code, text = run("extract", absolute, "--db", db, "-o", tmp_path / "c.jsonl")
    assert code == 0 and counts(text) == (0, 2)  # the second sight parses nothing
    assert "已移除 removed" not in text
    # what the user typed is what the records say; the store keys the real path
    sources = [json.loads(line)["source"]["path"] for line in (tmp_path / "c.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sources == [str(absolute / PROJECT), str(absolute / SEED)]  # folder order: by name
    first = [json.loads(line)["source"]["path"] for line in (tmp_path / "a.jsonl").read_text(encoding="utf-8").splitlines()]
    assert first == [f"in1/{PROJECT}", f"in1/{SEED}"]
    real = (tmp_path / "work").resolve()
    assert statuses(raw) == {str(real / d / f): "ok" for d, f in [("in1", SEED), ("in1", PROJECT), ("in2", SPLIT), ("in2", TWO)]}
    reports = read_db(db)["reports"]
    assert len(reports) == 1 + 1 + 1 + 2  # every report of both folders: two-projects holds two tables
    assert raw("SELECT files_seen, files_parsed FROM runs ORDER BY run_id") == [(2, 2), (2, 2), (2, 0)]


def test_symlinked_folder_is_the_same_folder(db: str, raw: Raw, tmp_path: Path) -> None:
    tree(tmp_path, {"in1": (SEED,)})
    (tmp_path / "link").symlink_to(tmp_path / "in1")
    assert counts(run("extract", tmp_path / "in1", "--db", db, "-o", tmp_path / "a.jsonl")[1]) == (1, 0)
    assert counts(run("extract", tmp_path / "link", "--db", db, "-o", tmp_path / "b.jsonl")[1]) == (0, 1)
    assert list(statuses(raw)) == [file_key(tmp_path / "in1" / SEED)]


def test_copy_of_a_stored_file_under_a_new_path_parses_nothing(db: str, raw: Raw, tmp_path: Path) -> None:
    tree(tmp_path, {"in1": (SEED, "bad.pdf=bad/not-a-pdf.pdf"), "in3": (f"renamed.pdf={SEED}", "bad-too.pdf=bad/not-a-pdf.pdf")})
    run("check", tmp_path / "in1", "--db", db, "-q")
    code, text = run("check", tmp_path / "in3", "--db", db, "--new-only", "-o", tmp_path / "stored.jsonl")
    assert code == 3 and counts(text) == (0, 2)
    # its findings are the new file's: new in this run, as if it had been parsed
    assert any(line.startswith(f"{tmp_path / 'in3' / 'renamed.pdf'}  ") for line in text.splitlines()), text
    assert raw("SELECT files_parsed FROM runs ORDER BY run_id") == [(2,), (0,)]
    # exactly what a parse of the copies gives, under their own paths
    assert run("check", tmp_path / "in3", "-o", tmp_path / "plain.jsonl")[0] == 3
    assert (tmp_path / "stored.jsonl").read_bytes() == (tmp_path / "plain.jsonl").read_bytes()
    renamed = str(tmp_path / "in3" / "renamed.pdf")
    assert raw("SELECT file FROM reports WHERE path = ?", (file_key(renamed),)) == [(renamed,)]
    assert raw("SELECT kind FROM failures ORDER BY path") == [("not_pdf",), ("not_pdf",)]
    reports = read_db(db)["reports"]
    assert sorted(reports["file"]) == sorted([str(tmp_path / "in1" / SEED), renamed])
    code, text = run("check", tmp_path / "in3", "--db", db, "--new-only")
    assert counts(text) == (0, 2) and "问题 findings: 错误 errors 0 · 警告 warnings 0 · 提示 info 0" in text


# -- what a run marks removed ------------------------------------------------------------------------------


def test_a_run_marks_removed_only_gone_files_under_what_it_was_given(db: str, raw: Raw, tmp_path: Path) -> None:
    tree(tmp_path, {"in1": (SEED, PROJECT), "in2": (SPLIT, TWO)})
    run("check", tmp_path / "in1", "--db", db, "-q")
    run("check", tmp_path / "in2", "--db", db, "-q")
    (tmp_path / "in1" / PROJECT).unlink()
    (tmp_path / "in2" / TWO).unlink()
    gone1, gone2 = file_key(tmp_path / "in1" / PROJECT), file_key(tmp_path / "in2" / TWO)
    # a file given by name covers only itself: in2's other file is not its business
    _, text = run("check", tmp_path / "in2" / SPLIT, "--db", db, "-q")
    assert "已移除 removed" not in text and statuses(raw)[gone2] == "ok"
    # a run over in1 removes in1's gone file and nothing of in2 (neither the gone one nor the other)
    _, text = run("check", tmp_path / "in1", "--db", db)
    assert "已移除 removed 1" in text
    assert statuses(raw)[gone1] == "removed" and statuses(raw)[gone2] == "ok"
    assert raw("SELECT COUNT(*) FROM reports WHERE path = ?", (gone1,)) == [(0,)]
    _, text = run("check", tmp_path / "in2", "--db", db)
    assert "已移除 removed 1" in text and statuses(raw)[gone2] == "removed"
    assert sorted(read_db(db)["reports"]["file"]) == sorted([str(tmp_path / "in1" / SEED), str(tmp_path / "in2" / SPLIT)])
    # a folder that is gone altogether (it cannot be given any more): a run over a folder above it
    shutil.rmtree(tmp_path / "in2")
    _, text = run("check", tmp_path, "--db", db)
    assert "已移除 removed 1" in text and counts(text) == (0, 1)
    assert statuses(raw)[file_key(tmp_path / "in2" / SPLIT)] == "removed"
    assert statuses(raw)[file_key(tmp_path / "in1" / SEED)] == "ok"


# -- migrating a store keyed by the paths as typed (versions 1–5) -----------------------------------------


def _as_typed(raw: Raw, typed: dict[str, str]) -> None:
    """Rewrite a store's keys to ``typed`` (key → path as a version-5 jixiao stored it), fingerprints too."""
    columns = "sha256, size, mtime, parser_version, status, first_seen_run, last_parsed_run, last_seen_run, records_json"
    for key, old in typed.items():
        raw(f"INSERT INTO files (path, {columns}) SELECT ?, {columns} FROM files WHERE path = ?", (old, key))
        for table in TABLES[1:]:
            raw(f"UPDATE {table} SET path = ? WHERE path = ?", (old, key))
        raw("DELETE FROM files WHERE path = ?", (key,))
    rows = raw('SELECT rowid, path, table_index, rule, "column", label, expected, found FROM findings')
    for rowid, path, *rest in rows:
        raw("UPDATE findings SET fingerprint = ? WHERE rowid = ?", (fingerprint_of(path, *rest), rowid))


def _version5_store(db: str, raw: Raw, folder: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A store as jixiao 5 left it after ``check in1 --db`` run from ``folder``: keys ``in1/…``."""
    with monkeypatch.context() as m:
        m.setattr(store_schema, "MIGRATIONS", store_schema.MIGRATIONS[:5])
        m.chdir(folder)
        assert run("check", "in1", "--db", db, "-q")[0] == 1
        with open_store(db) as store:
            assert store.version == 5
    typed = {file_key(folder / "in1" / name): f"in1/{name}" for name in (SEED, PROJECT)}
    _as_typed(raw, typed)
    assert sorted(statuses(raw)) == sorted(typed.values())
    return typed


@pytest.mark.parametrize("where", ["the same folder", "elsewhere"])
def test_store_of_version_5_is_keyed_by_resolved_paths(
    db: str, raw: Raw, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """Relative keys resolve against the migrating run's folder, else the store file's folder; the next
    run parses nothing and finds no new finding."""
    if where == "elsewhere" and db.startswith("postgresql://"):
        pytest.skip("a PostgreSQL store has no folder of its own: its relative keys resolve against the working directory")
    work = tmp_path  # the SQLite file sits here, beside in1/
    tree(work, {"in1": (SEED, PROJECT)})
    typed = _version5_store(db, raw, work, monkeypatch)
    before = raw("SELECT COUNT(*), COUNT(DISTINCT first_seen_run) FROM findings")
    (tmp_path / "other").mkdir()
    monkeypatch.chdir(work if where == "the same folder" else tmp_path / "other")
    with open_store(db) as store:
        assert store.version == len(store_schema.MIGRATIONS) == 6
    assert statuses(raw) == {key: "ok" for key in typed}
    assert raw("SELECT COUNT(*), COUNT(DISTINCT first_seen_run) FROM findings") == before
    code, text = run("check", work / "in1", "--db", db, "--new-only")
    assert code == 0 and counts(text) == (0, 2)
    assert "问题 findings: 错误 errors 0 · 警告 warnings 0 · 提示 info 0" in text
    assert raw("SELECT DISTINCT first_seen_run FROM findings") == [(1,)]


def test_a_file_stored_twice_by_version_5_becomes_one(
    db: str, raw: Raw, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's store: in1/ run relatively (run 1), then by absolute path from elsewhere (run 2), which
    parsed it again and marked the relative keys removed. Migrated, each file is one current row."""
    tree(tmp_path, {"in1": (SEED, PROJECT)})
    typed = _version5_store(db, raw, tmp_path, monkeypatch)
    with monkeypatch.context() as m:
        m.setattr(store_schema, "MIGRATIONS", store_schema.MIGRATIONS[:5])
        m.chdir(tmp_path / "in1")
        assert run("check", tmp_path / "in1", "--db", db, "-q")[0] == 1  # stores the absolute keys (run 2)
    for old in typed.values():  # as version 5's run 2 left them: not given, so removed
        for table in TABLES[1:]:
            raw(f"DELETE FROM {table} WHERE path = ?", (old,))
        raw("UPDATE files SET status = 'removed', records_json = NULL WHERE path = ?", (old,))
    assert len(statuses(raw)) == 4
    monkeypatch.chdir(tmp_path)
    with open_store(db):
        pass
    assert statuses(raw) == {key: "ok" for key in typed}
    assert raw("SELECT DISTINCT first_seen_run, last_seen_run FROM files") == [(1, 2)]
    assert raw("SELECT COUNT(*) FROM reports") == [(2,)]
    assert counts(run("check", "in1", "--db", db, "-q")[1]) == (0, 2)


# -- the pure parts ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "root", "under"),
    [
        ("/a/b/c.pdf", "/a/b", True),
        ("/a/b", "/a/b", True),  # a file given by name covers itself
        ("/a/bc.pdf", "/a/b", False),
        ("/a/b/c/d.pdf", "/a", True),
        ("/a/b.pdf", "/", True),
        ("/x/b.pdf", "/a", False),
    ],
)
def test_is_under(key: str, root: str, under: bool) -> None:
    assert is_under(key, root) is under


def test_covered_and_old_keys(tmp_path: Path) -> None:
    assert covered(["/a/1.pdf", "/b/2.pdf", "/a2/3.pdf"], ["/a"]) == ["/a/1.pdf"]
    (tmp_path / "store" / "in1").mkdir(parents=True)
    (tmp_path / "store" / "in1" / "x.pdf").write_bytes(b"%PDF")
    here, beside = tmp_path / "cwd", tmp_path / "store"
    assert old_key("in1/x.pdf", [here, beside]) == str(beside.resolve() / "in1" / "x.pdf")  # found there
    assert old_key("in1/gone.pdf", [here, beside]) == str(here.resolve() / "in1" / "gone.pdf")  # else the first
    assert old_key("/abs/../abs/y.pdf", [here]) == "/abs/y.pdf"


def test_the_store_modules_import_one_way() -> None:
    """schema and keys ← base ← sqlite / postgres: neither engine imports the other."""
    root = Path(__file__).resolve().parent.parent / "jixiao" / "store"
    for name, never in {"sqlite": "postgres", "postgres": "sqlite", "base": "postgres", "schema": "base"}.items():
        tree_ = ast.parse((root / f"{name}.py").read_text(encoding="utf-8"))
        imported = {
            node.module for node in ast.walk(tree_) if isinstance(node, ast.ImportFrom) and node.module
        } | {f"jixiao.store.{a.name}" for node in ast.walk(tree_) if isinstance(node, ast.ImportFrom)
             and node.module == "jixiao.store" for a in node.names}
        assert f"jixiao.store.{never}" not in imported, name


def test_a_sqlite_store_never_imports_psycopg(tmp_path: Path) -> None:
    code = (
        "import sys, jixiao.store as s; s.open_store(sys.argv[1]).close(); s.read_db(sys.argv[1]);"
        " print('psycopg' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "s.sqlite")], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
