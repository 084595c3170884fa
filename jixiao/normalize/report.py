"""Extracted document → one :class:`Report` per self-evaluation table.

Document-level facts (year, report date, kind of report) are read from the
table's title first and the document's first pages second. The narrative is
attached only where it is unambiguous which table it describes: the only
table, or the only department-overall table.
"""

from __future__ import annotations

from collections.abc import Sequence

import regex

from jixiao.errors import NoReportFound
from jixiao.layout import Extracted, TableBlock
from jixiao.models import Narrative, Report, ReportType
from jixiao.normalize.figures import read_figures, read_project_items
from jixiao.normalize.sections import paragraphs_to_sections
from jixiao.normalize.table import TableParts, read_table
from jixiao.normalize.text import compact

_FISCAL_YEAR = regex.compile(r"(20[0-9]{2})\s*年度")
_YEAR = regex.compile(r"(20[0-9]{2})\s*年")
_DATE = regex.compile(r"(20[0-9]{2})\s*年\s*([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*日")
_DEPT_IN_TEXT = regex.compile(r"部门[(（]单位[)）]名称[:：]?\s*([^\s_（(:：]{4,}?)(?:预算编码|报告日期|填报|\s|$)")
FRONT_PAGES = 2  # the cover and first page carry the report date and unit


def _year(texts: Sequence[str]) -> int | None:
    """``2021 年度`` anywhere beats a bare ``2022 年`` (a publication date)."""
    for pattern in (_FISCAL_YEAR, _YEAR):
        for text in texts:
            m = pattern.search(compact(text) or "")
            if m:
                return int(m.group(1))
    return None


def _report_date(texts: Sequence[str]) -> str | None:
    for text in texts:
        m = _DATE.search(compact(text) or "")
        if m:
            y, mo, d = (int(g) for g in m.groups())
            if 1 <= mo <= 12 and 1 <= d <= 31:
                return f"{y:04d}-{mo:02d}-{d:02d}"
    return None


def _report_type(block: TableBlock, parts: TableParts) -> ReportType:
    title = compact(block.title) or ""
    if "项目支出" in title or "项目自评" in title or parts.project_name:
        return "project"
    return "department_overall"


def _has_content(parts: TableParts) -> bool:
    return parts.has_indicator_header or parts.has_fund_header


def build_reports(doc: Extracted) -> list[Report]:
    """Every table of the document as a report; raise if there is none."""
    read = [(block, read_table(block.grid, block.title)) for block in doc.tables]
    read = [(b, p) for b, p in read if _has_content(p)]
    if not read:
        raise NoReportFound(
            "未找到绩效自评表（没有含“一级指标/三级指标/执行率”表头的表格）",
            "no self-evaluation table found (no table with 一级指标/三级指标/执行率 headers)",
        )
    sections = paragraphs_to_sections(doc.paragraphs)
    narrative = Narrative(
        sections=sections,
        figures=read_figures(sections),
        project_items=tuple(read_project_items(sections)),
    )
    front = list(doc.page_texts[:FRONT_PAGES])
    types = [_report_type(b, p) for b, p in read]
    dept = [i for i, t in enumerate(types) if t == "department_overall"]
    owner = 0 if len(read) == 1 else (dept[0] if len(dept) == 1 else None)
    reports = []
    for i, ((block, parts), rtype) in enumerate(zip(read, types, strict=True)):
        unit = parts.competent_department if rtype == "project" else parts.unit_name
        if unit is None and rtype == "department_overall":
            m = _DEPT_IN_TEXT.search(compact(" ".join(front)) or "")
            unit = m.group(1) if m else parts.competent_department
        reports.append(
            Report(
                source=doc.source,
                report_type=rtype,
                unit_name=unit or parts.unit_name,
                project_name=parts.project_name,
                competent_department=parts.competent_department,
                implementing_unit=parts.implementing_unit,
                fiscal_year=_year([block.title, *front]) or doc.year_hint,
                report_date=_report_date([*front, block.title]),
                source_amount_unit=parts.amount_unit,
                funds=parts.funds,
                goals=parts.goals,
                indicators=tuple(parts.indicators),
                level1_weights=dict(parts.level1_weights),
                total_weight=parts.total_weight,
                total_score=parts.total_score,
                grade=parts.grade,
                narrative=narrative if i == owner else Narrative(),
                pages=block.pages,
                table_index=i,
                repairs=tuple(parts.repairs),
                total_box=parts.total_box,
                total_weight_box=parts.total_weight_box,
                grade_box=parts.grade_box,
                unmapped_columns=tuple(parts.unmapped),
                extra=dict(parts.extra),
            )
        )
    return reports
