"""The runner at scale: wall time, files/s, parent and worker peak memory as the batch grows.

Run on demand (not part of the tests)::

    python benchmarks/scale.py                      # 1,000 and 10,000 files, 2 workers
    python benchmarks/scale.py --sizes 200,1000 --workers 2

Builds ``max(sizes)`` distinct text-layer reports from ``samples/`` (each copy made distinct
by a trailing PDF comment, so duplicate detection does not skip it); the first N are each
size's input. Each way runs in a fresh process, so its peak RSS is its own:

* **hold**: ``run_batch`` (every result held until the end, as the CLI does today);
* **stream**: ``iter_batch`` writing JSONL line by line and counting the summary as it goes
  (``summary.Tally``): the runner's own memory, without the outputs that still hold
  everything (Excel, CSV, Parquet, HTML, the store);
* **cli**: ``jixiao extract DIR -o out.jsonl -o out.xlsx --db state.sqlite``, run in-process
  in a fresh interpreter (its parent's and largest worker's peaks, the store's size), then
  checked: the JSONL holds every input's records, in input order, and the workbook's 报告
  sheet one row per report.
* **cli@REF** (``--baseline-src /path/to/other/checkout``): the same command run with another
  checkout's code first (say ``main``), at the smallest size only, for a before/after ratio.

The figure to compare is how each peak grows from the smallest size to the largest: a
stream's should stay flat; the run ends with parent peak(largest) / parent peak(smallest).
Worker peaks are the largest worker's. ``--ways cli`` runs only the CLI (the 50,000 run).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"

CHILD = """
import json, resource, sys, time
from pathlib import Path
from jixiao.runner import iter_batch, run_batch
from jixiao.outputs.jsonfile import dumps
from jixiao.summary import Tally
way, workers, listing, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], Path(sys.argv[4])
files = [Path(line) for line in Path(listing).read_text(encoding="utf-8").splitlines()]
t = time.perf_counter()
records = 0
if way == "hold":
    results = run_batch(files, workers=workers)
    records = sum(len(d.records) for d in results)
    in_order = [d.index for d in results] == list(range(len(files)))
else:
    tally = Tally()
    seen = []
    with out.open("w", encoding="utf-8") as fh:
        for done in iter_batch(files, workers=workers):
            seen.append(done.index)
            tally.add(done.records)
            records += len(done.records)
            for r in done.records:
                fh.write(dumps(r) + "\\n")
    in_order = seen == list(range(len(files)))
wall = time.perf_counter() - t
print(json.dumps({"wall": wall, "records": records, "in_order": in_order,
                  "parent_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "worker_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def build_corpus(folder: Path, n: int) -> list[Path]:
    sources = sorted(SAMPLES.glob("*.pdf")) + sorted((SAMPLES / "office").glob("*.pdf"))
    datas = [p.read_bytes() for p in sources]
    out = []
    for i in range(n):
        path = folder / f"{i // 1000:03d}" / f"{i:06d}-{sources[i % len(sources)].name}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(datas[i % len(datas)] + b"\n%copy " + str(i).encode() + b"\n")
        out.append(path)
    return out


def run_child(way: str, workers: int, files: list[Path], tmp: Path) -> dict[str, float]:
    listing = tmp / "files.txt"
    listing.write_text("\n".join(map(str, files)), encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", CHILD, way, str(workers), str(listing), str(tmp / "out.jsonl")],
                          capture_output=True, text=True, check=True, cwd=ROOT)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


CLI = """
import json, resource, sys, time
from jixiao.cli import main
t = time.perf_counter()
try:
    main(sys.argv[1:], standalone_mode=False)
except SystemExit:
    pass
print(json.dumps({"wall": time.perf_counter() - t,
                  "parent_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "worker_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def run_cli(workers: int, folder: Path, tmp: Path, src: Path = ROOT) -> dict[str, Any]:
    db = tmp / "state.sqlite"
    db.unlink(missing_ok=True)
    out, book = tmp / "cli.jsonl", tmp / "cli.xlsx"
    env = {**os.environ, "PYTHONPATH": str(src)}
    done = subprocess.run([sys.executable, "-c", CLI, "extract", str(folder), "-w", str(workers), "-q",
                           "-o", str(out), "-o", str(book), "--db", str(db)],
                          capture_output=True, text=True, cwd=src, check=False, env=env)
    lines = done.stdout.strip().splitlines()
    if not lines:
        raise SystemExit(f"cli failed ({done.returncode}): {done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(lines[-1])
    result["store_mb"] = db.stat().st_size / 1e6 if db.exists() else 0.0
    result.update(check_cli(folder, out, book))
    out.unlink(missing_ok=True)
    book.unlink(missing_ok=True)
    return result


def check_cli(folder: Path, out: Path, book: Path) -> dict[str, Any]:
    """Every input's records in the JSONL, in input order (a file's records together, files in the
    order ``expand`` lists them), and as many 报告 rows in the workbook as reports in the JSONL."""
    from jixiao.inputs import expand

    expected = [str(p) for p in expand([folder])]
    paths: list[str] = []
    records = reports = 0
    with out.open(encoding="utf-8") as fh:
        for line in fh:
            data = json.loads(line)
            records += 1
            reports += data.get("status") != "failed"
            path = data["source"]["path"]
            if not paths or paths[-1] != path:
                paths.append(path)
    with zipfile.ZipFile(book) as z:  # the sheet's XML, not a load of the whole workbook
        with z.open("xl/worksheets/sheet1.xml") as sheet:
            rows = sum(chunk.count(b"<row ") for chunk in iter(lambda: sheet.read(1 << 20), b""))
    return {"records": records, "in_order": paths == expected, "xlsx_ok": rows - 1 == reports}


def show_cli(n: int, way: str, c: dict[str, Any]) -> None:
    print(f"{n:>7} {way:<7} {c['wall']:>8.1f} {n / c['wall']:>8.1f} {c['parent_mb']:>10.0f} "
          f"{c['worker_mb']:>10.0f}  -o .jsonl -o .xlsx --db: store {c['store_mb']:.1f} MB, "
          f"records {c['records']}, in order: {c['in_order']}, xlsx rows ok: {c['xlsx_ok']}", flush=True)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--ways", default="hold,stream,cli", help="any of hold, stream, cli")
    ap.add_argument("--baseline-src", type=Path, help="another checkout: its CLI at the smallest size, first")
    args = ap.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    ways = args.ways.split(",")
    with tempfile.TemporaryDirectory(prefix="jixiao-scale-") as name:
        tmp = Path(name)
        t = time.perf_counter()
        corpus = build_corpus(tmp / "corpus", sizes[-1])
        print(f"corpus: {len(corpus)} distinct files in {time.perf_counter() - t:.1f} s; {args.workers} workers")
        print(f"{'files':>7} {'way':<7} {'wall s':>8} {'files/s':>8} {'parent MB':>10} {'worker MB':>10}  notes")
        parents: dict[int, float] = {}
        for n in sizes:
            files = corpus[:n]
            for way in [w for w in ("hold", "stream") if w in ways]:
                r = run_child(way, args.workers, files, tmp)
                print(f"{n:>7} {way:<7} {r['wall']:>8.1f} {n / r['wall']:>8.1f} {r['parent_mb']:>10.0f} "
                      f"{r['worker_mb']:>10.0f}  records {r['records']:.0f}, in order: {r['in_order']}", flush=True)
            if "cli" in ways:
                folder = tmp / f"in-{n}"
                folder.mkdir()
                for p in files:
                    (folder / p.name).symlink_to(p)
                if args.baseline_src and n == sizes[0]:
                    show_cli(n, "cli@ref", run_cli(args.workers, folder, tmp, args.baseline_src))
                c = run_cli(args.workers, folder, tmp)
                parents[n] = c["parent_mb"]
                show_cli(n, "cli", c)
                shutil.rmtree(folder)
        if len(parents) > 1:
            print(f"cli parent peak {sizes[-1]:,} / {sizes[0]:,} files: {parents[sizes[-1]] / parents[sizes[0]]:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
