"""Ruling lines → table grids with row/column spans.

A chain of small pure steps, after pdfplumber's table finder:
``drawings_to_segments`` → ``segments_to_clusters`` (one per table) →
``cluster_to_grid`` (edge positions, which borders exist, merged cells).
We do it on PyMuPDF's vector paths rather than calling pdfplumber because it
is an order of magnitude faster and gives the spans directly, which
pdfplumber's cell list leaves to the caller.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import pairwise
from typing import Any, NamedTuple

from jixiao.models import Box

_new_tuple = tuple.__new__  # builds a RawCell without the named tuple's Python-level __new__
SNAP = 2.0  # points: lines closer than this are one line (Word draws borders twice)
THIN = 2.5  # a filled rectangle thinner than this is a ruling line
COVER = 0.7  # share of a cell side a line must cover to count as a border
MIN_TABLE_SIDE = 15.0


class Segment(NamedTuple):
    """A horizontal (``y0 == y1``) or vertical (``x0 == x1``) ruling line.

    A named tuple: a page's paths give hundreds, built faster as tuples.
    """

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def horizontal(self) -> bool:
        return self.y0 == self.y1


class RawCell(NamedTuple):
    """A merged cell in grid units and points (a named tuple: a table makes hundreds)."""

    row: int
    col: int
    rowspan: int
    colspan: int
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True)
class RawGrid:
    xs: tuple[float, ...]
    ys: tuple[float, ...]
    cells: tuple[RawCell, ...]

    @cached_property
    def cell_at(self) -> dict[tuple[int, int], int]:
        """(row, col) of every elementary cell → index of the (merged) cell covering it."""
        out: dict[tuple[int, int], int] = {}
        for i, rc in enumerate(self.cells):
            for r in range(rc.row, rc.row + rc.rowspan):
                for c in range(rc.col, rc.col + rc.colspan):
                    out[(r, c)] = i
        return out


def axis_segment(x0: float, y0: float, x1: float, y1: float) -> Segment | None:
    """Keep only axis-aligned strokes; diagonal lines are not table borders."""
    if abs(y1 - y0) <= 1.0 and abs(x1 - x0) > 1.0:
        y = (y0 + y1) / 2
        return Segment(min(x0, x1), y, max(x0, x1), y)
    if abs(x1 - x0) <= 1.0 and abs(y1 - y0) > 1.0:
        x = (x0 + x1) / 2
        return Segment(x, min(y0, y1), x, max(y0, y1))
    return None


def rect_to_segments(x0: float, y0: float, x1: float, y1: float) -> list[Segment]:
    """A thin filled rectangle is one line; a larger one contributes its four sides."""
    w, h = x1 - x0, y1 - y0
    if h <= THIN and w > THIN:
        return [Segment(x0, (y0 + y1) / 2, x1, (y0 + y1) / 2)]
    if w <= THIN and h > THIN:
        return [Segment((x0 + x1) / 2, y0, (x0 + x1) / 2, y1)]
    if w <= THIN and h <= THIN:
        return []
    return [
        Segment(x0, y0, x1, y0),
        Segment(x0, y1, x1, y1),
        Segment(x0, y0, x0, y1),
        Segment(x1, y0, x1, y1),
    ]


def drawings_to_segments(drawings: Iterable[dict[str, Any]]) -> list[Segment]:
    """PyMuPDF paths → axis-aligned segments.

    Takes ``get_cdrawings()`` (plain tuples, several times faster) as well as
    ``get_drawings()`` (Point/Rect/Quad objects, which index the same way).
    """
    out: list[Segment] = []
    for path in drawings:
        for item in path.get("items") or ():
            op = item[0]
            if op == "l":
                p, q = item[1], item[2]
                seg = axis_segment(p[0], p[1], q[0], q[1])
                if seg:
                    out.append(seg)
            elif op == "re":
                r = item[1]
                out.extend(rect_to_segments(r[0], r[1], r[2], r[3]))
            elif op == "qu":
                points = [item[1][k] for k in range(4)]
                xs, ys = [pt[0] for pt in points], [pt[1] for pt in points]
                out.extend(rect_to_segments(min(xs), min(ys), max(xs), max(ys)))
    return out


def snap_positions(values: Iterable[float], tol: float = SNAP) -> list[float]:
    """Cluster nearly equal coordinates; each cluster is represented by its mean."""
    ordered = sorted(values)
    groups: list[list[float]] = []
    for v in ordered:
        if groups and v - groups[-1][-1] <= tol:
            groups[-1].append(v)
        else:
            groups.append([v])
    return [sum(g) / len(g) for g in groups]


def _nearest(positions: Sequence[float], v: float) -> int:
    """Index of the position nearest ``v`` (the lower one on a tie); ``positions`` ascend."""
    i = bisect_left(positions, v)
    if i == 0:
        return 0
    if i == len(positions) or abs(positions[i - 1] - v) <= abs(positions[i] - v):
        return i - 1
    return i


def segments_to_clusters(segments: Sequence[Segment]) -> list[list[Segment]]:
    """Group segments that touch (directly or through others): one group per table."""
    n = len(segments)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    hs = [i for i, s in enumerate(segments) if s.horizontal]
    vs = [i for i, s in enumerate(segments) if not s.horizontal]
    vs_sorted = sorted(vs, key=lambda i: segments[i].x0)
    # The verticals by x, with their reach in y: a horizontal's candidates start where its
    # left end minus SNAP falls among them (bisect), not at the page's left edge.
    v_xs = [segments[j].x0 for j in vs_sorted]
    v_reach = [(j, segments[j].y0 - SNAP, segments[j].y1 + SNAP) for j in vs_sorted]
    for i in hs:
        h = segments[i]
        right, y = h.x1 + SNAP, h.y0
        for k in range(bisect_left(v_xs, h.x0 - SNAP), len(v_xs)):
            if v_xs[k] > right:
                break
            j, low, high = v_reach[k]
            if low <= y <= high:
                ri, rj = find(i), find(j)
                if ri != rj:
                    parent[ri] = rj
    groups: dict[int, list[Segment]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(segments[i])
    out = []
    for group in groups.values():
        n_h = sum(1 for s in group if s.horizontal)
        n_v = len(group) - n_h
        if n_h >= 2 and n_v >= 2:
            out.append(group)
    out.sort(key=lambda g: (min(s.y0 for s in g), min(s.x0 for s in g)))
    return out


def _merged_intervals(intervals: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
    merged: list[list[float]] = []
    for a, b in sorted(intervals):
        if merged and a <= merged[-1][1] + SNAP:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [(a, b) for a, b in merged]


def _coverage(intervals: Sequence[tuple[float, float]], edges: Sequence[float]) -> list[bool]:
    """For each span [edges[i], edges[i+1]]: do the merged intervals cover most of it?

    One sweep: the intervals are sorted and disjoint (``_merged_intervals``) and
    the edges ascend, so an interval that ends before one span starts ends
    before every later span too.
    """
    n = len(intervals)
    if n == 1 and intervals[0][0] <= edges[0] and intervals[0][1] >= edges[-1]:
        return [True] * (len(edges) - 1)  # one stroke along the whole table: most lines
    if n == 0:
        return [False] * (len(edges) - 1)  # no stroke: edges ascend, so no span is covered
    out = []
    first = 0
    for a, b in pairwise(edges):
        while first < n and intervals[first][1] <= a:
            first += 1
        got = 0.0
        for k in range(first, n):
            lo, hi = intervals[k]
            if lo >= b:
                break
            got += (hi if hi < b else b) - (lo if lo > a else a)
        out.append(got >= (b - a) * COVER)
    return out


def cluster_to_grid(segments: Sequence[Segment]) -> RawGrid | None:
    """Edge positions → elementary cells → merged cells by missing borders."""
    hsegs = [s for s in segments if s.horizontal]
    vsegs = [s for s in segments if not s.horizontal]
    ys = snap_positions([s.y0 for s in hsegs])
    xs = snap_positions([s.x0 for s in vsegs])
    # Tables drawn without outer side borders: the horizontal lines' ends bound them.
    left, right = min(s.x0 for s in hsegs), max(s.x1 for s in hsegs)
    if left < xs[0] - SNAP * 2:
        xs.insert(0, left)
    if right > xs[-1] + SNAP * 2:
        xs.append(right)
    if len(xs) < 2 or len(ys) < 2:
        return None
    if xs[-1] - xs[0] < MIN_TABLE_SIDE or ys[-1] - ys[0] < MIN_TABLE_SIDE:
        return None
    h_at: dict[int, list[tuple[float, float]]] = {}
    for s in hsegs:
        h_at.setdefault(_nearest(ys, s.y0), []).append((s.x0, s.x1))
    v_at: dict[int, list[tuple[float, float]]] = {}
    for s in vsegs:
        v_at.setdefault(_nearest(xs, s.x0), []).append((s.y0, s.y1))
    h_lines = {k: _merged_intervals(v) for k, v in h_at.items()}
    v_lines = {k: _merged_intervals(v) for k, v in v_at.items()}
    # Outer edges added from horizontal extents count as borders everywhere.
    for k in (0, len(xs) - 1):
        v_lines.setdefault(k, [(ys[0], ys[-1])])

    nr, nc = len(ys) - 1, len(xs) - 1
    parent = list(range(nr * nc))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    # Which elementary sides have a border: one pass per line, not one lookup per cell side.
    for c in range(nc - 1):  # the column line right of column c, row by row
        for r, border in enumerate(_coverage(v_lines.get(c + 1, ()), ys)):
            if not border:
                union(r * nc + c, r * nc + c + 1)
    for r in range(nr - 1):  # the row line below row r, column by column
        for c, border in enumerate(_coverage(h_lines.get(r + 1, ()), xs)):
            if not border:
                union(r * nc + c, (r + 1) * nc + c)
    # Row by row, so a merged cell's first row is where it is first seen and its last row where it is last seen.
    spans: dict[int, list[int]] = {}
    i = 0
    for r in range(nr):
        for c in range(nc):
            root = parent[i]  # find(i) inline, without shortening the path: the same root
            while parent[root] != root:
                root = parent[root]
            i += 1
            box = spans.get(root)
            if box is None:
                spans[root] = [r, c, r, c]
                continue
            if c < box[1]:
                box[1] = c
            box[2] = r
            if c > box[3]:
                box[3] = c
    cells = [
        _new_tuple(RawCell, (r0, c0, r1 - r0 + 1, c1 - c0 + 1, xs[c0], ys[r0], xs[c1 + 1], ys[r1 + 1]))
        for r0, c0, r1, c1 in spans.values()
    ]
    cells.sort(key=lambda k: (k.row, k.col))
    return RawGrid(tuple(xs), tuple(ys), tuple(cells))


def grid_box(grid: RawGrid, page: int) -> Box:
    return Box(page, grid.xs[0], grid.ys[0], grid.xs[-1], grid.ys[-1])
