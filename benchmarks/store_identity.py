"""Issue 17's measurement of the store's memory, on a baseline jixiao and on this tree, in the same run.

Run on demand (not part of the tests)::

    python benchmarks/store_identity.py                       # in1/ 40 files, in2/ 1,000, baseline main
    python benchmarks/store_identity.py --n1 40 --n2 200 --base main --workers 2

Builds ``work/in1`` and ``work/in2`` of distinct text-layer reports (sample copies made distinct by a
trailing PDF comment) and runs, for each jixiao (the git ref ``--base``, unpacked with ``git archive``
into a temporary folder, and this tree), into a store of its own:

1. ``check in1 --db STATE.sqlite`` from ``work/``;
2. ``check in2 --db STATE.sqlite`` from ``work/``;
3. ``check <abs>/work/in1 --db <abs>/STATE.sqlite`` from another folder (the same files, another way);
4. ``check in2`` again from ``work/`` (all of it could come from the store);
5. ``check in2`` once more (all of it comes from the store in both).

It prints each run's store line (parsed, from store, removed) and wall time, how many of the
``n1 + n2`` files ``read_db`` shows; then run 5 again ``--repeat`` times on each, alternating (the
machine is shared: one pair of timings is noise), and the ratio of the medians, this tree over the
baseline: the store's own cost where both parse nothing.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
NAMES = ("seed-department-report.pdf", "project-consistent.pdf", "department-split-table.pdf",
         "multi-table-two-projects.pdf")
VISIBLE = (
    "import sys, jixiao.store as s; f = s.read_db(sys.argv[1]);"
    " print(len(set(f['reports']['file']) | set(f['failures']['file'])))"
)


def build(folder: Path, n: int, tag: str) -> None:
    folder.mkdir(parents=True)
    for i in range(n):
        name = NAMES[i % len(NAMES)]
        (folder / f"{i:04d}-{name}").write_bytes((SAMPLES / name).read_bytes() + f"%%pad {tag} {i}\n".encode())


def jixiao(code: Path | None, cwd: Path, *args: str) -> tuple[str, float]:
    """One CLI run with the jixiao at ``code`` (None: this tree); its store line and wall time."""
    env = {**os.environ, "PYTHONPATH": str(code if code is not None else ROOT)}
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "jixiao.cli", *args], cwd=cwd, env=env, capture_output=True, text=True)
    took = time.perf_counter() - start
    line = next((m.group(0) for m in re.finditer(r"解析 parsed .*", out.stdout + out.stderr)), f"rc={out.returncode} {out.stderr.strip()[-300:]}")
    return line, took


def cycle(label: str, code: Path | None, root: Path, n1: int, n2: int, workers: int) -> list[str]:
    """The five runs; returns run 5's arguments (run from ``root/work``)."""
    work, other = root / "work", root / "elsewhere"
    build(work / "in1", n1, "in1")
    build(work / "in2", n2, "in2")
    other.mkdir()
    db = work / "STATE.sqlite"
    w = ["-q", "-w", str(workers)]
    steps = [
        ("in1 from work/", work, ["check", "in1", "--db", "STATE.sqlite", *w]),
        ("in2 from work/", work, ["check", "in2", "--db", "STATE.sqlite", *w]),
        ("in1 by absolute path from elsewhere/", other, ["check", str(work / "in1"), "--db", str(db), *w]),
        ("in2 again from work/", work, ["check", "in2", "--db", "STATE.sqlite", *w]),
        ("in2 once more from work/", work, ["check", "in2", "--db", "STATE.sqlite", *w]),
    ]
    print(f"== {label}", flush=True)
    for what, cwd, args in steps:
        line, took = jixiao(code, cwd, *args)
        print(f"  {what:<38} {took:6.1f} s  {line}", flush=True)
    env = {**os.environ, "PYTHONPATH": str(code if code is not None else ROOT)}
    # cwd: ``python -c`` puts the working directory first on sys.path, before PYTHONPATH
    shown = subprocess.run([sys.executable, "-c", VISIBLE, str(db)], env=env, cwd=other, capture_output=True, text=True)
    print(f"  read_db shows {shown.stdout.strip() or shown.stderr.strip()[-200:]} of {n1 + n2} files", flush=True)
    return steps[-1][2]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n1", type=int, default=40)
    ap.add_argument("--n2", type=int, default=1000)
    ap.add_argument("--base", default="main", help="git ref of the baseline jixiao")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="jixiao-store-identity-"))
    try:
        base = tmp / "base-code"
        base.mkdir()
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.base, "jixiao"], capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(base)], input=archive.stdout, check=True)
        ways = {
            "baseline": (base, tmp / "base" / "work", cycle(f"baseline {args.base}", base, tmp / "base", args.n1, args.n2, args.workers)),
            "this tree": (None, tmp / "tree" / "work", cycle("this tree", None, tmp / "tree", args.n1, args.n2, args.workers)),
        }
        times: dict[str, list[float]] = {name: [] for name in ways}
        for _ in range(args.repeat):
            for name, (code, cwd, run5) in ways.items():
                line, took = jixiao(code, cwd, *run5)
                times[name].append(took)
                print(f"  run 5 again, {name:<10} {took:6.1f} s  {line}", flush=True)
        for name, took in times.items():
            print(f"run 5, {name}: " + " ".join(f"{t:.1f}" for t in took) + " s")
        ratio = statistics.median(times["this tree"]) / statistics.median(times["baseline"])
        print(f"run 5 (nothing to parse in either), median this tree / baseline = {ratio:.2f}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
