"""Seconds per scanned page, and where they go; the two ways to read a table's cells.

Run on demand (not a test): ``python benchmarks/ocr_pages.py [--repeat N]
[--threads N] [--providers CUDAExecutionProvider]``.

For every page of the scanned samples it prints the wall and CPU seconds of
:func:`jixiao.extract.ocr.scan.ocr_page` and the share of each step (render,
seal/deskew, line finding, text detection, recognition); table pages and
text pages are summed apart.  Then, on the table pages, it compares the
library's way of reading cells (detect text once on the page, cut boxes at
the ruling lines, recognize the pieces) with recognizing every cell crop
line by line (no detector), against the cell texts of the text PDF.

``--line-heights 32,40,48`` compares the recognizer's input height for
narrative lines: characters misread on the text pages (edit distance to the
text PDF's text), narrative figures that differ from the text PDF's, and the
seconds spent recognizing.

``--providers`` is handed to onnxruntime (``CUDAExecutionProvider`` needs
``onnxruntime-gpu`` in place of ``onnxruntime``); ``--threads`` sets its
intra-op threads (default: onnxruntime's choice, all cores).
"""

from __future__ import annotations

import argparse
import statistics
import time
import unicodedata
from pathlib import Path

import cv2
import numpy as np
import pymupdf

from jixiao.extract.ocr import engine as ocr_engine
from jixiao.extract.ocr import image as im
from jixiao.extract.ocr.pages import ocr_grids
from jixiao.extract.ocr.scan import Timings, _crop, ocr_page
from jixiao.extract.tables import page_grids

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
SCANS = {
    "seed-department-report.scan.pdf": "seed-department-report.pdf",
    "project-consistent.scan.pdf": "project-consistent.pdf",
    "project-consistent.broken-tounicode.pdf": "project-consistent.pdf",
}
STEPS = ("render", "prepare", "rulings", "detect", "recognize", "assemble")


def _norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def time_pages(repeat: int) -> None:
    print(f"{'page':<48} {'wall s':>7} {'cpu s':>6}  " + " ".join(f"{s:>9}" for s in STEPS))
    totals: dict[str, list[float]] = {"table": [], "text": []}
    shares: dict[str, Timings] = {"table": Timings(), "text": Timings()}
    for scan_name in SCANS:
        with pymupdf.open(SAMPLES / "scanned" / scan_name) as doc:
            for page in doc:
                walls, cpus = [], []
                result = None
                for _ in range(repeat):
                    t, c = time.perf_counter(), time.process_time()
                    result = ocr_page(page, page.number + 1)
                    walls.append(time.perf_counter() - t)
                    cpus.append(time.process_time() - c)
                assert result is not None
                kind = "table" if result.raws else "text"
                wall = statistics.median(walls)
                totals[kind].append(wall)
                shares[kind].add(result.timings)
                steps = " ".join(f"{getattr(result.timings, s):>8.2f}s" for s in STEPS)
                label = f"{scan_name} p{page.number + 1} ({kind}, {len(result.pieces)} pieces)"
                print(f"{label:<48} {wall:>7.2f} {statistics.median(cpus):>6.2f}  {steps}")
    for kind, walls in totals.items():
        if not walls:
            continue
        spent = sum(getattr(shares[kind], s) for s in STEPS) or 1.0
        split = ", ".join(f"{s} {100 * getattr(shares[kind], s) / spent:.0f}%" for s in STEPS)
        print(f"{kind} pages: {len(walls)}, {statistics.mean(walls):.2f} s/page on average ({split})")


def _cell_lines(grey: np.ndarray, box: tuple[float, float, float, float]) -> list[tuple[float, float, float, float]]:
    """Text lines of one cell by its row profile: the per-cell way, no detector."""
    x0, y0, x1, y1 = (int(v) for v in box)
    pad = 4
    inner = grey[y0 + pad : y1 - pad, x0 + pad : x1 - pad]
    if inner.size == 0:
        return []
    ink = inner < 160
    rows = ink.sum(axis=1) > 0
    out, start = [], None
    for i, on in enumerate([*rows, False]):
        if on and start is None:
            start = i
        elif not on and start is not None:
            if i - start >= 4:
                cols = np.flatnonzero(ink[start:i].any(axis=0))
                out.append(
                    (x0 + pad + cols[0] - 3.0, y0 + pad + start - 3.0, x0 + pad + cols[-1] + 4.0, y0 + pad + i + 3.0)
                )
            start = None
    return out


def compare_cell_strategies() -> None:
    """Boxes cut at the lines (the library) vs recognizing each cell's lines; accuracy against the text PDF."""
    engine = ocr_engine.get_engine()
    print("\ncell reading, table pages:  strategy   seconds  cells right / cells with text")
    for scan_name, text_name in SCANS.items():
        with pymupdf.open(SAMPLES / "scanned" / scan_name) as scan, pymupdf.open(SAMPLES / text_name) as text:
            for page in scan:
                truth_grids = page_grids(text[page.number], page.number + 1)
                if not truth_grids:
                    continue
                truth = {(c.row, c.col): _norm(c.text) for g in truth_grids for c in g.grid.cells}
                # the library's way
                t = time.perf_counter()
                result = ocr_page(page, page.number + 1)
                lib_s = time.perf_counter() - t
                got = {(c.row, c.col): _norm(c.text) for g in ocr_grids(result) for c in g.grid.cells}
                lib_ok = sum(1 for k, v in truth.items() if v and got.get(k) == v)
                # per cell: same preparation, then every cell's lines recognized (no detector)
                t = time.perf_counter()
                rgb = im.render(page)
                grey, seal = im.suppress_seal(rgb)
                skew = im.estimate_skew(im.ink_mask(grey))
                grey = im.rotate(grey, skew)
                if seal is not None:
                    seal = im.rotate(seal.astype(np.uint8) * 255, skew) > 127
                rulings = im.find_rulings(im.ink_mask(grey), seal=seal)
                clean = im.smooth_for_recognition(im.erase_rulings(grey, rulings))
                raws = result.raws
                k = im.RENDER_DPI / 72
                boxes, keys = [], []
                for raw in raws:
                    for cell in raw.cells:
                        for line in _cell_lines(clean, (cell.x0 * k, cell.y0 * k, cell.x1 * k, cell.y1 * k)):
                            boxes.append(line)
                            keys.append((cell.row, cell.col))
                texts = engine.recognize([_crop(clean, b) for b in boxes])
                cell_s = time.perf_counter() - t
                per_cell: dict[tuple[int, int], str] = {}
                for key, rec in zip(keys, texts, strict=True):
                    per_cell[key] = per_cell.get(key, "") + (rec.text if rec.score >= 0.4 else "")
                cell_ok = sum(1 for k2, v in truth.items() if v and _norm(per_cell.get(k2, "")) == v)
                n = sum(1 for v in truth.values() if v)
                name = f"{scan_name} p{page.number + 1}"
                print(f"  {name:<44} boxes    {lib_s:>6.2f}  {lib_ok}/{n}")
                print(f"  {'':<44} cells    {cell_s:>6.2f}  {cell_ok}/{n}")


def compare_line_heights(heights: list[int], providers: tuple[str, ...], threads: int | None) -> None:
    """Narrative accuracy and recognition time per line height, against the text PDFs."""
    from rapidfuzz.distance import Levenshtein

    from jixiao.pipeline import parse_path

    print("\nline height  recognize s  misread chars / chars (text pages)  narrative figures differing")
    for height in heights:
        ocr_engine.configure(providers, threads, line_height=height)
        spent, misread, chars, figures = 0.0, 0, 0, 0
        for scan_name, text_name in SCANS.items():
            with pymupdf.open(SAMPLES / "scanned" / scan_name) as scan, pymupdf.open(SAMPLES / text_name) as text:
                for page in scan:
                    result = ocr_page(page, page.number + 1)
                    spent += result.timings.recognize
                    if not result.raws:
                        truth = _norm(text[page.number].get_text())
                        chars += len(truth)
                        misread += Levenshtein.distance(truth, _norm(result.text))
            got = parse_path(SAMPLES / "scanned" / scan_name)[0]
            want = parse_path(SAMPLES / text_name)[0]
            a = {k: v.value for k, v in got.narrative.figures.items()}  # type: ignore[union-attr]
            b = {k: v.value for k, v in want.narrative.figures.items()}  # type: ignore[union-attr]
            figures += sum(1 for k in a.keys() | b.keys() if a.get(k) != b.get(k))
        print(f"{height:>11} {spent:>12.1f}  {misread:>6} / {chars:<6} = {misread / max(1, chars):.4f}  {figures:>14}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--providers", default="", help="comma-separated onnxruntime providers")
    parser.add_argument("--skip-cells", action="store_true", help="only time the pages")
    parser.add_argument("--line-heights", default="", help="e.g. 32,40,48: compare narrative line heights")
    args = parser.parse_args()
    providers = tuple(p for p in args.providers.split(",") if p)
    t = time.perf_counter()
    engine = ocr_engine.configure(providers, args.threads)
    print(
        f"engine ready in {time.perf_counter() - t:.2f} s, providers {engine.providers}, threads {args.threads or 'default'}"
    )
    warm = np.full((64, 256, 3), 255, dtype=np.uint8)
    cv2.putText(warm, "785.21", (10, 45), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (0, 0, 0), 2)
    engine.recognize([warm])
    if args.line_heights:
        compare_line_heights([int(h) for h in args.line_heights.split(",")], providers, args.threads)
        return
    time_pages(args.repeat)
    if not args.skip_cells:
        compare_cell_strategies()


if __name__ == "__main__":
    main()
