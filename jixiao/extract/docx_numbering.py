"""Word's automatic numbering (四、 （一） 1.) put back in front of the paragraphs it numbers.

The number is not in a paragraph's text: Word draws it from ``numbering.xml``
(a level's format, ``chineseCounting`` for 一二三, and its text, ``%1、``),
counting the paragraphs of each list.  A report whose headings are numbered
this way has no ``一、`` for the narrative reader to find, so the label Word
would show is rebuilt here, per list and level, as Word counts it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from docx.oxml.ns import qn

W_VAL = qn("w:val")
LEVELS = 9
CN_DIGITS = "一二三四五六七八九十"
CHINESE = {"chineseCounting", "chineseCountingThousand", "ideographTraditional", "japaneseCounting",
           "taiwaneseCounting", "taiwaneseCountingThousand", "ideographDigital", "chineseLegalSimplified"}
ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"),
         (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))


@dataclass(frozen=True)
class Level:
    fmt: str
    text: str
    start: int


def chinese(n: int) -> str:
    """Example: ``chinese(12) == "十二"``, ``chinese(20) == "二十"``."""
    if n <= 0:
        return str(n)
    if n <= 10:
        return CN_DIGITS[n - 1]
    if n < 20:
        return "十" + CN_DIGITS[n - 11]
    if n < 100:
        return CN_DIGITS[n // 10 - 1] + "十" + (CN_DIGITS[n % 10 - 1] if n % 10 else "")
    return str(n)


def formatted(n: int, fmt: str) -> str:
    if fmt in CHINESE:
        return chinese(n)
    if fmt in ("upperLetter", "lowerLetter"):
        letter = chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return letter if fmt == "upperLetter" else letter.lower()
    if fmt in ("upperRoman", "lowerRoman"):
        out, rest = "", n
        for value, numeral in ROMAN:
            while rest >= value:
                out, rest = out + numeral, rest - value
        return out.upper() if fmt == "upperRoman" else out
    if fmt == "decimalFullWidth":
        return "".join(chr(ord(d) + 0xFEE0) for d in str(n))
    if fmt == "decimalEnclosedCircle" and 1 <= n <= 20:
        return chr(0x245F + n)
    return str(n)


class Numbering:
    """The lists of one document and their running counts."""

    def __init__(self, lists: dict[str, dict[int, Level]]) -> None:
        self.lists = lists
        self.counts: dict[str, list[int]] = {}

    @classmethod
    def of(cls, document: Any) -> Numbering:
        try:
            root = document.part.numbering_part.element
        except Exception:  # no numbering part (python-docx raises NotImplementedError or KeyError)
            return cls({})
        abstract: dict[str, dict[int, Level]] = {}
        for a in root.iter(qn("w:abstractNum")):
            levels = {}
            for lvl in a.iter(qn("w:lvl")):
                try:
                    ilvl = int(lvl.get(qn("w:ilvl")) or 0)
                    start = int(_val(lvl, "w:start") or 1)
                except ValueError:
                    continue
                levels[ilvl] = Level(_val(lvl, "w:numFmt") or "decimal", _val(lvl, "w:lvlText") or "", start)
            abstract[a.get(qn("w:abstractNumId")) or ""] = levels
        lists = {}
        for num in root.iter(qn("w:num")):
            ref = _val(num, "w:abstractNumId")
            if ref in abstract:
                lists[num.get(qn("w:numId")) or ""] = abstract[ref]
        return cls(lists)

    def label(self, num_id: str, ilvl: int) -> str | None:
        """The next label of list ``num_id`` at level ``ilvl``; None for bullets, or an unknown list."""
        levels = self.lists.get(num_id)
        level = levels.get(ilvl) if levels else None
        if levels is None or level is None or level.fmt in ("bullet", "none") or not 0 <= ilvl < LEVELS:
            return None
        counts = self.counts.setdefault(num_id, [0] * LEVELS)
        counts[ilvl] = counts[ilvl] + 1 if counts[ilvl] else level.start
        for deeper in range(ilvl + 1, LEVELS):
            counts[deeper] = 0
        text = level.text
        for k in range(LEVELS):
            marker = f"%{k + 1}"
            if marker in text:
                at = levels.get(k)
                value = counts[k] or (at.start if at else 1)
                text = text.replace(marker, formatted(value, at.fmt if at else "decimal"))
        return text


def _val(el: Any, tag: str) -> str | None:
    found = el.find(qn(tag))
    return found.get(W_VAL) if found is not None else None


def num_pr(p_pr: Any) -> tuple[str, int] | None:
    """(numId, ilvl) of a paragraph's or style's ``w:numPr``; None where it has none or numId 0 (no list)."""
    if p_pr is None:
        return None
    num = p_pr.find(qn("w:numPr"))
    if num is None:
        return None
    num_id = _val(num, "w:numId")
    try:
        ilvl = int(_val(num, "w:ilvl") or 0)
    except ValueError:
        ilvl = 0
    return (num_id, ilvl) if num_id and num_id != "0" else None
