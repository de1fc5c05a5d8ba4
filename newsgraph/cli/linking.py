"""``newsgraph entity-split``: repair a wrong merge of cross-article entities (docs/linking.md)."""

from __future__ import annotations

import click

from ..errors import NewsgraphError
from . import cli


@cli.command(name="entity-split")
@click.argument("corpus_id")
@click.option(
    "--name", "names", multiple=True, help="Move the entities called this (name or alias); repeatable."
)
@click.option(
    "--article", "articles", multiple=True, help="Move its entity in this article (store id); repeatable."
)
@click.option("--reason", default="split by hand", show_default=True, help="Why: kept in the link log.")
@click.option("--db", envvar="NEWSGRAPH_DB", help="The store (default: $NEWSGRAPH_DB or newsgraph.db).")
def entity_split(
    corpus_id: str, names: tuple[str, ...], articles: tuple[str, ...], reason: str, db: str | None
) -> None:
    """Split cross-article entity CORPUS_ID: what --name/--article pick gets a new id.

    The two never merge again, and the moved entities never go back, however many
    articles are added later.
    """
    if not names and not articles:
        raise click.UsageError("say what to move: --name NAME or --article ID")
    from ..core.linking import split_entity

    try:
        new_id = split_entity(db, corpus_id, names=names, articles=articles, reason=reason)
    except NewsgraphError as err:
        raise click.ClickException(str(err)) from err
    click.echo(f"{corpus_id} split: the chosen entities are now {new_id}")
