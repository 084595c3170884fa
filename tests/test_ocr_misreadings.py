"""What a scan's OCR misreads in words the parser looks for: 人 as 入 in staff counts, a level numeral."""

from decimal import Decimal

import pytest

from jixiao.models import Section
from jixiao.normalize.figures import read_figures


def staff(text: str) -> dict[str, Decimal]:
    got = read_figures([Section("一、基本情况", text, 1)])
    return {k: v.value for k, v in got.items() if k.startswith("staff_")}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("本部门共有编制人数 34 人，实有人数 40 人。", {"staff_authorized": Decimal(34), "staff_actual": Decimal(40)}),
        # the seed scan at a small size: 人 read as 入 in the label and after the number
        ("本部门共有编制入数 34 人，实有入数40入。", {"staff_authorized": Decimal(34), "staff_actual": Decimal(40)}),
        ("在职入员 12 人，退休入员 3 名。", {"staff_in_service": Decimal(12), "staff_retired": Decimal(3)}),
    ],
)
def test_staff_counts(text: str, expected: dict[str, Decimal]) -> None:
    assert staff(text) == expected


def test_income_is_not_a_head_count() -> None:
    """收入数 holds 入数 too; with no 编制/实有/在职 before it, no staff figure comes of it."""
    assert staff("预算收入数 120 万元，支出 110 万元。") == {}


@pytest.mark.parametrize(
    ("header", "expected"),
    [("兰级指标", ("name", "三级指标")), ("-级指标", ("level1", "一级指标")), ("=级指标", ("level2", "二级指标"))],
)
def test_level_headers_with_a_misread_numeral(header: str, expected: tuple[str, str]) -> None:
    """一级/二级/三级 sit one edit apart, so 兰级指标 tied between them until its numeral is put right."""
    from jixiao.normalize import vocab
    from jixiao.normalize.canon import fuzzy_field

    assert fuzzy_field(header, vocab.INDICATOR_COLUMNS) == expected
