"""Undo what PDF text layers and OCR do to the spacing and width of cell text.

Every later matcher (header synonyms, numbers, comparators) is written against
one canonical form, so the same cell reads the same whether it came from a
text layer that put a space between every character, a scan, or a document
typed with full-width digits.  Characters are never dropped except invisible
zero-width ones: private-use glyphs and U+FFFD stay so a later stage can tell
that a font map was broken.
"""

from __future__ import annotations

import re
import unicodedata

from jixiao.normalize.memo import per_document

#: Invisible characters some PDF producers put between glyphs.
ZERO_WIDTH: str = "\u200b\u200c\u200d\u2060\ufeff"

#: Han ideographs (BMP, extension A, compatibility, extensions B and later)
#: and 〇, as the inside of a regex character class.
HAN_CLASS: str = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"

#: Punctuation that sits against Han characters with no space in Chinese
#: typesetting: the CJK punctuation block, full-width forms NFKC leaves alone,
#: curly quotes, the middle dot and the ASCII marks NFKC makes of （），：；！？.
CJK_PUNCT_CLASS: str = "\u3001-\u303f\uff00-\uffef\u2018-\u201f\u00b7" + re.escape(",;:!?()")

_ZERO_WIDTH_RE = re.compile(f"[{ZERO_WIDTH}]")

#: Blocks whose characters NFKC rewrites one by one in report text: Latin-1's (no-break space,
#: ², ½), punctuation, letterlike and number forms, circled numbers, CJK compatibility (㎡,
#: 兀), full-width forms (，（）：).  Any other character only takes NFKC's own, slower way.
_FOLD_BLOCKS = ((0x00A0, 0x0100), (0x2000, 0x3400), (0xF900, 0xFB00), (0xFE10, 0xFFF0))


def _fold_table() -> dict[str, str]:
    """Each character of ``_FOLD_BLOCKS`` that NFKC changes, and its NFKC form (2,000 of them, 3 ms)."""
    table = {}
    for lo, hi in _FOLD_BLOCKS:
        for code in range(lo, hi):
            ch = chr(code)
            folded = unicodedata.normalize("NFKC", ch)
            if folded != ch:
                table[ch] = folded
    return table


_FOLD = _fold_table()
_FOLDABLE = re.compile("[" + "".join(re.escape(ch) for ch in _FOLD) + "]")
_fold_one = _FOLD.__getitem__
_is_normalized = unicodedata.is_normalized


def nfkc(s: str) -> str:
    """``unicodedata.normalize("NFKC", s)``, several times faster on Chinese text with a full-width mark.

    NFKC composes character by character through a table it searches
    linearly, some 2,000 machine instructions for each Han character of a
    string that is not already in NFKC (one ``，`` in a paragraph is enough).
    Here each character of ``_FOLD`` is replaced by its own NFKC form, and
    the result kept if it is in NFKC (the quick check, one table look-up a
    character).  It is then NFKC's result: a character and its NFKC form
    decompose alike, so the two strings have one NFKC form, and a string in
    NFKC is its own.  Anything else (a combining mark, a character outside
    ``_FOLD``) goes to ``unicodedata.normalize``.
    """
    if _is_normalized("NFKC", s):
        return s
    folded = _FOLDABLE.sub(lambda m: _fold_one(m.group()), s)
    if _is_normalized("NFKC", folded):
        return folded
    return unicodedata.normalize("NFKC", s)
# Every pattern below matches whitespace only, so each opens with ``(?=\s)``: the
# same matches, but a position that is not whitespace fails at once instead of
# being tried against each alternative and its lookbehind (3-4x faster on a page).
_CJK_GAP_RE = re.compile(
    rf"(?=\s)(?:(?<=[{HAN_CLASS}])\s+(?=[{HAN_CLASS}{CJK_PUNCT_CLASS}])"
    rf"|(?<=[{CJK_PUNCT_CLASS}])\s+(?=[{HAN_CLASS}]))"
)
# Office suites disagree on spaces between Chinese and digits ("2022 年" vs
# "2022年"): Chinese typesetting has none, so the canonical form has none.
_CJK_LATIN_GAP_RE = re.compile(
    rf"(?=\s)(?:(?<=[{HAN_CLASS}])\s+(?=[0-9A-Za-z%≥≤<>=])|(?<=[0-9A-Za-z%])\s+(?=[{HAN_CLASS}]))"
)
# A line break is a wrap of the cell's width; only between two Latin words is it a space.
_WRAP_RE = re.compile(
    r"(?=\s)(?:[ \t]*[\r\n\u2028\u2029]\s*(?![A-Za-z])|(?<![A-Za-z])[ \t]*[\r\n\u2028\u2029]\s*)"
)
_NUMBER_BREAK_RE = re.compile(r"(?=\s)(?<=[0-9.])[ \t]*[\r\n\u2028\u2029][\s]*(?=[0-9.%])")
_SPACE_RUN_RE = re.compile(r"\s+")
_VALUE_GAP_RE = re.compile(r"(?=\s)(?:(?<![0-9.,])\s+|\s+(?![0-9.,]))")


@per_document
def clean_text(s: str | None) -> str | None:
    """Give a cell one canonical spelling, so matchers need not know its origin.

    NFKC folds full-width digits, letters and punctuation to ASCII (it keeps
    ``≥ ≤ ≧ ≦ ═``, which the target parser reads itself).  Whitespace touching
    a Han character on one side and a Han character or CJK punctuation on the
    other is a layout artefact and goes; a line break is a wrap and goes
    (between two Latin words it becomes a space); whitespace between Han
    characters and digits or Latin letters goes too, because office suites
    disagree on it and Chinese typesetting has none (``2022 年`` →
    ``2022年``); any other run of whitespace becomes one space.  ``None`` (no cell) stays ``None``.

    Example: ``clean_text("执 行 率\\n１２０.\\n００％")`` → ``"执行率 120.00%"``
    """
    if s is None:
        return None
    # ASCII has no zero-width character and is its own NFKC form; a search finds none
    # in most other cells faster than a substitution that has nothing to substitute
    text = s if s.isascii() else nfkc(_ZERO_WIDTH_RE.sub("", s) if _ZERO_WIDTH_RE.search(s) else s)
    if _SPACE_RUN_RE.search(text) is None:
        return text  # every step below removes or rewrites whitespace: most cells have none
    if "\n" in text or "\r" in text or "\u2028" in text or "\u2029" in text:  # what both match holds one
        text = _NUMBER_BREAK_RE.sub("", text)
        text = _WRAP_RE.sub("", text)
    text = _CJK_GAP_RE.sub("", text)
    text = _CJK_LATIN_GAP_RE.sub("", text)
    return _SPACE_RUN_RE.sub(" ", text).strip()


@per_document
def compact(s: str | None) -> str | None:
    """Drop every space, so a header label matches however it was broken up.

    Only for matching labels and headers: numbers that were two cells glued by
    a stray space would merge, so values go through ``clean_text`` instead.

    Example: ``compact("经济效益 指标 (30 分)")`` → ``"经济效益指标(30分)"``
    """
    text = clean_text(s)
    if text is None:
        return None
    return _SPACE_RUN_RE.sub("", text)


def squeeze(s: str | None) -> str | None:
    """Drop the spaces a value may carry, but not those between two numbers.

    ``≥ 90 %`` and ``150 万元`` close up, while ``677.14 785.21`` (two cells
    read as one) keeps its space so no parser mistakes it for one number.

    Example: ``squeeze("≤ 100 万元")`` → ``"≤100万元"``
    """
    text = clean_text(s)
    if text is None:
        return None
    return _VALUE_GAP_RE.sub("", text)
