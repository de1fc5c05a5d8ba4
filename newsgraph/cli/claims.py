"""``newsgraph claims`` and ``newsgraph claim ID``: who else says so, from how many independent origins."""

from __future__ import annotations

import json
from typing import Any

import click

from ..errors import StoreError
from . import cli, iso_date
from .corpus import _cell, _guard, db_option, emit, open_corpus

GROUP_COLUMNS = ["id", "articles", "origins", "contradictions", "claim", "sources"]


def _row(group: dict[str, Any]) -> dict[str, Any]:
    """One line of the table (and of ``--csv``) for a claim group."""
    first = group["claims"][0] if group["claims"] else {}
    sources = list(dict.fromkeys(f"{c['source'] or '(unnamed)'} [{c['source_type'] or 'event'}]"
                                 for c in group["claims"]))  # fmt: skip
    return {
        "id": group["id"],
        "articles": group["articles"],
        "origins": group["origins"],
        "contradictions": len(group["contradictions"]),
        "claim": first.get("text", ""),
        "sources": "; ".join(sources[:4]) + ("; …" if len(sources) > 4 else ""),
        "origin_ids": " ".join(group["origin_ids"]),
    }


@cli.command()
@db_option
@click.option("--about", help="Words a claim of the group holds (all of them).")
@click.option("--entity", help="Words of a claim or of its source (a person, an organisation).")
@click.option("--since", callback=iso_date, help="Groups with a claim published on or after this date.")
@click.option("--until", callback=iso_date, help="Groups with a claim published on or before this date.")
@click.option(
    "--min-origins",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="At least N independent origins.",
)
@click.option(
    "--min-articles",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="Carried by at least N articles (1 lists claims only one article makes).",
)
@click.option("--contested", is_flag=True, help="Only groups with a claim that contradicts them.")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True, help="At most N groups.")
@click.option("--offset", type=click.IntRange(min=0), default=0, help="Skip this many groups (paging).")
@click.option("--json", "as_json", is_flag=True, help="A JSON list of groups with every claim.")
@click.option("--csv", "as_csv", is_flag=True, help="CSV, one line per group.")
def claims(db: str | None, as_json: bool, as_csv: bool, **filters: Any) -> None:
    """Claims across articles, grouped: how many articles carry each, from how many independent
    origins (a republished wire story or a relayed source counts once), and who contradicts it."""
    corpus = open_corpus(db)
    groups = _guard(lambda: corpus.claims(**filters))
    if as_json:
        click.echo(json.dumps(groups, ensure_ascii=False, indent=2))
        return
    emit(
        [_row(g) for g in groups],
        GROUP_COLUMNS if not as_csv else [*GROUP_COLUMNS, "origin_ids"],
        False,
        as_csv,
    )


@cli.command()
@click.argument("group_id")
@db_option
@click.option("--json", "as_json", is_flag=True, help="The group as a JSON object.")
def claim(group_id: str, db: str | None, as_json: bool) -> None:
    """One claim group: every claim with its article, outlet, source, hedge, origin and relation.

    The id of a group since merged into another shows the group that holds its claims now."""
    corpus = open_corpus(db)
    group = _guard(lambda: corpus.claim(group_id))
    if group is None:
        raise click.ClickException(str(StoreError("E205", group=group_id)))
    if group["id"] != group_id:
        click.echo(f"{group_id} was merged into {group['id']}", err=True)
    if as_json:
        click.echo(json.dumps(group, ensure_ascii=False, indent=2))
        return
    click.echo(claim_report(group))


def claim_report(group: dict[str, Any]) -> str:
    """A claim group as an analyst reads it."""
    head = (
        f"{group['id']}: {group['articles']} article(s), {group['origins']} independent origin(s), "
        f"{len(group['contradictions'])} contradiction(s)"
    )
    lines = [head, "=" * len(head), "origins: " + ", ".join(group["origin_ids"])]
    for c in group["claims"]:
        source = c["source"] or "(nobody named)"
        kind = c["source_type"] or "event"
        ref = c.get("attribution") or c.get("event")
        lines.append(
            f"\n[{c['published'] or '?'}] {c['outlet'] or '?'}  article {c['article']} {ref} "
            f"[{c['start']}:{c['end']}]"
        )
        lines.append(f"  {source} [{kind}], hedge {c['hedge']}: {_cell(c['text'], 160)}")
        lines.append(
            f"  {c['relation']} ({c['relation_reason']}); origin {c['origin']} ({c['origin_reason']})"
        )
    return "\n".join(lines) + "\n"
