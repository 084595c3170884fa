"""The workbench's ASGI application: routes, static files, the safety layer. Kept thin: the views
live in :mod:`jixiao.web.api` and :mod:`jixiao.web.pages`.

Starlette rather than FastAPI (which is Starlette plus pydantic models): the API is a dozen small
routes whose inputs are checked by hand (filters, review states), so pydantic would be one more
dependency to import at start for no check we do not already make. Not measured against FastAPI here.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from jixiao.html.assets import CSS as REPORT_CSS
from jixiao.runner import Limits
from jixiao.web import api, pages
from jixiao.web.config import ServeConfig
from jixiao.web.runs import RunManager
from jixiao.web.security import SafetyMiddleware
from jixiao.web.state import Workbench

STATIC = Path(__file__).with_name("static")


def report_css(request: Request) -> Response:
    """The HTML report's style sheet, shared so tables and findings look the same in both."""
    return Response(REPORT_CSS, media_type="text/css; charset=utf-8", headers={"cache-control": "max-age=3600"})


ROUTES = [
    Route("/", pages.overview),
    Route("/reports", pages.report_list),
    Route("/reports/{rid}", pages.report_page),
    Route("/reports/{rid}/pages/{page:int}", pages.page_viewer),
    Route("/charts/{name}.svg", pages.chart),
    Route("/login", pages.login, methods=["GET", "POST"]),
    Route("/static/report.css", report_css),
    Mount("/static", StaticFiles(directory=STATIC), name="static"),
    Route("/api/session", api.session),
    Route("/api/overview", api.overview),
    Route("/api/runs", api.post_run, methods=["POST"]),
    Route("/api/runs", api.list_runs, methods=["GET"]),
    Route("/api/runs/{run_id:int}", api.get_run),
    Route("/api/runs/{run_id:int}/cancel", api.cancel_run, methods=["POST"]),
    Route("/api/reports", api.list_reports),
    Route("/api/reports/{rid}", api.get_report),
    Route("/api/reports/{rid}/findings/{n:int}/crops/{i:int}.png", api.crop),
    Route("/api/reports/{rid}/pages/{page:int}.png", api.page),
    Route("/api/findings/{fingerprint}/review", api.put_review, methods=["PUT"]),
    Route("/api/export.xlsx", api.export_xlsx),
    Route("/api/export.csv", api.export_csv),
]


def create_app(config: ServeConfig, limits: Limits | None = None) -> SafetyMiddleware:
    """The whole application for ``config``: Starlette behind :class:`SafetyMiddleware`."""
    config.uploads.mkdir(parents=True, exist_ok=True)
    config.cache.mkdir(parents=True, exist_ok=True)
    workbench = Workbench(config, secrets.token_urlsafe(32), RunManager(config.db, config.workers, limits))

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        workbench.runs.stop()

    app = Starlette(routes=ROUTES, lifespan=lifespan)
    app.state.workbench = workbench
    safe = SafetyMiddleware(app, config, workbench.csrf)
    safe.workbench = workbench  # for tests and the command: the runs and the store behind the app
    return safe
