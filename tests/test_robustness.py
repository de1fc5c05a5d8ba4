"""The whole pipeline on hostile text: no crash, no hang, every offset valid."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import assert_stand_off
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsgraph.errors import BadInput

pytestmark = pytest.mark.slow

WORDS = [
    "Putin",
    "said",
    "“",
    "”",
    '"',
    "'",
    "Moscow",
    "on",
    "Sunday",
    "he",
    "told",
    "reporters",
    "that",
    "according",
    "to",
    "officials",
    "reportedly",
    "Damascus",
    "bombed",
    ",",
    ".",
    "\n",
    "February",
    "30",
    "ministre",
    "a",
    "déclaré",
    "Genève",
    "мир",
    "北京",
    "2015",
    "sources",
    "close",
    "the",
    "Kremlin",
]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=120).map(" ".join))
def test_random_news_like_text(newsgraph: Any, text: str) -> None:
    try:
        article = newsgraph.analyze_text(text, published="2024-12-12")
    except BadInput as err:
        assert err.code in {"E002", "E003", "E009"}  # E009: the word soup reads as another language
        return
    assert_stand_off(article)


@pytest.mark.parametrize(
    "text",
    [
        " ".join(["Officials said the talks in Geneva would resume"] * 1500),  # 10,000+ words, no full stop
        "“" * 300 + "He said" + "”" * 5 + " “unclosed quote " * 200,
        "He said: “" + "Nested “quotes” inside “quotes ‘and more’ ” " * 100,
        "On February 30, 2024 and on 31/31/2025 the army said it bombed nothing.",
        "\n\n\n".join(["Read more"] * 20) + "\nThe minister said talks would resume on Sunday.",
    ],
    ids=[
        "10k-words-no-punctuation",
        "unbalanced-quotes",
        "nested-quotes",
        "impossible-dates",
        "mostly-boilerplate",
    ],
)
def test_hostile_texts(newsgraph: Any, text: str) -> None:
    article = newsgraph.analyze_text(text, published="2024-12-12")
    assert_stand_off(article)


def test_a_language_the_pipeline_does_not_read_is_a_problem_not_junk(newsgraph: Any) -> None:
    with pytest.raises(BadInput) as err:
        newsgraph.analyze_text(
            "Le ministre a déclaré mercredi à Genève que les négociations reprendraient. " * 50
        )
    assert err.value.code == "E009" and "'fr'" in str(err.value)


def test_no_publication_date_gives_a_warning_not_a_guess(newsgraph: Any) -> None:
    article = newsgraph.analyze_text("The minister said on Sunday that the talks in Geneva would resume.")
    assert any("publication date" in w for w in article.warnings)
    assert all(t.value is None for t in article.times if t.text == "Sunday")
