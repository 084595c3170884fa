"""Per-report time of each reader next to the PDF path, on the same content.

    python benchmarks/formats.py [--passes 5]

The samples under ``samples/formats/`` hold the same three reports (seed,
consistent project, split table) as the PDF samples; each file is parsed
end to end (``parse_bytes``: sniffing, reading, normalizing, checking) in
this one process, formats taking turns within each pass so a slow spell of
the shared machine falls on all of them.  Prints CPU ms per report (median
of the passes) and the ratio to the PDF path; then the 200-sheet workbook
case: one workbook of 200 copies of the project sheet, ms per report.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jixiao.models import Report  # noqa: E402
from jixiao.pipeline import parse_bytes, warm_up  # noqa: E402

NAMES = ("seed-department-report", "project-consistent", "department-split-table")
FORMATS = {
    "pdf": "{name}.pdf",
    "docx": "formats/{name}.docx",
    "xlsx": "formats/{name}.xlsx",
    "xls": "formats/{name}.xls",
    "html.xls": "formats/{name}.html.xls",
    "ofd": "formats/{name}.ofd",
    "ofd (CTM, template)": "formats/{name}.ctm.ofd",
}


def cpu_ms(data: bytes, name: str, repeat: int) -> float:
    t = time.process_time()
    for _ in range(repeat):
        records = parse_bytes(data, name)
    elapsed = (time.process_time() - t) * 1000 / repeat
    assert all(isinstance(r, Report) for r in records), records
    return elapsed


def big_workbook(sheets: int) -> bytes:
    import openpyxl

    src = openpyxl.load_workbook(ROOT / "samples/formats/project-consistent.xlsx")
    ws0 = src.worksheets[0]
    for i in range(1, sheets):
        ws = src.copy_worksheet(ws0)
        ws.title = f"项目{i}"
    out = io.BytesIO()
    src.save(out)
    return out.getvalue()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--passes", type=int, default=5)
    ap.add_argument("--sheets", type=int, default=200)
    args = ap.parse_args()
    warm_up()
    files = {
        (fmt, name): (ROOT / "samples" / pattern.format(name=name)).read_bytes()
        for fmt, pattern in FORMATS.items()
        for name in NAMES
    }
    for (fmt, name), data in files.items():  # first use: imports, caches
        cpu_ms(data, f"{name}.{fmt}", 1)
    times: dict[str, list[float]] = {fmt: [] for fmt in FORMATS}
    for _ in range(args.passes):
        for fmt in FORMATS:
            times[fmt].append(sum(cpu_ms(files[(fmt, n)], f"{n}.{fmt}", 3) for n in NAMES) / len(NAMES))
    base = statistics.median(times["pdf"])
    print(f"{'format':<22}{'ms/report':>10}{'× PDF':>8}   passes (ms/report)")
    for fmt, values in times.items():
        med = statistics.median(values)
        print(f"{fmt:<22}{med:>10.1f}{med / base:>8.2f}   {' '.join(f'{v:.1f}' for v in values)}")
    data = big_workbook(args.sheets)
    t = time.process_time()
    records = parse_bytes(data, "workbook.xlsx")
    elapsed = (time.process_time() - t) * 1000
    reports = sum(isinstance(r, Report) for r in records)
    print(f"\nworkbook of {args.sheets} project sheets ({len(data) // 1024} KB): {reports} reports, "
          f"{elapsed:.0f} ms, {elapsed / max(reports, 1):.1f} ms/report")
    return 0


if __name__ == "__main__":
    sys.exit(main())
