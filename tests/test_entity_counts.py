"""The per-entity counts the writer keeps (``newsgraph.store.groups``) stay exact.

Random sequences of adds, re-adds (a new analysis of a stored article), splits of a
cross-article entity and deletes run on one real store (SQLite file, PostgreSQL
database); after each sequence the kept rows must equal a recount from scratch, and the
main figures must equal plain SQL aggregates over the entity and link tables.
"""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from typing import Any

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsgraph.corpus.linking import Linker
from newsgraph.errors import BadInput
from newsgraph.model import (
    Article,
    Attribution,
    Entity,
    Event,
    Mention,
    Metadata,
    Participant,
    Role,
    Source,
    Span,
)
from newsgraph.store import Store, article_key, groups, queries, tables
from newsgraph.store.linking import SqlLinkState

PEOPLE = [
    ("John Smith", "PERSON"),
    ("Smith", "PERSON"),
    ("Mary Jones", "PERSON"),
    ("Jones", "PERSON"),
    ("Acme Corp", "ORG"),
    ("Acme", "ORG"),
    ("Leeds United", "ORG"),
]
ROLES = ["chief executive", "footballer", "spokesman", None]


@st.composite
def articles(draw: Any) -> tuple[int, Article]:
    """An article (its URL number and text) naming 1-4 of PEOPLE, with quotes and events."""
    number = draw(st.integers(0, 7))
    text = f"Story {number}. "  # one text per URL: the content hash stays unique
    chosen = draw(st.lists(st.sampled_from(PEOPLE), min_size=1, max_size=4, unique=True))
    entities = []
    for i, (name, type_) in enumerate(chosen):
        role = draw(st.sampled_from(ROLES))
        roles = []
        if role:
            roles.append(Role(len(text), len(text) + len(role), role))
            text += role + " "
        start = len(text)
        text += f"{name} met people. "
        aliases = [name] + ([name.split()[-1]] if " " in name and draw(st.booleans()) else [])
        entities.append(
            Entity(f"E{i + 1}", name, type_, aliases, roles, [Mention(start, start + len(name), name)])
        )
    quotes = []
    for q in range(draw(st.integers(0, 3))):
        speaker = draw(st.sampled_from([*entities, None]))
        about = draw(st.sampled_from(entities))
        m = about.mentions[0]
        quotes.append(
            Attribution(
                f"A{q + 1}",
                "direct",
                Source(
                    "named_person" if speaker else "unattributed",
                    speaker.name if speaker else None,
                    entity=speaker.id if speaker else None,
                ),
                None,
                Span(m.start, m.end, m.text),
            )
        )
    events = []
    for v in range(draw(st.integers(0, 2))):
        actor = draw(st.sampled_from([*entities, None]))
        target = draw(st.sampled_from([*entities, None]))
        m = entities[0].mentions[0]

        def part(e: Entity | None) -> Participant | None:
            return None if e is None else Participant(e.name, e.mentions[0].start, e.mentions[0].end, e.id)

        events.append(
            Event(
                f"V{v + 1}", "CONSULT", Span(m.start, m.end, m.text), actor=part(actor), target=part(target)
            )
        )
    meta = Metadata(
        published=draw(st.sampled_from([None, "", "2024-03-01", "2024-05-09", "2023-12-31T10:00"])),
        outlet=draw(st.sampled_from([None, "Test Wire", "Daily"])),
        url=f"https://example.org/{number}",
    )
    return number, Article(text=text, entities=entities, attributions=quotes, events=events, metadata=meta)


ops = st.lists(
    st.one_of(
        st.tuples(st.just("add"), articles(), st.booleans()),
        st.tuples(st.just("split"), st.integers(0, 50), st.booleans()),
        st.tuples(st.just("delete"), st.integers(0, 7), st.booleans()),
    ),
    min_size=1,
    max_size=8,
)


def run(store: Store, op: tuple[str, Any, bool]) -> None:
    """One step, in ``Store.begin()`` (counts refreshed before the commit) or in a bare
    transaction (refreshed at each change)."""
    kind, arg, deferred = op
    with store.begin() if deferred else store.engine.begin() as conn:
        state = SqlLinkState(conn, store.read_article)
        if kind == "add":
            _number, art = arg
            article_id, digest = article_key(art)
            store.write_article(conn, article_id, digest, art, "test")
            Linker(state).link_article(article_id, art)
        elif kind == "delete":
            found = store.find(conn, f"https://example.org/{arg}", "-")
            if found is not None:
                store.delete_article(conn, found.id)
                state.delete_links(found.id)
        else:
            lk = tables.entity_links
            ids = sorted(
                {r[0] for r in conn.execute(sa.select(lk.c.corpus_id).where(lk.c.corpus_id.is_not(None)))}
            )
            if not ids:
                return
            corpus_id = ids[arg % len(ids)]
            members = state.links(corpus_id=corpus_id)
            # Nothing to move or nothing left raises before anything is written.
            with contextlib.suppress(BadInput):
                Linker(state).split(corpus_id, articles=[members[arg % len(members)]["article_id"]])


def kept(conn: Any) -> tuple[dict[tuple[str, str, str], int], list[tuple[Any, ...]]]:
    ec, ea = tables.entity_counts, tables.entity_articles
    counts = {(r.key, r.facet, r.value): r.n for r in conn.execute(sa.select(ec))}
    rows = sorted(
        (r.key, r.article_id, r.seq, r.published, r.members, r.said, r.about, r.events, r.facets)
        for r in conn.execute(sa.select(ea))
    )
    return counts, rows


def check(store: Store) -> None:
    with store.begin() as conn:
        counts, rows = kept(conn)
        assert all(n > 0 for n in counts.values())
        # 1. equal to a recount from scratch
        groups.rebuild(conn)
        assert kept(conn) == (counts, rows)
        # 2. the main figures equal plain SQL over the entity and link tables
        en, lk, at = tables.entities, tables.entity_links, tables.attributions
        key = sa.func.coalesce(lk.c.corpus_id, en.c.type + ":" + en.c.name)
        joined = en.outerjoin(lk, sa.and_(lk.c.article_id == en.c.article_id, lk.c.entity_id == en.c.id))
        n_articles = (
            sa.select(key, sa.func.count(sa.distinct(en.c.article_id))).select_from(joined).group_by(key)
        )
        expected = {k: n for k, n in conn.execute(n_articles)}
        assert {k: n for (k, f, _v), n in counts.items() if f == "articles"} == expected
        per_type = sa.select(key, en.c.type, sa.func.count()).select_from(joined).group_by(key, en.c.type)
        assert {(k, v): n for (k, f, v), n in counts.items() if f == "type"} == {
            (k, t): n for k, t, n in conn.execute(per_type)
        }
        roles: Counter[tuple[str, str]] = Counter()
        for k, raw in conn.execute(sa.select(key, en.c.roles).select_from(joined)):
            for role in json.loads(raw):
                roles[(k, role["text"])] += 1
        assert {(k, v): n for (k, f, v), n in counts.items() if f == "role"} == dict(roles)
        said = (
            sa.select(key, sa.func.count())
            .select_from(
                joined.join(at, sa.and_(at.c.article_id == en.c.article_id, at.c.source_entity == en.c.id))
            )
            .group_by(key)
        )
        by_key: Counter[str] = Counter()
        for r in rows:
            by_key[r[0]] += r[5]
        assert {k: n for k, n in by_key.items() if n} == {k: n for k, n in conn.execute(said)}
        # 3. the list and a profile read them
        listed = queries.entities(conn, limit=1000)
        assert sorted(r["articles"] for r in listed) == sorted(expected.values())


def test_entity_counts_stay_exact(db_url: Any) -> None:
    store = Store.open(db_url)

    @settings(
        max_examples=12,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(ops)
    def sequence(steps: list[tuple[str, Any, bool]]) -> None:
        # The examples share one store: the invariant must hold after any history.
        for step in steps:
            run(store, step)
        check(store)

    try:
        sequence()
    finally:
        store.close()


def index_names(store: Store) -> set[str]:
    """Every index of the store, expression indexes included (SQLAlchemy's inspector skips
    those on SQLite)."""
    if store.dialect == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'index'"
    else:
        query = "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
    with store.read() as conn:
        return {r[0] for r in conn.execute(sa.text(query))}


def test_migrations_0004_to_0006_count_a_stored_corpus(db_url: Any) -> None:
    from importlib import resources

    from alembic import command
    from alembic.config import Config

    store = Store.open(db_url)
    try:
        john = ("John Smith", "PERSON")
        for n, people in enumerate([[john, PEOPLE[4]], [john], [PEOPLE[2], PEOPLE[6]]]):
            entities = [
                Entity(f"E{i + 1}", name, type_, [name], [], [Mention(0, len(name), name)])
                for i, (name, type_) in enumerate(people)
            ]
            meta = Metadata(published=f"2024-0{n + 1}-01", outlet="Wire", url=f"https://example.org/{n}")
            run(store, ("add", (n, Article(text=f"Story {n}.", entities=entities, metadata=meta)), True))
        config = Config()
        config.set_main_option("script_location", str(resources.files("newsgraph.store") / "migrations"))
        with store.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "0003")
        assert not sa.inspect(store.engine).has_table("entity_counts")
        lower = {"ix_entities_lower_name", "ix_mentions_lower_text"}
        assert lower <= index_names(store)
        store.migrate()  # what opening the store does
        assert store.revision() == "0008"
        check(store)
        assert not lower & index_names(store)  # 0006: no query reads them since 0004
        with store.read() as conn:
            top = queries.entities(conn)[0]
            assert (top["name"], top["articles"]) == ("John Smith", 2)
            (profile,) = queries.entity(conn, "john smith")
            assert (profile["first_seen"], profile["last_seen"]) == ("2024-01-01", "2024-02-01")
            assert profile["outlets"] == ["Wire"]
    finally:
        store.close()


def test_kept_shares_are_compact_and_older_shares_still_read() -> None:
    facets = Counter(
        {
            ("articles", groups.WHOLE): 1,
            ("type", "PERSON"): 2,
            ("type_articles", "PERSON"): 1,
            ("name", "Ана Петрова"): 2,
            ("name", "Petrova"): 1,
            ("find", "petrova"): 1,
            ("outlet", "Wire"): 1,
        }
    )
    triples = sorted((f, v, n) for (f, v), n in facets.items())
    old = json.dumps([list(t) for t in triples], ensure_ascii=False)  # as stores before it keep them
    new = groups.encode_facets(facets)
    assert sorted(groups.decode_facets(new)) == triples
    assert sorted(groups.decode_facets(old)) == triples
    assert "articles" not in new and "type_articles" not in new and len(new) < 0.7 * len(old)
