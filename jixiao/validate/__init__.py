"""Records → findings. Importing the rule modules registers them."""

from __future__ import annotations

from jixiao.models import Finding, Report
from jixiao.validate import fields, funds, indicators, narrative, scores  # noqa: F401
from jixiao.validate.readings import qualify
from jixiao.validate.registry import RULES, run_rules


def validate(report: Report) -> tuple[Finding, ...]:
    return qualify(report, run_rules(report))


__all__ = ["RULES", "validate"]
