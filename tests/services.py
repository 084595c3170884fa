"""Real servers for the cluster tests, started as separate processes on 127.0.0.1 and stopped after.

- :func:`postgres_server`: a throwaway PostgreSQL cluster from Debian's ``postgresql`` package
  (``initdb`` + ``pg_ctl``), run as the ``postgres`` user when the tests run as root
  (``initdb`` refuses root); :func:`new_database` gives each test an empty database.
- :func:`dask_cluster`: ``dask scheduler`` and two ``dask worker`` processes (one process,
  one thread each), the way a cluster is started in production.

Everything waits by polling (a file, a port, the scheduler's worker count), never by sleeping blind.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 60.0


def wait_until(check: Callable[[], bool], timeout_s: float = START_TIMEOUT_S, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout_s:g} s waiting for {what}")
        time.sleep(0.05)


# -- PostgreSQL ------------------------------------------------------------------------------------


def postgres_bin(name: str) -> str | None:
    """A PostgreSQL server binary: on PATH, or in Debian's versioned folder."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def postgres_missing() -> str | None:
    """Why the PostgreSQL tests cannot run here, or None."""
    for name in ("initdb", "pg_ctl"):
        if postgres_bin(name) is None:
            return f"PostgreSQL server binaries not installed ({name} not found; apt-get install postgresql)"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root and runuser is missing: initdb refuses to run as root"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install -e '.[cluster]')"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class PostgresServer:
    port: int
    user: str = "jixiao"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}"


@contextlib.contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    initdb, pg_ctl = postgres_bin("initdb"), postgres_bin("pg_ctl")
    assert initdb and pg_ctl
    as_root = os.geteuid() == 0
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    home = Path(tempfile.mkdtemp(prefix="jixiao-pg-"))
    if as_root:
        shutil.chown(home, "postgres", "postgres")
    data, log = home / "data", home / "server.log"
    server = PostgresServer(free_port())
    options = f"-p {server.port} -h 127.0.0.1 -k {home} -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    try:
        subprocess.run(
            [*prefix, initdb, "-D", str(data), "-U", server.user, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"],
            check=True, capture_output=True, cwd=home,
        )
        subprocess.run([*prefix, pg_ctl, "-D", str(data), "-o", options, "-l", str(log), "-w", "start"],
                       check=True, capture_output=True, cwd=home)
        yield server
    finally:
        subprocess.run([*prefix, pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"], capture_output=True, cwd=home)
        shutil.rmtree(home, ignore_errors=True)


_shared: list[PostgresServer] = []


def shared_postgres_server() -> PostgresServer:
    """One server for every test module of this pytest process (``initdb`` takes seconds), stopped at exit."""
    if not _shared:
        context = postgres_server()
        _shared.append(context.__enter__())
        atexit.register(context.__exit__, None, None, None)
    return _shared[0]


def new_database(server: PostgresServer) -> str:
    """An empty database on the server; its URL."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server.url(), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return server.url(name)


# -- Dask -------------------------------------------------------------------------------------------


@dataclass
class DaskCluster:
    address: str
    scheduler: subprocess.Popen[bytes]
    workers: list[subprocess.Popen[bytes]]

    def client(self):  # type: ignore[no-untyped-def]
        from distributed import Client

        return Client(self.address, set_as_default=False, timeout=START_TIMEOUT_S)

    def wait_for_workers(self, n: int = 2) -> None:
        with self.client() as client:
            client.wait_for_workers(n, timeout=START_TIMEOUT_S)


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    env.update(extra)
    return env


@contextlib.contextmanager
def dask_cluster(allowed_failures: int = 1, workers: int = 2, preload: bool = False) -> Iterator[DaskCluster]:
    """A scheduler and ``workers`` workers (one process, one thread each). ``allowed_failures=1``:
    a task that was running on two workers that died is ``KilledWorker``. ``preload``: start the
    workers with ``--preload jixiao.dask_runner`` as the README does (slower to start)."""
    home = Path(tempfile.mkdtemp(prefix="jixiao-dask-"))
    scheduler_file = home / "scheduler.json"
    env = _env(DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES=str(allowed_failures))
    procs: list[subprocess.Popen[bytes]] = []
    try:
        scheduler = subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0",
             "--no-dashboard", "--scheduler-file", str(scheduler_file)],
            env=env, stdout=subprocess.DEVNULL, stderr=(home / "scheduler.log").open("wb"), cwd=home,
        )
        procs.append(scheduler)
        wait_until(lambda: (scheduler_file.exists() and scheduler_file.stat().st_size > 0) or scheduler.poll() is not None,
                   what="the Dask scheduler")
        assert scheduler.poll() is None, (home / "scheduler.log").read_text()
        address = json.loads(scheduler_file.read_text())["address"]
        started = [
            subprocess.Popen(
                [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nworkers", "1", "--nthreads", "1",
                 "--host", "127.0.0.1", "--no-dashboard", "--local-directory", str(home / f"w{i}"),
                 *(["--preload", "jixiao.dask_runner"] if preload else [])],
                env=env, stdout=subprocess.DEVNULL, stderr=(home / f"worker{i}.log").open("wb"), cwd=home,
            )
            for i in range(workers)
        ]
        procs.extend(started)
        cluster = DaskCluster(address, scheduler, started)
        cluster.wait_for_workers(workers)
        yield cluster
    finally:
        if procs and procs[0].poll() is None and scheduler_file.exists():
            with contextlib.suppress(Exception):  # the orderly way: the scheduler stops its workers
                from distributed import Client

                with Client(json.loads(scheduler_file.read_text())["address"], timeout=10) as client:
                    client.shutdown()
            for proc in procs:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(10)
        for proc in reversed(procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in reversed(procs):
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        shutil.rmtree(home, ignore_errors=True)


def slow_first_parse(name: str, data: bytes, sha256: str | None, limits: object) -> tuple[str, list[object]]:
    """A Dask task that takes 3 s on a file named ``slow*`` and no time on any other, parsing nothing."""
    import time

    from jixiao import __version__

    if Path(name).name.startswith("slow"):
        time.sleep(3)
    return __version__, []


def fatal_parse(name: str, data: bytes, sha256: str | None, limits: object) -> tuple[str, list[object]]:
    """A Dask task that takes its worker down outright, as a file that crashed the worker itself would."""
    os._exit(70)
