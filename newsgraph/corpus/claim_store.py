"""Claims and copy clusters kept in the store (SQLite or PostgreSQL), in the writer's transaction.

``SqlClaimState`` and ``SqlCopyState`` implement the ``ClaimState`` and ``CopyState``
protocols on the tables of migration 0002; ``GroupQueries`` reads claim groups for
``newsgraph claims`` and ``newsgraph claim ID``.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..model import Article
from ..store import tables
from .claims import MAX_CANDIDATES, MIN_SHARED_TERMS, Claim, ClaimIndex, GroupSummary
from .origins import Fingerprint


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _claim(row: Any) -> Claim:
    event = json.loads(row.event) if row.event else None
    return Claim(
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


class SqlClaimState:
    """``ClaimState`` on the ``claims``, ``claim_terms`` and ``claim_groups`` tables."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def candidates(self, terms: Sequence[str], kind: str) -> list[Claim]:
        if not terms:
            return []
        t, c = tables.claim_terms, tables.claims
        need = 1 if kind == "event" else MIN_SHARED_TERMS
        hits = (
            sa.select(t.c.claim_id)
            .where(t.c.kind == kind, t.c.term.in_(list(terms)))
            .group_by(t.c.claim_id)
            .having(sa.func.count() >= need)
            .order_by(sa.func.count().desc(), t.c.claim_id.desc())
            .limit(MAX_CANDIDATES)
            .subquery()
        )
        found = self.conn.execute(sa.select(c).where(c.c.id.in_(sa.select(hits.c.claim_id))).order_by(c.c.id))
        return [_claim(row) for row in found]

    def new_group(self) -> str:
        g = tables.claim_groups
        seq = self.conn.execute(sa.select(sa.func.coalesce(sa.func.max(g.c.seq), 0) + 1)).scalar_one()
        group = f"G{seq:06d}"
        self.conn.execute(
            g.insert().values(id=group, seq=seq, claims=0, articles=0, origins=0, contradictions=0)
        )
        return group

    def save(self, claim: Claim) -> None:
        c, g = tables.claims, tables.claim_groups
        carries = claim.relation != "contradicts"
        same_article = self.conn.execute(
            sa.select(c.c.id).where(c.c.group_id == claim.group, c.c.article_id == claim.article_id).limit(1)
        ).first()
        same_origin = (
            self.conn.execute(
                sa.select(c.c.id)
                .where(
                    c.c.group_id == claim.group,
                    c.c.origin_key == claim.resolved_origin,
                    c.c.relation != "contradicts",
                )
                .limit(1)
            ).first()
            if carries
            else True
        )
        published = claim.published
        self.conn.execute(
            g.update()
            .where(g.c.id == claim.group)
            .values(
                claims=g.c.claims + 1,
                articles=g.c.articles + (0 if same_article else 1),
                origins=g.c.origins + (0 if same_origin else 1),
                contradictions=g.c.contradictions + (0 if carries else 1),
                first_published=sa.case(
                    (sa.or_(g.c.first_published.is_(None), g.c.first_published > published), published),
                    else_=g.c.first_published,
                )
                if published
                else g.c.first_published,
                last_published=sa.case(
                    (sa.or_(g.c.last_published.is_(None), g.c.last_published < published), published),
                    else_=g.c.last_published,
                )
                if published
                else g.c.last_published,
                updated_at=_now(),
            )
        )
        claim_id = self.conn.execute(
            c.insert()
            .values(
                group_id=claim.group,
                article_id=claim.article_id,
                kind=claim.kind,
                ref=claim.ref,
                text=claim.text,
                start=claim.start,
                end=claim.end,
                source=claim.source,
                source_type=claim.source_type,
                hedge=claim.hedge,
                outlet=claim.outlet,
                published=claim.published,
                event=json.dumps(list(claim.event)) if claim.event else None,
                origin=claim.origin,
                origin_reason=claim.origin_reason,
                origin_key=claim.resolved_origin or None,
                relation=claim.relation,
                relation_reason=claim.relation_reason,
            )
            .returning(c.c.id)
        ).scalar_one()
        terms = sorted(set(claim.terms))
        if terms:
            self.conn.execute(
                tables.claim_terms.insert(),
                [{"kind": claim.kind, "term": term, "claim_id": claim_id} for term in terms],
            )

    def group_claims(self, group: str) -> list[Claim]:
        c = tables.claims
        rows = self.conn.execute(sa.select(c).where(c.c.group_id == group).order_by(c.c.id))
        return [_claim(row) for row in rows]

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


def _pack(signature: Sequence[int]) -> bytes:
    return struct.pack(f"<{len(signature)}Q", *signature)


def _unpack(blob: bytes) -> list[int]:
    return list(struct.unpack(f"<{len(blob) // 8}Q", blob))


class SqlCopyState:
    """``CopyState`` on the ``article_copies`` and ``copy_bands`` tables."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def _row(self, article_id: str) -> Any:
        a = tables.article_copies
        return self.conn.execute(sa.select(a).where(a.c.article_id == article_id)).first()

    def candidates(self, bands: Sequence[str]) -> list[str]:
        b = tables.copy_bands
        rows = self.conn.execute(sa.select(b.c.article_id).where(b.c.band.in_(list(bands))).distinct())
        return [r.article_id for r in rows]

    def wire(self, article_id: str) -> str | None:
        row = self._row(article_id)
        return row.wire if row is not None else None

    def fingerprint(self, article_id: str) -> Fingerprint | None:
        row = self._row(article_id)
        return Fingerprint(_unpack(row.signature), row.size, row.words) if row is not None else None

    def cluster(self, article_id: str) -> str | None:
        row = self._row(article_id)
        return row.cluster if row is not None else None

    def published(self, article_id: str) -> str | None:
        row = self._row(article_id)
        return row.published if row is not None else None

    def save(
        self,
        article_id: str,
        fp: Fingerprint,
        bands: Sequence[str],
        cluster: str,
        published: str | None,
        wire: str | None,
    ) -> None:
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
        self.conn.execute(tables.copy_bands.insert(), [{"band": b, "article_id": article_id} for b in bands])

    def members(self, cluster: str) -> list[str]:
        a = tables.article_copies
        rows = self.conn.execute(sa.select(a.c.article_id).where(a.c.cluster == cluster))
        return [r.article_id for r in rows]

    def set_cluster(self, article_id: str, cluster: str) -> None:
        a = tables.article_copies
        self.conn.execute(a.update().where(a.c.article_id == article_id).values(cluster=cluster))


def index(conn: Connection) -> ClaimIndex:
    return ClaimIndex(SqlClaimState(conn), SqlCopyState(conn))


def add_article(conn: Connection, article_id: str, article: Article) -> list[str]:
    """Group an article's claims (in the caller's transaction); returns the groups it touched
    (including those whose origins changed because the article is an earlier copy)."""
    claims, changed = index(conn).add(article_id, article)
    # The new claims updated their groups' counts as they were saved; groups whose older
    # claims changed origin (an earlier copy arrived) are counted again.
    refresh(conn, sorted(changed))
    return sorted(changed | {c.group for c in claims if c.group})


def delete_article(conn: Connection, article_id: str) -> None:
    """Remove an article's claims and copy rows (before it is re-analysed); refresh its groups."""
    c = tables.claims
    touched = [r.group_id for r in conn.execute(sa.select(c.c.group_id).where(c.c.article_id == article_id))]
    ids = sa.select(c.c.id).where(c.c.article_id == article_id)
    conn.execute(tables.claim_terms.delete().where(tables.claim_terms.c.claim_id.in_(ids)))
    for table in tables.CLAIM_TABLES:
        conn.execute(table.delete().where(table.c.article_id == article_id))
    refresh(conn, sorted(set(touched)))


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


def group(conn: Connection, group_id: str) -> GroupSummary | None:
    """One claim group with every claim, or None."""
    g = tables.claim_groups
    if conn.execute(sa.select(g.c.id).where(g.c.id == group_id)).first() is None:
        return None
    return index(conn).summary(group_id)
