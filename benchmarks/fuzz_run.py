"""The full fuzz run: 600+ damaged and hostile inputs through the batch runner.

    python benchmarks/fuzz_run.py [--mutations 600] [--workers 2] [--keep DIR]

Prints inputs, outcomes by kind, wall time and the peak memory of the
workers; exits 1 if any input lacks exactly one outcome. The corpus is seeded
and deterministic (``tests/fuzzcorpus.py``), including a decompression bomb
and a 20,000-page file.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jixiao.runner import Limits, run_batch  # noqa: E402
from jixiao.models import Failure  # noqa: E402
from tests.fuzzcorpus import build  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mutations", type=int, default=600)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--pages", type=int, default=20000, help="size of the many-pages file (0: skip)")
    ap.add_argument("--keep", type=Path, help="write the corpus here instead of a temp dir")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="jixiao-fuzz-") as tmp:
        folder = args.keep or Path(tmp)
        t = time.perf_counter()
        paths = build(folder, mutations=args.mutations, big_pages=args.pages or None)
        print(f"corpus: {len(paths)} inputs built in {time.perf_counter() - t:.1f} s in {folder}")
        t = time.perf_counter()
        done = run_batch(paths, workers=args.workers, limits=Limits())
        wall = time.perf_counter() - t
    outcomes = Counter(
        (d.records[0].error.kind if isinstance(d.records[0], Failure) else "report") for d in done if d.records
    )
    missing = len(paths) - sum(1 for d in done if d.records)
    print(f"wall time: {wall:.1f} s for {len(paths)} inputs ({args.workers} workers)")
    for kind, n in sorted(outcomes.items(), key=lambda kv: -kv[1]):
        print(f"  {kind:<16} {n}")
    slow = sorted(done, key=lambda d: -d.elapsed_s)[:3]
    print("slowest:", ", ".join(f"{d.path.name} {d.elapsed_s:.1f}s" for d in slow))
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak RSS of the largest worker: {peak:.0f} MB (cap {Limits().memory_mb} MB)")
    print(f"inputs without exactly one outcome: {missing}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
