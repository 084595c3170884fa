"""Human-readable summaries of a run, Chinese first with English beside it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from jixiao.extract.position import has_pages, part_text, position_text
from jixiao.models import Failure, Finding, Record, Report
from jixiao.validate.registry import show
from jixiao.validate.scores import recomputed_total

TYPE_ZH = {"department_overall": "部门整体", "project": "项目"}
MARK = {"error": "✗", "warning": "!", "info": "·"}


def report_block(report: Report) -> str:
    name = report.project_name or report.unit_name or "（未读到名称）"
    counts = Counter(f.severity for f in report.findings)
    lines = [
        f"{report.source.path}  p{'-'.join(str(p) for p in (report.pages[0], report.pages[-1]))}  "
        f"[{TYPE_ZH[report.report_type]}] {name} {report.fiscal_year or ''}",
        f"  总分 total: 表中 stated {show(report.total_score) or '—'} · 重算 recomputed "
        f"{show(recomputed_total(report)) or '—'} · 等级 grade {report.grade or '—'}   "
        f"错误 errors {counts['error']} · 警告 warnings {counts['warning']} · 提示 info {counts['info']}",
    ]
    for f in report.findings:
        lines.append(f"  {MARK[f.severity]} {f.rule:<26} {_place(report, f)}  {f.message}")
    return "\n".join(lines)


def _place(report: Report, finding: Finding) -> str:
    """``p6`` on a page; in a Word or Excel file the first cell it names (``'表1'!H21``)."""
    if not has_pages(report.source):
        if finding.where.boxes:
            return position_text(report.source, finding.where.boxes[0])
        if finding.page:
            return part_text(report.source, finding.page)
    return f"p{finding.page or '-'}"


def failure_line(failure: Failure) -> str:
    return f"{failure.source.path}  失败 FAILED [{failure.error.kind}] {failure.error.message}"


def run_summary(files: int, records: Sequence[Record]) -> str:
    tally = Tally()
    tally.add(records)
    return tally.summary(files)


class Tally:
    """The run summary's counts, kept as records go by, so a streamed batch need not hold them."""

    def __init__(self) -> None:
        self.reports = 0
        self.by_kind: Counter[str] = Counter()
        self.by_rule: Counter[tuple[str, str]] = Counter()
        self.by_sev: Counter[str] = Counter()
        self.across = 0  # findings of checks across reports (scope "batch")
        self._copies: set[str] = set()  # paths, since a copy of a many-table file has many records

    def add(self, records: Iterable[Record]) -> None:
        for r in records:
            if isinstance(r, Report):
                self.reports += 1
                self.by_rule.update((f.severity, f.rule) for f in r.findings)
                self.by_sev.update(f.severity for f in r.findings)
                self.across += sum(1 for f in r.findings if f.scope == "batch")
            elif isinstance(r, Failure):
                self.by_kind[r.error.kind] += 1
            if r.source.duplicate_of:
                self._copies.add(r.source.path)

    def summary(self, files: int) -> str:
        by_kind, by_sev = self.by_kind, self.by_sev
        failures = sum(by_kind.values())
        duplicates = len(self._copies)
        lines = [
            f"文件 files {files} · 报告 reports {self.reports} · 失败 failures {failures}"
            + (f" ({', '.join(f'{k} {n}' for k, n in sorted(by_kind.items()))})" if by_kind else "")
            + (f" · 重复文件 duplicates {duplicates}" if duplicates else ""),
            f"问题 findings: 错误 errors {by_sev['error']} · 警告 warnings {by_sev['warning']} · 提示 info {by_sev['info']}",
        ]
        if self.across:
            lines.append(f"  其中跨报告 of which across reports: {self.across}")
        for (sev, rule), n in sorted(self.by_rule.items(), key=lambda kv: (-kv[1], kv[0][1])):
            lines.append(f"  {MARK[sev]} {rule:<26} {n}")
        return "\n".join(lines)
