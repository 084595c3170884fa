"""Rules about what is missing from a report and what had to be mended."""

from __future__ import annotations

from collections.abc import Iterator

from jixiao.models import Finding, Report
from jixiao.validate.registry import finding, rule

# (field, 中文, applies to) — what every report of that kind carries.
REQUIRED: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("unit_name", "部门/单位名称", ("department_overall",)),
    ("project_name", "项目名称", ("project",)),
    ("fiscal_year", "年度", ("department_overall", "project")),
    ("funds.total", "年度资金总额行", ("department_overall", "project")),
    ("funds.total.annual_budget", "全年预算数", ("department_overall", "project")),
    ("funds.total.executed", "全年执行数", ("department_overall", "project")),
    ("indicators", "绩效指标", ("department_overall", "project")),
    ("total_score", "总分", ("department_overall", "project")),
)


def _get(report: Report, path: str) -> object:
    value: object = report
    for part in path.split("."):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


@rule("missing_field")
def missing_field(report: Report) -> Iterator[Finding]:
    for path, zh, kinds in REQUIRED:
        if report.report_type not in kinds:
            continue
        if path.startswith("funds.total.") and report.funds.total is None:
            continue  # reported once, as the missing row
        value = _get(report, path)
        if value is None or value == ():
            yield finding(
                "missing_field",
                f"未读到{zh}",
                f"{path} is missing or unreadable",
                expected=zh,
                found=None,
                page=report.pages[0] if report.pages else None,
                column=path,
            )


@rule("repaired_cell")
def repaired_cell(report: Report) -> Iterator[Finding]:
    for rep in report.repairs:
        zh, en = ("被截断", "was cut short") if rep.reason == "cut_short" else ("疑为识别错误", "looks misread by OCR")
        yield finding(
            "repaired_cell",
            f"“{rep.original}”{zh}，已修复为“{rep.repaired}”",
            f"'{rep.original}' {en} and was read as '{rep.repaired}'",
            expected=rep.repaired,
            found=rep.original,
            page=rep.page,
            row=rep.row,
            column=rep.field,
            label=rep.repaired,
            boxes=[rep.box],
        )


@rule("unmapped_column")
def unmapped_column(report: Report) -> Iterator[Finding]:
    """Said once per column, so a dropped column can never pass unnoticed; its values are
    in the rows' ``extra``."""
    for col in report.unmapped_columns:
        block = "资金" if col.block == "funds" else "指标"
        yield finding(
            "unmapped_column",
            f"{block}表中的列“{col.header}”无法对应到字段，其 {col.values} 个值保留在各行的 extra 中",
            f"the {col.block} column '{col.header}' matches no field; its {col.values} values are kept in each row's extra",
            expected=None,
            found=col.header,
            page=col.page,
            column="extra",
            label=col.header,
            boxes=[col.box],
        )
