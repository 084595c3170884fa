"""The Dask executor's old address, kept for ``dask worker --preload jixiao.dask_runner``
(the README's command) and code that imports it: it lives in :mod:`jixiao.runner.dask`."""

from __future__ import annotations

from jixiao.runner.dask import dask_setup, parse_task, run_on_dask

__all__ = ["dask_setup", "parse_task", "run_on_dask"]
