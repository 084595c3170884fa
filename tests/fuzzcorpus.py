"""A seeded, deterministic corpus of damaged and hostile PDFs made from the samples.

Used by ``tests/test_fuzz.py`` (a small subset in CI) and by
``benchmarks/fuzz_run.py`` (the full run of 600+ inputs). Every input must end
as exactly one report-or-failure outcome, never a traceback, a hang or a lost
file. Mutations: truncation at random offsets, flipped bytes, broken xref and
trailer, corrupted streams. Specials: a decompression bomb, a 20,000-page
file, a huge MediaBox, deeply nested objects, owner-only and user-password
encryption, random bytes, JavaScript and an attachment.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Callable
from pathlib import Path

import pymupdf

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
BASES = ("seed-department-report.pdf", "project-consistent.pdf", "department-split-table.pdf")
MUTATIONS = ("truncate", "flip", "xref", "trailer", "stream")


def _truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(1, len(data))]


def _flip(data: bytes, rng: random.Random) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randrange(1, 40)):
        i = rng.randrange(len(buf))
        buf[i] ^= 1 << rng.randrange(8)
    return bytes(buf)


def _break_xref(data: bytes, rng: random.Random) -> bytes:
    i = data.rfind(b"startxref")
    if i < 0:
        return _flip(data, rng)
    tail = data[i:].split(b"\n")
    if len(tail) > 1:
        tail[1] = str(rng.randrange(0, len(data) * 2)).encode()
    return data[:i] + b"\n".join(tail)


def _break_trailer(data: bytes, rng: random.Random) -> bytes:
    for word in (b"trailer", b"/Root", b"/Size", b"xref"):
        j = data.rfind(word)
        if j >= 0 and rng.random() < 0.6:
            data = data[:j] + bytes(rng.randrange(32, 127) for _ in word) + data[j + len(word) :]
    return data


def _corrupt_stream(data: bytes, rng: random.Random) -> bytes:
    starts = [i for i in range(len(data)) if data.startswith(b"stream", i)][:200]
    if not starts:
        return _flip(data, rng)
    buf = bytearray(data)
    for _ in range(rng.randrange(1, 6)):
        s = rng.choice(starts) + 8
        for k in range(rng.randrange(1, 64)):
            if s + k < len(buf):
                buf[s + k] = rng.randrange(256)
    return bytes(buf)


MUTATORS: dict[str, Callable[[bytes, random.Random], bytes]] = {
    "truncate": _truncate,
    "flip": _flip,
    "xref": _break_xref,
    "trailer": _break_trailer,
    "stream": _corrupt_stream,
}


def raw_pdf(objects: list[bytes]) -> bytes:
    """A PDF from numbered object bodies (object 1 is the catalog), with a correct xref."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def bomb(inflated_mb: int = 400) -> bytes:
    """A one-page PDF whose content stream inflates to hundreds of MB (~0.4 MB on disk)."""
    comp = zlib.compressobj(9)
    chunk = b"0 0 m 1 1 l S\n" * 4096
    parts = [comp.compress(chunk) for _ in range(inflated_mb * 1024 * 1024 // len(chunk))]
    stream = b"".join(parts) + comp.flush()
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
            f"<< /Length {len(stream)} /Filter /FlateDecode >>\nstream\n".encode() + stream + b"\nendstream",
        ]
    )


def nested(depth: int = 50000) -> bytes:
    """An object nested so deep that a recursive reader would overflow its stack."""
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R /Deep " + b"[" * depth + b"]" * depth + b" >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        ]
    )


def huge_mediabox() -> bytes:
    doc = pymupdf.open(SAMPLES / "project-consistent.pdf")
    for page in doc:
        page.set_mediabox(pymupdf.Rect(0, 0, 14400, 14400))  # the largest size PDF allows
    return bytes(doc.tobytes())


def many_pages(pages: int = 20000) -> bytes:
    """The seed report with its narrative repeated to ``pages`` pages, the table last."""
    doc = pymupdf.open(SAMPLES / "seed-department-report.pdf")
    doc.select([1, 2, 3, 4, 5])
    i = 0
    while doc.page_count < pages:
        doc.fullcopy_page(i % 4, to=doc.page_count - 1)
        i += 1
    return bytes(doc.tobytes(garbage=1, deflate=True))


def encrypted(owner_only: bool) -> bytes:
    doc = pymupdf.open(SAMPLES / "project-consistent.pdf")
    return bytes(
        doc.tobytes(
            encryption=pymupdf.PDF_ENCRYPT_AES_256,
            owner_pw="owner-secret",
            user_pw="" if owner_only else "user-secret",
            permissions=pymupdf.PDF_PERM_PRINT,
        )
    )


def scripted() -> bytes:
    """JavaScript on open and an attachment: both must be ignored, never run."""
    doc = pymupdf.open(SAMPLES / "project-consistent.pdf")
    doc.embfile_add("payload.exe", b"MZ" + bytes(1000), filename="payload.exe")
    xref = doc.pdf_catalog()
    js = doc.get_new_xref()
    doc.update_object(js, "<< /Type /Action /S /JavaScript /JS (app.alert('hi')) >>")
    doc.xref_set_key(xref, "OpenAction", f"{js} 0 R")
    return bytes(doc.tobytes())


SPECIALS: dict[str, Callable[[], bytes]] = {
    "bomb.pdf": bomb,
    "nested-objects.pdf": nested,
    "huge-mediabox.pdf": huge_mediabox,
    "encrypted-owner-only.pdf": lambda: encrypted(owner_only=True),
    "encrypted-user-password.pdf": lambda: encrypted(owner_only=False),
    "javascript-and-attachment.pdf": scripted,
    "random-bytes.pdf": lambda: random.Random(7).randbytes(50_000),
}


def build(folder: Path, mutations: int = 600, seed: int = 20261127, specials: bool = True,
          big_pages: int | None = 20000) -> list[Path]:
    """Write the corpus into ``folder`` and return the paths, in a stable order."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    bases = [(SAMPLES / name).read_bytes() for name in BASES]
    paths = []
    for i in range(mutations):
        kind = MUTATIONS[i % len(MUTATIONS)]
        base = bases[rng.randrange(len(bases))]
        path = folder / f"{i:04d}-{kind}.pdf"
        path.write_bytes(MUTATORS[kind](base, rng))
        paths.append(path)
    if specials:
        for name, make in SPECIALS.items():
            path = folder / name
            path.write_bytes(make())
            paths.append(path)
        if big_pages:
            path = folder / f"pages-{big_pages}.pdf"
            path.write_bytes(many_pages(big_pages))
            paths.append(path)
    return paths


# ---------------------------------------------------------------- Word, Excel and OFD

FORMAT_BASES = (
    "formats/project-consistent.docx",
    "formats/project-consistent.xlsx",
    "formats/project-consistent.xls",
    "formats/project-consistent.ofd",
    "formats/department-split-table.ctm.ofd",
    "formats/project-consistent.html.xls",
)
FORMAT_MUTATIONS = ("truncate", "flip", "member")


def _mutate_member(data: bytes, rng: random.Random) -> bytes:
    """Flip bytes inside one XML part of a zip and zip it again (damage the zip's checks would miss)."""
    import io
    import zipfile

    try:
        src = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return _flip(data, rng)
    names = [n for n in src.namelist() if n.endswith(".xml")]
    target = rng.choice(names) if names else None
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            body = src.read(name)
            if name == target:
                body = _flip(body, rng) if rng.random() < 0.5 else body[: rng.randrange(1, len(body))]
            dst.writestr(name, body)
    return out.getvalue()


def build_formats(folder: Path, mutations: int = 60, seed: int = 20261207) -> list[Path]:
    """Damaged Word, Excel (.xlsx, .xls, HTML) and OFD files, each keeping its base's suffix."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    bases = [(name, (SAMPLES / name).read_bytes()) for name in FORMAT_BASES]
    mutators: dict[str, Callable[[bytes, random.Random], bytes]] = {
        "truncate": _truncate, "flip": _flip, "member": _mutate_member,
    }
    paths = []
    for i in range(mutations):
        kind = FORMAT_MUTATIONS[i % len(FORMAT_MUTATIONS)]
        name, base = bases[rng.randrange(len(bases))]
        suffix = name.split("/")[-1].split(".", 1)[1]
        path = folder / f"{i:04d}-{kind}.{suffix}"
        path.write_bytes(mutators[kind](base, rng))
        paths.append(path)
    return paths
