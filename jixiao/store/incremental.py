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

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from jixiao.models import Finding, Record
from jixiao.runner import Done, Executor, Limits, iter_batch
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


@dataclass
class RunCounts:
    """What an incremental run did, filled in as :func:`iter_incremental` goes (``run_id`` from the
    first item on, the rest once the iteration has ended: ``finished``)."""

    run_id: int = 0
    parsed: int = 0
    cached: int = 0
    removed: list[str] = field(default_factory=list)
    finished: bool = False


#: Stored files loaded from the store in one query while the stream goes by.
LOAD_CHUNK = 64


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
    """Parse what changed, load the rest; every file's records in input order (:func:`iter_incremental`
    held as a list). ``executor`` and ``scheduler`` are those of :func:`jixiao.runner.run_batch`. ``roots``
    are the folders and files the run was given: stored files under them that are gone are marked removed."""
    counts = RunCounts()
    results = list(
        iter_incremental(store, files, workers, limits, on_done, executor, scheduler, counts=counts, roots=roots)
    )
    return Incremental(
        counts.run_id, results, counts.parsed, counts.cached, counts.removed,
        frozenset(store.new_findings(counts.run_id)),
    )


def iter_incremental(
    store: Store,
    files: Sequence[Path],
    workers: int | None = None,
    limits: Limits | None = None,
    on_done: Callable[[Done], None] | None = None,
    executor: Executor = "local",
    scheduler: str | None = None,
    counts: RunCounts | None = None,
    roots: Sequence[Path] = (),
) -> Iterator[Done]:
    """:func:`run_incremental` as a stream: each input's :class:`Done` in input order, a stored file
    loaded when its turn comes, a parsed one as :func:`jixiao.runner.iter_batch` gives it (each
    saved as soon as it is parsed). ``on_done`` hears of each file as it is parsed or loaded;
    ``counts`` is filled in as the run goes and complete when the iteration ends, after the
    files that are gone are marked removed and the run is finished in the store.

    Memory stays bounded by the batch runner's reorder window, except where another run holds
    some of the files (a shared store): the files after the first of those wait until it is done.
    """
    counts = counts if counts is not None else RunCounts()
    run_id = store.begin_run()
    counts.run_id = run_id
    plan = store.reuse(run_id, store.plan(files))

    def saved(done: Done) -> None:
        state = plan.states[done.path]
        store.save(run_id, done.path, state.sha256, state.size, state.mtime, done.records)
        if on_done is not None:
            on_done(done)

    def parse(paths: Sequence[Path]) -> Iterator[Done]:
        if not paths:
            return iter(())
        return iter_batch(paths, workers=workers, limits=limits, on_done=saved, executor=executor, scheduler=scheduler,
                          hashes=[plan.states[p].sha256 for p in paths])

    claims = store.claim(plan.to_parse, plan.states)
    stored = set(plan.unchanged) | set(claims.done)
    busy = set(claims.busy)
    counts.parsed = len(claims.mine)
    parsed = parse(claims.mine)
    ahead: dict[Path, Done] = {}  # parsed, its turn not come yet
    loaded: dict[Path, list[Record]] = {}
    copies = _Copies()
    for i, path in enumerate(files):
        if path in busy:  # other runs are parsing it: wait for them, then load (or parse what they left)
            ahead.update((d.path, d) for d in parsed)
            later = store.wait_for(claims.busy, plan.states)
            stored.update(later.done)
            ahead.update((d.path, d) for d in parse(later.mine))
            counts.parsed += len(later.mine)
            busy = set()
        if path in stored and path not in ahead:
            if path not in loaded:
                chunk = [p for p in files[i:] if p in stored and p not in ahead][:LOAD_CHUNK]
                loaded.update(store.load_by_path(chunk))
            done = Done(i, path, loaded.pop(path), 0.0)
            if on_done is not None:
                on_done(done)
        else:
            while path not in ahead:
                item = next(parsed)
                ahead[item.path] = item
            done = ahead.pop(path)
        yield copies.mark(replace(done, index=i), plan.states[path].sha256)
    counts.cached = len(files) - counts.parsed
    counts.removed = store.mark_removed(run_id, files, roots)
    store.finish_run(run_id, len(files))
    counts.finished = True


class _Copies:
    """Files with the same content as an earlier one get their records with ``duplicate_of`` naming the
    first one's path (as :func:`jixiao.runner.iter_batch` marks copies), whether that one was parsed now or
    loaded; every other file gets ``duplicate_of = None``, so loaded and parsed files read the same. Only
    the first path of each content is kept, one file at a time."""

    def __init__(self) -> None:
        self._first: dict[str, str] = {}

    def mark(self, done: Done, sha: str | None) -> Done:
        origin = self._first.get(sha) if sha is not None else None
        if origin is None:
            if sha is not None and done.records:
                self._first[sha] = done.records[0].source.path
            return replace(done, records=[_with_source(r, str(done.path), None) for r in done.records])
        # Same bytes, same parser version: the copy's own records are its original's but for the path.
        return replace(done, records=[_with_source(r, str(done.path), origin) for r in done.records])


def _with_source(record: Record, path: str, duplicate_of: str | None) -> Record:
    source = record.source
    if source.path == path and source.duplicate_of == duplicate_of:
        return record
    return replace(record, source=replace(source, path=path, duplicate_of=duplicate_of))
