"""jixiao against the floor and the naive way, side by side in one run.

Run on demand (not part of the tests)::

    python benchmarks/compare.py            # 120 reports per corpus, workers 1 and 2
    python benchmarks/compare.py --reports 60 --skip-naive --skip-scanned

It builds two corpora of text-layer reports, each copy made distinct by a
trailing PDF comment (so the batch's duplicate detection does not skip it):
**Word-like** (``samples/*.pdf``, one text span per cell) and **LibreOffice**
(``samples/office/*.pdf``, exported by LibreOffice, whose spans may run across
a cell border), and times, per report and per corpus:

* **jixiao**: the batch runner (``run_batch``: long-lived worker processes,
  the path ``jixiao extract -w N`` takes) with 1 worker, the whole batch
  timed (parent and worker; starting the pool is timed apart: it happens
  once per run), and with 2 workers over both corpora;
* **floor**: PyMuPDF ``get_text()`` of every page — nothing that reads the
  text can be faster;
* **naive**: pdfplumber ``extract_text()`` + ``extract_tables()`` on every page.

The ways take turns over ``--rounds`` rounds (default 3), and each way's
best round is its figure: on a shared machine a slow spell then falls on
every way alike, and the best round is the least disturbed one.

Then the scanned samples (``samples/scanned/``): seconds and pages per
second, and the share of the time spent in the OCR page reader and in its
models.

It prints ms/report, pages/s, the two ratios for each corpus, and peak RSS
of the workers, with the same ratios in CPU seconds (this process plus its workers), which
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


def build_corpus(folder: Path, reports: int, sources: list[Path] | None = None) -> list[Path]:
    """``reports`` distinct copies of the sources (default: every text-layer sample, Word-like and LibreOffice)."""
    if sources is None:
        sources = sorted(SAMPLES.glob("*.pdf")) + sorted((SAMPLES / "office").glob("*.pdf"))
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


CORPORA = {
    # Word-like: drawn by samples/build.py (and real reports), one span per cell text.
    "Word-like": lambda: sorted(SAMPLES.glob("*.pdf")),
    # Exported by LibreOffice (samples/build_office.py): spans that run across cell borders.
    "LibreOffice": lambda: sorted((SAMPLES / "office").glob("*.pdf")),
}
FLOOR, J1, J2, NAIVE = "floor (PyMuPDF get_text)", "jixiao, 1 worker", "jixiao, 2 workers", "naive (pdfplumber text+tables)"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reports", type=int, default=120, help="reports per corpus (Word-like and LibreOffice)")
    ap.add_argument("--rounds", type=int, default=3, help="each way is timed once per round; the best round counts")
    ap.add_argument("--skip-naive", action="store_true")
    ap.add_argument("--skip-two", action="store_true", help="do not time 2 workers")
    ap.add_argument("--skip-scanned", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="jixiao-bench-") as tmp:
        corpora: dict[str, list[Path]] = {}
        for label, sources in CORPORA.items():
            folder = Path(tmp) / label
            folder.mkdir()
            corpora[label] = build_corpus(folder, args.reports, sources())
        everything = [p for paths in corpora.values() for p in paths]
        pages = {label: page_count(paths) for label, paths in corpora.items()}
        for label, paths in corpora.items():
            print(f"corpus {label}: {len(paths)} reports, {pages[label]} pages (distinct copies)")
        run_floor(everything[:5])  # warm the page cache and imports
        # The worker pool's start-up (forking workers that have the parser
        # imported) happens once per run, not per report: timed apart.
        t_start, _, _ = timed(run_batch, everything[:1], 1)
        print(f"worker pool start-up and first report: {t_start * 1000:.0f} ms (once per run)")
        ways: dict[tuple[str, str], Callable[[], object]] = {}
        for label, paths in corpora.items():
            ways[label, FLOOR] = lambda paths=paths: run_floor(paths)
            ways[label, J1] = lambda paths=paths: run_batch(paths, 1)
            if not args.skip_naive:
                ways[label, NAIVE] = lambda paths=paths: run_naive(paths)
        if not args.skip_two:
            ways["both", J2] = lambda: run_batch(everything, 2)
        # The ways take turns, round after round, so a slow spell of a shared
        # machine falls on all of them; each way's best round is its figure
        # (as timeit does: the best run is the least disturbed).
        wall: dict[tuple[str, str], list[float]] = {key: [] for key in ways}
        cpu: dict[tuple[str, str], list[float]] = {key: [] for key in ways}
        done: list[Done] = []
        rss_workers = 0.0
        for i in range(args.rounds):
            for key, way in ways.items():
                w, c, result = timed(way)
                wall[key].append(w)
                cpu[key].append(c)
                if key[1] == J1 and i == 0:
                    done.extend(result)  # type: ignore[arg-type]
                if key[1] == J1 and rss_workers == 0.0:  # before a naive child runs
                    rss_workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        n_all = len(everything)
        reports = sum(1 for d in done for r in d.records if isinstance(r, Report))
        failed = sum(1 for d in done if not any(isinstance(r, Report) for r in d.records))
        print(f"parsed: {reports} report records from {n_all} files, {failed} files without a report")
        rss_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        per_file = statistics.median(d.elapsed_s for d in done) * 1000
        best = {key: min(times) for key, times in wall.items()}
        best_cpu = {key: min(times) for key, times in cpu.items()}
        print(f"best of {args.rounds} rounds, taken in turns; wall time of the whole batch (parent and worker):")
        print(f"{'':48} {'ms/report':>10} {'pages/s':>9} {'median round':>13} {'CPU ms/report':>14}")
        for (label, name), t in best.items():
            n = len(everything) if label == "both" else len(corpora[label])
            pg = sum(pages.values()) if label == "both" else pages[label]
            print(
                f"{label + ': ' + name:48} {t / n * 1000:>10.1f} {pg / t:>9.0f} "
                f"{statistics.median(wall[label, name]) / n * 1000:>10.1f} ms {best_cpu[label, name] / n * 1000:>11.1f} ms"
            )
        print("ratios, one worker (wall; CPU of parent + workers in brackets):")
        for label in corpora:
            floor, j1 = best[label, FLOOR], best[label, J1]
            c_floor, c_j1 = best_cpu[label, FLOOR], best_cpu[label, J1]
            line = f"  {label:12} jixiao / floor = {j1 / floor:5.2f}x ({c_j1 / c_floor:5.2f}x, goal ≤ 2.5x)"
            if (label, NAIVE) in best:
                line += (
                    f"   naive / jixiao = {best[label, NAIVE] / j1:5.2f}x "
                    f"({best_cpu[label, NAIVE] / c_j1:5.2f}x, goal ≥ 12x)"
                )
            print(line)
        if ("both", J2) in best:
            print(f"speed-up 1 → 2 workers (both corpora) = {sum(best[label, J1] for label in corpora) / best['both', J2]:5.2f}x")
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
