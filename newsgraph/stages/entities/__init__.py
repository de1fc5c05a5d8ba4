"""The entities stage: one entity per real-world referent, with aliases, roles and gender.

Reads the spaCy parse on ``article.doc`` (never re-runs spaCy) and fills
``article.entities``:

1. :mod:`.mentions` takes spaCy's named entities (numbers and dates left to the
   times stage), fixes known NER slips from ``data/entities/corrections.toml``
   ("Khmeimim air base" -> FAC, "pro-Kremlin" dropped, "Kremlin" -> ORG), strips
   titles and honorifics off person names;
2. :mod:`.roles` finds role phrases around each person ("Russia's deputy foreign
   minister", "Kremlin spokesman") using ``data/entities/role_nouns.txt``;
3. :mod:`.resolve` groups mentions into entities (surnames, acronyms, short ORG
   names, spelling variants), retypes consistently and picks name and gender;
4. :mod:`.references` resolves pronouns and descriptions ("he", "the minister") to
   those people and records them on ``article.references`` for later stages (the
   attributions and events stages read them; see docs/entities.md).

Canonical names carry no title: "Ali Khamenei" is the name, "Ayatollah Ali Khamenei"
an alias and "Ayatollah" a role. Nothing is taken from a removed range.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Any

from ...model import Article
from ...pipeline import BaseStage
from .. import doc_text as joined_text
from .. import sentence_bounds
from .lexicon import Lexicon, load_lexicon
from .mentions import Candidate, collect
from .references import resolve_references
from .resolve import add_descriptions, build_entities
from .roles import find_roles

__all__ = ["EntitiesStage", "entities_from_doc", "make_stage", "resolve_references"]


def entities_from_doc(article: Article, doc: Any, lex: Lexicon | None = None) -> list[Any]:
    """The entities of ``article`` from its parse ``doc`` (pure function, for tests and tools)."""
    lex = lex or load_lexicon()
    doc_text = joined_text(doc)  # spaCy rebuilds Doc.text on every access: read it once
    cands = [c for c in collect(doc, lex) if _usable(article, doc, doc_text, c)]
    if not cands:
        return []
    starts = [a for a, _ in sentence_bounds(doc)] if doc.has_annotation("SENT_START") else [0]
    bounds = [*starts, len(doc)]
    people = {c.start: c.end - c.start for c in cands if c.label == "PERSON"}
    for cand in cands:
        if cand.label == "PERSON":
            sent_end = bounds[bisect_right(starts, cand.start)]
            roles = find_roles(doc, cand, sent_end, lex, people)
            cand.roles = [r for r in roles if _span_ok(article, doc, doc_text, r[0], r[1])]
    entities = build_entities(doc, article.text, cands, lex)
    add_descriptions(doc, article.text, entities, lambda a, b: not article.in_removed(a, b))
    return entities


def _span_ok(article: Article, doc: Any, doc_text: str, start: int, end: int) -> bool:
    a = doc[start].idx
    b = doc[end - 1].idx + len(doc[end - 1].text)
    return b <= len(article.text) and article.text[a:b] == doc_text[a:b] and not article.in_removed(a, b)


def _usable(article: Article, doc: Any, doc_text: str, cand: Candidate) -> bool:
    first = cand.title_start if cand.title_start is not None else cand.start
    return _span_ok(article, doc, doc_text, first, cand.end)


class EntitiesStage(BaseStage):
    """Fills ``article.entities`` from ``article.doc``."""

    name = "entities"
    requires = ("doc",)
    provides = ("entities", "references")

    def __init__(self) -> None:
        self.lex = load_lexicon()  # read the data files once, when the pipeline is built

    def __call__(self, article: Article) -> Article:
        doc = article.doc
        if doc is None:
            article.warnings.append("entities: no parse on the article; no entities extracted")
            return article
        if len(joined_text(doc)) != len(article.text):
            # offsets would not point into article.text: refuse to guess
            article.warnings.append("entities: parse text does not match the article text; skipped")
            return article
        article.entities = entities_from_doc(article, doc, self.lex)
        refs = resolve_references(doc, article.text, article.entities, self.lex)
        article.references = [r for r in refs if not article.in_removed(r.start, r.end)]
        return article


def make_stage() -> EntitiesStage:
    return EntitiesStage()
