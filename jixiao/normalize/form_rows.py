"""The form's label | value rows outside its blocks: 项目名称 | X, 主管部门 | X | 实施单位 | Y …

Known labels fill the report's names (seal marks dropped, an OCR'd label a
character away placed by its nearest spelling); whatever else such a row says
is kept in ``extra`` as label → value pairs, never dropped.
"""

from __future__ import annotations

from decimal import Decimal

import regex

from jixiao.models import Repair
from jixiao.normalize import vocab
from jixiao.normalize.canon import header_key, nearest_key_label
from jixiao.normalize.header import RowView
from jixiao.normalize.labels import without_seal
from jixiao.normalize.numbers import parse_decimal
from jixiao.normalize.parts import TableParts, cell_text, right_of
from jixiao.normalize.text import compact

FUZZY_KEYS = (*vocab.PROJECT_LABELS, *vocab.COMPETENT_LABELS, *vocab.IMPLEMENTING_LABELS, "部门名称", "单位名称")
TITLE_TOTAL = regex.compile(r"(?:自评)?总得分\s*[:：]?\s*([0-9]+(?:\.[0-9]+)?)\s*分")
KNOWN_KEYS = frozenset(  # labels whose blank value is no extra text
    (*vocab.PROJECT_LABELS, *vocab.COMPETENT_LABELS, *vocab.IMPLEMENTING_LABELS, *vocab.DEPARTMENT_LABELS, *vocab.TOTAL_SCORE_LABELS)
)


def key_values(view: RowView, parts: TableParts) -> None:
    """Rows like ``项目名称 | X`` or ``主管部门 | X | 实施单位 | Y``.

    Whatever such a row says that no field takes (评价结论 | …, 存在问题 | …) is
    kept in ``parts.extra`` as label → value pairs (:func:`keep_pairs`), never dropped.
    """
    used: set[int] = set()
    for cell in view.own():
        if id(cell) in used:
            continue
        key = header_key(cell.text).replace("（", "(").replace("）", ")")
        key = key.removesuffix("(盖章)")
        target = right_of(view, cell)
        value = cell_text(target)
        if key not in KNOWN_KEYS and value is not None and (near := nearest_key_label(key, FUZZY_KEYS)) is not None:
            parts.repairs.append(Repair("label", key, near, cell.page, cell.row, cell.box, "ocr"))  # 实施第位
            key = near
        if key in KNOWN_KEYS:
            used.add(id(cell))  # a known label left blank is no extra text
        if value is None or target is None:
            continue
        name = without_seal(value)
        if key in vocab.PROJECT_LABELS:
            parts.project_name = name
        elif key in vocab.COMPETENT_LABELS:
            parts.competent_department = name
        elif key in vocab.IMPLEMENTING_LABELS:
            unit, _, person = name.partition("/") if "负责人" in key else (name, "", "")
            parts.implementing_unit = unit.strip() or name
            if person.strip():
                parts.extra.setdefault("项目负责人", person.strip())  # 项目实施单位/项目负责人 | 单位/姓名
        elif key in vocab.DEPARTMENT_LABELS or key.endswith(vocab.UNIT_LABEL_ENDINGS):
            parts.unit_name = name  # 区级预算单位名称 and the like
        elif key in vocab.TOTAL_SCORE_LABELS and parts.total_score is None:
            parts.total_score = parse_decimal(value)
            parts.total_box = target.box
        else:
            continue
        used.update((id(cell), id(target)))
    keep_pairs([text for c in view.own() if id(c) not in used and (text := cell_text(c)) is not None], parts.extra)


def keep_pairs(texts: list[str], extra: dict[str, str]) -> None:
    """A row's texts no field takes, kept as label → value pairs, as such rows are printed
    (a last label without a value keeps an empty one); a label seen before keeps its first value.

    Example: ``["部门联系人", "曾雪莲", "联系电话"]`` → ``{"部门联系人": "曾雪莲", "联系电话": ""}``.
    """
    for i in range(0, len(texts), 2):
        extra.setdefault(texts[i], texts[i + 1] if i + 1 < len(texts) else "")


def total_in_title(title: str) -> Decimal | None:
    """项目总得分99分, printed above the table.

    Example: ``total_in_title("项目总得分99分")`` → ``Decimal("99")``.
    """
    m = TITLE_TOTAL.search(compact(title) or "")
    return Decimal(m.group(1)) if m else None
