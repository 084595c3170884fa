"""The template's words: header synonyms and canonical indicator labels.

Provinces rename columns and rows (SPEC §1); every name we accept lives here so
adding a variant is a data change. Keys are English field names, values the
Chinese spellings, matched on text with all spaces and brackets' contents
removed. Order matters where one spelling contains another (``年初预算数``
must be tried before ``预算数``).
"""

from __future__ import annotations

FUND_COLUMNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("initial_budget", ("年初预算数", "年初预算")),
    ("execution_rate", ("预算执行率", "执行率")),
    ("executed", ("全年执行数", "预算执行数", "执行数", "实际支出数", "全年实际执行数")),
    ("annual_budget", ("全年预算数", "调整后预算数", "全年调整预算数", "调整预算数", "预算数")),
    ("weight", ("分值", "权重", "执行率权重", "指标权重")),
    ("score", ("得分", "执行率得分")),
    ("note", ("原因", "偏差原因", "原因分析", "偏差原因分析", "情况说明", "备注")),
)

# Fund columns read but given no field of their own: their text is kept in each line's ``extra``.
UNFIELDED_FUND_COLUMNS = ("note",)

FUND_ROWS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("total", ("年度资金总额", "资金总额", "年度财政资金总额", "合计", "总额", "总计")),
    ("current_appropriation", ("当年财政拨款", "本年财政拨款", "财政资金", "财政拨款")),
    ("prior_carryover", ("上年结转资金", "上年结转", "上年结余结转资金", "上年结余结转")),
    ("other", ("其他资金",)),
)

# Rows of the fund block that are not among the four standard ones but are real sources.
EXTRA_FUND_ROWS = ("财政专户管理资金", "单位资金", "单位自有资金", "社会资金")
# Any other row label of the fund block ending so is a source too (transfer-payment forms'
# 中央财政资金 / 地方财政资金, 省级资金 …): kept as an ``extra`` line, never dropped.
FUND_SOURCE_ENDINGS = ("资金", "拨款", "补助")

INDICATOR_COLUMNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("level1", ("一级指标",)),
    ("level2", ("二级指标",)),
    ("name", ("三级指标", "指标名称", "绩效指标名称")),
    ("comparator", ("指标性质",)),
    ("unit", ("度量单位", "计量单位")),
    # Columns read but not mapped onto a field; listed so that prefix matching
    # never takes them for another column (得分系数 is not 得分).
    ("score_ratio", ("得分系数",)),
    ("core", ("是否核心指标",)),
    ("method", ("得分计算方法", "评分标准", "评价标准", "指标说明及评分标准", "指标解释", "指标说明")),
    ("serial", ("序号",)),
    ("target_adjusted", ("调整指标值", "全年调整指标值")),
    ("target", ("年度指标值", "年初指标值", "年初目标值", "预期指标值", "年度目标值", "指标值", "目标值")),
    ("actual", ("实际完成值", "全年实际完成值", "全年完成值", "全年实际值", "完成值", "实际值")),
    ("weight", ("分值", "权重", "指标权重", "指标分值", "参考分值")),
    ("score", ("得分", "指标得分", "自评得分")),
    ("deviation_note", ("偏差原因分析及改进措施", "偏差原因分析", "未完成原因分析", "偏差原因", "原因分析")),
)

# Indicator columns read but given no field of their own: their text is kept in each row's ``extra``.
UNFIELDED_INDICATOR_COLUMNS = ("score_ratio", "core", "method", "serial")

LEVEL1 = (
    "产出指标", "效益指标", "满意度指标", "成本指标", "投入", "过程", "产出", "效果", "决策", "管理",
    # Ningxia's framework: 项目决策 / 项目管理 / 项目产出 / 项目效益
    "项目决策", "项目管理", "项目产出", "项目效益",
)

LEVEL2 = (
    "数量指标",
    "质量指标",
    "时效指标",
    "成本指标",
    "经济成本指标",
    "社会成本指标",
    "生态环境成本指标",
    "经济效益指标",
    "社会效益指标",
    "生态效益指标",
    "可持续影响指标",
    "服务对象满意度指标",
)

TOTAL_ROW = ("总分", "合计", "总计", "自评总分")
TOTAL_SCORE_LABELS = ("自评总分", "自评得分", "总分")
GRADE_WORDS = ("优", "良", "中", "差")
DEPARTMENT_LABELS = ("部门名称", "单位名称", "部门(单位)名称", "预算单位", "单位", "部门", "填报单位")
UNIT_LABEL_ENDINGS = ("预算单位名称", "部门名称")  # 区级预算单位名称, 县级部门名称 …
PROJECT_LABELS = ("项目名称", "转移支付名称", "转移支付项目名称", "专项资金名称", "资金名称")
COMPETENT_LABELS = ("主管部门", "地方主管部门", "项目主管部门", "市县主管部门")
IMPLEMENTING_LABELS = ("实施单位", "项目实施单位", "资金使用单位", "项目实施单位/项目负责人", "实施单位/项目负责人")
GOAL_EXPECTED = ("预期目标", "年度目标", "年初绩效目标", "项目年度目标")
GOAL_ACTUAL = ("实际完成情况", "年度目标完成情况", "全年目标实际完成情况")

# Indicators whose name says "the less the better": a target written without a
# comparator is then an upper limit (预算调整率 3% → 0% meets it).
LOWER_IS_BETTER = (
    "控制率", "控制数", "变动率", "调整率", "结余率", "结转率", "结转结余", "超支", "投诉", "事故",
    "发生率", "差错", "违规", "违纪", "超标", "闲置", "偏差", "损失", "浪费", "拖欠", "逾期",
)

# Captions of a form's blocks, printed down the side or above them (brackets removed):
# labels of the form, not values, so a reader owes them no field.
BLOCK_LABELS = (
    "资金情况", "项目资金", "预算执行情况", "部门预算执行情况", "年度预算数", "资金投入情况", "绩效指标",
    "年度总体目标", "当年绩效目标", "总体目标完成情况", "项目基本情况", "年度绩效目标", "年度预算申请", "其中",
)
