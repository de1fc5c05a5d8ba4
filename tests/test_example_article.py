"""Acceptance checks of the issues on the example article in ../shared/examples (read, never copied).

The article is a Telegraph report of 12 December 2024; these are the checks the issues name.
Nothing in newsgraph special-cases it: the stages only see its text.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from newsgraph.model import Article

pytestmark = [pytest.mark.gold, pytest.mark.slow]

EXAMPLE = Path(__file__).resolve().parents[2] / "shared" / "examples" / "seed-article.txt"


@pytest.fixture(scope="module")
def article(newsgraph: Any) -> Article:
    if not EXAMPLE.exists():
        pytest.skip(f"example article not found at {EXAMPLE}")
    result: Article = newsgraph.analyze_text(
        EXAMPLE.read_text("utf-8"), input=EXAMPLE.name, published="2024-12-12", outlet="The Telegraph"
    )
    return result


def entity(article: Article, name: str) -> Any:
    found = [e for e in article.entities if name in e.name]
    assert found, f"no entity named like {name!r}"
    return found[0]


def test_promotional_footer_is_removed_and_yields_nothing(article: Article) -> None:
    footer_start = article.text.index("Broaden your horizons")
    assert any(r.start <= footer_start and r.end >= len(article.text.rstrip()) for r in article.removed)
    spans = [m for e in article.entities for m in e.mentions]
    spans += [a.content for a in article.attributions] + [e.trigger for e in article.events]
    spans += [m for p in article.places for m in p.mentions] + list(article.times)
    assert all(s.end <= footer_start for s in spans)


def test_subhead_is_marked(article: Article) -> None:
    assert [s.text.strip("‘’'") for s in article.subheads] == ["Secret compromise"]


def test_military_sites_are_facilities(article: Article) -> None:
    for name in ("Khmeimim", "Tartus"):
        assert entity(article, name).type == "FAC"


@pytest.mark.parametrize(
    ("person", "role_word"),
    [
        ("Putin", "president"),
        ("Ryabkov", "deputy foreign minister"),
        ("Orban", "prime minister"),
        ("Peskov", "spokesman"),
        ("Kokcharov", "analyst"),
        ("Markov", "commentator"),
        ("Khamenei", "supreme leader"),
    ],
)
def test_people_carry_their_roles(article: Article, person: str, role_word: str) -> None:
    e = entity(article, person)
    assert e.type == "PERSON"
    assert any(role_word in r.text for r in e.roles), [r.text for r in e.roles]


def test_one_assad_with_aliases(article: Article) -> None:
    assad = [e for e in article.entities if "Assad" in e.name and e.type == "PERSON"]
    assert len(assad) == 1 and {"Assad", "Bashir al-Assad"} <= set(assad[0].aliases)


# --- attribution -------------------------------------------------------------------------


def attribution_with(article: Article, content_words: str) -> Any:
    found = [a for a in article.attributions if content_words in a.content.text]
    assert found, f"no attribution whose content holds {content_words!r}"
    return min(found, key=lambda a: len(a.content.text))


@pytest.mark.parametrize(
    ("quote", "speaker"),
    [
        ("He is safe", "Ryabkov"),
        ("They will know", "Kokcharov"),
        ("Russia helped the new Syrian", "Markov"),
        ("No one should doubt", "Khamenei"),
    ],
)
def test_pronoun_speakers_resolve_to_the_right_person(article: Article, quote: str, speaker: str) -> None:
    a = attribution_with(article, quote)
    assert a.kind == "direct" and a.source.type == "person"
    assert a.source.entity == entity(article, speaker).id


@pytest.mark.parametrize(
    ("content_words", "source_type", "hedge"),
    [
        ("Bashir al-Assad to flee", "anonymous", None),
        ("its agents persuaded", "anonymous", None),
        ("fled Damascus", "unattributed", "reported"),
        ("transferring to a Russian military plane", "unattributed", "possible"),
        ("humiliated and angered", "unattributed", "reported"),
        ("personally approved the rescue", "anonymous", None),
        ("has saved face", "unattributed", "believed"),
        ("senior commanders", "publication", None),
    ],
)
def test_source_types_and_hedges(
    article: Article, content_words: str, source_type: str, hedge: str | None
) -> None:
    # Claims nest ("Putin feels that [...], it is believed"): one of the records holding the
    # words must have the source type and hedge.
    found = [(a.source.type, a.hedge) for a in article.attributions if content_words in a.content.text]
    assert any(t == source_type and (hedge is None or h == hedge) for t, h in found), found


def test_relay_mixed_quote_and_according_to(article: Article) -> None:
    told = attribution_with(article, "its agents persuaded")
    assert told.relayed_by is not None and told.relayed_by.text == "Bloomberg News"
    peskov = attribution_with(article, "with terrorists")
    assert peskov.kind == "mixed" and peskov.source.entity == entity(article, "Peskov").id
    markov = attribution_with(article, "proved that its government")
    assert markov.kind == "according_to" and markov.source.entity == entity(article, "Markov").id


def test_nested_khamenei_claim(article: Article) -> None:
    outer = attribution_with(article, "Iranian officials had been warning")
    assert outer.source.entity == entity(article, "Khamenei").id
    inner = attribution_with(article, "a major rebel attack was planned")
    assert inner.parent == outer.id


# --- places, times, events ---------------------------------------------------------------

# Where these places are: public knowledge (Wikipedia's coordinates, rounded), written here
# and not read from the gazetteer, which has no row for either base.
TRUE_POSITIONS = {
    "Damascus": (33.51, 36.29),
    "Moscow": (55.76, 37.62),
    "Tartus": (34.91, 35.87),  # the Russian naval facility at Tartus
    "Khmeimim": (35.40, 35.95),  # Khmeimim air base, south-east of Latakia
}
#: Known approximate (issue 7): Khmeimim air base is not in the gazetteer; the fallback places
#: it, marked located_by="nearby", at Damascus, the Syrian city named nearest to it (~200 km
#: off). "Tartus naval base" is placed at the town it is named after. Strict: fails once fixed.
FOCUS_BUG = pytest.mark.xfail(
    strict=True, reason="issue 7: Khmeimim air base is approximated at the nearest Syrian city"
)


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(h))


@pytest.mark.parametrize(
    "name",
    [
        "Damascus",
        "Moscow",
        "Tartus",
        pytest.param("Khmeimim", marks=FOCUS_BUG),
    ],
)
def test_places_within_25_km_or_not_placed(article: Article, name: str) -> None:
    """A place with coordinates is within 25 km of the truth; where the system cannot tell, it
    may leave the name without coordinates (less output), never put it somewhere wrong."""
    places = [p for p in article.places if name in p.name or any(name in m.text for m in p.mentions)]
    assert places, f"{name} not recognised as a place"
    for p in places:
        if p.lat is not None and p.lon is not None:
            assert km(p.lat, p.lon, *TRUE_POSITIONS[name]) <= 25, (p.name, p.lat, p.lon, p.located_by)
    if name in ("Damascus", "Moscow"):
        assert all(p.lat is not None for p in places), f"{name} is in every gazetteer"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Sunday", "2024-12-08"),
        ("Wednesday", "2024-12-11"),
        ("September", "2024-09"),
        ("this week", "2024-W50"),
    ],
)
def test_times_resolved_against_publication(article: Article, text: str, value: str) -> None:
    values = {t.value for t in article.times if t.text.endswith(text)}
    assert value in values


def event(article: Article, trigger: str) -> Any:
    found = [e for e in article.events if trigger in e.trigger.text]
    assert found, f"no event triggered by {trigger!r}"
    return found[0]


def test_events_with_actor_category_place_and_date(article: Article) -> None:
    places = {p.id: p.name for p in article.places}
    broke = event(article, "broke into")
    assert broke.category == "ASSAULT" and "rebels" in (broke.actor.text if broke.actor else "")
    assert places.get(broke.place or "") == "Damascus" and broke.date == "2024-12-08"
    call = event(article, "telephone conversation")
    assert call.category == "CONSULT" and call.date == "2024-12-11"
    assert call.target is not None and "Orban" in call.target.text
    bombed = event(article, "bombed")
    assert bombed.category == "ASSAULT" and bombed.actor is not None and bombed.actor.text == "Russia"
    intervened = event(article, "intervened")
    assert intervened.date == "2015" and intervened.actor is not None and "Putin" in intervened.actor.text
    assert places.get(intervened.place or "") == "Syria"


def test_event_inside_an_attribution_points_to_it(article: Article) -> None:
    approved = event(article, "approved")
    claim = attribution_with(article, "personally approved the rescue")
    assert approved.attribution == claim.id
