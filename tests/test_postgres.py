"""``--db postgresql://…``: the SQLite store's schema and behaviour on a real PostgreSQL server,
and two nightly runs at once that share the work instead of doing it twice."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from jixiao.cli import main
from jixiao.inputs import expand
from jixiao.store import StoreError, open_store, read_db, run_incremental
from jixiao.store import schema as store_schema
from tests.conftest import SAMPLES
from tests.services import PostgresServer, new_database, postgres_missing, shared_postgres_server

pytestmark = pytest.mark.skipif(postgres_missing() is not None, reason=postgres_missing() or "")

if postgres_missing() is None:
    import psycopg

    from jixiao.store.postgres import PostgresStore, claim_key, postgres_statements, redact

GOOD = ("seed-department-report.pdf", "project-consistent.pdf", "department-split-table.pdf",
        "multi-table-two-projects.pdf")


@pytest.fixture(scope="module")
def server() -> PostgresServer:
    return shared_postgres_server()


@pytest.fixture
def url(server: PostgresServer) -> str:
    return new_database(server)


def sample_files() -> list[Path]:
    """The samples folder, less the OCR scans (tens of seconds each, and not what these tests are about)
    and the hostile Word/Excel/OFD files (their zip bombs are ``too_large``, which a store retries on
    every run by design)."""
    return [f for f in expand([SAMPLES]) if "scanned" not in f.parts and f.parent != SAMPLES / "formats" / "bad"]


def folder(tmp_path: Path, copies: int = 0) -> Path:
    """Some good reports and a bad file; ``copies`` more of each good one that hash differently."""
    root = tmp_path / "in"
    root.mkdir()
    for name in GOOD:
        shutil.copy(SAMPLES / name, root / name)
        for n in range(copies):
            (root / f"{Path(name).stem}-{n}.pdf").write_bytes((SAMPLES / name).read_bytes() + f"%%pad {n}\n".encode())
    shutil.copy(SAMPLES / "bad" / "not-a-pdf.pdf", root / "not-a-pdf.pdf")
    return root


def query(url: str, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchall()  # type: ignore[arg-type]


def sqlite_columns(db: Path) -> dict[str, list[str]]:
    con = sqlite3.connect(db)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: [r[1] for r in con.execute(f"PRAGMA table_info({t})")] for t in tables}
    finally:
        con.close()


# -- one schema, one behaviour ----------------------------------------------------------------------


def test_schema_is_the_sqlite_schema_with_rowid_made_explicit(url: str, tmp_path: Path) -> None:
    with open_store(url) as store:
        assert store.version == len(store_schema.MIGRATIONS)
    with open_store(tmp_path / "s.sqlite"):
        pass
    pg: dict[str, list[str]] = {}
    for table, column in query(
        url, "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = 'public' AND table_name <> 'jixiao_schema_version' ORDER BY table_name, ordinal_position"
    ):
        pg.setdefault(table, []).append(column)
    lite = sqlite_columns(tmp_path / "s.sqlite")
    assert {t: [c for c in cols if c != "rowid"] for t, cols in pg.items()} == lite
    lite_indexes = {r[0] for r in sqlite3.connect(tmp_path / "s.sqlite").execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")}
    pg_indexes = {r[0] for r in query(url, "SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")}
    assert lite_indexes <= pg_indexes
    assert {"reports_unit_name", "reports_fiscal_year", "findings_rule"} <= pg_indexes  # analysts' filters
    types = dict(query(url, "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'reports'"))
    assert types["total_score"] == "double precision" and types["fiscal_year"] == "bigint"


def test_translation_of_a_migration() -> None:
    assert postgres_statements("CREATE TABLE t (a INTEGER, b REAL, c TEXT);\nCREATE INDEX t_a ON t (a);\n") == [
        "CREATE TABLE t (\n    rowid BIGINT GENERATED ALWAYS AS IDENTITY,a BIGINT, b DOUBLE PRECISION, c TEXT);",
        "CREATE INDEX t_a ON t (a);",
    ]
    with pytest.raises(ValueError, match="PRAGMA"):
        postgres_statements("PRAGMA foreign_keys = ON;")


def test_same_records_and_tables_as_sqlite_and_incremental(url: str, tmp_path: Path) -> None:
    files = sample_files()
    with open_store(url) as pg, open_store(tmp_path / "s.sqlite") as lite:
        first = run_incremental(pg, files, workers=2)
        local = run_incremental(lite, files, workers=2)
        again = run_incremental(pg, files, workers=2)
    assert first.records == local.records == again.records
    assert (first.parsed, again.parsed, again.cached) == (len(files), 0, len(files))
    pg_frames, lite_frames = read_db(url), read_db(tmp_path / "s.sqlite")
    for name, frame in lite_frames.items():
        assert pg_frames[name].equals(frame), name
    assert query(url, "SELECT run_id, files_seen, files_parsed FROM runs ORDER BY run_id") == [
        (1, len(files), len(files)), (2, len(files), 0)]


def test_changed_and_removed_files(url: str, tmp_path: Path) -> None:
    src = folder(tmp_path)
    with open_store(url) as store:
        run_incremental(store, expand([src]), workers=1)
        seed = src / "seed-department-report.pdf"
        seed.write_bytes(seed.read_bytes() + b"%%changed\n")
        (src / "project-consistent.pdf").unlink()
        inc = run_incremental(store, expand([src]), workers=1, roots=[src])
    assert inc.parsed == 1 and inc.removed == [str(src / "project-consistent.pdf")], [(d.path.name, d.records) for d in inc.results]
    statuses = dict(query(url, "SELECT path, status FROM files"))
    assert statuses[str(src / "project-consistent.pdf")] == "removed"
    assert query(url, "SELECT count(*) FROM reports WHERE path = %s", (str(src / "project-consistent.pdf"),)) == [(0,)]


def test_nul_in_text_is_stored_and_records_load_back_exact(url: str, tmp_path: Path) -> None:
    from dataclasses import replace

    import jixiao

    (report,) = jixiao.parse(SAMPLES / "project-consistent.pdf")
    odd = replace(report, unit_name="单位\x00名称")
    with open_store(url) as store:
        run_id = store.begin_run()
        store.save(run_id, Path("odd.pdf"), "ab", 1, 1.0, [odd])
        assert store.load_by_path([Path("odd.pdf")]) == {Path("odd.pdf"): [odd]}
    assert query(url, "SELECT unit_name FROM reports") == [("单位\ufffd名称",)]


# -- migrations ----------------------------------------------------------------------------------------


def test_versions_and_an_added_migration(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with open_store(url):
        pass
    versions = list(range(1, len(store_schema.MIGRATIONS) + 1))
    assert query(url, "SELECT version FROM jixiao_schema_version ORDER BY version") == [(v,) for v in versions]
    monkeypatch.setattr(store_schema, "MIGRATIONS", [*store_schema.MIGRATIONS, "ALTER TABLE runs ADD COLUMN note TEXT;\n"])
    with open_store(url) as store:
        assert store.version == len(versions) + 1
    assert "note" in {r[0] for r in query(url, "SELECT column_name FROM information_schema.columns WHERE table_name = 'runs'")}
    monkeypatch.undo()
    with pytest.raises(StoreError, match="newer than this jixiao supports"):
        open_store(url)


def test_foreign_tables_are_refused_untouched(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE files (name TEXT)")
    with pytest.raises(StoreError, match="not a jixiao store"):
        open_store(url)
    assert query(url, "SELECT to_regclass('jixiao_schema_version') IS NULL, to_regclass('runs') IS NULL") == [(True, True)]


def test_unreachable_database_is_a_usage_error_without_the_password(server: PostgresServer, tmp_path: Path) -> None:
    bad = f"postgresql://jixiao:s3cret@127.0.0.1:{server.port}/no_such_db"
    result = CliRunner().invoke(main, ["check", str(SAMPLES / "project-consistent.pdf"), "--db", bad])
    assert result.exit_code == 2
    assert "cannot connect to the store postgresql://jixiao:***@127.0.0.1" in result.output
    assert "s3cret" not in result.output
    assert redact("postgresql://u@h/d") == "postgresql://u@h/d"


# -- two runs at once ------------------------------------------------------------------------------------


def test_claims_hand_files_between_runs_and_take_over_from_a_dead_run(url: str, tmp_path: Path) -> None:
    src = folder(tmp_path)
    files = expand([src])
    a, b = PostgresStore(url), PostgresStore(url)
    try:
        plan = a.plan(files)
        first, second = plan.to_parse[0], plan.to_parse[1]
        mine = a.claim([first, second], plan.states)
        assert mine.mine == [first, second]
        theirs = b.claim([first, second], plan.states)
        assert (theirs.mine, theirs.busy) == ([], [first, second])
        run_id = a.begin_run()
        from jixiao.pipeline import parse_path

        a.save(run_id, first, plan.states[first].sha256, None, None, parse_path(first))  # releases `first`
        a.close()  # dies holding `second`: its lock goes with its connection
        later = b.wait_for([first, second], plan.states)
        assert (later.done, later.mine) == ([first], [second])
        assert query(url, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid::bigint = %s",
                     (claim_key(str(second)) & 0xFFFFFFFF,)) == [(1,)]  # b holds it now
    finally:
        b.close()


def test_two_concurrent_cli_runs_parse_every_file_once(url: str, tmp_path: Path) -> None:
    src = folder(tmp_path, copies=2)
    n = len(expand([src]))
    command = [sys.executable, "-m", "jixiao.cli", "check", str(src), "--db", url, "-w", "1", "-q"]
    runs = [
        subprocess.Popen([*command, "-o", str(tmp_path / f"run{i}.jsonl")], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, cwd=tmp_path)
        for i in range(2)
    ]
    outs = [p.communicate(timeout=120) for p in runs]
    assert [p.returncode for p in runs] == [3, 3], [o[1].decode() for o in outs]  # not-a-pdf fails; the rest ok
    plain = subprocess.run([sys.executable, "-m", "jixiao.cli", "extract", str(src), "-w", "1", "-q",
                            "-o", str(tmp_path / "plain.jsonl")], capture_output=True, cwd=tmp_path)
    assert plain.returncode == 3
    expected = (tmp_path / "plain.jsonl").read_bytes()
    assert (tmp_path / "run0.jsonl").read_bytes() == expected
    assert (tmp_path / "run1.jsonl").read_bytes() == expected
    assert query(url, "SELECT sum(files_parsed), count(*), count(finished_at) FROM runs") == [(n, 2, 2)]
    assert query(url, "SELECT count(*), count(DISTINCT path) FROM files") == [(n, n)]
    assert query(url, "SELECT count(*) FROM (SELECT path, table_index FROM reports"
                      " GROUP BY path, table_index HAVING count(*) > 1) AS twice") == [(0,)]
    reports = sum(1 for line in expected.splitlines() if json.loads(line).get("status") != "failed")
    assert query(url, "SELECT count(*) FROM reports") == [(reports,)]
    parsed_by = [int(o[0].decode().split("解析 parsed ")[1].split()[0]) for o in outs]
    assert sum(parsed_by) == n, parsed_by


def test_findings_across_reports_in_a_shared_database(url: str, tmp_path: Path) -> None:
    """The second year's run finds the chain and the projects against the first year's files in the database."""
    audit = SAMPLES / "audit" / "planted"
    for folder, names in {"y2022": ["department-2022", "project-c-2022", "project-c-2022-reissued"],
                          "y2023": ["department-2023", "project-a-2023", "project-b-2023"]}.items():
        (tmp_path / folder).mkdir()
        for name in names:
            shutil.copy(audit / f"{name}.pdf", tmp_path / folder / f"{name}.pdf")
    runner = CliRunner()
    first = runner.invoke(main, ["check", str(tmp_path / "y2022"), "--db", url, "-q", "-w", "0"])
    assert first.exit_code == 0 and "duplicate_report" in first.output
    second = runner.invoke(main, ["check", str(tmp_path / "y2023"), "--db", url, "-q", "-w", "0"])
    assert second.exit_code == 0 and "carryover_chain" in second.output
    assert sorted(query(url, "SELECT rule, scope FROM findings WHERE scope = 'batch'")) == [
        ("carryover_chain", "batch"), ("projects_vs_department", "batch")
    ]


# -- review decisions (the workbench's store) ---------------------------------------------------------


def test_reviews_and_the_report_list_on_postgres(url: str, tmp_path: Path) -> None:
    from jixiao.models import Report, Review
    from jixiao.review import fingerprint
    from jixiao.web.queries import Filters, list_reports, load_report

    src = folder(tmp_path)
    assert CliRunner().invoke(main, ["check", str(src), "--db", url, "-q", "-w", "0"]).exit_code == 3  # a bad file among them
    with open_store(url) as store:
        seed = next(r for r in store.load(expand([src])) if isinstance(r, Report) and "荷塘区" in (r.unit_name or ""))
        fp = fingerprint(seed, seed.findings[0])
        stored = store.set_review(fp, Review("dismissed", "笔误", "张三"))
        assert store.reviews_for([fp, "nope"]) == {fp: stored}
        page = list_reports(store, Filters(review="dismissed"))
        assert page["total"] == 1 and page["items"][0]["unit_name"] == seed.unit_name
        assert list_reports(store, Filters(q="荷塘区", severity="error"))["total"] == 1
        loaded = load_report(store, page["items"][0]["id"])
        assert loaded is not None and loaded.findings[0].review == stored
        assert [r.fingerprint for r in store.review_rows("dismissed")] == [fp]
    findings = read_db(url)["findings"]
    assert list(findings.loc[findings["fingerprint"] == fp, "review"]) == ["dismissed"]
