"""The runner without fork and without its parent: start methods, limits under spawn, kill -9.

The batch, CLI and store tests run a second time under ``JIXIAO_START_METHOD=spawn`` in CI
(``.ci/run``); these tests set the start method themselves.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pymupdf
import pytest
from click.testing import CliRunner

from jixiao.cli import main
from jixiao.models import Failure, Record
from jixiao.runner import Limits, UnknownStartMethod, run_batch, start_method
from tests import fuzzcorpus
from tests.conftest import SAMPLES

ROOT = Path(__file__).resolve().parent.parent


def kinds(records: list[Record]) -> list[str]:
    return [r.error.kind if isinstance(r, Failure) else "report" for r in records]


def test_start_method_comes_from_the_environment() -> None:
    assert start_method({}) == ("fork" if sys.platform.startswith("linux") else "spawn")
    assert start_method({"JIXIAO_START_METHOD": " Spawn "}) == "spawn"
    with pytest.raises(UnknownStartMethod, match=r"'vfork' 无效.* / JIXIAO_START_METHOD='vfork' is not one of"):
        start_method({"JIXIAO_START_METHOD": "vfork"})


def test_unknown_start_method_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["check", str(SAMPLES / "project-consistent.pdf")],
                                env={"JIXIAO_START_METHOD": "vfork"})
    assert result.exit_code == 2
    assert "JIXIAO_START_METHOD='vfork' is not one of fork|forkserver|spawn" in result.output


def test_spawn_gives_the_records_of_the_default_start_even_for_chinese_paths_with_spaces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "自评 报告 2023"
    folder.mkdir()
    named = folder / "项目 自评表（修订）.pdf"
    shutil.copy(SAMPLES / "project-consistent.pdf", named)
    files = [named, SAMPLES / "seed-department-report.pdf", SAMPLES / "bad" / "truncated.pdf",
             SAMPLES / "multi-table-two-projects.pdf"]
    default = run_batch(files, workers=2)
    monkeypatch.setenv("JIXIAO_START_METHOD", "spawn")
    spawned = run_batch(files, workers=2)
    assert [r for d in spawned for r in d.records] == [r for d in default for r in d.records]
    assert [kinds(d.records) for d in spawned] == [["report"], ["report"], ["corrupt"], ["report", "report"]]
    assert spawned[0].records[0].source.path == str(named)


def huge_scan(path: Path) -> Path:
    """A scanned page blown up to PDF's largest page: its OCR image takes hundreds of MB."""
    src = pymupdf.open(SAMPLES / "scanned" / "project-consistent.scan.pdf")
    out = pymupdf.open()
    page = out.new_page(width=14400, height=14400)
    page.show_pdf_page(page.rect, src, 0)
    path.write_bytes(out.tobytes())
    return path


@pytest.mark.parametrize(
    ("cap", "memory_mb"),
    [("rlimit", 700), ("watchdog", 300)],  # an address-space cap needs room to map the OCR libraries
)
def test_hanging_and_memory_hungry_files_under_spawn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cap: str, memory_mb: int
) -> None:
    monkeypatch.setenv("JIXIAO_START_METHOD", "spawn")
    if cap == "watchdog":
        monkeypatch.setenv("JIXIAO_MEMORY_CAP", "watchdog")  # the parent's psutil sampling, as on Windows
    slow = tmp_path / "slow.pdf"
    slow.write_bytes(fuzzcorpus.bomb(60))  # most of a minute to read
    hungry = run_batch([huge_scan(tmp_path / "huge-scan.pdf")], workers=1, limits=Limits(timeout_s=100, memory_mb=memory_mb))
    assert [kinds(d.records) for d in hungry] == [["too_large"]]
    assert " / " in hungry[0].records[0].error.message  # type: ignore[union-attr]
    results = run_batch([slow, SAMPLES / "project-consistent.pdf"], workers=1, limits=Limits(timeout_s=3.0))
    assert [kinds(d.records) for d in results] == [["timeout"], ["report"]]


def test_a_worker_that_dies_under_spawn_is_a_crashed_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker is killed from outside while it reads a slow file, as a crash of the PDF
    library would end it; the file sent ahead to it goes to its replacement."""
    monkeypatch.setenv("JIXIAO_START_METHOD", "spawn")
    slow = tmp_path / "slow.pdf"
    slow.write_bytes(fuzzcorpus.bomb(60))
    me = psutil.Process()

    def kill_first_worker() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            workers = [p for p in me.children() if "spawn_main" in " ".join(p.cmdline())]
            if workers:
                time.sleep(0.5)
                workers[0].kill()
                return
            time.sleep(0.05)

    killer = threading.Thread(target=kill_first_worker)
    killer.start()
    results = run_batch([slow, SAMPLES / "project-consistent.pdf"], workers=1, limits=Limits(timeout_s=60))
    killer.join()
    assert [kinds(d.records) for d in results] == [["crashed"], ["report"]]
    assert "exit code -9" in results[0].records[0].error.message  # type: ignore[union-attr]


HELPERS = ("multiprocessing.forkserver", "multiprocessing.resource_tracker")  # not workers
BATCH = """
import sys
from pathlib import Path
from jixiao.runner import Limits, run_batch
run_batch([Path(p) for p in sys.argv[1:]], workers=2, limits=Limits(timeout_s=300))
"""


def _busy_worker(p: psutil.Process, parent: int) -> bool:
    """A worker that has started reading (the fork server's workers are its children, with its command line)."""
    try:
        helper = p.ppid() == parent and any(h in " ".join(p.cmdline()) for h in HELPERS)
        return not helper and p.cpu_times().user > 0.5
    except psutil.Error:
        return False


@pytest.mark.parametrize("method", ["fork", "forkserver", "spawn"])
def test_kill_9_of_the_parent_leaves_no_process_behind(tmp_path: Path, method: str) -> None:
    slow = fuzzcorpus.bomb(60)
    files = []
    for n in range(3):  # distinct contents: copies would be parsed once
        files.append(tmp_path / f"slow-{n}.pdf")
        files[-1].write_bytes(slow + b"%" + str(n).encode())
    env = {**os.environ, "JIXIAO_START_METHOD": method, "PYTHONPATH": str(ROOT)}
    parent = subprocess.Popen([sys.executable, "-c", BATCH, *map(str, files)], env=env, start_new_session=True)
    try:
        proc = psutil.Process(parent.pid)
        deadline = time.monotonic() + 60
        workers: list[psutil.Process] = []
        while time.monotonic() < deadline:  # both workers started and reading a file
            workers = [p for p in proc.children(recursive=True) if _busy_worker(p, proc.pid)]
            if len(workers) >= 2:
                break
            time.sleep(0.1)
        family = proc.children(recursive=True)
        assert len(workers) >= 2, family
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(10)
        _gone, alive = psutil.wait_procs(family, timeout=60)  # a loaded 2-core CI box is slow to reap
        assert alive == [], [(p, p.cmdline(), p.ppid()) for p in alive if p.is_running()]
    finally:
        try:
            os.killpg(parent.pid, signal.SIGKILL)  # whatever a failing run left behind
        except ProcessLookupError:
            pass


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="reads /proc")
def test_a_forked_worker_holds_no_parent_end_of_any_pipe() -> None:
    """Else its own or a sibling's ``recv`` never sees EOF when the parent dies."""
    from jixiao.runner.pool import _Worker
    from jixiao.runner.start import context

    workers = [_Worker(context("fork"), "fork", Limits()) for _ in range(3)]
    try:
        for w in workers:  # answers READY once it has closed what it inherited
            assert w.conn.recv_bytes() == b"R"
        parent_ends = {os.readlink(f"/proc/self/fd/{w.conn.fileno()}") for w in workers}
        for w in workers:
            fds = Path(f"/proc/{w.process.pid}/fd")
            held = {os.readlink(fd) for fd in fds.iterdir()}
            assert held.isdisjoint(parent_ends), (w.process.pid, held & parent_ends)
    finally:
        for w in workers:
            w.stop()
