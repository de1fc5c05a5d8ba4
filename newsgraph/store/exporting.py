"""Export: articles as JSON Lines, flat tables as CSV or Parquet, events as PLOVER JSON Lines.

Articles go out in the order they were added; each entity of the article JSON gets
the cross-article id it was linked to in a new field ``corpus_entity`` (null when the
linker left it alone).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..errors import BadInput
from . import queries, tables

if TYPE_CHECKING:
    from . import Store

FORMATS = ("jsonl", "csv", "parquet", "plover")
#: Flat tables written by ``csv`` and ``parquet`` (the search index is derived, so left out).
FLAT_TABLES = (
    "articles",
    "entities",
    "mentions",
    "attributions",
    "events",
    "places",
    "times",
    "problems",
    "corpus_entities",
    "entity_links",
)
_BATCH = 200


def selected_ids(
    conn: Connection,
    *,
    since: str | None = None,
    until: str | None = None,
    outlet: str | None = None,
    search: str | None = None,
    limit: int | None = None,
) -> list[str]:
    """Ids of the articles the query options select, in the order they were added."""
    a = tables.articles
    conds: list[Any] = queries._dates(a.c.published, since, until)
    if outlet:
        conds.append(sa.func.lower(a.c.outlet) == outlet.lower())
    if search:
        matching = queries._matching_docs(conn, search, "article").subquery()
        conds.append(a.c.id.in_(sa.select(matching.c.article_id)))
    query = sa.select(a.c.id).where(*conds).order_by(a.c.seq)
    if limit is not None:
        query = query.limit(limit)
    return [r.id for r in conn.execute(query)]


def article_dicts(store: Store, ids: list[str]) -> Iterator[dict[str, Any]]:
    """Article JSON with ``corpus_entity`` on every entity and the article's ``claims``, in batches.

    ``claims`` lists each claim the article makes with its claim group and independent
    origin: ``{"attribution": "A2", "group": "G000004", "origin": "outlet:reuters"}``.
    """
    lk = tables.entity_links
    cl = tables.claims
    for start in range(0, len(ids), _BATCH):
        chunk = ids[start : start + _BATCH]
        with store.read() as conn:
            articles = store.read_articles(conn, chunk)
            links = {
                (r.article_id, r.entity_id): r.corpus_id
                for r in conn.execute(sa.select(lk).where(lk.c.article_id.in_(chunk)))
            }
            claims: dict[str, list[dict[str, Any]]] = {}
            for r in conn.execute(sa.select(cl).where(cl.c.article_id.in_(chunk)).order_by(cl.c.id)):
                claims.setdefault(r.article_id, []).append(
                    {r.kind: r.ref, "group": r.group_id, "origin": r.origin_key}
                )
        for article_id, article in zip(chunk, articles, strict=True):
            data = {"id": article_id, **article.to_dict()}
            for entity in data["entities"]:
                entity["corpus_entity"] = links.get((article_id, entity["id"]))
            data["claims"] = claims.get(article_id, [])
            yield data


def export(store: Store, fmt: str, out: Any, **filters: Any) -> int:
    """Write the selected articles in ``fmt``; returns how many articles were exported."""
    if fmt not in FORMATS:
        raise BadInput("E008", field="format", value=fmt, detail=f"choose one of {', '.join(FORMATS)}")
    with store.read() as conn:
        ids = selected_ids(conn, **filters)
    if fmt == "jsonl":
        for data in article_dicts(store, ids):
            out.write(json.dumps(data, ensure_ascii=False) + "\n")
    elif fmt == "plover":
        for data in article_dicts(store, ids):
            for event in plover_events(data):
                out.write(json.dumps(event, ensure_ascii=False) + "\n")
    else:
        _flat(store, fmt, Path(out), ids)
    return len(ids)


def plover_events(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The events of one article JSON as PLOVER-style event records (field names of PLOVER 2.0)."""
    meta = data["metadata"]
    places = {p["id"]: p for p in data["places"]}
    entities = {e["id"]: e for e in data["entities"]}
    attributions = {x["id"]: x for x in data["attributions"]}
    out = []
    for event in data["events"]:
        place = places.get(event["place"]) if event["place"] else None
        attribution = attributions.get(event["attribution"]) if event["attribution"] else None

        def party(p: dict[str, Any] | None) -> dict[str, Any] | None:
            if p is None:
                return None
            entity = entities.get(p["entity"]) if p["entity"] else None
            return {
                "text": p["text"],
                "name": entity["name"] if entity else None,
                "type": entity["type"] if entity else None,
                "corpus_entity": entity.get("corpus_entity") if entity else None,
            }

        out.append(
            {
                "id": f"{data['id']}:{event['id']}",
                "event_type": event["category"],
                "mode": event["mode"],
                "modality": event["modality"],
                "date": event["date"],
                "actor": party(event["actor"]),
                "recipient": party(event["target"]),
                "location": None
                if place is None
                else {
                    "name": place["name"],
                    "lat": place["lat"],
                    "lon": place["lon"],
                    "country": place["country"],
                    "feature": place["feature"],
                },
                "trigger": event["trigger"],
                "text": event["sentence"]["text"] if event["sentence"] else None,
                "claimed_by": attribution["source"]["text"] if attribution else None,
                "source": {
                    "article_id": data["id"],
                    "outlet": meta["outlet"],
                    "url": meta["url"],
                    "title": meta["title"],
                    "published": meta["published"],
                },
            }
        )
    return out


def _flat(store: Store, fmt: str, out_dir: Path, ids: list[str]) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    wanted = set(ids)
    for name in FLAT_TABLES:
        table = tables.metadata.tables[name]
        columns = [c.name for c in table.columns]
        query = sa.select(table).order_by(*table.primary_key.columns)
        with store.read() as conn:
            records = [dict(r._mapping) for r in conn.execute(query)]
        # Filtered here rather than in SQL: a selection can hold more ids than a query may bind.
        if "article_id" in columns:
            records = [r for r in records if r["article_id"] in wanted]
        elif name == "articles":
            records = sorted((r for r in records if r["id"] in wanted), key=lambda r: r["seq"])
        if fmt == "csv":
            with open(out_dir / f"{name}.csv", "w", encoding="utf-8", newline="") as handle:
                writer = csv.DictWriter(handle, fieldnames=columns)
                writer.writeheader()
                writer.writerows(records)
        else:
            _parquet(out_dir / f"{name}.parquet", table, records)


def _parquet(path: Path, table: sa.Table, records: list[dict[str, Any]]) -> None:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as err:
        raise BadInput(
            "E008", field="format", value="parquet", detail="needs pyarrow: pip install 'newsgraph[parquet]'"
        ) from err
    types = {sa.Integer: pa.int64(), sa.Double: pa.float64(), sa.Boolean: pa.bool_()}
    fields = []
    for column in table.columns:
        kind = next((t for k, t in types.items() if isinstance(column.type, k)), pa.string())
        fields.append(pa.field(column.name, kind))
    schema = pa.schema(fields)
    columns = {f.name: [r.get(f.name) for r in records] for f in fields}
    pq.write_table(pa.table(columns, schema=schema), path)
