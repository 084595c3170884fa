"""``jixiao review --db STATE list|set``: review decisions from a terminal (SPEC §5).

The same decisions the workbench records, in the same store, so a script, a nightly job
and the auditors in the browser all see one state per finding.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from jixiao.review import STATE_ZH, STATES, ReviewError, checked_review


def _store(db: str) -> object:
    from jixiao.store import StoreError, is_database_url, open_store

    if not is_database_url(db) and not Path(db).is_file():
        raise click.BadParameter(f"没有状态库 / no store at {db}", param_hint="--db")
    try:
        return open_store(db)
    except StoreError as exc:
        raise click.BadParameter(str(exc), param_hint="--db") from exc


@click.group()
@click.option("--db", required=True, metavar="STATE.sqlite|postgresql://…",
              help="状态库（与 check --db 相同）/ the store, as given to check --db")
@click.pass_context
def review(ctx: click.Context, db: str) -> None:
    """问题的核查结论：待核 open、已核实 confirmed、误报 dismissed / review decisions on findings."""
    ctx.obj = db


@review.command("list")
@click.option("--state", type=click.Choice(STATES), help="只列此状态 / only this state")
@click.option("--json", "as_json", is_flag=True, help="每行一个 JSON 对象 / one JSON object per line")
@click.pass_obj
def list_(db: str, state: str | None, as_json: bool) -> None:
    """列出问题及其核查结论（已消失的问题标为 resolved）/ list findings and their decisions (gone ones: resolved)."""
    from jixiao.store import Store

    store = _store(db)
    assert isinstance(store, Store)
    with store:
        rows = store.review_rows(state)
    for row in rows:
        if as_json:
            click.echo(json.dumps(row.to_dict(), ensure_ascii=False))
            continue
        mark = " 已消失 resolved" if row.resolved else ""
        note = f"  « {row.review.note} »" if row.review.note else ""
        by = f"  {row.review.by or ''} {row.review.at or ''}".rstrip() if row.review.at else ""
        click.echo(
            f"{row.fingerprint}  {STATE_ZH[row.review.state]} {row.review.state:<9}{mark}  {row.rule or ''}  "
            f"{row.file or ''}  {row.label or ''}{note}{by}"
        )


@review.command("set")
@click.argument("fingerprint")
@click.argument("state", type=click.Choice(STATES))
@click.option("--note", help="备注 / a note")
@click.option("--by", "by", help="核查人 / who decided")
@click.pass_obj
def set_(db: str, fingerprint: str, state: str, note: str | None, by: str | None) -> None:
    """记录一个问题的核查结论 / record the decision on one finding (by its fingerprint)."""
    from jixiao.store import Store

    try:
        decision = checked_review(state, note, by)
    except ReviewError as exc:
        raise click.BadParameter(str(exc)) from exc
    store = _store(db)
    assert isinstance(store, Store)
    with store:
        known = store.has_finding(fingerprint) or fingerprint in store.reviews_for([fingerprint])
        if not known:
            raise click.ClickException(f"库中没有这个问题 / no finding with fingerprint {fingerprint} in the store")
        stored = store.set_review(fingerprint, decision)
    click.echo(f"{fingerprint}  {STATE_ZH[stored.state]} {stored.state}  {stored.at}")
