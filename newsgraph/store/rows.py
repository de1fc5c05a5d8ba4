"""An analysed ``Article`` as table rows, and back: ``article_from_rows(rows_of(a)) == a``.

The mapping follows the dataclasses in ``model``: a nested fact (``cue``, ``source``,
``actor``) becomes columns with its field name as prefix, and is None again when its
first field is NULL; lists of plain values or small spans are JSON text; entity and
place mentions have their own table.
"""

from __future__ import annotations

import dataclasses
import json
import typing
from functools import cache
from typing import Any

from ..model import (
    Article,
    Attribution,
    Entity,
    Event,
    Mention,
    Metadata,
    Place,
    Removed,
    Role,
    Span,
    Subhead,
    Time,
)

#: Fact lists of an article -> (table name, dataclass).
FACTS: dict[str, tuple[str, type]] = {
    "entities": ("entities", Entity),
    "attributions": ("attributions", Attribution),
    "events": ("events", Event),
    "places": ("places", Place),
    "times": ("times", Time),
}
#: Lists of small dataclasses kept as JSON text: field -> item class.
JSON_LISTS: dict[str, type] = {"roles": Role, "content_spans": Span, "removed": Removed, "subheads": Subhead}
ARTICLE_COLUMNS = ("input", "text", "removed", "subheads", "warnings")


@cache
def _hints(cls: Any) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _nested_class(tp: Any) -> type | None:
    """The dataclass inside ``X | None`` or ``X``, else None."""
    for arg in (tp, *typing.get_args(tp)):
        if dataclasses.is_dataclass(arg) and isinstance(arg, type):
            return arg
    return None


@cache
def _plan(cls: Any) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """How each field of ``cls`` becomes columns: ``(name, "skip" | "json" | "nested" | "plain",
    nested field names)``, worked out once per class (``fact_row`` runs for every fact)."""
    plan: list[tuple[str, str, tuple[str, ...]]] = []
    for f in dataclasses.fields(cls):
        if f.name == "mentions":
            plan.append((f.name, "skip", ()))
        elif f.name in JSON_LISTS or f.name == "aliases":
            plan.append((f.name, "json", ()))
        else:
            nested = _nested_class(_hints(cls)[f.name])
            if nested is not None:
                plan.append((f.name, "nested", tuple(sub.name for sub in dataclasses.fields(nested))))
            else:
                plan.append((f.name, "plain", ()))
    return tuple(plan)


def fact_row(article_id: str, seq: int, fact: Any) -> dict[str, Any]:
    """The row of one entity, attribution, event, place or time (mentions excluded)."""
    row: dict[str, Any] = {"article_id": article_id, "seq": seq}
    cls: Any = type(fact)
    for name, how, subs in _plan(cls):
        if how == "skip":
            continue
        value = getattr(fact, name)
        if how == "json":
            row[name] = _dump([_plain(v) for v in value])
        elif how == "nested":
            for sub in subs:
                row[f"{name}_{sub}"] = None if value is None else getattr(value, sub)
        else:
            row[name] = value
    return row


def fact_from_row(cls: type, row: Any, mentions: list[Mention] | None = None) -> Any:
    """The dataclass ``cls`` rebuilt from its row (a mapping)."""
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name == "mentions":
            values[f.name] = mentions or []
            continue
        if f.name in JSON_LISTS:
            values[f.name] = [JSON_LISTS[f.name](**item) for item in json.loads(row[f.name])]
            continue
        if f.name == "aliases":
            values[f.name] = json.loads(row[f.name])
            continue
        nested = _nested_class(_hints(cls)[f.name])
        if nested is not None:
            subs = dataclasses.fields(nested)
            if row[f"{f.name}_{subs[0].name}"] is None:
                values[f.name] = None
            else:
                values[f.name] = nested(**{s.name: row[f"{f.name}_{s.name}"] for s in subs})
        else:
            values[f.name] = row[f.name]
    return cls(**values)


def mention_rows(article_id: str, owner: str, owner_id: str, items: list[Mention]) -> list[dict[str, Any]]:
    return [
        {
            "article_id": article_id,
            "owner": owner,
            "owner_id": owner_id,
            "seq": n,
            "start": m.start,
            "end": m.end,
            "text": m.text,
            "metonymy": m.metonymy,
        }
        for n, m in enumerate(items)
    ]


def article_row(article: Article) -> dict[str, Any]:
    """The ``articles`` columns that come from the article itself (not id, hash or versions)."""
    meta = article.metadata
    return {
        "input": article.input,
        "text": article.text,
        "title": meta.title,
        "published": meta.published,
        "outlet": meta.outlet,
        "url": meta.url,
        "author": meta.author,
        "language": meta.language,
        "removed": _dump([_plain(r) for r in article.removed]),
        "subheads": _dump([_plain(s) for s in article.subheads]),
        "warnings": _dump(list(article.warnings)),
    }


def article_from_rows(
    row: Any, facts: dict[str, list[Any]], mentions: dict[tuple[str, str], list[Mention]]
) -> Article:
    """The article rebuilt from its ``articles`` row, fact rows (in order) and mentions."""
    article = Article(
        text=row["text"],
        input=row["input"],
        metadata=Metadata(
            title=row["title"],
            published=row["published"],
            outlet=row["outlet"],
            url=row["url"],
            author=row["author"],
            language=row["language"],
        ),
        removed=[Removed(**r) for r in json.loads(row["removed"])],
        subheads=[Subhead(**s) for s in json.loads(row["subheads"])],
        warnings=list(json.loads(row["warnings"])),
    )
    owner_of = {"entities": "entity", "places": "place"}
    for field_name, (_table, cls) in FACTS.items():
        owner = owner_of.get(field_name)
        items = [
            fact_from_row(cls, r, mentions.get((owner, r["id"]), []) if owner else None)
            for r in facts.get(field_name, [])
        ]
        setattr(article, field_name, items)
    return article


def mention_from_row(row: Any) -> Mention:
    return Mention(start=row["start"], end=row["end"], text=row["text"], metonymy=bool(row["metonymy"]))


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return value


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
