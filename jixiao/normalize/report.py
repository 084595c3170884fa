"""Extracted document → one :class:`Report` per self-evaluation table.

Document-level facts (year, report date, kind of report) are read from the
table's title first and the document's first pages second. The narrative is
attached only where it is unambiguous which table it describes: the only
table, or the only department-overall table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import regex

from jixiao.errors import NoReportFound
from jixiao.layout import Extracted, TableBlock
from jixiao.models import Narrative, Report, ReportType
from jixiao.normalize.figures import read_figures, read_project_items
from jixiao.normalize.parts import TableParts
from jixiao.normalize.sections import paragraphs_to_sections
from jixiao.normalize.table import read_table
from jixiao.normalize.text import compact

_FISCAL_YEAR = regex.compile(r"(20[0-9]{2})\s*年度")
_YEAR = regex.compile(r"(20[0-9]{2})\s*年")
_DATE = regex.compile(r"(20[0-9]{2})\s*年\s*([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*日")
_DEPT_IN_TEXT = regex.compile(r"部门[(（]单位[)）]名称[:：]?\s*([^\s_（(:：]{4,}?)(?:预算编码|报告日期|填报|\s|$)")
_UNIT_IN_TITLE = regex.compile(
    r"^(?:附件\s*[0-9一二三四五六七八九十]*\s*[:：]?\s*)?"
    r"(?P<unit>[^\s:：,，。;；()（）]{2,40}?(?:局|委|委员会|办公室|办|院|中心|所|站|会|部|厅|处|队|馆|校|学校|政府|街道|公司|社|室))"
    r"\s*[(（]?\s*20[0-9]{2}\s*年"
)
FRONT_PAGES = 2  # the cover and first page carry the report date and unit


def unit_in_title(title: str) -> str | None:
    """The unit an older form names only in its title line.

    Example: ``"某某县水利局2020年度部门整体支出绩效自评表"`` → ``"某某县水利局"``.
    """
    m = _UNIT_IN_TITLE.search(compact(title) or "")
    return m.group("unit") if m else None


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


def _is_report(block: TableBlock, parts: TableParts) -> bool:
    """A self-evaluation table names its indicators, or scores its funds.

    A table with neither header is a fragment (the tail of a table whose header
    is on a page the file does not hold); a fund table that gives no 分值/得分
    and whose title does not speak of 绩效/自评 is a 决算 or budget table.
    """
    if parts.has_indicator_header:
        return True
    title = compact(block.title) or ""
    return parts.has_fund_header and (parts.fund_scored or "绩效" in title or "自评" in title)


def fragment_note(block: TableBlock) -> str:
    """What a reader is told of a table that is no report: where it is and how it starts."""
    grid = block.grid
    first = next((compact(c.text) for c in grid.cells if compact(c.text)), "") or ""
    pages = ",".join(str(p) for p in block.pages)
    return f"第{pages}页 表格片段（{grid.nrows} 行，无自评表表头）/ p{pages}: a table of {grid.nrows} rows without a self-evaluation header: {first[:30]}"


def build_reports(doc: Extracted) -> list[Report]:
    """Every self-evaluation table of the document as a report; raise if there is none.

    Tables that are no report are listed on the source (``fragments``) and in the
    failure message, so an auditor sees them without the parser inventing a report.
    """
    everything = [(block, read_table(block.grid, block.title)) for block in doc.tables]
    read = [(b, p) for b, p in everything if _is_report(b, p)]
    fragments = tuple(fragment_note(b) for b, p in everything if not _is_report(b, p))
    if not read:
        seen = "；".join(fragments)
        raise NoReportFound(
            "未找到绩效自评表（没有含“一级指标/三级指标/执行率”表头的表格）" + (f"；另有 {seen}" if seen else ""),
            "no self-evaluation table found (no table with 一级指标/三级指标/执行率 headers)"
            + (f"; {len(fragments)} table(s) without such a header" if fragments else ""),
        )
    source = replace(doc.source, fragments=fragments) if fragments else doc.source
    sections = paragraphs_to_sections(doc.paragraphs)
    narrative = Narrative(
        sections=sections,
        figures=read_figures(sections),
        project_items=tuple(read_project_items(sections)),
    )
    front = list(doc.page_texts[:FRONT_PAGES])
    # The date a report was signed is printed outside its tables: a table's cells hold
    # deadlines and completion dates (完成时间 2022年11月28日), never the report's date.
    outside = [p.text for p in doc.paragraphs if p.page <= FRONT_PAGES]
    types = [_report_type(b, p) for b, p in read]
    dept = [i for i, t in enumerate(types) if t == "department_overall"]
    owner = 0 if len(read) == 1 else (dept[0] if len(dept) == 1 else None)
    reports = []
    for i, ((block, parts), rtype) in enumerate(zip(read, types, strict=True)):
        unit = parts.competent_department if rtype == "project" else parts.unit_name
        if unit is None and rtype == "department_overall":
            m = _DEPT_IN_TEXT.search(compact(" ".join(front)) or "")
            unit = m.group(1) if m else parts.competent_department
        if unit is None and parts.unit_name is None:
            unit = unit_in_title(block.title)
        reports.append(
            Report(
                source=source,
                report_type=rtype,
                unit_name=unit or parts.unit_name,
                project_name=parts.project_name,
                competent_department=parts.competent_department,
                implementing_unit=parts.implementing_unit,
                fiscal_year=_year([block.title, *front]) or doc.year_hint,
                report_date=_report_date([*outside, block.title]),
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
                ocr_readings=tuple(parts.ocr_readings),
                extra=dict(parts.extra),
            )
        )
    return reports
