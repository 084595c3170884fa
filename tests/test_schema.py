"""Every record the pipeline writes validates against the schema generated from the models."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

import jixiao
from jixiao.outputs.jsonfile import dumps
from jixiao.schema import record_schema
from tests.conftest import SAMPLES

SCHEMA = record_schema()
# Scanned samples are OCR'd (seconds a page) in test_ocr.py; their records go through the same writers.
TEXT_PDFS = sorted(p for p in SAMPLES.rglob("*.pdf") if p.parent.name != "scanned")


def test_schema_is_valid() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("pdf", TEXT_PDFS, ids=lambda p: p.name)
def test_sample_records_validate(pdf: Path) -> None:
    records = jixiao.parse_path(pdf)
    assert records
    for record in records:
        jsonschema.validate(json.loads(dumps(record)), SCHEMA)


def test_schema_rejects_a_wrong_record() -> None:
    (report,) = jixiao.parse(SAMPLES / "project-consistent.pdf")
    data = json.loads(dumps(report))
    data["report_type"] = "budget"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, SCHEMA)


@pytest.mark.parametrize("pdf", TEXT_PDFS, ids=lambda p: p.name)
def test_records_round_trip_through_stored_json(pdf: Path) -> None:
    from jixiao.outputs.records import decimal_text, record_from_dict, record_to_dict

    for record in jixiao.parse_path(pdf):
        text = json.dumps(record_to_dict(record), default=decimal_text, ensure_ascii=False)
        assert record_from_dict(json.loads(text)) == record
