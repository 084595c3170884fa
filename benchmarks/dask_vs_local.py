"""Files/s with the local process pool vs a Dask cluster on this machine, same cores.

Run on demand (not part of the tests)::

    python benchmarks/dask_vs_local.py                 # 200 reports, 2 workers each way
    python benchmarks/dask_vs_local.py --reports 400 --workers 4 --rounds 3

It builds a corpus of text-layer reports from ``samples/`` (each copy made distinct by a
trailing PDF comment, so the batch's duplicate detection does not skip it), starts a Dask
scheduler and ``--workers`` workers (one process, one thread each, as separate processes on
127.0.0.1, with ``--preload jixiao.dask_runner`` as in the README), then times ``run_batch`` with the local pool
(``-w N``) and with ``executor="dask"`` on the same files, alternating, ``--rounds`` times,
and prints files/s side by side.

Each way is timed *cold* (its first batch: the local pool forks fresh workers every batch;
a Dask worker starts its parser child on its first file and keeps it) and *warm* (the best
of the later rounds). The outputs are compared too: they must be identical.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jixiao.runner import run_batch  # noqa: E402
from tests.services import dask_cluster  # noqa: E402

SAMPLES = ROOT / "samples"


def build_corpus(folder: Path, reports: int) -> list[Path]:
    sources = sorted(SAMPLES.glob("*.pdf")) + sorted((SAMPLES / "office").glob("*.pdf"))
    out = []
    for i in range(reports):
        src = sources[i % len(sources)]
        dest = folder / f"{i:04d}-{src.name}"
        dest.write_bytes(src.read_bytes() + f"%pad {i}\n".encode())
        out.append(dest)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reports", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2, help="local pool size = Dask workers (1 thread each)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="jixiao-bench-"))
    try:
        files = build_corpus(tmp, args.reports)
        times: dict[str, list[float]] = {"local": [], "dask": []}
        with dask_cluster(workers=args.workers, preload=True) as cluster:
            reference = None
            for _ in range(args.rounds):
                for way in ("local", "dask"):
                    t = time.perf_counter()
                    if way == "local":
                        results = run_batch(files, workers=args.workers)
                    else:
                        results = run_batch(files, executor="dask", scheduler=cluster.address)
                    times[way].append(time.perf_counter() - t)
                    records = [r for d in results for r in d.records]
                    if reference is None:
                        reference = records
                    assert records == reference, f"{way} gave different records"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    n = len(files)
    print(f"{n} reports, {args.workers} local workers vs {args.workers} Dask workers × 1 thread, {args.rounds} rounds")
    print(f"{'':8}{'cold files/s':>14}{'warm files/s':>14}{'median files/s':>16}")
    for way, ts in times.items():
        warm = min(ts[1:]) if len(ts) > 1 else ts[0]
        print(f"{way:8}{n / ts[0]:>14.1f}{n / warm:>14.1f}{n / statistics.median(ts):>16.1f}")
    local_warm = min(times["local"][1:] or times["local"])
    dask_warm = min(times["dask"][1:] or times["dask"])
    extra_ms = (dask_warm - local_warm) / n * args.workers * 1000
    print(f"Dask / local (warm): {local_warm / dask_warm:.2f}× the throughput; "
          f"Dask adds {extra_ms:.0f} ms per file per worker (scheduler and driver share these cores)")


if __name__ == "__main__":
    main()
