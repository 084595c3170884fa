"""Table writers (.xlsx, .csv, .parquet), all fed from :func:`jixiao.frames.to_frames`.

- ``.xlsx``: one workbook with sheets 报告, 资金, 指标, 问题, 失败 and Chinese
  column headers (:data:`HEADERS_ZH`); frozen header row, autofilter, numbers
  stored as numbers (万元 amounts as ``0.00``, rates as ``0.00%``), findings
  rows coloured by severity.
- ``.csv``: ``-o out.csv`` writes one file per table next to it, and not
  ``out.csv`` itself: ``out.reports.csv``, ``out.funds.csv``,
  ``out.indicators.csv``, ``out.findings.csv``, ``out.failures.csv``. UTF-8
  with BOM (``utf-8-sig``) so Excel opens the Chinese text correctly; English
  headers as in the frames.
- ``.parquet``: the same naming, ``out.reports.parquet`` …, with typed
  columns (float64, int64, string), also when a table has no rows.

Every file is written atomically (temporary file, then rename), and record by
record: each writer is a :class:`~jixiao.outputs.sink.Sink` that takes a batch's
records as they come, a few hundred at a time, and never holds the whole batch
(Parquet: one row group per chunk under a schema fixed from :data:`COLUMNS`;
Excel: XlsxWriter's ``constant_memory`` mode).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import xlsxwriter
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from jixiao.frames import COLUMNS, TABLES, ColumnKind, rows_to_frame, to_frames
from jixiao.models import Record
from jixiao.outputs.atomic import atomic_path, atomic_write
from jixiao.outputs.sink import Chunked

SHEETS: dict[str, str] = {
    "reports": "报告",
    "funds": "资金",
    "indicators": "指标",
    "findings": "问题",
    "failures": "失败",
}

HEADERS_ZH: dict[str, str] = {
    "file": "文件",
    "sha256": "SHA-256",
    "page_count": "总页数",
    "format": "文件格式",
    "text_method": "文字读取方式",
    "table_index": "表序号",
    "pages": "所在页",
    "report_type": "报告类型",
    "unit_name": "单位名称",
    "project_name": "项目名称",
    "competent_department": "主管部门",
    "implementing_unit": "实施单位",
    "fiscal_year": "年度",
    "report_date": "报告日期",
    "source_amount_unit": "原文金额单位",
    "line": "资金类别",
    "label": "标签",
    "initial_budget": "年初预算数(万元)",
    "annual_budget": "全年预算数(万元)",
    "executed": "全年执行数(万元)",
    "execution_rate": "执行率",
    "fund_weight": "资金分值",
    "fund_score": "资金得分",
    "weight": "分值",
    "score": "得分",
    "total_weight": "总分值",
    "total_score": "总分",
    "recomputed_total": "重算总分",
    "grade": "等级",
    "n_errors": "错误数",
    "n_warnings": "警告数",
    "n_info": "提示数",
    "level1": "一级指标",
    "level2": "二级指标",
    "name": "三级指标",
    "target": "年度指标值",
    "actual": "实际完成值",
    "target_value": "指标值数值",
    "target_unit": "指标值单位",
    "target_comparator": "指标值比较符",
    "actual_value": "完成值数值",
    "actual_unit": "完成值单位",
    "actual_comparator": "完成值比较符",
    "group_row": "合并分值所在行",
    "deviation_note": "偏差原因",
    "page": "页码",
    "row": "行号",
    "rule": "规则",
    "severity": "级别",
    "message": "说明",
    "expected": "应为",
    "found": "实际",
    "column": "列",
    "snippet": "原文",
    "kind": "失败类型",
    "extra": "其他列(表头→内容) extra",
    "profile": "规则配置",
    "scope": "范围",
    "compared": "比对的报告",
    "fingerprint": "问题指纹",
    "review": "核查状态",
    "review_note": "核查备注",
    "review_by": "核查人",
    "review_at": "核查时间",
}
"""English frame column → Chinese spreadsheet header (one mapping for every sheet)."""

VALUES_ZH: dict[str, dict[str, str]] = {
    "report_type": {"department_overall": "部门整体", "project": "项目"},
    "severity": {"error": "错误", "warning": "警告", "info": "提示"},
    "text_method": {"text": "文字层", "ocr": "OCR", "mixed": "混合"},
    "review": {"open": "待核", "confirmed": "已核实", "dismissed": "误报"},
    "line": {
        "total": "年度资金总额", "current_appropriation": "当年财政拨款", "prior_carryover": "上年结转资金",
        "other": "其他资金", "extra": "其他行",
    },
    "kind": {
        "empty": "空文件", "not_pdf": "不是 PDF", "encrypted": "加密", "corrupt": "已损坏",
        "no_report_found": "未找到自评表", "timeout": "超时", "too_large": "文件过大", "crashed": "解析出错",
        "ocr_unavailable": "无法识别扫描件",
    },
}
"""Codes shown in Chinese in the spreadsheet only (a person reads it); CSV and Parquet keep the codes."""

AMOUNT_COLUMNS = frozenset({"initial_budget", "annual_budget", "executed"})
RATE_COLUMNS = frozenset({"execution_rate"})
AMOUNT_FORMAT, RATE_FORMAT = "0.00", "0.00%"

SEVERITY_FILLS: dict[str, str] = {"error": "FFFFC7CE", "warning": "FFFFEB9C", "info": "FFEDEDED"}
"""Finding rows are filled by severity: light red, light yellow, light grey."""

MIN_WIDTH, MAX_WIDTH = 6, 60

ARROW_TYPES: dict[ColumnKind, pa.DataType] = {"float": pa.float64(), "int": pa.int64(), "text": pa.string()}


def table_path(path: Path, table: str) -> Path:
    """Where one table of ``-o out.csv`` goes. Example: ``out.csv``, ``funds`` → ``out.funds.csv``."""
    return path.with_name(f"{path.stem}.{table}{path.suffix}")


class CsvSink(Chunked):
    """``out.csv`` → one CSV per table, the header written at once and each chunk's rows appended."""

    def __init__(self, path: Path, size: int = 512) -> None:
        super().__init__(size)
        self._files = {table: self._enter(atomic_write(table_path(path, table), encoding="utf-8-sig")) for table in TABLES}
        for table, fh in self._files.items():
            rows_to_frame([], COLUMNS[table]).to_csv(fh, index=False, lineterminator="\n")

    def write_chunk(self, records: Sequence[Record]) -> None:
        for table, frame in to_frames(records).items():
            if len(frame):
                frame.to_csv(self._files[table], index=False, header=False, lineterminator="\n")


def arrow_schema(table: str) -> pa.Schema:
    """A table's Parquet schema from :data:`jixiao.frames.COLUMNS` alone (with pandas' metadata, so
    nullable integers read back as ``Int64``): never from the first rows, whose columns may all be empty."""
    schema = pa.schema([(name, ARROW_TYPES[kind]) for name, kind in COLUMNS[table].items()])
    return pa.Table.from_pandas(rows_to_frame([], COLUMNS[table]), schema=schema, preserve_index=False).schema


class ParquetSink(Chunked):
    """``out.parquet`` → one Parquet file per table, each chunk one row group, the schema fixed up front."""

    def __init__(self, path: Path, size: int = 2048) -> None:
        super().__init__(size)
        self._writers: dict[str, tuple[pq.ParquetWriter, pa.Schema]] = {}
        for table in TABLES:
            tmp = self._enter(atomic_path(table_path(path, table)))
            schema = arrow_schema(table)
            writer = pq.ParquetWriter(tmp, schema)
            self._stack.callback(writer.close)  # closed before its temporary file is published
            self._writers[table] = (writer, schema)

    def write_chunk(self, records: Sequence[Record]) -> None:
        for table, frame in to_frames(records).items():
            if len(frame):
                writer, schema = self._writers[table]
                writer.write_table(pa.Table.from_pandas(frame, schema=schema, preserve_index=False))


class XlsxSink(Chunked):
    """One workbook, sheets 报告 … 失败, rows streamed to disk (XlsxWriter's ``constant_memory``:
    strings inline, no shared-string table growing with the batch). Column widths, the frozen
    header and the autofilter are written when the workbook closes, from what went by."""

    def __init__(self, path: Path, size: int = 512) -> None:
        super().__init__(size)
        tmp = self._enter(atomic_path(path))
        self._book = xlsxwriter.Workbook(str(tmp), {
            "constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
            "strings_to_urls": False,
        })
        book = self._book
        self._header = book.add_format({"bold": True})
        self._formats: dict[tuple[str | None, str | None], Any] = {}
        self._sheets = {table: book.add_worksheet(SHEETS[table]) for table in TABLES}
        self._rows = dict.fromkeys(TABLES, 1)
        self._widths: dict[str, list[int]] = {}
        for table, sheet in self._sheets.items():
            headers = [HEADERS_ZH[c] for c in COLUMNS[table]]
            for c, text in enumerate(headers):
                sheet.write_string(0, c, text, self._header)
            self._widths[table] = [display_width(h) for h in headers]

    def _format(self, number: str | None, fill: str | None) -> Any:
        key = (number, fill)
        if key not in self._formats:
            props: dict[str, Any] = {}
            if number:
                props["num_format"] = number
            if fill:
                props.update(pattern=1, bg_color="#" + fill[2:])
            self._formats[key] = self._book.add_format(props) if props else None
        return self._formats[key]

    def write_chunk(self, records: Sequence[Record]) -> None:
        for table, frame in to_frames(records).items():
            sheet, widths, columns = self._sheets[table], self._widths[table], list(frame.columns)
            severity = columns.index("severity") if table == "findings" else None
            r = self._rows[table]
            for values in frame.itertuples(index=False, name=None):
                fill = SEVERITY_FILLS.get(values[severity]) if severity is not None else None
                for c, (name, raw) in enumerate(zip(columns, values, strict=True)):
                    value = plain(raw)
                    if isinstance(value, str) and name in VALUES_ZH:
                        value = VALUES_ZH[name].get(value, value)
                    if value is None:
                        if fill is not None:
                            sheet.write_blank(r, c, None, self._format(None, fill))
                    elif isinstance(value, str):
                        sheet.write_string(r, c, value, self._format(None, fill))  # never a formula or a link
                    else:
                        number = AMOUNT_FORMAT if name in AMOUNT_COLUMNS else RATE_FORMAT if name in RATE_COLUMNS else None
                        sheet.write_number(r, c, value, self._format(number, fill))
                    widths[c] = max(widths[c], display_width(shown(name, value)))
                r += 1
            self._rows[table] = r

    def finish(self) -> None:
        self.flush()
        for table, sheet in self._sheets.items():
            widths = self._widths[table]
            for c, width in enumerate(widths):
                sheet.set_column(c, c, min(max(width + 2, MIN_WIDTH), MAX_WIDTH))
            sheet.freeze_panes(1, 0)
            sheet.autofilter(0, 0, self._rows[table] - 1, len(widths) - 1)
        self._book.close()


def write_csv(records: Sequence[Record], path: Path) -> None:
    with CsvSink(path) as sink:
        sink.add(records)


def write_parquet(records: Sequence[Record], path: Path) -> None:
    with ParquetSink(path) as sink:
        sink.add(records)


def write_xlsx(records: Sequence[Record], path: Path) -> None:
    with XlsxSink(path) as sink:
        sink.add(records)


def plain(value: Any) -> Any:
    """A frame value as openpyxl stores it: None for missing, Python numbers, clean text."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):  # numpy scalar
        return plain(value.item())
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def shown(column: str, value: Any) -> str:
    """Roughly what Excel shows in the cell, to size the column."""
    if value is None:
        return ""
    if isinstance(value, float):
        if column in AMOUNT_COLUMNS:
            return f"{value:.2f}"
        if column in RATE_COLUMNS:
            return f"{value * 100:.2f}%"
        return f"{value:g}"
    return str(value)


def display_width(text: str) -> int:
    """Column width in characters; CJK (wide and full-width) characters count double.

    Example: ``display_width("全年预算数(万元)")`` → 16.
    """
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
