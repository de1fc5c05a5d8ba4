"""Unit tests for the places stage on hand-written sentences (no gold data needed)."""

from __future__ import annotations

import pytest

from newsgraph.model import Article, Removed
from newsgraph.stages.places import distance_km, make_stage, resolve_spans
from newsgraph.stages.places.gazetteer import default_gazetteer, norm


def analyse(nlp, text: str, removed: list[Removed] | None = None) -> Article:  # type: ignore[no-untyped-def]
    article = Article(text=text)
    article.removed = removed or []
    article.metadata.published = "2024-12-12"
    article.doc = nlp(article.masked_text())
    return make_stage()(article)


def place_named(article: Article, surface: str):  # type: ignore[no-untyped-def]
    for place in article.places:
        if any(m.text == surface for m in place.mentions):
            return place
    raise AssertionError(f"no place with a mention {surface!r}: {[p.name for p in article.places]}")


def test_norm_ignores_case_accents_dots_and_articles() -> None:
    assert norm("Zürich") == norm("ZURICH") == "zurich"
    assert norm("U.S.") == "us"
    assert norm("The Hague") == "hague"
    assert norm("Gilgit-Baltistan") == "gilgit baltistan"
    assert norm("Côte d’Ivoire") == "cote d'ivoire"


def test_gazetteer_aliases_and_sites() -> None:
    gaz = default_gazetteer()
    kyiv = max(gaz.lookup("Kiev"), key=lambda c: c.population)
    assert kyiv.country == "UA" and distance_km(kyiv.lat, kyiv.lon, 50.45, 30.52) < 25
    assert any(c.gazetteer_id == "newsgraph-sites:guantanamo-bay" for c in gaz.lookup("Gitmo"))
    assert any(c.country == "SY" for c in gaz.lookup("Tartous"))
    assert gaz.lookup("Xqzvbn Plorf") == ()


@pytest.mark.slow
def test_resolves_places_and_flags_metonymy(nlp) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Rebels entered Damascus on Sunday after a lightning advance from the north.\n"
        "Moscow shifted its focus to keeping its warships at the Sevastopol naval base and its "
        "bombers at Engels air base, the Kremlin said. Beijing's response was muted."
    )
    article = analyse(nlp, text)
    for place in article.places:
        for m in place.mentions:
            assert article.text[m.start : m.end] == m.text
    damascus = place_named(article, "Damascus")
    assert distance_km(damascus.lat, damascus.lon, 33.51, 36.29) < 25
    assert damascus.country == "SY" and damascus.feature == "city"
    assert not damascus.mentions[0].metonymy
    # Where the bases are (public knowledge, rounded): the curated site wins over the bare name.
    naval = place_named(article, "Sevastopol naval base")
    assert distance_km(naval.lat, naval.lon, 44.62, 33.53) < 25
    assert naval.gazetteer_id == "newsgraph-sites:sevastopol-naval-base"
    base = place_named(article, "Engels air base")
    assert distance_km(base.lat, base.lon, 51.48, 46.21) < 25
    moscow = place_named(article, "Moscow")
    assert distance_km(moscow.lat, moscow.lon, 55.75, 37.62) < 25
    assert moscow.mentions[0].metonymy  # Moscow shifted its focus
    assert place_named(article, "Kremlin").mentions[0].metonymy
    assert place_named(article, "Beijing").mentions[0].metonymy


@pytest.mark.slow
def test_one_place_per_location_with_all_mentions(nlp) -> None:  # type: ignore[no-untyped-def]
    article = analyse(
        nlp, "Kyiv was shelled overnight. Residents of Kyiv, also spelled Kiev, hid in shelters."
    )
    kyiv = [p for p in article.places if p.country == "UA" and p.feature == "city"]
    assert len(kyiv) == 1
    assert [m.text for m in kyiv[0].mentions] == ["Kyiv", "Kyiv", "Kiev"]
    assert [p.id for p in article.places] == [f"P{i + 1}" for i in range(len(article.places))]


def test_paris_texas_adjacency() -> None:
    text = "The storm hit Paris, Texas, before dawn. Later it reached Paris, France."
    first, second = text.index("Paris"), text.rindex("Paris")
    texas, france = text.index("Texas"), text.index("France")
    chosen = resolve_spans(
        Article(text=text),
        [(first, first + 5), (texas, texas + 5), (second, second + 5), (france, france + 6)],
    )
    assert chosen[0] is not None and chosen[0].country == "US" and chosen[0].admin1 == "TX"
    assert chosen[2] is not None and chosen[2].country == "FR"


def test_context_prefers_the_articles_country() -> None:
    text = "Georgia's governor spoke in Atlanta and Savannah about the budget of Georgia."
    spans = [(text.index("Atlanta"), text.index("Atlanta") + 7), (text.rindex("Georgia"), len(text) - 1)]
    spans.append((text.index("Savannah"), text.index("Savannah") + 8))
    chosen = resolve_spans(Article(text=text), spans)
    assert chosen[1] is not None and chosen[1].country == "US"


@pytest.mark.slow
def test_unresolved_place_keeps_its_mention(nlp) -> None:  # type: ignore[no-untyped-def]
    article = analyse(nlp, "Troops gathered near Zorblanka Ridge in Ukraine on Monday.")
    names = {p.name: p for p in article.places}
    assert "Ukraine" in names and names["Ukraine"].lat is not None
    for place in article.places:
        if place.lat is None:
            assert place.lon is None and place.gazetteer_id is None and place.mentions


@pytest.mark.slow
def test_no_place_from_removed_range(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "Talks resumed in Geneva.\nSubscribe to our newsletter from London today!"
    cut = text.index("Subscribe")
    article = analyse(nlp, text, [Removed(cut, len(text), "promo")])
    for place in article.places:
        for m in place.mentions:
            assert not article.in_removed(m.start, m.end)
    assert any(p.name == "Geneva" for p in article.places)
    assert not any(p.name == "London" for p in article.places)


@pytest.mark.slow
def test_demonyms_are_metonymic_country_mentions(nlp) -> None:  # type: ignore[no-untyped-def]
    article = analyse(nlp, "Russian officials met Syrian envoys in Damascus.")
    russia = next(p for p in article.places if p.country == "RU")
    assert russia.feature == "country" and all(m.metonymy for m in russia.mentions)
    damascus = next(p for p in article.places if p.name == "Damascus")
    assert not damascus.mentions[0].metonymy
