"""The rule catalog of SPEC §3: fixed ids, severities and what each checks.

Ids are a public contract (users filter spreadsheets by them), so they live
in one table and every finding takes its severity from here.
"""

from __future__ import annotations

from jixiao.models import Severity

CATALOG: dict[str, tuple[Severity, str, str]] = {
    "fund_sources_sum": ("error", "资金来源合计不等于年度资金总额", "fund sources do not add up to the total"),
    "execution_rate": ("error", "执行率与执行数/预算数不符", "stated execution rate ≠ executed / budget"),
    "execution_score": ("error", "资金执行得分与分值×执行率不符", "fund score ≠ weight × min(rate, 1)"),
    "over_execution": ("warning", "执行数超过全年预算数", "executed exceeds the annual budget"),
    "score_range": ("error", "得分超出 0～分值 范围", "score outside 0..weight"),
    "level1_weight_sum": ("error", "一级指标下分值合计与标注分值不符", "weights under a level-1 indicator ≠ its stated weight"),
    "weight_total": ("error", "分值合计不等于总分值", "weights do not add up to the stated total"),
    "score_total": ("error", "得分合计不等于总分", "scores do not add up to the stated total score"),
    "grade_band": ("error", "等级与总分不符", "stated grade does not fit the stated total"),
    "grade_recomputed": ("warning", "等级与重算总分不符", "stated grade does not fit the recomputed total"),
    "target_not_met_full_score": ("warning", "未达指标值却给满分", "target missed yet full weight given"),
    "score_formula": ("warning", "得分高于按完成比例计算的分数", "score above weight × actual / target"),
    "deduction_unexplained": ("warning", "扣分但未说明偏差原因", "points deducted without a stated reason"),
    "indicator_kind": ("warning", "指标值与二级指标类型不符", "value does not fit its level-2 indicator"),
    "narrative_vs_table": ("error", "报告正文金额与自评表不符", "narrative amount differs from the table"),
    "narrative_sum": ("error", "报告正文数字不能相加吻合", "narrative figures do not add up"),
    "missing_field": ("warning", "缺少必填内容", "a required field is missing or unreadable"),
    "repaired_cell": ("info", "单元格内容被截断或损坏，已修复", "a cut-short or damaged cell was repaired"),
    "unmapped_column": ("info", "表格中有无法对应字段的列，内容保留在 extra", "a column matches no field; its values are kept in extra"),
    # Checks across reports (jixiao.validate.across): over one batch, or the batch and the store.
    "duplicate_report": ("warning", "同一单位同一年度同类报告出现两份且数字不同", "the same unit, year and kind reported twice with different figures"),
    "projects_vs_department": ("warning", "部门项目支出与其项目自评表执行数合计不符", "department's project spending ≠ its project tables' executed sum"),
    "carryover_chain": ("warning", "上年结转资金与上年报告的结余不符", "carryover ≠ last year's unspent balance"),
}
