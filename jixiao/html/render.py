"""The whole document: head, overview (counts, charts, the table of reports), failures, one section per report.

:func:`document` yields the page in pieces so a batch of 500 reports is written
as it is rendered, never held whole; crops come from the ``crops_for`` callable.
"""

from __future__ import annotations

import base64
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import datetime
from html import escape

from jixiao import __version__
from jixiao.html.assets import CSS, JS
from jixiao.html.charts import Chart
from jixiao.html.section import (
    SEVERITY_ZH,
    TYPE_ZH,
    CropsFor,
    bi,
    counts,
    report_id,
    report_name,
    report_section,
)
from jixiao.models import SEVERITY_ORDER, Failure, Record, Report
from jixiao.validate.catalog import CATALOG
from jixiao.validate.registry import show
from jixiao.validate.scores import recomputed_total

FAILURE_ZH = {
    "empty": "空文件",
    "not_pdf": "不是 PDF",
    "encrypted": "加密",
    "corrupt": "已损坏",
    "no_report_found": "未找到自评表",
    "timeout": "超时",
    "too_large": "文件过大",
    "crashed": "解析出错",
    "ocr_unavailable": "无法识别扫描件",
    "unsupported_format": "不支持的格式",
}
TITLE = ("绩效自评报告核查", "performance self-evaluation check")


def head(title: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>\n"
    )


def banner(files: int, generated: datetime) -> str:
    return (
        f'<header class="top"><h1>{escape(TITLE[0])} <span class="en">{escape(TITLE[1])}</span></h1>'
        f"<p>jixiao {escape(__version__)} · 生成于 generated {escape(generated.strftime('%Y-%m-%d %H:%M'))}"
        f" · 文件 files {files}</p></header>"
        '<nav class="toc"><a href="#overview">概览 overview</a><a href="#charts">图表 charts</a>'
        '<a href="#report-list">报告列表 report list</a><a href="#failures">失败 failures</a>'
        '<a href="#reports">逐份报告 each report</a></nav><main>\n'
    )


def cards(files: int, reports: Sequence[Report], failures: Sequence[Failure]) -> str:
    n = counts(f for r in reports for f in r.findings)
    items = [
        ("", "文件", "files", files),
        ("", "报告", "reports", len(reports)),
        ("fail" if failures else "", "失败", "failures", len(failures)),
        ("err" if n["error"] else "", "错误", "errors", n["error"]),
        ("warn" if n["warning"] else "", "警告", "warnings", n["warning"]),
        ("", "提示", "info", n["info"]),
    ]
    return '<div class="cards">' + "".join(
        f'<div class="card {cls}"><b>{value}</b>{bi(zh, en)}</div>' for cls, zh, en, value in items
    ) + "</div>"


def failures_by_kind(failures: Sequence[Failure]) -> str:
    by_kind = Counter(f.error.kind for f in failures)
    if not by_kind:
        return f'<p class="muted">{bi("没有失败的文件", "no file failed")}</p>'
    rows = "".join(
        f"<tr><td>{escape(FAILURE_ZH.get(kind, kind))} <code>{escape(kind)}</code></td><td class=\"num\">{n}</td></tr>"
        for kind, n in sorted(by_kind.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    return f"<table><thead><tr><th>{bi('原因', 'kind')}</th><th>{bi('文件数', 'files')}</th></tr></thead><tbody>{rows}</tbody></table>"


def findings_by_rule(reports: Sequence[Report]) -> str:
    by_rule = Counter((f.rule, f.severity) for r in reports for f in r.findings)
    by_report = Counter(rule for r in reports for rule in {f.rule for f in r.findings})
    if not by_rule:
        return f'<p class="muted">{bi("未发现问题", "no findings")}</p>'
    rows = []
    for (rule, sev), n in sorted(by_rule.items(), key=lambda kv: (-SEVERITY_ORDER[kv[0][1]], -kv[1], kv[0][0])):
        _, zh, en = CATALOG.get(rule, (sev, "", ""))
        rows.append(
            f'<tr><td><span class="sev {sev}">{SEVERITY_ZH[sev]} {sev}</span></td><td><code>{escape(rule)}</code></td>'
            f'<td>{bi(zh, en)}</td><td class="num">{n}</td><td class="num">{by_report[rule]}</td></tr>'
        )
    return (
        f"<table><thead><tr><th>{bi('级别', 'severity')}</th><th>{bi('规则', 'rule')}</th>"
        f"<th>{bi('含义', 'what it checks')}</th><th>{bi('问题数', 'findings')}</th><th>{bi('报告数', 'reports')}</th>"
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )



def charts_block(charts: Sequence[Chart]) -> str:
    figures = "".join(
        f'<figure><img class="chart" alt="{escape(c.title_zh)} / {escape(c.title_en)}" '
        f'src="data:image/svg+xml;base64,{_b64(c.svg)}"><figcaption>{bi(c.title_zh, c.title_en)}</figcaption></figure>'
        for c in charts
    )
    return f'<h2 id="charts">{bi("图表", "charts")}</h2><div class="charts">{figures}</div>'


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _num_cell(text: str | None, bad: bool = False) -> str:
    cls = "num bad" if bad else "num"
    return f'<td class="{cls}" data-v="{escape(text or "")}">{escape(text or "—")}</td>'


def report_row(report: Report, index: int) -> str:
    n = counts(report.findings)
    recomputed = recomputed_total(report)
    mismatch = any(f.rule == "score_total" for f in report.findings)
    zh, en = TYPE_ZH[report.report_type]
    table = f" #{report.table_index + 1}" if report.table_index else ""
    return (
        f'<tr data-errors="{n["error"]}" data-warnings="{n["warning"]}">'
        f'<td class="num" data-v="{index}">{index + 1}</td>'
        f'<td><a href="#{report_id(index)}">{escape(report_name(report))}</a></td>'
        f"<td>{escape(report.source.path)}{escape(table)}</td>"
        f'<td data-v="{escape(zh)}">{escape(zh)} <span class="en">{escape(en)}</span></td>'
        + _num_cell(str(report.fiscal_year) if report.fiscal_year else None)
        + _num_cell(show(report.total_score), mismatch)
        + _num_cell(show(recomputed), mismatch)
        + f'<td data-v="{escape(report.grade or "")}">{escape(report.grade or "—")}</td>'
        + "".join(
            f'<td class="num"><span class="count {sev if n[sev] else ""}">{n[sev]}</span></td>'
            for sev in ("error", "warning", "info")
        )
        + "</tr>"
    )


def reports_table(reports: Sequence[Report]) -> str:
    columns = [
        ("#", "#"), ("名称", "name"), ("文件", "file"), ("类型", "type"), ("年度", "year"),
        ("表中总分", "stated total"), ("重算总分", "recomputed total"), ("等级", "grade"),
        ("错误", "errors"), ("警告", "warnings"), ("提示", "info"),
    ]
    head = "".join(f'<th data-sort="{i}">{bi(zh, en)}</th>' for i, (zh, en) in enumerate(columns))
    rows = "".join(report_row(r, i) for i, r in enumerate(reports))
    filters = (
        '<div class="filters">'
        f'<label>{bi("筛选", "filter")} <input type="search" id="report-filter" '
        'placeholder="名称、文件、等级… / name, file, grade…"></label>'
        f'<label>{bi("问题", "findings")} <select id="severity-filter">'
        '<option value="all">全部 all</option><option value="error">有错误 with errors</option>'
        '<option value="warning">有错误或警告 with errors or warnings</option>'
        '<option value="clean">无错误和警告 clean</option></select></label>'
        f'<span>{bi("显示", "showing")} <b id="shown-count">{len(reports)}</b> / {len(reports)}</span>'
        "</div>"
    )
    return (
        f'<h2 id="report-list">{bi("报告列表", "reports")}</h2>'
        f'<p class="muted">{bi("点击表头排序，点击名称查看该报告", "click a header to sort, a name to open the report")}</p>'
        f'{filters}<div class="table-scroll"><table id="reports-table"><thead><tr>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table></div>"
    )


def failures_block(failures: Sequence[Failure]) -> str:
    if not failures:
        body = f'<p class="muted">{bi("没有失败的文件", "no file failed")}</p>'
    else:
        rows = "".join(
            f"<tr><td>{escape(f.source.path)}</td><td>{escape(FAILURE_ZH.get(f.error.kind, f.error.kind))} "
            f"<code>{escape(f.error.kind)}</code></td><td>{escape(f.error.message)}</td></tr>"
            for f in failures
        )
        body = (
            f"<table><thead><tr><th>{bi('文件', 'file')}</th><th>{bi('原因', 'kind')}</th>"
            f"<th>{bi('说明', 'message')}</th></tr></thead><tbody>{rows}</tbody></table>"
        )
    return f'<h2 id="failures">{bi(f"失败的文件（{len(failures)}）", f"failed files ({len(failures)})")}</h2>{body}'


def document(
    records: Sequence[Record],
    charts: Sequence[Chart],
    crops_for: CropsFor,
    files: int | None = None,
    generated: datetime | None = None,
    note: str | None = None,
) -> Iterator[str]:
    """The page, piece by piece; ``files`` defaults to the number of distinct source paths."""
    reports = [r for r in records if isinstance(r, Report)]
    failures = [r for r in records if isinstance(r, Failure)]
    if files is None:
        files = len({r.source.path for r in records})
    yield head(f"{TITLE[0]} / {TITLE[1]}")
    yield banner(files, generated or datetime.now())
    if note:
        yield f'<p class="note limit">{escape(note)}</p>'
    yield f'<h2 id="overview">{bi("概览", "overview")}</h2>'
    yield cards(files, reports, failures)
    yield (
        f'<div class="cols"><div><h3>{bi("问题（按规则）", "findings by rule")}</h3>{findings_by_rule(reports)}</div>'
        f'<div><h3>{bi("失败（按原因）", "failures by kind")}</h3>{failures_by_kind(failures)}</div></div>'
    )
    yield charts_block(charts)
    yield reports_table(reports)
    yield failures_block(failures)
    yield (
        f'<h2 id="reports">{bi("逐份报告", "each report")}</h2><div class="tools">'
        f'<button type="button" id="expand-all">{bi("全部展开", "expand all")}</button>'
        f'<button type="button" id="collapse-all">{bi("全部收起", "collapse all")}</button></div>\n'
    )
    for index, report in enumerate(reports):
        yield report_section(report, index, crops_for)
    yield f"</main><script>{JS}</script></body></html>\n"
