"""A worker's memory cap leaves room for the OCR engine, and OCR fits under the default cap."""

from __future__ import annotations

import mmap
import multiprocessing as mp
import resource

import pytest

from jixiao import memory
from jixiao.extract.ocr.engine import ocr_available
from jixiao.models import Report
from jixiao.runner import Limits, run_batch
from tests.conftest import SAMPLES

MB = 1024 * 1024


def _child(out: mp.Queue) -> None:  # type: ignore[type-arg]
    memory.cap(400)
    capped, _ = resource.getrlimit(resource.RLIMIT_AS)
    before = memory.address_space()
    engine = mmap.mmap(-1, 300 * MB)  # stands for the OCR engine's reservation
    memory.engine_built(before)
    raised, _ = resource.getrlimit(resource.RLIMIT_AS)
    try:
        work = mmap.mmap(-1, 300 * MB)  # a file's work: 300 + 300 MB would not fit under the first cap
        work.close()
        fits = True
    except OSError:
        fits = False
    engine.close()
    out.put((capped, raised, fits))


def test_engine_reservation_raises_the_cap() -> None:
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    child = ctx.Process(target=_child, args=(out,))
    child.start()
    capped, raised, fits = out.get(timeout=30)
    child.join(timeout=30)
    assert child.exitcode == 0
    assert capped != resource.RLIM_INFINITY
    assert raised - capped >= 300 * MB
    assert fits


@pytest.mark.skipif(not ocr_available(), reason="OCR is not installed")
def test_scanned_report_reads_in_a_capped_worker() -> None:
    (done,) = run_batch([SAMPLES / "scanned" / "project-consistent.scan.pdf"], workers=1, limits=Limits())
    assert all(isinstance(r, Report) for r in done.records), done.records
    assert done.records[0].source.text_method == "ocr"  # type: ignore[union-attr]


def test_out_of_memory_as_the_libraries_say_it() -> None:
    """MuPDF's failed malloc and onnxruntime's bad_alloc are the file's size, not a crash or damage."""
    from jixiao.pipeline import _out_of_memory

    assert _out_of_memory(RuntimeError("code=2: malloc (155520000 bytes) failed"))
    assert _out_of_memory(RuntimeError("[ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION : std::bad_alloc"))
    assert not _out_of_memory(RuntimeError("code=7: malformed page tree"))
    assert not _out_of_memory(ValueError("malloc is a word in a message"))
