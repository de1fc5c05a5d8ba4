"""The API's request and response bodies (pydantic), so ``/openapi.json`` describes every one.

The analysed-article contract (``GET /api/articles/{id}``, ``POST /api/analyze``) is not
repeated here: its JSON Schema comes from ``newsgraph.schema`` and is put into the spec
by :func:`article_components`.
"""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from ..schema import article_schema

T = TypeVar("T")


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorDetail(Record):
    code: str = Field(description="A newsgraph error code, e.g. E401 (see docs/cli.md).")
    message: str
    where: str = Field(description="The parameter or body field at fault, else the request path.")


class ErrorBody(Record):
    """Every error response has this shape."""

    error: ErrorDetail


class Page(Record, Generic[T]):
    """One page of a list; follow ``next`` (or pass ``cursor=next_cursor``) for the next one."""

    items: list[T]
    next_cursor: str | None = Field(description="Opaque; null on the last page.")
    next: str | None = Field(description="The URL of the next page, or null on the last page.")


class ArticleSummary(Record):
    article_id: str
    title: str | None
    outlet: str | None
    published: str | None
    url: str | None
    author: str | None
    language: str | None
    added_at: str


class InArticle(Record):
    article_id: str
    title: str | None
    outlet: str | None
    published: str | None


class Quote(InArticle):
    """An attribution: who says what, how firmly, where in which article."""

    id: str
    kind: str
    speaker: str | None
    source_type: str | None
    source_entity: str | None
    cue: str | None
    content: str | None
    hedge: str | None
    relayed_by: str | None
    start: int | None
    end: int | None


class Event(InArticle):
    id: str
    category: str | None
    mode: str | None
    modality: str | None
    trigger: str | None
    actor: str | None
    actor_entity: str | None
    target: str | None
    target_entity: str | None
    place: str | None
    date: str | None
    attribution: str | None
    sentence: str | None


class EntityEvent(Event):
    as_: Literal["actor", "target"] = Field(alias="as")

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class EntitySummary(Record):
    corpus_entity: str | None
    name: str
    type: str | None
    articles: int


class NameCount(Record):
    name: str
    count: int


class RoleCount(Record):
    role: str
    count: int


class LinkStep(Record):
    at: str | None
    action: str
    article_id: str | None
    entity_id: str | None
    other_id: str | None
    reason: str | None


class EntityProfile(Record):
    """Everything known about one entity across articles (a linked one, or one name and type)."""

    corpus_entity: str | None
    name: str
    type: str | None
    articles: int
    names: list[NameCount]
    roles: list[RoleCount]
    said: list[Quote]
    said_about: list[Quote]
    events: list[EntityEvent]
    outlets: list[str]
    first_seen: str | None
    last_seen: str | None
    why: list[LinkStep] | None = None


class EntityMatches(Record):
    """The entities called ``name`` (by name, mention or alias), most articles first."""

    name: str
    entities: list[EntityProfile]


class Place(Record):
    name: str
    lat: float | None
    lon: float | None
    country: str | None
    feature: str | None
    gazetteer_id: str | None
    articles: int
    mentions: int


class SearchHit(Record):
    kind: Literal["article", "attribution"]
    article_id: str
    ref: str | None
    title: str | None
    outlet: str | None
    published: str | None
    speaker: str | None
    snippet: str | None


class ClaimGroup(BaseModel):
    """Claims across articles grouped as one; ``claims`` and ``contradictions`` hold each
    claim with its article, offsets, source, hedge and origin (see docs/claims.md)."""

    model_config = ConfigDict(extra="allow")

    id: str
    claims: list[dict[str, Any]]
    articles: int
    origins: int
    origin_ids: list[str]
    contradictions: list[dict[str, Any]]


class Stats(BaseModel):
    model_config = ConfigDict(extra="allow")

    articles: int
    attributions: int
    entities: int
    corpus_entities: int
    linked_entities: int
    events: int
    places: int
    times: int
    problems: int
    outlets: int
    first_published: str | None
    last_published: str | None
    pipeline_versions: dict[str, int]


class StoredProblem(Record):
    input: str
    code: str
    message: str
    pipeline_version: str | None
    at: str | None


class Submission(Record):
    """An article to analyse or add: exactly one of ``text`` or ``html``, or a ``url`` alone
    (fetched from a public address); metadata given here wins over what the page says."""

    text: str | None = Field(default=None, description="Plain text (a web page is read as HTML).")
    html: str | None = Field(default=None, description="An HTML page; its article text is extracted.")
    url: str | None = Field(
        default=None, description="Alone: fetched (http/https, public addresses only); else the source URL."
    )
    title: str | None = None
    published: str | None = Field(default=None, description="ISO 8601 date or date-time.")
    outlet: str | None = None
    author: str | None = None


class Added(Record):
    """What ``POST /api/articles`` did with the article."""

    status: Literal["added", "present", "reprocessed"]
    article_id: str | None
    location: str | None = Field(description="The stored article's URL in this API.")


ARTICLE_REF = {"$ref": "#/components/schemas/Article"}


def article_components() -> dict[str, Any]:
    """``newsgraph.schema``'s article schema as OpenAPI components (``Article``, ``Article.X``)."""
    schema = article_schema()
    defs = schema.pop("$defs", {})
    for key in ("$schema", "$id"):
        schema.pop(key, None)

    def moved(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                k: (
                    "#/components/schemas/Article." + v.removeprefix("#/$defs/")
                    if k == "$ref" and isinstance(v, str)
                    else moved(v)
                )
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [moved(v) for v in value]
        return value

    out = {"Article": moved(schema)}
    out.update({f"Article.{name}": moved(body) for name, body in defs.items()})
    return out
