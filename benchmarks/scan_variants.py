"""A text sample scanned the way other software scans: how far its record strays from the text PDF's.

    python benchmarks/scan_variants.py [--source samples/project-consistent.pdf] [--dpi 72,100,120,300]

Each page is rendered grey at the given resolution and written by Pillow as
one JPEG per page (as many scanner and converter tools do), then parsed and
compared with the text PDF: fund values that differ, indicator fields that
differ (parsed targets and actuals, weights, scores, labels), and the total
score.  Not a test: OCR at 72 dpi is expected to fail in places.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

import numpy as np
import pymupdf
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jixiao.models import Report
from jixiao.pipeline import parse_bytes, parse_path

FUND_LINES = ("total", "current_appropriation", "prior_carryover", "other")
FUND_FIELDS = ("initial_budget", "annual_budget", "executed", "execution_rate", "weight", "score")
INDICATOR_FIELDS = ("target_parsed", "actual_parsed", "weight", "score", "level1", "level2")


def scanned(source: Path, dpi: int, quality: int) -> bytes:
    pages = []
    with pymupdf.open(source) as doc:
        for page in doc:
            pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
            pages.append(Image.fromarray(np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width)))
    buf = io.BytesIO()
    pages[0].save(buf, "PDF", resolution=dpi, save_all=True, append_images=pages[1:], quality=quality)
    return buf.getvalue()


def compare(text: Report, scan: Report) -> tuple[int, list[tuple[str | None, str]]]:
    def value(report: Report, line: str, field: str) -> object:
        fund = getattr(report.funds, line)
        return getattr(fund, field) if fund is not None else None

    funds = sum(1 for ln in FUND_LINES for f in FUND_FIELDS if value(text, ln, f) != value(scan, ln, f))
    fields = [
        (t.name, f)
        for t, s in zip(text.indicators, scan.indicators, strict=False)
        for f in INDICATOR_FIELDS
        if getattr(t, f) != getattr(s, f)
    ]
    return funds, fields


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", type=Path, default=Path("samples/project-consistent.pdf"))
    ap.add_argument("--dpi", default="72,100,120,300")
    ap.add_argument("--quality", type=int, default=50)
    args = ap.parse_args()
    text = next(r for r in parse_path(args.source) if isinstance(r, Report))
    for dpi in (int(d) for d in args.dpi.split(",")):
        records = parse_bytes(scanned(args.source, dpi, args.quality), f"{args.source.stem}-{dpi}dpi.pdf")
        scan = next((r for r in records if isinstance(r, Report)), None)
        if scan is None:
            print(f"{dpi:>4} dpi: no report ({records[0]})")
            continue
        funds, fields = compare(text, scan)
        print(
            f"{dpi:>4} dpi: indicators {len(scan.indicators)}/{len(text.indicators)}, "
            f"fund values differing {funds}, indicator fields differing {len(fields)}, "
            f"total score {scan.total_score} (text {text.total_score})"
        )
        for name, field in fields[:8]:
            print(f"        {name}: {field}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
