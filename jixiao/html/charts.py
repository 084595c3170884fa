"""The overview's four charts, drawn with matplotlib (no pyplot, no display) as SVG.

Each chart is a pure function of the reports: total-score distribution,
execution-rate histogram, grade counts, and stated against recomputed total.
Text is drawn as paths, so the SVG needs no font where it is opened.
"""

from __future__ import annotations

import io
import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from jixiao.html.fonts import families
from jixiao.models import Report
from jixiao.validate.scores import GRADE_BANDS, recomputed_total

SIZE_IN = (5.2, 3.3)
BLUE, RED, GREY = "#3b6ea8", "#c62828", "#9e9e9e"
GRADES = tuple(g for _, g in GRADE_BANDS)
NO_GRADE = "未写\nnone"


@dataclass(frozen=True)
class Chart:
    key: str
    title_zh: str
    title_en: str
    svg: bytes


def _edges(values: Sequence[float], step: float) -> list[float]:
    """Bin edges ``step`` apart covering ``values``."""
    low = math.floor(min(values) / step) * step
    high = math.ceil(max(values) / step) * step
    if high <= low:
        high = low + step
    return [low + i * step for i in range(round((high - low) / step) + 1)]


def _no_data(ax: Axes) -> None:
    ax.text(0.5, 0.5, "无数据 / no data", ha="center", va="center", transform=ax.transAxes, color=GREY, fontsize=12)
    ax.set_xticks([])
    ax.set_yticks([])


def total_scores(ax: Axes, reports: Sequence[Report]) -> None:
    stated = [float(r.total_score) for r in reports if r.total_score is not None]
    if not stated:
        _no_data(ax)
        return
    ax.hist(stated, bins=_edges(stated, 5), color=BLUE, edgecolor="white")
    for low, _ in GRADE_BANDS[:-1]:
        ax.axvline(float(low), color=GREY, linestyle=":", linewidth=1)
    ax.set_xlabel("表中总分 stated total score")
    ax.set_ylabel("报告数 reports")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))


def execution_rates(ax: Axes, reports: Sequence[Report]) -> None:
    rates = [
        float(r.funds.total.execution_rate * 100)
        for r in reports
        if r.funds.total is not None and r.funds.total.execution_rate is not None
    ]
    if not rates:
        _no_data(ax)
        return
    ax.hist(rates, bins=_edges(rates, 2.5), color=BLUE, edgecolor="white")
    ax.axvline(100, color=RED, linestyle="--", linewidth=1)
    ax.set_xlabel("执行率 execution rate (%)")
    ax.set_ylabel("报告数 reports")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))


def grade_counts(ax: Axes, reports: Sequence[Report]) -> None:
    if not reports:
        _no_data(ax)
        return
    counts = Counter(r.grade if r.grade in GRADES else NO_GRADE for r in reports)
    labels = [*GRADES, NO_GRADE]
    heights = [counts[g] for g in labels]
    bars = ax.bar(range(len(labels)), heights, color=[BLUE] * len(GRADES) + [GREY])
    ax.bar_label(bars, padding=2)
    ax.set_xticks(range(len(labels)), labels)
    ax.set_ylabel("报告数 reports")
    ax.set_xlabel("表中等级 stated grade")
    ax.set_ylim(0, max(heights) * 1.2 + 0.5)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))


def stated_vs_recomputed(ax: Axes, reports: Sequence[Report]) -> None:
    points: list[tuple[float, float, bool]] = []
    for r in reports:
        recomputed = recomputed_total(r)
        if r.total_score is None or recomputed is None:
            continue
        flagged = any(f.rule == "score_total" for f in r.findings)
        points.append((float(r.total_score), float(recomputed), flagged))
    if not points:
        _no_data(ax)
        return
    values = [v for x, y, _ in points for v in (x, y)]
    low, high = min(values) - 5, max(values) + 5
    ax.plot([low, high], [low, high], color=GREY, linestyle=":", linewidth=1)
    for flagged, colour, marker, label in ((False, BLUE, "o", "相符 consistent"), (True, RED, "x", "不符 score_total")):
        xs = [x for x, _, f in points if f == flagged]
        ys = [y for _, y, f in points if f == flagged]
        if xs:
            ax.scatter(xs, ys, s=24, color=colour, marker=marker, alpha=0.8, label=label)
    ax.set_xlim(low, high)
    ax.set_ylim(low, high)
    ax.set_xlabel("表中总分 stated total")
    ax.set_ylabel("重算总分 recomputed total")
    ax.legend(loc="upper left", fontsize=8, frameon=False)


CHARTS: tuple[tuple[str, str, str, Callable[[Axes, Sequence[Report]], None]], ...] = (
    ("total-scores", "总分分布", "total score distribution", total_scores),
    ("execution-rates", "执行率分布", "execution rate histogram", execution_rates),
    ("grades", "等级数量", "grade counts", grade_counts),
    ("stated-vs-recomputed", "表中总分与重算总分", "stated vs recomputed total", stated_vs_recomputed),
)


def to_svg(draw: Callable[[Axes, Sequence[Report]], None], reports: Sequence[Report]) -> bytes:
    """One chart as SVG bytes, text drawn as paths."""
    with matplotlib.rc_context(
        {"font.family": families(), "svg.fonttype": "path", "svg.hashsalt": "jixiao", "axes.unicode_minus": False}
    ):
        fig = Figure(figsize=SIZE_IN, layout="constrained")
        ax = fig.add_subplot()
        ax.spines[["top", "right"]].set_visible(False)
        draw(ax, reports)
        out = io.BytesIO()
        fig.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()


def overview_charts(reports: Sequence[Report]) -> list[Chart]:
    """The four overview charts for ``reports``."""
    return [Chart(key, zh, en, to_svg(draw, reports)) for key, zh, en, draw in CHARTS]

