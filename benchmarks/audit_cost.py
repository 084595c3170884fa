"""What the driver's audit step costs next to parsing: ms per report.

    python benchmarks/audit_cost.py [--units 500]

Parses samples/audit/planted (six reports of one unit) and times that as the
baseline; then copies those reports for ``--units`` units (each copy with its own
paths and unit name, so every unit forms its own groups) and times
``jixiao.audit.judge`` over all of them: under ``mof`` (the checks across reports
only) and under ``hubei`` (every report re-judged, then the checks across
reports). Prints ms per report and the ratio to parsing, in the same run.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from pathlib import Path

from jixiao.audit import judge
from jixiao.inputs import expand
from jixiao.models import Record, Report
from jixiao.pipeline import parse_path
from jixiao.validate.profile import load_profile

PLANTED = Path(__file__).resolve().parent.parent / "samples" / "audit" / "planted"


def copies(reports: list[Report], units: int) -> list[Record]:
    out: list[Record] = []
    for n in range(units):
        for r in reports:
            path = f"unit{n}/{Path(r.source.path).name}"
            suffix = f"{n}分局"
            out.append(
                replace(
                    r,
                    source=replace(r.source, path=path),
                    unit_name=(r.unit_name or "") + suffix,
                    competent_department=(r.competent_department or "") + suffix if r.competent_department else None,
                )
            )
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=500)
    args = parser.parse_args()
    files = expand([PLANTED])
    t = time.perf_counter()
    reports = [r for f in files for r in parse_path(f) if isinstance(r, Report)]
    parse_ms = (time.perf_counter() - t) * 1000 / len(reports)
    records = copies(reports, args.units)
    print(f"parse (baseline): {parse_ms:.2f} ms per report over {len(reports)} reports")
    for name in ("mof", "hubei"):
        profile = load_profile(name)
        t = time.perf_counter()
        judged = judge(records, profile)
        ms = (time.perf_counter() - t) * 1000 / len(records)
        across = sum(1 for r in judged if isinstance(r, Report) for f in r.findings if f.scope == "batch")
        print(
            f"judge {name:<5}: {ms:.3f} ms per report over {len(records)} reports "
            f"({across} findings across reports) = {ms / parse_ms:.1%} of parsing"
        )


if __name__ == "__main__":
    main()
