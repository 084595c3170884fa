"""Unit and project names as keys that two reports of the same body share.

The same 部门 is printed differently from report to report: spaces inside the
name, full-width or half-width brackets, a ``（盖章）`` left from the signature
line, Traditional characters on a mirror site, Sichuan's budget-unit or project
codes in front. A key drops exactly those differences and nothing else, so two
reports match only when their names are the same name; a key that is empty or
too short to mean anything is no key (an uncertain match is no match).
"""

from __future__ import annotations

import unicodedata

import regex

from jixiao.extract.traditional import to_simplified

SEAL_WORDS = ("盖章", "公章", "签章", "印章")
_BRACKETED_SEAL = regex.compile(r"[(\[【]\s*(?:" + "|".join(SEAL_WORDS) + r")\s*[)\]】]")
# Sichuan prints budget-unit codes (``301001``) and 21-character project codes before names,
# sometimes with a separator; a code is at least six ASCII letters or digits (a year, 2023, is not one).
_CODE_PREFIX = regex.compile(r"^[0-9A-Za-z]{6,}(?=[\p{Han}\-_:：、.·\s])[\-_:：、.·\s]*")
_BRACKETS = regex.compile(r"[()\[\]【】〔〕<>《》「」『』\"'“”‘’]")
MIN_KEY = 2


def name_key(name: str | None) -> str | None:
    """The matching key of a unit or project name, or None when there is nothing certain to match.

    Example: ``name_key("301001-成都市 青羊区 财政局（盖章）")`` → ``"成都市青羊区财政局"``.
    """
    if not name:
        return None
    text = unicodedata.normalize("NFKC", name)
    text = "".join(text.split())
    text = to_simplified(text)
    text = _BRACKETED_SEAL.sub("", text)
    for word in SEAL_WORDS:
        text = text.removesuffix(word)
    text = _CODE_PREFIX.sub("", text)
    text = _BRACKETS.sub("", text)
    text = text.rstrip(":：")
    return text if len(text) >= MIN_KEY else None


_YEAR_PREFIX = regex.compile(r"^(?:19|20)[0-9]{2}年度?")


def project_key(name: str | None) -> str | None:
    """A project's key across years: its name key without a leading ``2023年度`` (the year is matched
    on its own), so ``2022年度X`` and ``2023年度X`` are the same project a year apart.

    Example: ``project_key("2023 年度 公共文化服务下乡")`` → ``"公共文化服务下乡"``.
    """
    key = name_key(name)
    if key is None:
        return None
    key = _YEAR_PREFIX.sub("", key)
    return key if len(key) >= MIN_KEY else None
