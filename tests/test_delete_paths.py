"""Deleting and re-writing an article (``add --reprocess``): its search rows go with it, and
migration 0007 (indexes for the claim and copy deletes, search rows numbered by article)."""

from __future__ import annotations

from importlib import resources

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from test_store import story

from newsgraph.core.corpus import Corpus
from newsgraph.store import Store, article_key
from newsgraph.store.search import ROWID_SHIFT


def _stories() -> list:  # type: ignore[type-arg]
    return [
        story(1, "Dmitry Peskov", "the talks would resume in Geneva", "Reuters", "2024-12-08"),
        story(2, "Sergei Ryabkov", "Geneva had reportedly fallen", "TASS", "2024-12-09"),
        story(3, "Dmitry Peskov", "Ryabkov spoke for Geneva", "Reuters", "2024-12-10"),
    ]


def _write(store: Store, articles: list) -> list[str]:  # type: ignore[type-arg]
    ids = []
    with store.begin() as conn:
        for article in articles:
            article_id, digest = article_key(article)
            store.write_article(conn, article_id, digest, article, "test")
            ids.append(article_id)
    return ids


def _search_rows(store: Store) -> list[tuple[str, str]]:
    with store.read() as conn:
        return sorted((r[0], r[1]) for r in conn.execute(sa.text("SELECT article_id, ref FROM search_docs")))


def _rowids_by_article(store: Store) -> dict[str, list[int]]:
    """SQLite: each article's search rowids, checked against its seq."""
    out: dict[str, list[int]] = {}
    with store.read() as conn:
        seqs = dict(conn.execute(sa.text("SELECT id, seq FROM articles")).all())
        rows = conn.execute(sa.text("SELECT rowid, article_id FROM search_docs ORDER BY rowid"))
        for rowid, article_id in rows:
            out.setdefault(article_id, []).append(rowid)
    for article_id, rowids in out.items():
        base = seqs[article_id] << ROWID_SHIFT
        assert rowids == list(range(base, base + len(rowids))), article_id
    return out


def test_rewritten_and_deleted_articles_take_their_search_rows(db_url: str) -> None:
    store = Store.open(db_url)
    try:
        first, second, third = _write(store, _stories())
        assert len(_search_rows(store)) == 6  # each: its text and its one quote
        _write(store, [_stories()[1]])  # analysed again: new seq, rows replaced
        with store.begin() as conn:
            store.delete_article(conn, first)
        assert _search_rows(store) == sorted([(second, ""), (second, "A1"), (third, ""), (third, "A1")])
        if store.engine.dialect.name == "sqlite":
            assert set(_rowids_by_article(store)) == {second, third}
        corpus = Corpus(db=db_url, create=False)
        # newest first: the re-written article is now the last added
        assert [q["article_id"] for q in corpus.quotes(about="Geneva")] == [second, third]
        assert {r["article_id"] for r in corpus.search("Geneva")} == {second, third}
        corpus.close()
    finally:
        store.close()


def _index_names(store: Store) -> set[str]:
    return {i["name"] for t in ("claim_terms", "copy_bands") for i in sa.inspect(store.engine).get_indexes(t)}


def test_migration_0007_numbers_older_search_rows_and_indexes_the_deletes(db_url: str) -> None:
    store = Store.open(db_url)
    try:
        ids = _write(store, _stories())
        _write(store, [_stories()[0]])  # re-written: its rows come last, as in an older store
        config = Config()
        config.set_main_option("script_location", str(resources.files("newsgraph.store") / "migrations"))
        with store.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "0006")
            if conn.dialect.name == "sqlite":
                # As 0006 numbered them: 1, 2, ... in the order written.
                conn.execute(sa.text("CREATE TEMP TABLE old AS SELECT * FROM search_docs ORDER BY rowid"))
                conn.execute(sa.text("DELETE FROM search_docs"))
                conn.execute(sa.text("INSERT INTO search_docs SELECT * FROM old ORDER BY rowid"))
                conn.execute(sa.text("DROP TABLE old"))
                assert conn.execute(sa.text("SELECT max(rowid) FROM search_docs")).scalar() == 6
        assert not {"ix_claim_terms_claim_id", "ix_copy_bands_article_id"} & _index_names(store)
        before = _search_rows(store)
        store.migrate()  # what opening the store does
        assert store.revision() == "0008"
        assert {"ix_claim_terms_claim_id", "ix_copy_bands_article_id"} <= _index_names(store)
        assert _search_rows(store) == before
        if store.engine.dialect.name == "sqlite":
            assert set(_rowids_by_article(store)) == set(ids)
        corpus = Corpus(db=db_url, create=False)
        assert [q["article_id"] for q in corpus.quotes(about="Geneva")] == [ids[0], ids[2], ids[1]]
        assert corpus.store.count("articles") == 3
        corpus.close()
        with store.begin() as conn:
            store.delete_article(conn, ids[0])
        assert {a for a, _ in _search_rows(store)} == {ids[1], ids[2]}
    finally:
        store.close()
