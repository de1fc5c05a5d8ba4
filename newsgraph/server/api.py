"""The JSON API, mounted at ``/api``: the store's records, filtered, sorted and paged.

Lists take the CLI's query options as query parameters, ``limit`` and an opaque
``cursor``, and answer ``{"items", "next_cursor", "next"}``. Every error has the one
shape of :mod:`newsgraph.server.failures`.
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Body, Depends, Path, Query, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse

from ..core import normalise_date
from ..errors import StoreError
from . import paging
from .failures import RequestError
from .models import (
    ARTICLE_REF,
    Added,
    ArticleSummary,
    ClaimGroup,
    EntityMatches,
    EntitySummary,
    ErrorBody,
    Event,
    Page,
    Place,
    Quote,
    SearchHit,
    Stats,
    StoredProblem,
    Submission,
)

#: Every route may answer with the error shape; these statuses are listed in the spec.
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "A cursor made for another query (E407)."},
    404: {"model": ErrorBody, "description": "No such record or route."},
    413: {"model": ErrorBody, "description": "Request body over the limit (E404)."},
    422: {
        "model": ErrorBody,
        "description": "A parameter or body field is not valid (E401), or the input cannot be analysed"
        " (E0xx: empty, not text, no article in the page, a URL refused or not fetched, ...).",
    },
    500: {"model": ErrorBody, "description": "A bug (E408)."},
}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    401: {"model": ErrorBody, "description": "No token sent (E405)."},
    403: {"model": ErrorBody, "description": "Wrong token (E406)."},
}
ARTICLE_RESPONSE: dict[str, Any] = {
    "description": "The analysed article (the JSON contract of newsgraph analyze; docs/schema.json).",
    "content": {"application/json": {"schema": ARTICLE_REF}},
}

router = APIRouter(responses=ERRORS)

MAX_LIMIT = 200
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="At most this many records.")]
Cursor = Annotated[
    str | None, Query(max_length=200, description="Opaque: the `next_cursor` of the previous page.")
]
Since = Annotated[str | None, Query(max_length=40, description="On or after this ISO 8601 date.")]
Until = Annotated[str | None, Query(max_length=40, description="On or before this ISO 8601 date.")]
Text = Annotated[str | None, Query(max_length=200)]


def _corpus(request: Request) -> Any:
    return request.app.state.corpus


def _date(value: str | None, name: str) -> str | None:
    if value is None or value == "":
        return None
    normal = normalise_date(value)
    if normal is None:
        raise RequestError("E401", f"query.{name}", detail=f"{name}={value!r} is not an ISO 8601 date")
    return normal


def _words(value: str | None) -> str | None:
    """A text filter, or None when it holds nothing to match (blank means no filter)."""
    return value if value is not None and value.strip() else None


# -- articles --------------------------------------------------------------------------------


@router.get("/articles", response_model=Page[ArticleSummary], tags=["articles"])
def list_articles(
    request: Request,
    since: Since = None,
    until: Until = None,
    outlet: Text = None,
    sort: Annotated[
        Literal["-added", "added", "-published", "published"],
        Query(description="Newest added first (default), oldest added, latest or earliest published."),
    ] = "-added",
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict[str, Any]:
    """Stored articles (metadata; the text is in the single-article record)."""
    filters = {"since": _date(since, "since"), "until": _date(until, "until"), "outlet": _words(outlet)}
    return paging.page(
        request,
        limit,
        cursor,
        lambda n, o: _corpus(request).articles(**filters, sort=sort, limit=n, offset=o),
    )


@router.get("/articles/{article_id}", responses={200: ARTICLE_RESPONSE}, tags=["articles"])
def get_article(request: Request, article_id: Annotated[str, Path(max_length=100)]) -> JSONResponse:
    """One stored article exactly as analysed: the same JSON as ``newsgraph analyze``."""
    article = _corpus(request).article(article_id)
    if article is None:
        raise RequestError("E409", "path.article_id", article_id=article_id)
    return JSONResponse(article.to_dict())


def require_token(request: Request) -> None:
    """Writes need ``Authorization: Bearer TOKEN`` when the server has a token."""
    token = request.app.state.options.token
    if not token:
        return
    header = request.headers.get("authorization", "")
    scheme, _, sent = header.partition(" ")
    if scheme.lower() != "bearer" or not sent.strip():
        raise RequestError("E405", "header.authorization")
    if not hmac.compare_digest(sent.strip().encode(), token.encode()):
        raise RequestError("E406", "header.authorization")


@router.post(
    "/articles",
    response_model=Added,
    status_code=201,
    responses={**WRITE_ERRORS, 200: {"model": Added, "description": "The store holds it already."}},
    dependencies=[Depends(require_token)],
    tags=["articles"],
)
def add_article(request: Request, response: Response, submission: Annotated[Submission, Body()]) -> Added:
    """Analyse an article and add it to the store (text, HTML, or a URL to fetch).

    201 when added, 200 when the store already holds it (same URL or same text). Needs the
    server's token when it has one.
    """
    from . import add_submission

    status, article_id = add_submission(request.app, submission.model_dump())
    if status != "added":
        response.status_code = 200
    location = f"/api/articles/{quote(article_id, safe='')}" if article_id else None
    if location:
        response.headers["Location"] = location
    return Added(status=status, article_id=article_id, location=location)  # type: ignore[arg-type]


@router.post("/analyze", responses={**WRITE_ERRORS, 200: ARTICLE_RESPONSE}, tags=["articles"])
def analyze(request: Request, submission: Annotated[Submission, Body()]) -> JSONResponse:
    """Analyse text, HTML or a URL and return the article JSON contract; nothing is stored."""
    from . import analyze_submission

    return JSONResponse(analyze_submission(request.app, submission.model_dump()).to_dict())


# -- entities, attributions, claims, events, places -----------------------------------------


@router.get("/entities", response_model=Page[EntitySummary], tags=["entities"])
def list_entities(
    request: Request,
    type: Annotated[str | None, Query(max_length=40, description="PERSON, ORG, GPE, ...")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict[str, Any]:
    """Entities across articles, most articles first (linked entities grouped)."""
    return paging.page(
        request, limit, cursor, lambda n, o: _corpus(request).entities(type=_words(type), limit=n, offset=o)
    )


@router.get("/entities/{name}", response_model=EntityMatches, tags=["entities"])
def get_entity(
    request: Request,
    name: Annotated[str, Path(min_length=1, max_length=200)],
    why: Annotated[
        bool, Query(description="Add the link log: why each article's entity was linked.")
    ] = False,
) -> dict[str, Any]:
    """Every entity called ``name`` (name, mention or alias, any case): aliases, roles, what they
    said, what others said about them, events, outlets, first and last seen."""
    if not name.strip():
        raise RequestError("E401", "path.name", detail="the name is blank")
    found = _corpus(request).entity(name, why=why)
    if not found:
        raise RequestError("E204", "path.name", what=f"entity {name!r}")
    return {"name": name, "entities": found}


@router.get("/attributions", response_model=Page[Quote], tags=["attributions"])
def list_attributions(
    request: Request,
    speaker: Annotated[
        str | None, Query(max_length=200, description="Words of the source or its entity.")
    ] = None,
    about: Annotated[str | None, Query(max_length=200, description="Words the content holds (all).")] = None,
    source_type: Annotated[
        str | None, Query(max_length=40, description="e.g. named_person, anonymous.")
    ] = None,
    hedged: Annotated[bool, Query(description="Only claims made with a hedge.")] = False,
    since: Since = None,
    until: Until = None,
    outlet: Text = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict[str, Any]:
    """Who says what and how firmly (``newsgraph quotes``), newest article first."""
    filters = {
        "speaker": _words(speaker),
        "about": _words(about),
        "source_type": _words(source_type),
        "hedged": hedged,
        "since": _date(since, "since"),
        "until": _date(until, "until"),
        "outlet": _words(outlet),
    }
    return paging.page(
        request, limit, cursor, lambda n, o: _corpus(request).quotes(**filters, limit=n, offset=o)
    )


@router.get("/claims", response_model=Page[ClaimGroup], tags=["claims"])
def list_claims(
    request: Request,
    about: Annotated[str | None, Query(max_length=200, description="Words a claim holds (all).")] = None,
    entity: Annotated[
        str | None, Query(max_length=200, description="Words of a claim or its source.")
    ] = None,
    since: Since = None,
    until: Until = None,
    min_origins: Annotated[int, Query(ge=1, le=1_000_000, description="At least N independent origins.")] = 1,
    min_articles: Annotated[
        int, Query(ge=1, le=1_000_000, description="Carried by at least N articles.")
    ] = 2,
    contested: Annotated[bool, Query(description="Only groups a claim contradicts.")] = False,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 20,
    cursor: Cursor = None,
) -> dict[str, Any]:
    """Claim groups, most independent origins first (``newsgraph claims``)."""
    filters = {
        "about": _words(about),
        "entity": _words(entity),
        "since": _date(since, "since"),
        "until": _date(until, "until"),
        "min_origins": min_origins,
        "min_articles": min_articles,
        "contested": contested,
    }
    return paging.page(
        request, limit, cursor, lambda n, o: _corpus(request).claims(**filters, limit=n, offset=o)
    )


@router.get(
    "/claims/{group_id}",
    response_model=ClaimGroup,
    responses={
        308: {"description": "The group was merged into another: its URL is in Location."},
        410: {"description": "E206: its claims, or those of the group it merged into, were deleted."},
    },
    tags=["claims"],
)
def get_claim(request: Request, group_id: Annotated[str, Path(max_length=100)]) -> Any:
    """One claim group with every claim, its source, hedge, origin and relation."""
    try:
        found: dict[str, Any] | None = _corpus(request).claim(group_id)
    except StoreError as err:
        if err.code != "E206":
            raise
        raise RequestError("E206", "path.group_id", **err.values) from err
    if found is None:
        raise RequestError("E205", "path.group_id", group=group_id)
    if found["id"] != group_id:  # a merged group's id names the group holding its claims now
        return RedirectResponse(str(request.url_for("get_claim", group_id=found["id"])), status_code=308)
    return found


@router.get("/events", response_model=Page[Event], tags=["events"])
def list_events(
    request: Request,
    category: Annotated[
        str | None, Query(max_length=40, description="PLOVER category, e.g. ASSAULT.")
    ] = None,
    actor: Annotated[
        str | None, Query(max_length=200, description="Words of the actor or its entity.")
    ] = None,
    place: Annotated[str | None, Query(max_length=200, description="The place's name.")] = None,
    since: Since = None,
    until: Until = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict[str, Any]:
    """Events across articles, newest article first (``newsgraph events``)."""
    filters = {
        "category": _words(category),
        "actor": _words(actor),
        "place": _words(place),
        "since": _date(since, "since"),
        "until": _date(until, "until"),
    }
    return paging.page(
        request, limit, cursor, lambda n, o: _corpus(request).events(**filters, limit=n, offset=o)
    )


@router.get("/places", response_model=Page[Place], tags=["places"])
def list_places(
    request: Request,
    name: Text = None,
    country: Annotated[str | None, Query(max_length=40)] = None,
    sort: Annotated[
        Literal["-articles", "name"], Query(description="Most articles first, or by name.")
    ] = "-articles",
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict[str, Any]:
    """Places named across articles with where they are and how often they are named."""
    filters = {"name": _words(name), "country": _words(country), "sort": sort}
    return paging.page(
        request, limit, cursor, lambda n, o: _corpus(request).places(**filters, limit=n, offset=o)
    )


# -- search, stats, problems -----------------------------------------------------------------


@router.get("/search", response_model=Page[SearchHit], tags=["search"])
def search(
    request: Request,
    q: Annotated[str, Query(min_length=1, max_length=200, description="Words; every one must match.")],
    kind: Annotated[Literal["article", "attribution"] | None, Query(description="Only one kind.")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict[str, Any]:
    """Articles and attributions holding every word of ``q``, best match first."""
    return paging.page(
        request, limit, cursor, lambda n, o: _corpus(request).search(q, kind=kind, limit=n, offset=o)
    )


@router.get("/stats", response_model=Stats, tags=["search"])
def stats(request: Request) -> dict[str, Any]:
    """Counts of what the store holds."""
    result: dict[str, Any] = _corpus(request).stats()
    return result


@router.get("/problems", response_model=Page[StoredProblem], tags=["search"])
def problems(
    request: Request,
    code: Annotated[str | None, Query(max_length=10, description="Only this error code.")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict[str, Any]:
    """Inputs that could not be added, with their code and reason."""
    return paging.page(
        request, limit, cursor, lambda n, o: _corpus(request).problems(code=_words(code), limit=n, offset=o)
    )


__all__ = ["router"]
