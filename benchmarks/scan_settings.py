"""Field accuracy and false errors on scans made with other settings than the samples'.

    python benchmarks/scan_settings.py [--sources a.pdf,b.pdf] [--variants jpeg45,dpi130,...]

Each text sample is rendered and "scanned" several ways none of the committed
scans uses (JPEG quality 40–60, 120–150 dpi, a Gaussian blur, a 1–1.5° skew, a
fold shadow across the page, and a table split over two scanned pages — the
split-table sample), written by Pillow as one image per page, then parsed and
compared field by field with the text PDF's record:

- **fields**: fund values (6 per line), the report's unit, year, total and grade,
  and per indicator its name, level labels, parsed target and actual, weight and
  score; accuracy is the share equal to the text record;
- **false errors**: error findings of the scan that its text twin does not have
  (same rule, row and column), the number an auditor must never see.

Not a test (OCR throughput is machine-bound); print figures to compare two trees:
``PYTHONPATH=OLD_TREE python benchmarks/scan_settings.py`` against this tree.
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pymupdf
from PIL import Image, ImageFilter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jixiao.models import Report
from jixiao.pipeline import parse_bytes, parse_path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("samples/project-consistent.pdf", "samples/seed-department-report.pdf", "samples/department-split-table.pdf")
FUND_LINES = ("total", "current_appropriation", "prior_carryover", "other")
FUND_FIELDS = ("initial_budget", "annual_budget", "executed", "execution_rate", "weight", "score")
INDICATOR_FIELDS = ("name", "level1", "level2", "target_parsed", "actual_parsed", "weight", "score")
REPORT_FIELDS = ("unit_name", "fiscal_year", "total_score", "grade")

Page = Image.Image


def _pages(source: Path, dpi: int) -> list[Page]:
    out = []
    with pymupdf.open(source) as doc:
        for page in doc:
            pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
            out.append(Image.fromarray(np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width)))
    return out


def _fold(img: Page) -> Page:
    """A fold shadow: a soft dark band across the middle of the page, as a folded sheet scans."""
    a = np.asarray(img, dtype=np.float32)
    h = a.shape[0]
    y = np.arange(h, dtype=np.float32)[:, None]
    shade = 1.0 - 0.35 * np.exp(-(((y - h * 0.52) / (h * 0.02)) ** 2))
    return Image.fromarray(np.clip(a * shade, 0, 255).astype(np.uint8))


VARIANTS: dict[str, tuple[int, int, Callable[[Page], Page]]] = {
    # name: (dpi, JPEG quality, what happens to each page)
    "jpeg45": (200, 45, lambda p: p),
    "jpeg60": (200, 60, lambda p: p),
    "dpi130": (130, 85, lambda p: p),
    "dpi150": (150, 85, lambda p: p),
    "blur": (200, 80, lambda p: p.filter(ImageFilter.GaussianBlur(1.2))),
    "skew1.2": (200, 80, lambda p: p.rotate(1.2, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=255)),
    "fold": (200, 80, _fold),
}


def scanned(source: Path, variant: str) -> bytes:
    dpi, quality, effect = VARIANTS[variant]
    pages = [effect(p) for p in _pages(source, dpi)]
    buf = io.BytesIO()
    pages[0].save(buf, "PDF", resolution=dpi, save_all=True, append_images=pages[1:], quality=quality)
    return buf.getvalue()


def compare(text: Report, scan: Report) -> tuple[int, int, list[str]]:
    """(equal fields, compared fields, each differing field as ``where: text ≠ scan``)."""
    pairs: list[tuple[str, object, object]] = []
    for line in FUND_LINES:
        t, s = getattr(text.funds, line), getattr(scan.funds, line)
        pairs += [(f"{line}.{f}", getattr(t, f, None) if t else None, getattr(s, f, None) if s else None) for f in FUND_FIELDS]
    pairs += [(f, getattr(text, f), getattr(scan, f)) for f in REPORT_FIELDS]
    for i, t in enumerate(text.indicators):
        s = scan.indicators[i] if i < len(scan.indicators) else None
        pairs += [(f"indicator {i}.{f}", getattr(t, f), getattr(s, f) if s is not None else None) for f in INDICATOR_FIELDS]
    pairs = [(w, a, b) for w, a, b in pairs if a is not None]
    return sum(1 for _, a, b in pairs if a == b), len(pairs), [f"{w}: {a!r} ≠ {b!r}" for w, a, b in pairs if a != b]


def false_errors(text: Report, scan: Report) -> list[str]:
    def key(f: object) -> tuple[object, ...]:
        return (f.rule, f.where.column)  # type: ignore[attr-defined]

    real = {key(f) for f in text.findings if f.severity == "error"}
    return [f"{f.rule}:{f.where.label or f.where.column}" for f in scan.findings if f.severity == "error" and key(f) not in real]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sources", default=",".join(SOURCES))
    ap.add_argument("--variants", default=",".join(VARIANTS))
    ap.add_argument("--show", action="store_true", help="print every field that differs from the text PDF's")
    args = ap.parse_args()
    total_equal = total_fields = total_false = 0
    print(f"{'source':<36} {'variant':<8} {'fields':>10} {'accuracy':>9}  false errors")
    for src in args.sources.split(","):
        source = ROOT / src
        texts = [r for r in parse_path(source) if isinstance(r, Report)]
        for variant in args.variants.split(","):
            records = parse_bytes(scanned(source, variant), f"{source.stem}.{variant}.pdf")
            scans = [r for r in records if isinstance(r, Report)]
            equal = fields = 0
            false: list[str] = []
            wrong: list[str] = []
            for i, text in enumerate(texts):
                if i < len(scans):
                    e, n, diff = compare(text, scans[i])
                    false += false_errors(text, scans[i])
                    wrong += diff
                else:
                    e, n = 0, compare(text, text)[1]
                    wrong.append(f"report {i}: not found")
                equal, fields = equal + e, fields + n
            total_equal, total_fields, total_false = total_equal + equal, total_fields + fields, total_false + len(false)
            print(f"{source.name:<36} {variant:<8} {equal:>4}/{fields:<5} {equal / max(fields, 1):>8.1%}  {len(false)} {false[:4]}")
            if args.show:
                print("".join(f"    {w}\n" for w in wrong), end="")
    print(f"{'all':<36} {'':<8} {total_equal:>4}/{total_fields:<5} {total_equal / max(total_fields, 1):>8.1%}  {total_false}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
