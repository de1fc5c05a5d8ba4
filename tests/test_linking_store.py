"""The linker on the store: the same decisions on a real SQLite file and a real PostgreSQL database."""

from __future__ import annotations

from typing import Any

from newsgraph.corpus.linking import Linker
from newsgraph.model import Article, Entity, Mention, Metadata, Role
from newsgraph.store import Store, article_key
from newsgraph.store.linking import SqlLinkState


def article(*people: tuple[str, str, str | None], published: str = "2024-03-01") -> Article:
    """People as (name, type, role or None), written out as text with correct offsets."""
    text = ""
    entities = []
    for i, (name, type_, role) in enumerate(people):
        roles = []
        if role:
            roles.append(Role(len(text), len(text) + len(role), role))
            text += role + " "
        start = len(text)
        text += name + " said something. "
        entities.append(
            Entity(
                f"E{i + 1}",
                name,
                type_,
                aliases=[name],
                roles=roles,
                mentions=[Mention(start, start + len(name), name)],
            )
        )
    return Article(text=text, entities=entities, metadata=Metadata(published=published, outlet="Test Wire"))


def add(store: Store, art: Article) -> tuple[str, dict[str, str | None]]:
    article_id, digest = article_key(art)
    with store.begin() as conn:
        store.write_article(conn, article_id, digest, art, "test")
        links = Linker(SqlLinkState(conn, store.read_article)).link_article(article_id, art)
    return article_id, links


def test_linking_split_and_reasons_in_the_store(db_url: Any) -> None:
    store = Store.open(db_url)
    try:
        _a1, l1 = add(store, article(("John Smith", "PERSON", "chief executive"), ("Acme Corp", "ORG", None)))
        a2, l2 = add(store, article(("John Smith", "PERSON", "footballer"), ("Leeds United", "ORG", None)))
        _a3, l3 = add(store, article(("Dmitry Peskov", "PERSON", "Kremlin spokesman")))
        _a4, l4 = add(store, article(("Peskov", "PERSON", None), ("Kremlin", "ORG", None)))
        assert l3["E1"] == l4["E1"] is not None
        old = l1["E1"]
        assert old is not None and l2["E1"] == old  # same full name: one entity, until split
        with store.begin() as conn:
            new = Linker(SqlLinkState(conn, store.read_article)).split(
                old, articles=[a2], reason="another John Smith"
            )
        assert new != old
        _, l5 = add(
            store,
            article(
                ("John Smith", "PERSON", "footballer"), ("Leeds United", "ORG", None), published="2024-03-09"
            ),
        )
        _, l6 = add(
            store,
            article(
                ("John Smith", "PERSON", "chief executive"),
                ("Acme Corp", "ORG", None),
                published="2024-03-10",
            ),
        )
        assert l5["E1"] == new and l6["E1"] == old
        with store.begin() as conn:
            state = SqlLinkState(conn, store.read_article)
            assert next(r["corpus_id"] for r in state.links(article_id=a2)) == new
            actions = [r["action"] for r in state.log_rows(old)]
            assert actions[0] == "create" and "split" in actions
            assert any("another John Smith" in r["reason"] for r in state.log_rows(new))
            record = state.entity(l3["E1"] or "")
            assert record is not None and record["name"] == "Dmitry Peskov"
            assert record["profile"]["articles"] == 2
        # ids are stable when the store is opened again
        _, l7 = add(store, article(("Dmitry Peskov", "PERSON", None)))
        assert l7["E1"] == l3["E1"]
    finally:
        store.close()


def test_entity_split_command(tmp_path: Any) -> None:
    from click.testing import CliRunner

    from newsgraph.cli import cli

    db = str(tmp_path / "split.db")
    store = Store.open(db)
    try:
        _, first = add(store, article(("John Smith", "PERSON", "chief executive"), ("Acme Corp", "ORG", None)))
        moved, _ = add(store, article(("John Smith", "PERSON", "footballer"), ("Leeds United", "ORG", None)))
    finally:
        store.close()
    runner = CliRunner()
    old = first["E1"] or ""
    result = runner.invoke(cli, ["entity-split", old, "--article", moved, "--reason", "two men", "--db", db])
    assert result.exit_code == 0, result.output
    assert "C000004" in result.output  # the next id: two people and two companies came first
    again = runner.invoke(cli, ["entity-split", old, "--article", moved, "--db", db])
    assert again.exit_code != 0 and "E302" in again.output
    missing = runner.invoke(cli, ["entity-split", "C999999", "--name", "x", "--db", db])
    assert missing.exit_code != 0 and "E301" in missing.output
    nothing = runner.invoke(cli, ["entity-split", old, "--db", db])
    assert nothing.exit_code != 0 and "--name" in nothing.output
