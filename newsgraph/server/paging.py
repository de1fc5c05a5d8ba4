"""Cursor paging: an opaque cursor names a position in one query's stable order.

The cursor carries the position and a digest of the query's filters, so a cursor is
refused (``E407``) when sent with other filters than those it was made for. Every list
the store returns has a total order (ties broken by a unique key), so following ``next``
walks each record once while articles are only added.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import Request

from .failures import RequestError

#: Query parameters that do not change which records a list holds.
NOT_FILTERS = ("cursor", "limit")


def _digest(request: Request) -> str:
    items = sorted((k, v) for k, v in request.query_params.multi_items() if k not in NOT_FILTERS)
    return hashlib.sha256(json.dumps(items).encode()).hexdigest()[:12]


def encode(offset: int, request: Request) -> str:
    raw = json.dumps({"o": offset, "q": _digest(request)}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str | None, request: Request) -> int:
    """The offset ``cursor`` points at (0 without one); ``E407`` when it is not one of ours."""
    if not cursor:
        return 0
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        offset, digest = data["o"], data["q"]
    except (binascii.Error, ValueError, TypeError, KeyError, UnicodeDecodeError):
        raise RequestError("E407", "query.cursor", detail="not a cursor this server made") from None
    if not isinstance(offset, int) or offset < 0 or isinstance(offset, bool):
        raise RequestError("E407", "query.cursor", detail="not a cursor this server made")
    if digest != _digest(request):
        raise RequestError("E407", "query.cursor", detail="it was made for a query with other filters")
    return offset


def page(
    request: Request, limit: int, cursor: str | None, fetch: Callable[[int, int], list[Any]]
) -> dict[str, Any]:
    """``{"items", "next_cursor", "next"}`` from ``fetch(limit, offset)`` (asked one more)."""
    offset = decode(cursor, request)
    found = fetch(limit + 1, offset)
    items = found[:limit]
    if len(found) <= limit:
        return {"items": items, "next_cursor": None, "next": None}
    token = encode(offset + limit, request)
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor"] + [("cursor", token)]
    return {"items": items, "next_cursor": token, "next": f"{request.url.path}?{urlencode(params)}"}
