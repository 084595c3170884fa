"""A run's records judged under the chosen profile, with the checks across reports added.

Workers judge every table under ``mof`` as they parse it (and the store keeps
that); the driver, which alone sees the whole batch and the store, re-judges under
another profile and runs the checks across reports. Both are pure and fast next to
parsing, so this costs a run nothing it would notice.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jixiao.frames import finding_row, where_of
from jixiao.models import Record, Report
from jixiao.outputs.records import record_to_dict
from jixiao.validate import validate
from jixiao.validate.across import with_across
from jixiao.validate.profile import DEFAULT_PROFILE, MOF, Profile, config_base, find_config, load_profile

if TYPE_CHECKING:
    from jixiao.store import Store


def resolve_profile(name: str | None, config: Path | None, paths: Sequence[str | Path]) -> Profile:
    """``--profile`` and ``--config`` (else a ``jixiao.toml`` next to the inputs or here) as one profile.
    Raises :class:`~jixiao.validate.profile.ProfileError` naming the bad key or value."""
    found = config if config is not None else find_config(paths)
    base = name or (config_base(found) if found is not None else None) or DEFAULT_PROFILE
    return load_profile(base, found)


def judge(records: Sequence[Record], profile: Profile = MOF, context: Sequence[Record] = ()) -> list[Record]:
    """``records`` in the same order, re-judged under ``profile`` where it is not ``mof``, and with the
    findings across reports (over ``records`` and the stored ``context``) added."""
    judged = [
        replace(r, findings=validate(r, profile)) if isinstance(r, Report) and profile != MOF else r for r in records
    ]
    # The stored context is only compared against (its figures), never reported: its own
    # findings are not judged again.
    return with_across(judged, context, profile)


def iter_stored_reports(store: Store, inputs: Sequence[Path], chunk: int = 256) -> Iterator[list[Record]]:
    """The store's current records of files that are not among this run's inputs (by the store's key of
    each, however it was reached), a chunk of files at a time so a large store is never in memory at
    once: read before the run, so a department's other year or projects given in an earlier run count."""
    given = {store.key(p) for p in inputs}
    paths = [Path(row[0]) for row in store.execute("SELECT path FROM files WHERE status = 'ok' ORDER BY path")]
    others = [p for p in paths if str(p) not in given]
    for i in range(0, len(others), chunk):
        yield store.load(others[i : i + chunk])


def finding_rows(records: Sequence[Record], only_batch: bool = True) -> list[tuple[str, dict[str, Any]]]:
    """Findings as the store's ``findings`` rows, keyed by the file they sit on: those across reports,
    or (``only_batch=False``, a run under another profile than the workers') all of them."""
    from jixiao.review import fingerprint as review_fingerprint
    from jixiao.store import file_key, finding_fingerprint

    out: list[tuple[str, dict[str, Any]]] = []
    for r in records:
        if not isinstance(r, Report) or (only_batch and not any(f.scope == "batch" for f in r.findings)):
            continue
        data = record_to_dict(r)
        where = where_of(data)
        key = file_key(r.source.path)  # the store's key of the file: fingerprints are the same however it was reached
        for f, plain in zip(r.findings, data["findings"], strict=True):
            if f.scope == "batch" or not only_batch:
                fingerprint = finding_fingerprint(key, r.table_index, f)
                out.append((r.source.path, {
                    **where, **finding_row(plain),
                    "fingerprint": fingerprint,
                    "review_fingerprint": review_fingerprint(r, f),
                }))
    return out
