"""The ``jixiao`` command: a thin layer over the library.

Exit codes (SPEC §4): 0 done and nothing at or above ``--fail-on``; 1 findings
at or above it; 2 usage error; 3 some inputs failed (3 wins over 1).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import click

from jixiao import __version__
from jixiao.inputs import expand
from jixiao.models import SEVERITY_ORDER, Failure, Record, Report
from jixiao.outputs import UnknownFormat, write, writer_for
from jixiao.pipeline import parse_path
from jixiao.summary import failure_line, report_block, run_summary

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_FAILED = 0, 1, 2, 3


def _check_outputs(outputs: Sequence[Path]) -> None:
    for out in outputs:
        try:
            writer_for(out)
        except UnknownFormat as exc:
            raise click.BadParameter(str(exc), param_hint="-o/--output") from exc


def _run(paths: Sequence[str]) -> tuple[int, list[Record]]:
    files = expand(paths)
    if not files:
        raise click.UsageError("没有找到 PDF 文件 / no PDF files found under the given paths")
    records: list[Record] = []
    for path in files:
        records.extend(parse_path(path))
    return len(files), records


paths_argument = click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
output_option = click.option(
    "-o", "--output", "outputs", multiple=True, type=click.Path(path_type=Path),
    help="输出文件，格式由后缀决定 (.jsonl .json) / output file, format by suffix; may repeat",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="jixiao")
def main() -> None:
    """绩效自评报告解析与核查 / parse and check performance self-evaluation reports."""


@main.command()
@paths_argument
@output_option
def extract(paths: tuple[str, ...], outputs: tuple[Path, ...]) -> None:
    """解析 PDF 为结构化记录 / parse PDFs into records (exit 0, or 3 if some failed)."""
    if not outputs:
        raise click.UsageError("请用 -o 指定输出文件 / give an output file with -o")
    _check_outputs(outputs)
    files, records = _run(paths)
    for out in outputs:
        write(records, out)
    click.echo(run_summary(files, records), err=True)
    sys.exit(EXIT_FAILED if any(isinstance(r, Failure) for r in records) else EXIT_OK)


@main.command()
@paths_argument
@output_option
@click.option(
    "--fail-on", type=click.Choice(["error", "warning", "info"]), default="error", show_default=True,
    help="达到此级别的问题使退出码为 1 / exit 1 when a finding is at or above this severity",
)
def check(paths: tuple[str, ...], outputs: tuple[Path, ...], fail_on: str) -> None:
    """解析并核查，打印每份报告的问题 / parse, check and print each report's findings."""
    _check_outputs(outputs)
    files, records = _run(paths)
    for record in records:
        if isinstance(record, Report):
            click.echo(report_block(record))
        elif isinstance(record, Failure):
            click.echo(failure_line(record))
    for out in outputs:
        write(records, out)
    click.echo("")
    click.echo(run_summary(files, records))
    threshold = SEVERITY_ORDER[fail_on]
    failed = any(isinstance(r, Failure) for r in records)
    flagged = any(
        SEVERITY_ORDER[f.severity] >= threshold for r in records if isinstance(r, Report) for f in r.findings
    )
    sys.exit(EXIT_FAILED if failed else EXIT_FINDINGS if flagged else EXIT_OK)
