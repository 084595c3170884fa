"""Where the workbench's input files live: uploads under their content hash, server paths under ``--root``.

An upload is streamed to a temporary file in the uploads folder, hashed as it comes, and renamed
to ``<sha256>.pdf``: the name the browser sent is never a path on this machine (no ``../``, no
overwriting), only a label kept beside it in ``<sha256>.json`` to show (escaped) in the pages.
The same bytes uploaded twice are one file. Server paths are resolved (symlinks followed) and
must lie under one of the ``--root`` folders.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from jixiao.inputs import expand

CHUNK = 1 << 20
MAX_NAME_CHARS = 500


class OutsideRoots(PermissionError):
    """A server path that is not under any ``--root``."""


def store_upload(stream: BinaryIO, folder: Path, name: str) -> Path:
    """Copy ``stream`` into ``folder`` as ``<sha256>.pdf``; remember ``name`` beside it. Returns the path."""
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".upload-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
        target = folder / f"{digest.hexdigest()}.pdf"
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    remember_name(target, name)
    return target


def remember_name(target: Path, name: str) -> None:
    """Add ``name`` (as sent, cut to a sane length) to the names this content was uploaded under."""
    label = target.with_suffix(".json")
    names = upload_names(target)
    clean = name.replace("\\", "/")[:MAX_NAME_CHARS]
    if clean and clean not in names:
        names.append(clean)
        tmp = label.with_suffix(".json.part")
        tmp.write_text(json.dumps({"names": names}, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, label)


def upload_names(target: Path) -> list[str]:
    """The names an uploaded file was sent under (empty for files that were not uploaded)."""
    try:
        data: Any = json.loads(target.with_suffix(".json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    names = data.get("names") if isinstance(data, dict) else None
    return [n for n in names if isinstance(n, str)] if isinstance(names, list) else []


def under_roots(raw: str, roots: Sequence[Path]) -> Path:
    """``raw`` resolved, if it lies under one of ``roots`` (also resolved); else :class:`OutsideRoots`.

    Example: with root ``/data``, ``"/data/2023/a.pdf"`` is taken and ``"/data/../etc"`` is refused.
    """
    if not roots:
        raise OutsideRoots("服务器未设 --root，不能读取服务器上的路径 / the server was started without --root")
    try:
        path = Path(raw).expanduser().resolve(strict=True)
    except (OSError, RuntimeError) as exc:
        raise OutsideRoots(f"路径不存在或不可读 / no such path: {raw}") from exc
    for root in roots:
        if path.is_relative_to(root.resolve()):
            return path
    raise OutsideRoots(f"路径不在任何 --root 之下 / the path is outside every --root: {raw}")


def server_files(raws: Iterable[str], roots: Sequence[Path]) -> list[Path]:
    """The PDFs under the given server paths (folders searched as the CLI does), each checked against ``roots``.

    A folder's files are checked again after expansion, so a symlink inside a root pointing out of it
    is refused too.
    """
    checked = [under_roots(raw, roots) for raw in raws]
    files = expand(checked)
    return [under_roots(str(f), roots) if f not in checked else f for f in files]
