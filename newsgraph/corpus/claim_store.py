"""Claims and copy clusters kept in the store (SQLite or PostgreSQL), in the writer's transaction.

``SqlClaimState`` and ``SqlCopyState`` implement the ``ClaimState`` and ``CopyState``
protocols on the tables of migration 0002; ``GroupQueries`` reads claim groups for
``newsgraph claims`` and ``newsgraph claim ID``.
"""

from __future__ import annotations

import json
import re
import struct
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..errors import StoreError
from ..model import Article
from ..store import tables
from .claims import (
    MAX_CANDIDATES,
    MIN_SHARED_TERMS,
    POSTINGS_PER_TERM,
    Claim,
    ClaimGrouper,
    ClaimIndex,
    GroupSummary,
    claim_terms,
)
from .origins import Fingerprint


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _claim(row: Any) -> Claim:
    event = json.loads(row.event) if row.event else None
    claim = Claim(
        article_id=row.article_id,
        kind=row.kind,
        ref=row.ref,
        text=row.text,
        start=row.start,
        end=row.end,
        source=row.source,
        source_type=row.source_type,
        hedge=row.hedge,
        outlet=row.outlet,
        published=row.published,
        event=tuple(event) if event else None,
        origin=row.origin,
        origin_reason=row.origin_reason,
        resolved_origin=row.origin_key or "",
        group=row.group_id,
        relation=row.relation,
        relation_reason=row.relation_reason,
    )
    return claim


_COLUMNS = [c.name for c in tables.claims.c if c.name != "id"]
_ALL = ", ".join('"' + c.name + '"' for c in tables.claims.c)


_NAMES = [c.name for c in tables.claims.c]


def _claim_of(values: Sequence[Any]) -> Claim:
    """A claim from a ``SELECT {_ALL} FROM claims`` row of the DBAPI cursor."""
    return _claim(SimpleNamespace(**dict(zip(_NAMES, values, strict=True))))


class Raw:
    """Statements on the DBAPI connection of the caller's transaction (sqlite3 or psycopg).

    The writer runs a few dozen small statements per claim; through SQLAlchemy each cost
    several times its run time in compiling, caching and result set-up (benchmarks/claims.py),
    so the claim statements go to the driver's cursor directly, in the same transaction.
    Statements are written with ``:name`` parameters (sqlite3's style), turned into
    ``%(name)s`` for psycopg.
    """

    _PARAM = re.compile(r"(?<![:\w]):(\w+)")

    def __init__(self, conn: Connection) -> None:
        self.sqlite = conn.dialect.name == "sqlite"
        self.cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        self._sql: dict[str, str] = {}

    def sql(self, text: str) -> str:
        if self.sqlite:
            return text
        found = self._sql.get(text)
        if found is None:
            found = self._sql[text] = self._PARAM.sub(r"%(\1)s", text)
        return found

    def execute(self, text: str, params: dict[str, Any] | None = None) -> Any:
        self.cursor.execute(self.sql(text), params or {})
        return self.cursor

    def executemany(self, text: str, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            self.cursor.executemany(self.sql(text), rows)

    def rows(self, text: str, params: dict[str, Any] | None = None) -> list[Any]:
        return list(self.execute(text, params).fetchall())

    def one(self, text: str, params: dict[str, Any] | None = None) -> Any:
        return self.execute(text, params).fetchone()


_INDEXED = (
    "SELECT group_id FROM claims WHERE id = "
    "(SELECT claim_id FROM claim_terms WHERE kind = :kind AND term = :term LIMIT 1)"
)
# Merged groups' ids stay taken (``claim_group_aliases``): a new group never reuses one.
_NEXT_SEQ = (
    "SELECT COALESCE(MAX(s), 0) + 1 FROM (SELECT MAX(seq) AS s FROM claim_groups "
    "UNION ALL SELECT MAX(seq) FROM claim_group_aliases) AS m"
)
_NEW_GROUP = (
    "INSERT INTO claim_groups (id, seq, claims, articles, origins, contradictions) "
    "VALUES (:id, :seq, 0, 0, 0, 0)"
)
_ANCHOR = f"SELECT {_ALL} FROM claims WHERE group_id = :group AND relation = 'first' ORDER BY id LIMIT 1"
_GROUP = f"SELECT {_ALL} FROM claims WHERE group_id = :group ORDER BY id"
_COUNT = (
    "UPDATE claim_groups SET claims = claims + 1, articles = articles + :articles, "
    "origins = origins + :origins, contradictions = contradictions + :contradictions, "
    "first_published = CASE WHEN CAST(:published AS TEXT) IS NOT NULL AND (first_published IS NULL "
    "OR first_published > :published) THEN :published ELSE first_published END, "
    "last_published = CASE WHEN CAST(:published AS TEXT) IS NOT NULL AND (last_published IS NULL "
    "OR last_published < :published) THEN :published ELSE last_published END, "
    "updated_at = :now WHERE id = :group"
)
_INSERT = (
    "INSERT INTO claims (" + ", ".join('"' + c + '"' for c in _COLUMNS) + ") "
    "VALUES (" + ", ".join(":" + c for c in _COLUMNS) + ") RETURNING id"
)
_TERM = "INSERT INTO claim_terms (kind, term, claim_id) VALUES (:kind, :term, :claim_id)"
_SET_RELATION = (
    "UPDATE claims SET relation = :relation, relation_reason = :reason "
    "WHERE article_id = :article AND kind = :kind AND ref = :ref"
)


class SqlClaimState:
    """``ClaimState`` on the ``claims``, ``claim_terms`` and ``claim_groups`` tables.

    ``claim_terms`` holds the look-up terms of *indexed* claims only (the first claim of each
    text key; copies join through the key) and one posting of the text key itself.

    One instance groups one article's claims (``ClaimIndex.add``): the group counts of the
    claims it saves are worked out and written together by ``flush``, from what it saved
    itself and one statement asking which (group, origin) pairs the store held before.
    """

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.raw = Raw(conn)
        self._pending: list[tuple[str, str, str | None, bool, str | None]] = []
        self._indexed: dict[tuple[str, str], str] = {}
        self._prefetched: set[tuple[str, str]] = set()
        #: The first claim id this instance inserted: older rows are what the store held before.
        self._first_id: int | None = None
        #: (group, article) and carrying (group, origin) pairs of the claims saved so far.
        self._seen_articles: set[tuple[str, str]] = set()
        self._seen_origins: set[tuple[str, str]] = set()

    def candidates(self, terms: Sequence[str], kind: str) -> list[Claim]:
        unique = list(dict.fromkeys(terms))
        if not unique:
            return []
        # The latest postings of each term (index range scans on (kind, term, claim_id)), in one
        # statement: a term carried by many claims costs at most POSTINGS_PER_TERM rows.
        parts = [
            f"SELECT * FROM (SELECT claim_id FROM claim_terms WHERE kind = :kind AND term = :t{i} "
            f"ORDER BY claim_id DESC LIMIT {POSTINGS_PER_TERM}) AS p{i}"
            for i in range(len(unique))
        ]
        params: dict[str, Any] = {"kind": kind} | {f"t{i}": term for i, term in enumerate(unique)}
        params |= {"need": 1 if kind == "event" else MIN_SHARED_TERMS, "most": MAX_CANDIDATES}
        # Counted in the database: only the best MAX_CANDIDATES come back (rank_candidates' order),
        # with what matching reads of them (text, event signature, group), in the same statement.
        query = (
            "SELECT c.id, c.group_id, c.article_id, c.kind, c.ref, c.text, c.event FROM claims c JOIN "
            f"(SELECT claim_id FROM ({' UNION ALL '.join(parts)}) AS postings GROUP BY claim_id "
            "HAVING COUNT(*) >= :need ORDER BY COUNT(*) DESC, claim_id DESC LIMIT :most) AS best "
            "ON c.id = best.claim_id ORDER BY c.id"
        )
        return [
            Claim(
                article_id=article_id,
                kind=claim_kind,
                ref=ref,
                text=text,
                start=0,
                end=0,
                event=tuple(json.loads(event)) if event else None,
                group=group,
            )
            for _id, group, article_id, claim_kind, ref, text, event in self.raw.rows(query, params)
        ]

    def indexed(self, kind: str, text_key: str) -> str | None:
        if (kind, text_key) in self._prefetched:
            return self._indexed.get((kind, text_key))
        row = self.raw.one(_INDEXED, {"kind": kind, "term": text_key})
        return row[0] if row is not None else None

    def flush(self) -> None:
        """Write the group counts of the claims saved since the last flush (one executemany)."""
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        # Which of these groups held, before this instance saved anything, a claim of the same
        # article or a carrying claim of the same origin: one statement over the distinct triples.
        keys = sorted({(group, article, origin or "") for group, article, origin, _c, _p in pending})
        values = ", ".join(f"(:g{i}, :a{i}, :o{i})" for i in range(len(keys)))
        params: dict[str, Any] = {"first": self._first_id or 0}
        for i, key in enumerate(keys):
            params[f"g{i}"], params[f"a{i}"], params[f"o{i}"] = key
        held = self.raw.rows(
            "SELECT v.column1, v.column2, v.column3, "
            "EXISTS (SELECT 1 FROM claims WHERE group_id = v.column1 AND article_id = v.column2 "
            "AND id < :first), "
            "EXISTS (SELECT 1 FROM claims WHERE group_id = v.column1 AND origin_key = v.column3 "
            "AND relation != 'contradicts' AND id < :first) "
            f"FROM (VALUES {values}) AS v",
            params,
        )
        had_article = {(group, article) for group, article, _o, same, _s in held if same}
        had_origin = {(group, origin) for group, _a, origin, _s, same in held if same}
        counts = []
        now = _now()
        for group, article, origin, carries, published in pending:
            same_article = (group, article) in had_article or (group, article) in self._seen_articles
            same_origin = origin is not None and (
                (group, origin) in had_origin or (group, origin) in self._seen_origins
            )
            self._seen_articles.add((group, article))
            if carries and origin is not None:
                self._seen_origins.add((group, origin))
            counts.append(
                {
                    "group": group,
                    "articles": 0 if same_article else 1,
                    "origins": 0 if same_origin or not carries else 1,
                    "contradictions": 0 if carries else 1,
                    "published": published,
                    "now": now,
                }
            )
        self.raw.executemany(_COUNT, counts)

    def new_group(self) -> str:
        seq = self.raw.one(_NEXT_SEQ)[0]
        group = f"G{seq:06d}"
        self.raw.execute(_NEW_GROUP, {"id": group, "seq": seq})
        return group

    def prefetch(self, keys: Sequence[tuple[str, str]]) -> None:
        """Read the groups of these (kind, text key)s in one statement (``indexed`` answers from it)."""
        self._indexed = {}
        terms = sorted({key for _kind, key in keys})
        kinds = sorted({kind for kind, _key in keys})
        if terms:
            # kind IN (...) AND term IN (...): index look-ups on claim_terms' key (kind, term, ...);
            # a term alone would scan the whole table, a cost growing with the store.
            params = {f"k{i}": k for i, k in enumerate(kinds)} | {f"t{i}": t for i, t in enumerate(terms)}
            query = (
                "SELECT t.kind, t.term, c.group_id FROM claim_terms t JOIN claims c ON c.id = t.claim_id "
                f"WHERE t.kind IN ({', '.join(f':k{i}' for i in range(len(kinds)))}) "
                f"AND t.term IN ({', '.join(f':t{i}' for i in range(len(terms)))}) ORDER BY t.claim_id"
            )
            for kind, term, group in self.raw.rows(query, params):
                self._indexed.setdefault((kind, term), group)
        self._prefetched = {(kind, key) for kind, key in keys}

    def save(self, claim: Claim, index: bool) -> None:
        # Counts are worked out and written together by ``flush``.
        self._pending.append(
            (
                claim.group or "",
                claim.article_id,
                claim.resolved_origin or None,
                claim.relation != "contradicts",
                claim.published,
            )
        )
        claim_id = self.raw.one(
            _INSERT,
            {
                "group_id": claim.group,
                "article_id": claim.article_id,
                "kind": claim.kind,
                "ref": claim.ref,
                "text": claim.text,
                "start": claim.start,
                "end": claim.end,
                "source": claim.source,
                "source_type": claim.source_type,
                "hedge": claim.hedge,
                "outlet": claim.outlet,
                "published": claim.published,
                "event": json.dumps(list(claim.event)) if claim.event else None,
                "origin": claim.origin,
                "origin_reason": claim.origin_reason,
                "origin_key": claim.resolved_origin or None,
                "relation": claim.relation,
                "relation_reason": claim.relation_reason,
            },
        )[0]
        if self._first_id is None:
            self._first_id = claim_id
        if index:
            self._indexed[(claim.kind, claim.text_key())] = claim.group or ""
        terms = sorted({*claim.terms, claim.text_key()}) if index else []
        self.raw.executemany(
            _TERM, [{"kind": claim.kind, "term": term, "claim_id": claim_id} for term in terms]
        )

    def anchor(self, group: str) -> Claim | None:
        row = self.raw.one(_ANCHOR, {"group": group})
        return _claim_of(row) if row is not None else None

    def group_claims(self, group: str) -> list[Claim]:
        return [_claim_of(row) for row in self.raw.rows(_GROUP, {"group": group})]

    def merge(self, into: str, others: Sequence[str]) -> None:
        self.flush()
        gone = set(others)
        self._indexed = {k: into if g in gone else g for k, g in self._indexed.items()}
        self._seen_articles = {(into if g in gone else g, a) for g, a in self._seen_articles}
        self._seen_origins = {(into if g in gone else g, o) for g, o in self._seen_origins}
        marks = ", ".join(f":o{i}" for i in range(len(others)))
        params = {"into": into} | {f"o{i}": g for i, g in enumerate(others)}
        self.raw.execute(f"UPDATE claims SET group_id = :into WHERE group_id IN ({marks})", params)
        _alias(self.conn, into, others)
        self.raw.execute(f"DELETE FROM claim_groups WHERE id IN ({marks})", params)

    def set_relation(self, claim: Claim) -> None:
        self.raw.execute(
            _SET_RELATION,
            {
                "relation": claim.relation,
                "reason": claim.relation_reason,
                "article": claim.article_id,
                "kind": claim.kind,
                "ref": claim.ref,
            },
        )

    def reresolve(self, article_ids: Sequence[str], resolve: Callable[[Claim], str]) -> set[str]:
        c = tables.claims
        touched: set[str] = set()
        query = sa.select(c).where(c.c.article_id.in_(list(article_ids)), c.c.origin == "")
        for row in self.conn.execute(query).all():
            key = resolve(_claim(row))
            if key != row.origin_key:
                self.conn.execute(c.update().where(c.c.id == row.id).values(origin_key=key))
                touched.add(row.group_id)
        return touched


def _alias(conn: Connection, into: str, others: Sequence[str]) -> None:
    """Keep the ids of ``others`` (merged into ``into``) resolving to ``into``, one step away."""
    a, g = tables.claim_group_aliases, tables.claim_groups
    conn.execute(a.update().where(a.c.group_id.in_(list(others))).values(group_id=into))
    conn.execute(
        a.insert().from_select(
            ["id", "seq", "group_id", "merged_at"],
            sa.select(g.c.id, g.c.seq, sa.literal(into), sa.literal(_now())).where(g.c.id.in_(list(others))),
        )
    )


def _pack(signature: Sequence[int]) -> bytes:
    return struct.pack(f"<{len(signature)}Q", *signature)


def _unpack(blob: bytes) -> list[int]:
    return list(struct.unpack(f"<{len(blob) // 8}Q", blob))


class SqlCopyState:
    """``CopyState`` on the ``article_copies`` and ``copy_bands`` tables.

    The candidates of an article are read with their cluster, date and wire only: a
    signature (1 KiB) is read when ``CopyFinder`` compares it, which it does not for a
    candidate whose cluster already matched (every other copy of a much-republished story).
    """

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.raw = Raw(conn)
        #: (cluster, published, wire) of the candidates of the article being added.
        self._rows: dict[str, tuple[str, str | None, str | None]] = {}

    def _row(self, article_id: str) -> tuple[str, str | None, str | None] | None:
        if article_id in self._rows:
            return self._rows[article_id]
        found = self.raw.one(
            "SELECT cluster, published, wire FROM article_copies WHERE article_id = :a", {"a": article_id}
        )
        return (found[0], found[1], found[2]) if found is not None else None

    def candidates(self, bands: Sequence[str]) -> list[str]:
        marks = ", ".join(f":b{i}" for i in range(len(bands)))
        rows = self.raw.rows(
            "SELECT article_id, cluster, published, wire FROM article_copies WHERE article_id IN "
            f"(SELECT DISTINCT article_id FROM copy_bands WHERE band IN ({marks})) ORDER BY article_id",
            {f"b{i}": band for i, band in enumerate(bands)},
        )
        self._rows = {r[0]: (r[1], r[2], r[3]) for r in rows}
        return [r[0] for r in rows]

    def wire(self, article_id: str) -> str | None:
        row = self._row(article_id)
        return row[2] if row is not None else None

    def fingerprint(self, article_id: str) -> Fingerprint | None:
        row = self.raw.one(
            "SELECT signature, size, words FROM article_copies WHERE article_id = :a", {"a": article_id}
        )
        return Fingerprint(_unpack(bytes(row[0])), row[1], row[2]) if row is not None else None

    def cluster(self, article_id: str) -> str | None:
        row = self._row(article_id)
        return row[0] if row is not None else None

    def published(self, article_id: str) -> str | None:
        row = self._row(article_id)
        return row[1] if row is not None else None

    def save(
        self,
        article_id: str,
        fp: Fingerprint,
        bands: Sequence[str],
        cluster: str,
        published: str | None,
        wire: str | None,
    ) -> None:
        self._rows.pop(article_id, None)
        self.conn.execute(
            tables.article_copies.insert().values(
                article_id=article_id,
                cluster=cluster,
                signature=_pack(fp.signature),
                size=fp.size,
                words=fp.words,
                published=published,
                wire=wire,
            )
        )
        self.raw.executemany(
            "INSERT INTO copy_bands (band, article_id) VALUES (:band, :article_id)",
            [{"band": b, "article_id": article_id} for b in bands],
        )

    def members(self, cluster: str) -> list[str]:
        rows = self.raw.rows("SELECT article_id FROM article_copies WHERE cluster = :c", {"c": cluster})
        return [r[0] for r in rows]

    def set_cluster(self, article_id: str, cluster: str) -> None:
        self.raw.execute(
            "UPDATE article_copies SET cluster = :c WHERE article_id = :a", {"c": cluster, "a": article_id}
        )
        self._rows.pop(article_id, None)


def index(conn: Connection) -> ClaimIndex:
    return ClaimIndex(SqlClaimState(conn), SqlCopyState(conn))


def add_article(conn: Connection, article_id: str, article: Article) -> list[str]:
    """Group an article's claims (in the caller's transaction); returns the groups it touched
    (including those whose origins changed because the article is an earlier copy)."""
    idx = index(conn)
    # The embeddings of the article's claim texts in one call (matching asks for them one claim
    # at a time; the tokenizer's cost is mostly per call).
    idx.grouper.vectors([a.content.text for a in article.attributions if a.parent is None])
    claims, changed = idx.add(article_id, article)
    # The new claims updated their groups' counts as they were saved; groups whose older
    # claims changed origin (an earlier copy arrived) are counted again.
    refresh(conn, sorted(changed))
    return sorted(changed | {c.group for c in claims if c.group})


def delete_article(conn: Connection, article_id: str) -> None:
    """Remove an article's claims and copy rows (before it is re-analysed).

    A copy of a deleted indexed claim (the same text key, in the same group) is indexed in
    its place; the touched groups are related to their (possibly new) anchor and recounted,
    and emptied groups removed. Groups are not split: a group that only held together
    through the deleted claims stays one group (docs/claims.md, limits).
    """
    c, t = tables.claims, tables.claim_terms
    gone = [_claim(row) for row in conn.execute(sa.select(c).where(c.c.article_id == article_id))]
    keys = {(claim.kind, claim.text_key()) for claim in gone}
    ids = sa.select(c.c.id).where(c.c.article_id == article_id)
    indexed = {
        (r.kind, r.term)
        for r in conn.execute(sa.select(t.c.kind, t.c.term).where(t.c.claim_id.in_(ids), t.c.term.like("=%")))
    }
    conn.execute(t.delete().where(t.c.claim_id.in_(ids)))
    for table in tables.CLAIM_TABLES:
        conn.execute(table.delete().where(table.c.article_id == article_id))
    state = SqlClaimState(conn)
    grouper = ClaimGrouper(state)
    touched = sorted({claim.group for claim in gone if claim.group})
    for group in touched:
        members = conn.execute(sa.select(c).where(c.c.group_id == group).order_by(c.c.id)).all()
        if not members:
            _remove_group(conn, group)
            continue
        for row in members:
            claim = _claim(row)
            key = (claim.kind, claim.text_key())
            if key in indexed and key in keys:
                terms = sorted({*claim_terms(claim), key[1]})
                conn.execute(
                    t.insert(), [{"kind": claim.kind, "term": term, "claim_id": row.id} for term in terms]
                )
                indexed.discard(key)
        grouper.relate_group(group)
    refresh(conn, [g for g in touched if g in grouper.recount])


#: ``claim_group_aliases.group_id`` of a removed group's own id: its claims were all deleted.
REMOVED = ""


def _remove_group(conn: Connection, group: str) -> None:
    """Remove a group whose claims were all deleted, keeping its id as removed.

    The id keeps its ``seq`` (no later group is given it, so an old link never shows another
    claim), and ``gone`` can tell a user who asks for it, or for an id merged into it, what
    happened instead of "no such group".
    """
    a, g = tables.claim_group_aliases, tables.claim_groups
    conn.execute(
        a.insert().from_select(
            ["id", "seq", "group_id", "merged_at"],
            sa.select(g.c.id, g.c.seq, sa.literal(REMOVED), sa.literal(_now())).where(g.c.id == group),
        )
    )
    conn.execute(g.delete().where(g.c.id == group))


def gone(conn: Connection, group_id: str) -> str | None:
    """What became of a claim group id that names no group now, or None if it never named one.

    An id merged into a group whose claims were later all deleted (their articles removed or
    re-analysed), or the id of such a group itself, says so, with when; a merge target missing
    without that record (a store written before it was kept) is said to be removed too.
    """
    a = tables.claim_group_aliases
    row = conn.execute(sa.select(a.c.group_id, a.c.merged_at).where(a.c.id == group_id)).first()
    if row is None:
        return None
    removed = "its claims were all deleted when their articles were removed or re-analysed"
    if row.group_id == REMOVED:
        return f"{removed} ({row.merged_at})"
    removed_at = sa.select(a.c.merged_at).where(a.c.id == row.group_id, a.c.group_id == REMOVED)
    target = conn.execute(removed_at).first()
    when = f" ({target.merged_at})" if target is not None else ""
    return f"it was merged into {row.group_id} ({row.merged_at}), which is gone too: {removed}{when}"


def refresh(conn: Connection, groups: Sequence[str]) -> None:
    """Recompute the stored summary (counts, dates) of ``groups`` with aggregates in the database."""
    g, c = tables.claim_groups, tables.claims
    carries = c.c.relation != "contradicts"
    for group in groups:
        row = conn.execute(
            sa.select(
                sa.func.count(),
                sa.func.count(sa.distinct(c.c.article_id)),
                sa.func.count(sa.distinct(sa.case((carries, c.c.origin_key)))),
                sa.func.sum(sa.case((carries, 0), else_=1)),
                sa.func.min(c.c.published),
                sa.func.max(c.c.published),
            ).where(c.c.group_id == group)
        ).one()
        conn.execute(
            g.update()
            .where(g.c.id == group)
            .values(
                claims=row[0],
                articles=row[1],
                origins=row[2],
                contradictions=row[3] or 0,
                first_published=row[4],
                last_published=row[5],
                updated_at=_now(),
            )
        )


def groups(
    conn: Connection,
    *,
    about: str | None = None,
    entity: str | None = None,
    since: str | None = None,
    until: str | None = None,
    min_origins: int = 1,
    min_articles: int = 2,
    contested: bool = False,
    limit: int = 20,
    offset: int = 0,
) -> list[GroupSummary]:
    """Claim groups, most independent origins first, with the filters of ``newsgraph claims``."""
    g, c = tables.claim_groups, tables.claims
    query = sa.select(g.c.id).where(g.c.origins >= min_origins, g.c.articles >= min_articles)
    if contested:
        query = query.where(g.c.contradictions > 0)
    if since:
        query = query.where(g.c.last_published >= since)
    if until:
        query = query.where(g.c.first_published <= until + "\uffff")
    for field, value in (("text", about), ("source", entity)):
        if value:
            words = [w for w in value.lower().split() if w]
            cond = sa.and_(*(sa.func.lower(c.c.text).contains(w, autoescape=True) for w in words))
            if field == "source":
                text_or_source = sa.or_(
                    cond, sa.and_(*(sa.func.lower(c.c.source).contains(w, autoescape=True) for w in words))
                )
                query = query.where(g.c.id.in_(sa.select(c.c.group_id).where(text_or_source)))
            else:
                query = query.where(g.c.id.in_(sa.select(c.c.group_id).where(cond)))
    query = query.order_by(g.c.origins.desc(), g.c.articles.desc(), g.c.seq).limit(limit).offset(offset)
    ids = [r.id for r in conn.execute(query)]
    idx = index(conn)
    return [idx.summary(group) for group in ids]


def current_id(conn: Connection, group_id: str) -> str | None:
    """The id of the group holding ``group_id``'s claims now: itself, the group it was merged
    into (``claim_group_aliases``), or None when there is no such group."""
    g, a = tables.claim_groups, tables.claim_group_aliases
    found = sa.select(g.c.id).where(g.c.id == group_id)
    merged = sa.select(g.c.id).join(a, a.c.group_id == g.c.id).where(a.c.id == group_id)
    current: str | None = conn.execute(found.union_all(merged).limit(1)).scalar()
    return current


def group(conn: Connection, group_id: str) -> GroupSummary | None:
    """One claim group with every claim, or None; the id of a merged group gives the group
    it was merged into (whose ``id`` is then not ``group_id``). An id whose claims were all
    deleted since (``gone``) raises ``StoreError`` ``E206`` saying so."""
    current = current_id(conn, group_id)
    if current is None:
        what = gone(conn, group_id)
        if what is not None:
            raise StoreError("E206", group=group_id, detail=what)
        return None
    return index(conn).summary(current)
