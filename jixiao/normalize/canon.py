"""Matching cell text to the template's vocabulary.

Headers are matched exactly after removing spaces and bracketed notes
(``得分(分值×执行率)`` is ``得分``), then by prefix. Indicator labels that were
cut short in the PDF (``可持续影响指``) or damaged by OCR are mended to the
canonical word, and the caller records the repair.
"""

from __future__ import annotations

from collections.abc import Sequence

import regex
from rapidfuzz import fuzz, process

from jixiao.normalize.labels import split_stated_weight
from jixiao.normalize.memo import per_document
from jixiao.normalize.text import compact

_BRACKETED = regex.compile(r"[(（][^()（）]*[)）]")
MIN_PREFIX = 3  # a cut-short label must keep at least this many characters to be mended
FUZZY_CUTOFF = 85.0


@per_document
def header_key(text: str | None) -> str:
    """Text of a header cell reduced to what identifies it.

    Example: ``"执 行 率(B/A)"`` → ``"执行率"``.
    """
    flat = compact(text) or ""
    return str(_BRACKETED.sub("", flat)).replace("：", ":").rstrip(":")


def match_field(
    text: str | None, table: Sequence[tuple[str, Sequence[str]]], exact: bool = False
) -> str | None:
    """The field whose spelling the header cell carries, or None.

    Exact spellings are tried before prefixes (``执行率权重`` is a weight, not
    a rate); ``exact=True`` tries only those.
    """
    key = header_key(text)
    if not key:
        return None
    exact_names, prefixes = _matcher(table)
    name = exact_names.get(key)
    if name is not None or exact:
        return name
    found = prefixes.match(key)
    return found.lastgroup.rsplit("_", 1)[0] if found and found.lastgroup else None


_MATCHERS: dict[int, tuple[Sequence[tuple[str, Sequence[str]]], dict[str, str], regex.Pattern[str]]] = {}


def _matcher(table: Sequence[tuple[str, Sequence[str]]]) -> tuple[dict[str, str], regex.Pattern[str]]:
    """A vocabulary's exact spellings as a dict, and its prefixes as one ordered alternation.

    The alternation tries the fields in the vocabulary's order, so the first
    field with a matching prefix wins, as a loop over the fields would.
    Kept per vocabulary object (the vocabularies are module constants).
    """
    known = _MATCHERS.get(id(table))
    if known is not None and known[0] is table:
        return known[1], known[2]
    exact: dict[str, str] = {}
    for name, words in table:
        for word in words:
            exact.setdefault(word, name)
    groups = "|".join(
        f"(?P<{name}_{i}>{'|'.join(regex.escape(w) for w in words)})" for i, (name, words) in enumerate(table) if words
    )
    pattern = regex.compile(groups or "(?!)")
    _MATCHERS[id(table)] = (table, exact, pattern)
    return exact, pattern


def strip_lead(text: str) -> str:
    """Drop list lead-ins such as ``其中:`` from a row label."""
    key = header_key(text)
    for lead in ("其中:", "其中", "含:"):
        if key.startswith(lead) and len(key) > len(lead):
            return key[len(lead):]
    return key


def canonical_label(text: str | None, vocab: Sequence[str]) -> tuple[str | None, bool]:
    """Canonical form of a 一级/二级 label and whether it had to be mended.

    Example: ``"可持续影响指"`` → ``("可持续影响指标", True)``;
    ``"经济效益 指标"`` → ``("经济效益指标", False)``.
    """
    flat = compact(text)
    if not flat:
        return None, False
    label, _weight = split_stated_weight(flat)
    label = compact(label) or ""
    if label in vocab:
        return label, False
    if label + "指标" in vocab:
        return label + "指标", False
    if len(label) >= MIN_PREFIX:
        longer = [v for v in vocab if v.startswith(label)]
        if len(longer) == 1:
            return longer[0], True
    best = process.extract(label, vocab, scorer=fuzz.ratio, limit=2)
    if best and best[0][1] >= FUZZY_CUTOFF and (len(best) == 1 or best[1][1] < best[0][1]):
        return str(best[0][0]), True
    return label, False
