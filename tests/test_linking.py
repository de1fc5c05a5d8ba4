"""Cross-article linking on articles written for these tests (entities built by hand, no model)."""

from __future__ import annotations

import pytest

from newsgraph.corpus.linking import Linker, MemoryLinkState
from newsgraph.corpus.linking.names import first_names_match, person_name, similar, skeleton
from newsgraph.errors import BadInput
from newsgraph.model import Article, Entity, Mention, Metadata, Place, Role


def article(
    *entities: tuple[str, str] | tuple[str, str, dict[str, object]], published: str = "2024-03-01"
) -> Article:
    """An article whose text lists the names; entity ``i`` gets id ``E{i+1}`` and one mention."""
    text = ""
    out = []
    places = []
    for i, spec in enumerate(entities):
        name, type_ = spec[0], spec[1]
        extra: dict[str, object] = dict(spec[2]) if len(spec) > 2 else {}  # type: ignore[misc]
        start = len(text)
        text += name + ". "
        roles = [Role(0, 0, str(r)) for r in extra.get("roles", [])]  # type: ignore[attr-defined]
        aliases = [name, *extra.get("aliases", [])]  # type: ignore[misc]
        entity = Entity(
            f"E{i + 1}",
            name,
            type_,
            aliases=aliases,
            roles=roles,
            mentions=[Mention(start, start + len(name), name)],
            gender=extra.get("gender"),  # type: ignore[arg-type]
        )
        out.append(entity)
        if "gazetteer" in extra:
            places.append(Place(f"P{i + 1}", name, gazetteer_id=str(extra["gazetteer"]), entity=entity.id))
    return Article(
        text=text,
        entities=out,
        places=places,
        metadata=Metadata(published=published, outlet="Test Wire"),
    )


def ids(linker: Linker, article_id: str, art: Article) -> list[str | None]:
    links = linker.link_article(article_id, art)
    return [links[e.id] for e in art.entities]


def test_spelling_variants_share_a_skeleton() -> None:
    assert skeleton("zelensky") == skeleton("zelenskiy")
    assert similar("peskov", "peskov") and not similar("peskov", "leskov")
    assert first_names_match("bill", "william") and first_names_match("v", "vladimir")
    assert not first_names_match("bill", "hillary")
    parsed = person_name("Marcel van Soest")
    assert parsed is not None and (parsed.first, parsed.surname) == ("marcel", "soest")


def test_full_name_surname_and_role_are_one_person() -> None:
    linker = Linker(MemoryLinkState())
    a = ids(linker, "a1", article(("Dmitry Peskov", "PERSON", {"aliases": ["Peskov"]}), ("Kremlin", "ORG")))
    b = ids(linker, "a2", article(("Peskov", "PERSON", {"roles": ["Kremlin spokesman"]}), ("Kremlin", "ORG")))
    c = ids(linker, "a3", article(("Dmitry Peskov", "PERSON", {"roles": ["Kremlin spokesman"]})))
    d = ids(
        linker,
        "a4",
        article(
            (
                "Dmitri Peskov",
                "PERSON",
            ),
            ("Volodymyr Zelenskiy", "PERSON"),
        ),
    )
    e = ids(
        linker,
        "a5",
        article(
            ("Zelensky", "PERSON"),
        ),
    )
    assert a[0] == b[0] == c[0] == d[0] is not None
    assert a[1] == b[1] is not None and a[1] != a[0]  # the Kremlin is its own entity
    assert e[0] == d[1] and e[0] != d[0]


def test_two_people_sharing_a_surname_stay_two() -> None:
    state = MemoryLinkState()
    linker = Linker(state)
    bill = ids(
        linker, "a1", article(("Bill Clinton", "PERSON", {"gender": "m", "roles": ["former president"]}))
    )[0]
    hillary = ids(
        linker,
        "a2",
        article(
            ("Hillary Clinton", "PERSON", {"gender": "f", "roles": ["secretary of state"]}),
            ("State Department", "ORG"),
        ),
    )[0]
    william = ids(
        linker,
        "a3",
        article(
            ("William Clinton", "PERSON"),
        ),
    )[0]
    assert bill is not None and hillary is not None and bill != hillary
    assert william == bill  # a formal first name of the same person
    # "Mrs Clinton": the gender rules out Bill
    mrs = ids(
        linker,
        "a4",
        article(
            ("Clinton", "PERSON", {"gender": "f"}),
        ),
    )[0]
    assert mrs == hillary
    # a bare "Clinton" next to what only Hillary's articles mention
    ctx = ids(
        linker,
        "a5",
        article(("Clinton", "PERSON", {"roles": ["secretary of state"]}), ("State Department", "ORG")),
    )
    assert ctx[0] == hillary
    reasons = [row["reason"] for row in state.log_rows(hillary)]
    assert any("context" in r and "state department" in r for r in reasons)


def test_a_bare_surname_the_article_does_not_explain_stays_unlinked() -> None:
    state = MemoryLinkState()
    linker = Linker(state)
    ids(
        linker,
        "a1",
        article(
            ("Bill Clinton", "PERSON", {"gender": "m"}),
        ),
    )
    ids(
        linker,
        "a2",
        article(
            ("Hillary Clinton", "PERSON", {"gender": "f"}),
        ),
    )
    bare = ids(
        linker, "a3", article(("Clinton", "PERSON"), ("Paris", "GPE", {"gazetteer": "geonames:2988507"}))
    )
    assert bare[0] is None
    row = state.links(article_id="a3")[0]
    assert row["corpus_id"] is None and "ambiguous" in row["reason"]


def test_common_surname_needs_context_rare_one_does_not() -> None:
    linker = Linker(MemoryLinkState())
    smith = ids(linker, "a1", article(("John Smith", "PERSON"), ("Acme Corp", "ORG")))[0]
    peskov = ids(
        linker,
        "a2",
        article(
            ("Dmitry Peskov", "PERSON"),
        ),
    )[0]
    assert (
        ids(
            linker,
            "a3",
            article(
                ("Smith", "PERSON"),
            ),
        )[0]
        is None
    )  # could be anybody
    assert ids(linker, "a4", article(("Smith", "PERSON"), ("Acme Corp", "ORG")))[0] == smith
    assert (
        ids(
            linker,
            "a5",
            article(
                ("Peskov", "PERSON"),
            ),
        )[0]
        == peskov
    )


def test_places_by_gazetteer_and_organisations_by_acronym() -> None:
    linker = Linker(MemoryLinkState())
    first = ids(
        linker,
        "a1",
        article(
            ("Russia", "GPE", {"gazetteer": "geonames:2017370"}),
            ("Paris", "GPE", {"gazetteer": "geonames:2988507"}),
            ("International Committee of the Red Cross", "ORG"),
        ),
    )
    second = ids(
        linker,
        "a2",
        article(
            ("the Russian Federation", "GPE", {"gazetteer": "geonames:2017370"}),
            ("Paris", "GPE", {"gazetteer": "geonames:4717560"}),  # Paris, Texas
            ("ICRC", "ORG"),
            ("the Kremlin", "ORG"),
        ),
    )
    assert second[0] == first[0]
    assert second[1] != first[1]
    assert second[2] == first[2]
    assert second[3] not in first


def test_ids_stay_stable_as_articles_are_added() -> None:
    state = MemoryLinkState()
    linker = Linker(state)
    arts = [
        article(("Dmitry Peskov", "PERSON"), ("Moscow", "GPE", {"gazetteer": "geonames:524901"})),
        article(("Peskov", "PERSON"), ("Vladimir Putin", "PERSON")),
        article(("Putin", "PERSON"), ("Moscow", "GPE", {"gazetteer": "geonames:524901"})),
    ]
    before = [ids(linker, f"a{i}", a) for i, a in enumerate(arts)]
    for i in range(20):
        ids(linker, f"b{i}", article((f"Person{i} Name{i}", "PERSON"), ("Putin", "PERSON")))
    after = [[row["corpus_id"] for row in state.links(article_id=f"a{i}")] for i in range(3)]
    assert before == after
    # linking an article again gives the same ids and logs the change
    again = ids(linker, "a1", arts[1])
    assert again == before[1]


def test_a_split_holds_when_more_articles_arrive() -> None:
    state = MemoryLinkState()
    linker = Linker(state)
    # Two different John Smiths at one company: the linker cannot tell them apart.
    first = ids(
        linker, "a1", article(("John Smith", "PERSON", {"roles": ["chief executive"]}), ("Acme Corp", "ORG"))
    )
    wrong = ids(
        linker, "a2", article(("John Smith", "PERSON", {"roles": ["footballer"]}), ("Leeds United", "ORG"))
    )
    assert first[0] == wrong[0]
    old = first[0]
    assert old is not None
    new = linker.split(old, articles=["a2"], reason="the footballer is another John Smith")
    assert new != old
    assert state.links(article_id="a2")[0]["corpus_id"] == new
    assert any(r["action"] == "split" and "footballer" in r["reason"] for r in state.log_rows(old))
    # later articles go where their context points, and the moved one never goes back
    more = ids(
        linker, "a3", article(("John Smith", "PERSON", {"roles": ["footballer"]}), ("Leeds United", "ORG"))
    )
    boss = ids(
        linker, "a4", article(("John Smith", "PERSON", {"roles": ["chief executive"]}), ("Acme Corp", "ORG"))
    )
    assert more[0] == new and boss[0] == old
    assert (
        ids(
            linker,
            "a2",
            article(("John Smith", "PERSON", {"roles": ["chief executive"]}), ("Acme Corp", "ORG")),
        )[0]
        == new
    )
    assert not linker.merge_allowed(old, new)


def test_split_errors_are_coded() -> None:
    linker = Linker(MemoryLinkState())
    one = ids(
        linker,
        "a1",
        article(
            ("Dmitry Peskov", "PERSON"),
        ),
    )[0]
    assert one is not None
    with pytest.raises(BadInput, match="E301"):
        linker.split("C999999", names=["x"])
    with pytest.raises(BadInput, match="E302"):
        linker.split(one, names=["Somebody Else"])
    with pytest.raises(BadInput, match="E302"):
        linker.split(one, articles=["a1"])


def test_a_mistyped_surname_joins_the_person_of_its_article() -> None:
    linker = Linker(MemoryLinkState())
    got = ids(linker, "a1", article(("Alberto Fujimori", "PERSON"), ("Fujimori", "ORG")))
    assert got[0] == got[1] is not None
