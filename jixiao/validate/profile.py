"""Scoring profiles: the province's 办法 as data, checked before any file is read.

A finding judged under the wrong convention is a false alarm, so the conventions
that differ between provinces (qualitative bands, the ``≤`` formula, the
execution-rate weight, grade bands) and the auditor's own choices (rules off,
severities, looser tolerances) live in TOML, not in code. Built-in profiles are
``jixiao/profiles/NAME.toml``; a ``jixiao.toml`` overrides any of their keys.
A wrong key or value is refused at start with its name, never half-applied.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any, Literal, cast

from jixiao.models import Severity
from jixiao.validate.catalog import CATALOG

LeFormula = Literal["linear", "ratio"]
LE_FORMULAS: tuple[str, ...] = ("linear", "ratio")
SEVERITIES: tuple[str, ...] = ("error", "warning", "info")
DEFAULT_PROFILE = "mof"
CONFIG_NAME = "jixiao.toml"


class ProfileError(ValueError):
    """A profile or config that cannot be used; the message names the key."""


@dataclass(frozen=True)
class Profile:
    """Everything a rule may need to know about the convention it judges under."""

    name: str
    description: str
    execution_weight: Decimal
    qualitative_bands: tuple[Decimal, Decimal]  # percent: lower bound of 达成, of 部分达成
    le_formula: LeFormula
    grade_bands: tuple[tuple[Decimal, str], ...]  # (lower bound inclusive, grade), highest first
    fallback_grade: str
    tolerance_extra: Decimal
    disabled: frozenset[str]
    severities: tuple[tuple[str, Severity], ...]

    def severity_of(self, rule_id: str, default: Severity) -> Severity:
        return dict(self.severities).get(rule_id, default)

    def grade_for(self, score: Decimal) -> str:
        return next((g for low, g in self.grade_bands if score >= low), self.fallback_grade)

    def band_cap(self, status: Literal["met", "partial", "missed"]) -> Decimal:
        """Highest share of 分值 a qualitative indicator may earn in this status."""
        high, low = self.qualitative_bands
        return {"met": Decimal(1), "partial": high / 100, "missed": low / 100}[status]


_SECTIONS: dict[str, tuple[str, ...]] = {
    "scoring": ("execution_weight", "qualitative_bands", "le_formula", "grade_bands"),
    "tolerance": ("extra",),
    "rules": ("disabled",),
    "severity": tuple(CATALOG),
}
_TOP = ("description", "name", "profile")


def builtin_names() -> tuple[str, ...]:
    folder = resources.files("jixiao.profiles")
    return tuple(sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml")))


def _builtin_text(name: str) -> str:
    if name not in builtin_names():
        raise ProfileError(
            f"没有名为 {name!r} 的规则配置（可用：{', '.join(builtin_names())}）/ "
            f"no profile named {name!r} (known: {', '.join(builtin_names())})"
        )
    return resources.files("jixiao.profiles").joinpath(f"{name}.toml").read_text(encoding="utf-8")


def _parse(text: str, origin: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{origin}：TOML 格式错误 / not valid TOML: {exc}") from exc


def _bad(origin: str, key: str, zh: str, en: str) -> ProfileError:
    return ProfileError(f"{origin}：{key} {zh} / {key} {en}")


def _check_keys(data: Mapping[str, Any], origin: str) -> None:
    for key, value in data.items():
        if key in _TOP:
            if not isinstance(value, str):
                raise _bad(origin, key, "应为文字", "must be a string")
            continue
        if key not in _SECTIONS:
            raise _bad(origin, key, "不是可用的设置", f"is not a known key (known: {', '.join((*_TOP, *_SECTIONS))})")
        if not isinstance(value, dict):
            raise _bad(origin, key, "应为一节 [section]", "must be a [section]")
        for sub in value:
            if sub not in _SECTIONS[key]:
                known = "rule ids of SPEC §3" if key == "severity" else ", ".join(_SECTIONS[key])
                raise _bad(origin, f"{key}.{sub}", "不是可用的设置", f"is not a known key (known: {known})")


def _number(value: Any, origin: str, key: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise _bad(origin, key, "应为数字", "must be a number")
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise _bad(origin, key, "应为数字", "must be a number") from exc
    if not number.is_finite() or number < 0:
        raise _bad(origin, key, "应为非负数", "must be a number ≥ 0")
    return number


def _merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """A config's sections update the base's key by key; a list or table value replaces the base's."""
    merged = dict(base)
    for key, value in over.items():
        merged[key] = {**merged.get(key, {}), **value} if isinstance(value, dict) else value
    return merged


def _build(name: str, data: Mapping[str, Any], origin: str) -> Profile:
    scoring = data.get("scoring", {})
    for key in _SECTIONS["scoring"]:
        if key not in scoring:
            raise _bad(origin, f"scoring.{key}", "缺失", "is missing")
    bands = scoring["qualitative_bands"]
    if not isinstance(bands, list) or len(bands) != 2:
        raise _bad(origin, "scoring.qualitative_bands", "应为两个百分数 [达成下限, 部分达成下限]",
                   "must be two percentages [lowest 达成, lowest 部分达成]")
    high, low = (_number(b, origin, "scoring.qualitative_bands") for b in bands)
    if not Decimal(100) >= high > low:
        raise _bad(origin, "scoring.qualitative_bands", "应满足 100 ≥ 第一个 > 第二个", "must satisfy 100 ≥ first > second")
    formula = scoring["le_formula"]
    if formula not in LE_FORMULAS:
        raise _bad(origin, "scoring.le_formula", f"应为 {' 或 '.join(LE_FORMULAS)}", f"must be one of {', '.join(LE_FORMULAS)}")
    grades = scoring["grade_bands"]
    if not isinstance(grades, dict) or not grades:
        raise _bad(origin, "scoring.grade_bands", "应为 {等级 = 下限}", "must be a table {grade = lowest score}")
    grade_bands = tuple(
        sorted(((_number(v, origin, f"scoring.grade_bands.{g}"), str(g)) for g, v in grades.items()), reverse=True)
    )
    rules = data.get("rules", {})
    disabled = rules.get("disabled", [])
    if not isinstance(disabled, list) or not all(isinstance(r, str) for r in disabled):
        raise _bad(origin, "rules.disabled", "应为规则名列表", "must be a list of rule ids")
    for rule_id in disabled:
        if rule_id not in CATALOG:
            raise _bad(origin, f"rules.disabled: {rule_id}", "不是规则名", "is not a rule id of SPEC §3")
    severities = data.get("severity", {})
    for rule_id, sev in severities.items():
        if sev not in SEVERITIES:
            raise _bad(origin, f"severity.{rule_id}", f"应为 {'/'.join(SEVERITIES)}", f"must be one of {', '.join(SEVERITIES)}")
    description = data.get("description", "")
    return Profile(
        name=name,
        description=str(description),
        execution_weight=_number(scoring["execution_weight"], origin, "scoring.execution_weight"),
        qualitative_bands=(high, low),
        le_formula=cast(LeFormula, formula),
        grade_bands=grade_bands,
        fallback_grade="差",
        tolerance_extra=_number(data.get("tolerance", {}).get("extra", 0), origin, "tolerance.extra"),
        disabled=frozenset(disabled),
        severities=tuple(sorted((r, cast(Severity, s)) for r, s in severities.items())),
    )


def load_profile(name: str = DEFAULT_PROFILE, config: Path | None = None) -> Profile:
    """The built-in profile ``name``, with ``config``'s keys over it.

    A config may name its base with ``profile = "hubei"`` (``--profile`` given on the
    command line wins) and its own ``name``; otherwise findings say ``BASE+jixiao.toml``.
    """
    base_data = _parse(_builtin_text(name), f"{name}.toml")
    _check_keys(base_data, f"{name}.toml")
    if config is None:
        return _build(name, base_data, f"{name}.toml")
    origin = str(config)
    try:
        text = config.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"无法读取 {origin} / cannot read {origin}: {exc}") from exc
    over = _parse(text, origin)
    _check_keys(over, origin)
    merged = _merge(base_data, {k: v for k, v in over.items() if k not in ("name", "profile")})
    return _build(str(over.get("name", f"{name}+{config.name}")), merged, origin)


def config_base(config: Path) -> str | None:
    """The ``profile = "…"`` a config names as its base, if any (read before the profile is built)."""
    try:
        data = tomllib.loads(config.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None  # load_profile reports it with the reason
    base = data.get("profile")
    return base if isinstance(base, str) else None


def find_config(paths: Sequence[str | Path], cwd: Path | None = None) -> Path | None:
    """``jixiao.toml`` next to the inputs (a folder's own, or a file's folder), else in the current folder."""
    for path in paths:
        p = Path(path)
        candidate = (p if p.is_dir() else p.parent) / CONFIG_NAME
        if candidate.is_file():
            return candidate
    here = (cwd or Path.cwd()) / CONFIG_NAME
    return here if here.is_file() else None


MOF = load_profile(DEFAULT_PROFILE)
_ACTIVE: ContextVar[Profile] = ContextVar("jixiao_profile", default=MOF)


def active() -> Profile:
    """The profile the rules running now judge under (``mof`` outside :func:`judging`)."""
    return _ACTIVE.get()


@contextmanager
def judging(profile: Profile) -> Iterator[Profile]:
    token = _ACTIVE.set(profile)
    try:
        yield profile
    finally:
        _ACTIVE.reset(token)
