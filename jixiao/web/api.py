"""The JSON API of SPEC §5 (the pages use it too). Each handler reads its input, calls the library
and answers UTF-8 JSON; errors are ``{"error": "中文 / English"}`` with a 4xx status."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Any

from python_multipart.multipart import parse_options_header
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from jixiao import __version__
from jixiao.review import ReviewError, checked_review
from jixiao.web import queries
from jixiao.web.files import OutsideRoots, server_files, store_upload, upload_names
from jixiao.web.pictures import crop_png, page_png
from jixiao.web.security import BodyTooLarge
from jixiao.web.state import Workbench

EXPORT_CAP = 50_000  # reports in one export


class JSON(JSONResponse):
    """JSON that keeps Chinese readable (``ensure_ascii=False``), as UTF-8."""

    media_type = "application/json; charset=utf-8"

    def render(self, content: Any) -> bytes:
        import json

        return json.dumps(content, ensure_ascii=False, allow_nan=False, default=str).encode("utf-8")


def error(status: int, zh: str, en: str) -> JSON:
    return JSON({"error": f"{zh} / {en}", "status": status}, status_code=status)


def wb(request: Request) -> Workbench:
    workbench: Workbench = request.app.state.workbench
    return workbench


def session(request: Request) -> JSON:
    w = wb(request)
    return JSON({
        "csrf": w.csrf, "version": __version__, "roots": [str(r) for r in w.config.roots],
        "max_upload_mb": w.config.max_upload_mb, "max_upload_files": w.config.max_upload_files,
    })


def media_type(header: str) -> str:
    """A Content-Type's media type, read as python-multipart (Starlette's form parser) reads it: media
    types are case-insensitive (``Multipart/Form-Data; boundary=…`` is an upload), parameters aside.

    Example: ``media_type("Multipart/Form-Data; boundary=x")`` → ``"multipart/form-data"``.
    """
    kind, _ = parse_options_header(header)
    return kind.decode("latin-1").lower()


async def post_run(request: Request) -> Response:
    """Multipart ``files`` (stored by content hash) or JSON ``{"paths": [...]}`` under a ``--root``."""
    w = wb(request)
    kind = media_type(request.headers.get("content-type", ""))
    names: dict[str, str] = {}
    if kind == "multipart/form-data":
        try:
            form = await request.form(max_files=w.config.max_upload_files, max_fields=100)
        except BodyTooLarge:
            mb = w.config.max_upload_mb
            return error(413, f"上传超过 {mb} MB", f"the upload is over {mb} MB")
        except MultiPartException as exc:
            status = 413 if "Too many files" in str(exc) else 400
            return error(status, "无法读取上传的文件", f"cannot read the upload: {exc}")
        uploads = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
        if not uploads:
            await form.close()
            return error(400, "没有文件（字段 files）", "no files in the multipart field 'files'")
        try:
            stored = [await run_in_threadpool(store_upload, u.file, w.config.uploads, u.filename or "") for u in uploads]
        finally:
            await form.close()
        for path, upload in zip(stored, uploads, strict=True):
            names.setdefault(str(path), upload.filename or path.name)
        files = list(dict.fromkeys(stored))
    elif kind == "application/json":
        try:
            body = await request.json()
        except BodyTooLarge:
            return error(413, "请求过大", "the request is too large")
        except ValueError:
            return error(400, "请求不是 JSON", "the body is not JSON")
        paths = body.get("paths") if isinstance(body, dict) else None
        if not isinstance(paths, list) or not paths or not all(isinstance(p, str) for p in paths):
            return error(400, "需要 {\"paths\": [...]}", "expected {\"paths\": [\"/a/folder\", ...]}")
        try:
            files = await run_in_threadpool(server_files, paths, w.config.roots)
        except OutsideRoots as exc:
            return error(403, "路径不允许", str(exc))
        if not files:
            return error(400, "这些路径下没有 PDF 文件", "no PDF files under these paths")
    else:
        return error(415, "需要 multipart/form-data 或 application/json", "send multipart/form-data or application/json")
    run = w.runs.submit(files, names)
    return JSON({"run": run.id, "files": len(files)})


def get_run(request: Request) -> JSON:
    run = wb(request).runs.get(int(request.path_params["run_id"]))
    if run is None:
        return error(404, "没有这个运行", "no such run")
    return JSON(run.snapshot())


def list_runs(request: Request) -> JSON:
    return JSON({"items": [r.snapshot() for r in wb(request).runs.recent()]})


def cancel_run(request: Request) -> JSON:
    run = wb(request).runs.cancel(int(request.path_params["run_id"]))
    if run is None:
        return error(404, "没有这个运行", "no such run")
    return JSON(run.snapshot())


def _limits(request: Request) -> tuple[int, int] | JSON:
    try:
        limit = int(request.query_params.get("limit") or queries.DEFAULT_LIMIT)
        offset = int(request.query_params.get("offset") or 0)
    except ValueError:
        return error(400, "limit/offset 应为整数", "limit and offset must be integers")
    return limit, offset


def list_reports(request: Request) -> JSON:
    try:
        filters = queries.Filters.of(request.query_params)
    except queries.BadFilter as exc:
        return error(400, "筛选条件无效", str(exc))
    paging = _limits(request)
    if isinstance(paging, JSON):
        return paging
    w = wb(request)
    with w.store() as store:
        page = queries.list_reports(store, filters, *paging)
    for item in page["items"]:
        item["names"] = upload_names(Path(item["file"])) if _is_upload(w, item["file"]) else []
    return JSON(page)


def _is_upload(w: Workbench, file: str | None) -> bool:
    return bool(file) and Path(str(file)).parent == w.config.uploads


def get_report(request: Request) -> JSON:
    rid = request.path_params["rid"]
    w = wb(request)
    with w.store() as store:
        report = queries.load_report(store, rid)
        resolved = store.resolved_reviews(queries.key_of(report), []) if report is not None else []
    if report is None:
        return error(404, "没有这份报告", "no such report")
    current = {f.fingerprint for f in report.findings}
    data = queries.report_json(report, rid)
    data["names"] = upload_names(Path(report.source.path)) if _is_upload(w, report.source.path) else []
    data["resolved"] = [r.to_dict() for r in resolved if r.fingerprint not in current]
    return JSON(data)


async def put_review(request: Request) -> JSON:
    fp = request.path_params["fingerprint"]
    try:
        body = await request.json()
    except (ValueError, BodyTooLarge):
        return error(400, "请求不是 JSON", "the body is not JSON")
    if not isinstance(body, dict) or not all(isinstance(body.get(k), (str, type(None))) for k in ("state", "note", "by")):
        return error(400, "需要 {\"state\", \"note\", \"by\"}", "expected {\"state\": …, \"note\": …, \"by\": …}")
    try:
        review = checked_review(str(body.get("state")), body.get("note"), body.get("by"))
    except ReviewError as exc:
        return error(400, "核查结论无效", str(exc))
    return await run_in_threadpool(_store_review, wb(request), fp, review)


def _store_review(w: Workbench, fp: str, review: Any) -> JSON:
    with w.store() as store:
        known = store.has_finding(fp) or bool(store.reviews_for([fp]))
        stored = store.set_review(fp, review) if known else None
    if stored is None:
        return error(404, "库中没有这个问题", f"no finding with fingerprint {fp}")
    return JSON({"fingerprint": fp, "state": stored.state, "note": stored.note, "by": stored.by, "at": stored.at})


def _export_records(request: Request) -> list[Any] | JSON:
    try:
        filters = queries.Filters.of(request.query_params)
    except queries.BadFilter as exc:
        return error(400, "筛选条件无效", str(exc))
    with wb(request).store() as store:
        return queries.records_for_export(store, filters, EXPORT_CAP)


def export_xlsx(request: Request) -> Response:
    from jixiao.outputs.tabular import write_xlsx

    records = _export_records(request)
    if isinstance(records, JSON):
        return records
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "export.xlsx"
        write_xlsx(records, out)
        data = out.read_bytes()
    return Response(data, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"content-disposition": 'attachment; filename="jixiao-export.xlsx"'})


def export_csv(request: Request) -> Response:
    """The findings of what the filter shows, as one CSV (UTF-8 with BOM, codes as in the frames)."""
    from jixiao.frames import to_frames

    records = _export_records(request)
    if isinstance(records, JSON):
        return records
    out = io.StringIO()
    to_frames(records)["findings"].to_csv(out, index=False, lineterminator="\n")
    return Response(("\ufeff" + out.getvalue()).encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": 'attachment; filename="jixiao-findings.csv"'})


def overview(request: Request) -> JSON:
    with wb(request).store() as store:
        return JSON(queries.overview(store))


def _png(data: bytes | None) -> Response:
    if data is None:
        return error(404, "没有这张图", "no such picture")
    return Response(data, media_type="image/png", headers={"cache-control": "private, max-age=3600"})


def crop(request: Request) -> Response:
    w = wb(request)
    with w.store() as store:
        report = queries.load_report(store, request.path_params["rid"])
    if report is None:
        return error(404, "没有这份报告", "no such report")
    return _png(crop_png(w.config.cache, report, int(request.path_params["n"]), int(request.path_params["i"])))


def page(request: Request) -> Response:
    w = wb(request)
    with w.store() as store:
        report = queries.load_report(store, request.path_params["rid"])
    if report is None:
        return error(404, "没有这份报告", "no such report")
    return _png(page_png(w.config.cache, report, int(request.path_params["page"])))
