"""Qualitative indicators scored above their band (part of ``score_formula``).

A qualitative indicator has no ratio to score by; the 办法 gives a band per outcome
instead (national: 达成 80–100%, 部分达成 60–80%, 未达成 below 60% of 分值; Hubei:
80–50 and 50–0). As with the quantitative formula, scoring below the band is the
evaluator's choice; only a score above the band's top is flagged.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Literal

from jixiao.models import Finding, Indicator, Report
from jixiao.validate.profile import active
from jixiao.validate.registry import finding, show
from jixiao.validate.tolerance import close

Status = Literal["met", "partial", "missed"]
MISSED = ("未达成", "未达到", "未完成", "未实现")
# Only the 办法's own words: 基本完成 is read as 达成 by some evaluators, so it proves nothing.
PARTIAL = ("部分达成", "部分达到", "部分完成", "部分实现")
STATUS_ZH: dict[Status, str] = {"met": "达成", "partial": "部分达成", "missed": "未达成"}
STATUS_EN: dict[Status, str] = {"met": "met", "partial": "partly met", "missed": "not met"}


def status_of(ind: Indicator) -> Status | None:
    """The outcome a qualitative 实际完成值 states; None for a number or any other text."""
    if ind.actual_parsed is not None and ind.actual_parsed.kind not in ("text",):
        return None
    text = "".join((ind.actual or "").split())
    if any(text.startswith(w) for w in MISSED):
        return "missed"
    if any(text.startswith(w) for w in PARTIAL):
        return "partial"
    return None


def qualitative_findings(report: Report) -> Iterator[Finding]:
    profile = active()
    for ind in report.indicators:
        if ind.group_row is not None or ind.weight is None or ind.score is None:
            continue
        status = status_of(ind)
        if status is None:
            continue
        share = profile.band_cap(status)
        cap = ind.weight * share
        if ind.score <= cap or close(ind.score, cap, ind.score):
            continue
        shown = cap.quantize(Decimal("0.01"))
        percent = show(share * 100)
        yield finding(
            "score_formula",
            f"“{ind.name}”{STATUS_ZH[status]}，得分 {show(ind.score)} 高于该档上限 {shown}（分值 {show(ind.weight)} × {percent}%，规则配置 {profile.name}）",
            f"'{ind.name}' is {STATUS_EN[status]}: score {show(ind.score)} is above the band's top {shown} "
            f"(weight {show(ind.weight)} × {percent}%, profile {profile.name})",
            expected=f"≤ {shown}",
            found=ind.score,
            page=ind.page,
            row=ind.row,
            column="score",
            label=ind.name,
            boxes=[ind.cells.get("score"), ind.cells.get("actual")],
        )
