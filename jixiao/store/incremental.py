"""A batch that parses only what changed: the library call behind ``--db``.

``run_incremental(store, files, roots=paths)`` hashes every file, parses the new and
changed ones (each committed to the store as soon as it is done), loads the rest from
the store (content it holds under another path too), marks the stored files under
``roots`` that are gone as removed, and returns every file's
records in input order, exactly as a fresh :func:`jixiao.runner.run_batch`
would: copies of the same content are marked ``duplicate_of`` the first one
in input order whether that one was parsed now or loaded.

With a shared store (PostgreSQL) several runs may work on the same files at once:
each file to parse is claimed first (:meth:`Store.claim`); files another run is
parsing are waited for and loaded once it has stored them, so no file is parsed
twice. Where a run died holding a file, the waiting run parses it itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

from jixiao.models import Finding, Record
from jixiao.runner import Done, Executor, Limits, run_batch
from jixiao.store.base import Store, finding_fingerprint
from jixiao.store.keys import file_key


@dataclass(frozen=True)
class Incremental:
    """One incremental run: every input's records (input order) and what the store did."""

    run_id: int
    results: list[Done]
    parsed: int
    cached: int
    removed: list[str]
    new_fingerprints: frozenset[str]

    @property
    def records(self) -> list[Record]:
        return [r for d in self.results for r in d.records]

    def is_new(self, done: Done, table_index: int, finding: Finding) -> bool:
        """Whether this finding of ``done``'s file was first seen in this run."""
        key = self._keys.get(done.path) or file_key(done.path)
        return finding_fingerprint(key, table_index, finding) in self.new_fingerprints

    @cached_property
    def _keys(self) -> dict[Path, str]:
        """Each input's store key, resolved once (not once per finding)."""
        return {d.path: file_key(d.path) for d in self.results}


def run_incremental(
    store: Store,
    files: Sequence[Path],
    workers: int | None = None,
    limits: Limits | None = None,
    on_done: Callable[[Done], None] | None = None,
    executor: Executor = "local",
    scheduler: str | None = None,
    roots: Sequence[Path] = (),
) -> Incremental:
    """Parse what changed, load the rest; ``on_done`` hears of loaded files first, then of each parsed
    one. ``executor`` and ``scheduler`` are those of :func:`jixiao.runner.run_batch`. ``roots`` are the
    folders and files the run was given: stored files under them that are gone are marked removed."""
    run_id = store.begin_run()
    plan = store.reuse(run_id, store.plan(files))
    by_path: dict[Path, Done] = {}

    def load(paths: Sequence[Path]) -> None:
        stored = store.load_by_path(paths)
        for path in paths:
            by_path[path] = Done(0, path, stored[path], 0.0)  # index set below, with the copies marked
            if on_done is not None:
                on_done(by_path[path])

    def saved(done: Done) -> None:
        state = plan.states[done.path]
        store.save(run_id, done.path, state.sha256, state.size, state.mtime, done.records)
        if on_done is not None:
            on_done(done)

    def parse(paths: Sequence[Path]) -> None:
        if paths:
            for done in run_batch(
                paths, workers=workers, limits=limits, on_done=saved, executor=executor, scheduler=scheduler
            ):
                by_path[done.path] = done

    claims = store.claim(plan.to_parse, plan.states)
    stored = set(plan.unchanged) | set(claims.done)
    load([p for p in files if p in stored])
    parse(claims.mine)
    parsed = len(claims.mine)
    if claims.busy:  # other runs are parsing these: wait for them, then load (or parse what they left)
        later = store.wait_for(claims.busy, plan.states)
        load(later.done)
        parse(later.mine)
        parsed += len(later.mine)
    results = mark_copies([by_path[p] for p in files], [plan.states[p].sha256 for p in files])
    results = [replace(d, index=i) for i, d in enumerate(results)]
    removed = store.mark_removed(run_id, files, roots)
    store.finish_run(run_id, len(files))
    return Incremental(
        run_id, results, parsed, len(files) - parsed, removed, frozenset(store.new_findings(run_id))
    )


def mark_copies(results: Sequence[Done], hashes: Sequence[str | None]) -> list[Done]:
    """Files with the same content as an earlier one get its records under their own path with
    ``duplicate_of`` set (as :func:`jixiao.runner.run_batch` does); every other file gets
    ``duplicate_of = None``, so loaded and freshly parsed files read the same."""
    first: dict[str, Done] = {}
    out: list[Done] = []
    for done, sha in zip(results, hashes, strict=True):
        original = first.get(sha) if sha is not None else None
        if original is None:
            if sha is not None:
                first[sha] = done
            records = [_with_source(r, str(done.path), None) for r in done.records]
        else:
            origin = original.records[0].source.path
            records = [_with_source(r, str(done.path), origin) for r in original.records]
        out.append(replace(done, records=records))
    return out


def _with_source(record: Record, path: str, duplicate_of: str | None) -> Record:
    source = record.source
    if source.path == path and source.duplicate_of == duplicate_of:
        return record
    return replace(record, source=replace(source, path=path, duplicate_of=duplicate_of))
