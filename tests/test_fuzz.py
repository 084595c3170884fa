"""Damaged and hostile inputs (a CI-sized slice of the fuzz corpus): one outcome each, no traceback.

The full run (600+ inputs, with the 20,000-page file) is ``python benchmarks/fuzz_run.py``.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from jixiao.extract.pdf import PdfLimits
from jixiao.models import Failure, Report
from jixiao.runner import Limits, run_batch
from tests.fuzzcorpus import build

KINDS = {"empty", "not_pdf", "encrypted", "corrupt", "no_report_found", "timeout", "too_large", "crashed"}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return build(tmp_path_factory.mktemp("fuzz"), mutations=60, big_pages=None)


@pytest.fixture(scope="module")
def outcomes(corpus: list[Path]) -> dict[str, list[Report | Failure]]:
    limits = Limits(timeout_s=60, memory_mb=1536, pdf=PdfLimits(max_pages=5000, max_stream_mb=128))
    done = run_batch(corpus, workers=2, limits=limits)
    return {d.path.name: d.records for d in done}


def test_every_input_has_exactly_one_outcome(corpus: list[Path], outcomes: dict[str, list[Report | Failure]]) -> None:
    assert sorted(outcomes) == sorted(p.name for p in corpus)
    for name, records in outcomes.items():
        assert records, name
        failures = [r for r in records if isinstance(r, Failure)]
        assert not failures or len(records) == 1, name  # a failure row stands alone
        for f in failures:
            assert f.error.kind in KINDS
            assert "Traceback" not in f.error.message
            assert " / " in f.error.message  # Chinese / English


def test_special_files(outcomes: dict[str, list[Report | Failure]]) -> None:
    def kind(name: str) -> str:
        (first, *_rest) = outcomes[name]
        return first.error.kind if isinstance(first, Failure) else "report"

    assert kind("bomb.pdf") == "too_large"
    assert kind("random-bytes.pdf") == "not_pdf"
    assert kind("encrypted-user-password.pdf") == "encrypted"
    assert kind("encrypted-owner-only.pdf") == "report"  # readable without a password: parsed
    assert kind("javascript-and-attachment.pdf") == "report"  # scripts and attachments ignored
    assert kind("huge-mediabox.pdf") == "report"
    assert kind("nested-objects.pdf") in {"corrupt", "no_report_found"}


def test_mutations_end_as_reports_or_known_failures(outcomes: dict[str, list[Report | Failure]]) -> None:
    kinds = Counter(
        r.error.kind if isinstance(r, Failure) else "report"
        for name, records in outcomes.items()
        if name[0].isdigit()
        for r in records[:1]
    )
    assert set(kinds) <= KINDS | {"report"}
    assert kinds["crashed"] == 0 and kinds["timeout"] == 0
    assert sum(kinds.values()) == 60


def test_page_limit_gives_too_large() -> None:
    from jixiao.pipeline import parse_path
    from tests.conftest import sample

    (failure,) = parse_path(sample("seed-department-report.pdf"), PdfLimits(max_pages=3))
    assert isinstance(failure, Failure) and failure.error.kind == "too_large"
    assert "6 页" in failure.error.message and "6 pages" in failure.error.message


@pytest.mark.parametrize(
    ("pages", "message"),
    [
        (b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>", "cycle in page tree"),
        (b"<< /Type /Pages /Kids [3 0 R] /Count 2 >>", "cannot find page 2 in page tree"),
    ],
)
def test_mupdf_format_error_while_reading_pages_is_corrupt(pages: bytes, message: str) -> None:
    """MuPDF raises FzErrorFormat (not a RuntimeError) for a broken page tree once pages are read."""
    from jixiao.pipeline import parse_bytes
    from tests.fuzzcorpus import raw_pdf

    data = raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", pages, b"<< /Type /Font >>"])
    (failure,) = parse_bytes(data, "broken-page-tree.pdf")
    assert isinstance(failure, Failure) and failure.error.kind == "corrupt"
    assert failure.error.message.endswith(f"error while reading a page: code=7: {message}")
