"""Bad and odd input never crashes the entities stage, and every fact keeps valid offsets."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsgraph.model import Article, Removed
from newsgraph.stages.entities import make_stage

pytestmark = pytest.mark.slow

STAGE = make_stage()

# Pieces that exercise the rules: titles, honorifics, appositions, facility suffixes,
# attitudes, acronyms, possessives, quotes left open, odd punctuation and other scripts.
PIECES = [
    "President",
    "Prime Minister",
    "Mr",
    "Mrs.",
    "Ayatollah",
    "Anna Berg",
    "Berg",
    "Berg's",
    "Lars Berg",
    ",",
    ", a spokesman for the ministry,",
    ", 54,",
    "the Kremlin",
    "pro-Kremlin",
    "anti-",
    "air base",
    "naval base",
    "Tartus",
    "NATO",
    "North Atlantic Treaty Organization",
    "said",
    "he",
    "she",
    "“",
    "”",
    '"',
    ".",
    "\n",
    "\n\n",
    "  ",
    "Москва",
    "北京",
    "مرحبا",
    "—",
    "(",
    ")",
    "U.S.",
    "US",
    "United States",
]

texts = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=12)), max_size=60).map(" ".join)


def run(nlp, text: str, removed: list[Removed] | None = None) -> Article:  # type: ignore[no-untyped-def]
    article = Article(text=text, removed=removed or [])
    article.doc = nlp(article.masked_text())
    out = STAGE(article)
    for ent in out.entities:
        assert ent.id and ent.name and ent.type and ent.mentions
        assert ent.gender in (None, "m", "f")
        for fact in [*ent.mentions, *ent.roles]:
            assert 0 <= fact.start < fact.end <= len(text)
            assert text[fact.start : fact.end] == fact.text
            assert not out.in_removed(fact.start, fact.end)
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=texts, cut=st.tuples(st.integers(0, 400), st.integers(0, 400)))
def test_random_text_has_valid_offsets(nlp, text: str, cut: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    a, b = sorted(cut)
    a, b = min(a, len(text)), min(b, len(text))
    removed = [Removed(a, b, "test")] if b > a else []
    run(nlp, text, removed)


def test_long_paragraph_without_punctuation_is_linear(nlp) -> None:  # type: ignore[no-untyped-def]
    words = ("Anna Berg met Lars Berg and President Omar Haddad near the Tartus naval base " * 800).split()
    text = " ".join(words[:10_000])
    article = Article(text=text)
    article.doc = nlp(text)
    start = time.perf_counter()
    out = STAGE(article)
    assert time.perf_counter() - start < 5.0
    names = {e.name for e in out.entities}
    assert "Anna Berg" in names and "Lars Berg" in names


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "\n\n\n",
        "“He said, “she said",
        "...,,,;;;",
        "Ms",
        "President",
        "Putin's",
        "Москва и Санкт-Петербург — крупнейшие города России.",
        "北京是中国的首都。",
        "Le président Emmanuel Macron a parlé à Berlin.",
        "On 31 February 2024 the air base was closed.",
    ],
)
def test_odd_inputs(nlp, text: str) -> None:  # type: ignore[no-untyped-def]
    run(nlp, text)


def test_doc_without_tagger_or_parser() -> None:
    """A pipeline with NER only (no tags, heads or sentences) still gives valid entities."""
    import spacy
    from spacy.tokens import Span

    nlp = spacy.blank("en")
    text = "President Anna Berg met Berg at the Tartus naval base. He left."
    doc = nlp(text)
    doc.ents = [Span(doc, 1, 3, "PERSON"), Span(doc, 4, 5, "PERSON"), Span(doc, 7, 8, "ORG")]
    article = Article(text=text)
    article.doc = doc
    out = STAGE(article)
    anna = out.entities[0]
    assert (anna.name, anna.aliases) == ("Anna Berg", ["Anna Berg", "President Anna Berg", "Berg"])
    assert [r.text for r in anna.roles] == ["President"]
    for ent in out.entities:
        for m in ent.mentions:
            assert text[m.start : m.end] == m.text
