"""The narrative's own sums (parts → whole) fire on what the narrative states, not on what a cut sentence left.

Findings carry their expected and found values as text."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from jixiao.models import Figure, Report
from jixiao.validate.narrative import narrative_sum


def staff_findings(report: Report, figures: dict[str, Figure]) -> list[tuple[object, object]]:
    changed = replace(report, narrative=replace(report.narrative, figures=figures))
    return [(f.expected, f.found) for f in narrative_sum(changed) if "实有人数" in f.message]


def test_the_seed_staff_add_up(seed: Report) -> None:
    figures = seed.narrative.figures
    assert [figures[k].value for k in ("staff_in_service", "staff_lixiu", "staff_retired", "staff_actual")] == [28, 6, 6, 40]
    assert staff_findings(seed, dict(figures)) == []


def test_a_wrong_staff_sum_is_found(seed: Report) -> None:
    figures = dict(seed.narrative.figures)
    figures["staff_in_service"] = replace(figures["staff_in_service"], value=Decimal(30))
    assert staff_findings(seed, figures) == [("40", "42")]
    del figures["staff_lixiu"]  # no one 离休: not said, and the sum still holds the others
    assert staff_findings(seed, figures) == [("40", "36")]


def test_no_sum_without_the_staff_in_service(seed: Report) -> None:
    """离休 6 + 退休 6 is not a claim about 实有人数 40: the sentence naming 在职人员 28 was lost."""
    figures = {k: v for k, v in seed.narrative.figures.items() if k != "staff_in_service"}
    assert staff_findings(seed, figures) == []


def test_is_footer_asks_the_pattern_wherever_a_line_may_be_a_footer() -> None:
    """``is_footer`` answers a line that opens with ASCII or Han itself: as the pattern would, for any first character."""
    from jixiao.extract.narrative import FOOTER, is_footer

    for code in range(0x110000):
        if not 0xD800 <= code < 0xE000:
            for text in (chr(code), f" {chr(code)}12 ", f"{chr(code)}-3-"):
                assert is_footer(text) == bool(FOOTER.match(text.strip()))
    assert is_footer("- 3 -") and is_footer("第 2 页 共 9 页") and is_footer("12") and not is_footer("一、基本情况")
