"""One very long report through one worker: seconds, pages/s and the worker's peak RSS.

    python benchmarks/big_file.py [--pages 20000]

The file is the seed report's narrative repeated to ``--pages`` pages with
its table last (``tests/fuzzcorpus.many_pages``).  Pages are streamed, so the
worker's peak RSS should stay flat as the page count grows: run it with
``--pages 2000`` and ``--pages 20000`` to see.  The worker is a fresh
process, so its peak is this file's alone.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jixiao.models import Report
from jixiao.runner import run_batch
from tests.fuzzcorpus import many_pages


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=20000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="jixiao-big-") as tmp:
        path = Path(tmp) / f"many-{args.pages}.pdf"
        t = time.perf_counter()
        path.write_bytes(many_pages(args.pages))
        print(f"built {args.pages} pages ({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        (done,) = run_batch([path], workers=1)
        spent = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    kinds = [type(r).__name__ if isinstance(r, Report) else r.error.kind for r in done.records]  # type: ignore[union-attr]
    print(f"records: {kinds}")
    print(f"{spent:.1f} s, {args.pages / spent:.0f} pages/s; worker peak RSS {peak:.0f} MB")
    return 0 if all(k == "Report" for k in kinds) else 1


if __name__ == "__main__":
    sys.exit(main())
