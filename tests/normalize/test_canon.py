"""Header cells to fields: the matcher agrees with the rule it implements."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jixiao.normalize import vocab
from jixiao.normalize.canon import header_key, match_field

TABLES = (vocab.FUND_COLUMNS, vocab.FUND_ROWS, vocab.INDICATOR_COLUMNS)


def _by_definition(text: str, table: tuple[tuple[str, tuple[str, ...]], ...], exact: bool) -> str | None:
    """Exact spellings first, in the vocabulary's order; then prefixes, in the same order."""
    key = header_key(text)
    if not key:
        return None
    for name, words in table:
        if key in words:
            return name
    if exact:
        return None
    for name, words in table:
        if any(key.startswith(w) for w in words):
            return name
    return None


_WORDS = sorted({w for table in TABLES for _, words in table for w in words})


@pytest.mark.parametrize("table", TABLES)
@given(
    st.lists(st.one_of(st.sampled_from(_WORDS), st.sampled_from(["(万元)", "：", " ", "率", "权重", "A", "其中"])), max_size=3)
    .map("".join),
    st.booleans(),
)
def test_matches_the_definition(table: tuple[tuple[str, tuple[str, ...]], ...], text: str, exact: bool) -> None:
    assert match_field(text, table, exact=exact) == _by_definition(text, table, exact)


def test_exact_spelling_beats_prefix() -> None:
    assert match_field("执行率权重", vocab.FUND_COLUMNS) == "weight"  # not the rate, by the prefix 执行率
    assert match_field("得分系数", vocab.INDICATOR_COLUMNS) == "score_ratio"  # not the score, by 得分
    assert match_field("得分(分)", vocab.INDICATOR_COLUMNS) == "score"
