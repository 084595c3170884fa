"""Records → findings. Importing the rule modules registers them."""

from __future__ import annotations

from jixiao.models import Finding, Report
from jixiao.validate import fields, funds, indicators, narrative, scores  # noqa: F401
from jixiao.validate.profile import Profile
from jixiao.validate.readings import qualify
from jixiao.validate.registry import RULES, run_rules


def validate(report: Report, profile: Profile | None = None) -> tuple[Finding, ...]:
    """Every rule under the profile; then findings resting on OCR readings say so (and a
    doubtful reading makes an error a warning, whatever the profile)."""
    return qualify(report, run_rules(report, profile))


__all__ = ["RULES", "validate"]
