"""The command contract of SPEC §4, run in-process: exit codes, outputs, messages."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from jixiao.cli import main
from tests.conftest import sample

SEED = str(sample("seed-department-report.pdf"))
PROJECT = str(sample("project-consistent.pdf"))


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_check_clean_report_exits_0() -> None:
    code, out = run("check", PROJECT)
    assert code == 0
    assert "错误 errors 0 · 警告 warnings 0" in out


def test_check_findings_exit_1_and_are_listed() -> None:
    code, out = run("check", SEED)
    assert code == 1
    assert "score_total" in out and "总分写为 92" in out
    assert "表中 stated 92 · 重算 recomputed 79" in out


def test_fail_on_info_counts_info_findings() -> None:
    code, _ = run("check", PROJECT, "--fail-on", "info")
    assert code == 0
    code, _ = run("check", SEED, "--fail-on", "warning")
    assert code == 1


def test_extract_writes_jsonl(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    code, _ = run("extract", SEED, PROJECT, "-o", str(out))
    assert code == 0
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["report_type"] for r in lines] == ["department_overall", "project"]
    assert lines[0]["funds"]["total"]["annual_budget"] == 785.21
    assert lines[0]["total_score"] == 92
    assert not list(tmp_path.glob(".*.tmp"))  # atomic write left no temp file


def test_extract_writes_json_array(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    code, _ = run("extract", SEED, "-o", str(out))
    assert code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert len(data) == 1 and data[0]["grade"] == "优"


def test_extract_needs_output() -> None:
    code, out = run("extract", SEED)
    assert code == 2
    assert "-o" in out


def test_unknown_output_suffix_is_usage_error(tmp_path: Path) -> None:
    code, out = run("extract", SEED, "-o", str(tmp_path / "out.docx"))
    assert code == 2
    assert "不支持的输出格式 .docx" in out


def test_missing_path_is_usage_error() -> None:
    code, _ = run("check", "no/such/file.pdf")
    assert code == 2


def test_not_a_pdf_exits_3_with_failure_row(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.pdf"
    bogus.write_text("这不是 PDF", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    code, text = run("check", str(bogus), SEED, "-o", str(out))
    assert code == 3  # failures win over findings
    assert "[not_pdf]" in text
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert rows[0]["status"] == "failed" and rows[0]["error"]["kind"] == "not_pdf"
    assert rows[1]["status"] == "ok"


def test_every_command_is_documented_in_readme() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for name in main.commands:  # type: ignore[attr-defined]
        assert f"jixiao {name}" in readme


def test_quiet_check_prints_only_the_final_summary() -> None:
    code, out = run("check", SEED, PROJECT, "-q")
    assert code == 1  # the findings still count for the exit code
    assert "总分写为 92" not in out and "表中 stated" not in out  # no report blocks
    assert out.lstrip("\n").startswith("文件 files 2 · 报告 reports 2 · 失败 failures 0")
    assert "score_total" in out  # the summary's count by rule


def test_summary_tallied_file_by_file_is_the_summary_of_all_records() -> None:
    from jixiao.pipeline import parse_path
    from jixiao.summary import Tally, run_summary

    per_file = [parse_path(p) for p in (SEED, PROJECT, str(sample("bad/empty.pdf")), str(sample("multi-table-two-projects.pdf")))]
    tally = Tally()
    for records in per_file:
        tally.add(records)
    expected = run_summary(4, [r for records in per_file for r in records])
    assert tally.summary(4) == expected
    assert expected.startswith("文件 files 4 · 报告 reports 4 · 失败 failures 1 (empty 1)\n")
