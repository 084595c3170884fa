"""Per-page time of each stage on the samples, beside PyMuPDF's plain text (the floor).

Run on demand: ``python benchmarks/stage_times.py [N]``. Figures are medians
of N repeats (default 30) measured in this one process, and ratios against
the floor are printed because absolute times vary with the machine's load.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pymupdf

from jixiao.extract.document import extract_bytes
from jixiao.normalize.report import build_reports
from jixiao.validate import validate

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def median_ms(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def floor(data: bytes) -> None:
    with pymupdf.open(stream=data, filetype="pdf") as doc:
        for page in doc:
            page.get_text()


def main(repeats: int) -> None:
    print(f"{'sample':<40} {'pages':>5} {'extract':>9} {'normalize':>9} {'validate':>9} {'floor':>7} {'x floor':>7}")
    for pdf in sorted(SAMPLES.glob("*.pdf")):
        data = pdf.read_bytes()
        extracted = extract_bytes(data, str(pdf))
        reports = build_reports(extracted)
        pages = extracted.source.page_count
        t_ext = median_ms(lambda: extract_bytes(data, str(pdf)), repeats) / pages
        t_norm = median_ms(lambda: build_reports(extracted), repeats) / pages
        t_val = median_ms(lambda: [validate(r) for r in reports], repeats) / pages
        t_floor = median_ms(lambda: floor(data), repeats) / pages
        ratio = (t_ext + t_norm + t_val) / t_floor
        print(f"{pdf.name:<40} {pages:>5} {t_ext:>7.2f}ms {t_norm:>7.2f}ms {t_val:>7.2f}ms {t_floor:>5.2f}ms {ratio:>6.1f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
