"""The PolNeAR attribution evaluation: BRAT reading, span normalisation, scoring, and the gold floor."""

from __future__ import annotations

import pytest
from conftest import shared_path

from newsgraph.evaluation.attribution import GoldAttribution, normalise, read_brat, render, score
from newsgraph.model import Attribution, Source, Span

ANN = (
    "T1\tSource 0 9\tThe mayor\n"
    "T2\tCue 10 14\tsaid\n"
    "T3\tContent 15 30;40 52\tthe road would ... close soon\n"
    "T4\tAttribution 10 14\tsaid\n"
    "E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1\n"
    "T5\tCue 60 72\taccording to\n"
    "T6\tContent 73 80\tsomething\n"
    "a stray continuation line of a multi-line span text\n"
    "E2\tAttribution:T5 Cue:T5 Content:T6\n"
    "#1\tAnnotatorNotes T1\ta note\n"
)


def test_read_brat_ties_roles_and_keeps_discontiguous_segments() -> None:
    gold = read_brat(ANN)
    assert len(gold) == 2
    assert gold[0].source == [(0, 9)]
    assert gold[0].cue == [(10, 14)]
    assert gold[0].content == [(15, 30), (40, 52)]
    assert gold[1].source == []  # a source may be absent


def test_normalise_strips_quotes_space_and_final_punctuation() -> None:
    text = "  “We will win.”  "
    start, end = normalise(text, 0, len(text)) or (0, 0)
    assert text[start:end] == "We will win"
    assert normalise("“”", 0, 2) is None


def _att(
    text: str, source: tuple[int, int] | None, cue: tuple[int, int], content: tuple[int, int]
) -> Attribution:
    src = (
        Source(type="person", text=text[source[0] : source[1]], start=source[0], end=source[1])
        if source
        else Source(type="unattributed")
    )
    return Attribution(
        id="A1",
        kind="indirect",
        source=src,
        cue=Span(cue[0], cue[1], text[cue[0] : cue[1]]),
        content=Span(content[0], content[1], text[content[0] : content[1]]),
    )


def test_score_exact_and_relation_levels() -> None:
    text = "Anna Weber said the dam held. Officials said “it rained.”"
    gold = [
        GoldAttribution(source=[(0, 10)], cue=[(11, 15)], content=[(16, 28)]),
        GoldAttribution(source=[(30, 39)], cue=[(40, 44)], content=[(45, 57)]),
    ]
    pred = [
        _att(text, (0, 10), (11, 15), (16, 29)),  # final "." is stripped: exact match
        _att(text, (30, 39), (40, 44), (45, 53)),  # content too short for exact, Dice >= 0.5
    ]
    report = score([(text, gold, pred)])
    assert report["role_span_exact"]["source"]["f1"] == 1.0
    assert report["role_span_exact"]["cue"]["f1"] == 1.0
    assert report["role_span_exact"]["content"]["tp"] == 1
    assert report["relation"]["f1"] == 1.0
    assert report["who_said_what"]["f1"] == 1.0
    assert "content" in render(report)


@pytest.mark.gold
@pytest.mark.slow
def test_polnear_dev_floor() -> None:
    """Role-span exact F1 on the REPORT part of PolNeAR dev (17 articles) stays above the pinned floor."""
    from newsgraph.evaluation.attribution import evaluate

    data = shared_path("polnear", "dev")
    report = evaluate(str(data), part="report")
    spans = report["role_span_exact"]
    assert report["articles"] == 17
    assert spans["source"]["f1"] >= FLOOR["source"]
    assert spans["cue"]["f1"] >= FLOOR["cue"]
    assert spans["content"]["f1"] >= FLOOR["content"]
    assert report["relation"]["f1"] >= FLOOR["relation"]
    assert report["who_said_what"]["f1"] >= FLOOR["who_said_what"]


# Pinned slightly below the REPORT-part scores of the default profile (docs/evaluation.md).
# Measured 2026-11-28 00:40 (report part): source 0.716, cue 0.650, content 0.580, relation 0.738,
# who-said-what 0.659.
FLOOR = {"source": 0.705, "cue": 0.635, "content": 0.57, "relation": 0.725, "who_said_what": 0.648}
