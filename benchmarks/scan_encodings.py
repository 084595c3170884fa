"""A text sample scanned and stored the ways other scanners and converters store page images.

    python benchmarks/scan_encodings.py [--source samples/project-consistent.pdf] [--only strips12,pillow-g4,...]

Each page is rendered grey at 200 dpi and stored one way (image strips,
CMYK JPEG, a 16-colour palette PNG, JPEG 2000, Pillow's 1-bit CCITT G4 and
RGB JPEG writers, faded or cream-paper scans, a sideways image turned upright
by ``/Rotate``, a photocopier's black edges, uneven light, a speckled 1-bit
page), or laid under a scanner's invisible OCR text layer (render
mode 3; once with the right words, once with junk), or pasted into the text
report as a picture of its table.  Each document is parsed and compared with
the text PDF's record: fund values and indicator fields that differ, the
total, and error findings.  Not a test (OCR is slow); the tests build the
three cases that once failed (``tests/test_other_scanners.py``).
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pymupdf
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from scan_variants import compare

from jixiao.models import Report
from jixiao.pipeline import parse_bytes, parse_path

DPI = 200
Pages = list[tuple[pymupdf.Rect, Image.Image]]


def greys(source: Path) -> Pages:
    out = []
    with pymupdf.open(source) as doc:
        for page in doc:
            pix = page.get_pixmap(dpi=DPI, colorspace=pymupdf.csGRAY)
            out.append((page.rect, Image.fromarray(np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width))))
    return out


def encoded(image: Image.Image, fmt: str, **options: object) -> bytes:
    buf = io.BytesIO()
    image.save(buf, fmt, **options)
    return buf.getvalue()


def one_image_per_page(pages: Pages, store: Callable[[Image.Image], bytes]) -> bytes:
    doc = pymupdf.open()
    for rect, image in pages:
        doc.new_page(width=rect.width, height=rect.height).insert_image(rect, stream=store(image))
    return doc.tobytes()


def strips(pages: Pages, n: int = 12) -> bytes:
    doc = pymupdf.open()
    for rect, image in pages:
        page = doc.new_page(width=rect.width, height=rect.height)
        for i in range(n):
            y0, y1 = image.height * i // n, image.height * (i + 1) // n
            part = pymupdf.Rect(0, rect.height * y0 / image.height, rect.width, rect.height * y1 / image.height)
            page.insert_image(part, stream=encoded(image.crop((0, y0, image.width, y1)), "JPEG", quality=75))
    return doc.tobytes()


def pillow_pdf(pages: Pages, mode: str) -> bytes:
    images = [i.point(lambda v: 255 if v > 160 else 0).convert("1") if mode == "1" else i.convert(mode) for _, i in pages]
    buf = io.BytesIO()
    images[0].save(buf, "PDF", resolution=DPI, save_all=True, append_images=images[1:])
    return buf.getvalue()


def cream_paper(image: Image.Image) -> bytes:
    a = np.asarray(image).astype(np.float32) / 255
    rgb = np.stack([a * 245, a * 235 + (1 - a) * 20, a * 200 + (1 - a) * 90], -1).astype(np.uint8)  # dark blue ink
    return encoded(Image.fromarray(rgb), "JPEG", quality=70)


def black_border(image: Image.Image) -> bytes:
    """A photocopier's dark edges (lid shadow) along two sides and the top and bottom."""
    a = np.asarray(image).copy()
    h, w = a.shape
    a[:, :45], a[:30, :], a[:, w - 25 :], a[h - 20 :, :] = 15, 20, 30, 10
    return encoded(Image.fromarray(a), "JPEG", quality=75)


def uneven_light(image: Image.Image) -> bytes:
    """A page lit unevenly (a phone or a book scanner): darker towards the left and the top."""
    a = np.asarray(image).astype(np.float32)
    h, w = a.shape
    gain = np.linspace(0.55, 1.0, w)[None, :] * np.linspace(0.8, 1.0, h)[:, None]
    return encoded(Image.fromarray((a * gain).clip(0, 255).astype(np.uint8)), "JPEG", quality=75)


def speckled_one_bit(image: Image.Image) -> bytes:
    """A 1-bit page with a dirty glass's black specks (0.4% of the pixels)."""
    a = np.asarray(image).copy()
    a[np.random.default_rng(3).random(a.shape) < 0.004] = 0
    return encoded(Image.fromarray(a).convert("1"), "PNG")


def sideways(pages: Pages) -> bytes:
    doc = pymupdf.open()
    for rect, image in pages:
        page = doc.new_page(width=rect.height, height=rect.width)  # the sheet stored sideways...
        page.insert_image(page.rect, stream=encoded(image.rotate(90, expand=True), "JPEG", quality=75))
        page.set_rotation(270)  # ...and turned upright by /Rotate
    return doc.tobytes()


def invisible_layer(source: Path, pages: Pages, junk: bool) -> bytes:
    """Each text line of the source laid invisibly (render mode 3) over the page image, sized to fit its box, as scanners'
    "searchable PDF" writers place their OCR lines."""
    doc = pymupdf.open()
    with pymupdf.open(source) as src:
        for (rect, image), page in zip(pages, src, strict=True):
            new = doc.new_page(width=rect.width, height=rect.height)
            new.insert_image(rect, stream=encoded(image, "JPEG", quality=75))
            for block in page.get_text("dict")["blocks"]:
                for line in block.get("lines", []):
                    text = "".join(span["text"] for span in line["spans"]).strip()
                    if not text:
                        continue
                    if junk:
                        text = "".join(chr(0x4E00 + (ord(c) * 7) % 2000) for c in text)
                    x0, y0, x1, y1 = line["bbox"]
                    size = min((y1 - y0) * 0.85, (x1 - x0) / max(1e-3, pymupdf.get_text_length(text, "china-s", 1)))
                    new.insert_text((x0, y1 - (y1 - y0) * 0.2), text, fontsize=max(2.0, size), fontname="china-s", render_mode=3)
    return doc.tobytes()


def pasted_table(source: Path) -> bytes:
    """Every page whose text names the table's headers: its words outside the table stay text, the table a picture."""
    doc = pymupdf.open()
    with pymupdf.open(source) as src:
        for page in src:
            drawn = page.find_tables().tables
            if not drawn:
                doc.insert_pdf(src, from_page=page.number, to_page=page.number)
                continue
            new = doc.new_page(width=page.rect.width, height=page.rect.height)
            areas = [pymupdf.Rect(t.bbox) for t in drawn]
            for x0, y0, _x1, y1, word, *_ in page.get_text("words"):
                if not any(pymupdf.Rect(x0, y0, _x1, y1).intersects(a) for a in areas):
                    new.insert_text((x0, y1 - 2), word, fontsize=max(4.0, (y1 - y0) * 0.8), fontname="china-s")
            for area in areas:
                pix = page.get_pixmap(dpi=DPI, clip=area, colorspace=pymupdf.csGRAY)
                new.insert_image(area, stream=encoded(Image.frombytes("L", (pix.width, pix.height), pix.samples), "JPEG", quality=75))
    return doc.tobytes()


def variants(source: Path) -> dict[str, Callable[[], bytes]]:
    pages = greys(source)
    return {
        "strips12": lambda: strips(pages),
        "cmyk-jpeg": lambda: one_image_per_page(pages, lambda i: encoded(i.convert("CMYK"), "JPEG", quality=80)),
        "png-palette16": lambda: one_image_per_page(pages, lambda i: encoded(i.quantize(16), "PNG")),
        "jpeg2000": lambda: one_image_per_page(pages, lambda i: encoded(i, "JPEG2000")),
        "pillow-g4": lambda: pillow_pdf(pages, "1"),
        "pillow-rgb": lambda: pillow_pdf(pages, "RGB"),
        "faded": lambda: one_image_per_page(
            pages, lambda i: encoded(i.point(lambda v: int(120 + v * 95 / 255)), "JPEG", quality=70)
        ),
        "cream-paper": lambda: one_image_per_page(pages, cream_paper),
        "rotate90": lambda: sideways(pages),
        "black-border": lambda: one_image_per_page(pages, black_border),
        "uneven-light": lambda: one_image_per_page(pages, uneven_light),
        "speckled-1bit": lambda: one_image_per_page(pages, speckled_one_bit),
        "invisible-text": lambda: invisible_layer(source, pages, junk=False),
        "invisible-junk": lambda: invisible_layer(source, pages, junk=True),
        "pasted-table": lambda: pasted_table(source),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", type=Path, default=Path("samples/project-consistent.pdf"))
    ap.add_argument("--only", default="", help="comma-separated variant names")
    args = ap.parse_args()
    text = next(r for r in parse_path(args.source) if isinstance(r, Report))
    wanted = {v for v in args.only.split(",") if v}
    for name, make in variants(args.source).items():
        if wanted and name not in wanted:
            continue
        records = parse_bytes(make(), f"{args.source.stem}-{name}.pdf")
        scan = next((r for r in records if isinstance(r, Report)), None)
        if scan is None:
            print(f"{name:16} no report: {getattr(records[0], 'error', records[0])}", flush=True)
            continue
        funds, fields = compare(text, scan)
        errors = [f.rule for f in scan.findings if f.severity == "error"]
        text_errors = [f.rule for f in text.findings if f.severity == "error"]
        print(
            f"{name:16} {scan.source.text_method:5} OCR pages {len(scan.source.ocr_pages)}/{scan.source.page_count}, "
            f"indicators {len(scan.indicators)}/{len(text.indicators)}, fund values differing {funds}, "
            f"indicator fields differing {len(fields)}, total {scan.total_score} (text {text.total_score}), "
            f"errors {errors} (text {text_errors})",
            flush=True,
        )
        for indicator, field in fields[:5]:
            print(f"        {indicator}: {field}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
