"""The ``jixiao`` command: a thin layer over the library.

Exit codes (SPEC §4): 0 done and nothing at or above ``--fail-on``; 1 findings
at or above it; 2 usage error; 3 some inputs failed (3 wins over 1).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from jixiao import __version__
from jixiao.audit import judge, resolve_profile
from jixiao.inputs import expand
from jixiao.models import SEVERITY_ORDER, Failure, Record, Report
from jixiao.outputs import UnknownFormat, write, writer_for
from jixiao.progress import Progress
from jixiao.runner import (
    DEFAULT_MEMORY_MB,
    DEFAULT_TIMEOUT_S,
    EXECUTORS,
    Done,
    Executor,
    ExecutorError,
    Limits,
    default_workers,
    run_batch,
)
from jixiao.runner.start import UnknownStartMethod, start_method
from jixiao.summary import failure_line, report_block, run_summary
from jixiao.validate.profile import MOF, Profile, ProfileError, builtin_names

if TYPE_CHECKING:
    from jixiao.store import Incremental

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_FAILED = 0, 1, 2, 3


def _check_outputs(outputs: Sequence[Path]) -> None:
    for out in outputs:
        try:
            writer_for(out)
        except UnknownFormat as exc:
            raise click.BadParameter(str(exc), param_hint="-o/--output") from exc


@dataclass(frozen=True)
class _Outcome:
    """Every input's records in input order, and with ``--db`` what the store did."""

    files: int
    results: list[Done]
    incremental: Incremental | None = None
    context: tuple[Record, ...] = ()  # --db: the store's records of files not among the inputs

    @property
    def records(self) -> list[Record]:
        return [r for item in self.results for r in item.records]


def _run(
    paths: Sequence[str], workers: int, timeout: float, memory_mb: int, quiet: bool, db: Path | str | None = None,
    executor: str = "local", scheduler: str | None = None,
) -> _Outcome:
    how = _executor(executor, scheduler)
    try:
        start_method()  # JIXIAO_START_METHOD: a bad value is a usage error, before any work
    except UnknownStartMethod as exc:
        raise click.UsageError(str(exc)) from exc
    files = expand(paths)
    if not files:
        raise click.UsageError(
            "没有找到 PDF/Word/Excel/OFD 文件 / no PDF, .docx, .xlsx, .xls or .ofd files found under the given paths"
        )
    limits = Limits(timeout, memory_mb)
    with Progress(len(files), enabled=not quiet) as progress:

        def done(item: Done) -> None:
            progress.advance(item.path.name)

        if db is None:
            try:
                return _Outcome(len(files), run_batch(files, workers=workers, limits=limits, on_done=done, **how))
            except ExecutorError as exc:
                raise click.ClickException(str(exc)) from exc
        # The store loads pandas, so only a run with --db pays for importing it.
        from jixiao.store import StoreError, database_errors, open_store, run_incremental

        try:
            store = open_store(db)
        except StoreError as exc:
            raise click.BadParameter(str(exc), param_hint="--db") from exc
        with store:
            from jixiao.audit import stored_reports

            context = tuple(stored_reports(store, files))
            try:
                incremental = run_incremental(
                    store, files, workers=workers, limits=limits, on_done=done, roots=[Path(p) for p in paths], **how
                )
            except ExecutorError as exc:
                raise click.ClickException(str(exc)) from exc
            except database_errors() as exc:
                shown = _db_shown(db)
                raise click.ClickException(f"状态库 {shown} 写入失败 / cannot update the store {shown}: {exc}") from exc
    return _Outcome(len(files), incremental.results, incremental, context)


def _profile(name: str | None, config: Path | None, paths: Sequence[str]) -> Profile:
    """``--profile`` / ``--config`` checked before any file is read: a wrong key is a usage error."""
    try:
        return resolve_profile(name, config, paths)
    except ProfileError as exc:
        raise click.BadParameter(str(exc), param_hint="--profile/--config") from exc


def _judged(outcome: _Outcome, profile: Profile, db: Path | str | None = None) -> _Outcome:
    """Each input's records judged under ``profile``, with the findings across reports added; with
    ``--db`` those are stored too (``read_db`` shows them, ``--new-only`` knows which are new)."""
    judged = _with_records(outcome, judge(outcome.records, profile, outcome.context))
    inc = judged.incremental
    if db is None or inc is None:
        return judged
    from jixiao.audit import finding_rows
    from jixiao.store import database_errors, open_store

    # Under mof the store already holds each table's findings as the workers judged them; under
    # another profile every report's findings are replaced by the driver's judgement.
    rejudged = profile != MOF
    paths = [str(d.path) for d in judged.results] if rejudged else []
    try:
        with open_store(db) as store:
            new = store.replace_findings(inc.run_id, paths, finding_rows(judged.records, only_batch=not rejudged))
    except database_errors() as exc:
        shown = _db_shown(db)
        raise click.ClickException(f"状态库 {shown} 写入失败 / cannot update the store {shown}: {exc}") from exc
    fresh = frozenset(new) if rejudged else inc.new_fingerprints | new
    return replace(judged, incremental=replace(inc, new_fingerprints=fresh))


def _executor(executor: str, scheduler: str | None) -> dict[str, Any]:
    """``run_batch``'s executor arguments; ``--scheduler`` goes with ``--executor dask`` only."""
    if executor == "dask" and not scheduler:
        raise click.UsageError(
            "--executor dask 需要 --scheduler tcp://HOST:8786（或环境变量 DASK_SCHEDULER_ADDRESS）/ "
            "--executor dask needs --scheduler tcp://HOST:8786 (or DASK_SCHEDULER_ADDRESS)"
        )
    ctx = click.get_current_context(silent=True)
    given = ctx is not None and ctx.get_parameter_source("scheduler") == click.core.ParameterSource.COMMANDLINE
    if executor == "local" and given:
        raise click.UsageError("--scheduler 只用于 --executor dask / --scheduler needs --executor dask")
    mode: Executor = "dask" if executor == "dask" else "local"
    return {"executor": mode, "scheduler": scheduler if mode == "dask" else None}


def _db_location(ctx: click.Context, param: click.Parameter, value: str | None) -> Path | str | None:
    """``--db``: a ``postgresql://`` URL stays text, anything else is a SQLite file path."""
    if value is None or value.startswith(("postgresql://", "postgres://")):
        return value
    if Path(value).is_dir():
        raise click.BadParameter(f"{value} 是目录 / {value} is a directory", ctx, param)
    return Path(value)


def _db_shown(db: Path | str | None) -> str:
    """``--db`` for messages: a database URL without its password."""
    if isinstance(db, str):
        from jixiao.store.postgres import redact

        return redact(db)
    return str(db)


def _store_line(outcome: _Outcome, db: Path | str | None, new_only: bool = False) -> str | None:
    inc = outcome.incremental
    if inc is None:
        return None
    line = f"状态库 store {_db_shown(db)} (run {inc.run_id}): 解析 parsed {inc.parsed} · 取自存储 from store {inc.cached}"
    if inc.removed:
        line += f" · 已移除 removed {len(inc.removed)}"
    if new_only:
        line += " · 仅显示新问题 new findings only"
    return line


def _with_records(outcome: _Outcome, records: Sequence[Record]) -> _Outcome:
    """The outcome with its records replaced, in order, file by file."""
    flat = iter(records)
    return replace(outcome, results=[replace(d, records=[next(flat) for _ in d.records]) for d in outcome.results])


def _only_new(outcome: _Outcome) -> list[Record]:
    """Records with each report's findings cut to those first seen in this run and not
    dismissed by an auditor (the outcome's records carry their reviews: :func:`_reviewed`)."""
    inc = outcome.incremental
    assert inc is not None
    return [
        replace(r, findings=tuple(
            f for f in r.findings
            if inc.is_new(item, r.table_index, f) and (f.review is None or f.review.state != "dismissed")
        ))
        if isinstance(r, Report) else r
        for item in outcome.results
        for r in item.records
    ]


def _reviewed(outcome: _Outcome, db: Path | str | None) -> _Outcome:
    """The outcome's findings with their fingerprint and review decision (from the store with ``--db``)."""
    from jixiao.review import fingerprints, with_reviews

    records = outcome.records
    if db is None:
        return _with_records(outcome, with_reviews(records, {}))
    from jixiao.store import open_store

    with open_store(db) as store:
        return _with_records(outcome, with_reviews(records, store.reviews_for(fingerprints(records))))


def _write_html(records: Sequence[Record], path: Path, files: int) -> str:
    # matplotlib and Pillow load only for --html.
    from jixiao.html import write_html

    try:
        size = write_html(records, path, files=files)
    except OSError as exc:
        raise click.ClickException(f"无法写出 HTML 报告 {path} / cannot write the HTML report {path}: {exc}") from exc
    shown = f"{size / 1_048_576:.1f} MB" if size >= 1_048_576 else f"{size / 1024:.0f} KB"
    return f"HTML 报告 report: {path} ({shown})"


def batch_options(fn: Any) -> Any:
    """Options shared by every command that runs a batch."""
    for option in reversed(
        [
            click.option("-w", "--workers", type=click.IntRange(min=0), default=default_workers(), show_default=True,
                         help="并行进程数，0 表示在本进程内解析 / worker processes; 0 parses in this process"),
            click.option("--timeout", type=click.FloatRange(min=0.1), default=DEFAULT_TIMEOUT_S, show_default=True,
                         help="单个文件的时限（秒）/ wall-clock limit per file, seconds"),
            click.option("--memory-mb", type=click.IntRange(min=64), default=DEFAULT_MEMORY_MB, show_default=True,
                         help="每个解析进程的内存上限 / memory cap per worker process, MB"),
            click.option("-q", "--quiet", is_flag=True,
                         help="不显示进度条，check 只打印最后的汇总 / no progress bar; check prints only the final summary"),
            click.option("--executor", type=click.Choice(EXECUTORS), default="local", show_default=True,
                         help="local：本机进程池；dask：提交到 Dask 集群（需 --scheduler）/ "
                              "local: this machine's process pool; dask: one task per file on a Dask cluster"),
            click.option("--scheduler", envvar="DASK_SCHEDULER_ADDRESS", metavar="tcp://HOST:8786",
                         help="Dask 调度器地址（默认取环境变量 DASK_SCHEDULER_ADDRESS）；-w 此时不用 / "
                              "the Dask scheduler's address (default: $DASK_SCHEDULER_ADDRESS); -w is then unused"),
        ]
    ):
        fn = option(fn)
    return fn


db_option = click.option(
    "--db", callback=_db_location, metavar="STATE.sqlite|postgresql://…",
    help=(
        "状态库：SQLite 文件（不存在则新建）或共享的 PostgreSQL 数据库 postgresql://USER@HOST/DB；只解析新增或变化的文件，"
        "其余从库中读取 / state: a SQLite file (created if missing) or a shared PostgreSQL database "
        "postgresql://USER@HOST/DB; parse only new or changed files, take the rest from it"
    ),
)
def profile_options(fn: Any) -> Any:
    """``--profile`` and ``--config``: the scoring conventions the findings are judged under."""
    fn = click.option(
        "--config", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="jixiao.toml",
        help="规则配置文件（默认取输入旁或当前目录的 jixiao.toml）/ a profile file (default: a jixiao.toml "
             "next to the inputs or in the current folder)",
    )(fn)
    return click.option(
        "--profile", "profile_name", type=click.Choice(builtin_names()), default=None,
        help="评分规则配置（默认 mof）/ scoring profile (default mof): 省份的定性分档、≤ 指标公式、执行率分值、等级分档",
    )(fn)


paths_argument = click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
output_option = click.option(
    "-o", "--output", "outputs", multiple=True, type=click.Path(path_type=Path),
    help=(
        "输出文件，格式由后缀决定：.jsonl .json .xlsx .csv .parquet；.csv/.parquet 每表一个文件"
        "（out.reports.csv out.funds.csv out.indicators.csv out.findings.csv out.failures.csv） / "
        "output file, format by suffix; .csv/.parquet write one file per table next to OUT; may repeat"
    ),
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="jixiao")
def main() -> None:
    """绩效自评报告解析与核查 / parse and check performance self-evaluation reports."""


@main.command()
@paths_argument
@output_option
@db_option
@profile_options
@batch_options
def extract(
    paths: tuple[str, ...],
    outputs: tuple[Path, ...],
    db: Path | str | None,
    profile_name: str | None,
    config: Path | None,
    workers: int,
    timeout: float,
    memory_mb: int,
    quiet: bool,
    executor: str,
    scheduler: str | None,
) -> None:
    """解析 PDF 为结构化记录 / parse PDFs into records (exit 0, or 3 if some failed)."""
    if not outputs:
        raise click.UsageError("请用 -o 指定输出文件 / give an output file with -o")
    _check_outputs(outputs)
    profile = _profile(profile_name, config, paths)
    outcome = _reviewed(_judged(_run(paths, workers, timeout, memory_mb, quiet, db, executor, scheduler), profile, db), db)
    records = outcome.records
    for out in outputs:
        write(records, out)
    click.echo(run_summary(outcome.files, records), err=True)
    store_line = _store_line(outcome, db)
    if store_line:
        click.echo(store_line, err=True)
    sys.exit(EXIT_FAILED if any(isinstance(r, Failure) for r in records) else EXIT_OK)


@main.command()
@paths_argument
@output_option
@click.option(
    "--fail-on", type=click.Choice(["error", "warning", "info"]), default="error", show_default=True,
    help="达到此级别的问题使退出码为 1 / exit 1 when a finding is at or above this severity",
)
@click.option(
    "--html", "html_path", type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help=(
        "写出一个自包含的 HTML 核查报告：概览、图表、每个问题及其 PDF 页面截图（红框标出单元格）；含全部记录 / "
        "write one self-contained HTML report: overview, charts, each finding beside a picture of its PDF page "
        "with the cells boxed in red; holds every record"
    ),
)
@db_option
@profile_options
@click.option(
    "--new-only", is_flag=True,
    help=(
        "只显示并计入本次运行新出现的问题（需要 --db）；-o 输出仍含全部记录 / "
        "print and count (for the exit code too) only findings first seen in this run; needs --db; "
        "-o outputs still hold every record"
    ),
)
@batch_options
def check(
    paths: tuple[str, ...],
    outputs: tuple[Path, ...],
    fail_on: str,
    html_path: Path | None,
    db: Path | str | None,
    profile_name: str | None,
    config: Path | None,
    new_only: bool,
    workers: int,
    timeout: float,
    memory_mb: int,
    quiet: bool,
    executor: str,
    scheduler: str | None,
) -> None:
    """解析并核查，打印每份报告的问题 / parse, check and print each report's findings."""
    if new_only and db is None:
        raise click.UsageError("--new-only 需要同时给出 --db / --new-only needs --db STATE (findings are new relative to the store)")
    _check_outputs(outputs)
    profile = _profile(profile_name, config, paths)
    outcome = _reviewed(_judged(_run(paths, workers, timeout, memory_mb, quiet, db, executor, scheduler), profile, db), db)
    records = outcome.records
    shown = _only_new(outcome) if new_only else records
    for record in [] if quiet else shown:  # -q: only the final summary (README)
        if isinstance(record, Report):
            if not new_only or record.findings:
                click.echo(report_block(record))
        elif isinstance(record, Failure):
            click.echo(failure_line(record))
    for out in outputs:
        write(records, out)
    html_line = _write_html(records, html_path, outcome.files) if html_path is not None else None
    click.echo("")
    click.echo(run_summary(outcome.files, shown))
    store_line = _store_line(outcome, db, new_only)
    if store_line:
        click.echo(store_line)
    if html_line:
        click.echo(html_line)
    threshold = SEVERITY_ORDER[fail_on]
    failed = any(isinstance(r, Failure) for r in records)
    flagged = any(
        SEVERITY_ORDER[f.severity] >= threshold for r in shown if isinstance(r, Report) for f in r.findings
    )
    sys.exit(EXIT_FAILED if failed else EXIT_FINDINGS if flagged else EXIT_OK)


def _add_commands() -> None:
    """Commands kept in their own modules: ``review`` (decisions on findings) and ``serve`` (the workbench)."""
    from jixiao.cli_review import review
    from jixiao.web.command import serve

    main.add_command(review)
    main.add_command(serve)


_add_commands()

if __name__ == "__main__":
    main()
