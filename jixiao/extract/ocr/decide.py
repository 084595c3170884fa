"""Per page: trust the text layer, or read the page image with OCR?

Pure functions of what a page's text layer says and how much of the page its
images cover, so the choice can be tested without a PDF.  OCR takes seconds
a page and the text layer milliseconds, so a page is OCR'd only when its
text layer is missing or cannot be Chinese prose:

- ``no_text``: (almost) no text, but images or vector art cover the page;
- ``image_page``: a page-sized image with little text over it (a scan with
  a stray header, a scanner's watermark);
- ``garbled``: the text layer is there but reads as junk, because its font
  map is broken: ``(cid:123)``, U+FFFD, private-use characters, control
  characters, code points of scripts no Chinese report uses, or Han
  characters that are nearly all rare (glyph ids read as code points land
  anywhere in the CJK block, while real prose is made of common characters);
- ``no_cjk``: a page with a large image whose text has no Chinese at all.

Images are looked at only when the text is short or suspicious
(:func:`needs_images`), so a normal page costs nothing extra.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Literal

import regex

Method = Literal["text", "ocr"]

#: Fewer visible characters than this is "no text".
MIN_TEXT_CHARS = 20
#: A page image with fewer good characters than this over it is a scan.
IMAGE_PAGE_MAX_CHARS = 120
#: Share of the page an image must cover to be "page-sized".
IMAGE_PAGE_COVER = 0.5
#: Share of the page images must cover before a page without text is OCR'd.
NO_TEXT_IMAGE_COVER = 0.2
#: Vector paths on a textless page that suggest text drawn as outlines.
OUTLINE_TEXT_PATHS = 400
#: Share of bad characters above which a text layer is garbled.
MAX_BAD_SHARE = 0.10
#: Han characters needed before their commonness is judged.
MIN_HAN_FOR_COMMON = 20
#: Share of common characters among the Han characters of real prose (≈0.98);
#: glyph ids read as code points give about 0.2–0.4.
MIN_COMMON_SHARE = 0.6
#: A page with an image at least this large and fewer Han characters than
#: MIN_HAN_WITH_IMAGE is read with OCR: its text is not the report's.
NO_CJK_IMAGE_COVER = 0.3
MIN_HAN_WITH_IMAGE = 10

_CID = regex.compile(r"\(cid:\d+\)")
_HAN = regex.compile(r"\p{Han}")

# Unicode blocks a Chinese report's text is written in (besides Han).
_GOOD_RANGES: tuple[tuple[int, int], ...] = (
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x024F),  # Latin-1, Latin extended (°, ×, é)
    (0x0370, 0x03FF),  # Greek (α, β, μ)
    (0x0400, 0x04FF),  # Cyrillic (Word's symbol fonts put № etc. near it)
    (0x2000, 0x27BF),  # punctuation, super/subscripts, letterlike, arrows, math, box, shapes, dingbats
    (0x2E80, 0x2FDF),  # CJK radicals
    (0x3000, 0x33FF),  # CJK symbols, kana, bopomofo, enclosed CJK, compatibility
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF00, 0xFFEF),  # full-width forms
)
_GOOD_CLASS = "".join(f"\\u{lo:04x}-\\u{hi:04x}" for lo, hi in _GOOD_RANGES)
#: Not whitespace, Han or a good block; or private use, unassigned, U+FFFD anywhere.
_BAD = regex.compile(rf"[^\s\p{{Han}}{_GOOD_CLASS}]|[\p{{Co}}\p{{Cn}}\ufffd]")
_BAD_RUNS = regex.compile(rf"(?:{_BAD.pattern})+")
_HAN_RUNS = regex.compile(r"\p{Han}+")
_SPACE_RUNS = regex.compile(r"\s+")  # deleted, leaves the visible characters


@dataclass(frozen=True)
class TextStats:
    """What a page's text layer is made of (whitespace not counted)."""

    chars: int
    bad: int  # (cid:…), U+FFFD, private use, controls, unassigned, foreign scripts
    han: int
    common_han: int

    @property
    def good(self) -> int:
        return self.chars - self.bad

    @property
    def bad_share(self) -> float:
        return self.bad / self.chars if self.chars else 0.0

    @property
    def common_share(self) -> float:
        return self.common_han / self.han if self.han else 1.0


@dataclass(frozen=True)
class Decision:
    method: Method
    reason: str  # "text_layer", "no_text", "image_page", "garbled", "no_cjk", "blank"


@cache
def _common_han() -> frozenset[str]:
    """GB2312's level-1 characters and Big5's frequent set, decoded once."""
    chars: set[str] = set()
    for hi in range(0xB0, 0xD8):
        for lo in range(0xA1, 0xFF):
            chars.add(bytes((hi, lo)).decode("gb2312", errors="ignore"))
    for code in range(0xA440, 0xC67F):
        chars.add(bytes((code >> 8, code & 0xFF)).decode("big5", errors="ignore"))
    # a Big5 trail byte below 0x80 is not Big5 at all: decoding drops the lead
    # byte and keeps an ASCII character, which is no Han character
    return frozenset(ch for ch in chars if _HAN.fullmatch(ch))


def is_common_han(ch: str) -> bool:
    """A Han character of everyday text: GB2312 level 1 or Big5's frequent set.

    Together about 6,500 characters; they make up over 99% of running
    Chinese text, Simplified or Traditional.

    Example: ``is_common_han("预")`` → ``True``; ``is_common_han("葋")`` → ``False``
    """
    return ch in _common_han()


#: Whitespace that every counting below agrees is whitespace.
_PLAIN_SPACE = " \t\n\r\f\v\u3000\xa0"


@cache
def _ordinary_tables() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(1) A pattern finding any character that is not ordinary text (common Han, the
    good blocks' characters that are neither bad nor whitespace, plain spaces) and
    (2) one matching each run of common Han, which deleted leave the rest: a
    ``str.translate`` deleting them looks each character up in a dict, three
    times slower."""
    common = {ord(ch) for ch in _common_han()}
    ordinary = common | {ord(ch) for ch in _PLAIN_SPACE}
    for lo, hi in _GOOD_RANGES:
        for code in range(lo, hi + 1):
            ch = chr(code)
            if not ch.isspace() and not _BAD.match(ch) and not _HAN.match(ch):  # radicals count as Han
                ordinary.add(code)
    return re.compile(f"[^{_code_ranges(ordinary)}]"), re.compile(f"[{_code_ranges(common)}]+")


def _code_ranges(codes: set[int]) -> str:
    """A regex class body of these code points, as runs ``a-b``."""
    out: list[str] = []
    ordered = sorted(codes)
    start = prev = ordered[0]
    for code in [*ordered[1:], -1]:
        if code == prev + 1:
            prev = code
            continue
        out.append(re.escape(chr(start)) if start == prev else f"{re.escape(chr(start))}-{re.escape(chr(prev))}")
        start = prev = code
    return "".join(out)


def text_stats(text: str) -> TextStats:
    """Count a page's characters by kind.

    An ordinary page (common Han, ASCII, CJK punctuation, plain spaces) is
    told by one search for anything else and counted with one
    substitution, several times faster than the regex passes that
    the rest need.

    Example: ``text_stats("(cid:12)(cid:7)预算")`` → ``TextStats(chars=4, bad=2, han=2, common_han=2)``
    """
    not_ordinary, common_runs = _ordinary_tables()
    if not_ordinary.search(text) is None and "(cid:" not in text:
        spaces = sum(text.count(ch) for ch in _PLAIN_SPACE)
        common_count = len(text) - len(common_runs.sub("", text))
        return TextStats(len(text) - spaces, 0, common_count, common_count)
    body, cids = _CID.subn("", text)
    # Each kind counted as the length its runs take (one substitution, not a list of
    # one-character matches); common Han are Han (:func:`_common_han`).
    chars = len(_SPACE_RUNS.sub("", body))
    n = len(body)
    return TextStats(
        chars + cids,
        n - len(_BAD_RUNS.sub("", body)) + cids,
        n - len(_HAN_RUNS.sub("", body)),
        n - len(common_runs.sub("", body)),
    )


def _garbled(stats: TextStats) -> bool:
    if stats.chars >= MIN_TEXT_CHARS and stats.bad_share > MAX_BAD_SHARE:
        return True
    return stats.han >= MIN_HAN_FOR_COMMON and stats.common_share < MIN_COMMON_SHARE


def needs_images(stats: TextStats) -> bool:
    """Whether :func:`decide` needs the page's image cover to choose.

    A page with plenty of sound Chinese text never does.
    """
    if _garbled(stats):
        return False
    return stats.good < IMAGE_PAGE_MAX_CHARS or stats.han < MIN_HAN_WITH_IMAGE


def decide(stats: TextStats, image_cover: float = 0.0, vector_paths: int = 0) -> Decision:
    """Choose how to read one page.

    ``image_cover`` is the share of the page area covered by images (0–1),
    ``vector_paths`` the number of drawn paths; both matter only when
    :func:`needs_images` says so.

    Example: ``decide(text_stats(""), image_cover=1.0)`` → ``Decision("ocr", "no_text")``
    """
    if _garbled(stats):
        return Decision("ocr", "garbled")
    if stats.good < MIN_TEXT_CHARS:
        if image_cover >= NO_TEXT_IMAGE_COVER or vector_paths >= OUTLINE_TEXT_PATHS:
            return Decision("ocr", "no_text")
        return Decision("text", "blank")
    if image_cover >= IMAGE_PAGE_COVER and stats.good < IMAGE_PAGE_MAX_CHARS:
        return Decision("ocr", "image_page")
    if image_cover >= NO_CJK_IMAGE_COVER and stats.han < MIN_HAN_WITH_IMAGE:
        return Decision("ocr", "no_cjk")
    return Decision("text", "text_layer")


def text_method(decisions: list[Decision]) -> Literal["text", "ocr", "mixed"]:
    """The document's ``text_method``: blank pages do not count either way.

    Example: ``text_method([Decision("ocr", "no_text"), Decision("text", "blank")])`` → ``"ocr"``
    """
    used = [d.method for d in decisions if d.reason != "blank"]
    if used and all(m == "ocr" for m in used):
        return "ocr"
    if any(m == "ocr" for m in used):
        return "mixed"
    return "text"
