"""Cell text cleaning: the cases real PDF text layers and OCR produce."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jixiao.normalize import text as t
from jixiao.normalize.text import clean_text, compact, squeeze

#: Text made of what cells are made of, so properties meet the hard cases.
cell_text = st.text(
    alphabet=st.sampled_from(list("执行率万元一二点 \n\t\r\u3000\u200b0159.,%（）：，≥—")),
    max_size=30,
)

CLEAN_CASES = [
    # full width → ASCII
    ("１２３．４５", "123.45"),
    ("95％", "95%"),
    ("等级：优", "等级:优"),
    ("（万元）", "(万元)"),
    ("ＡＢＣ", "ABC"),
    ("1，234.56", "1,234.56"),
    ("＝100", "=100"),
    # comparators NFKC leaves alone stay meaningful
    ("≥ 90%", "≥ 90%"),
    ("≧100", "≧100"),
    ("≦5", "≦5"),
    ("═100", "═100"),
    ("≤ 100万元", "≤ 100万元"),
    # spaces and breaks between Han characters are layout
    ("执 行 率", "执行率"),
    ("经济效益 指标", "经济效益指标"),
    ("绩 效 指 标", "绩效指标"),
    ("可持续影响\n指标", "可持续影响指标"),
    ("年度\n指标值", "年度指标值"),
    ("服务对象满意\r\n度指标", "服务对象满意度指标"),
    ("执\u3000行\u3000率", "执行率"),
    # Han next to CJK or bracket punctuation closes up
    ("资金情况 (万元)", "资金情况(万元)"),
    ("其中: 当年财政拨款", "其中:当年财政拨款"),
    ("得分 (分值×执行率)", "得分(分值×执行率)"),
    ("提高干部素质, 保障", "提高干部素质,保障"),
    ("“三公” 经费", "“三公”经费"),
    ("党建、 人才", "党建、人才"),
    ("《组工参阅》 刊物", "《组工参阅》刊物"),
    # a line break inside a number is a wrap
    ("120.\n00", "120.00"),
    ("1\n00%", "100%"),
    ("785.\n21", "785.21"),
    ("100\n%", "100%"),
    ("12\r\n3.45", "123.45"),
    # other whitespace collapses to one space
    ("  677.14  ", "677.14"),
    ("2022 年 1 月-12 月", "2022年1月-12月"),
    ("200 个", "200个"),
    ("产出指标 (50 分)", "产出指标(50分)"),
    ("完成\n100%", "完成100%"),
    ("2022 年 1 月-\n12 月", "2022年1月-12月"),  # a wrap inside a cell
    ("annual\nreport", "annual report"),
    ("A\t\tB", "A B"),
    ("Performance  self evaluation", "Performance self evaluation"),
    # zero-width characters go
    ("执\u200b行\ufeff率", "执行率"),
    ("\ufeff100", "100"),
    # Kangxi radicals from broken font maps fold to the ideograph
    ("\u2f00\u2f08", "一人"),
    ("", ""),
]

UNCHANGED = [
    "年初预算数",
    "100%",
    "677.14",
    "—",
    "/",
    "无",
    "等级:优",
    "2022年2月-12月",
    "N/A",
    "Self-evaluation report",
    "群众和干部满意度",
    "310.2154.741050%5",
    "\ue000\ue001",  # private use: kept for the broken-font detector
    "表\ufffd格",  # replacement character: kept likewise
    "(cid:123)",
]


@pytest.mark.parametrize(("raw", "expected"), CLEAN_CASES)
def test_clean_text(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


@pytest.mark.parametrize("text", UNCHANGED)
def test_clean_text_keeps_clean_text(text: str) -> None:
    assert clean_text(text) == text


def test_none_stays_none() -> None:
    assert clean_text(None) is None
    assert compact(None) is None
    assert squeeze(None) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("经济效益 指标 (30 分)", "经济效益指标(30分)"),
        ("全年 预算数", "全年预算数"),
        ("Budget (A)", "Budget(A)"),
        ("执 行 率\n(B/A)", "执行率(B/A)"),
        ("  ", ""),
    ],
)
def test_compact(raw: str, expected: str) -> None:
    assert compact(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("≥ 90 %", "≥90%"),
        ("≤ 100 万元", "≤100万元"),
        ("150 万", "150万"),
        ("- 5", "-5"),
        ("677.14 785.21", "677.14 785.21"),  # two cells glued: keep them apart
        ("1 234", "1 234"),
        ("2022 年 1 月-12 月", "2022年1月-12月"),
    ],
)
def test_squeeze(raw: str, expected: str) -> None:
    assert squeeze(raw) == expected


@given(st.text() | cell_text)
def test_clean_text_never_raises_and_is_idempotent(text: str) -> None:
    once = clean_text(text)
    assert once is not None
    assert clean_text(once) == once
    assert once == once.strip()
    assert "\n" not in once
    assert "  " not in once


@given(st.text() | cell_text)
def test_compact_has_no_whitespace(text: str) -> None:
    result = compact(text)
    assert result is not None
    assert not any(ch.isspace() for ch in result)


@given(st.text() | cell_text)
def test_squeeze_never_raises(text: str) -> None:
    assert squeeze(text) is not None


def _every_step(s: str) -> str:
    """``clean_text`` without its shortcut for text that has no whitespace."""
    out = unicodedata.normalize("NFKC", t._ZERO_WIDTH_RE.sub("", s))
    for pattern in (t._NUMBER_BREAK_RE, t._WRAP_RE, t._CJK_GAP_RE, t._CJK_LATIN_GAP_RE):
        out = pattern.sub("", out)
    return t._SPACE_RUN_RE.sub(" ", out).strip()


@given(st.text() | cell_text)
def test_clean_text_shortcut_agrees_with_every_step(text: str) -> None:
    assert clean_text(text) == _every_step(text)


#: Text where every pattern's context occurs: Han, CJK and Latin punctuation,
#: digits, Latin letters and every kind of whitespace, line breaks included.
mixed_text = st.text(
    alphabet=st.sampled_from(list("执行率万元,:()、。（）09.%≥=aZ \t\n\r\u3000\u2028\u2029\x0b\x85\xa0")),
    max_size=40,
)
WHITESPACE_ONLY = (t._CJK_GAP_RE, t._CJK_LATIN_GAP_RE, t._WRAP_RE, t._NUMBER_BREAK_RE, t._VALUE_GAP_RE)


@given(mixed_text)
def test_whitespace_patterns_match_as_without_their_quick_test(text: str) -> None:
    """``(?=\\s)`` in front of a pattern that matches whitespace only changes its speed, not its matches."""
    for pattern in WHITESPACE_ONLY:
        assert pattern.pattern.startswith("(?=\\s)")
        plain = re.compile(pattern.pattern.removeprefix("(?=\\s)"))
        assert [m.span() for m in pattern.finditer(text)] == [m.span() for m in plain.finditer(text)]


#: What NFKC treats apart: full-width and half-width forms (ｶﾞ composes to ガ), combining marks
#: that reorder or compose, Hangul jamo, compatibility ideographs, ligatures and fractions.
nfkc_text = st.text(
    alphabet=st.sampled_from(
        [
            *"执行率万元兀 ，（）：；＝１Ａ…½²㎡①﹦ｶﾞﾟ\u3099\u309a\u0301\u0308\u0323\u0327\u0345eAoc",
            *("\u1100", "\u1161", "\u11a8", "\uac00", "\uf900", "\u1e9b", "\u212b", "\u0f71", "\u0f73", "\U0001d400"),
        ]
    ),
    max_size=12,
)


@given(st.text() | nfkc_text)
def test_nfkc_is_unicodedatas(text: str) -> None:
    assert t.nfkc(text) == unicodedata.normalize("NFKC", text)


def test_nfkc_of_every_character() -> None:
    for code in range(0x110000):
        if not 0xD800 <= code < 0xE000:
            ch = chr(code)
            assert t.nfkc(ch) == unicodedata.normalize("NFKC", ch)


def test_nfkc_folds_by_the_table_only_where_that_is_nfkc() -> None:
    assert t.nfkc("执行率，（万元）") == "执行率,(万元)"
    assert t.nfkc("ｶﾞ") == "ガ"  # the two folded alone are カ and a combining mark, composed by NFKC itself
    assert t.nfkc("\U0001d400，") == "A,"  # 𝐀 lies outside the table's blocks: NFKC's own way
