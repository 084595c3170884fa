"""The ``jixiao`` command: a thin layer over the library.

Exit codes (SPEC §4): 0 done and nothing at or above ``--fail-on``; 1 findings
at or above it; 2 usage error; 3 some inputs failed (3 wins over 1).
"""

from __future__ import annotations

import atexit
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from jixiao import __version__
from jixiao.audit import resolve_profile
from jixiao.inputs import expand
from jixiao.models import SEVERITY_ORDER, Failure, Finding, Record, Report
from jixiao.outputs import UnknownFormat, open_sink, writer_for
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
    iter_batch,
)
from jixiao.runner.start import UnknownStartMethod, start_method
from jixiao.stream import (
    REVIEW_CHUNK,
    AcrossIndex,
    Spill,
    chunks,
    judge_file,
    new_in_run,
    store_findings,
    with_found,
)
from jixiao.summary import Tally, failure_line, report_block
from jixiao.validate.across import Key
from jixiao.validate.profile import MOF, Profile, ProfileError, builtin_names

if TYPE_CHECKING:
    from jixiao.store import RunCounts, Store

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_FAILED = 0, 1, 2, 3


def _check_outputs(outputs: Sequence[Path]) -> None:
    for out in outputs:
        try:
            writer_for(out)
        except UnknownFormat as exc:
            raise click.BadParameter(str(exc), param_hint="-o/--output") from exc


@dataclass
class _Batch:
    """A parsed batch waiting in a spill file: every input's judged records in input order, the
    findings across reports, and with ``--db`` the open store and what the run did in it."""

    files: int
    spill: Spill
    found: dict[Key, list[Finding]]
    store: Store | None = None
    counts: RunCounts | None = None


@contextmanager
def _run(
    paths: Sequence[str], workers: int, timeout: float, memory_mb: int, quiet: bool, profile: Profile,
    db: Path | str | None = None, executor: str = "local", scheduler: str | None = None,
) -> Iterator[_Batch]:
    """Parse the batch (or take what the store has), one file at a time in input order: judge it
    under ``profile``, spill it, index it for the checks across reports; then work those out and,
    with ``--db``, store them. The store stays open for the caller's reading back."""
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
    with ExitStack() as stack:
        spill = stack.enter_context(Spill())
        index = AcrossIndex()
        stack.callback(index.close)

        def take(stream: Iterator[Done]) -> None:
            for done in stream:
                records = judge_file(done.records, profile)
                spill.add(replace(done, records=records))
                index.add(records)

        if db is None:
            with Progress(len(files), enabled=not quiet) as progress:
                try:
                    take(iter_batch(files, workers=workers, limits=limits,
                                    on_done=lambda item: progress.advance(item.path.name), **how))
                except ExecutorError as exc:
                    raise click.ClickException(str(exc)) from exc
            yield _Batch(len(files), spill, index.findings(profile))
            return
        # The store loads pandas, so only a run with --db pays for importing it.
        from jixiao.store import RunCounts, StoreError, database_errors, iter_incremental, open_store

        try:
            store = stack.enter_context(open_store(db))
        except StoreError as exc:
            raise click.BadParameter(str(exc), param_hint="--db") from exc
        try:
            from jixiao.audit import iter_stored_reports

            # The store's reports of files not among the inputs, read before the run marks them removed.
            for stored in iter_stored_reports(store, files):
                index.add(stored, in_batch=False)
            counts = RunCounts()
            with Progress(len(files), enabled=not quiet) as progress:
                try:
                    take(iter_incremental(store, files, workers=workers, limits=limits,
                                          on_done=lambda item: progress.advance(item.path.name), counts=counts,
                                          roots=[Path(p) for p in paths], **how))
                except ExecutorError as exc:
                    raise click.ClickException(str(exc)) from exc
            found = index.findings(profile)
            store_findings(store, counts.run_id, spill, found, rejudged=profile != MOF)
            yield _Batch(len(files), spill, found, store, counts)
        except database_errors() as exc:
            shown = _db_shown(db)
            raise click.ClickException(f"状态库 {shown} 写入失败 / cannot update the store {shown}: {exc}") from exc


def _finished(batch: _Batch, new_only: bool = False) -> Iterator[tuple[list[Record], list[Record]]]:
    """The batch read back in input order, one file at a time: its records with their findings
    across reports and their reviews (fingerprint and decision, from the store with ``--db``), and
    the records as shown (``--new-only``: each report's findings cut to those first seen in this
    run and not dismissed by an auditor)."""
    from jixiao.review import fingerprints, with_reviews

    store, counts = batch.store, batch.counts
    for chunk in chunks(batch.spill, REVIEW_CHUNK):
        dones = [replace(d, records=with_found(d.records, batch.found)) for d in chunk]
        wanted = fingerprints([r for d in dones for r in d.records]) if store is not None else set()
        reviews = store.reviews_for(wanted) if store is not None and wanted else {}
        for done in dones:
            records = with_reviews(done.records, reviews)
            if not new_only or store is None or counts is None:
                yield records, records
                continue
            from jixiao.store import finding_fingerprint

            key = store.key(done.path)  # the store's key of the file, however it was reached
            fresh = new_in_run(store, key, counts.run_id)
            yield records, [
                replace(r, findings=tuple(
                    f for f in r.findings
                    if finding_fingerprint(key, r.table_index, f) in fresh
                    and (f.review is None or f.review.state != "dismissed")
                ))
                if isinstance(r, Report) else r
                for r in records
            ]


def _profile(name: str | None, config: Path | None, paths: Sequence[str]) -> Profile:
    """``--profile`` / ``--config`` checked before any file is read: a wrong key is a usage error."""
    try:
        return resolve_profile(name, config, paths)
    except ProfileError as exc:
        raise click.BadParameter(str(exc), param_hint="--profile/--config") from exc


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


def _store_line(batch: _Batch, db: Path | str | None, new_only: bool = False) -> str | None:
    counts = batch.counts
    if counts is None:
        return None
    line = (f"状态库 store {_db_shown(db)} (run {counts.run_id}): 解析 parsed {counts.parsed} · "
            f"取自存储 from store {counts.cached}")
    if counts.removed:
        line += f" · 已移除 removed {len(counts.removed)}"
    if new_only:
        line += " · 仅显示新问题 new findings only"
    return line


class _Sinks:
    """Every ``-o`` output open at once, each taking a file's records as they come; published together
    at the end (or all thrown away if the run stops)."""

    def __init__(self, outputs: Sequence[Path]) -> None:
        self._stack = ExitStack()
        self._sinks = [self._stack.enter_context(open_sink(out)) for out in outputs]

    def add(self, records: Sequence[Record]) -> None:
        for sink in self._sinks:
            sink.add(records)

    def __enter__(self) -> _Sinks:
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stack.__exit__(*exc)


#: Records the ``--html`` report holds at most: beyond that a page would be too large to open,
#: and the report says so and points to ``jixiao serve``.
HTML_LIMIT = 500


class _HtmlRecords:
    """The first :data:`HTML_LIMIT` records of the batch, for ``--html``; counts the rest."""

    def __init__(self, enabled: bool, limit: int = HTML_LIMIT) -> None:
        self.enabled = enabled
        self.limit = limit
        self.records: list[Record] = []
        self.left_out = 0

    def add(self, records: Sequence[Record]) -> None:
        if not self.enabled:
            return
        room = self.limit - len(self.records)
        self.records.extend(records[:max(room, 0)])
        self.left_out += max(len(records) - max(room, 0), 0)


def _write_html(html: _HtmlRecords, path: Path, files: int, db: Path | str | None) -> str:
    # matplotlib and Pillow load only for --html.
    from jixiao.html import write_html

    note = None
    if html.left_out:
        serve = f"jixiao serve --db {_db_shown(db)}" if db is not None else "jixiao check … --db STATE，再 jixiao serve --db STATE"
        note = (
            f"本报告只含前 {len(html.records)} 条记录，其余 {html.left_out} 条见汇总与 -o 输出；逐份浏览请用 {serve} / "
            f"this report holds the first {len(html.records)} records only, {html.left_out} more are in the summary and "
            f"the -o outputs; to browse every report use {serve.replace('，再', ', then')}"
        )
    try:
        size = write_html(html.records, path, files=files, note=note)
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
    tally, failed = Tally(), False
    with _run(paths, workers, timeout, memory_mb, quiet, profile, db, executor, scheduler) as batch:
        with _Sinks(outputs) as sinks:
            for _done, records in _finished(batch):
                sinks.add(records)
                tally.add(records)
                failed = failed or any(isinstance(r, Failure) for r in records)
    click.echo(tally.summary(batch.files), err=True)
    store_line = _store_line(batch, db)
    if store_line:
        click.echo(store_line, err=True)
    sys.exit(EXIT_FAILED if failed else EXIT_OK)


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
        "写出一个自包含的 HTML 核查报告：概览、图表、每个问题及其 PDF 页面截图（红框标出单元格）；最多含前 500 条记录，"
        "更多请用 jixiao serve / write one self-contained HTML report: overview, charts, each finding beside a picture "
        "of its PDF page with the cells boxed in red; holds the first 500 records at most (more: jixiao serve)"
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
    threshold = SEVERITY_ORDER[fail_on]
    tally, failed, flagged = Tally(), False, False
    html = _HtmlRecords(html_path is not None)
    with _run(paths, workers, timeout, memory_mb, quiet, profile, db, executor, scheduler) as batch:
        with _Sinks(outputs) as sinks:
            for records, shown in _finished(batch, new_only):
                for record in [] if quiet else shown:  # -q: only the final summary (README)
                    if isinstance(record, Report):
                        if not new_only or record.findings:
                            click.echo(report_block(record))
                    elif isinstance(record, Failure):
                        click.echo(failure_line(record))
                sinks.add(records)
                html.add(records)
                tally.add(shown)
                failed = failed or any(isinstance(r, Failure) for r in records)
                flagged = flagged or any(
                    SEVERITY_ORDER[f.severity] >= threshold for r in shown if isinstance(r, Report) for f in r.findings
                )
    html_line = _write_html(html, html_path, batch.files, db) if html_path is not None else None
    click.echo("")
    click.echo(tally.summary(batch.files))
    store_line = _store_line(batch, db, new_only)
    if store_line:
        click.echo(store_line)
    if html_line:
        click.echo(html_line)
    sys.exit(EXIT_FAILED if failed else EXIT_FINDINGS if flagged else EXIT_OK)


def _add_commands() -> None:
    """Commands kept in their own modules: ``review`` (decisions on findings) and ``serve`` (the workbench)."""
    from jixiao.cli_review import review
    from jixiao.web.command import serve

    main.add_command(review)
    main.add_command(serve)


_add_commands()


def run() -> None:
    """The console command: :func:`main`, then out of the process without the interpreter's teardown.

    Every output is written and closed before ``main`` returns; what the
    interpreter does next frees every module and object one by one and runs
    the cyclic collector over them: 0.4 s after one text file and 0.7 s after
    one scanned file (OCR's libraries), measured from the summary's last line
    to the process's end (``jixiao check`` / ``extract -w 0``, 2026-12-08).
    That is a wait on every command for nothing.  Exit handlers still run
    (multiprocessing's clean-up of worker processes, log handlers) and both
    streams are flushed.  An unexpected exception leaves the usual way, with
    its traceback.  ``main`` stays a plain click group, so tests call it in
    process.
    """
    try:
        main()  # click's standalone mode ends in SystemExit
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (``jixiao check … | head``) has nothing left to say
            pass
    os._exit(code)


if __name__ == "__main__":
    run()
