from __future__ import annotations

from pathlib import Path

import pytest

import jixiao
from jixiao.models import Report

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def sample(name: str) -> Path:
    return SAMPLES / name


@pytest.fixture(scope="session")
def seed() -> Report:
    (report,) = jixiao.parse(sample("seed-department-report.pdf"))
    return report


@pytest.fixture(scope="session")
def project() -> Report:
    (report,) = jixiao.parse(sample("project-consistent.pdf"))
    return report
