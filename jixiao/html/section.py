"""One report's collapsible section: its findings with page crops, and its tables with the cells marked.

Every string from a record goes through :func:`html.escape`; the only markup
built here is the page's own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from jixiao.extract.position import has_pages, position_text
from jixiao.html.crops import Crop
from jixiao.html.locate import finding_boxes, total_weight_box
from jixiao.models import SEVERITY_ORDER, Box, Finding, FundLine, Indicator, Report
from jixiao.validate.registry import show
from jixiao.validate.scores import recomputed_total

SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
TYPE_ZH = {"department_overall": ("部门整体", "department"), "project": ("项目", "project")}
FUND_LINES = (
    ("total", "年度资金总额", "total"),
    ("current_appropriation", "当年财政拨款", "current appropriation"),
    ("prior_carryover", "上年结转资金", "prior carry-over"),
    ("other", "其他资金", "other"),
)
FUND_COLUMNS = (
    ("initial_budget", "年初预算数", "initial budget"),
    ("annual_budget", "全年预算数", "annual budget"),
    ("executed", "全年执行数", "executed"),
    ("weight", "分值", "weight"),
    ("execution_rate", "执行率", "rate"),
    ("score", "得分", "score"),
)
INDICATOR_COLUMNS = (
    ("level1", "一级指标", "level 1"),
    ("level2", "二级指标", "level 2"),
    ("name", "三级指标", "indicator"),
    ("target", "年度指标值", "target"),
    ("actual", "实际完成值", "actual"),
    ("weight", "分值", "weight"),
    ("score", "得分", "score"),
    ("deviation_note", "偏差原因", "reason for deviation"),
)
NUMERIC = {"initial_budget", "annual_budget", "executed", "weight", "execution_rate", "score"}

CropsFor = Callable[[Report, Finding], Sequence[Crop]]


def bi(zh: str, en: str) -> str:
    """Chinese first, English beside it, both escaped."""
    return f'{escape(zh)} <span class="en">{escape(en)}</span>'


def report_id(index: int) -> str:
    return f"r{index}"


def finding_id(index: int, number: int) -> str:
    return f"r{index}-f{number}"


def report_name(report: Report) -> str:
    return report.project_name or report.unit_name or "（未读到名称）"


def percent(rate: Decimal) -> str:
    """A fraction written as a percentage. Example: ``Decimal("0.9820")`` → ``"98.2%"``."""
    return f"{show((rate * 100).normalize())}%"


def cell_text(field: str, value: object) -> str:
    if value is None:
        return ""
    if field == "execution_rate" and isinstance(value, Decimal):
        return percent(value)
    if isinstance(value, Decimal):
        return show(value) or ""
    return str(value)


@dataclass(frozen=True)
class Mark:
    """A finding that touches a cell: its severity, rule and anchor."""

    severity: str
    rule: str
    anchor: str


class Marks:
    """Which table cells each finding points at, by box and by (row, column)."""

    def __init__(self, report: Report, index: int) -> None:
        self.by_box: dict[Box, list[Mark]] = {}
        self.by_cell: dict[tuple[int, str], list[Mark]] = {}
        for number, f in enumerate(report.findings):
            mark = Mark(f.severity, f.rule, finding_id(index, number))
            for box in finding_boxes(f, report):
                self.by_box.setdefault(box, []).append(mark)
            if f.where.row is not None and f.where.column is not None and not f.where.boxes:
                self.by_cell.setdefault((f.where.row, f.where.column), []).append(mark)

    def of(self, box: Box | None, row: int | None = None, column: str | None = None) -> list[Mark]:
        marks = list(self.by_box.get(box, ())) if box is not None else []
        if row is not None and column is not None:
            marks += [m for m in self.by_cell.get((row, column), ()) if m not in marks]
        return marks


def marked_cell(text: str, marks: Sequence[Mark], numeric: bool = False, extra: str = "") -> str:
    """A ``<td>`` holding ``text``, highlighted and linked to its first finding when marked."""
    classes = ["num"] if numeric else []
    if not marks:
        cls = f' class="{" ".join(classes)}"' if classes else ""
        return f"<td{cls}>{escape(text)}{extra}</td>"
    worst = max(marks, key=lambda m: SEVERITY_ORDER[m.severity])
    classes.append(f"hl-{worst.severity}")
    rules = ", ".join(dict.fromkeys(m.rule for m in marks))
    return (
        f'<td class="{" ".join(classes)}" title="{escape(rules)}">'
        f'<a class="cell" href="#{worst.anchor}">{escape(text) or "&#160;"}{extra}</a></td>'
    )


def fund_table(report: Report, marks: Marks) -> str:
    lines: list[tuple[str, str, FundLine]] = []
    for attr, zh, en in FUND_LINES:
        line = getattr(report.funds, attr)
        if line is not None:
            lines.append((zh, en, line))
    lines += [(line.label, "extra", line) for line in report.funds.extra]
    if not lines:
        return f'<p class="muted">{bi("未读到资金情况", "no fund rows were read")}</p>'
    head = "".join(f"<th>{bi(zh, en)}</th>" for _, zh, en in FUND_COLUMNS)
    rows = []
    for zh, en, line in lines:
        label = escape(line.label) if line.label and line.label != zh else escape(zh)
        cells = "".join(
            marked_cell(cell_text(field, getattr(line, field)), marks.of(line.cells.get(field), line.row, field), True)
            for field, _, _ in FUND_COLUMNS
        )
        rows.append(f'<tr><th>{label} <span class="en">{escape(en)}</span></th>{cells}</tr>')
    return (
        f'<div class="table-scroll"><table class="data funds"><thead><tr><th>{bi("行", "line")}</th>{head}</tr>'
        f"</thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def _indicator_row(indicator: Indicator, marks: Marks) -> str:
    cells = [f'<td class="num muted">{indicator.row}</td>', f'<td class="num muted">{indicator.page or ""}</td>']
    for field, _, _ in INDICATOR_COLUMNS:
        value = getattr(indicator, field)
        extra = ""
        if value is None and field in ("weight", "score") and indicator.group_row is not None:
            extra = f'<span class="merged" title="合并单元格，计入第 {indicator.group_row} 行 / merged cell, counted on row {indicator.group_row}">↑</span>'
        found = marks.of(indicator.cells.get(field), indicator.row, field)
        cells.append(marked_cell(cell_text(field, value), found, field in NUMERIC, extra))
    return f"<tr>{''.join(cells)}</tr>"


def indicator_table(report: Report, marks: Marks) -> str:
    head = f"<th>{bi('行', 'row')}</th><th>{bi('页', 'page')}</th>" + "".join(
        f"<th>{bi(zh, en)}</th>" for _, zh, en in INDICATOR_COLUMNS
    )
    body = "".join(_indicator_row(i, marks) for i in report.indicators)
    if not body:
        body = f'<tr><td colspan="{len(INDICATOR_COLUMNS) + 2}" class="muted">{bi("未读到绩效指标", "no indicator rows were read")}</td></tr>'
    recomputed = recomputed_total(report)
    total = marked_cell(show(report.total_score) or "", marks.of(report.total_box, None, "total_score"), True)
    grade = marked_cell(
        f"等级 grade: {report.grade or '—'} · 重算 recomputed: {show(recomputed) or '—'}",
        marks.of(report.grade_box, None, "grade"),
    )
    weight = marked_cell(show(report.total_weight) or "", marks.of(total_weight_box(report)), True)
    foot = (
        f'<tr><th colspan="7">{bi("总分", "total")}</th>'
        f"{weight}{total}{grade}</tr>"
    )
    weights = " · ".join(f"{escape(k)} {escape(show(v) or '')}" for k, v in report.level1_weights.items())
    note = f'<p class="muted">{bi("一级指标标注分值", "stated level-1 weights")}: {weights}</p>' if weights else ""
    return (
        f'<div class="table-scroll"><table class="data indicators"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody><tfoot>{foot}</tfoot></table></div>{note}"
    )


def crop_figure(crop: Crop, label: str) -> str:
    alt = f"第 {crop.page} 页截图，红框为{label} / page {crop.page}, the cells in question boxed in red"
    return (
        f'<figure class="crop"><img class="crop" loading="lazy" decoding="async" width="{crop.width}" '
        f'height="{crop.height}" alt="{escape(alt)}" src="{crop.data_uri()}">'
        f"<figcaption>{escape(crop.source) + ' ' if crop.source else ''}"
        f"{bi(f'第 {crop.page} 页', f'page {crop.page}')}</figcaption></figure>"
    )


def finding_item(finding: Finding, anchor: str, crops: Sequence[Crop], refs: Sequence[str] = ()) -> str:
    where = finding.where
    place = []
    page = finding.page or where.page
    if page is not None:
        place.append(f"p{page}")
    if where.row is not None:
        place.append(f"行 row {where.row}")
    if where.label:
        place.append(escape(where.label))
    if where.column:
        place.append(f"<code>{escape(where.column)}</code>")
    kv = (
        f'<table class="kv"><tr><th>{bi("应为", "expected")}</th><td>{escape(finding.expected or "—")}</td>'
        f'<th>{bi("实际", "found")}</th><td>{escape(finding.found or "—")}</td></tr></table>'
    )
    snippet = f'<blockquote class="snippet">…{escape(where.snippet)}…</blockquote>' if where.snippet else ""
    if crops:
        pictures = "".join(crop_figure(c, where.label or finding.rule) for c in crops)
    elif refs:  # a Word or Excel file: no page to picture, the cells are named instead
        pictures = f'<p class="cellref">{bi("位置", "where")}：{escape("， ".join(refs))}</p>'
    else:
        pictures = f'<p class="nocrop">{bi("无法在页面上定位此问题", "this finding has no place on the page to show")}</p>'
    place.append(f"{bi('规则配置', 'profile')} {escape(finding.profile)}")
    return (
        f'<li class="finding {finding.severity}" id="{anchor}" data-rule="{escape(finding.rule)}"'
        f' data-scope="{finding.scope}">'
        f'<div><span class="sev {finding.severity}">{SEVERITY_ZH[finding.severity]} {finding.severity}</span> '
        f"<code>{escape(finding.rule)}</code> · {' · '.join(place)}</div>"
        f'<p class="msg">{escape(finding.message)}</p>{kv}{snippet}{compared_list(finding)}{pictures}</li>'
    )


def compared_list(finding: Finding) -> str:
    """A finding across reports names both sides: every report it compares, with its pages."""
    if not finding.compared:
        return ""
    items = "".join(
        f"<li><code>{escape(r.path)}</code> p{r.pages[0] if r.pages else '-'}"
        f"{'-' + str(r.pages[-1]) if len(r.pages) > 1 else ''}"
        f"{' 表 table ' + str(r.table_index + 1) if r.table_index else ''} · "
        f"{escape(r.project_name or r.unit_name or '')} {r.fiscal_year or ''}</li>"
        for r in finding.compared
    )
    return f'<div class="compared">{bi("比对的报告", "reports compared")}<ul>{items}</ul></div>'


def meta_list(report: Report) -> str:
    zh, en = TYPE_ZH[report.report_type]
    items: list[tuple[str, str, str | None]] = [
        ("文件", "file", report.source.path),
        ("页", "pages", ", ".join(str(p) for p in report.pages)),
        ("类型", "type", f"{zh} {en}"),
        ("单位", "unit", report.unit_name),
        ("项目", "project", report.project_name),
        ("主管部门", "competent department", report.competent_department),
        ("实施单位", "implementing unit", report.implementing_unit),
        ("年度", "fiscal year", str(report.fiscal_year) if report.fiscal_year else None),
        ("报告日期", "report date", report.report_date),
        ("原文金额单位", "amounts written in", report.source_amount_unit),
        ("文字来源", "text from", report.source.text_method),
        ("与此文件相同", "duplicate of", report.source.duplicate_of),
    ]
    rows = "".join(f"<dt>{bi(z, e)}</dt><dd>{escape(v)}</dd>" for z, e, v in items if v)
    return f'<dl class="meta">{rows}</dl>'


def counts(findings: Iterable[Finding]) -> dict[str, int]:
    out = {"error": 0, "warning": 0, "info": 0}
    for f in findings:
        out[f.severity] += 1
    return out


def summary_line(report: Report) -> str:
    n = counts(report.findings)
    badges = "".join(
        f'<span class="sev {sev}" title="{SEVERITY_ZH[sev]} {sev}">{n[sev]}</span> ' for sev in ("error", "warning") if n[sev]
    )
    pages = f"p{report.pages[0]}-{report.pages[-1]}" if report.pages else ""
    table = f" #{report.table_index + 1}" if report.table_index else ""
    totals = (
        f"总分 {escape(show(report.total_score) or '—')} · 重算 {escape(show(recomputed_total(report)) or '—')}"
        f" · 等级 {escape(report.grade or '—')}"
    )
    return (
        f'{badges}<span class="name">{escape(report_name(report))}</span>'
        f'<span class="file">{escape(report.source.path)}{escape(table)} {pages}</span>'
        f'<span class="totals">{totals}</span>'
    )


def cell_refs(report: Report, finding: Finding) -> list[str]:
    """Sheet or table cells of a finding in a flowing file (Word, Excel), which has no pages to crop."""
    if has_pages(report.source):
        return []
    return list(dict.fromkeys(position_text(report.source, box) for box in finding.where.boxes))


def report_section(report: Report, index: int, crops_for: CropsFor) -> str:
    """The ``<details>`` section of one report; ``crops_for`` renders a finding's crops."""
    marks = Marks(report, index)
    items = "".join(
        finding_item(f, finding_id(index, n), crops_for(report, f), cell_refs(report, f))
        for n, f in enumerate(report.findings)
    )
    n = counts(report.findings)
    findings = (
        f'<ol class="findings">{items}</ol>' if items else f'<p class="muted">{bi("未发现问题", "no findings")}</p>'
    )
    return (
        f'<details class="report" id="{report_id(index)}" data-errors="{n["error"]}" data-warnings="{n["warning"]}">'
        f"<summary>{summary_line(report)}</summary><div class=\"body\">{meta_list(report)}"
        f"<h3>{bi(f'问题（{len(report.findings)}）', f'findings ({len(report.findings)})')}</h3>{findings}"
        f"<h3>{bi('资金情况（万元）', 'funds (10k yuan)')}</h3>{fund_table(report, marks)}"
        f"<h3>{bi('绩效指标', 'indicators')}</h3>{indicator_table(report, marks)}"
        "</div></details>\n"
    )
