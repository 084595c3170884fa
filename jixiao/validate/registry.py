"""Rules as registered pure functions, run lazily: all of them, every time.

A rule returns findings (values, never exceptions). If a rule itself fails on
a report, that failure becomes a finding of the rule, so a bug in one check
never hides the others or loses the report.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from decimal import Decimal

from jixiao.models import SEVERITY_ORDER, Box, Finding, Report, Severity, Where
from jixiao.normalize.numbers import format_amount
from jixiao.validate.catalog import CATALOG
from jixiao.validate.profile import Profile, active, judging

Rule = Callable[[Report], Iterable[Finding]]
RULES: dict[str, Rule] = {}


def rule(rule_id: str) -> Callable[[Rule], Rule]:
    if rule_id not in CATALOG:
        raise KeyError(f"rule id {rule_id!r} is not in the catalog")

    def register(fn: Rule) -> Rule:
        RULES[rule_id] = fn
        return fn

    return register


def show(value: Decimal | str | None) -> str | None:
    """Values in findings are text, written as the document would write them."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return format_amount(value)
    return value


def finding(
    rule_id: str,
    zh: str,
    en: str,
    *,
    expected: Decimal | str | None = None,
    found: Decimal | str | None = None,
    page: int | None = None,
    row: int | None = None,
    column: str | None = None,
    label: str | None = None,
    snippet: str | None = None,
    boxes: Iterable[Box | None] = (),
    severity: Severity | None = None,
) -> Finding:
    """A finding of ``rule_id`` at the catalog's severity, or at a lower one where a
    rule knows a convention that makes the difference harmless (a truncated rate)."""
    severity = severity or CATALOG[rule_id][0]
    kept = tuple(b for b in boxes if b is not None)
    if page is None and kept:
        page = kept[0].page
    return Finding(
        rule=rule_id,
        severity=severity,
        message=f"{zh} / {en}",
        expected=show(expected),
        found=show(found),
        page=page,
        where=Where(page=page, row=row, column=column, label=label, snippet=snippet, boxes=kept),
    )


def run_rules(report: Report, profile: Profile | None = None) -> tuple[Finding, ...]:
    """Every rule the profile leaves on, judged under it (``mof`` by default)."""
    prof = profile or active()
    out: list[Finding] = []
    with judging(prof):
        for rule_id, fn in RULES.items():
            if rule_id in prof.disabled:
                continue
            try:
                out.extend(fn(report))
            except Exception as exc:
                out.append(
                    finding(
                        rule_id,
                        f"检查规则 {rule_id} 运行出错：{type(exc).__name__}: {exc}",
                        f"rule {rule_id} failed on this report: {type(exc).__name__}: {exc}",
                    )
                )
    out = [judged(f, prof) for f in out]
    return ordered(out)


def ordered(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Errors first, then warnings, then info; within each, by page, row and rule."""
    return tuple(
        sorted(findings, key=lambda f: (-SEVERITY_ORDER[f.severity], f.page or 0, f.where.row or 0, f.rule))
    )


def judged(f: Finding, profile: Profile) -> Finding:
    """The finding with the profile's severity for its rule and the profile's name.

    A finding its rule already lowered below the catalog's severity (a rate written
    truncated is ``info``) is never raised again by the profile."""
    severity = profile.severity_of(f.rule, f.severity)
    if SEVERITY_ORDER[f.severity] < SEVERITY_ORDER[CATALOG[f.rule][0]]:
        severity = min(severity, f.severity, key=SEVERITY_ORDER.__getitem__)
    if severity == f.severity and f.profile == profile.name:
        return f
    return replace(f, severity=severity, profile=profile.name)
