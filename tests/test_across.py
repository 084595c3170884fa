"""Checks across reports on samples/audit: the planted twin gives exactly its three findings,
the consistent twin none, and a store fed one year per run finds what one run over both finds.
Figures worked out by hand in samples/build_audit.py and samples/sources/README.md."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from jixiao.audit import judge
from jixiao.cli import main
from jixiao.inputs import expand
from jixiao.models import Record, Report
from jixiao.pipeline import parse_path
from jixiao.store import read_db
from jixiao.validate.units import name_key, project_key

AUDIT = Path(__file__).resolve().parent.parent / "samples" / "audit"


def run(folder: Path) -> list[Record]:
    return judge([r for f in expand([folder]) for r in parse_path(f)])


def across(records: list[Record]) -> set[tuple[str, str, str | None, str | None, tuple[str, ...]]]:
    return {
        (Path(r.source.path).name, f.rule, f.expected, f.found, tuple(Path(c.path).name for c in f.compared))
        for r in records
        if isinstance(r, Report)
        for f in r.findings
        if f.scope == "batch"
    }


def test_planted_twin_gives_exactly_one_finding_per_rule() -> None:
    records = run(AUDIT / "planted")
    assert across(records) == {
        ("department-2023.pdf", "carryover_chain", "20.00", "25.00", ("department-2023.pdf", "department-2022.pdf")),
        (
            "department-2023.pdf", "projects_vs_department", "240.00", "245.00",
            ("department-2023.pdf", "project-a-2023.pdf", "project-b-2023.pdf"),
        ),
        (
            "project-c-2022.pdf", "duplicate_report", "230.00 / 230.00 / 228.00 / 99.91", "230.00 / 230.00 / 230.00 / 100.00",
            ("project-c-2022-reissued.pdf", "project-c-2022.pdf"),
        ),
    }
    every = [f for r in records if isinstance(r, Report) for f in r.findings]
    assert len(every) == 3  # the tables themselves are clean
    assert {(f.severity, f.profile) for f in every} == {("warning", "mof")}
    dept = next(r for r in records if isinstance(r, Report) and r.source.path.endswith("department-2023.pdf"))
    carry = next(f for f in dept.findings if f.rule == "carryover_chain")
    assert [c.pages for c in carry.compared] == [(2,), (2,)]
    assert carry.page == 2 and carry.where.column == "initial_budget"


def test_consistent_twin_gives_nothing() -> None:
    records = run(AUDIT / "consistent")
    assert len([r for r in records if isinstance(r, Report)]) == 6
    assert [f for r in records if isinstance(r, Report) for f in r.findings] == []


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("301001-成都市 青羊区 财政局（盖章）", "成都市青羊区财政局"),
        ("清河縣文化旅遊局", "清河县文化旅游局"),
        ("清河县文化旅游局盖章", "清河县文化旅游局"),
        ("510000241000000012345 乡村道路养护", "乡村道路养护"),
        ("（盖章）", None),
        (None, None),
    ],
)
def test_name_key(name: str | None, key: str | None) -> None:
    assert name_key(name) == key


def test_project_key_drops_the_year_only() -> None:
    assert project_key("2022年度全域旅游宣传推广") == project_key("2023 年度 全域旅游宣传推广") == "全域旅游宣传推广"
    assert project_key("2023年度") is None
    assert project_key("全域旅游宣传推广（二期）") == "全域旅游宣传推广二期"


def _lines(path: Path) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _batch_findings(path: Path) -> set[tuple[str, str, str, str]]:
    return {
        (Path(rec["source"]["path"]).name, f["rule"], f["expected"], f["found"])
        for rec in _lines(path)
        if rec.get("status") == "ok"
        for f in rec["findings"]
        if f["scope"] == "batch"
    }


def test_store_over_two_runs_finds_what_one_run_finds(tmp_path: Path) -> None:
    years = {"y2022": ["department-2022", "project-c-2022", "project-c-2022-reissued"],
             "y2023": ["department-2023", "project-a-2023", "project-b-2023"]}
    for folder, names in years.items():
        (tmp_path / folder).mkdir()
        for name in names:
            shutil.copy(AUDIT / "planted" / f"{name}.pdf", tmp_path / folder / f"{name}.pdf")
    runner = CliRunner()
    db = tmp_path / "state.sqlite"
    outs = []
    for folder in years:
        out = tmp_path / f"{folder}.jsonl"
        result = runner.invoke(main, ["check", str(tmp_path / folder), "--db", str(db), "-q", "-w", "0", "-o", str(out)])
        assert result.exit_code == 0, result.output
        outs.append(out)
    one = tmp_path / "one.jsonl"
    result = runner.invoke(main, ["check", str(tmp_path / "y2022"), str(tmp_path / "y2023"), "-q", "-w", "0", "-o", str(one)])
    assert result.exit_code == 0, result.output
    assert "carryover_chain" in result.output and "duplicate_report" in result.output
    assert "其中跨报告 of which across reports: 3" in result.output
    separate = _batch_findings(outs[0]) | _batch_findings(outs[1])
    assert separate == _batch_findings(one)
    assert {rule for _, rule, _, _ in separate} == {"duplicate_report", "projects_vs_department", "carryover_chain"}
    # The store holds the second run's findings across reports (the first run's files left its tables) ...
    stored = read_db(db)["findings"]
    batch = stored[stored["scope"] == "batch"]
    assert sorted(zip(batch["rule"], batch["compared"].str.count(";") + 1, strict=True)) == [
        ("carryover_chain", 2), ("projects_vs_department", 3)
    ]
    assert set(stored["profile"]) == {"mof"}
    # ... and a rerun with --new-only has nothing new to say about them.
    again = runner.invoke(main, ["check", str(tmp_path / "y2023"), "--db", str(db), "-q", "-w", "0", "--new-only"])
    assert again.exit_code == 0 and "projects_vs_department" not in again.output


def test_html_report_shows_every_compared_report(tmp_path: Path) -> None:
    from jixiao.html import write_html

    records = run(AUDIT / "planted")
    out = tmp_path / "r.html"
    write_html(records, out)
    html = out.read_text(encoding="utf-8")
    assert html.count('data-scope="batch"') == 3
    assert html.count('<div class="compared">') == 3
    assert "samples/audit/planted/department-2022.pdf</code> p2 · 清河县文化旅游局 2022" in html
    # both sides: last year's total row, each project's 全年执行数 and the other copy of project C, pictured too
    others = [c.split("<figcaption>")[1] for c in html.split("</figcaption>")[:-1] if ".pdf " in c.split("<figcaption>")[1]]
    assert sorted(Path(o.split(" ")[0]).name for o in others) == [
        "department-2022.pdf", "project-a-2023.pdf", "project-b-2023.pdf", "project-c-2022-reissued.pdf"
    ]
