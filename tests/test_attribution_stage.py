"""The attributions stage on hand-written news sentences, and on bad input."""

from __future__ import annotations

import pytest
from conftest import assert_stand_off
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsgraph.model import Article, Removed
from newsgraph.stages.attributions import make_stage
from newsgraph.stages.entities import make_stage as make_entities_stage

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def stage():  # type: ignore[no-untyped-def]
    return make_stage()


def analyse(nlp, stage, text: str, removed: list[Removed] | None = None) -> Article:  # type: ignore[no-untyped-def]
    """Parse, run the entities stage (names, pronouns, descriptions), run the stage."""
    article = Article(text=text)
    article.removed = removed or []
    article.doc = nlp(article.masked_text())
    article = make_entities_stage()(article)
    return stage(article)


def check_offsets(article: Article) -> None:
    assert_stand_off(article)
    for att in article.attributions:
        if att.source.start is None:
            assert att.source.type == "unattributed"
    assert [a.id for a in article.attributions] == [f"A{n}" for n in range(1, len(article.attributions) + 1)]


def by_cue(article: Article, cue: str, kind: str | None = None):  # type: ignore[no-untyped-def]
    found = [
        a
        for a in article.attributions
        if a.cue is not None and a.cue.text.startswith(cue) and kind in (None, a.kind)
    ]
    assert found, f"no attribution with cue {cue!r}: {[(a.cue and a.cue.text) for a in article.attributions]}"
    return found[0]


def entity_name(article: Article, entity_id: str | None) -> str | None:
    return next((e.name for e in article.entities if e.id == entity_id), None)


def test_quote_first_direct(nlp, stage) -> None:  # type: ignore[no-untyped-def]
    text = "“The bridge will reopen next week after the repairs are finished,” Maria Lopez said on Monday.\n"
    art = analyse(nlp, stage, text)
    check_offsets(art)
    att = by_cue(art, "said")
    assert att.kind == "direct"
    assert att.source.text == "Maria Lopez"
    assert att.source.type == "person"
    assert "bridge will reopen" in att.content.text


def test_pronoun_speaker_resolved_to_previous_source(nlp, stage) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Anna Weber, the regional governor, confirmed that the dam had held through the night.\n"
        "The river rose by two metres on Tuesday and flooded several farms.\n"
        "She said: “The water is falling now. Nobody has been hurt.”\n"
    )
    art = analyse(nlp, stage, text)
    check_offsets(art)
    att = by_cue(art, "said")
    assert att.source.text == "She"
    assert att.source.resolved_from == "pronoun"
    assert entity_name(art, att.source.entity) == "Anna Weber"
    assert att.kind == "direct"


def test_anonymous_source_with_relay(nlp, stage) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Two officials familiar with the talks told Reuters that the trade deal was close to being signed.\n"
    )
    art = analyse(nlp, stage, text)
    check_offsets(art)
    att = by_cue(art, "told")
    assert att.source.type == "anonymous"
    assert att.source.entity is None
    assert att.relayed_by is not None and att.relayed_by.text == "Reuters"
    assert att.content.text.startswith("that the trade deal")


def test_unattributed_hedges(nlp, stage) -> None:  # type: ignore[no-untyped-def]
    text = (
        "The finance minister reportedly resigned on Friday after a row over the budget.\n"
        "The decision is said to have surprised the prime minister.\n"
    )
    art = analyse(nlp, stage, text)
    check_offsets(art)
    reported = by_cue(art, "reportedly")
    assert reported.source.type == "unattributed"
    assert reported.hedge == "reported"
    assert "resigned on Friday" in reported.content.text
    said = [a for a in art.attributions if a.cue is not None and "said" in a.cue.text]
    assert said and said[0].source.type == "unattributed" and said[0].hedge == "reported"


def test_according_to(nlp, stage) -> None:  # type: ignore[no-untyped-def]
    text = (
        "According to Peter Novak, an economist at the central bank, prices will keep rising until spring.\n"
    )
    art = analyse(nlp, stage, text)
    check_offsets(art)
    att = by_cue(art, "According to")
    assert att.kind == "according_to"
    assert att.source.text is not None and att.source.text.startswith("Peter Novak")
    assert "prices will keep rising" in att.content.text


def test_publication_source(nlp, stage) -> None:  # type: ignore[no-untyped-def]
    text = "The Guardian revealed last month that the ministry had hidden the safety report for two years.\n"
    art = analyse(nlp, stage, text)
    check_offsets(art)
    att = by_cue(art, "revealed")
    assert att.source.type == "publication"
    assert att.source.text == "The Guardian"


def test_removed_range_yields_nothing(nlp, stage) -> None:  # type: ignore[no-untyped-def]
    story = "The mayor said the road would close on Sunday.\n"
    promo = "Subscribers said our newsletter is the best, so sign up today and save half the price.\n"
    text = story + promo
    art = analyse(nlp, stage, text, [Removed(len(story), len(text), "promo")])
    check_offsets(art)
    assert art.attributions, "the story sentence should still yield its attribution"
    assert all(a.content.end <= len(story) for a in art.attributions)


def test_nested_attribution_has_parent(nlp, stage) -> None:  # type: ignore[no-untyped-def]
    text = (
        "The senator said that the general had told him the troops would leave the border region by June.\n"
    )
    art = analyse(nlp, stage, text)
    check_offsets(art)
    outer = by_cue(art, "said")
    inner = by_cue(art, "had told")
    assert outer.parent is None
    assert inner.parent == outer.id
    assert inner.source.text == "the general"
    assert inner.content.text.startswith("the troops would leave")


def test_no_doc_or_empty_doc(nlp, stage) -> None:  # type: ignore[no-untyped-def]
    art = stage(Article(text="nothing parsed"))
    assert art.attributions == []
    empty = Article(text="")
    empty.doc = nlp("")
    assert stage(empty).attributions == []


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.sampled_from(
            [
                "“",
                "”",
                '"',
                "he said",
                "according to",
                "reportedly",
                "it is believed",
                "officials told",
                "Москва заявила",
                "北京",
                ",",
                ".",
                "\n",
                "\n\n",
                "She added:",
                "the minister",
                "Smith",
            ]
        ),
        max_size=60,
    ).map(" ".join)
)
def test_bad_input_never_crashes(nlp, stage, text: str) -> None:  # type: ignore[no-untyped-def]
    check_offsets(analyse(nlp, stage, text))


def test_long_paragraph_without_punctuation(nlp, stage) -> None:  # type: ignore[no-untyped-def]
    text = " ".join(["officials said the council would vote"] * 1500)  # ~9,000 words, one paragraph
    art = analyse(nlp, stage, text)
    check_offsets(art)


STORY = (
    "Officials in Brussels have said the summit will be postponed until March, diplomats familiar with "
    "the talks told the Financial Times.\n"
    "Helena Varga, the Hungarian foreign minister, confirmed that the meeting had been cancelled.\n"
    "She said: “We were not consulted. This decision was taken without us.”\n"
    "According to Marco Bellini, an analyst at a Milan think tank, the delay suits both sides.\n"
    "He added: “Nobody wanted to be blamed for a failure.”\n"
    "The president is said to be furious about the decision.\n"
)


def test_pipeline_story(newsgraph) -> None:  # type: ignore[no-untyped-def]
    """The whole chain (clean, parse, entities, attributions) on a short hand-written report."""
    from newsgraph.core import Newsgraph

    ng = Newsgraph(stages=["clean", "parse", "entities", "attributions"])
    art = ng.analyze_text(STORY, published="2024-12-12")
    check_offsets(art)
    names = {e.id: e.name for e in art.entities}
    said = by_cue(art, "said", kind="direct")
    assert said.cue.text == "said"  # the colon is punctuation, not part of the cue
    assert said.source.resolved_from == "pronoun"
    assert "Varga" in (names.get(said.source.entity) or "")
    added = by_cue(art, "added")
    assert "Bellini" in (names.get(added.source.entity) or "")
    according = by_cue(art, "According to")
    assert according.kind == "according_to"
    assert according.content.text.startswith("the delay suits")
    unattributed = [a for a in art.attributions if a.source.type == "unattributed"]
    assert any("furious" in a.content.text for a in unattributed)


def test_quotation_running_over_paragraphs(nlp, stage) -> None:  # type: ignore[no-untyped-def]
    text = (
        "“We will rebuild the bridge before the winter,” said Tom Reed, the mayor of the town. "
        "“It will cost a lot of money.\n\n"
        "“But nobody here wants to give up, and the council agrees with me.”\n\n"
        "The river is still rising.\n"
    )
    art = analyse(nlp, stage, text)
    check_offsets(art)
    att = by_cue(art, "said")
    assert att.kind == "direct"
    assert att.source.text is not None and att.source.text.startswith("Tom Reed")
    assert len(att.content_spans) >= 2
    assert "nobody here wants to give up" in att.content_spans[-1].text
    assert all("river" not in a.content.text for a in art.attributions)


def test_quotation_attributed_by_a_dash(nlp, stage) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Readers told us what they think of the new tram line.\n\n"
        "“It takes me ten minutes less to get to work, and the carriages are clean.” ― Laura Mendes, nurse\n"
    )
    art = analyse(nlp, stage, text)
    check_offsets(art)
    att = by_cue(art, "―")
    assert att.source.text == "Laura Mendes"
    assert att.kind == "direct"
    assert "ten minutes less" in att.content.text


def test_pronoun_prefers_the_speaker_over_a_person_inside_the_claim(nlp, stage) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Victor Lang, the deputy interior minister, confirmed that Omar Haddad had left the country.\n"
        "He said: “We will not stop anyone from travelling.”\n"
    )
    art = analyse(nlp, stage, text)
    check_offsets(art)
    att = by_cue(art, "said", kind="direct")
    assert att.source.resolved_from == "pronoun"
    assert entity_name(art, att.source.entity) == "Victor Lang"


def test_pronoun_speaker_is_never_a_person_named_only_in_the_quotation(nlp, stage) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Retired general Tom Harlow spoke to the magazine for two hours on Tuesday.\n"
        "“Viktor Petrov is a man you can do business with,” he said.\n"
    )
    art = analyse(nlp, stage, text)
    check_offsets(art)
    att = by_cue(art, "said")
    assert att.source.text == "he"
    assert entity_name(art, att.source.entity) == "Tom Harlow"


def test_description_source_takes_the_person_with_that_role(nlp, stage) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Tom Harlow, the deputy energy minister, arrived in Oslo on Monday.\n"
        "The minister said the pipeline deal was close.\n"
    )
    art = analyse(nlp, stage, text)
    check_offsets(art)
    att = by_cue(art, "said")
    assert att.source.text == "The minister"
    assert att.source.type == "person"
    assert att.source.resolved_from == "nominal"
    assert entity_name(art, att.source.entity) == "Tom Harlow"


def test_they_speaker_takes_the_organisation_the_entities_stage_resolved(nlp, stage) -> None:  # type: ignore[no-untyped-def]
    text = (
        "The American Civil Liberties Union filed suit against the state on Monday.\n"
        "They said the law would keep thousands of people from voting.\n"
    )
    art = analyse(nlp, stage, text)
    check_offsets(art)
    att = by_cue(art, "said")
    assert att.source.text == "They"
    assert att.source.type == "organisation"
    assert att.source.resolved_from == "pronoun"
    assert entity_name(art, att.source.entity) == "American Civil Liberties Union"


def test_they_speaker_left_unresolved_is_anonymous_without_entity(nlp, stage) -> None:  # type: ignore[no-untyped-def]
    text = (
        "The American Civil Liberties Union filed suit against the state on Monday.\n"
        "Voting rights advocates expressed deep concern about the policy.\n"
        "They said the law would keep thousands of people from voting.\n"
    )
    art = analyse(nlp, stage, text)
    check_offsets(art)
    att = by_cue(art, "said")
    assert att.source.text == "They"
    assert att.source.type == "anonymous"
    assert att.source.entity is None and att.source.resolved_from is None


def test_headline_with_a_speaker_and_a_colon(nlp, stage) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Sanders: Clinton needs to get away from personality politics\n\n"
        "Bernie Sanders spoke to reporters in Ohio on Friday.\n"
    )
    art = analyse(nlp, stage, text)
    check_offsets(art)
    att = by_cue(art, ":")
    assert att.source.text == "Sanders" and att.source.type == "person"
    assert entity_name(art, att.source.entity) == "Bernie Sanders"
    assert att.content.text == "Clinton needs to get away from personality politics"


def test_transcript_speaker_labels(nlp, stage) -> None:  # type: ignore[no-untyped-def]
    text = (
        "WALLACE: Let us start with the debate tomorrow night.\n\n"
        "PENCE: Well, the debate will be about the issues that matter to families.\n\n"
        "WALLACE: Will she be in the front row?\n\n"
        "PENCE: She will not be attending the debate tomorrow night.\n"
    )
    art = analyse(nlp, stage, text)
    check_offsets(art)
    colon = [a for a in art.attributions if a.cue is not None and a.cue.text == ":"]
    assert [a.source.text for a in colon] == ["WALLACE", "PENCE", "WALLACE", "PENCE"]
    assert colon[1].content.text.startswith("Well, the debate will be about")


def test_page_labels_and_notes_before_a_colon_are_no_speakers(nlp, stage) -> None:  # type: ignore[no-untyped-def]
    text = (
        "UPDATE: The bridge reopened to traffic at noon on Tuesday.\n\n"
        "UPDATE: Buses are running on the normal timetable again.\n\n"
        "Note: the toll rises to four pounds in May.\n"
    )
    art = analyse(nlp, stage, text)
    check_offsets(art)
    assert not [a for a in art.attributions if a.cue is not None and a.cue.text == ":"]
