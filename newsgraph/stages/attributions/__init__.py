"""The attributions stage: who said what, and how firmly.

A linear-chain CRF (trained on PolNeAR train, shipped in
``newsgraph/data/attributions/tagger.crfsuite``) tags source, cue and content
tokens per paragraph over spaCy features; :mod:`.assemble` pairs them into
``Attribution`` records, adds source-less hedged claims from the hedge
lexicons, types and links sources to entities, resolves pronoun speakers and
nests attributions. See ``docs/attribution.md``.
"""

from __future__ import annotations

from ...model import Article
from ...pipeline import BaseStage
from .assemble import build
from .lexicons import load
from .tagger import load_tagger, tag_segments


class AttributionsStage(BaseStage):
    """Fills ``article.attributions`` (needs the parse; uses entities when present)."""

    requires = ("doc",)
    provides = ("attributions",)

    def __init__(self, model: str | None = None, unattributed: bool = True) -> None:
        self.lex = load()
        self.tagger = load_tagger(model)
        self.unattributed = unattributed

    def __call__(self, article: Article) -> Article:
        doc = article.doc
        if doc is None or len(doc) == 0:
            article.attributions = []
            return article
        segs, tab, paras = tag_segments(doc, self.lex, self.tagger)
        article.attributions = build(article, doc, self.lex, segs, tab, paras, unattributed=self.unattributed)
        return article


def make_stage(model: str | None = None, unattributed: bool = True) -> AttributionsStage:
    """``model``: a CRF model path (default: the shipped one); ``unattributed``: add hedged claims."""
    return AttributionsStage(model=model or None, unattributed=unattributed)
