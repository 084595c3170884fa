"""Findings that rest on what OCR read say so (issue 15: nothing silent, no false error).

A finding whose cells include one the recognizer was unsure of (``Report.ocr_readings``)
is at most a warning, and its message names the doubtful reading and asks for a look at
the page: one false error costs an auditor's trust in every other finding, and a
misread digit (``1.5`` read ``15``) is the likeliest cause of an error on a scan.  A
finding on a page read by OCR (``Source.ocr_pages``) says that it was.
"""

from __future__ import annotations

from dataclasses import replace

from jixiao.models import Finding, Report
from jixiao.validate.registry import ordered

#: Rules whose findings are about the reading itself: they say so already.
ABOUT_READING = frozenset({"repaired_cell", "unmapped_column"})
#: Sums over a column: a cell OCR read as empty (its text lost, not misread) falls out of them.
SUMMED = {"score_total": ("score", "weight"), "weight_total": ("weight", "score"), "level1_weight_sum": ("weight", "score")}


def _lost_cells(report: Report, rule: str) -> list[str]:
    """Indicators on OCR'd pages whose summed value is empty while its row's other number is read."""
    if rule not in SUMMED:
        return []
    field, other = SUMMED[rule]
    pages = set(report.source.ocr_pages)
    return [
        i.name or f"第{i.row}行"
        for i in report.indicators
        if i.page in pages and i.group_row is None and getattr(i, field) is None and getattr(i, other) is not None
    ]


def qualify(report: Report, findings: tuple[Finding, ...]) -> tuple[Finding, ...]:
    """The findings with what rests on OCR said: a doubtful reading, or a sum short of a
    cell OCR read as empty, makes an error a warning that asks for a look at the page."""
    if not report.source.ocr_pages:
        return findings
    doubtful = {r.box: r for r in report.ocr_readings}
    out = []
    for f in findings:
        if f.rule in ABOUT_READING:
            out.append(f)
            continue
        weak = [doubtful[b] for b in f.where.boxes if b in doubtful]
        lost = [] if weak else _lost_cells(report, f.rule)
        if weak:
            shown = "、".join(f"“{r.text}”({r.confidence:.2f})" for r in weak)
            doubt = (f"依据 OCR 识别可信度低的读数 {shown}", "rests on a low-confidence OCR reading")
        elif lost:
            doubt = (f"OCR 读出的单元格为空（{'、'.join(lost[:3])}），合计可能少算", "cells OCR read as empty may be missing from the sum")
        else:
            if f.page in report.source.ocr_pages:
                f = replace(f, message=f.message + "（OCR 识别 / read by OCR）")
            out.append(f)
            continue
        severity = "warning" if f.severity == "error" else f.severity
        lowered = ("；错误降为警告", " (lowered to a warning)") if severity != f.severity else ("", "")
        note = f" ⚠ {doubt[0]}，请对照原件核对{lowered[0]} / {doubt[1]}: check the page{lowered[1]}"
        out.append(replace(f, severity=severity, message=f.message + note))
    return ordered(out)
