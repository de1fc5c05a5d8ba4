"""The JSON Schema of an analysed article, generated from the dataclasses in ``model``.

``docs/schema.json`` is this output; a test fails when the two drift apart.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from typing import Any

from . import model

_SCALARS: dict[Any, dict[str, Any]] = {
    str: {"type": "string"},
    int: {"type": "integer"},
    float: {"type": "number"},
    bool: {"type": "boolean"},
}


def _type_schema(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        options = [_type_schema(arg, defs) for arg in typing.get_args(tp)]
        return {"anyOf": options}
    if tp is type(None):
        return {"type": "null"}
    if origin is list:
        (item,) = typing.get_args(tp)
        return {"type": "array", "items": _type_schema(item, defs)}
    if tp in _SCALARS:
        return dict(_SCALARS[tp])
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        name = tp.__name__
        if name not in defs:
            defs[name] = {}  # placeholder against recursion
            defs[name] = _object_schema(tp, defs)
        return {"$ref": f"#/$defs/{name}"}
    raise TypeError(f"no JSON schema for {tp!r}")


def _object_schema(cls: type, defs: dict[str, Any]) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    props: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if not f.metadata.get("serialise", True):
            continue
        props[f.name] = _type_schema(hints[f.name], defs)
    doc = (cls.__doc__ or "").strip().splitlines()[0]
    return {
        "type": "object",
        "description": doc,
        "properties": props,
        "required": sorted(props),
        "additionalProperties": False,
    }


def article_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of ``Article.to_dict()``."""
    defs: dict[str, Any] = {}
    root = _object_schema(model.Article, defs)
    root["properties"] = {
        "schema_version": {"const": model.SCHEMA_VERSION},
        **root["properties"],
    }
    root["required"] = sorted(root["properties"])
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://newsgraph.invalid/schema/article-{model.SCHEMA_VERSION}.json",
        "title": "newsgraph analysed article",
        **root,
        "$defs": dict(sorted(defs.items())),
    }


def schema_json() -> str:
    return json.dumps(article_schema(), indent=2, ensure_ascii=False) + "\n"
