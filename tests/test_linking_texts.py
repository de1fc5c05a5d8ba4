"""Linking analysed texts written for this test: two people share a surname, one surname is ambiguous."""

from __future__ import annotations

from typing import Any

import pytest

from newsgraph.core.linking import link_in_memory

pytestmark = pytest.mark.slow

TEXTS = {
    "bill-1": (
        "Former President Bill Clinton spoke at a charity dinner in Little Rock on Monday.\n"
        "Clinton said the foundation would build three new clinics in Arkansas."
    ),
    "hillary-1": (
        "Secretary of State Hillary Clinton arrived in Beijing on Tuesday for talks.\n"
        "Mrs Clinton told reporters at the State Department that she expected progress."
    ),
    "hillary-2": (
        "The State Department said on Wednesday that Clinton would return to Beijing next month.\n"
        "Clinton, the secretary of state, met Chinese officials there in the spring."
    ),
    "peskov-1": (
        "Kremlin spokesman Dmitry Peskov said on Friday that no meeting was planned.\n"
        "Peskov told reporters in Moscow that the talks had stalled."
    ),
    "peskov-2": "Peskov declined to comment on the report, the Kremlin said on Saturday.",
    "bare": "A man named Clinton was fined for parking outside a bakery in Leeds on Thursday.",
}


def analysed(newsgraph: Any) -> dict[str, Any]:
    return {key: newsgraph.analyze_text(text, published="2024-05-06") for key, text in TEXTS.items()}


def person(article: Any, surname: str) -> str:
    found = [e.id for e in article.entities if e.type == "PERSON" and e.name.endswith(surname)]
    assert len(found) == 1, [(e.name, e.type) for e in article.entities]
    return str(found[0])


def test_two_clintons_and_one_peskov(newsgraph: Any) -> None:
    arts = analysed(newsgraph)
    links = link_in_memory(list(arts.items()))

    def cid(key: str, surname: str) -> str | None:
        return links[(key, person(arts[key], surname))]

    bill, hillary = cid("bill-1", "Clinton"), cid("hillary-1", "Clinton")
    assert bill is not None and hillary is not None and bill != hillary
    # a bare "Clinton" with the State Department, Beijing and "secretary of state" around her
    assert cid("hillary-2", "Clinton") == hillary
    # one Peskov, by full name, bare surname and role
    assert cid("peskov-1", "Peskov") == cid("peskov-2", "Peskov") is not None
    # an article that does not say which Clinton: not linked to either
    assert cid("bare", "Clinton") not in (bill, hillary)
