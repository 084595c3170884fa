"""A progress bar with ETA on a terminal, silence in a pipe (tqdm)."""

from __future__ import annotations

import sys
from types import TracebackType

from tqdm import tqdm


class Progress:
    def __init__(self, total: int, enabled: bool = True) -> None:
        show = enabled and sys.stderr.isatty()
        self._bar = tqdm(total=total, unit="file", disable=not show, file=sys.stderr, dynamic_ncols=True,
                         desc="解析 parsing")

    def advance(self, name: str) -> None:
        self._bar.set_postfix_str(name[-40:], refresh=False)
        self._bar.update(1)

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._bar.close()
