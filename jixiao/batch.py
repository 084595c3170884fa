"""The batch's old address, kept for code outside this package that imports it: it lives in
:mod:`jixiao.runner`, which jixiao itself imports."""

from __future__ import annotations

from jixiao.runner import *  # noqa: F403
from jixiao.runner import __all__ as __all__
