"""A self-evaluation table grid → typed parts of a report.

Rows are recognised by what their cells say (a header row names its columns,
a fund row names its source, the total row says 总分/合计), never by position,
so provincial variants with extra or reordered columns read the same way.
Label cells merged over several rows are filled down; a 分值/得分 cell merged
over several rows is counted once, on the first row of its group.

The reader walks the rows and hands each block to its own module: headers
(:mod:`~jixiao.normalize.header`), fund lines (:mod:`~jixiao.normalize.fund_lines`),
the form's label | value rows (:mod:`~jixiao.normalize.form_rows`); indicators and
the total row are read here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Literal

from jixiao.layout import Cell, Grid
from jixiao.models import Box, FundLine, Funds, Goals, Indicator, OcrReading, Repair, UnmappedColumn
from jixiao.normalize import vocab
from jixiao.normalize.canon import canonical_label, fuzzy_field, header_key, match_field, strip_lead
from jixiao.normalize.form_rows import keep_pairs, key_values, total_in_title
from jixiao.normalize.fund_lines import detect_unit, fund_line, fund_row_key, stated_points
from jixiao.normalize.header import MIN_HEADER_HITS, Header, RowView, header_columns, read_header
from jixiao.normalize.labels import is_placeholder, parse_grade, split_stated_weight
from jixiao.normalize.numbers import parse_decimal
from jixiao.normalize.ocr_repair import ValueKind, lost_point, repair_label, repair_target, repair_value
from jixiao.normalize.parts import TableParts, cell_text, value_cell
from jixiao.normalize.targets import parse_comparator, parse_measure, unit_hint, with_hint
from jixiao.normalize.text import clean_text, compact

#: A cell OCR read with a recognizer score below this is a doubtful reading (see OcrReading).
LOW_CONFIDENCE = 0.9
# Columns whose type makes an OCR repair unambiguous (jixiao.normalize.ocr_repair).
OCR_KINDS: dict[str, ValueKind] = {"weight": "number", "score": "number", "actual": "measure"}


def _repeats_header(view: RowView, cols: dict[str, Cell]) -> bool:
    """A header row printed again inside the table (Word repeats it on each page; Hubei
    prints one per 年度绩效目标 block): it names the block's columns where the block has them."""
    found = {match_field(c.text, vocab.INDICATOR_COLUMNS) for c in view.own()}
    if not ({"name", "level1"} & found) or len(found - {None}) < MIN_HEADER_HITS - 1:
        return False  # cheap test first: most rows are not headers
    again = header_columns(view, vocab.INDICATOR_COLUMNS)
    same = [f for f, c in again.items() if f in cols and cols[f].col == c.col]
    return len(same) >= MIN_HEADER_HITS - 1 and ("name" in same or "level1" in same)


def _with_unit(value: str | None, unit: str | None) -> str | None:
    """Join a value with the 度量单位 column, unless the value already says it."""
    if value is None or not unit or value.endswith(unit):
        return value
    return value + unit


def _is_total_row(view: RowView) -> bool:
    """Whether the row's label (its first cell with text) says 总分/合计.

    The label's cell may follow an empty one: a scan whose merged 总分 cell
    lost an inner border reads as an empty cell and the label beside it.
    """
    first = next((key for c in view.own() if (key := header_key(c.text))), "")
    return bool(first) and any(first.startswith(w) for w in vocab.TOTAL_ROW)


class _Reader:
    def __init__(self, grid: Grid, title: str) -> None:
        self.grid = grid
        self.occ = grid.occupancy()
        self.views = [RowView(self.occ[r], r) for r in range(grid.nrows)]
        self.parts = TableParts()
        self.title = title
        self.signs_seen = False  # set per indicator block (_indicators)
        self.extra_cols: list[tuple[Cell, str]] = []  # set per block (_kept)

    def read(self) -> TableParts:
        r = 0
        n = len(self.views)
        while r < n:
            view = self.views[r]
            fund_cols = header_columns(view, vocab.FUND_COLUMNS)
            ind_cols = header_columns(view, vocab.INDICATOR_COLUMNS)
            if (header := self._indicator_header(r, ind_cols)) is not None:
                self._mended_headers(header.cols, vocab.INDICATOR_COLUMNS)
                r = self._indicators(r, self._kept(header, "indicators", vocab.INDICATOR_COLUMNS, vocab.UNFIELDED_INDICATOR_COLUMNS))
            elif (len(fund_cols) >= MIN_HEADER_HITS and ("execution_rate" in fund_cols or "executed" in fund_cols)) or (
                {"annual_budget", "executed"} <= fund_cols.keys()  # 全年预算数(A) | 全年执行数(B) alone
            ):
                header = read_header(self.views, r, vocab.FUND_COLUMNS)
                self._mended_headers(header.cols, vocab.FUND_COLUMNS)
                r = self._funds(r, self._kept(header, "funds", vocab.FUND_COLUMNS, vocab.UNFIELDED_FUND_COLUMNS))
            elif self._goals(r):
                r += 2
            else:
                key_values(view, self.parts)
                r += 1
        if self.parts.total_score is None:
            self.parts.total_score = total_in_title(self.title)
        self._count_unmapped()
        self.parts.ocr_readings = [
            OcrReading(c.box, round(c.confidence, 3), compact(c.text) or "")
            for c in self.grid.cells
            if c.confidence is not None and c.confidence < LOW_CONFIDENCE and c.text.strip()
        ]
        return self.parts

    def _indicator_header(self, r: int, cols: dict[str, Cell]) -> Header | None:
        """The indicator header opening at row ``r``: the row names the indicator columns
        itself, or it is the first of two header rows whose second names them (绩效指标 over
        一级指标 | 二级指标 | 三级指标, 年度指标值 over 指标性质 | 指标值 | 度量单位)."""
        alone = len(cols) >= MIN_HEADER_HITS and ("name" in cols or "level1" in cols)
        if not alone and (not cols or r + 1 >= len(self.views)):
            return None  # most rows: not one indicator header word
        header = read_header(self.views, r, vocab.INDICATOR_COLUMNS)
        if alone or (header.body == r + 2 and len(header.cols) >= MIN_HEADER_HITS and ("name" in header.cols or "level1" in header.cols)):
            return header
        return None

    def _kept(
        self,
        header: Header,
        block: Literal["funds", "indicators"],
        table: Sequence[tuple[str, Sequence[str]]],
        unfielded: Sequence[str],
    ) -> Header:
        """The header with every column no field takes listed as ``extra``: unknown
        ones are reported (``unmapped_column``), read-but-unfielded ones (序号,
        评分标准, 得分系数) are only kept."""
        extra = list(header.unplaced)
        for name in unfielded:
            cell = header.cols.get(name)
            if cell is not None:
                extra.append((cell, compact(cell.text) or name))
        self.extra_cols = extra
        for cell, label in header.unplaced:
            if match_field(cell.text, table) in unfielded:
                continue  # a second 评分标准 column: known, kept, nothing to report
            self.parts.unmapped.append(UnmappedColumn(label, block, cell.page, cell.box))
        return header

    def _count_unmapped(self) -> None:
        """Each unmapped column's number of values, once its block's rows are read."""
        lines = [line for line in (self.parts.funds.total, *self.parts.funds.sources()) if line is not None]
        rows = {"funds": [line.extra for line in lines], "indicators": [i.extra for i in self.parts.indicators]}
        self.parts.unmapped = [
            replace(col, values=sum(col.header in extra for extra in rows[col.block])) for col in self.parts.unmapped
        ]

    def _extras(self, view: RowView) -> dict[str, str]:
        """This row's text in the columns no field takes, under their header text."""
        out: dict[str, str] = {}
        for header, label in self.extra_cols:
            text = cell_text(value_cell(view, header))
            if text is not None:
                out[label] = text
        return out

    def _mended_target(
        self,
        view: RowView,
        cols: dict[str, Cell],
        key: str,
        target: str | None,
        actual: str | None,
        weight: Decimal | None,
        score: Decimal | None,
    ) -> str | None:
        """A 年度指标值 whose ``≥`` OCR misread (``2 90%``, ``W90%``), mended and put on the audit trail."""
        cell = value_cell(view, cols[key]) if key in cols else None
        if target is None or cell is None:
            return target
        full_score = None if weight is None or score is None else score >= weight
        fixed = repair_target(target, actual, self.signs_seen, full_score)
        if fixed is None or fixed == target:
            return target
        self.parts.repairs.append(Repair(key, target, fixed, cell.page, cell.row, cell.box, "ocr"))
        return fixed

    def _mended_headers(self, cols: dict[str, Cell], table: Sequence[tuple[str, Sequence[str]]]) -> None:
        """Headers placed by :func:`fuzzy_field` go on the audit trail."""
        for name, cell in cols.items():
            if match_field(cell.text, table) is not None:
                continue
            near = fuzzy_field(cell.text, table)
            if near is not None:
                self.parts.repairs.append(
                    Repair(name, header_key(cell.text), near[1], cell.page, cell.row, cell.box, "ocr")
                )

    def _funds(self, r: int, head: Header) -> int:
        header = self.views[r]
        cols = head.cols
        parts = self.parts
        parts.has_fund_header = True
        parts.fund_scored = parts.fund_scored or "weight" in cols or "score" in cols
        header_cells = [c.text for view in self.views[r : head.body] for c in view.cells]
        unit = detect_unit([*header_cells, self.title]) or "万元"
        parts.amount_unit = unit
        first = min(cols.values(), key=lambda c: c.col)
        span_end = max((c.last_row for c in header.own() if c.col < first.col), default=r)
        lines: dict[str, FundLine] = {}
        extra: list[FundLine] = []
        row = head.body
        while row < len(self.views):
            view = self.views[row]
            labels = [c for c in view.own() if c.col < first.col]
            label = clean_text(labels[-1].text) if labels else None
            key = fund_row_key(label) if label else None
            if key is None and label and (near := fuzzy_field(strip_lead(label), vocab.FUND_ROWS)) is not None:
                key = near[0]  # a row label OCR misread (当年财政摄浆)
                misread = compact(label) or label
                lead = misread[: len(misread) - len(strip_lead(misread))]  # 其中: stays
                parts.repairs.append(Repair(key, misread, lead + near[1], labels[-1].page, row, labels[-1].box, "ocr"))
                label = lead + near[1]
            if key is None and not labels and row == head.body and row <= span_end and not lines:
                key, label = "total", "合计"  # one unlabelled value row under its header
            if key is None and row > span_end:
                break
            if key is not None and label is not None:
                line = fund_line(view, compact(label) or label, cols, unit, parts.repairs, self._extras(view))
                if key == "extra":
                    extra.append(line)
                elif key not in lines:
                    lines[key] = line
            elif labels:  # a row of the block no fund line is (按收入性质分: …): its text is kept
                keep_pairs([t for c in view.own() if (t := cell_text(c)) is not None], parts.extra)
            row += 1
        total = lines.get("total")
        if total is not None and total.weight is None and "weight" not in cols:
            stated = stated_points(header)
            if stated is not None:
                total = replace(total, weight=stated)
        lines["total"] = total  # type: ignore[assignment]
        parts.funds = Funds(
            total=total,
            current_appropriation=lines.get("current_appropriation"),
            prior_carryover=lines.get("prior_carryover"),
            other=lines.get("other"),
            extra=tuple(extra),
        )
        return row

    def _goals(self, r: int) -> bool:
        view = self.views[r]
        exp_cell = act_cell = None
        for cell in view.own():
            key = header_key(cell.text)
            if key in vocab.GOAL_EXPECTED:
                exp_cell = cell
            elif key in vocab.GOAL_ACTUAL:
                act_cell = cell
        if exp_cell is None or r + 1 >= len(self.views):
            return False
        below = self.views[r + 1]
        self.parts.goals = Goals(
            expected=cell_text(below.at(exp_cell.col)),
            actual=cell_text(below.at(act_cell.col)) if act_cell is not None else None,
        )
        for cell in view.own():  # a third goal column (全年(调整)绩效目标) is kept, not dropped
            if cell is exp_cell or cell is act_cell or cell.col < exp_cell.col:
                continue
            text = cell_text(below.at(cell.col))
            label = compact(cell.text)
            if text is not None and label:
                self.parts.extra.setdefault(label, text)
        return True

    def _lost_point(
        self, view: RowView, cols: dict[str, Cell], weight: Decimal | None, score: Decimal | None
    ) -> Decimal | None:
        """An OCR'd score that lost its decimal point, mended onto the audit trail (never on a text layer)."""
        cell = value_cell(view, cols["score"]) if "score" in cols else None
        if weight is None or score is None or cell is None or cell.confidence is None:
            return score
        fixed = lost_point(score, weight, compact(cell.text) or "")
        if fixed is None:
            return score
        self.parts.repairs.append(Repair("score", compact(cell.text) or "", str(fixed), cell.page, cell.row, cell.box, "ocr"))
        return fixed

    def _ocr_fix(self, kind: ValueKind, text: str, field_name: str, cell: Cell) -> str:
        """Mend OCR damage (``IO`` for 10, ``万兀``) where the column says what the value is."""
        fixed = repair_value(kind, text)
        if fixed is None or fixed == text:
            return text
        self.parts.repairs.append(Repair(field_name, text, fixed, cell.page, cell.row, cell.box, "ocr"))
        return fixed

    def _label(self, cell: Cell | None, field_name: str, vocab_words: Sequence[str], row: int) -> str | None:
        text = cell_text(cell)
        if text is None or cell is None:
            return None
        label, mended = canonical_label(text, vocab_words)
        if mended and label is not None and cell.row == row:
            self.parts.repairs.append(
                Repair(field_name, compact(split_stated_weight(text)[0]) or text, label, cell.page, cell.row, cell.box)
            )
        return label

    def _indicators(self, r: int, head: Header) -> int:
        cols = head.cols
        parts = self.parts
        parts.has_indicator_header = True
        # Whether other targets carry a comparator: a bare 290% among ≥ targets is a misread ≥90%.
        self.signs_seen = "target" in cols and any(
            parse_measure(cell_text(view.at(cols["target"].col))).comparator is not None for view in self.views[head.body :]
        )
        indicator_at: dict[int, int] = {}  # grid row → row of the indicator there
        level1 = level2 = None
        row = head.body
        while row < len(self.views):
            view = self.views[row]
            if _is_total_row(view):
                self._total(view, cols)
                return row + 1
            if _repeats_header(view, cols):
                row += 1  # a header row repeated inside the table
                continue
            name_cell = view.at(cols["name"].col) if "name" in cols else None
            if name_cell is not None and name_cell.row != row:
                row += 1
                continue
            values = {k: cell_text(value_cell(view, h)) for k, h in cols.items()}
            l1_cell = view.at(cols["level1"].col) if "level1" in cols else None
            l2_cell = view.at(cols["level2"].col) if "level2" in cols else None
            new_l1 = self._label(l1_cell, "level1", vocab.LEVEL1, row)
            new_l2 = self._label(l2_cell, "level2", vocab.LEVEL2, row)
            if new_l1 is not None:
                if new_l1 != level1:
                    level2 = None
                level1 = new_l1
                stated = split_stated_weight(compact(cell_text(l1_cell)) or "")[1]
                if stated is None and "level1_weight" in cols:
                    stated = parse_decimal(cell_text(view.at(cols["level1_weight"].col)))
                if stated is not None:
                    parts.level1_weights.setdefault(new_l1, stated)
            if new_l2 is not None:
                level2 = new_l2
            if not any(values.get(k) for k in ("target", "actual", "weight", "score")) and (
                not values.get("name") or is_placeholder(values.get("name"))
            ):
                row += 1  # an empty row, or the template's unfilled 指标2 / …… row
                continue
            indicator_at[row] = row
            parts.indicators.append(self._indicator(view, cols, level1, level2, indicator_at))
            row += 1
        return row

    def _indicator(
        self,
        view: RowView,
        cols: dict[str, Cell],
        level1: str | None,
        level2: str | None,
        indicator_at: dict[int, int],
    ) -> Indicator:
        row = view.row
        boxes: dict[str, Box] = {}
        for key, header in cols.items():
            cell = view.at(header.col)
            if cell is not None:
                boxes[key] = cell.box

        def own_text(key: str) -> str | None:
            if key not in cols:
                return None
            cell = value_cell(view, cols[key])
            text = cell_text(cell)
            if key == "name" and text is not None and cell is not None and cell.confidence is not None:
                fixed = repair_label(text)
                if fixed is not None:
                    self.parts.repairs.append(Repair(key, text, fixed, cell.page, cell.row, cell.box, "ocr"))
                    return fixed
            kind = OCR_KINDS.get(key)
            if kind is None or text is None or cell is None:
                return text
            return self._ocr_fix(kind, text, key, cell)

        group_row = None
        weight = score = None
        for key in ("weight", "score"):
            if key not in cols:
                continue
            cell = view.at(cols[key].col)
            if cell is not None and cell.row != row:
                group_row = indicator_at.get(cell.row, cell.row)
                continue
            value = parse_decimal(own_text(key))  # own_text mends OCR damage and records it
            if key == "weight":
                weight = value
            else:
                score = value
        score = self._lost_point(view, cols, weight, score)
        target_key = "target_adjusted" if own_text("target_adjusted") else "target"
        actual = own_text("actual")
        target = self._mended_target(view, cols, target_key, own_text(target_key), actual, weight, score)
        comparator = own_text("comparator")
        extra = self._extras(view)
        if "comparator" in cols:
            nature = cell_text(view.at(cols["comparator"].col))  # merged over a group: every row of it
            if nature is not None and parse_comparator(nature) is None:
                extra[compact(cols["comparator"].text) or "指标性质"] = nature  # 定量/定性: kept, not a comparator
        if comparator is not None and parse_comparator(comparator) is None:
            comparator = None
        unit = own_text("unit")
        target = _with_unit(target, unit)
        actual = _with_unit(actual, unit)
        if target is not None and comparator is not None and parse_comparator(target[:1]) is None:
            target = comparator + target
        name_cell = view.at(cols["name"].col) if "name" in cols else None
        page = name_cell.page if name_cell is not None else next(iter(boxes.values())).page
        name = own_text("name")  # once: an OCR mend of it goes on the audit trail once
        hint = None if unit else unit_hint(name)
        return Indicator(
            level1=level1,
            level2=level2,
            name=name,
            target=target,
            actual=actual,
            weight=weight,
            score=score,
            deviation_note=own_text("deviation_note"),
            page=page,
            row=row,
            target_parsed=with_hint(parse_measure(target), target, hint),
            actual_parsed=with_hint(parse_measure(actual), actual, hint),
            group_row=group_row,
            cells=boxes,
            extra=extra,
        )

    def _total(self, view: RowView, cols: dict[str, Cell]) -> None:
        parts = self.parts
        used: set[int] = set()
        for key in ("weight", "score"):
            if key in cols:
                cell = value_cell(view, cols[key])
                value = parse_decimal(cell_text(cell))
                if cell is not None:
                    used.add(id(cell))
                if key == "weight":
                    parts.total_weight = value
                    parts.total_weight_box = cell.box if cell is not None else None
                else:
                    parts.total_score = value
                    parts.total_box = cell.box if cell is not None else None
        for cell in view.own()[1:]:
            if id(cell) in used:
                continue
            grade = parse_grade(compact(cell.text))
            if grade is not None:
                parts.grade = grade
                parts.grade_box = cell.box
                break


def read_table(grid: Grid, title: str) -> TableParts:
    """Read one stitched grid; the title is the text printed just above it."""
    return _Reader(grid, title).read()
