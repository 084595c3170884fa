"""jixiao against the floor and the naive way, side by side in one run.

Run on demand (not part of the tests)::

    python benchmarks/compare.py            # 200+ reports, workers 1 and 2
    python benchmarks/compare.py --reports 60 --skip-naive --skip-scanned

It builds a corpus of text-layer reports from ``samples/`` (each copy made
distinct by a trailing PDF comment, so the batch's duplicate detection does
not skip it), then times, per report:

* **jixiao**: the batch runner (``run_batch``: long-lived worker processes,
  the path ``jixiao extract -w N`` takes) with 1 and 2 workers (starting the
  pool is timed apart: it happens once per run);
* **floor**: PyMuPDF ``get_text()`` of every page — nothing that reads the
  text can be faster;
* **naive**: pdfplumber ``extract_text()`` + ``extract_tables()`` on every page.

The ways take turns over ``--rounds`` rounds (default 3), and each way's
best round is its figure: on a shared machine a slow spell then falls on
every way alike, and the best round is the least disturbed one.

Then the scanned samples (``samples/scanned/``): seconds and pages per
second, and the share of the time spent in the OCR page reader and in its
models.

It prints ms/report, the two ratios, pages/s, and peak RSS of the workers,
then the same ratios in CPU seconds (this process plus its workers), which
another job on the machine disturbs less than wall time.  Absolute times
depend on the machine's load; the ratios are measured side by side in one
process and are what to compare.  Each document is parsed cold: the
parsers' memos are cleared as each file starts (:mod:`jixiao.normalize.memo`).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pymupdf

from jixiao.models import Report
from jixiao.runner import Done, run_batch

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def build_corpus(folder: Path, reports: int) -> list[Path]:
    sources = sorted(p for p in SAMPLES.glob("*.pdf")) + sorted((SAMPLES / "office").glob("*.pdf"))
    out = []
    for i in range(reports):
        src = sources[i % len(sources)]
        dest = folder / f"{i:04d}-{src.name}"
        shutil.copy(src, dest)
        with dest.open("ab") as fh:
            fh.write(f"%pad {i}\n".encode())
        out.append(dest)
    return out


def page_count(paths: list[Path]) -> int:
    total = 0
    for p in paths:
        with pymupdf.open(p) as doc:
            total += doc.page_count
    return total


def run_floor(paths: list[Path]) -> None:
    for p in paths:
        with pymupdf.open(p) as doc:
            for page in doc:
                page.get_text()


def run_naive(paths: list[Path]) -> None:
    """In a child process of its own, as a user's script would run: pdfminer keeps
    caches (fonts, CMaps) that would otherwise stay in this process and slow the
    batch runner's parent (its garbage collector) in the next rounds."""
    child = mp.get_context("fork").Process(target=_naive, args=(paths,))
    child.start()
    child.join()
    if child.exitcode != 0:
        raise RuntimeError(f"the naive run failed (exit code {child.exitcode})")


def _naive(paths: list[Path]) -> None:
    import pdfplumber

    for p in paths:
        with pdfplumber.open(p) as pdf:
            for page in pdf.pages:
                page.extract_text()
                page.extract_tables()


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the batch's workers)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def timed(fn, *args):  # type: ignore[no-untyped-def]
    """Wall and CPU seconds of one call (CPU: this process and its finished workers)."""
    c = _cpu()
    t = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - t, _cpu() - c, result


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reports", type=int, default=220)
    ap.add_argument("--rounds", type=int, default=3, help="each way is timed once per round; the best round counts")
    ap.add_argument("--skip-naive", action="store_true")
    ap.add_argument("--skip-scanned", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="jixiao-bench-") as tmp:
        paths = build_corpus(Path(tmp), args.reports)
        pages = page_count(paths)
        n = len(paths)
        print(f"corpus: {n} reports, {pages} pages (from samples/, distinct copies)")
        run_floor(paths[:5])  # warm the page cache and imports
        # The worker pool's start-up (forking workers that have the parser
        # imported) happens once per run, not per report: timed apart.
        t_start, _, _ = timed(run_batch, paths[:1], 1)
        print(f"worker pool start-up and first report: {t_start * 1000:.0f} ms (once per run)")
        ways: dict[str, Callable[[], object]] = {
            "floor (PyMuPDF get_text)": lambda: run_floor(paths),
            "jixiao, 1 worker": lambda: run_batch(paths, 1),
            "jixiao, 2 workers": lambda: run_batch(paths, 2),
        }
        if not args.skip_naive:
            ways["naive (pdfplumber text+tables)"] = lambda: run_naive(paths)
        # The ways take turns, round after round, so a slow spell of a shared
        # machine falls on all of them; each way's best round is its figure
        # (as timeit does: the best run is the least disturbed).
        wall: dict[str, list[float]] = {name: [] for name in ways}
        cpu: dict[str, list[float]] = {name: [] for name in ways}
        done: list[Done] = []
        rss_workers = 0.0
        for _ in range(args.rounds):
            for name, way in ways.items():
                w, c, result = timed(way)
                wall[name].append(w)
                cpu[name].append(c)
                if name == "jixiao, 1 worker":
                    done = result  # type: ignore[assignment]
                if name == "jixiao, 2 workers" and rss_workers == 0.0:  # before the naive child runs
                    rss_workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        reports = sum(1 for d in done for r in d.records if isinstance(r, Report))
        failed = sum(1 for d in done if not any(isinstance(r, Report) for r in d.records))
        print(f"parsed: {reports} report records from {n} files, {failed} files without a report")
        rss_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        per_file = statistics.median(d.elapsed_s for d in done) * 1000
        best = {name: min(times) for name, times in wall.items()}
        print(f"best of {args.rounds} rounds, taken in turns:")
        print(f"{'':34} {'ms/report':>10} {'pages/s':>9} {'median round':>13}")
        for name, t in best.items():
            print(f"{name:34} {t / n * 1000:>10.1f} {pages / t:>9.0f} {statistics.median(wall[name]) / n * 1000:>10.1f} ms")
        floor, j1, j2 = best["floor (PyMuPDF get_text)"], best["jixiao, 1 worker"], best["jixiao, 2 workers"]
        naive = best.get("naive (pdfplumber text+tables)")
        print(f"jixiao 1 worker / floor        = {j1 / floor:6.2f}x   (goal ≤ 5x)")
        if naive is not None:
            print(f"naive / jixiao 1 worker        = {naive / j1:6.2f}x   (goal ≥ 10x)")
        print(f"speed-up 1 → 2 workers         = {j1 / j2:6.2f}x")
        print("CPU time (parent + workers; another job on the machine disturbs it less), best round:")
        best_cpu = {name: min(times) for name, times in cpu.items() if name != "jixiao, 2 workers"}
        for name, c in best_cpu.items():
            print(f"  {name:<32} {c / n * 1000:8.1f} ms/report")
        c_floor, c_j1 = best_cpu["floor (PyMuPDF get_text)"], best_cpu["jixiao, 1 worker"]
        print(f"  jixiao / floor = {c_j1 / c_floor:.2f}x", end="")
        if naive is not None:
            print(f", naive / jixiao = {best_cpu['naive (pdfplumber text+tables)'] / c_j1:.2f}x", end="")
        print()
        print(f"median wall time per file in its worker: {per_file:.1f} ms")
        print(f"peak RSS: parent {rss_self:.0f} MB, largest worker {rss_workers:.0f} MB")
    if not args.skip_scanned:
        run_scanned()
    return 0


def run_scanned() -> None:
    """The scanned corpus (samples/scanned/): pages/s and the share of the time spent in OCR.

    Parsed in this process, one file after another, so the time inside the
    OCR page reader can be summed beside the whole parse.
    """
    from jixiao.extract.ocr import engine, scan
    from jixiao.pipeline import parse_path

    paths = sorted((SAMPLES / "scanned").glob("*.pdf"))
    engine.get_engine()  # built once per process (about 0.3 s): not a page's cost
    inner = scan.ocr_page
    spent = {"ocr": 0.0, "models": 0.0, "pages": 0.0}

    def counted(page, page_no, *rest):  # type: ignore[no-untyped-def]
        t = time.perf_counter()
        result = inner(page, page_no, *rest)
        spent["ocr"] += time.perf_counter() - t
        spent["models"] += result.timings.detect + result.timings.recognize
        spent["pages"] += 1
        return result

    scan.ocr_page = counted
    try:
        t = time.perf_counter()
        for p in paths:
            parse_path(p)
        total = time.perf_counter() - t
    finally:
        scan.ocr_page = inner
    pages = page_count(paths)
    print(f"\nscanned corpus: {len(paths)} files, {pages} pages, {int(spent['pages'])} read with OCR")
    print(f"  {total / pages:.2f} s/page, {pages / total:.2f} pages/s on this machine")
    print(
        f"  share of the time in the OCR page reader: {100 * spent['ocr'] / total:.0f}% "
        f"(detection and recognition models: {100 * spent['models'] / total:.0f}%)"
    )


if __name__ == "__main__":
    sys.exit(main())
