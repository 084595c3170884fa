"""A font with Chinese glyphs for matplotlib, taken from PyMuPDF so no system font is needed.

PyMuPDF ships Droid Sans Fallback (``pymupdf.Font("cjk")``); matplotlib loads
fonts by file name, so its bytes go once into a file in the temp folder named
after their hash, and matplotlib's font manager learns it. Latin text keeps
DejaVu Sans; Chinese falls back to this font.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from functools import cache
from pathlib import Path

import pymupdf
from matplotlib import font_manager

LATIN_FAMILY = "DejaVu Sans"


def _font_file(data: bytes) -> Path:
    path = Path(tempfile.gettempdir()) / f"jixiao-cjk-{hashlib.sha256(data).hexdigest()[:16]}.ttf"
    if not path.exists() or path.stat().st_size != len(data):
        fd, tmp = tempfile.mkstemp(prefix=".jixiao-cjk-", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return path


@cache
def cjk_family() -> str:
    """Register PyMuPDF's CJK font with matplotlib once; its family name."""
    path = _font_file(pymupdf.Font("cjk").buffer)
    font_manager.fontManager.addfont(str(path))
    return str(font_manager.FontProperties(fname=str(path)).get_name())


def families() -> list[str]:
    """``font.family`` for charts: Latin first, Chinese as the fallback."""
    return [LATIN_FAMILY, cjk_family()]
