"""Pronouns and descriptions resolved by the entities stage, on hand-written news text."""

from __future__ import annotations

import pytest

from newsgraph.model import Article, Removed
from newsgraph.stages.entities import make_stage
from newsgraph.stages.entities.references import quote_mask

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def stage():  # type: ignore[no-untyped-def]
    return make_stage()


def run(nlp, stage, text: str, removed: list[Removed] | None = None) -> Article:  # type: ignore[no-untyped-def]
    article = Article(text=text, removed=removed or [])
    article.doc = nlp(article.masked_text())
    return stage(article)


def referent(article: Article, word: str, nth: int = 0) -> str | None:
    """The name of the entity the ``nth`` occurrence of ``word`` (a whole word) was resolved to."""
    import re

    found = [m.start() for m in re.finditer(rf"\b{re.escape(word)}\b", article.text)]
    assert len(found) > nth, f"{word!r} occurs {len(found)} times"
    at = found[nth]
    names = {e.id: e.name for e in article.entities}
    for ref in article.references:
        if ref.start <= at < ref.end:
            assert article.text[ref.start : ref.end] == ref.text
            return names[ref.entity]
    return None


def test_person_named_only_inside_a_quotation_is_not_the_speaker(nlp, stage) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Retired general Tom Harlow spoke to the magazine for two hours on Tuesday.\n"
        "“Viktor Petrov is a man you can do business with,” he said.\n"
    )
    art = run(nlp, stage, text)
    assert referent(art, "he") == "Tom Harlow"


def test_the_main_clause_speaker_outranks_a_person_in_the_reported_clause(nlp, stage) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Tom Harlow told the committee that Mark Lowe had approved the payments.\n"
        "He said the money went to a charity in Leeds.\n"
    )
    art = run(nlp, stage, text)
    assert referent(art, "He") == "Tom Harlow"


def test_coordinated_people_leave_the_pronoun_unresolved(nlp, stage) -> None:  # type: ignore[no-untyped-def]
    text = "John Reyes and Mark Lowe arrived in Denver on Friday. He said the budget was late.\n"
    art = run(nlp, stage, text)
    assert referent(art, "He") is None


def test_gender_decides_between_two_people(nlp, stage) -> None:  # type: ignore[no-untyped-def]
    text = "Anna Kell met Tom Harlow in Oslo on Monday. She said the talks had gone well.\n"
    art = run(nlp, stage, text)
    assert referent(art, "She") == "Anna Kell"


def test_an_object_pronoun_is_not_the_subject_of_its_own_verb(nlp, stage) -> None:  # type: ignore[no-untyped-def]
    text = "Tom Harlow met Mark Lowe in Leeds on Monday. Harlow later accused him of lying.\n"
    art = run(nlp, stage, text)
    assert referent(art, "him") == "Mark Lowe"


def test_a_pronoun_too_far_back_stays_unresolved(nlp, stage) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Tom Harlow opened the new bridge on Monday. The bridge cost four million pounds. "
        "Traffic was light on the first day. Buses will use it from May. Tolls start in June. "
        "The council expects more cars in summer. He said it was a good day.\n"
    )
    art = run(nlp, stage, text)
    assert referent(art, "He") is None


def test_a_description_takes_the_one_person_with_that_role(nlp, stage) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Tom Harlow, the deputy energy minister, arrived in Oslo on Monday.\n"
        "The minister said the pipeline deal was close.\n"
    )
    art = run(nlp, stage, text)
    assert referent(art, "minister", 1) == "Tom Harlow"
    ref = next(r for r in art.references if r.kind == "nominal")
    assert ref.text == "The minister"


def test_a_description_two_people_share_stays_unresolved(nlp, stage) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Tom Harlow, the energy minister, met Mark Lowe, the finance minister, in Oslo.\n"
        "Both men spoke to reporters. Later the minister said the deal was close.\n"
    )
    art = run(nlp, stage, text)
    assert referent(art, "minister", 2) is None


def test_a_description_must_agree_with_the_role_and_gender(nlp, stage) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Tom Harlow, the British energy minister, arrived in Oslo on Monday with his spokesman.\n"
        "The French minister said nothing. The spokeswoman said the talks would go on.\n"
    )
    art = run(nlp, stage, text)
    assert referent(art, "minister", 1) is None  # French is not British
    assert referent(art, "spokeswoman") is None  # no woman holds that role


def test_nothing_is_resolved_in_a_removed_range(nlp, stage) -> None:  # type: ignore[no-untyped-def]
    text = "Tom Harlow opened the bridge on Monday. He said it was a good day.\n"
    cut = text.index("He said")
    art = run(nlp, stage, text, removed=[Removed(cut, len(text) - 1, "test")])
    assert art.references == []


def test_quote_mask_tracks_quotation_marks_per_paragraph() -> None:
    text = 'He said “one” and ‘two’ but Smith’s "three\nfour'
    mask = quote_mask(text)
    inside = "".join(ch for ch, m in zip(text, mask, strict=True) if m)
    assert inside == '“one”‘two’"three'


def test_a_pronoun_inside_a_quotation_is_not_its_speaker(nlp, stage) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Mark Lowe left the country on Sunday, officials said.\n"
        "Tom Harlow, the deputy interior minister, confirmed that Lowe was in Spain.\n"
        "He said: “He is safe and he will stay there.”\n"
    )
    art = run(nlp, stage, text)
    assert referent(art, "He", 0) == "Tom Harlow"
    assert referent(art, "He", 1) != "Tom Harlow"


def test_according_to_introduces_the_next_speaker(nlp, stage) -> None:  # type: ignore[no-untyped-def]
    text = (
        "According to Tom Harlow, an analyst at a Leeds bank, the rescue of Mark Lowe proved "
        "that the government had been talking to the rebels.\n"
        "He said: “They had a deal.”\n"
    )
    art = run(nlp, stage, text)
    assert referent(art, "He") == "Tom Harlow"


# -- "they" and "we": organisations and peoples, only when nothing else could be meant ---------


def test_they_after_an_organisation_as_subject_is_that_organisation(nlp, stage) -> None:  # type: ignore[no-untyped-def]
    text = (
        "The American Civil Liberties Union filed suit against the state on Monday. "
        "They said the law was unconstitutional.\n"
    )
    art = run(nlp, stage, text)
    assert referent(art, "They") == "American Civil Liberties Union"


def test_they_after_a_people_is_that_people(nlp, stage) -> None:  # type: ignore[no-untyped-def]
    text = "Senate Republicans blocked the bill on Tuesday. They said it would cost too much.\n"
    art = run(nlp, stage, text)
    assert referent(art, "They") == "Republicans"


def test_they_with_an_unnamed_group_in_between_stays_unresolved(nlp, stage) -> None:  # type: ignore[no-untyped-def]
    text = (
        "The American Civil Liberties Union filed suit against the state on Monday. "
        "Voting rights advocates expressed deep concern about the policy. "
        "They cite the election in Florida.\n"
    )
    art = run(nlp, stage, text)
    assert referent(art, "They") is None


def test_they_after_an_organisation_and_a_group_it_acted_on_stays_unresolved(nlp, stage) -> None:  # type: ignore[no-untyped-def]
    text = (
        "The Associated Press interviewed more than 20 former crew members. "
        "They described crass behaviour on the set.\n"
    )
    art = run(nlp, stage, text)
    assert referent(art, "They") is None


def test_they_after_a_person_and_an_organisation_stays_unresolved(nlp, stage) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Tom Harlow signed a fundraising pact with the Labour Party in May. "
        "They raised $9 million in August.\n"
    )
    art = run(nlp, stage, text)
    assert referent(art, "They") is None


def test_they_is_never_a_name_ner_typed_org_that_is_no_organisation(nlp, stage) -> None:  # type: ignore[no-untyped-def]
    text = "Apple Music released the video on Tuesday. They said it was a hit.\n"
    art = run(nlp, stage, text)
    assert referent(art, "They") is None


def test_their_with_a_nearer_unnamed_group_stays_unresolved(nlp, stage) -> None:  # type: ignore[no-untyped-def]
    text = "The Supreme Court was viewed as favourable to corporations looking to cut their debts.\n"
    art = run(nlp, stage, text)
    assert referent(art, "their") is None


def test_we_in_a_quotation_is_the_organisation_quoted(nlp, stage) -> None:  # type: ignore[no-untyped-def]
    text = "“We will appeal the ruling,” the American Civil Liberties Union said on Monday.\n"
    art = run(nlp, stage, text)
    assert referent(art, "We") == "American Civil Liberties Union"


def test_we_of_a_person_or_of_the_writer_stays_unresolved(nlp, stage) -> None:  # type: ignore[no-untyped-def]
    text = (
        "The American Civil Liberties Union filed suit on Monday.\n"
        "“We will appeal the ruling,” Jane Doe said.\n"
        "We have been here before.\n"
    )
    art = run(nlp, stage, text)
    assert referent(art, "We", 0) is None
    assert referent(art, "We", 1) is None
