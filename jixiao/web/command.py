"""``jixiao serve``: start the workbench. Only click is imported here; the web stack loads when it starts."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from jixiao.web.config import DEFAULT_HOST, DEFAULT_MAX_UPLOAD_MB, DEFAULT_PORT, is_loopback

DEFAULT_DB = "jixiao-state.sqlite"
EXIT_USAGE = 2


def data_folder(db: str) -> Path:
    """Where uploads and cached pictures go: beside a SQLite store (``STATE.sqlite`` → ``STATE.files/``),
    or ``./jixiao-files`` for a database URL."""
    if db.startswith(("postgresql://", "postgres://")):
        return Path("jixiao-files").resolve()
    path = Path(db).resolve()
    return path.with_name(path.stem + ".files")


@click.command()
@click.option("--db", default=DEFAULT_DB, show_default=True, metavar="STATE.sqlite|postgresql://…",
              help="状态库（与 check --db 相同）/ the store, as given to check --db")
@click.option("--host", default=DEFAULT_HOST, show_default=True,
              help="监听地址；非本机地址必须同时给出 --token / address to bind; any but loopback needs --token")
@click.option("--port", type=click.IntRange(0, 65535), default=DEFAULT_PORT, show_default=True, help="端口 / port")
@click.option("--root", "roots", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="页面可按路径添加的服务器文件夹（可重复）/ a server folder the page may add files from; may repeat")
@click.option("--token", envvar="JIXIAO_TOKEN", help="访问令牌（或环境变量 JIXIAO_TOKEN）/ access token (or $JIXIAO_TOKEN)")
@click.option("--max-upload-mb", type=click.IntRange(min=1), default=DEFAULT_MAX_UPLOAD_MB, show_default=True,
              help="单次上传的大小上限（MB），超过返回 413 / largest upload in MB; above it: 413")
@click.option("--data", "data", type=click.Path(file_okay=False, path_type=Path),
              help="上传文件与图片缓存的目录（默认在状态库旁）/ folder for uploads and the picture cache (default: beside the store)")
@click.option("-w", "--workers", type=click.IntRange(min=0), default=None,
              help="后台解析的进程数 / worker processes for background parsing")
@click.option("--no-browser", is_flag=True, help="不自动打开浏览器 / do not open a browser")
def serve(
    db: str, host: str, port: int, roots: tuple[Path, ...], token: str | None, max_upload_mb: int,
    data: Path | None, workers: int | None, no_browser: bool,
) -> None:
    """核查工作台：本机网页，浏览报告、查看证据截图、记录核查结论 / the auditor's workbench, a local web app."""
    if not is_loopback(host) and not token:
        click.echo(
            f"错误 Error: --host {host} 不是本机地址，必须同时给出 --token（或 JIXIAO_TOKEN）/ "
            f"--host {host} is not a loopback address: give --token TOKEN (or JIXIAO_TOKEN) as well",
            err=True,
        )
        sys.exit(EXIT_USAGE)
    from jixiao.store import StoreError, open_store
    from jixiao.web.app import create_app
    from jixiao.web.config import ServeConfig

    try:
        open_store(db).close()  # created or upgraded now: a bad --db fails here, not on the first request
    except StoreError as exc:
        raise click.BadParameter(str(exc), param_hint="--db") from exc
    config = ServeConfig(
        db=db, data=(data or data_folder(db)).resolve(), host=host, port=port,
        roots=tuple(r.resolve() for r in roots), token=token, max_upload_mb=max_upload_mb, workers=workers,
    )
    config.data.mkdir(parents=True, exist_ok=True)
    app = create_app(config)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/" + ("login" if token else "")
    click.echo(f"核查工作台 workbench: {url}  （Ctrl+C 停止 / to stop）", err=True)
    if not no_browser and not os.environ.get("JIXIAO_NO_BROWSER"):
        import threading
        import webbrowser

        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    import uvicorn

    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=False, server_header=False)
