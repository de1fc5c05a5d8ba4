"""The Article record and the facts stored on it (the stand-off annotation contract).

Every fact carries ``start``/``end`` character offsets into ``Article.text``.
This module imports the standard library only; the JSON schema of an analysed
article is generated from these dataclasses (see ``newsgraph.schema``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

SCHEMA_VERSION = "1.0.0"

#: Kinds of attribution, source types and hedges are open vocabularies kept in
#: data files; these tuples document the values the shipped stages emit.
ATTRIBUTION_KINDS = ("direct", "indirect", "mixed", "according_to", "other")
SOURCE_TYPES = ("person", "organisation", "anonymous", "unattributed", "publication")
EVENT_MODALITIES = ("asserted", "negated", "planned", "threatened", "possible", "denied", "hypothetical")
PLACE_FEATURES = ("country", "region", "city", "site", "continent", "other")


@dataclass
class Span:
    """A stretch of ``Article.text``: ``text == article.text[start:end]``."""

    start: int
    end: int
    text: str


@dataclass
class Removed:
    """A range of the text that cleaning set aside; no fact may come from it."""

    start: int
    end: int
    reason: str


@dataclass
class Subhead:
    """An in-body subheading: a short line without final punctuation."""

    start: int
    end: int
    text: str


@dataclass
class Metadata:
    """What is known about the article besides its text."""

    title: str | None = None
    published: str | None = None  # ISO 8601 date or date-time
    outlet: str | None = None
    url: str | None = None
    author: str | None = None
    language: str | None = None


@dataclass
class Mention:
    """One occurrence of an entity or place in the text."""

    start: int
    end: int
    text: str
    metonymy: bool = False  # "the Kremlin said": the place stands for an actor


@dataclass
class Role:
    """A role or title an entity is given in the text ("Russia's deputy foreign minister")."""

    start: int
    end: int
    text: str


@dataclass
class Entity:
    """A person, organisation, place or group named in the article."""

    id: str
    name: str
    type: str  # spaCy labels: PERSON, ORG, GPE, LOC, NORP, FAC, ...
    aliases: list[str] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    gender: str | None = None  # "m", "f" or None; used to resolve pronouns


@dataclass
class Reference:
    """A pronoun or description ("he", "the minister") the entities stage resolved to an entity."""

    start: int
    end: int
    text: str
    kind: str  # "pronoun" or "nominal"
    entity: str  # entity id


@dataclass
class Source:
    """Who makes a claim. ``start``/``end``/``text`` are None when nobody is named."""

    type: str  # one of SOURCE_TYPES
    text: str | None = None
    start: int | None = None
    end: int | None = None
    entity: str | None = None  # entity id
    resolved_from: str | None = None  # "pronoun" / "nominal": a pronoun or description resolved to `entity`


@dataclass
class Relay:
    """The outlet a source spoke to ("told Bloomberg News")."""

    text: str
    start: int
    end: int
    entity: str | None = None


@dataclass
class Attribution:
    """A claim, who makes it, the words that introduce it and how firmly."""

    id: str
    kind: str  # one of ATTRIBUTION_KINDS
    source: Source
    cue: Span | None
    content: Span
    hedge: str = "none"
    relayed_by: Relay | None = None
    parent: str | None = None  # the attribution this one is nested inside
    content_spans: list[Span] = field(default_factory=list)  # when content is discontiguous
    confidence: float | None = None


@dataclass
class Participant:
    """An event's actor or target: an entity id where known, else only the words."""

    text: str
    start: int
    end: int
    entity: str | None = None


@dataclass
class Event:
    """Something reported to have happened, in a PLOVER 2.0 category."""

    id: str
    category: str  # PLOVER 2.0 category, e.g. ASSAULT
    trigger: Span
    mode: str | None = None  # PLOVER 2.0 mode of the category where the trigger gives it, e.g. "phone"
    modality: str = "asserted"  # one of EVENT_MODALITIES: did it happen, or was it planned, denied...
    actor: Participant | None = None
    target: Participant | None = None
    place: str | None = None  # place id
    date: str | None = None  # ISO 8601 / TIMEX3 value with the precision the text gives
    time: str | None = None  # time id the date comes from
    attribution: str | None = None  # attribution id the event sits inside
    sentence: Span | None = None


@dataclass
class Place:
    """A place resolved against the gazetteer (coordinates are None when unresolved)."""

    id: str
    name: str
    lat: float | None = None
    lon: float | None = None
    country: str | None = None  # ISO 3166-1 alpha-2
    feature: str | None = None  # one of PLACE_FEATURES
    gazetteer_id: str | None = None
    entity: str | None = None
    mentions: list[Mention] = field(default_factory=list)
    #: "gazetteer" (a gazetteer record); for a name the gazetteer lacks (a street, a school),
    #: approximate coordinates from "nearby" (the city or site named nearest to it) or "focus"
    #: (the article's focus place); None (unresolved).
    located_by: str | None = None


@dataclass
class Time:
    """A time expression normalised TIMEX3-style against the publication date."""

    id: str
    text: str
    start: int
    end: int
    value: str | None  # 2024-12-08, 2024-09, 2015, 2024-W50, P3W, PAST_REF; None if unresolvable
    type: str = "DATE"  # DATE, TIME, DURATION, SET


@dataclass
class Article:
    """One article flowing through the pipeline; each stage fills more of it.

    ``doc`` holds the parse (a spaCy ``Doc``) for the stages; it is never serialised.
    """

    text: str
    input: str = "<text>"
    metadata: Metadata = field(default_factory=Metadata)
    removed: list[Removed] = field(default_factory=list)
    subheads: list[Subhead] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    attributions: list[Attribution] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    times: list[Time] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: pronouns and descriptions resolved by the entities stage (read by later stages; not serialised)
    references: list[Reference] = field(default_factory=list, compare=False, metadata={"serialise": False})
    provided: set[str] = field(default_factory=set, metadata={"serialise": False})
    doc: Any = field(default=None, repr=False, compare=False, metadata={"serialise": False})

    def in_removed(self, start: int, end: int) -> bool:
        """True when ``[start, end)`` overlaps a removed range."""
        return any(r.start < end and start < r.end for r in self.removed)

    def span(self, start: int, end: int) -> Span:
        """A ``Span`` over ``text[start:end]``."""
        return Span(start, end, self.text[start:end])

    def masked_text(self) -> str:
        """The text with removed ranges blanked out (same length, newlines kept).

        Stages that parse use it so that no fact can come from a removed range
        while every offset still points into ``text``.
        """
        if not self.removed:
            return self.text
        chars = list(self.text)
        for r in self.removed:
            for i in range(r.start, r.end):
                if chars[i] not in "\n\r":
                    chars[i] = " "
        return "".join(chars)

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form of the article (schema ``SCHEMA_VERSION``)."""
        out: dict[str, Any] = {"schema_version": SCHEMA_VERSION}
        for f in dataclasses.fields(self):
            if f.metadata.get("serialise", True):
                out[f.name] = _plain(getattr(self, f.name))
        return out


@dataclass
class Problem:
    """An input that could not be analysed, with the coded reason."""

    input: str
    code: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"input": self.input, "code": self.code, "message": self.message}


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.metadata.get("serialise", True)
        }
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
