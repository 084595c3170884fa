"""The HTML pages: overview (counts, charts, adding files, runs), report list, one report, a page viewer.

Jinja2 with autoescaping escapes every text a document carries; the few pieces of markup shared
with the HTML report (fund and indicator tables, metadata) come from :mod:`jixiao.html.section`,
which escapes its own text, and are passed as ``Markup``. The data comes from the same queries as
the JSON API, so a page and its JSON twin never disagree.
"""

from __future__ import annotations

import hmac
import math
import threading
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.templating import Jinja2Templates

from jixiao import __version__
from jixiao.html.render import FAILURE_ZH
from jixiao.html.section import SEVERITY_ZH, TYPE_ZH, Marks, finding_id, fund_table, indicator_table, meta_list
from jixiao.models import Report
from jixiao.review import STATE_ZH
from jixiao.validate.catalog import CATALOG
from jixiao.validate.registry import show
from jixiao.validate.scores import recomputed_total
from jixiao.web import queries
from jixiao.web.api import error, wb
from jixiao.web.files import upload_names
from jixiao.web.pictures import crop_count
from jixiao.web.security import TOKEN_COOKIE

CHARTS = (  # the keys and titles of jixiao.html.charts.CHARTS (not imported here: matplotlib loads on first use)
    ("total-scores", "总分分布", "total score distribution"),
    ("execution-rates", "执行率分布", "execution rate histogram"),
    ("grades", "等级数量", "grade counts"),
    ("stated-vs-recomputed", "表中总分与重算总分", "stated vs recomputed total"),
)
CHART_TITLES = {key for key, _, _ in CHARTS}
TEMPLATES = Jinja2Templates(
    env=jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).with_name("templates")), autoescape=True
    )
)
TEMPLATES.env.globals.update(
    SEVERITY_ZH=SEVERITY_ZH, TYPE_ZH=TYPE_ZH, STATE_ZH=STATE_ZH, FAILURE_ZH=FAILURE_ZH, version=__version__,
    show=show, CHARTS=CHARTS,
)
_chart_lock = threading.Lock()


def _render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    response: HTMLResponse = TEMPLATES.TemplateResponse(request, name, context, status_code=status)
    return response


def _percent(value: Any) -> str:
    return "" if value is None else f"{float(value) * 100:.1f}%"


TEMPLATES.env.filters["percent"] = _percent


def overview(request: Request) -> HTMLResponse:
    w = wb(request)
    with w.store() as store:
        counts = queries.overview(store)
        failures = queries.failure_rows(store)
    for row in failures:
        row["names"] = upload_names(Path(row["file"])) if Path(row["file"] or "").parent == w.config.uploads else []
    rules = {r["rule"]: CATALOG[r["rule"]] for r in counts["rules"] if r["rule"] in CATALOG}
    return _render(request, "overview.html", counts=counts, failures=failures, rules=rules,
                   roots=[str(r) for r in w.config.roots], max_mb=w.config.max_upload_mb, page="overview")


def report_list(request: Request) -> HTMLResponse:
    w = wb(request)
    try:
        filters = queries.Filters.of(request.query_params)
    except queries.BadFilter as exc:
        return _render(request, "message.html", status=400, message=str(exc))
    try:
        offset = max(0, int(request.query_params.get("offset") or 0))
    except ValueError:
        offset = 0
    limit = queries.DEFAULT_LIMIT
    with w.store() as store:
        result = queries.list_reports(store, filters, limit, offset)
        counts = queries.choices(store)
    for item in result["items"]:
        file = item["file"] or ""
        item["names"] = upload_names(Path(file)) if Path(file).parent == w.config.uploads else []
    pages = max(1, math.ceil(result["total"] / limit))
    return _render(
        request, "reports.html", result=result, f=filters, query=filters.query(), counts=counts,
        page_no=offset // limit + 1, pages=pages, limit=limit, page="reports",
        rule_ids=counts["rule_ids"],
    )


def report_page(request: Request) -> Response:
    w = wb(request)
    rid = request.path_params["rid"]
    with w.store() as store:
        report = queries.load_report(store, rid)
        resolved = store.resolved_reviews(queries.key_of(report), []) if report is not None else []
    if report is None:
        return _render(request, "message.html", status=404, message="没有这份报告 / no such report")
    current = {f.fingerprint for f in report.findings}
    marks = Marks(report, 0)
    findings = [
        {"n": n, "f": f, "anchor": finding_id(0, n), "crops": range(crop_count(report, n)),
         "page": f.page or f.where.page}
        for n, f in enumerate(report.findings)
    ]
    names = upload_names(Path(report.source.path)) if Path(report.source.path).parent == w.config.uploads else []
    return _render(
        request, "report.html", r=report, rid=rid, findings=findings, names=names,
        resolved=[x for x in resolved if x.fingerprint not in current],
        meta=Markup(meta_list(report)), funds=Markup(fund_table(report, marks)),
        indicators=Markup(indicator_table(report, marks)), recomputed=recomputed_total(report),
        title=_title(report), page="report",
    )


def _title(report: Report) -> str:
    return report.project_name or report.unit_name or Path(report.source.path).name


def page_viewer(request: Request) -> Response:
    w = wb(request)
    rid = request.path_params["rid"]
    number = int(request.path_params["page"])
    with w.store() as store:
        report = queries.load_report(store, rid)
    if report is None:
        return _render(request, "message.html", status=404, message="没有这份报告 / no such report")
    return _render(request, "page.html", r=report, rid=rid, number=number, count=report.source.page_count,
                   title=_title(report), page="report")


def chart(request: Request) -> Response:
    """One of the HTML report's four overview charts, over every report in the store (cached until it changes)."""
    from jixiao.html.charts import overview_charts

    name = request.path_params["name"]
    if name not in CHART_TITLES:
        return error(404, "没有这张图", "no such chart")
    w = wb(request)
    with w.store() as store:
        stamp = tuple(store.execute("SELECT COUNT(*), MAX(last_parsed_run), SUM(LENGTH(sha256)) FROM files WHERE status != 'removed'")[0])
        with _chart_lock:
            if w.charts.get("stamp") != stamp:
                reports = queries.chart_reports(store)
                w.charts.clear()
                w.charts.update({c.key: c.svg for c in overview_charts(reports)}, stamp=stamp)
            svg = w.charts.get(name)
    if svg is None:
        return error(404, "没有这张图", "no such chart")
    return Response(svg, media_type="image/svg+xml", headers={"cache-control": "no-cache"})


async def login(request: Request) -> Response:
    w = wb(request)
    if request.method == "POST":
        form = await request.form(max_files=0, max_fields=5)
        given = str(form.get("token") or "")
        if w.config.token and hmac.compare_digest(given.encode(), w.config.token.encode()):
            response = RedirectResponse("/", status_code=303)
            response.set_cookie(TOKEN_COOKIE, w.config.token, httponly=True, samesite="strict")
            return response
        return _render(request, "login.html", status=401, failed=True, page="login")
    return _render(request, "login.html", failed=False, page="login")
