"""A file's identity in the store: its resolved absolute path, whatever way it was reached.

Runs from different working directories, a folder given relatively by the nightly job and by
absolute path by an auditor, a folder reached through a symlink: all of them name one file, so
the store keys it by ``os.path.realpath`` of the path as given. The records a run returns keep
the path as typed (``source.path``); only the store's ``path`` column holds the key.

Why absolute and not relative to a root the store records: a PostgreSQL store has no folder to be
relative to, two machines sharing it have no common root to agree on, and the key stays a pure
function of the path (no store state) that the CLI, the workbench and the tests can compute alike.
A store that moves with its folder loses nothing either: the files at their new paths have the
content the store holds, which is taken from it, not parsed (:meth:`jixiao.store.Store.reuse`).

Pure functions; they read the file system only to resolve symlinks and the working directory.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path


def file_key(path: str | os.PathLike[str]) -> str:
    """The store's key of a file: its absolute path with symlinks and ``..`` resolved.

    Example: run from ``/srv``, ``file_key("in/a.pdf")`` → ``"/srv/in/a.pdf"``.
    """
    return os.path.realpath(path)


def is_under(key: str, root: str) -> bool:
    """Whether the file ``key`` is ``root`` itself or lies in the folder ``root`` (both keys).

    Example: ``is_under("/a/b/c.pdf", "/a/b")`` → True; ``is_under("/a/bc.pdf", "/a/b")`` → False.
    """
    if key == root:
        return True
    prefix = root if root.endswith(os.sep) else root + os.sep
    return key.startswith(prefix)


def covered(keys: Iterable[str], roots: Sequence[str]) -> list[str]:
    """The ``keys`` that lie under one of ``roots`` (a file given by name covers only itself)."""
    return [k for k in keys if any(is_under(k, r) for r in roots)]


def old_key(path: str, bases: Sequence[Path]) -> str:
    """The key of a path stored by a store before version 6 (the path as typed, often relative).

    A relative path is resolved against the first of ``bases`` under which the file exists (the
    working directory of the run that migrates, then the store file's folder), else against the
    first: old stores were written by runs from one folder (their documentation asked for it), and
    the file itself, where it still exists, tells which folder that was.

    Example: ``old_key("in/a.pdf", [Path("/srv")])`` → ``"/srv/in/a.pdf"``.
    """
    if os.path.isabs(path) or not bases:
        return file_key(path)
    for base in bases:
        if os.path.lexists(base / path):
            return file_key(base / path)
    return file_key(bases[0] / path)
