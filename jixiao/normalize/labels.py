"""Read what a table states about itself in its labels: weights and the grade.

A 一级指标 label often carries its weight (``产出指标（50分）``); the
``level1_weight_sum`` rule needs that stated weight apart from the label, and
the label alone to match the canonical vocabulary.  The grade cell is checked
against the stated total (``grade_band``), so it is read as stated and only
spelled out variants are folded (优秀 → 优); nothing is inferred from scores.
"""

from __future__ import annotations

import re
from decimal import Decimal

from jixiao.normalize.text import clean_text, compact

#: Grades as the template writes them, and spelled-out forms of the same.
GRADES: dict[str, str] = {
    "优": "优",
    "良": "良",
    "中": "中",
    "差": "差",
    "优秀": "优",
    "良好": "良",
}

#: Words that may introduce the grade in its cell (``等级：优``).
GRADE_LABELS: tuple[str, ...] = ("自评等级", "评价等级", "绩效等级", "等级")

#: A weight in brackets at the end of a label: ``(50 分)``, ``（15分）``.
_STATED_WEIGHT_RE = re.compile(r"(?P<label>.*?)\s*\(\s*(?P<weight>[0-9]+(?:\.[0-9]+)?)\s*分\s*\)\s*")
_GRADE_LEAD_RE = re.compile(r"[:为是]*")
_GRADE_TRAIL = "。.;"


def split_stated_weight(s: str | None) -> tuple[str, Decimal | None]:
    """Part a label from the weight written in it, keeping both as stated.

    Example: ``split_stated_weight("产出指标 (50 分)")`` → ``("产出指标", Decimal("50"))``
    """
    text = clean_text(s) or ""
    match = _STATED_WEIGHT_RE.fullmatch(text)
    if match is None:
        return text, None
    return match["label"], Decimal(match["weight"])


def parse_grade(s: str | None) -> str | None:
    """Read the grade a table states, with or without its ``等级:`` label.

    Only 优秀 and 良好 are folded (to 优 and 良); words such as 合格 or 及格
    name no band of the template and give ``None``.

    Example: ``parse_grade("等级：优秀")`` → ``"优"``
    """
    text = compact(s)
    if text is None:
        return None
    for label in GRADE_LABELS:
        if text.startswith(label):
            text = _GRADE_LEAD_RE.sub("", text.removeprefix(label), count=1)
            break
    return GRADES.get(text.rstrip(_GRADE_TRAIL))


_SEAL = re.compile(r"\s*[(（]?\s*(?:盖\s*章|公\s*章|章)\s*[)）]?\s*$")


def without_seal(name: str) -> str:
    """A unit or project name without the seal mark a form prints after it.

    Example: ``"青神县水利局(盖章)"`` → ``"青神县水利局"``; ``"印章管理办公室"`` stays.
    """
    stripped = _SEAL.sub("", name)
    if stripped == name or not stripped:
        return name
    if not re.search(r"[(（]\s*(?:盖\s*章|公\s*章|章)\s*[)）]\s*$|盖\s*章\s*$|公\s*章\s*$", name):
        return name  # a bare trailing 章 belongs to the name (…规章)
    return stripped


# 指标L / 指标I: an OCR'd 指标1
_PLACEHOLDER = re.compile(r"^(?:指标\s*[0-9一二三四五六七八九十LlI|]+\s*[:：]?|[…\.。·、]+|\.{3,})$")


def is_placeholder(name: str | None) -> bool:
    """A template's unfilled row label (``指标2``, ``……``): no indicator when its row holds no value.

    Example: ``is_placeholder("指标2")`` → True; ``is_placeholder("指标1工程完工率")`` → False.
    """
    return bool(name) and bool(_PLACEHOLDER.match(re.sub(r"\s+", "", name or "")))
