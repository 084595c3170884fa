"""Matching cell text to the template's vocabulary.

Headers are matched exactly after removing spaces and bracketed notes
(``得分(分值×执行率)`` is ``得分``), then by prefix. Indicator labels that were
cut short in the PDF (``可持续影响指``) or damaged by OCR are mended to the
canonical word, and the caller records the repair.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

import regex
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from jixiao.normalize.labels import split_stated_weight
from jixiao.normalize.memo import MEMO_SIZE, per_document, per_document_dict
from jixiao.normalize.text import compact

#: Fields and their spellings, in the order they are tried (:mod:`jixiao.normalize.vocab`).
Vocabulary = Sequence[tuple[str, Sequence[str]]]

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
    text: str | None, table: Vocabulary, exact: bool = False
) -> str | None:
    """The field whose spelling the header cell carries, or None.

    Exact spellings are tried before prefixes (``执行率权重`` is a weight, not
    a rate); ``exact=True`` tries only those.
    """
    known = _FIELDS.get((text, id(table), exact))
    if known is not None and known[0] is table:
        return known[1]
    key = header_key(text)
    name = None
    if key:
        exact_names, prefixes = _matcher(table)
        name = exact_names.get(key)
        if name is None and not exact:
            found = prefixes.match(key)
            name = found.lastgroup.rsplit("_", 1)[0] if found and found.lastgroup else None
    if len(_FIELDS) >= MEMO_SIZE:
        _FIELDS.clear()
    _FIELDS[(text, id(table), exact)] = (table, name)
    return name


# Every cell of every row is asked for its field, some several times: (text, vocabulary, exact) → field.
_FIELDS: dict[tuple[str | None, int, bool], tuple[object, str | None]] = per_document_dict()


#: A misread header is mended only against spellings this long (shorter words
#: sit one edit from one another: 执行率 and 执行数) ...
MIN_FUZZY_HEADER = 4
#: ... and at most this many edits away: one for a four-character spelling, two
#: for longer ones (a bold scan's 实际究成 lost 值 as well as 完).
MAX_HEADER_EDITS = 2


def _header_edits(word: str) -> int:
    return 1 if len(word) <= MIN_FUZZY_HEADER else MAX_HEADER_EDITS


@per_document
def fuzzy_field(text: str | None, table: Vocabulary) -> tuple[str, str] | None:
    """``(field, spelling)`` for a header a few edits away from exactly one field's spellings.

    For headers that :func:`match_field` cannot place because OCR misread a
    character or two (a bold scan's ``实际究成`` for ``实际完成值``).  The
    header may also run on past the spelling (its first characters are
    compared too), but may lack at most one of its characters.  Spellings
    shorter than ``MIN_FUZZY_HEADER`` are never matched this way.  The field
    with the nearest spelling wins (``年底指标值`` is one edit from 年度指标值,
    two from 调整指标值); a tie between two fields matches neither.

    Example: ``fuzzy_field("实际究成", vocab.INDICATOR_COLUMNS)`` → ``("actual", "实际完成值")``
    """
    return _nearest(header_key(text), table)


#: 一级, 二级 and 三级 headers sit one edit from each other, so a misread
#: numeral would tie; OCR's usual misreadings of these numerals before 级
#: (no word starts 兰级 or -级) are put right first.
_LEVEL_NUMERAL = regex.compile(r"^(?:([-—–−－])|([=＝])|([兰丰]))(?=级)")


def _level_numeral(m: regex.Match[str]) -> str:
    return "一" if m.group(1) else "二" if m.group(2) else "三"


def _nearest(key: str, table: Vocabulary) -> tuple[str, str] | None:
    """The field whose spelling is fewest edits from ``key`` (see :func:`fuzzy_field`)."""
    key = _LEVEL_NUMERAL.sub(_level_numeral, key)
    if len(key) < MIN_FUZZY_HEADER - 1:
        return None
    words = _fuzzy_words(table)
    found = _edits_within(key, table)
    best: dict[str, tuple[int, str]] = {}  # field → (fewest edits, its spelling)
    for i in sorted(found):  # in the vocabulary's order: a field's first spelling wins a tie
        name, word, _, edits = words[i]
        dist = found[i]
        if dist < best.get(name, (edits + 1, ""))[0]:
            best[name] = (dist, word)
    if not best:
        return None
    fewest = min(d for d, _ in best.values())
    nearest = [(name, word) for name, (d, word) in best.items() if d == fewest]
    return nearest[0] if len(nearest) == 1 else None


def _edits_within(key: str, table: Vocabulary) -> dict[int, int]:
    """Edits from ``key`` to each fuzzy spelling (by its index in :func:`_fuzzy_words`) that is
    within its allowance:

    * a spelling no longer than the key is compared with the whole key, and one of the
      key's own length also counts one edit if it has the key's characters in another
      order (OCR put a line's pieces out of order: 考值参分 for 参考分值);
    * a key longer than the spelling may run on past it (its first ``size`` characters
      are compared), or be compared whole where the length gap is within the allowance;
    * a spelling two or more characters longer than the key is never matched (a header
      cut to a word's start: 绩效指标 of 绩效指标名称).

    One C loop (``process.extract``) per spelling length, not a call per spelling.
    """
    n = len(key)
    found: dict[int, int] = {}
    for size, edits, spellings, indices, anagrams in _fuzzy_lengths(table):
        if n < size - 1:
            continue
        if n <= size:
            for _, dist, k in process.extract(key, spellings, scorer=Levenshtein.distance, score_cutoff=edits, limit=None):
                found[indices[k]] = int(dist)
            if n == size:
                for k in anagrams.get("".join(sorted(key)), ()):
                    found.setdefault(indices[k], 1)
            continue
        for _, dist, k in process.extract(key[:size], spellings, scorer=Levenshtein.distance, score_cutoff=edits, limit=None):
            found[indices[k]] = int(dist)
        if n - size <= edits:  # the whole key is further than the length gap
            for _, dist, k in process.extract(key, spellings, scorer=Levenshtein.distance, score_cutoff=edits, limit=None):
                i = indices[k]
                found[i] = min(found.get(i, int(dist)), int(dist))
    return found


_T = TypeVar("_T")
_V = TypeVar("_V", bound=Sequence[Any])
MAX_KEPT_VOCABULARIES = 32  # a bound, should a caller pass vocabularies built on the fly
_KEPT: dict[tuple[str, int], tuple[Sequence[Any], Any]] = {}


def _per_vocabulary(kind: str, table: _V, build: Callable[[_V], _T]) -> _T:
    """What ``build`` makes of a vocabulary, kept per vocabulary object and ``kind``.

    Only tuples are kept (the module's constant vocabularies and label lists,
    and what is built of them: :func:`canonical_label`'s vocabulary of its
    labels): a list built for one call is not, and at most
    ``MAX_KEPT_VOCABULARIES`` entries are, should a caller build tuples on the fly.
    """
    known = _KEPT.get((kind, id(table)))
    if known is not None and known[0] is table:
        return cast(_T, known[1])
    made = build(table)
    if isinstance(table, tuple):
        if len(_KEPT) >= MAX_KEPT_VOCABULARIES:
            _KEPT.clear()
        _KEPT[(kind, id(table))] = (table, made)
    return made


def _fuzzy_words(table: Vocabulary) -> list[tuple[str, str, int, int]]:
    """A vocabulary's spellings that may be matched fuzzily (``MIN_FUZZY_HEADER`` characters
    or more), in its order, as ``(field, spelling, length, edits allowed)``."""
    return _per_vocabulary("fuzzy", table, _build_fuzzy_words)


def _build_fuzzy_words(table: Vocabulary) -> list[tuple[str, str, int, int]]:
    return [
        (name, word, len(word), _header_edits(word)) for name, spellings in table for word in spellings if len(word) >= MIN_FUZZY_HEADER
    ]


#: Fuzzy spellings of one length: (length, edits allowed, spellings, their indices in
#: :func:`_fuzzy_words`, each sorted spelling → positions among ``spellings``).
_Lengths = list[tuple[int, int, tuple[str, ...], tuple[int, ...], dict[str, list[int]]]]


def _fuzzy_lengths(table: Vocabulary) -> _Lengths:
    """A vocabulary's fuzzy spellings grouped by length (:func:`_edits_within`)."""
    return _per_vocabulary("lengths", table, _build_fuzzy_lengths)


def _build_fuzzy_lengths(table: Vocabulary) -> _Lengths:
    groups: dict[tuple[int, int], list[tuple[int, str]]] = {}
    for i, (_, word, size, edits) in enumerate(_fuzzy_words(table)):
        groups.setdefault((size, edits), []).append((i, word))
    out: _Lengths = []
    for (size, edits), items in groups.items():
        anagrams: dict[str, list[int]] = {}
        for k, (_, word) in enumerate(items):
            anagrams.setdefault("".join(sorted(word)), []).append(k)
        out.append((size, edits, tuple(word for _, word in items), tuple(i for i, _ in items), anagrams))
    return out


def _matcher(table: Vocabulary) -> tuple[dict[str, str], regex.Pattern[str]]:
    """A vocabulary's exact spellings as a dict, and its prefixes as one ordered alternation.

    The alternation tries the fields in the vocabulary's order, so the first
    field with a matching prefix wins, as a loop over the fields would.
    """
    return _per_vocabulary("matcher", table, _build_matcher)


def _build_matcher(table: Vocabulary) -> tuple[dict[str, str], regex.Pattern[str]]:
    exact: dict[str, str] = {}
    for name, words in table:
        for word in words:
            exact.setdefault(word, name)
    groups = "|".join(
        f"(?P<{name}_{i}>{'|'.join(regex.escape(w) for w in words)})" for i, (name, words) in enumerate(table) if words
    )
    return exact, regex.compile(groups or "(?!)")


def prepare_matchers(*tables: Vocabulary) -> None:
    """Compile these vocabularies' matchers now (about 20 ms of regex compiling for the
    column vocabularies), so that a batch's forked workers inherit them
    (:func:`jixiao.pipeline.warm_up`) instead of each compiling them on its first table."""
    for table in tables:
        _matcher(table)


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
    # OCR: a character or two misread, specks beside it (质量措标·)
    near = _nearest(label.strip(_SPECKS), _per_vocabulary("labels", vocab, _label_vocabulary))
    if near is not None:
        return near[1], True
    return label, False


def _label_vocabulary(labels: Sequence[str]) -> Vocabulary:
    """Labels as a vocabulary of one spelling each (kept per label tuple, with its fuzzy lengths)."""
    return tuple((word, (word,)) for word in labels)


#: Marks a dark scan's specks are read as, around a label.
_SPECKS = "·•・.,，、'\"“”‘’`*"



def nearest_key_label(key: str, labels: Sequence[str]) -> str | None:
    """The one form label (实施单位, 项目名称 …) an OCR'd label cell is a character away from.

    Only labels of four characters or more, of the same length as the cell (a longer
    cell is a value that starts like a label), and only when one label is nearest.

    Example: ``nearest_key_label("实施第位", ["实施单位", "主管部门"])`` → ``"实施单位"``.
    """
    if len(key) < MIN_FUZZY_HEADER:
        return None
    near = [w for w in labels if len(w) == len(key) and Levenshtein.distance(key, w, score_cutoff=1) <= 1]
    return near[0] if len(near) == 1 else None
