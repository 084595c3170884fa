"""The console command as a user runs it (``python -m jixiao.cli``, the same ``run`` as the ``jixiao`` script).

``run`` leaves the process without the interpreter's teardown; these check
that nothing is lost by it: the exit codes of SPEC §4, every output written
in full, the summary printed, exit handlers run, no worker left behind.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import sample

SEED = sample("seed-department-report.pdf")
PROJECT = sample("project-consistent.pdf")
NOT_PDF = sample("bad/not-a-pdf.pdf")


def command(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jixiao.cli", *args], capture_output=True, text=True, timeout=300,
        env={**os.environ, **(env or {})}, cwd=cwd,
    )


def test_extract_with_a_worker_writes_every_record_and_exits_3(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    done = command("extract", str(PROJECT), str(NOT_PDF), "-w", "1", "-o", str(out), "-o", str(tmp_path / "t.csv"))
    assert done.returncode == 3, done.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [Path(r["source"]["path"]).name for r in rows] == ["project-consistent.pdf", "not-a-pdf.pdf"]
    assert rows[0]["project_name"] == "2022年度清溪县农村饮水安全巩固提升工程"
    assert rows[1]["status"] == "failed" and rows[1]["error"]["kind"] == "not_pdf"
    assert (tmp_path / "t.failures.csv").read_text(encoding="utf-8").count("not-a-pdf.pdf") == 1
    assert "文件 files 2 · 报告 reports 1 · 失败 failures 1" in done.stderr  # extract's summary: stdout may carry records


def test_findings_exit_1_and_clean_exit_0() -> None:
    assert command("check", str(SEED), "-w", "0", "-q").returncode == 1
    clean = command("check", str(PROJECT), "-w", "0", "-q")
    assert clean.returncode == 0
    assert clean.stdout.strip().endswith("问题 findings: 错误 errors 0 · 警告 warnings 0 · 提示 info 0")


def test_usage_errors_exit_2_with_their_message() -> None:
    unknown = command("check", str(PROJECT), "--no-such-option")
    assert unknown.returncode == 2 and "--no-such-option" in unknown.stderr
    start = command("check", str(PROJECT), env={"JIXIAO_START_METHOD": "bogus"})
    assert start.returncode == 2 and "bogus" in start.stderr


def test_exit_handlers_still_run(tmp_path: Path) -> None:
    mark = tmp_path / "ran"
    code = (
        "import atexit, pathlib, sys; from jixiao import cli; "
        "mark = pathlib.Path(sys.argv[1]); atexit.register(lambda: mark.write_text('ran')); "
        "sys.argv = ['jixiao', '--version']; cli.run()"
    )
    done = subprocess.run([sys.executable, "-c", code, str(mark)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("jixiao")
    assert mark.read_text() == "ran"
