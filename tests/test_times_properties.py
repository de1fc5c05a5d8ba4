"""Property tests of the times stage: odd text and odd dates never crash or hang, offsets hold."""

from __future__ import annotations

import time

import pytest
from conftest import assert_stand_off
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsgraph.model import Article
from newsgraph.stages.times import make_stage

STAGE = make_stage()

WORDS = st.sampled_from(
    [
        "the",
        "a",
        "last",
        "next",
        "this",
        "past",
        "few",
        "two",
        "12",
        "1990",
        "1990s",
        "May",
        "March",
        "Friday",
        "Sunday",
        "morning",
        "night",
        "week",
        "weeks",
        "year-old",
        "quarter",
        "third-quarter",
        "ago",
        "earlier",
        "Dec.",
        "8,",
        "2024",
        "2024-02-30",
        "10:30",
        "a.m.",
        "p.m.",
        "noon",
        "every",
        "daily",
        "now",
        "recently",
        "since",
        "in",
        "on",
        "of",
        "and",
        "«",
        "»",
        "“",
        "”",
        '"',
        "'",
        "-",
        "/",
        ":",
        "0",
        "99",
        "9999",
        "12/31/99",
        "Москва",
        "東京",
        "الأحد",
    ]
)


def check(article: Article) -> None:
    assert_stand_off(article)
    for t in article.times:
        assert t.start < t.end
        assert t.type in ("DATE", "TIME", "DURATION", "SET")


def run(text: str, published: str | None, doc=None) -> Article:  # type: ignore[no-untyped-def]
    a = Article(text=text)
    a.metadata.published = published
    a.doc = doc
    return STAGE(a)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    words=st.lists(WORDS, max_size=60),
    published=st.one_of(
        st.none(), st.text(max_size=12), st.dates().map(str), st.just("0001-01-01"), st.just("9999-12-31")
    ),
)
def test_word_salad_never_crashes(words: list[str], published: str | None) -> None:
    check(run(" ".join(words), published))


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=400), published=st.one_of(st.none(), st.dates().map(str)))
def test_any_unicode_text(text: str, published: str | None) -> None:
    check(run(text, published))


@pytest.mark.parametrize("published", ["0001-01-01", "9999-12-31", "2024-02-29", "2023-02-29", "", "soon"])
def test_extreme_publication_dates(published: str) -> None:
    text = "Last week, two years ago, in 9998, next year, the next century, on Sunday, 20 years from now."
    check(run(text, published))


@pytest.mark.parametrize(
    "unit",
    [
        "May March Friday the last few weeks 1990 ",
        "the the the the ",
        "12 34 56 78 ",
        "early late mid the end of ",
        "a " * 3,
        "x" * 50 + " ",
    ],
)
def test_long_paragraph_is_linear(unit: str) -> None:
    """A 10,000-word paragraph with no sentence break finishes quickly."""
    words = unit.split() or [unit]
    text = " ".join(words[i % len(words)] for i in range(10_000))
    t0 = time.perf_counter()
    article = run(text, "2024-12-12")
    assert time.perf_counter() - t0 < 5.0
    check(article)


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.lists(WORDS, max_size=40))
def test_with_parse(nlp, words: list[str]) -> None:  # type: ignore[no-untyped-def]
    text = " ".join(words)
    check(run(text, "2024-12-12", nlp(text)))
