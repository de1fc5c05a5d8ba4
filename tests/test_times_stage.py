"""Unit tests of the times stage on hand-written sentences (published 2024-12-12, a Thursday)."""

from __future__ import annotations

import pytest

from newsgraph.model import Article, Removed
from newsgraph.stages.times import calendar as C
from newsgraph.stages.times import make_stage

PUBLISHED = "2024-12-12"


def run(nlp, text: str, published: str | None = PUBLISHED, removed=()):  # type: ignore[no-untyped-def]
    a = Article(text=text)
    a.metadata.published = published
    a.removed = list(removed)
    a.doc = nlp(a.masked_text())
    return make_stage()(a)


def values(article: Article) -> dict[str, tuple[str | None, str]]:
    return {t.text: (t.value, t.type) for t in article.times}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "expr", "value", "type_"),
    [
        ("The rebels entered the capital on Sunday.", "Sunday", "2024-12-08", "DATE"),
        ("The ministers will meet on Sunday.", "Sunday", "2024-12-15", "DATE"),
        ("She spoke to the premier on Wednesday.", "Wednesday", "2024-12-11", "DATE"),
        ("Prices have risen since September.", "September", "2024-09", "DATE"),
        ("The plant closed in March 2023.", "March 2023", "2023-03", "DATE"),
        ("The treaty was signed in 2015.", "2015", "2015", "DATE"),
        ("Talks resumed this week.", "this week", "2024-W50", "DATE"),
        ("Talks stalled last week.", "last week", "2024-W49", "DATE"),
        ("Exports fell last year.", "last year", "2023", "DATE"),
        ("He arrived yesterday.", "yesterday", "2024-12-11", "DATE"),
        ("She leaves tomorrow.", "tomorrow", "2024-12-13", "DATE"),
        ("It is raining today.", "today", "2024-12-12", "DATE"),
        ("The vote took place on Tuesday morning.", "Tuesday morning", "2024-12-10TMO", "TIME"),
        ("Fighting has grown over the past few weeks.", "the past few weeks", "PXW", "DURATION"),
        ("The bridge opened two years ago.", "two years ago", "2022", "DATE"),
        ("The law took effect on December 8.", "December 8", "2024-12-08", "DATE"),
        ("The law took effect on Dec. 8, 2024.", "Dec. 8, 2024", "2024-12-08", "DATE"),
        ("The law took effect on 8 December 2024.", "8 December 2024", "2024-12-08", "DATE"),
        ("The law took effect on 2024-12-08.", "2024-12-08", "2024-12-08", "DATE"),
        ("The town boomed in the 1990s.", "the 1990s", "199", "DATE"),
        ("The port is closed now.", "now", "PRESENT_REF", "DATE"),
        ("The siege lasted three days.", "three days", "P3D", "DURATION"),
        ("The council meets every week.", "every week", "P1W", "SET"),
        ("Sales rose in the third quarter.", "the third quarter", "2024-Q3", "DATE"),
        ("The harvest failed last summer.", "last summer", "2024-SU", "DATE"),
        ("The doors open at 10:30 a.m. Wednesday.", "10:30 a.m. Wednesday", "2024-12-11T10:30", "TIME"),
    ],
)
def test_normalisation(nlp, text: str, expr: str, value: str, type_: str) -> None:  # type: ignore[no-untyped-def]
    article = run(nlp, text)
    got = values(article)
    assert expr in got, f"{expr!r} not found in {got}"
    assert got[expr] == (value, type_)


@pytest.mark.slow
def test_offsets_and_ids(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "On Monday the mayor said the works, begun in May 2021, would end next year."
    article = run(nlp, text)
    assert [t.id for t in article.times] == [f"T{i}" for i in range(1, len(article.times) + 1)]
    for t in article.times:
        assert text[t.start : t.end] == t.text
    assert values(article)["next year"] == ("2025", "DATE")
    assert values(article)["May 2021"] == ("2021-05", "DATE")


@pytest.mark.slow
def test_no_publication_date_keeps_absolute_values_only(nlp) -> None:  # type: ignore[no-untyped-def]
    article = run(nlp, "The dam burst in 2015, and again on Sunday.", published=None)
    got = values(article)
    assert got["2015"] == ("2015", "DATE")
    assert got["Sunday"][0] is None
    assert any("no publication date" in w for w in article.warnings)


@pytest.mark.slow
def test_malformed_publication_date_warns_with_value(nlp) -> None:  # type: ignore[no-untyped-def]
    article = run(nlp, "The dam burst last week, not in March 2020.", published="12/31/not-a-date")
    got = values(article)
    assert got["last week"][0] is None
    assert got["March 2020"] == ("2020-03", "DATE")
    assert any("12/31/not-a-date" in w for w in article.warnings)


@pytest.mark.slow
def test_impossible_date_has_no_value(nlp) -> None:  # type: ignore[no-untyped-def]
    article = run(nlp, "The meeting was set for February 30, 2023 and then for 2023-13-45.")
    for t in article.times:
        assert t.value is None or not t.value.startswith("2023-02-30")


@pytest.mark.slow
def test_no_fact_from_removed_range(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "The strike began on Monday.\nSubscribe today for offers until Friday."
    cut = text.index("Subscribe")
    article = run(nlp, text, removed=[Removed(cut, len(text), "promo")])
    assert [t.text for t in article.times] == ["Monday"]


def test_ages_and_modal_may_are_not_times(nlp) -> None:  # type: ignore[no-untyped-def]
    article = run(nlp, "A 6-year-old boy, aged 52 years old? May we ask? They march in protest.")
    assert article.times == []


def test_calendar_helpers() -> None:
    thursday = C.parse_anchor("2024-12-12T08:30:00Z")
    assert thursday is not None
    assert C.weekday_date(thursday, 7, C.PAST).isoformat() == "2024-12-08"  # type: ignore[union-attr]
    assert C.weekday_date(thursday, 7, C.FUTURE).isoformat() == "2024-12-15"  # type: ignore[union-attr]
    assert C.iso_week(thursday) == "2024-W50"
    assert C.make_date(2023, 2, 30) is None
    assert C.parse_anchor("yesterday") is None
    assert C.nth_weekday(2024, 11, 4, 4).isoformat() == "2024-11-28"  # type: ignore[union-attr]
    assert C.duration_value(None, "W", False) == "PXW"
    assert C.duration_value(2, "DE", False) == "P20Y"
    assert C.pick_year(thursday, 9, None, C.PAST) == 2024
    assert C.pick_year(thursday, 3, None, C.FUTURE) == 2025
