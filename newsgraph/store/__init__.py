"""The corpus store: analysed articles in SQLite (default) or PostgreSQL, through one code path.

Layer: may import ``model`` and ``errors`` only. SQLAlchemy Core 2.x; psycopg 3 for
PostgreSQL; the schema is versioned by Alembic migrations shipped in
``migrations/versions`` and applied when a store is opened. A store written by a newer
newsgraph (a revision this program does not know) is refused with ``E201``.

>>> store = Store.open("sqlite://")  # in memory
>>> store.count("articles")
0
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ..errors import StoreError
from ..model import Article, Mention, Problem
from . import groups, raw, rows, search, tables

__all__ = ["DEFAULT_DB", "Store", "article_key", "content_hash"]

#: The store used when neither ``--db`` nor ``NEWSGRAPH_DB`` names one.
DEFAULT_DB = "newsgraph.db"


def database_url(db: str | None) -> str:
    """A SQLAlchemy URL for ``db``: a file path, ``sqlite:///...`` or ``postgresql://...``."""
    value = db or os.environ.get("NEWSGRAPH_DB") or DEFAULT_DB
    if value.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + value.split("://", 1)[1]
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser()}"


def content_hash(text: str) -> str:
    """The hash of the normalised text: NFKC, case-folded, whitespace runs collapsed."""
    norm = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()


def article_key(article: Article) -> tuple[str, str]:
    """``(id, content hash)``: the id comes from the URL when there is one, else from the text."""
    digest = content_hash(article.text)
    url = (article.metadata.url or "").strip()
    basis = f"url:{url}" if url else f"text:{digest}"
    return "a" + hashlib.sha256(basis.encode("utf-8")).hexdigest()[:19], digest


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Store:
    """An open store. ``begin()`` gives a transaction; the other methods take its connection."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name

    @classmethod
    def open(cls, db: str | None = None, *, create: bool = True) -> Store:
        """Open (creating and migrating when needed) the store named by ``db``."""
        url = database_url(db)
        if url.startswith("sqlite:///") and not create:
            path = Path(url.removeprefix("sqlite:///"))
            if not path.exists():
                raise StoreError("E202", db=str(path), detail="no such store (run newsgraph add first)")
        try:
            engine = sa.create_engine(url, future=True)
        except (sa.exc.ArgumentError, ImportError) as err:
            raise StoreError("E202", db=_safe(url), detail=str(err)) from err
        if engine.dialect.name == "sqlite":
            sa.event.listen(engine, "connect", _sqlite_pragmas)
        store = cls(engine)
        store.migrate()
        return store

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A connection inside one transaction: committed on success, rolled back on error."""
        with self.engine.begin() as conn:
            groups.defer(conn)
            try:
                yield conn
                groups.settle(conn)  # the entity counts of what changed, in this transaction
            finally:
                groups.discard(conn)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    # -- schema -----------------------------------------------------------------------------

    def migrate(self) -> None:
        """Apply every migration this program knows; refuse a store from a newer program."""
        from alembic import command
        from alembic.config import Config
        from alembic.script import ScriptDirectory

        config = Config()
        config.set_main_option("script_location", str(resources.files("newsgraph.store") / "migrations"))
        script = ScriptDirectory.from_config(config)
        head = script.get_current_head()
        try:
            with self.engine.begin() as conn:
                current = self._revision(conn)
                if current is not None and current not in {r.revision for r in script.walk_revisions()}:
                    raise StoreError("E201", db=_safe(str(self.engine.url)), revision=current, head=head)
                if current != head:
                    config.attributes["connection"] = conn
                    command.upgrade(config, "head")
        except sa.exc.OperationalError as err:
            raise StoreError("E202", db=_safe(str(self.engine.url)), detail=str(err.orig)) from err

    @staticmethod
    def _revision(conn: Connection) -> str | None:
        if not sa.inspect(conn).has_table("alembic_version"):
            return None
        value = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        return str(value) if value is not None else None

    def revision(self) -> str | None:
        with self.read() as conn:
            return self._revision(conn)

    # -- writing ----------------------------------------------------------------------------

    def find(self, conn: Connection, url: str | None, digest: str) -> Any:
        """The stored row (id, pipeline_version) with this URL or content hash, or None."""
        a = tables.articles
        cond = a.c.content_hash == digest
        if url:
            cond = sa.or_(cond, a.c.url == url)
        return conn.execute(sa.select(a.c.id, a.c.pipeline_version).where(cond).limit(1)).first()

    def has_article(self, conn: Connection, article_id: str) -> bool:
        a = tables.articles
        return conn.execute(sa.select(a.c.id).where(a.c.id == article_id)).first() is not None

    def write_article(
        self, conn: Connection, article_id: str, digest: str, article: Article, pipeline_version: str
    ) -> None:
        """Insert one analysed article with all its facts (replacing an older analysis of it)."""
        from ..model import SCHEMA_VERSION

        if "\x00" in article.text:
            raise StoreError("E203", input=article.input)
        # Statements on the driver's cursor (``raw``): through SQLAlchemy their building and
        # compiling cost more than running them.
        # Only a re-analysed article has rows to remove.
        if raw.rows(conn, "SELECT 1 FROM articles WHERE id = :id", {"id": article_id}):
            self.delete_article(conn, article_id)
        seq = int(raw.rows(conn, "SELECT COALESCE(MAX(seq), 0) + 1 FROM articles")[0][0])
        row = rows.article_row(article)
        row["url"] = (row["url"] or "").strip() or None
        raw.insert(
            conn,
            tables.articles,
            [
                {
                    "id": article_id,
                    "seq": seq,
                    "content_hash": digest,
                    "schema_version": SCHEMA_VERSION,
                    "pipeline_version": pipeline_version,
                    "added_at": now(),
                    **row,
                }
            ],
        )
        mention_rows: list[dict[str, Any]] = []
        for field_name, (table_name, _cls) in rows.FACTS.items():
            items = getattr(article, field_name)
            if not items:
                continue
            raw.insert(
                conn,
                tables.metadata.tables[table_name],
                [rows.fact_row(article_id, n, item) for n, item in enumerate(items)],
            )
            if field_name in ("entities", "places"):
                owner = "entity" if field_name == "entities" else "place"
                for item in items:
                    mention_rows += rows.mention_rows(article_id, owner, item.id, item.mentions)
        raw.insert(conn, tables.mentions, mention_rows)
        raw.insert(conn, tables.speaker_terms, search.speaker_rows(article_id, article))
        search.index_article(conn, article_id, article, seq)
        raw.execute(conn, "DELETE FROM problems WHERE input = :input", {"input": article.input})
        groups.touch(conn, [article_id], {article_id: article})

    def delete_article(self, conn: Connection, article_id: str) -> None:
        a = tables.articles
        seq = conn.execute(sa.select(a.c.seq).where(a.c.id == article_id)).scalar()
        for table in (*tables.ARTICLE_TABLES, a):
            key = table.c.id if table is a else table.c.article_id
            conn.execute(table.delete().where(key == article_id))
        search.unindex_article(conn, article_id, seq)
        groups.forget(conn, article_id)

    def record_problem(self, conn: Connection, problem: Problem, pipeline_version: str) -> None:
        """One row per failed input (a later failure of the same input replaces it)."""
        p = tables.problems
        conn.execute(p.delete().where(p.c.input == problem.input))
        conn.execute(
            p.insert().values(
                input=problem.input,
                code=problem.code,
                message=problem.message,
                pipeline_version=pipeline_version,
                at=now(),
            )
        )

    # -- reading ----------------------------------------------------------------------------

    def read_article(self, conn: Connection, article_id: str) -> Article | None:
        """The article exactly as it was stored, or None."""
        row = conn.execute(sa.select(tables.articles).where(tables.articles.c.id == article_id)).first()
        if row is None:
            return None
        return self._rebuild(conn, [row._mapping])[0]

    def read_articles(self, conn: Connection, article_ids: list[str]) -> list[Article]:
        """Articles in the order of ``article_ids`` (missing ids are skipped)."""
        a = tables.articles
        found = {r.id: r._mapping for r in conn.execute(sa.select(a).where(a.c.id.in_(article_ids))).all()}
        return self._rebuild(conn, [found[i] for i in article_ids if i in found])

    def _rebuild(self, conn: Connection, article_rows: list[Any]) -> list[Article]:
        ids = [r["id"] for r in article_rows]
        facts: dict[str, dict[str, list[Any]]] = {i: {} for i in ids}
        for field_name, (table_name, _cls) in rows.FACTS.items():
            table = tables.metadata.tables[table_name]
            query = sa.select(table).where(table.c.article_id.in_(ids)).order_by(table.c.seq)
            for r in conn.execute(query):
                facts[r.article_id].setdefault(field_name, []).append(r._mapping)
        m = tables.mentions
        mentions: dict[str, dict[tuple[str, str], list[Mention]]] = {i: {} for i in ids}
        for r in conn.execute(sa.select(m).where(m.c.article_id.in_(ids)).order_by(m.c.seq)):
            mentions[r.article_id].setdefault((r.owner, r.owner_id), []).append(
                rows.mention_from_row(r._mapping)
            )
        return [rows.article_from_rows(r, facts[r["id"]], mentions[r["id"]]) for r in article_rows]

    def article_ids(self, conn: Connection, where: Any = None, limit: int | None = None) -> list[str]:
        """Ids of stored articles in the order they were added (optionally filtered)."""
        a = tables.articles
        query = sa.select(a.c.id).order_by(a.c.seq)
        if where is not None:
            query = query.where(where)
        if limit is not None:
            query = query.limit(limit)
        return [r.id for r in conn.execute(query)]

    def count(self, table_name: str) -> int:
        with self.read() as conn:
            table = tables.metadata.tables[table_name]
            return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _safe(url: str) -> str:
    """The URL without its password."""
    return re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", url)


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
