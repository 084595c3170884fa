"""Memoized cell parsers whose memory lasts one document.

A table is read row by row and field by field, so one cell's text goes
through the same pure parser several times; remembering the answer saves
that.  The memory is cleared when a new document starts
(:func:`forget_document`): a worker parses thousands of files, and the
benchmark's corpus repeats the samples, whose identical cells would
otherwise be parsed once for the whole run and make us look faster than we
are on real, different reports.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

_MEMOS: list[Any] = []
MEMO_SIZE = 4096  # entries each memo keeps: one document's cells, far fewer in a real report


def per_document(fn: F) -> F:
    """``functools.lru_cache`` for one document's worth of cell texts."""
    cached = lru_cache(maxsize=MEMO_SIZE)(fn)
    _MEMOS.append(cached)
    return cached  # type: ignore[return-value]


def per_document_dict() -> dict[Any, Any]:
    """A plain dict memo, cleared with the others, for calls ``lru_cache`` would key
    slowly (a vocabulary argument is a nested tuple, hashed anew on every call)."""
    memo: dict[Any, Any] = {}
    _MEMOS.append(memo)
    return memo


def forget_document() -> None:
    """Clear every per-document memo (called as each document starts)."""
    for memo in _MEMOS:
        if isinstance(memo, dict):
            memo.clear()
        else:
            memo.cache_clear()
