"""The workbench with a large store: time per request of the report list and a report page.

Builds a SQLite store of N reports (default 20,000) through the store's own ``save`` (copies of
two parsed samples under distinct paths, units and years, some decisions taken), then times each
request in-process (Starlette's TestClient: the app and the store, no network), median of R
repetitions, beside ``GET /api/session`` in the same run as the floor (the framework's own cost).

    python benchmarks/serve_list.py [--reports 20000] [--repeat 15] [--keep DIR]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import jixiao
from jixiao.models import Report, Review
from jixiao.review import fingerprint
from jixiao.store import open_store

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def build(db: Path, n: int) -> float:
    """A store of ``n`` reports: 1 in 10 the seed department report (13 findings), the rest a project table."""
    (seed,) = jixiao.parse(SAMPLES / "seed-department-report.pdf")
    (project,) = jixiao.parse(SAMPLES / "project-consistent.pdf")
    t = time.perf_counter()
    with open_store(db) as store:
        run_id = store.begin_run()
        for i in range(n):
            base: Report = seed if i % 10 == 0 else project
            path = f"/data/reports/{2019 + i % 5}/unit-{i:05d}.pdf"
            report = replace(
                base, unit_name=f"{base.unit_name}{i:05d}", fiscal_year=2019 + i % 5,
                source=replace(base.source, path=path, sha256=f"{i:064x}"),
            )
            store.save(run_id, Path(path), report.source.sha256, 1000, 0.0, [report])
            if i % 50 == 0 and report.findings:  # some decisions taken
                store.set_review(fingerprint(report, report.findings[0]), Review("dismissed", "bench", "bench"))
        store.finish_run(run_id, n)
    return time.perf_counter() - t


def timed(client: object, url: str, repeat: int) -> tuple[float, int]:
    times = []
    size = 0
    client.get(url)  # type: ignore[attr-defined]  # warm: the first request of a kind pays for imports and caches
    for _ in range(repeat):
        t = time.perf_counter()
        r = client.get(url)  # type: ignore[attr-defined]
        times.append(time.perf_counter() - t)
        assert r.status_code == 200, (url, r.status_code, r.text[:200])
        size = len(r.content)
    return statistics.median(times), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--keep", type=Path, help="build the store in DIR and keep it")
    args = parser.parse_args()
    from starlette.testclient import TestClient

    from jixiao.web.app import create_app
    from jixiao.web.config import ServeConfig

    folder = args.keep or Path(tempfile.mkdtemp(prefix="jixiao-serve-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "state.sqlite"
    if not db.exists():
        spent = build(db, args.reports)
        print(f"store: {args.reports} reports written through Store.save in {spent:.1f} s "
              f"({db.stat().st_size / 1e6:.0f} MB)")
    config = ServeConfig(db=str(db), data=folder / "state.files", workers=0)
    with TestClient(create_app(config), base_url="http://127.0.0.1:8765") as c:  # type: ignore[arg-type]
        total = c.get("/api/reports?limit=1").json()["total"]
        last = max(0, total - 50)
        rid = c.get("/api/reports?q=00010").json()["items"][0]["id"]
        cases = [
            ("floor: GET /api/session", "/api/session"),
            ("list, first page (JSON)", "/api/reports"),
            (f"list, last page offset {last} (JSON)", f"/api/reports?offset={last}"),
            ("list, severity=error (JSON)", "/api/reports?severity=error"),
            ("list, review=dismissed (JSON)", "/api/reports?review=dismissed"),
            ("list, rule=score_total&year=2019 (JSON)", "/api/reports?rule=score_total&year=2019"),
            ("list, free text q=组织部0199 (JSON)", "/api/reports?q=组织部0199"),
            ("list page, first (HTML)", "/reports"),
            ("list page, severity=error (HTML)", "/reports?severity=error"),
            ("report record (JSON)", f"/api/reports/{rid}"),
            ("report page (HTML)", f"/reports/{rid}"),
        ]
        print(f"{total} reports in the store; median of {args.repeat} requests each, in-process")
        floor = None
        for label, url in cases:
            median, size = timed(c, url, args.repeat)
            floor = floor or median
            print(f"  {label:<45} {median * 1000:8.1f} ms  {median / floor:6.1f}x floor  {size / 1024:7.1f} KB")


if __name__ == "__main__":
    main()
