"""Build the cross-report and profile samples: samples/sources/audit/**.txt -> samples/audit/**.pdf.

Run ``python samples/build_audit.py --sources`` to rewrite the text sources from the
figures below (hand-worked findings in samples/sources/README.md), and
``python samples/build_audit.py`` to render them with samples/build.py's machinery.

One unit (清河县文化旅游局) over two years, twice: ``consistent/`` agrees with itself
across reports; ``planted/`` differs from it in exactly three places, one per rule
across reports: the 2023 上年结转资金 (25.00, not 2022's unspent 20.00: carryover_chain),
the 2023 项目支出 (245.00, not 140.00 + 100.00: projects_vs_department) and a second
2022 table of project C with another 全年执行数 (228.00, not 230.00: duplicate_report).
``profiles/`` holds one Hubei-style project table that mof and hubei judge differently.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build  # noqa: E402

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "sources" / "audit"
OUT = HERE / "audit"
UNIT = "清河县文化旅游局"


def department(year: int, unit_cell: str, initial: str, carry: tuple[str, str, str], current: tuple[str, str, str],
               total: tuple[str, str, str], rates: tuple[str, str, str], score: str, basic: str, project: str,
               adjust: str, note: str) -> str:
    """A department report whose table and narrative agree (indicators fixed, weights 90 + fund 10)."""
    total_score = f"{float(score) + 90:.2f}"
    return f"""%% {note}

# {year} 年度{UNIT}整体支出绩效自评报告

### 一、部门基本情况
{UNIT}为县人民政府工作部门，负责全县文化、旅游和文物工作。

### 二、预算收支情况
{year} 年预算收入 {total[1]} 万元，其中年初预算 {initial} 万元，调整增加 {adjust} 万元。
{year} 年支出 {total[2]} 万元，其中基本支出 {basic} 万元，项目支出 {project} 万元。

### 三、绩效自评结论
经自评，部门整体支出绩效自评得分 {total_score} 分，等级为优。

@pagebreak
## {year} 年度部门整体支出绩效自评表

@table widths=42,46,48,70,50,46,40,30,43 font=9
部门名称 | {unit_cell} | < | < | < | < | < | < | <
资金情况（万元） | 年度资金总额 | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分 | <
^ | 合计 | {initial} | {total[1]} | {total[2]} | 10 | {rates[0]} | {score} | <
^ | 其中：当年财政拨款 | {current[0]} | {current[1]} | {current[2]} | — | {rates[1]} | — | <
^ | 上年结转资金 | {carry[0]} | {carry[1]} | {carry[2]} | — | {rates[2]} | — | <
^ | 其他资金 | 0.00 | 0.00 | 0.00 | — | — | — | <
绩效指标 | 一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因分析及改进措施
^ | 产出指标（50分） | 数量指标 | 文化下乡演出 | ≥120场 | 126场 | 20 | 20 |
^ | ^ | 质量指标 | 文物安全检查覆盖率 | 100% | 100% | 15 | 15 |
^ | ^ | 时效指标 | 资金拨付时间 | {year}年12月31日前 | {year}年12月20日 | 15 | 15 |
^ | 效益指标（30分） | 社会效益指标 | 接待游客人次增长 | ≥5% | 6.2% | 30 | 30 |
^ | 满意度指标（10分） | 服务对象满意度指标 | 群众满意度 | ≥90% | 95% | 10 | 10 |
总分 | < | < | < | < | < | 100 | {total_score} | 等级：优
@end
"""


def project(year: int, name: str, competent: str, budget: str, executed: str, rate: str, score: str, note: str) -> str:
    """A project table, all from current-year money, indicators fixed (weights 90 + fund 10)."""
    total_score = f"{float(score) + 90:.2f}"
    return f"""%% {note}

## {year} 年度项目支出绩效自评表

@table widths=42,48,56,60,48,46,40,32,43 font=9
项目名称 | {name} | < | < | < | < | < | < | <
主管部门 | {competent} | < | < | < | 实施单位 | {UNIT} | < | <
项目资金（万元） |  | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分 | <
^ | 年度资金总额 | {budget} | {budget} | {executed} | 10 | {rate} | {score} | <
^ | 其中：当年财政拨款 | {budget} | {budget} | {executed} | — | {rate} | — | <
^ | 上年结转资金 | 0.00 | 0.00 | 0.00 | — | — | — | <
^ | 其他资金 | 0.00 | 0.00 | 0.00 | — | — | — | <
绩效指标 | 一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因分析及改进措施
^ | 产出指标（50分） | 数量指标 | 完成活动场次 | ≥20场 | 22场 | 30 | 30 |
^ | ^ | 时效指标 | 完成时间 | {year}年12月底前 | {year}年11月30日 | 20 | 20 |
^ | 效益指标（30分） | 社会效益指标 | 受益群众人次 | ≥1万人次 | 1.2万人次 | 30 | 30 |
^ | 满意度指标（10分） | 服务对象满意度指标 | 群众满意度 | ≥90% | 96% | 10 | 10 |
总分 | < | < | < | < | < | 100 | {total_score} | 等级：优
@end
"""


HUBEI_STYLE = """%% A Hubei-style project table: the fund row prints no 分值 (得分 = 20 分 × 执行率), a ≤ target
%% overrun scored 7.8 (A/B × 10 = 8.00, (1 − (B − A)/A) × 10 = 7.50) and a 未达成 qualitative
%% indicator scored 5.5 of 10 (mof band 0–60%, Hubei 0–50%). Weights: fund 20 + indicators 80.

## 2023 年度项目支出绩效自评表

@table widths=42,48,56,60,48,46,40,32,43 font=9
项目名称 | 2023 年度乡村文化人才培训 | < | < | < | < | < | < | <
主管部门 | 清河县文化旅游局 | < | < | < | 实施单位 | 清河县文化馆 | < | <
项目资金（万元） |  | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分 | <
^ | 年度资金总额 | 100.00 | 100.00 | 100.00 | — | 100.00% | 20 | <
^ | 其中：当年财政拨款 | 100.00 | 100.00 | 100.00 | — | 100.00% | — | <
^ | 上年结转资金 | 0.00 | 0.00 | 0.00 | — | — | — | <
^ | 其他资金 | 0.00 | 0.00 | 0.00 | — | — | — | <
绩效指标 | 一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因分析及改进措施
^ | 产出指标（40分） | 数量指标 | 培训人次 | ≥500人次 | 520人次 | 10 | 10 |
^ | ^ | 质量指标 | 培训合格率 | ≥95% | 97% | 10 | 10 |
^ | ^ | 时效指标 | 完成时间 | 2023年12月底前 | 2023年11月30日 | 10 | 10 |
^ | ^ | 成本指标 | 培训场地租赁费 | ≤10万元 | 12.5万元 | 10 | 7.8 | 场地涨价，超支部分已报批
^ | 效益指标（30分） | 社会效益指标 | 学员意见整改 | 全部整改 | 未达成 | 10 | 5.5 | 两项意见待下年整改
^ | ^ | ^ | 学员就业率 | ≥80% | 85% | 10 | 10 |
^ | ^ | 可持续影响指标 | 培训长效机制 | 建立 | 已建立 | 10 | 10 |
^ | 满意度指标（10分） | 服务对象满意度指标 | 学员满意度 | ≥90% | 95% | 10 | 10 |
总分 | < | < | < | < | < | 100 | 93.3 | 等级：优
@end
"""


def sources() -> dict[str, str]:
    out: dict[str, str] = {}
    for twin in ("consistent", "planted"):
        planted = twin == "planted"
        out[f"{twin}/department-2022"] = department(
            2022, UNIT, "800.00", ("0.00", "0.00", "0.00"), ("800.00", "850.00", "830.00"),
            ("800.00", "850.00", "830.00"), ("97.65%", "97.65%", "—"), "9.76", "600.00", "230.00", "50.00",
            "2022: 850.00 budgeted, 830.00 spent, so 20.00 unspent; 项目支出 230.00 = project C's 230.00.",
        )
        if planted:
            out[f"{twin}/department-2023"] = department(
                2023, UNIT, "925.00", ("25.00", "25.00", "24.00"), ("900.00", "930.00", "921.00"),
                ("925.00", "955.00", "945.00"), ("98.95%", "99.03%", "96.00%"), "9.90", "700.00", "245.00", "30.00",
                "PLANTED: 上年结转资金 25.00 (2022 left 20.00) and 项目支出 245.00 (A 140.00 + B 100.00 = 240.00).",
            )
        else:
            out[f"{twin}/department-2023"] = department(
                2023, f"{UNIT}（盖章）", "920.00", ("20.00", "20.00", "19.00"), ("900.00", "930.00", "921.00"),
                ("920.00", "950.00", "940.00"), ("98.95%", "99.03%", "95.00%"), "9.89", "700.00", "240.00", "30.00",
                "Consistent: 上年结转资金 20.00 = 850.00 − 830.00; 项目支出 240.00 = 140.00 + 100.00; name with （盖章）.",
            )
        out[f"{twin}/project-a-2023"] = project(
            2023, "2023 年度公共文化服务下乡", "清河县 文化旅游局（盖章）", "150.00", "140.00", "93.33%", "9.33",
            "Project A 2023: executed 140.00; 主管部门 written with a space and （盖章）.",
        )
        out[f"{twin}/project-b-2023"] = project(
            2023, "2023 年度文物保护修缮", UNIT, "100.00", "100.00", "100.00%", "10",
            "Project B 2023: executed 100.00.",
        )
        out[f"{twin}/project-c-2022"] = project(
            2022, "2022 年度全域旅游宣传推广", UNIT, "230.00", "230.00", "100.00%", "10",
            "Project C 2022: executed 230.00 (the department's whole 项目支出 of 2022).",
        )
        if planted:
            out[f"{twin}/project-c-2022-reissued"] = project(
                2022, "2022年度全域旅游宣传推广", UNIT, "230.00", "228.00", "99.13%", "9.91",
                "PLANTED: project C 2022 a second time, executed 228.00 instead of 230.00.",
            )
        else:
            out[f"{twin}/project-c-2022-reissued"] = project(
                2022, "2022年度全域旅游宣传推广", "清河縣文化旅遊局", "230.00", "230.00", "100.00%", "10",
                "Consistent: project C 2022 again with the same figures, 主管部门 in Traditional characters.",
            )
    out["profiles/hubei-style-project"] = HUBEI_STYLE
    return out


def write_sources() -> None:
    for name, text in sources().items():
        path = SOURCES / f"{name}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def render_all() -> None:
    for src in sorted(SOURCES.rglob("*.txt")):
        doc = build.render(src.read_text(encoding="utf-8"), src.name)
        build.write(OUT / src.relative_to(SOURCES).with_suffix(".pdf"), build.pdf_bytes(doc))


if __name__ == "__main__":
    if "--sources" in sys.argv:
        write_sources()
    render_all()
