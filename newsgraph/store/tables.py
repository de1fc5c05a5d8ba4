"""The store's tables (the current schema; migrations in ``migrations/versions`` create it).

Every fact table is keyed by ``(article_id, id)`` and keeps the order it had in the
article (``seq``), so the article JSON can be rebuilt exactly. Nested spans are
flattened into prefixed columns (``cue_start``, ``source_entity``); short lists that
are never queried on their own (aliases, roles, removed ranges) are JSON text.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

metadata = sa.MetaData()


def _span(prefix: str, nullable: bool = True) -> list[sa.Column[Any]]:
    return [
        sa.Column(f"{prefix}_start", sa.Integer, nullable=nullable),
        sa.Column(f"{prefix}_end", sa.Integer, nullable=nullable),
        sa.Column(f"{prefix}_text", sa.Text, nullable=nullable),
    ]


def _fact(name: str, *columns: sa.Column[Any] | sa.Index) -> sa.Table:
    return sa.Table(
        name,
        metadata,
        sa.Column("article_id", sa.Text, primary_key=True),
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("seq", sa.Integer, nullable=False),
        *columns,
    )


articles = sa.Table(
    "articles",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("seq", sa.Integer, nullable=False, index=True, unique=True),
    sa.Column("url", sa.Text, nullable=True, unique=True),
    sa.Column("content_hash", sa.Text, nullable=False, unique=True),
    sa.Column("input", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("title", sa.Text),
    sa.Column("published", sa.Text, index=True),
    sa.Column("outlet", sa.Text, index=True),
    sa.Column("author", sa.Text),
    sa.Column("language", sa.Text),
    sa.Column("schema_version", sa.Text, nullable=False),
    sa.Column("pipeline_version", sa.Text, nullable=False, index=True),
    sa.Column("removed", sa.Text, nullable=False),  # JSON list of {start, end, reason}
    sa.Column("subheads", sa.Text, nullable=False),  # JSON list of {start, end, text}
    sa.Column("warnings", sa.Text, nullable=False),  # JSON list of strings
    sa.Column("added_at", sa.Text, nullable=False),
    sa.Index("ix_articles_listing", "id", "seq", "published", "outlet", "title"),
)

entities = _fact(
    "entities",
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("type", sa.Text, nullable=False),
    sa.Column("aliases", sa.Text, nullable=False),  # JSON list of strings
    sa.Column("roles", sa.Text, nullable=False),  # JSON list of {start, end, text}
    sa.Column("gender", sa.Text),
    sa.Index("ix_entities_name_type", "name", "type", "article_id", "id"),
)

mentions = sa.Table(
    "mentions",
    metadata,
    sa.Column("article_id", sa.Text, primary_key=True),
    sa.Column("owner", sa.Text, primary_key=True),  # "entity" or "place"
    sa.Column("owner_id", sa.Text, primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("start", sa.Integer, nullable=False),
    sa.Column("end", sa.Integer, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("metonymy", sa.Boolean, nullable=False),
)

attributions = _fact(
    "attributions",
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("source_type", sa.Text, nullable=False),
    sa.Column("source_text", sa.Text),
    sa.Column("source_start", sa.Integer),
    sa.Column("source_end", sa.Integer),
    sa.Column("source_entity", sa.Text),
    sa.Column("source_resolved_from", sa.Text),
    *_span("cue"),
    *_span("content", nullable=False),
    sa.Column("hedge", sa.Text, nullable=False),
    sa.Column("relayed_by_text", sa.Text),
    sa.Column("relayed_by_start", sa.Integer),
    sa.Column("relayed_by_end", sa.Integer),
    sa.Column("relayed_by_entity", sa.Text),
    sa.Column("parent", sa.Text),
    sa.Column("content_spans", sa.Text, nullable=False),  # JSON list of {start, end, text}
    sa.Column("confidence", sa.Double),
    sa.Index("ix_attributions_source_entity", "article_id", "source_entity"),
    sa.Index("ix_attributions_spans", "article_id", "content_start", "content_end", "source_entity", "id"),
)


def _participant(prefix: str) -> list[sa.Column[Any]]:
    return [
        sa.Column(f"{prefix}_text", sa.Text),
        sa.Column(f"{prefix}_start", sa.Integer),
        sa.Column(f"{prefix}_end", sa.Integer),
        sa.Column(f"{prefix}_entity", sa.Text),
    ]


events = _fact(
    "events",
    sa.Column("category", sa.Text, nullable=False),
    *_span("trigger", nullable=False),
    sa.Column("mode", sa.Text),
    sa.Column("modality", sa.Text, nullable=False),
    *_participant("actor"),
    *_participant("target"),
    sa.Column("place", sa.Text),
    sa.Column("date", sa.Text),
    sa.Column("time", sa.Text),
    sa.Column("attribution", sa.Text),
    *_span("sentence"),
    sa.Index("ix_events_category", "category"),
    sa.Index("ix_events_actor_entity", "article_id", "actor_entity"),
    sa.Index("ix_events_target_entity", "article_id", "target_entity"),
)

places = _fact(
    "places",
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("lat", sa.Double),
    sa.Column("lon", sa.Double),
    sa.Column("country", sa.Text),
    sa.Column("feature", sa.Text),
    sa.Column("gazetteer_id", sa.Text),
    sa.Column("entity", sa.Text),
    sa.Column("located_by", sa.Text),
    sa.Index("ix_places_name", "name"),
)

times = _fact(
    "times",
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("start", sa.Integer, nullable=False),
    sa.Column("end", sa.Integer, nullable=False),
    sa.Column("value", sa.Text),
    sa.Column("type", sa.Text, nullable=False),
)

problems = sa.Table(
    "problems",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("input", sa.Text, nullable=False, unique=True),
    sa.Column("code", sa.Text, nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("pipeline_version", sa.Text, nullable=False),
    sa.Column("at", sa.Text, nullable=False),
)

# Cross-article entities (LINKING-CONTRACT.md): written by the linker in the writer's transaction.
corpus_entities = sa.Table(
    "corpus_entities",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("type", sa.Text, nullable=False),
    sa.Column("profile", sa.Text, nullable=False),  # JSON
    sa.Column("created_at", sa.Text),
    sa.Column("updated_at", sa.Text),
)

corpus_entity_keys = sa.Table(
    "corpus_entity_keys",
    metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("corpus_id", sa.Text, primary_key=True),
    sa.Index("ix_corpus_entity_keys_key", "key"),
)

entity_links = sa.Table(
    "entity_links",
    metadata,
    sa.Column("article_id", sa.Text, primary_key=True),
    sa.Column("entity_id", sa.Text, primary_key=True),
    sa.Column("corpus_id", sa.Text, nullable=True),
    sa.Column("reason", sa.Text),
    sa.Column("score", sa.Double),
    sa.Index("ix_entity_links_members", "corpus_id", "article_id", "entity_id"),
)

link_log = sa.Table(
    "link_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.Text),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("corpus_id", sa.Text),
    sa.Column("other_id", sa.Text, nullable=True),
    sa.Column("article_id", sa.Text, nullable=True),
    sa.Column("entity_id", sa.Text, nullable=True),
    sa.Column("reason", sa.Text),
    sa.Index("ix_link_log_corpus_id", "corpus_id"),
)

link_constraints = sa.Table(
    "link_constraints",
    metadata,
    sa.Column("a", sa.Text, nullable=False),
    sa.Column("b", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("reason", sa.Text),
    sa.Column("created_at", sa.Text),
    sa.Index("ix_link_constraints_a", "a"),
)

#: One row per entity group (a cross-article id, else ``TYPE:name``) and article naming it,
#: kept by the writer (``newsgraph.store.groups``): what ``entity NAME`` pages through.
entity_articles = sa.Table(
    "entity_articles",
    metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("article_id", sa.Text, primary_key=True),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("published", sa.Text),
    sa.Column("members", sa.Text, nullable=False),  # JSON list of the article's entity ids
    sa.Column("said", sa.Integer, nullable=False),
    sa.Column("about", sa.Integer, nullable=False),
    sa.Column("events", sa.Integer, nullable=False),
    sa.Column("facets", sa.Text, nullable=False),  # JSON [[facet, value, n], ...]: this article's share
    sa.Index("ix_entity_articles_article", "article_id", "key"),
    sa.Index("ix_entity_articles_walk", "key", "seq", "article_id", "said", "about", "events", "members"),
    sa.Index("ix_entity_articles_published", "key", "published"),
)

#: Per entity group, counts summed over its articles (``newsgraph.store.groups``).
entity_counts = sa.Table(
    "entity_counts",
    metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("facet", sa.Text, primary_key=True),
    sa.Column("value", sa.Text, primary_key=True),
    sa.Column("n", sa.Integer, nullable=False),
    # ix_entity_counts_rank (facet, value, n DESC, key) is created by migration 0004.
)

#: The words of each attribution's source text (lower case): ``quotes --speaker`` looks them up.
speaker_terms = sa.Table(
    "speaker_terms",
    metadata,
    sa.Column("article_id", sa.Text, primary_key=True),
    sa.Column("ref", sa.Text, primary_key=True),  # the attribution's id
    sa.Column("term", sa.Text, primary_key=True),
    sa.Index("ix_speaker_terms_term", "term", "article_id", "ref"),
)

#: Tables holding one article's rows, deleted together when the article is re-analysed.
ARTICLE_TABLES = (entities, mentions, attributions, events, places, times, speaker_terms)

#: Full-text search rows (kind "article" or "attribution"): an FTS5 table on SQLite, a table
#: with a generated tsvector column and a GIN index on PostgreSQL (created by the migration).
SEARCH_TABLE = "search_docs"

# -- claims across articles (newsgraph.corpus.claims / origins) -----------------------------

claim_groups = sa.Table(
    "claim_groups",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("seq", sa.Integer, nullable=False, unique=True),
    # A summary kept current as claims join: what `newsgraph claims` filters and sorts on.
    sa.Column("claims", sa.Integer, nullable=False),
    sa.Column("articles", sa.Integer, nullable=False),
    sa.Column("origins", sa.Integer, nullable=False),
    sa.Column("contradictions", sa.Integer, nullable=False),
    sa.Column("first_published", sa.Text),
    sa.Column("last_published", sa.Text),
    sa.Column("updated_at", sa.Text),
    sa.Index("ix_claim_groups_articles", "articles"),
)

claims = sa.Table(
    "claims",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("group_id", sa.Text, nullable=False),
    sa.Column("article_id", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),  # attribution | event
    sa.Column("ref", sa.Text, nullable=False),  # the attribution or event id in the article
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("start", sa.Integer, nullable=False),
    sa.Column("end", sa.Integer, nullable=False),
    sa.Column("source", sa.Text),
    sa.Column("source_type", sa.Text),
    sa.Column("hedge", sa.Text, nullable=False),
    sa.Column("outlet", sa.Text),
    sa.Column("published", sa.Text),
    sa.Column("event", sa.Text),  # JSON [category, actor key, target key, date, modality] or NULL
    sa.Column("origin", sa.Text, nullable=False),  # relay outlet ("outlet:bloomberg") or ""
    sa.Column("origin_reason", sa.Text, nullable=False),
    # The resolved independent origin (relay, wire story or earliest copy), kept current.
    sa.Column("origin_key", sa.Text),
    sa.Column("relation", sa.Text, nullable=False),
    sa.Column("relation_reason", sa.Text, nullable=False),
    sa.Index("ix_claims_group_id", "group_id", "origin_key"),
    sa.Index("ix_claims_article_id", "article_id"),
    # A group's anchor (its one "first" claim) without reading the group's other claims (0008).
    sa.Index(
        "ix_claims_group_anchor",
        "group_id",
        sqlite_where=sa.text("relation = 'first'"),
        postgresql_where=sa.text("relation = 'first'"),
    ),
)

#: The id of a group merged into another, pointing at the group that holds its claims now
#: (``seq`` kept so that no later group is given the same id); ``group_id`` "" marks the id
#: of a group removed because its claims were all deleted (``claim_store.gone``).
claim_group_aliases = sa.Table(
    "claim_group_aliases",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("seq", sa.Integer, nullable=False, unique=True),
    sa.Column("group_id", sa.Text, nullable=False),
    sa.Column("merged_at", sa.Text),
    sa.Index("ix_claim_group_aliases_group_id", "group_id"),
)

claim_terms = sa.Table(
    "claim_terms",
    metadata,
    sa.Column("kind", sa.Text, primary_key=True),
    sa.Column("term", sa.Text, primary_key=True),
    sa.Column("claim_id", sa.Integer, primary_key=True),
    sa.Index("ix_claim_terms_claim_id", "claim_id"),  # an article's claims deleted (0007)
)

article_copies = sa.Table(
    "article_copies",
    metadata,
    sa.Column("article_id", sa.Text, primary_key=True),
    sa.Column("cluster", sa.Text, nullable=False),
    sa.Column("signature", sa.LargeBinary, nullable=False),  # MinHash values, uint64 little-endian
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("words", sa.Integer, nullable=False),
    sa.Column("published", sa.Text),
    sa.Column("wire", sa.Text),
    sa.Index("ix_article_copies_cluster", "cluster"),
)

copy_bands = sa.Table(
    "copy_bands",
    metadata,
    sa.Column("band", sa.Text, primary_key=True),
    sa.Column("article_id", sa.Text, primary_key=True),
    sa.Index("ix_copy_bands_article_id", "article_id"),  # an article's copy rows deleted (0007)
)

#: Claim and copy rows of one article, deleted with it when it is re-analysed.
CLAIM_TABLES = (claims, article_copies, copy_bands)
