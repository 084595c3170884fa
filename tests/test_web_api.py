"""The workbench's JSON API and safety layer, called in-process through Starlette's TestClient.

Real samples are uploaded and parsed by the real batch runner into a real SQLite store; every
fail-closed case of SPEC §5 is asserted by its status code.
"""

from __future__ import annotations

import io
import json
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

import jixiao
from jixiao.cli import main
from jixiao.models import Report, Review
from jixiao.review import fingerprint
from jixiao.store import open_store, read_db
from jixiao.store import schema as store_schema
from jixiao.web.app import create_app
from jixiao.web.config import ServeConfig
from jixiao.web.pictures import crop_png, crop_stem, page_png
from tests.conftest import SAMPLES, sample

SEED = "seed-department-report.pdf"
SEED_UNIT = "中国共产党株洲市荷塘区委员会组织部"
UPLOAD = (SEED, "project-consistent.pdf", "multi-table-two-projects.pdf", "bad/empty.pdf", "bad/not-a-pdf.pdf")
BASE = "http://127.0.0.1:8765"


def make_config(tmp: Path, **kw: Any) -> ServeConfig:
    db = tmp / "state.sqlite"
    open_store(db).close()
    return ServeConfig(db=str(db), data=tmp / "state.files", workers=0, **kw)


def client_for(config: ServeConfig) -> TestClient:
    return TestClient(create_app(config), base_url=BASE)  # type: ignore[arg-type]


def csrf(c: TestClient) -> dict[str, str]:
    return {"X-CSRF-Token": c.get("/api/session").json()["csrf"]}


def wait_run(c: TestClient, run: int) -> dict[str, Any]:
    for _ in range(600):
        state: dict[str, Any] = c.get(f"/api/runs/{run}").json()
        if state["state"] not in ("queued", "running"):
            return state
        time.sleep(0.05)
    raise AssertionError(f"run {run} did not finish")


def upload(c: TestClient, names: tuple[str, ...] = UPLOAD, data: dict[str, bytes] | None = None) -> dict[str, Any]:
    files = [("files", (n, (data or {}).get(n, sample(n).read_bytes()), "application/pdf")) for n in names]
    r = c.post("/api/runs", files=files, headers=csrf(c))
    assert r.status_code == 200, r.text
    return wait_run(c, r.json()["run"])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, ServeConfig]]:
    config = make_config(tmp_path_factory.mktemp("web"), roots=(SAMPLES,))
    with client_for(config) as c:
        run = upload(c)
        assert (run["state"], run["files"], run["done"], run["failed"]) == ("done", 5, 5, 2)
        yield c, config


def seed_item(c: TestClient) -> dict[str, Any]:
    (item,) = c.get("/api/reports", params={"q": "荷塘区"}).json()["items"]
    return item  # type: ignore[no-any-return]


# -- the API -----------------------------------------------------------------------------------


def test_session_gives_the_csrf_token_and_version(served: tuple[TestClient, ServeConfig]) -> None:
    c, _ = served
    data = c.get("/api/session").json()
    assert data["version"] == jixiao.__version__ and len(data["csrf"]) >= 40


def test_uploads_are_stored_by_content_hash_with_failure_rows(served: tuple[TestClient, ServeConfig]) -> None:
    _, config = served
    stored = sorted(p.name for p in config.uploads.glob("*.pdf"))
    assert len(stored) == 5 and all(len(n) == 68 for n in stored)  # 64 hex digits + .pdf, never the sent name
    frames = read_db(config.db)
    assert len(frames["reports"]) == 4  # seed 1 + project 1 + two project tables
    assert sorted(frames["failures"]["kind"]) == ["empty", "not_pdf"]


def test_report_list_filters_and_pages_on_the_server(served: tuple[TestClient, ServeConfig]) -> None:
    c, _ = served
    everything = c.get("/api/reports").json()
    assert everything["total"] == 4 and len(everything["items"]) == 4
    page = c.get("/api/reports", params={"limit": 3, "offset": 3}).json()
    assert page["total"] == 4 and len(page["items"]) == 1
    assert page["items"][0]["id"] == everything["items"][3]["id"]
    errors = c.get("/api/reports", params={"severity": "error"}).json()
    assert [i["unit_name"] for i in errors["items"] if i["report_type"] == "department_overall"] == [SEED_UNIT]
    seed = seed_item(c)
    assert (seed["fiscal_year"], seed["total_score"], seed["n_errors"], seed["n_warnings"], seed["n_info"]) == (2022, 92, 3, 9, 1)
    assert c.get("/api/reports", params={"type": "department_overall"}).json()["total"] == 1
    assert c.get("/api/reports", params={"rule": "score_total", "year": 2022}).json()["items"][0]["id"] == seed["id"]
    assert c.get("/api/reports", params={"year": 1999}).json() == {"total": 0, "limit": 50, "offset": 0, "items": []}
    assert c.get("/api/reports", params={"year": "abc"}).status_code == 400
    assert c.get("/api/reports", params={"review": "maybe"}).status_code == 400


def test_report_record_carries_fingerprint_and_review(served: tuple[TestClient, ServeConfig]) -> None:
    c, _ = served
    seed = seed_item(c)
    data = c.get(f"/api/reports/{seed['id']}").json()
    (parsed,) = jixiao.parse(sample(SEED))
    assert data["unit_name"] == SEED_UNIT and data["total_score"] == 92
    assert [f["rule"] for f in data["findings"]] == [f.rule for f in parsed.findings]
    assert all(f["review"]["state"] in ("open", "confirmed", "dismissed") for f in data["findings"])
    assert {f["fingerprint"] for f in data["findings"]} == {fingerprint(parsed, f) for f in parsed.findings}
    assert c.get("/api/reports/bm90LWEtcmVwb3J0").status_code == 404


def test_crop_and_page_pictures_render_from_the_stored_pdf(served: tuple[TestClient, ServeConfig]) -> None:
    c, config = served
    seed = seed_item(c)
    data = c.get(f"/api/reports/{seed['id']}").json()
    n = next(i for i, f in enumerate(data["findings"]) if f["rule"] == "score_total")
    crop = c.get(f"/api/reports/{seed['id']}/findings/{n}/crops/0.png")
    assert crop.status_code == 200 and crop.content.startswith(b"\x89PNG")
    (parsed,) = jixiao.parse(sample(SEED))
    assert isinstance(parsed, Report)
    assert (config.cache / "crops" / f"{crop_stem(parsed, parsed.findings[n])}-0.png").is_file()  # cached
    assert c.get(f"/api/reports/{seed['id']}/findings/{n}/crops/0.png").content == crop.content
    page = c.get(f"/api/reports/{seed['id']}/pages/6.png")
    assert page.status_code == 200 and page.content.startswith(b"\x89PNG")
    assert c.get(f"/api/reports/{seed['id']}/pages/99.png").status_code == 404


def test_cached_crops_follow_the_finding_not_its_number(tmp_path: Path) -> None:
    """Findings judged again (another profile, a newer parser) are numbered differently: finding 0's
    cached crop must not be shown for whatever finding is number 0 now."""
    (report,) = jixiao.parse(sample(SEED))
    assert isinstance(report, Report)
    first, last = report.findings[0], report.findings[-1]
    assert first.where.boxes != last.where.boxes
    cache, fresh = tmp_path / "cache", tmp_path / "fresh"
    shown_first = crop_png(cache, report, 0, 0)
    reordered = replace(report, findings=tuple(reversed(report.findings)))
    assert crop_png(cache, reordered, 0, 0) == crop_png(fresh, report, len(report.findings) - 1, 0)
    assert crop_png(cache, reordered, 0, 0) != shown_first
    assert crop_png(cache, reordered, len(report.findings) - 1, 0) == shown_first
    page = first.where.boxes[0].page
    framed = page_png(cache, report, page)
    assert page_png(cache, replace(report, findings=()), page) != framed  # no frames: not the cached picture


def test_pages_render(served: tuple[TestClient, ServeConfig]) -> None:
    c, _ = served
    seed = seed_item(c)
    for path in ("/", "/reports?severity=error", f"/reports/{seed['id']}", f"/reports/{seed['id']}/pages/6"):
        r = c.get(path)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html"), path
    assert SEED_UNIT in c.get(f"/reports/{seed['id']}").text
    for key in ("total-scores", "grades"):
        assert c.get(f"/charts/{key}.svg").content.startswith(b"<?xml")


# -- review decisions --------------------------------------------------------------------------


def test_review_needs_csrf_then_sticks_across_restart_rerun_and_new_version(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    with client_for(config) as c:
        upload(c, (SEED,))
        seed = seed_item(c)
        fp = next(f["fingerprint"] for f in c.get(f"/api/reports/{seed['id']}").json()["findings"] if f["rule"] == "score_total")
        body = {"state": "dismissed", "note": "与纸质原件核对 checked", "by": "张三"}
        assert c.put(f"/api/findings/{fp}/review", json=body).status_code == 403  # no CSRF header
        assert c.put(f"/api/findings/{fp}/review", json=body, headers={"X-CSRF-Token": "wrong"}).status_code == 403
        assert c.put(f"/api/findings/{fp}/review", json={"state": "maybe"}, headers=csrf(c)).status_code == 400
        assert c.put("/api/findings/0123/review", json=body, headers=csrf(c)).status_code == 404
        r = c.put(f"/api/findings/{fp}/review", json=body, headers=csrf(c))
        assert r.status_code == 200
        assert {k: r.json()[k] for k in ("state", "note", "by")} == body
    with client_for(config) as c:  # a restarted server
        assert c.get("/api/reports", params={"review": "dismissed"}).json()["total"] == 1
        upload(c, (SEED,))  # the same file again: from the store
        padded = sample(SEED).read_bytes() + b"\n% another version\n"
        upload(c, (SEED,), {SEED: padded})  # a new version with the same finding
        items = c.get("/api/reports", params={"review": "dismissed"}).json()["items"]
        assert len(items) == 2  # both versions show the decision
        for item in items:
            finding = next(f for f in c.get(f"/api/reports/{item['id']}").json()["findings"] if f["fingerprint"] == fp)
            assert finding["review"]["state"] == "dismissed" and finding["review"]["note"] == body["note"]
    frames = read_db(config.db)
    row = frames["findings"][frames["findings"]["fingerprint"] == fp]
    assert set(row["review"]) == {"dismissed"} and set(row["review_by"]) == {"张三"}


def test_export_xlsx_has_review_columns_and_chinese_values(served: tuple[TestClient, ServeConfig]) -> None:
    c, _ = served
    seed = seed_item(c)
    fp = c.get(f"/api/reports/{seed['id']}").json()["findings"][0]["fingerprint"]
    assert c.put(f"/api/findings/{fp}/review", json={"state": "confirmed", "note": "属实"}, headers=csrf(c)).status_code == 200
    r = c.get("/api/export.xlsx", params={"q": "荷塘区"})
    assert r.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(r.content))
    sheet = book["问题"]
    head = [cell.value for cell in sheet[1]]
    assert head[-5:] == ["问题指纹", "核查状态", "核查备注", "核查人", "核查时间"]
    rows = [dict(zip(head, (cell.value for cell in row), strict=True)) for row in sheet.iter_rows(min_row=2)]
    assert len(rows) == 13 and {r["级别"] for r in rows} == {"错误", "警告", "提示"}
    mine = next(r for r in rows if r["问题指纹"] == fp)
    assert (mine["核查状态"], mine["核查备注"]) == ("已核实", "属实")
    assert book["报告"].cell(2, [c.value for c in book["报告"][1]].index("报告类型") + 1).value == "部门整体"
    only = openpyxl.load_workbook(io.BytesIO(c.get("/api/export.xlsx", params={"review": "confirmed"}).content))
    assert only["问题"].max_row == 2  # the header and the one confirmed finding
    csv = c.get("/api/export.csv", params={"q": "荷塘区"}).content.decode("utf-8-sig")
    assert csv.splitlines()[0].endswith("fingerprint,review,review_note,review_by,review_at") and ",confirmed,属实," in csv


def test_review_cli_and_new_only_skips_dismissed(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / SEED).write_bytes(sample(SEED).read_bytes())
    db = tmp_path / "state.sqlite"
    runner = CliRunner()
    assert runner.invoke(main, ["check", str(src), "--db", str(db), "-q", "-w", "0"]).exit_code == 1
    listed = runner.invoke(main, ["review", "--db", str(db), "list", "--json"])
    rows = [json.loads(line) for line in listed.output.splitlines()]
    assert len(rows) == 13 and {r["state"] for r in rows} == {"open"}
    errors = [r["fingerprint"] for r in rows if r["severity"] == "error"]
    for fp in errors:
        done = runner.invoke(main, ["review", "--db", str(db), "set", fp, "dismissed", "--note", "误报", "--by", "李四"])
        assert done.exit_code == 0 and "误报 dismissed" in done.output
    assert runner.invoke(main, ["review", "--db", str(db), "set", "ffff", "dismissed"]).exit_code == 1
    assert len(runner.invoke(main, ["review", "--db", str(db), "list", "--state", "dismissed", "--json"]).output.splitlines()) == 3
    # the file changes (a new hash, same findings): --new-only would show them again, but dismissed ones never
    (src / SEED).write_bytes(sample(SEED).read_bytes() + b"\n% v2\n")
    second = runner.invoke(main, ["check", str(src), "--db", str(db), "--new-only", "-w", "0", "-o", str(tmp_path / "o.xlsx")])
    assert "score_total" not in second.output and "weight_total" not in second.output
    sheet = openpyxl.load_workbook(tmp_path / "o.xlsx")["问题"]
    head = [c.value for c in sheet[1]]
    states = [row[head.index("核查状态")].value for row in sheet.iter_rows(min_row=2)]
    assert states.count("误报") == 3 and states.count("待核") == 10


def test_store_of_version_1_is_upgraded_with_review_fingerprints(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "old.sqlite"
    monkeypatch.setattr(store_schema, "MIGRATIONS", store_schema.MIGRATIONS[:1])
    later = {"extra", "profile", "scope", "compared", "format"}  # columns of versions 2, 3 and 5
    monkeypatch.setattr(store_schema, "STORED_COLUMNS", {
        name: {c: k for c, k in cols.items() if c not in later} for name, cols in store_schema.STORED_COLUMNS.items()
    })
    monkeypatch.setattr(store_schema, "EXTRA_COLUMNS", {**store_schema.EXTRA_COLUMNS, "findings": ("path", "run_id", "fingerprint", "first_seen_run")})
    with open_store(db) as store:
        run_id = store.begin_run()
        records = jixiao.parse_path(sample(SEED))
        store.save(run_id, sample(SEED), None, None, None, records)
        assert store.version == 1
    monkeypatch.undo()
    with open_store(db) as store:
        assert store.version == len(store_schema.MIGRATIONS)
        have = [r[0] for r in store.execute("SELECT review_fingerprint FROM findings ORDER BY rowid")]
    report = records[0]
    assert isinstance(report, Report)
    assert have == [fingerprint(report, f) for f in report.findings]


def test_fingerprint_keeps_wording_out_and_values_in(seed: Report) -> None:
    finding = seed.findings[0]
    assert fingerprint(seed, finding) == fingerprint(seed, replace(finding, message="reworded"))
    moved = replace(seed, source=replace(seed.source, path="elsewhere/copy.pdf", sha256="0" * 64))
    assert fingerprint(seed, finding) == fingerprint(moved, finding)  # the report's identity, not its file
    assert fingerprint(seed, finding) != fingerprint(seed, replace(finding, found="1"))
    assert fingerprint(seed, finding) != fingerprint(replace(seed, fiscal_year=2023), finding)
    unnamed = replace(seed, unit_name=None, project_name=None)
    assert fingerprint(unnamed, finding) != fingerprint(replace(unnamed, source=moved.source), finding)


# -- fail closed -------------------------------------------------------------------------------


def test_foreign_host_is_refused(served: tuple[TestClient, ServeConfig]) -> None:
    c, _ = served
    assert c.get("/api/session", headers={"Host": "evil.example"}).status_code == 403
    assert c.get("/", headers={"Host": "attacker.test:8765"}).status_code == 403
    assert c.get("/api/session", headers={"Host": "localhost:8765"}).status_code == 200


def test_paths_only_under_a_root(served: tuple[TestClient, ServeConfig], tmp_path: Path) -> None:
    c, _ = served
    h = csrf(c)
    assert c.post("/api/runs", json={"paths": ["/etc"]}, headers=h).status_code == 403
    assert c.post("/api/runs", json={"paths": [str(SAMPLES / ".." / "jixiao")]}, headers=h).status_code == 403
    (tmp_path / "link").symlink_to("/etc")
    assert c.post("/api/runs", json={"paths": [str(tmp_path / "link")]}, headers=h).status_code == 403
    assert c.post("/api/runs", json={"paths": [str(SAMPLES / "bad")]}).status_code == 403  # no CSRF header
    r = c.post("/api/runs", json={"paths": [str(SAMPLES / "bad")]}, headers=h)
    assert r.status_code == 200 and r.json()["files"] == 5
    assert wait_run(c, r.json()["run"])["failed"] == 5  # every file of bad/ becomes a failure row


def test_upload_over_the_limit_gets_413(tmp_path: Path) -> None:
    with client_for(make_config(tmp_path, max_upload_mb=1)) as c:
        big = [("files", ("big.pdf", b"%PDF-1.4\n" + b"0" * (1_300_000), "application/pdf"))]
        assert c.post("/api/runs", files=big, headers=csrf(c)).status_code == 413
        small = c.post("/api/runs", files=[("files", (SEED, sample(SEED).read_bytes(), "application/pdf"))], headers=csrf(c))
        assert small.status_code == 200


def test_upload_content_type_is_read_case_insensitively(tmp_path: Path) -> None:
    """A media type is case-insensitive: a client sending ``Multipart/Form-Data`` uploads like any other;
    a type that is neither an upload nor JSON is 415."""
    body = (b"--XyZ\r\nContent-Disposition: form-data; name=\"files\"; filename=\"s.pdf\"\r\n"
            b"Content-Type: application/pdf\r\n\r\n" + sample(SEED).read_bytes() + b"\r\n--XyZ--\r\n")
    with client_for(make_config(tmp_path)) as c:
        h = csrf(c)
        r = c.post("/api/runs", content=body, headers={**h, "content-type": "Multipart/Form-Data; boundary=XyZ"})
        assert r.status_code == 200 and r.json()["files"] == 1
        assert c.post("/api/runs", content=b"x", headers={**h, "content-type": "text/plain"}).status_code == 415


def test_non_local_host_without_token_is_refused_at_start(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["serve", "--db", str(tmp_path / "s.sqlite"), "--host", "0.0.0.0", "--no-browser"], env={"JIXIAO_TOKEN": ""})
    assert result.exit_code == 2
    assert "--host" in result.output and "--token" in result.output


def test_token_is_needed_for_every_request(tmp_path: Path) -> None:
    with client_for(make_config(tmp_path, token="s3cret")) as c:
        assert c.get("/api/session").status_code == 401
        assert c.get("/reports", follow_redirects=False).status_code == 303
        assert c.get("/api/session", headers={"Authorization": "Bearer nope"}).status_code == 401
        assert c.get("/api/session", headers={"Authorization": "Bearer s3cret"}).status_code == 200
        assert c.post("/login", data={"token": "nope"}).status_code == 401
        c.post("/login", data={"token": "s3cret"}, follow_redirects=False)
        assert c.get("/api/session").status_code == 200  # the login cookie


def test_document_text_and_file_names_are_escaped(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    hostile_name = "<img src=x onerror=alert(1)>.pdf"
    hostile_unit = "<script>alert('unit')</script>"
    with client_for(config) as c:
        upload(c, ("project-consistent.pdf",), None)
        r = c.post("/api/runs", files=[("files", (hostile_name, sample(SEED).read_bytes(), "application/pdf"))], headers=csrf(c))
        wait_run(c, r.json()["run"])
        (report,) = jixiao.parse(sample("project-consistent.pdf"))
        forged = replace(report, unit_name=hostile_unit, source=replace(report.source, path=str(tmp_path / "forged.pdf")))
        with open_store(config.db) as store:
            store.save(store.begin_run(), tmp_path / "forged.pdf", None, None, None, [forged])
        listing = c.get("/reports").text
        assert "&lt;img src=x onerror=alert(1)&gt;.pdf" in listing and "<img src=x" not in listing
        assert "&lt;script&gt;alert(&#39;unit&#39;)&lt;/script&gt;" in listing and "<script>alert" not in listing
        rid = next(i["id"] for i in c.get("/api/reports").json()["items"] if i["unit_name"] == hostile_unit)
        page = c.get(f"/reports/{rid}")
        assert "<script>alert" not in page.text and "&lt;script&gt;" in page.text
        assert "script-src 'self'" in page.headers["content-security-policy"]
        seed_id = next(i["id"] for i in c.get("/api/reports").json()["items"] if hostile_name in i["names"])
        assert "<img src=x" not in c.get(f"/reports/{seed_id}").text


def test_database_names_the_review_tables(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite"
    open_store(db).close()
    with sqlite3.connect(db) as con:
        columns = [r[1] for r in con.execute("PRAGMA table_info(reviews)")]
    con.close()
    assert columns == ["fingerprint", "state", "note", "reviewed_by", "reviewed_at", "report_key", "rule", "label", "message"]


def test_a_decided_finding_that_went_away_is_shown_resolved(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    path = tmp_path / "unit.pdf"
    (seed,) = jixiao.parse(sample(SEED))
    seed = replace(seed, source=replace(seed.source, path=str(path)))
    gone = next(f for f in seed.findings if f.rule == "score_total")
    with open_store(config.db) as store:
        store.save(store.begin_run(), path, None, None, None, [seed])
        fp = fingerprint(seed, gone)
        store.set_review(fp, Review("confirmed", "已通知单位更正", "王五"))
        corrected = replace(seed, findings=tuple(f for f in seed.findings if f is not gone))
        store.save(store.begin_run(), path, None, None, None, [corrected])  # the corrected version of the file
        (row,) = [r for r in store.review_rows() if r.fingerprint == fp]
        assert row.resolved and row.review.note == "已通知单位更正"
    with client_for(config) as c:
        rid = seed_item(c)["id"]
        data = c.get(f"/api/reports/{rid}").json()
        assert fp not in {f["fingerprint"] for f in data["findings"]}
        assert [(r["fingerprint"], r["state"], r["rule"]) for r in data["resolved"]] == [(fp, "confirmed", "score_total")]
        assert "已消失的问题" in c.get(f"/reports/{rid}").text


def test_a_queued_run_can_be_cancelled(tmp_path: Path) -> None:
    with client_for(make_config(tmp_path)) as c:
        h = csrf(c)
        files = [("files", (n, sample(n).read_bytes(), "application/pdf")) for n in (SEED, "multi-table-two-projects.pdf")]
        first = c.post("/api/runs", files=files, headers=h).json()["run"]
        second = c.post("/api/runs", files=[("files", ("p.pdf", sample("project-consistent.pdf").read_bytes(), "application/pdf"))], headers=h).json()["run"]
        assert c.post(f"/api/runs/{second}/cancel").status_code == 403  # no CSRF header
        assert c.post(f"/api/runs/{second}/cancel", headers=h).json()["state"] in ("cancelled", "running")
        assert wait_run(c, first)["state"] == "done"
        last = wait_run(c, second)
        assert last["state"] == "cancelled" and last["done"] <= 1
        assert c.get("/api/runs/999").status_code == 404


def test_reviewed_records_validate_against_the_schema() -> None:
    import jsonschema

    from jixiao.outputs.jsonfile import dumps
    from jixiao.review import with_reviews
    from jixiao.schema import record_schema

    records = with_reviews(jixiao.parse_path(sample(SEED)), {})
    first = records[0]
    assert isinstance(first, Report) and first.findings[0].fingerprint is not None
    decided = with_reviews(records, {first.findings[0].fingerprint: Review("dismissed", "笔误", "张三", "2026-12-07T00:00:00+00:00")})
    data = json.loads(dumps(decided[0]))
    jsonschema.validate(data, record_schema())
    assert data["findings"][0]["review"] == {"state": "dismissed", "note": "笔误", "by": "张三", "at": "2026-12-07T00:00:00+00:00"}
    assert {f["review"]["state"] for f in data["findings"][1:]} == {"open"}


def test_overview_charts_from_the_reports_table_match_the_html_reports(served: tuple[TestClient, ServeConfig]) -> None:
    from jixiao.html.charts import CHARTS
    from jixiao.validate.scores import recomputed_total
    from jixiao.web.queries import chart_reports

    _, config = served
    with open_store(config.db) as store:
        light = chart_reports(store)
        full = [r for r in store.load(Path(p) for (p,) in store.execute("SELECT path FROM files WHERE status = 'ok'")) if isinstance(r, Report)]
    assert len(light) == len(full) == 4
    def num(v: Any) -> float | None:
        return None if v is None else float(v)

    def key(r: Report) -> tuple[Any, ...]:
        rate = r.funds.total.execution_rate if r.funds.total is not None else None
        return (num(r.total_score), num(recomputed_total(r)), num(rate), r.grade)

    assert sorted(map(key, light), key=repr) == sorted(map(key, full), key=repr)
    assert sorted(bool(r.findings) for r in light) == sorted(any(f.rule == "score_total" for f in r.findings) for r in full)
    assert {k for k, *_ in CHARTS} == {"total-scores", "execution-rates", "grades", "stated-vs-recomputed"}
