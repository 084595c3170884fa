"""A file written record by record: the shape every streaming writer has.

A batch hands each file's records to every open sink as they come (:meth:`Sink.add`), so no
writer needs the whole batch; :meth:`Sink.close` publishes the file (the temporary file is
renamed into place, :mod:`jixiao.outputs.atomic`), :meth:`Sink.abort` throws it away. Until
``close`` the target keeps its old content: a run that stops half way never leaves half a file.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from contextlib import AbstractContextManager, ExitStack
from typing import Any, TypeVar

from jixiao.models import Record

T = TypeVar("T")


class Sink:
    """Base of the streaming writers: the temporary files are entered into :attr:`_stack`."""

    def __init__(self) -> None:
        self._stack = ExitStack()

    def _enter(self, manager: AbstractContextManager[T]) -> T:
        return self._stack.enter_context(manager)

    def add(self, records: Sequence[Record]) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        """Write what goes after the last record (a closing bracket, column widths); before publishing."""

    def close(self) -> None:
        """Finish and publish the file(s)."""
        try:
            self.finish()
        except BaseException:
            self.abort()
            raise
        self._stack.close()

    def abort(self) -> None:
        """Remove the temporary file(s); the target is left as it was."""
        _, value, tb = sys.exc_info()
        if value is None:
            value = RuntimeError("aborted")
        self._stack.__exit__(type(value), value, tb)

    def __enter__(self) -> Sink:
        return self

    def __exit__(self, kind: Any, value: Any, tb: Any) -> None:
        if kind is None:
            self.close()
        else:
            self.abort()


class Chunked(Sink):
    """A sink whose writer is cheaper per call than per record (pandas frames, Parquet row
    groups, Excel rows): records are kept until ``size`` of them wait, then written together."""

    def __init__(self, size: int = 512) -> None:
        super().__init__()
        self._size = size
        self._waiting: list[Record] = []

    def add(self, records: Sequence[Record]) -> None:
        self._waiting.extend(records)
        if len(self._waiting) >= self._size:
            self.flush()

    def flush(self) -> None:
        if self._waiting:
            waiting, self._waiting = self._waiting, []
            self.write_chunk(waiting)

    def write_chunk(self, records: Sequence[Record]) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        self.flush()
