"""The JSON API, mounted at ``/api``: the store's records, filtered, sorted and paged."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

router = APIRouter(tags=["api"])


@router.get("/stats")
def stats(request: Request) -> dict[str, Any]:
    """Counts of what the store holds."""
    result: dict[str, Any] = request.app.state.corpus.stats()
    return result
