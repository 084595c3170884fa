"""The grid types now live in :mod:`jixiao.layout`, below both stages; kept importable here."""

from jixiao.layout import Cell, Grid

__all__ = ["Cell", "Grid"]
