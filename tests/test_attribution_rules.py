"""The assembly rules of the attributions stage on hand-built segments (no tagger involved).

Each test builds the tagger's output by hand for one error class seen on real articles
and checks the rule that handles it.
"""

from __future__ import annotations

import pytest

from newsgraph.model import Article
from newsgraph.stages.attributions.assemble import Assembler, Draft
from newsgraph.stages.attributions.features import Table
from newsgraph.stages.attributions.lexicons import load
from newsgraph.stages.attributions.tagger import Segment
from newsgraph.stages.entities import make_stage as make_entities_stage

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def entities():  # type: ignore[no-untyped-def]
    return make_entities_stage()


def assembler(nlp, entities, text: str) -> Assembler:  # type: ignore[no-untyped-def]
    article = Article(text=text)
    article.doc = nlp(text)
    article = entities(article)
    lex = load()
    return Assembler(article, article.doc, lex, Table(article.doc, lex))


def seg(asm: Assembler, role: str, words: str, para: int = 0, nth: int = 0) -> Segment:
    """The segment over the ``nth`` occurrence of ``words`` (whole tokens)."""
    start = -1
    for _ in range(nth + 1):
        start = asm.article.text.index(words, start + 1)
    span = asm.doc.char_span(start, start + len(words))
    assert span is not None, f"{words!r} is not a token range"
    return Segment(role, span.start, span.end, para)


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        ("The weak figures sparked a sell-off in bank shares on Monday.", "a sell"),
        ("Critics pointed to Smith's alleged ties to the cartel.", "'s alleged ties to"),
        ("The mayor faced a probe into the contracts last year.", "a probe"),
    ],
)
def test_noun_phrases_and_word_fragments_are_not_cues(nlp, entities, text: str, cue: str) -> None:  # type: ignore[no-untyped-def]
    asm = assembler(nlp, entities, text)
    assert not asm.cue_ok(seg(asm, "CUE", cue))


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        ("The minister said the talks had failed.", "said"),
        ("According to the police, two men were arrested.", "According to"),
        ("Smith has repeatedly denied the claims.", "has repeatedly denied"),
    ],
)
def test_verbs_and_cue_words_are_cues(nlp, entities, text: str, cue: str) -> None:  # type: ignore[no-untyped-def]
    asm = assembler(nlp, entities, text)
    assert asm.cue_ok(seg(asm, "CUE", cue))


@pytest.mark.parametrize(
    ("text", "source", "stype", "named"),
    [
        (
            "A doctor at the city hospital said six people were hurt.",
            "A doctor at the city hospital",
            "anonymous",
            None,
        ),
        ("The doctor said six people were hurt.", "The doctor", "person", None),
        (
            "Her spokeswoman, Anna Kell, said the delegation had left.",
            "Her spokeswoman, Anna Kell",
            "person",
            "Anna Kell",
        ),
        ("The campaign said the event would go ahead.", "The campaign", "organisation", None),
        (
            "A study by two economists found that wages fell.",
            "A study by two economists",
            "publication",
            None,
        ),
        ("Voters in the town said the road was dangerous.", "Voters in the town", "anonymous", None),
    ],
)
def test_source_types(nlp, entities, text: str, source: str, stype: str, named: str | None) -> None:  # type: ignore[no-untyped-def]
    asm = assembler(nlp, entities, text)
    src = asm.source(seg(asm, "SRC", source))
    assert src.type == stype
    names = {e.id: e.name for e in asm.article.entities}
    assert names.get(src.entity or "") == named


def test_a_conjunct_cue_in_a_reported_clause_takes_the_speaker_not_the_clause_subject(nlp, entities) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Maria Keller, a spokeswoman for the agency, confirmed that the talks had resumed "
        "but declined to give details."
    )
    asm = assembler(nlp, entities, text)
    src, unsure = asm._dep_source(seg(asm, "CUE", "declined"))
    assert not unsure and src is not None
    assert asm.doc[src.i : src.j].text.startswith("Maria Keller")


def test_a_conjunct_cue_whose_clause_subject_can_speak_is_left_out(nlp, entities) -> None:  # type: ignore[no-untyped-def]
    text = "Police say the driver ignored the warning and refused to stop."
    asm = assembler(nlp, entities, text)
    tok = next(t for t in asm.doc if t.text == "refused")
    if tok.dep_ != "conj" or tok.head.dep_ != "ccomp":
        pytest.skip(
            f"the parser attached 'refused' as {tok.dep_} of {tok.head.text}: not the case under test"
        )
    src, unsure = asm._dep_source(seg(asm, "CUE", "refused"))
    assert unsure and src is None


def test_a_closed_quotation_does_not_run_on_into_the_next_paragraph(nlp, entities) -> None:  # type: ignore[no-untyped-def]
    text = (
        "“We will rebuild the bridge,” the mayor said.\n"
        "“The council has no money for it.”\n"
        "“We need new buses first.\n"
        "“And then a bridge.”\n"
    )
    asm = assembler(nlp, entities, text)
    closed = Draft(cue=seg(asm, "CUE", "said"), contents=[seg(asm, "CON", "We will rebuild the bridge")])
    assert not asm._continues(closed, seg(asm, "CON", "“The council has no money for it", para=1))
    opened = Draft(cue=None, contents=[seg(asm, "CON", "“We need new buses first", para=2)])
    assert asm._continues(opened, seg(asm, "CON", "“And then a bridge", para=3))
    assert not asm._continues(opened, seg(asm, "CON", "“The council has no money for it", para=1))


def test_content_stops_where_the_next_speaker_starts(nlp, entities) -> None:  # type: ignore[no-untyped-def]
    text = "The mayor said the bridge would reopen in May. Jones said the repairs had not started.\n"
    asm = assembler(nlp, entities, text)
    first = Draft(
        cue=seg(asm, "CUE", "said"),
        source=seg(asm, "SRC", "The mayor"),
        contents=[seg(asm, "CON", "the bridge would reopen in May. Jones said the repairs")],
    )
    second = Draft(
        cue=seg(asm, "CUE", "said", nth=1),
        source=seg(asm, "SRC", "Jones"),
        contents=[seg(asm, "CON", "the repairs had not started")],
    )
    drafts = [first, second]
    asm.stop_at_speakers(drafts)
    assert [asm.doc[s.i : s.j].text for s in first.contents] == ["the bridge would reopen in May"]
    assert [asm.doc[s.i : s.j].text for s in second.contents] == ["the repairs had not started"]


def test_a_nested_speaker_inside_the_content_does_not_cut_it(nlp, entities) -> None:  # type: ignore[no-untyped-def]
    text = "The mayor said officials had warned that the bridge was unsafe.\n"
    asm = assembler(nlp, entities, text)
    outer = Draft(
        cue=seg(asm, "CUE", "said"),
        source=seg(asm, "SRC", "The mayor"),
        contents=[seg(asm, "CON", "officials had warned that the bridge was unsafe")],
    )
    inner = Draft(
        cue=seg(asm, "CUE", "had warned"),
        source=seg(asm, "SRC", "officials"),
        contents=[seg(asm, "CON", "that the bridge was unsafe")],
    )
    asm.stop_at_speakers([outer, inner])
    assert [asm.doc[s.i : s.j].text for s in outer.contents] == [
        "officials had warned that the bridge was unsafe"
    ]


@pytest.mark.parametrize(
    ("text", "cue", "speaker"),
    [
        (
            "“The road is closed,” the mayor said, adding that repairs would take a month.",
            "adding",
            "the mayor",
        ),
        (
            "The minister defended the budget on Monday, saying it protected hospitals.",
            "saying",
            "The minister",
        ),
    ],
)
def test_a_participle_cue_speaks_for_the_subject_it_hangs_on(
    nlp, entities, text: str, cue: str, speaker: str
) -> None:  # type: ignore[no-untyped-def]
    asm = assembler(nlp, entities, text)
    src, unsure = asm._dep_source(seg(asm, "CUE", cue))
    assert not unsure and src is not None
    assert asm.doc[src.i : src.j].text == speaker


def test_a_one_word_unquoted_claim_is_left_out(nlp, entities) -> None:  # type: ignore[no-untyped-def]
    from newsgraph.stages.attributions.assemble import _too_short

    text = "The mayor criticised them. The mayor said “no”. The mayor said the road was closed."
    assert _too_short(text, [(text.index("them"), text.index("them") + 4)])
    quoted = text.index("“no”")
    assert not _too_short(text, [(quoted, quoted + 4)])
    claim = text.index("the road was closed")
    assert not _too_short(text, [(claim, claim + len("the road was closed"))])


def texts(asm: Assembler, drafts: list[Draft]) -> list[tuple[str, list[str]]]:
    """(cue, content pieces) of each draft."""
    out = []
    for d in drafts:
        cue = asm.doc[d.cue.i : d.cue.j].text if d.cue is not None else ""
        out.append((cue, [asm.doc[s.i : s.j].text for s in d.contents]))
    return out


def test_a_complement_is_taken_on_its_own_line_when_a_headline_runs_into_it(nlp, entities) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Floods force thousands from their homes\n"
        "Heavy rain flooded large parts of the province this week, forcing more than 40,000 people "
        "to leave their homes, local officials said on Friday.\n"
    )
    asm = assembler(nlp, entities, text)
    drafts = asm.drafts(
        [
            seg(asm, "CON", "more than 40,000 people to leave their homes", para=1),
            seg(asm, "SRC", "local officials", para=1),
            seg(asm, "CUE", "said", para=1),
        ]
    )
    [(cue, pieces)] = texts(asm, drafts)
    assert cue == "said"
    assert pieces == [
        "Heavy rain flooded large parts of the province this week, forcing more than 40,000 people "
        "to leave their homes"
    ]


def test_a_complement_ends_before_the_speakers_next_act(nlp, entities) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Maria Keller, a spokeswoman for the agency, confirmed that the talks had resumed "
        "but declined to give details.\n"
    )
    asm = assembler(nlp, entities, text)
    drafts = asm.drafts(
        [
            seg(asm, "SRC", "Maria Keller, a spokeswoman for the agency,"),
            seg(asm, "CUE", "confirmed"),
            seg(asm, "CON", "that the talks had resumed"),
            seg(asm, "CUE", "declined"),
            seg(asm, "CON", "to give details"),
        ]
    )
    found = dict(texts(asm, drafts))
    assert found["confirmed"] == ["that the talks had resumed"]


def test_a_participle_cue_of_the_same_speaker_is_not_nested_in_the_content(nlp, entities) -> None:  # type: ignore[no-untyped-def]
    text = (
        "The port authority on Tuesday denied that the terminal would close for two weeks, "
        "saying the repairs would be carried out at night.\n"
    )
    asm = assembler(nlp, entities, text)
    drafts = asm.drafts(
        [
            seg(asm, "SRC", "The port authority"),
            seg(asm, "CUE", "denied"),
            seg(asm, "CON", "that the terminal would close for two weeks"),
            seg(asm, "CUE", "saying"),
            seg(asm, "CON", "the repairs would be carried out at night"),
        ]
    )
    found = dict(texts(asm, drafts))
    assert found["denied"] == ["that the terminal would close for two weeks"]
    assert found.get("saying", ["the repairs would be carried out at night"]) == [
        "the repairs would be carried out at night"
    ]


def test_a_clause_of_its_own_after_a_parenthetical_cue_is_not_the_claim(nlp, entities) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Rebel forces shelled positions near the river on Monday, the defence ministry said, "
        "while the government accused them of breaking an earlier truce.\n"
    )
    asm = assembler(nlp, entities, text)
    drafts = asm.drafts(
        [
            seg(asm, "SRC", "the defence ministry"),
            seg(asm, "CUE", "said"),
            seg(asm, "CON", "while the government accused them of breaking an earlier truce"),
        ]
    )
    for _cue, pieces in texts(asm, drafts):
        assert not any("accused" in p for p in pieces)
        assert pieces == ["Rebel forces shelled positions near the river on Monday"]


@pytest.mark.parametrize(
    ("text", "cue", "claim", "kept"),
    [
        ("European leaders agree new sanctions after summit", "agree", "new sanctions", False),
        ("Both governments want a deal before the winter.", "want", "a deal before the winter", False),
        ("The ministry announced new sanctions on Monday.", "announced", "new sanctions", True),
        ("The minister confirmed the closure of the port.", "confirmed", "the closure of the port", True),
    ],
)
def test_a_noun_phrase_claim_needs_a_cue_whose_object_is_what_was_said(  # type: ignore[no-untyped-def]
    nlp, entities, text: str, cue: str, claim: str, kept: bool
) -> None:
    asm = assembler(nlp, entities, text)
    source = text.split(" " + cue)[0]
    drafts = asm.drafts([seg(asm, "SRC", source), seg(asm, "CUE", cue), seg(asm, "CON", claim)])
    assert bool(drafts) == kept


def test_a_modal_verb_introduces_no_nested_attribution(nlp, entities) -> None:  # type: ignore[no-untyped-def]
    asm = assembler(nlp, entities, "Ruritania will always defend its own interests.")
    assert asm._speech_clauses(0, len(asm.doc), 0, set()) == []
    asm = assembler(nlp, entities, "The minister defended the decision to close the port.")
    [draft] = asm._speech_clauses(0, len(asm.doc), 0, set())
    assert draft.cue is not None and asm.doc[draft.cue.i : draft.cue.j].text == "defended"


def test_a_role_word_before_a_name_makes_a_person(nlp, entities) -> None:  # type: ignore[no-untyped-def]
    text = "The festival will return next year, festival director Carmen Dobre said."
    asm = assembler(nlp, entities, text)
    src = asm.source(seg(asm, "SRC", "festival director Carmen Dobre"))
    assert src.type == "person"


def test_a_clause_the_parser_split_in_two_is_taken_whole(nlp, entities) -> None:  # type: ignore[no-untyped-def]
    text = "Radu told reporters that ships already booked would be sent to the smaller terminal.\n"
    asm = assembler(nlp, entities, text)
    pieces = asm._dep_content(seg(asm, "CUE", "told"), seg(asm, "SRC", "Radu"))
    assert [asm.doc[s.i : s.j].text for s in pieces] == [
        "that ships already booked would be sent to the smaller terminal"
    ]


@pytest.mark.parametrize(
    ("text", "piece", "claim"),
    [
        (
            "He quoted “Poor Valdora, so far from the sea.” Facing a long winter, the town waits.",
            "“Poor Valdora, so far from the sea.” Facing a long winter",
            "“Poor Valdora, so far from the sea.”",
        ),
        (
            "The mayor warned of retaliation. “Our goal is calm,” she said.",
            "retaliation. “Our goal is calm",
            "retaliation",
        ),
        (
            "He said taxes would rise by $78,000, while wages fell.",
            "taxes would rise by $78,000, while",
            "taxes would rise by $78,000",
        ),
        # A quotation of two sentences stays whole.
        ("“We will win. We will,” she said.", "“We will win. We will,”", "“We will win. We will,”"),
        # A nested quotation's end is not the claim's end.
        (
            "“He told me ‘never.’ Then he left,” she said.",
            "“He told me ‘never.’ Then he left,”",
            "“He told me ‘never.’ Then he left,”",
        ),
    ],
)
def test_a_claim_ends_where_its_quotation_does(text: str, piece: str, claim: str) -> None:
    from newsgraph.stages.attributions.assemble import _end_at_quotation_edge

    s = text.index(piece)
    got = _end_at_quotation_edge(text, s, s + len(piece))
    assert got is not None and text[got[0] : got[1]] == claim


def test_a_source_segment_without_a_noun_or_pronoun_is_no_source(nlp, entities) -> None:  # type: ignore[no-untyped-def]
    # The tagger now and then marks a verb or a conjunction as the source ("said", "and");
    # such a segment is dropped so that the cue verb's subject is taken instead.
    asm = assembler(nlp, entities, "Police said and officials confirmed that the road was closed.")
    assert not asm._nominal(seg(asm, "SRC", "said"))
    assert not asm._nominal(seg(asm, "SRC", "and"))
    assert asm._nominal(seg(asm, "SRC", "Police"))
    assert asm._nominal(seg(asm, "SRC", "officials"))
