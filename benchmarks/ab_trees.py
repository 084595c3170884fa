"""Two source trees of jixiao side by side: CPU ms per report of ``parse_bytes``, passes interleaved.

    git worktree add /tmp/old <rev>
    python benchmarks/ab_trees.py /tmp/old . [--passes 6]

Each tree runs in a long-lived process of its own over the same corpus
(``compare.build_corpus``); the two take turns, one pass each, so a slow
spell of a shared machine falls on both.  Prints each tree's passes and the
per-pair ratios new/old, whose median is the figure to read: on this
machine single passes vary by ±10%, which a one-off comparison cannot tell
from a real change.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent

CHILD = r"""
import gc, sys, tempfile, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from compare import build_corpus
from jixiao.pipeline import parse_bytes
datas = [(p.read_bytes(), str(p)) for p in build_corpus(Path(tempfile.mkdtemp()), 220)]
gc.freeze()
gc.set_threshold(50000, 20, 20)  # as in a batch worker
for data, name in datas[:40]:
    parse_bytes(data, name)
print("ready", flush=True)
for _ in sys.stdin:
    t = time.process_time()
    for data, name in datas:
        parse_bytes(data, name)
    print((time.process_time() - t) * 1000 / len(datas), flush=True)
"""


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("old", type=Path)
    ap.add_argument("new", type=Path)
    ap.add_argument("--passes", type=int, default=6)
    args = ap.parse_args()
    trees = {"old": args.old.resolve(), "new": args.new.resolve()}
    procs = {
        name: subprocess.Popen(
            [sys.executable, "-c", CHILD, str(BENCH)],
            env={**os.environ, "PYTHONPATH": str(tree)},
            cwd=tree,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for name, tree in trees.items()
    }
    for proc in procs.values():
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    times: dict[str, list[float]] = {name: [] for name in trees}
    for i in range(args.passes):
        for name in list(trees) if i % 2 == 0 else list(reversed(trees)):
            proc = procs[name]
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
            times[name].append(float(proc.stdout.readline()))
    for proc in procs.values():
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait()
    for name, values in times.items():
        print(f"{name} ({trees[name]}): " + " ".join(f"{v:.2f}" for v in values) + " ms/report")
    ratios = [b / a for a, b in zip(times["old"], times["new"], strict=True)]
    print("new/old per pair: " + " ".join(f"{r:.3f}" for r in ratios) + f"; median {statistics.median(ratios):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
