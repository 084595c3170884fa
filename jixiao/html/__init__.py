"""The auditor's HTML report: one self-contained file (``jixiao check … --html REPORT.html``).

An overview of the batch (counts, four charts, a sortable table of reports),
the failed files with their reasons, and one collapsible section per report
with its findings, each beside a picture of the PDF page with the cells in
question boxed in red, and the parsed tables with those cells highlighted.
Pictures, charts, style and script are inlined: the file opens offline.

Example: ``write_html(jixiao.parse_many(["samples/"]), Path("report.html"))``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from jixiao.models import Record, Report
from jixiao.outputs.atomic import atomic_write


def write_html(records: Sequence[Record], path: Path, files: int | None = None, note: str | None = None) -> int:
    """Write the report for ``records`` (in input order) to ``path`` atomically; its size in bytes.

    ``files`` is the number of input files (defaults to the distinct source paths); ``note`` a line
    shown at the top (``jixiao check --html`` says there that a large batch's report holds only its
    first records).
    """
    # matplotlib and Pillow load only when a report is written.
    from jixiao.html.charts import overview_charts
    from jixiao.html.crops import CropRenderer
    from jixiao.html.render import document

    charts = overview_charts([r for r in records if isinstance(r, Report)])
    with CropRenderer() as renderer, atomic_write(path) as fh:
        for piece in document(records, charts, renderer.crops, files=files, note=note):
            fh.write(piece)
    return path.stat().st_size


__all__ = ["write_html"]
