"""A batch as a stream of per-file steps, so that no step holds every record (``check`` / ``extract``).

Each file's records come in input order (:func:`jixiao.runner.iter_batch`, or
:func:`jixiao.store.iter_incremental` with ``--db``) and are judged under the profile,
kept in a spill file on disk (:class:`Spill`) and summarised for the checks across reports
(:class:`AcrossIndex`). Those checks need the whole batch: a later file can add a finding to
an earlier report (a department's report before its project tables, 2023 before 2022), and
that finding is part of the earlier report's JSON line, spreadsheet rows and counts. So when
the parse ends the findings across reports are worked out one unit at a time from slim copies
of the reports (:func:`slim`: only what those checks read), and the records are read back in
input order, given their findings across reports and their reviews, and handed one file at a
time to the printer, every output writer and the run summary's counts.

What stays in memory: the batch runner's reorder window, one unit's slim reports, the findings
across reports themselves, and one small list of spill offsets per unit; not the records.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from typing import IO, TYPE_CHECKING, Any

from jixiao.models import Finding, Funds, Goals, Narrative, Record, Report
from jixiao.runner import Done
from jixiao.validate import validate
from jixiao.validate.across import Key, across_findings, unit_of
from jixiao.validate.profile import MOF, Profile

if TYPE_CHECKING:
    from jixiao.store import Store

#: Files whose reviews are fetched from the store in one query.
REVIEW_CHUNK = 256
#: Files whose findings one ``replace_findings`` call rewrites (a profile other than the workers').
FINDINGS_CHUNK = 1024


class Spill:
    """Items pickled one after another into an anonymous temporary file (gone when closed),
    read back in order (:meth:`__iter__`) or one by one (:meth:`at`, by the offset :meth:`add` gave)."""

    def __init__(self) -> None:
        self._fh: IO[bytes] = tempfile.TemporaryFile(prefix="jixiao-spill-")
        self.count = 0

    def add(self, item: Any) -> int:
        offset = self._fh.seek(0, 2)
        pickle.dump(item, self._fh, protocol=pickle.HIGHEST_PROTOCOL)
        self.count += 1
        return offset

    def at(self, offset: int) -> Any:
        self._fh.seek(offset)
        return pickle.load(self._fh)

    def __iter__(self) -> Iterator[Any]:
        offset = 0
        for _ in range(self.count):
            self._fh.seek(offset)  # each time: reading elsewhere between two items is allowed
            item = pickle.load(self._fh)
            offset = self._fh.tell()
            yield item

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> Spill:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def judge_file(records: Sequence[Record], profile: Profile) -> list[Record]:
    """One file's records re-judged under ``profile`` (the workers judged them under ``mof``)."""
    if profile == MOF:
        return list(records)
    return [replace(r, findings=validate(r, profile)) if isinstance(r, Report) else r for r in records]


def slim(report: Report) -> Report:
    """``report`` with only what the checks across reports read (names, year, pages, the 资金 total and
    prior-year carryover lines, the narrative's project spending, the total score): their findings
    come out the same, at a fraction of the memory."""
    figure = report.narrative.figures.get("project_expenditure")
    funds = report.funds
    return replace(
        report,
        source=replace(report.source, fragments=(), ocr_pages=(), sheets=()),
        funds=Funds(
            total=replace(funds.total, extra={}) if funds.total else None,
            prior_carryover=replace(funds.prior_carryover, extra={}) if funds.prior_carryover else None,
        ),
        goals=Goals(),
        indicators=(),
        level1_weights={},
        narrative=Narrative(figures={"project_expenditure": figure} if figure else {}),
        repairs=(),
        findings=(),
        unmapped_columns=(),
        ocr_readings=(),
        extra={},
    )


class AcrossIndex:
    """The reports of a batch (and of the store's other files) grouped by unit, as slim copies on disk.

    Every check across reports compares reports of one unit only (:func:`jixiao.validate.across.unit_of`),
    so checking unit by unit finds exactly what checking the whole batch at once finds, in the same
    order, while only one unit's reports are in memory. A unit with a single report has nothing to
    compare and is skipped.
    """

    def __init__(self) -> None:
        self._spill = Spill()
        self._units: dict[str, tuple[list[int], list[int]]] = {}  # unit → (batch offsets, context offsets)

    def add(self, records: Iterable[Record], in_batch: bool = True) -> None:
        for r in records:
            if not isinstance(r, Report) or r.source.duplicate_of is not None:
                continue
            unit = unit_of(r)
            if unit is None:
                continue
            self._units.setdefault(unit, ([], []))[0 if in_batch else 1].append(self._spill.add(slim(r)))

    def findings(self, profile: Profile) -> dict[Key, list[Finding]]:
        """Findings across reports keyed by the batch report each is attached to (as
        :func:`~jixiao.validate.across.across_findings` over the whole batch)."""
        out: dict[Key, list[Finding]] = {}
        for batch, context in self._units.values():
            if not batch or len(batch) + len(context) < 2:
                continue
            found = across_findings(
                [self._spill.at(o) for o in batch], [self._spill.at(o) for o in context], profile
            )
            for key, more in found.items():
                out.setdefault(key, []).extend(more)
        return out

    def close(self) -> None:
        self._spill.close()
        self._units.clear()


def with_found(records: Sequence[Record], found: dict[Key, list[Finding]]) -> list[Record]:
    """One file's records with their findings across reports added (a copy gets its original's),
    as :func:`jixiao.validate.across.with_across` adds them."""
    if not found:
        return list(records)
    out: list[Record] = []
    for r in records:
        if isinstance(r, Report):
            extra = found.get((r.source.duplicate_of or r.source.path, r.table_index), [])
            if extra:
                r = replace(r, findings=(*r.findings, *extra))
        out.append(r)
    return out


def store_findings(
    store: Store, run_id: int, dones: Iterable[Done], found: dict[Key, list[Finding]], rejudged: bool
) -> None:
    """Write the driver's findings to the store (``read_db`` shows them, ``--new-only`` knows which are
    new): those across reports, and under a profile other than the workers' (``rejudged``) every
    report's, a chunk of files at a time. ``dones`` are the spilled files, read only when needed."""
    from jixiao.audit import finding_rows

    across: list[tuple[str, dict[str, Any]]] = []
    if found:
        for done in dones:
            if any(isinstance(r, Report) and (r.source.duplicate_of or r.source.path, r.table_index) in found
                   for r in done.records):
                across.extend(finding_rows(with_found(done.records, found)))
    # Each call replaces every finding across reports with the ones it is given: each is given
    # all of this run's, so a finding seen in an earlier run keeps its first_seen_run.
    if rejudged:
        for chunk in chunks(dones, FINDINGS_CHUNK):
            rows = [
                (path, row) for done in chunk
                for path, row in finding_rows(with_found(done.records, found), only_batch=False)
                if row["scope"] != "batch"
            ]
            store.replace_findings(run_id, [str(d.path) for d in chunk], [*rows, *across])
    # Skipped where there are none to put and none to take away (it reads every stored fingerprint).
    elif across or store.execute("SELECT 1 FROM findings WHERE scope = 'batch' LIMIT 1"):
        store.replace_findings(run_id, [], across)


def new_in_run(store: Store, path: str, run_id: int) -> set[str]:
    """The store fingerprints of ``path``'s findings first seen in run ``run_id`` (``--new-only``)."""
    rows = store.execute("SELECT fingerprint FROM findings WHERE path = ? AND first_seen_run = ?", (path, run_id))
    return {row[0] for row in rows}


def chunks(items: Iterable[Done], size: int) -> Iterator[list[Done]]:
    chunk: list[Done] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
