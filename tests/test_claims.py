"""Claims across articles: copies, wire credits, relays, grouping and independent origins."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsgraph.corpus.claims import ClaimIndex, MemoryClaimState, numbers, relation, terms
from newsgraph.corpus.origins import (
    CopyFinder,
    MemoryCopyState,
    containment,
    fingerprint,
    is_copy,
    outlet_key,
    wire_credit,
)
from newsgraph.corpus.stance import Passage, relate

WIRE = (
    "Engineers at the Tarbela dam began releasing water from the spillways on Thursday after days of "
    "heavy rain raised the reservoir to its highest level in a decade, the water authority said. "
    "Villages downstream along the Indus were told to move livestock to higher ground, and the "
    "district administration opened twelve relief camps in schools and mosques. The authority said "
    "the release would continue for at least three days and that the dam itself was not at risk. "
    "Farmers in the valley said their wheat had already been sown and feared the fields would flood."
)


def test_wire_credits_from_datelines_bylines_and_trailers() -> None:
    assert wire_credit("MOSCOW, Dec 12 (Reuters) - The Kremlin said on Thursday...") == "Reuters"
    assert wire_credit("WASHINGTON (AP) — Lawmakers voted on Tuesday...") == "AP"
    assert wire_credit("The summit ended without a deal.\n\n— AFP") == "AFP"
    assert wire_credit("The summit ended without a deal, Reuters reported on Friday.") is None
    assert outlet_key("Bloomberg News") == outlet_key("Bloomberg") == "bloomberg"
    assert outlet_key("The Associated Press") == "ap"


def test_trimmed_and_extended_copies_match_but_other_stories_do_not() -> None:
    original = fingerprint(WIRE)
    trimmed = fingerprint(WIRE.rsplit(".", 2)[0] + ".")
    extended = fingerprint(
        "Dam opens spillways\n" + WIRE + " Local shopkeepers in Thakot said the bazaar had closed early "
        "and that families were loading their belongings onto tractors before nightfall."
    )
    other = fingerprint(
        "The city council voted on Thursday to extend the tram line to the airport, a project first "
        "proposed a decade ago, after a debate that lasted most of the night. Supporters said the line "
        "would cut traffic on the ring road; opponents said the cost had doubled since the last estimate "
        "and that the money should go to buses in the outer districts where most commuters live."
    )
    assert containment(original, trimmed) > 0.8 and is_copy(original, trimmed)
    assert is_copy(original, extended)
    assert not is_copy(original, other)


def test_copy_clusters_take_the_earliest_article_as_their_root() -> None:
    finder = CopyFinder(MemoryCopyState())
    assert finder.add("late", WIRE, "2025-03-19") == ("late", [])
    assert finder.add("early", "Headline\n" + WIRE, "2025-03-17") == ("early", ["late"])
    assert finder.state.cluster("late") == "early"
    assert finder.add("unrelated", "A short note.", "2025-03-16") == ("unrelated", [])


def test_numbers_and_terms() -> None:
    assert numbers("twelve relief camps and 3,000 people") == {"12", "3000"}
    assert "tarbela" in terms("Engineers at the Tarbela dam began releasing water")


def test_relation_of_a_claim_to_its_group() -> None:
    from newsgraph.corpus.claims import Claim

    anchor = Claim("a1", "attribution", "A1", "the terminal will close for two weeks", 0, 10)
    denial = Claim("a2", "attribution", "A3", "the terminal would close for two weeks", 0, 10, hedge="denied")
    rumour = Claim("a3", "attribution", "A2", "the terminal will close for repairs", 0, 10, hedge="reported")
    other_number = Claim("a4", "attribution", "A1", "the terminal will close for 3 weeks", 0, 10)
    anchor_with_number = Claim("a5", "attribution", "A1", "the terminal will close for 2 weeks", 0, 10)
    assert relation(denial, anchor, 0.9)[0] == "contradicts"
    assert relation(rumour, anchor, 0.9)[0] == "discusses"
    assert relation(other_number, anchor_with_number, 0.9)[0] == "contradicts"
    assert relation(anchor_with_number, anchor_with_number, 0.99)[0] == "same"


@pytest.mark.slow
def test_stance_tells_denial_from_support_and_from_another_story() -> None:
    claim = "Romania will close the Constanta grain terminal for two weeks"
    denial = Passage(
        "The Constanta port authority denied reports that the grain terminal would close for two weeks. "
        "Director Mihai Stan called the reports false and said loading would continue as normal."
    )
    other = Passage(
        "More than four thousand people visited the old town of Sibiu over the weekend for the city's "
        "annual chess festival, the organisers said on Sunday."
    )
    assert relate(claim, denial).stance == "disagree"
    assert relate(claim, other).stance == "unrelated"


@pytest.mark.slow
def test_relatedness_reads_missing_names_and_the_passage_topic() -> None:
    """A neighbouring story with the same setting: the claim's name is missing, its topic differs."""
    from newsgraph.corpus.stance import features

    claim = "Video shows beheading of Steven Sotloff"
    same = Passage(
        "A new video appears to show the beheading of the American journalist Steven Sotloff. "
        "Sotloff was kidnapped in Syria in 2013; the video of his beheading was posted on Tuesday."
    )
    neighbour = Passage(
        "The parents of James Foley said officials had warned them against paying a ransom. "
        "Foley's mother said the family felt abandoned by the government during his captivity in Syria."
    )
    on, off = features(claim, same), features(claim, neighbour)
    assert on["missing_name"] == 0.0 and off["missing_name"] > 0.3
    assert on["topic_soft"] > off["topic_soft"] and on["topic_cos"] > off["topic_cos"]
    assert features(claim, Passage(""))["topic_soft"] == 0.0


def _sample_corpus(newsgraph: Any) -> ClaimIndex:
    samples = resources.files("newsgraph").joinpath("samples")
    index = ClaimIndex(MemoryClaimState(), MemoryCopyState())
    for entry in json.loads(samples.joinpath("claims.json").read_text("utf-8")):
        article = newsgraph.analyze_text(
            samples.joinpath(entry["file"]).read_text("utf-8"),
            input=entry["file"],
            title=entry["title"],
            published=entry["published"],
            outlet=entry["outlet"],
        )
        index.add(entry["file"], article)
    return index


@pytest.mark.slow
def test_one_wire_story_republished_three_times_is_one_origin(newsgraph: Any) -> None:
    """Wire story + 3 republished copies + 1 independent report + 1 denial + 1 unrelated story."""
    index = _sample_corpus(newsgraph)
    groups = {c.group for c in index.claims.claims if c.text.startswith("Romania will close the main grain")}
    assert len(groups) == 1
    summary = index.summary(groups.pop() or "")
    carried_by = {c.article_id for c in summary.claims}
    assert {
        "terminal-wire.txt",
        "terminal-copy-herald.txt",
        "terminal-copy-gazette.txt",
        "terminal-copy-daily.txt",
        "terminal-minister.txt",
        "terminal-denial.txt",
    } <= carried_by
    assert "chess-festival.txt" not in carried_by
    assert summary.origins == 2, summary.origin_ids
    assert set(summary.origin_ids) == {"outlet:reuters", "article:terminal-minister.txt"}
    assert [c.article_id for c in summary.contradictions] == ["terminal-denial.txt"]
    assert summary.origin_dates["outlet:reuters"] == "2025-03-17"
    # The copy without a dateline is in the wire story's copy cluster; the independent report is not.
    assert index.copies.cluster("terminal-copy-daily.txt") == index.copies.cluster("terminal-wire.txt")
    assert index.copies.cluster("terminal-minister.txt") == "terminal-minister.txt"
    as_json = summary.to_dict()
    assert {"id", "claims", "articles", "origins", "origin_ids", "contradictions"} <= set(as_json)
    assert all({"article", "text", "source", "source_type", "hedge", "outlet", "published"} <= set(c)
               for c in as_json["claims"])  # fmt: skip


# --- order independence of grouping --------------------------------------------------------

_GROUPING_CORPUS = [
    # (article, ref, published, hedge, text)
    (
        "wire",
        "a1",
        "2025-03-17",
        "none",
        "Romania will close the main grain terminal at Constanta for two weeks",
    ),
    (
        "copy",
        "a1",
        "2025-03-18",
        "none",
        "Romania will close the main grain terminal at Constanta for two weeks",
    ),
    (
        "copy",
        "a2",
        "2025-03-18",
        "none",
        "The closure would halt about a fifth of the grain exports of Romania",
    ),
    (
        "wire",
        "a2",
        "2025-03-17",
        "none",
        "The closure would halt about a fifth of the grain exports of Romania",
    ),
    (
        "minister",
        "a1",
        "2025-03-18",
        "none",
        "The port of Constanta will close its main grain terminal for two weeks",
    ),
    (
        "denial",
        "a1",
        "2025-03-16",
        "denied",
        "that the main grain terminal at Constanta would close for two weeks",
    ),
    (
        "rumour",
        "a1",
        "2025-03-19",
        "reported",
        "the main grain terminal at Constanta may close for three weeks",
    ),
    # Matches a claim of each group above, so it merges them, whichever came first.
    (
        "bridge",
        "a1",
        "2025-03-20",
        "none",
        "Romania will close the main grain terminal at Constanta, halting a fifth of the grain exports",
    ),
    ("chess", "a1", "2025-03-16", "none", "A record crowd of players came to the chess festival in Sibiu"),
    ("chess-copy", "a1", None, "none", "A record crowd of players came to the chess festival in Sibiu"),
]


def _fed(order: list[int]) -> tuple[Any, Any]:
    """A grouper on an in-memory state, fed the grouping corpus's claims in this order."""
    from newsgraph.corpus.claims import Claim, ClaimGrouper

    state = MemoryClaimState()
    grouper = ClaimGrouper(state)
    for i in order:
        article, ref, published, hedge, text = _GROUPING_CORPUS[i]
        claim = Claim(article, "attribution", ref, text, 0, len(text), hedge=hedge, published=published)
        claim.terms = terms(text)
        grouper.add([claim])
    return state, grouper


def _grouped(order: list[int]) -> tuple[frozenset[frozenset[tuple[str, str]]], dict[tuple[str, str], str]]:
    state, _ = _fed(order)
    by_group: dict[str, set[tuple[str, str]]] = {}
    for c in state.claims:
        by_group.setdefault(c.group or "", set()).add((c.article_id, c.ref))
    partition = frozenset(frozenset(members) for members in by_group.values())
    return partition, {(c.article_id, c.ref): f"{c.relation}: {c.relation_reason}" for c in state.claims}


def test_grouping_merges_groups_a_claim_bridges_and_anchors_on_the_earliest_assertion() -> None:
    partition, relations = _grouped(list(range(len(_GROUPING_CORPUS))))
    group_of = {member: group for group in partition for member in group}
    assert group_of[("wire", "a1")] == group_of[("copy", "a1")] == group_of[("minister", "a1")]
    assert group_of[("denial", "a1")] == group_of[("wire", "a1")] == group_of[("bridge", "a1")]
    assert group_of[("wire", "a2")] == group_of[("wire", "a1")]
    assert group_of[("chess", "a1")] == {("chess", "a1"), ("chess-copy", "a1")}
    # The denial was published first, but an assertion anchors the group: the denial contradicts it.
    assert relations[("wire", "a1")].startswith("first")
    assert relations[("denial", "a1")].startswith("contradicts")
    assert relations[("copy", "a1")].startswith("same")


@settings(max_examples=40, deadline=None)
@given(st.permutations(list(range(len(_GROUPING_CORPUS)))))
def test_the_same_groups_and_relations_whatever_order_claims_arrive_in(order: list[int]) -> None:
    assert _grouped(order) == _grouped(list(range(len(_GROUPING_CORPUS))))


@settings(max_examples=25, deadline=None)
@given(st.permutations(list(range(len(_GROUPING_CORPUS)))))
def test_merging_relates_claims_as_relating_the_whole_group_again_would(order: list[int]) -> None:
    # A merge that keeps the oldest group's anchor relates only the merged claims
    # (ClaimGrouper._merge_keeping_anchor): relating every group again changes nothing.
    state, grouper = _fed(order)
    before = [(c.group, c.relation, c.relation_reason) for c in state.claims]
    anchors = dict(state.anchors)
    for group in list(state.by_group):
        grouper.relate_group(group)
    assert [(c.group, c.relation, c.relation_reason) for c in state.claims] == before
    assert {g: state.claims[i].key() for g, i in state.anchors.items()} == {
        g: state.claims[i].key() for g, i in anchors.items()
    }
