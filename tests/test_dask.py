"""``--executor dask``: a real scheduler and two workers (separate processes on 127.0.0.1) give the
local runner's outputs byte for byte, survive a worker killed mid-batch, and turn a file that
kills workers into a ``crashed`` row; with ``--db postgresql://…`` too."""

from __future__ import annotations

import os
import shutil
import signal
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from jixiao.cli import main
from jixiao.inputs import expand
from jixiao.models import Failure
from jixiao.runner import Done, Limits, file_sha256, run_batch
from tests.conftest import SAMPLES
from tests.services import (
    DaskCluster,
    dask_cluster,
    fatal_parse,
    new_database,
    postgres_missing,
    shared_postgres_server,
    slow_first_parse,
)

pytest.importorskip("distributed", reason="the cluster extra is not installed (pip install -e '.[cluster]')")

from jixiao.runner import dask as dask_runner  # after the skip: its tasks need distributed on the workers


@pytest.fixture(scope="module")
def cluster() -> Iterator[DaskCluster]:
    with dask_cluster(allowed_failures=1, preload=True) as c:  # the README's worker command
        yield c


@pytest.fixture
def dask(cluster: DaskCluster) -> DaskCluster:
    """The cluster with both workers up (a test before may have killed one; its nanny restarts it)."""
    cluster.wait_for_workers(2)
    return cluster


def sample_paths() -> list[str]:
    """The samples folder as CLI arguments, less the OCR scans (tens of seconds each, and not what this is about)."""
    return sorted(str(p) for p in SAMPLES.iterdir() if p.suffix == ".pdf" or p.name in ("bad", "office"))


def invoke(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.output


def many(tmp_path: Path, copies: int) -> list[Path]:
    """The good samples, each also as ``copies`` variants that hash differently: a longer batch."""
    root = tmp_path / "many"
    root.mkdir()
    for src in sorted(SAMPLES.glob("*.pdf")):
        shutil.copy(src, root / src.name)
        for n in range(copies):
            (root / f"{src.stem}-{n}.pdf").write_bytes(src.read_bytes() + f"%%pad {n}\n".encode())
    return expand([root])


@pytest.fixture(scope="module")
def local_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str, bytes]:
    """``jixiao check`` of the samples with the local pool: exit code, printed text, JSONL."""
    out = tmp_path_factory.mktemp("local") / "local.jsonl"
    code, text = invoke("check", *sample_paths(), "-w", "2", "-o", out)
    return code, text, out.read_bytes()


def test_samples_on_the_cluster_give_the_local_outputs(
    dask: DaskCluster, local_run: tuple[int, str, bytes], tmp_path: Path
) -> None:
    local_code, local_text, local_jsonl = local_run
    dask_code, dask_text = invoke("check", *sample_paths(), "--executor", "dask", "--scheduler", dask.address,
                                  "-o", tmp_path / "dask.jsonl")
    assert local_code == dask_code == 3  # the bad samples fail, the rest are written
    assert dask_text == local_text
    assert (tmp_path / "dask.jsonl").read_bytes() == local_jsonl
    assert len(local_jsonl.splitlines()) >= 20


def test_dask_and_postgres_together(dask: DaskCluster, local_run: tuple[int, str, bytes], tmp_path: Path) -> None:
    if postgres_missing():
        pytest.skip(postgres_missing() or "")
    url = new_database(shared_postgres_server())
    command = ("check", *sample_paths(), "--executor", "dask", "--scheduler", dask.address, "--db", url)
    first = CliRunner().invoke(main, [*command, "-o", str(tmp_path / "first.jsonl")])
    second = CliRunner().invoke(main, [*command, "-o", str(tmp_path / "second.jsonl")])
    assert _parsed_count(url) == [len(expand(sample_paths())), 0]
    assert (first.exit_code, second.exit_code) == (3, 3)
    assert "解析 parsed 0 · 取自存储 from store" in second.output
    assert (tmp_path / "first.jsonl").read_bytes() == local_run[2]
    assert (tmp_path / "second.jsonl").read_bytes() == local_run[2]
    assert first.output.split("\n状态库 store")[0] == local_run[1].rstrip("\n")  # the same printed reports


def _parsed_count(url: str) -> list[int]:
    import psycopg

    with psycopg.connect(url) as conn:
        return [r[0] for r in conn.execute("SELECT files_parsed FROM runs ORDER BY run_id")]


def test_limits_hold_on_the_workers(dask: DaskCluster) -> None:
    files = [SAMPLES / "seed-department-report.pdf", SAMPLES / "project-consistent.pdf"]
    limits = Limits(timeout_s=0.001)
    on_dask = run_batch(files, limits=limits, executor="dask", scheduler=dask.address)
    local = run_batch(files, workers=1, limits=limits)
    assert [r for d in on_dask for r in d.records] == [r for d in local for r in d.records]
    assert {r.error.kind for d in on_dask for r in d.records if isinstance(r, Failure)} == {"timeout"}


def test_a_worker_killed_mid_batch_still_gives_every_file_once(dask: DaskCluster, tmp_path: Path) -> None:
    files = many(tmp_path, copies=2)
    killed: list[str] = []
    seen: list[int] = []
    with dask.client() as spy:
        pids: dict[str, int] = spy.run(os.getpid)

        def on_done(done: Done) -> None:
            seen.append(done.index)
            if killed:
                return
            busy = [addr for addr, keys in spy.processing().items() if keys and addr in pids]
            if busy:
                os.kill(pids[busy[0]], signal.SIGKILL)
                killed.append(busy[0])

        results = run_batch(files, executor="dask", scheduler=dask.address, on_done=on_done)
    assert killed, "no worker was busy to kill"
    assert Counter(seen) == Counter(range(len(files)))
    assert [d.path for d in results] == files
    local = run_batch(files, workers=2)
    assert [r for d in results for r in d.records] == [r for d in local for r in d.records]


def test_a_file_that_kills_two_workers_is_a_crashed_row(dask: DaskCluster) -> None:
    path = SAMPLES / "project-consistent.pdf"
    (done,) = dask_runner.run_on_dask([(0, path, file_sha256(path))], dask.address, Limits(), task=fatal_parse)
    (failure,) = done.records
    assert isinstance(failure, Failure) and failure.error.kind == "crashed"
    assert "killed Dask workers" in failure.error.message and failure.source.path == str(path)
    dask.wait_for_workers(2)  # the nannies bring both back, and the cluster works on
    (after,) = run_batch([path], executor="dask", scheduler=dask.address)
    assert not isinstance(after.records[0], Failure)


def test_no_file_runs_more_than_the_window_ahead_of_a_slow_one(dask: DaskCluster, tmp_path: Path) -> None:
    """Files finished out of order wait in the parent to be put in order: with a window of 3, only the
    two after a slow first file may finish before it, though 8 could be in flight."""
    jobs = []
    for i in range(12):
        path = tmp_path / (f"slow-{i}.pdf" if i == 0 else f"quick-{i}.pdf")
        path.write_bytes(b"%PDF-1.4 not parsed here\n")
        jobs.append((i, path, None))
    order = [d.index for d in dask_runner.run_on_dask(
        jobs, dask.address, Limits(), task=slow_first_parse, in_flight=8, window=3
    )]
    assert sorted(order) == list(range(12))
    assert set(order[: order.index(0)]) <= {1, 2}


def test_executor_options_are_checked() -> None:
    code, out = invoke("check", str(SAMPLES / "project-consistent.pdf"), "--executor", "dask")
    assert code == 2 and "--executor dask needs --scheduler" in out
    code, out = invoke("check", str(SAMPLES / "project-consistent.pdf"), "--scheduler", "tcp://127.0.0.1:1")
    assert code == 2 and "--scheduler needs --executor dask" in out


def test_unreachable_scheduler_is_an_error_not_a_hang(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(dask_runner, "CONNECT_TIMEOUT_S", 1.0)
    code, out = invoke("extract", str(SAMPLES / "project-consistent.pdf"), "-o", str(tmp_path / "out.jsonl"),
                       "--executor", "dask", "--scheduler", "tcp://127.0.0.1:9")
    assert code == 1
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in out
