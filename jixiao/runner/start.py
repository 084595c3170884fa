"""How worker processes are started: ``JIXIAO_START_METHOD=fork|forkserver|spawn``.

``fork`` is the cheapest start (a worker inherits the warmed-up parser) but exists only on
POSIX and is unsafe on macOS; Windows has only ``spawn``. The default is therefore ``fork``
on Linux and ``spawn`` elsewhere, and the variable lets a user (or CI) choose another one
the platform offers. A value the platform does not offer is a usage error, not a fallback:
a silent fallback would hide the very difference the variable is set to test.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import sys
from collections.abc import Mapping
from multiprocessing.context import BaseContext
from typing import Literal

StartMethod = Literal["fork", "forkserver", "spawn"]
START_METHODS: tuple[StartMethod, ...] = ("fork", "forkserver", "spawn")
ENV = "JIXIAO_START_METHOD"


class UnknownStartMethod(ValueError):
    """``JIXIAO_START_METHOD`` names a start method this platform does not have."""


def default_start_method() -> StartMethod:
    return "fork" if sys.platform.startswith("linux") else "spawn"


def start_method(environ: Mapping[str, str] | None = None) -> StartMethod:
    """The start method the environment asks for, or the platform's default."""
    value = (os.environ if environ is None else environ).get(ENV, "").strip().lower()
    if not value:
        return default_start_method()
    offered = [m for m in START_METHODS if m in mp.get_all_start_methods()]
    if value not in offered:
        raise UnknownStartMethod(
            f"{ENV}={value!r} 无效，可选 {'|'.join(offered)} / {ENV}={value!r} is not one of {'|'.join(offered)}"
        )
    return value


def context(method: StartMethod) -> BaseContext:
    """A multiprocessing context for ``method``; a fork server preloads the parser once."""
    ctx = mp.get_context(method)
    if method == "forkserver":
        ctx.set_forkserver_preload(["jixiao.runner.worker"])
    return ctx
