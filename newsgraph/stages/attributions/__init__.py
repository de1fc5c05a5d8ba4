"""The attributions stage: who said what, and how firmly.

A tagger trained on PolNeAR train marks source, cue and content tokens per
paragraph: by default a linear-chain CRF over spaCy features
(``newsgraph/data/attributions/tagger.crfsuite``), or with ``tagger = "onnx"``
all-MiniLM-L6-v2 fine-tuned as a BIO tagger and run with onnxruntime
(``tagger.onnx``); :mod:`.assemble` pairs them into
``Attribution`` records, adds source-less hedged claims from the hedge
lexicons, types and links sources to entities, resolves pronoun speakers and
nests attributions. See ``docs/attribution.md``.
"""

from __future__ import annotations

from typing import Any

from ...errors import ConfigError
from ...model import Article
from ...pipeline import BaseStage
from .assemble import build
from .lexicons import load
from .tagger import load_tagger, tag_segments
from .tagger_onnx import load_onnx_tagger

TAGGERS = ("onnx", "crf")


class AttributionsStage(BaseStage):
    """Fills ``article.attributions`` (needs the parse; uses entities when present)."""

    requires = ("doc",)
    provides = ("attributions",)

    def __init__(
        self, model: str | None = None, unattributed: bool = True, tagger: str = "crf", threads: int = 1
    ) -> None:
        if tagger not in TAGGERS:
            raise ConfigError(
                "E103",
                stage="attributions",
                detail=f"tagger = {tagger!r} is not one of {', '.join(TAGGERS)}",
            )
        self.lex = load()
        self.tagger: Any = load_onnx_tagger(model, threads) if tagger == "onnx" else load_tagger(model)
        self.unattributed = unattributed

    def __call__(self, article: Article) -> Article:
        doc = article.doc
        if doc is None or len(doc) == 0:
            article.attributions = []
            return article
        segs, tab, paras = tag_segments(doc, self.lex, self.tagger)
        article.attributions = build(article, doc, self.lex, segs, tab, paras, unattributed=self.unattributed)
        return article


def make_stage(
    model: str | None = None, unattributed: bool = True, tagger: str = "crf", threads: int = 1
) -> AttributionsStage:
    """``tagger``: ``"crf"`` (the feature CRF) or ``"onnx"`` (the learned tagger);
    ``model``: that tagger's model file (default: the shipped one); ``unattributed``: add
    hedged claims; ``threads``: onnxruntime threads per process (1 suits parallel workers)."""
    return AttributionsStage(model=model or None, unattributed=unattributed, tagger=tagger, threads=threads)
