"""Build the scanned and broken-text samples in samples/scanned/ from samples/*.pdf.

Run ``python samples/build_scans.py [part of a file name ...]`` (no argument:
all of them). Every output is deterministic (fixed
seeds, fixed metadata) so a rebuild gives the same bytes on the same library
versions.

``<name>.scan.pdf`` imitates a paper report that was printed, stamped and
scanned: each page is rendered at 150 dpi, a red seal (a ring, a star and
the unit's name along the ring) is printed over it the way ink lies on paper
(multiplied, so black text under the seal stays black), the sheet is rotated
by 0.3–1°, sensor noise is added, and the result is stored as page images in
a new PDF with no text layer at all.  The seal sits over the table's score
columns, where it hurts most.  Two storage styles, as scanners write them:

- ``jpeg``: one JPEG per page (grey, or colour where a seal is);
- ``bilevel``: one 1-bit CCITT G4 image per page (a scanner's
  black-and-white mode, noise thresholded into ragged edges and specks)
  with the seal's square laid over it as a small colour JPEG, the "mixed
  raster" layout of compressing scanners.  Dense text pages stay small.

Two more imitate other scanners' and converters' habits, so that the
reader is not tuned to ours alone:

- ``project-consistent.rotated.pdf``: grey JPEGs at 200 dpi written by
  Pillow's PDF writer (each page sized from its image), the first sheet fed
  sideways (the text runs up the page, no ``/Rotate``), the second upside
  down, both skewed by 1–2°;
- ``project-consistent.letter.pdf``: an A4 sheet scanned at 150 dpi with
  strong JPEG compression, skewed by 3.5–4° (more than our own scans' 1°),
  fitted into a US Letter page with bare white margins around it;
- ``project-consistent.bold.pdf``: a dark black-and-white scan at 200 dpi,
  strokes thickened by 3 px and cut to 1 bit, written by Pillow: bold
  strokes fill the small characters' counters (完 reads as 究, 值 goes).

``<name>.broken-tounicode.pdf`` is the text PDF re-saved with its font's
ToUnicode map deleted: the glyphs still draw correctly, but the text layer
now reads as glyph ids (control characters and random code points), as
PDFs from some old converters do.
"""

from __future__ import annotations

import io
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pymupdf
from PIL import Image

HERE = Path(__file__).resolve().parent
OUT = HERE / "scanned"
JPEG_QUALITY = 45
NOISE_SIGMA = 3.0  # grey levels, for JPEG pages
NOISE_SIGMA_BILEVEL = 9.0  # before thresholding: ragged strokes
BILEVEL_THRESHOLD = 150
PAPER = (246, 244, 238)
SPECKS = 0.0001  # share of pixels hit by dust
SEAL_RED = (0.86, 0.10, 0.12)
FIXED_META = {
    "producer": "jixiao samples/build_scans.py",
    "creationDate": "D:20230620090000+08'00'",
    "modDate": "D:20230620090000+08'00'",
}


@dataclass(frozen=True)
class Seal:
    page: int  # 1-based
    cx: float  # centre, points
    cy: float
    radius: float
    ring_text: str
    centre_text: str


@dataclass(frozen=True)
class ScanJob:
    source: str
    seed: int
    angles: tuple[float, ...]  # degrees per page, cycled; 0.3–1° either way
    seals: tuple[Seal, ...]
    mode: str  # "jpeg" | "bilevel"
    dpi: int


JOBS = (
    ScanJob(
        "seed-department-report.pdf",
        seed=20230620,
        angles=(0.6, -0.4, 0.8, -0.7, 0.35, -0.9),
        seals=(Seal(6, 455, 628, 46, "株洲市荷塘区委组织部", "绩效专用章"),),
        mode="bilevel",
        dpi=200,
    ),
    ScanJob(
        "project-consistent.pdf",
        seed=20230701,
        angles=(-0.5, 0.75),
        seals=(Seal(2, 450, 520, 46, "清溪县农村供水服务中心", "财务专用章"),),
        mode="jpeg",
        dpi=150,
    ),
)

BROKEN = ("project-consistent.pdf",)


@dataclass(frozen=True)
class OtherScan:
    """A scan made the way other software makes them (see the module's docstring)."""

    source: str
    target: str
    seed: int
    turns: tuple[int, ...]  # per page: the sheet turned clockwise by this many degrees as scanned
    angles: tuple[float, ...]  # per page: skew, degrees
    dpi: int
    quality: int
    writer: str  # "pillow": one image per page, page sized from it | "letter": fitted into a Letter page
    seals: tuple[Seal, ...] = ()
    bold: int = 0  # > 0: strokes thickened by this many pixels, page stored as 1 bit (a dark fax-mode scan)


OTHER = (
    OtherScan(
        "project-consistent.pdf",
        "project-consistent.rotated.pdf",
        seed=20230702,
        turns=(270, 180),
        angles=(1.2, -1.8),
        dpi=200,
        quality=30,
        writer="pillow",
    ),
    OtherScan(
        "project-consistent.pdf",
        "project-consistent.letter.pdf",
        seed=20230703,
        turns=(0, 0),
        angles=(3.5, -4.0),
        dpi=150,
        quality=30,
        writer="letter",
    ),
    OtherScan(
        "project-consistent.pdf",
        "project-consistent.bold.pdf",
        seed=20230704,
        turns=(0, 0),
        angles=(0.4, -0.6),
        dpi=200,
        quality=0,
        writer="pillow",
        bold=3,
    ),
)
LETTER = (612.0, 792.0)
LETTER_MARGIN = 18.0
FIXED_DATE = "D:20230620090000+08'00'"


def _draw_seal(page: pymupdf.Page, seal: Seal) -> None:
    """Ring, star and text in red vector drawing on an otherwise empty page."""
    shape = page.new_shape()
    centre = pymupdf.Point(seal.cx, seal.cy)
    shape.draw_circle(centre, seal.radius)
    shape.finish(color=SEAL_RED, width=2.6)
    shape.draw_circle(centre, seal.radius - 3.2)
    shape.finish(color=SEAL_RED, width=0.7)
    star_r = seal.radius * 0.30
    points = []
    for k in range(10):
        r = star_r if k % 2 == 0 else star_r * 0.4
        a = -math.pi / 2 + k * math.pi / 5
        points.append(pymupdf.Point(seal.cx + r * math.cos(a), seal.cy + r * math.sin(a)))
    shape.draw_polyline([*points, points[0]])
    shape.finish(color=SEAL_RED, fill=SEAL_RED, width=0.3)
    shape.commit()
    # the unit's name along the upper arc, each character upright to the ring
    n = len(seal.ring_text)
    size = min(11.0, seal.radius * 0.26)
    span = math.radians(min(250.0, 22.0 * n))
    text_r = seal.radius - 6.0 - size
    for i, ch in enumerate(seal.ring_text):
        a = -math.pi / 2 - span / 2 + span * (i + 0.5) / n
        x = seal.cx + text_r * math.cos(a)
        y = seal.cy + text_r * math.sin(a)
        rot = pymupdf.Matrix(math.degrees(a) + 90)
        origin = pymupdf.Point(x - size / 2, y + size / 2)
        page.insert_text(
            origin, ch, fontname="china-s", fontsize=size, color=SEAL_RED, morph=(pymupdf.Point(x, y), rot)
        )
    if seal.centre_text:
        csize = size * 0.9
        width = csize * len(seal.centre_text)
        page.insert_text(
            pymupdf.Point(seal.cx - width / 2, seal.cy + seal.radius * 0.62),
            seal.centre_text,
            fontname="china-s",
            fontsize=csize,
            color=SEAL_RED,
        )


def _render(page: pymupdf.Page, dpi: int) -> np.ndarray:
    pix = page.get_pixmap(dpi=dpi, alpha=False, colorspace=pymupdf.csRGB)
    return np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.h, pix.w, 3).copy()


def _seal_layer(width: float, height: float, seals: list[Seal], dpi: int) -> np.ndarray:
    doc = pymupdf.open()
    page = doc.new_page(width=width, height=height)
    for seal in seals:
        _draw_seal(page, seal)
    layer = _render(page, dpi)
    doc.close()
    return layer


def _scan(rgb: np.ndarray, angle: float, rng: np.random.Generator, sigma: float) -> np.ndarray:
    h, w = rgb.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    out = cv2.warpAffine(rgb, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=PAPER)
    # paper tone, slight blur of the optics, sensor noise, dust
    out = np.minimum(out.astype(np.float32), np.array(PAPER, dtype=np.float32))
    out = cv2.GaussianBlur(out, (3, 3), 0.6)
    out += rng.normal(0.0, sigma, size=(h, w, 1)).astype(np.float32)
    specks = rng.random((h, w)) < SPECKS
    out[specks] = rng.uniform(40, 140)
    return np.clip(out, 0, 255).astype(np.uint8)


def _jpeg(img: np.ndarray, colour: bool) -> bytes:
    pixels = cv2.cvtColor(img, cv2.COLOR_RGB2BGR) if colour else cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    return bytes(cv2.imencode(".jpg", pixels, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])[1].tobytes())


def _bilevel_g4(img: np.ndarray) -> tuple[bytes, int, int]:
    """The page thresholded to 1 bit and CCITT G4 encoded, as fax-mode scanners store it."""
    grey = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    buf = io.BytesIO()
    Image.fromarray(grey > BILEVEL_THRESHOLD).save(buf, "TIFF", compression="group4", tiffinfo={278: grey.shape[0]})
    tiff = Image.open(io.BytesIO(buf.getvalue()))
    offsets, counts = tiff.tag_v2[273], tiff.tag_v2[279]  # one strip per page
    assert len(offsets) == 1, "expected one strip"
    return buf.getvalue()[offsets[0] : offsets[0] + counts[0]], grey.shape[1], grey.shape[0]


def _insert_g4(doc: pymupdf.Document, page: pymupdf.Page, img: np.ndarray) -> None:
    """A page-filling CCITT G4 image (PyMuPDF would re-encode a bitmap as Flate)."""
    data, width, height = _bilevel_g4(img)
    placeholder = io.BytesIO()  # one per page: PyMuPDF shares identical images between pages
    Image.fromarray(np.ones((1, page.number + 1), dtype=bool)).save(placeholder, "PNG")
    page.insert_image(page.rect, stream=placeholder.getvalue(), keep_proportion=False)
    xref = page.get_images()[0][0]
    doc.update_stream(xref, data, compress=False)
    for key, value in (
        ("Width", str(width)),
        ("Height", str(height)),
        ("BitsPerComponent", "1"),
        ("ColorSpace", "/DeviceGray"),
        ("Filter", "/CCITTFaxDecode"),
        ("DecodeParms", f"<</K -1 /Columns {width} /Rows {height} /BlackIs1 true>>"),
    ):
        doc.xref_set_key(xref, key, value)


def _seal_square(seal: Seal, page_h: float, page_w: float) -> pymupdf.Rect:
    r = seal.radius + 12  # room for the rotation and JPEG blocks around the ring
    return pymupdf.Rect(seal.cx - r, seal.cy - r, seal.cx + r, seal.cy + r) & pymupdf.Rect(0, 0, page_w, page_h)


def build_scan(job: ScanJob) -> Path:
    rng = np.random.default_rng(job.seed)
    src = pymupdf.open(HERE / job.source)
    out = pymupdf.open()
    for i, page in enumerate(src):
        width, height = page.rect.width, page.rect.height
        rgb = _render(page, job.dpi)
        seals = [s for s in job.seals if s.page == i + 1]
        if seals:
            layer = _seal_layer(width, height, seals, job.dpi)
            rgb = (rgb.astype(np.uint16) * layer.astype(np.uint16) // 255).astype(np.uint8)  # ink multiplies
        sigma = NOISE_SIGMA_BILEVEL if job.mode == "bilevel" else NOISE_SIGMA
        scanned = _scan(rgb, job.angles[i % len(job.angles)], rng, sigma)
        new = out.new_page(width=width, height=height)
        if job.mode == "jpeg":
            new.insert_image(new.rect, stream=_jpeg(scanned, colour=bool(seals)))
            continue
        scale = job.dpi / 72
        patches = []
        mask_layer = scanned.copy()
        for seal in seals:
            sq = _seal_square(seal, height, width)
            x0, y0, x1, y1 = (round(v * scale) for v in sq)
            patches.append((pymupdf.Rect(x0 / scale, y0 / scale, x1 / scale, y1 / scale), scanned[y0:y1, x0:x1].copy()))
            mask_layer[y0:y1, x0:x1] = 255  # the seal lives in the colour patch only
        _insert_g4(out, new, mask_layer)
        for rect, patch in patches:
            new.insert_image(rect, stream=_jpeg(patch, colour=True), keep_proportion=False)
    out.set_metadata(FIXED_META)
    target = OUT / job.source.replace(".pdf", ".scan.pdf")
    target.write_bytes(out.tobytes(garbage=4, deflate=True, no_new_id=True))
    return target


_CV2_TURN = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}


def build_other(job: OtherScan) -> Path:
    rng = np.random.default_rng(job.seed)
    src = pymupdf.open(HERE / job.source)
    images: list[np.ndarray] = []
    for i, page in enumerate(src):
        rgb = _render(page, job.dpi)
        seals = [s for s in job.seals if s.page == i + 1]
        if seals:
            layer = _seal_layer(page.rect.width, page.rect.height, seals, job.dpi)
            rgb = (rgb.astype(np.uint16) * layer.astype(np.uint16) // 255).astype(np.uint8)
        scanned = _scan(rgb, job.angles[i % len(job.angles)], rng, NOISE_SIGMA)
        turn = job.turns[i % len(job.turns)]
        if turn:
            scanned = np.ascontiguousarray(cv2.rotate(scanned, _CV2_TURN[turn]))
        images.append(scanned if seals else cv2.cvtColor(scanned, cv2.COLOR_RGB2GRAY))
    if job.writer == "pillow":
        buf = io.BytesIO()
        pages = [_bold_bilevel(img, job.bold) if job.bold else Image.fromarray(img) for img in images]
        pages[0].save(
            buf,
            "PDF",
            resolution=job.dpi,
            save_all=True,
            append_images=pages[1:],
            **({} if job.bold else {"quality": job.quality}),  # 1-bit pages are CCITT G4, not JPEG
            creationDate=FIXED_DATE,
            modDate=FIXED_DATE,
        )
        out = pymupdf.open("pdf", buf.getvalue())
    else:
        out = pymupdf.open()
        for img in images:
            new = out.new_page(width=LETTER[0], height=LETTER[1])
            box = pymupdf.Rect(LETTER_MARGIN, LETTER_MARGIN, LETTER[0] - LETTER_MARGIN, LETTER[1] - LETTER_MARGIN)
            colour = img.ndim == 3
            pixels = cv2.cvtColor(img, cv2.COLOR_RGB2BGR) if colour else img
            data = cv2.imencode(".jpg", pixels, [cv2.IMWRITE_JPEG_QUALITY, job.quality])[1].tobytes()
            new.insert_image(box, stream=bytes(data))  # keeps the A4 proportion: white margins
    out.set_metadata(FIXED_META)
    target = OUT / job.target
    target.write_bytes(out.tobytes(garbage=4, deflate=True, no_new_id=True))
    return target


def _bold_bilevel(grey: np.ndarray, bold: int) -> Image.Image:
    """Strokes thickened (a dark copier setting) and the page cut to 1 bit."""
    thick = cv2.erode(grey, np.ones((bold, bold), np.uint8))
    return Image.fromarray(thick > BILEVEL_THRESHOLD).convert("1")


def build_broken(name: str) -> Path:
    doc = pymupdf.open(HERE / name)
    for xref in range(1, doc.xref_length()):
        if doc.xref_get_key(xref, "ToUnicode")[0] != "null":
            doc.xref_set_key(xref, "ToUnicode", "null")
    target = OUT / name.replace(".pdf", ".broken-tounicode.pdf")
    target.write_bytes(doc.tobytes(garbage=4, deflate=True, no_new_id=True))
    return target


def main(only: list[str]) -> int:
    """Build every sample, or only those whose file name contains one of ``only``."""
    OUT.mkdir(exist_ok=True)

    def wanted(target: str) -> bool:
        return not only or any(word in target for word in only)

    builds = [
        *((job.source.replace(".pdf", ".scan.pdf"), lambda job=job: build_scan(job)) for job in JOBS),
        *((job.target, lambda job=job: build_other(job)) for job in OTHER),
        *((name.replace(".pdf", ".broken-tounicode.pdf"), lambda name=name: build_broken(name)) for name in BROKEN),
    ]
    for target, build in builds:
        if wanted(target):
            path = build()
            print(f"{path.relative_to(HERE)}: {path.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
