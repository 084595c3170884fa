"""Command-line PATHs → the list of files to parse, in a stable order.

Folders are searched recursively for ``*.pdf`` ``*.docx`` ``*.xlsx`` ``*.xls``
``*.ofd`` (and old ``*.doc`` ``*.wps`` ``*.et``, which get a row saying how to convert
them) in any letter case (:data:`jixiao.extract.sniff.SUFFIXES`); a file
named explicitly is always taken, whatever its suffix, so that a wrong file
gets a failure row instead of being skipped in silence. Symlink loops are
safe because directories are visited once by their real path.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from jixiao.extract.sniff import SUFFIXES


def _walk(folder: Path, seen: set[str]) -> Iterable[Path]:
    real = os.path.realpath(folder)
    if real in seen:
        return
    seen.add(real)
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        path = Path(entry.path)
        if entry.is_dir(follow_symlinks=True):
            yield from _walk(path, seen)
        elif entry.is_file(follow_symlinks=True) and entry.name.lower().endswith(SUFFIXES):
            yield path


def expand(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    out: list[Path] = []
    seen_dirs: set[str] = set()
    seen_files: set[str] = set()
    for raw in paths:
        path = Path(raw)
        found = _walk(path, seen_dirs) if path.is_dir() else [path]
        for f in found:
            key = os.path.realpath(f)
            if key not in seen_files:
                seen_files.add(key)
                out.append(f)
    return out
