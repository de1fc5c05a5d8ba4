"""The events stage on hand-written sentences: categories, modes, participants, links, bad input."""

from __future__ import annotations

import pytest
from conftest import assert_stand_off
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsgraph.model import Article, Attribution, Mention, Place, Source, Span, Time
from newsgraph.stages.events import PLOVER_CATEGORIES, load_label_map, load_lexicon, make_stage

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def stage():  # type: ignore[no-untyped-def]
    return make_stage()


def run(nlp, stage, text, **facts):  # type: ignore[no-untyped-def]
    article = Article(text=text)
    article.metadata.published = "2024-12-12"
    for key, value in facts.items():
        setattr(article, key, value)
    article.doc = nlp(article.masked_text())
    return stage(article)


def check_offsets(article: Article) -> None:
    assert_stand_off(article)
    for ev in article.events:
        assert ev.category in PLOVER_CATEGORIES


def only(article: Article, category: str):  # type: ignore[no-untyped-def]
    found = [e for e in article.events if e.category == category]
    assert found, f"no {category} in {[(e.category, e.trigger.text) for e in article.events]}"
    return found[0]


def test_phrasal_verb_actor_target_place_date(nlp, stage) -> None:
    text = "The insurgents broke into Valdora on Sunday."
    start = text.index("Valdora")
    place = Place(id="P1", name="Valdora", mentions=[Mention(start, start + 7, "Valdora")])
    t0 = text.index("on Sunday") + 3
    time = Time(id="T1", text="Sunday", start=t0, end=t0 + 6, value="2024-12-08")
    a = run(nlp, stage, text, places=[place], times=[time])
    ev = only(a, "ASSAULT")
    assert ev.trigger.text == "broke into"
    assert ev.actor is not None and ev.actor.text == "The insurgents"
    assert ev.target is not None and ev.target.text == "Valdora"
    assert (ev.place, ev.date, ev.time, ev.modality) == ("P1", "2024-12-08", "T1", "asserted")
    assert ev.id == "V1"
    check_offsets(a)


def test_event_noun_with_possessive_and_partner(nlp, stage) -> None:
    a = run(nlp, stage, "The mayor's telephone conversation with the governor lasted an hour.")
    ev = only(a, "CONSULT")
    assert ev.trigger.text == "telephone conversation"
    assert ev.actor is not None and ev.actor.text == "The mayor"
    assert ev.target is not None and ev.target.text == "the governor"


def test_passive_agent_is_actor(nlp, stage) -> None:
    a = run(nlp, stage, "The depot was shelled by militia fighters overnight.")
    ev = only(a, "ASSAULT")
    assert ev.actor is not None and ev.actor.text == "militia fighters"
    assert ev.target is not None and ev.target.text == "The depot"


def test_manner_noun_takes_subject_of_verb(nlp, stage) -> None:
    a = run(nlp, stage, "The general intervened in the dispute by carpet bombing rebel camps.")
    ev = only(a, "ASSAULT")
    assert ev.trigger.text == "carpet bombing"
    assert ev.actor is not None and ev.actor.text == "The general"


@pytest.mark.parametrize(
    ("text", "category", "mode"),
    [
        ("The brigade did not attack the convoy.", "ASSAULT", "negated"),
        ("The ministry denied attacking the convoy.", "ASSAULT", "denied"),
        ("The guerrillas threatened to bomb the bridge.", "THREATEN", "asserted"),
        ("The guerrillas threatened to bomb the bridge.", "ASSAULT", "threatened"),
        ("The council may impose a curfew.", "COERCE", "possible"),
        ("The union plans to protest outside the factory.", "THREATEN", "planned"),
        ("The two mayors agreed to cooperate on water.", "COOPERATE", "planned"),
        ("If the soldiers attack the village, the league will respond.", "ASSAULT", "hypothetical"),
    ],
)
def test_modes(nlp, stage, text: str, category: str, mode: str) -> None:
    a = run(nlp, stage, text)
    modes = {(e.category, e.modality) for e in a.events}
    assert (category, mode) in modes, modes


def test_denial_is_one_event(nlp, stage) -> None:
    a = run(nlp, stage, "The ministry denied attacking the convoy.")
    assert [e.category for e in a.events] == ["ASSAULT"]


def test_future_meeting_is_agree(nlp, stage) -> None:
    a = run(nlp, stage, "The two presidents will meet in the capital next month.")
    ev = only(a, "AGREE")
    assert ev.modality == "planned" and ev.trigger.text == "meet"


def test_reporting_verbs_are_not_events(nlp, stage) -> None:
    a = run(nlp, stage, "The spokesman said the weather was fine, and he told reporters he was tired.")
    assert a.events == []


def test_object_decides_category(nlp, stage) -> None:
    a = run(nlp, stage, "The bloc imposed sanctions on the junta and lifted the curfew.")
    cats = [(e.category, e.trigger.text) for e in a.events]
    assert ("SANCTION", "imposed") in cats and ("CONCEDE", "lifted") in cats
    assert not any(t == "sanctions" for _c, t in cats)  # one event, not two
    ev = only(a, "SANCTION")
    assert ev.target is not None and ev.target.text == "the junta"


def test_halting_aid_is_sanction(nlp, stage) -> None:
    a = run(nlp, stage, "The donor halted economic aid to the province.")
    assert [e.category for e in a.events] == ["SANCTION"]


def test_innermost_attribution(nlp, stage) -> None:
    text = "Insiders said the envoy approved the rescue of the pilot."
    content_start = text.index("the envoy")
    content = Span(content_start, len(text) - 1, text[content_start:-1])
    outer = Attribution(
        id="A1", kind="indirect", source=Source(type="anonymous"), cue=None, content=Span(0, len(text), text)
    )
    inner = Attribution(id="A2", kind="indirect", source=Source(type="anonymous"), cue=None, content=content)
    a = run(nlp, stage, text, attributions=[outer, inner])
    for ev in a.events:
        assert ev.attribution == "A2"
    assert {e.category for e in a.events} == {"SUPPORT", "AID"}


def test_metonymic_place_and_actor_place_are_skipped(nlp, stage) -> None:
    text = "Ruritania bombed the bridge near Strelsau."
    r = Place(id="P1", name="Ruritania", mentions=[Mention(0, 9, "Ruritania")])
    s0 = text.index("Strelsau")
    s = Place(id="P2", name="Strelsau", mentions=[Mention(s0, s0 + 8, "Strelsau")])
    a = run(nlp, stage, text, places=[r, s])
    assert only(a, "ASSAULT").place == "P2"
    r.mentions[0].metonymy = True
    s.mentions[0].metonymy = True
    a = run(nlp, stage, text, places=[r, s])
    assert only(a, "ASSAULT").place is None


def test_entity_ids_by_overlap(nlp, stage) -> None:
    from newsgraph.model import Entity

    text = "Ruritanian troops attacked Strelsau."
    ent = Entity(id="E1", name="Ruritania", type="NORP", mentions=[Mention(0, 10, "Ruritanian")])
    a = run(nlp, stage, text, entities=[ent])
    ev = only(a, "ASSAULT")
    assert ev.actor is not None and ev.actor.entity == "E1"


def test_removed_ranges_give_no_events(nlp, stage) -> None:
    from newsgraph.model import Removed

    text = "The army attacked the town. Subscribe to read how rebels attacked the base."
    cut = text.index("Subscribe")
    a = run(nlp, stage, text, removed=[Removed(cut, len(text), "promo")])
    assert [e.trigger.text for e in a.events] == ["attacked"]
    assert all(e.trigger.start < cut for e in a.events)


def test_no_doc_or_mismatched_doc(nlp, stage) -> None:
    a = Article(text="The army attacked the town.")
    assert stage(a).events == []
    a.doc = nlp("Something else entirely.")
    assert stage(a).events == []


def test_data_files_are_valid() -> None:
    lex = load_lexicon()
    assert lex.verbs["attack"] == ("ASSAULT", None)
    assert ("telephone", "conversation") in lex.multi
    assert "say" not in lex.verbs and "tell" not in lex.verbs
    labels = load_label_map()
    assert labels["FIGHT"] == "ASSAULT" and labels["DEMAND"] == "REQUEST" and labels["DOCUMENT"] == ""
    assert set(v for v in labels.values() if v) <= set(PLOVER_CATEGORIES)


def test_long_paragraph_is_valid(nlp, stage) -> None:
    # Its cost against length is measured by benchmarks/long_articles.py, not timed here.
    text = " ".join(["rebels attacked the town and police arrested them"] * 1000)
    article = Article(text=text)
    article.doc = nlp(text)
    stage(article)
    assert len(article.events) >= 1000
    check_offsets(article)


_words = st.sampled_from(
    [
        "attack",
        "the",
        "rebels",
        "\u201c",
        '"',
        "not",
        "will",
        "if",
        "talks",
        "bombed",
        "Москва",
        "北京",
        "denied",
        "threatened",
        "to",
        ",",
        ".",
        "\n",
        "sanctions",
        "2024-13-45",
        "on",
        "by",
        "'s",
        "\u00a0",
    ]
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_words, min_size=0, max_size=60))
def test_random_text_never_crashes(nlp, stage, words: list[str]) -> None:
    text = " ".join(words)
    article = Article(text=text)
    article.doc = nlp(text)
    stage(article)
    check_offsets(article)


def test_sentence_span_leaves_out_removed_text(nlp, stage) -> None:
    from newsgraph.model import Removed

    text = "Sign up for our newsletter today and the army attacked the town."
    cut = text.index(" and")
    a = run(nlp, stage, text, removed=[Removed(0, cut, "promo")])
    ev = only(a, "ASSAULT")
    assert ev.sentence is not None and not a.in_removed(ev.sentence.start, ev.sentence.end)
    assert ev.sentence.text.endswith("attacked the town.")


def test_pronoun_participants_take_the_person_they_refer_to(newsgraph) -> None:  # type: ignore[no-untyped-def]
    text = (
        "President Elena Varga has not commented on the Moreno government, but on Monday she held "
        "talks with Prime Minister Tomas Reyes in Lisbon. He later accused her of delaying the treaty."
    )
    art = newsgraph.analyze_text(text, published="2025-03-12")
    names = {e.id: e.name for e in art.entities}
    talks = next(e for e in art.events if e.trigger.text == "talks")
    assert talks.actor is not None and talks.actor.text == "she"
    assert "Varga" in names.get(talks.actor.entity or "", "")
    accused = next(e for e in art.events if e.trigger.text == "accused")
    assert accused.actor is not None and "Reyes" in names.get(accused.actor.entity or "", "")
    assert accused.target is not None and "Varga" in names.get(accused.target.entity or "", "")


def test_they_as_actor_takes_the_organisation_the_entities_stage_resolved(newsgraph) -> None:  # type: ignore[no-untyped-def]
    text = (
        "The American Civil Liberties Union filed suit against the state on Monday. "
        "They accused the governor of purging voters from the rolls."
    )
    art = newsgraph.analyze_text(text, published="2025-03-12")
    names = {e.id: e.name for e in art.entities}
    accused = next(e for e in art.events if e.trigger.text == "accused")
    assert accused.actor is not None and accused.actor.text == "They"
    assert names.get(accused.actor.entity or "") == "American Civil Liberties Union"
