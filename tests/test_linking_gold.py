"""Scores of ``eval linking``: the coreference metrics on hand-made clusters, and the NP4E floor."""

from __future__ import annotations

import pytest
from conftest import shared_path

from newsgraph.evaluation.coreference import b_cubed, ceaf_e, conll, muc


def test_metrics_on_a_chain_split_in_two() -> None:
    gold = {"a": 1, "b": 1, "c": 1, "d": 1, "e": 2}
    resp = {"a": "x", "b": "x", "c": "y", "d": "y", "e": "z"}
    assert muc(gold, resp) == {"precision": 1.0, "recall": 0.6667, "f1": 0.8}
    assert b_cubed(gold, resp)["precision"] == 1.0
    assert b_cubed(gold, resp)["recall"] == round((4 * 0.5 + 1) / 5, 4)
    # phi4: chain 1 with x = 2*2/6; chain 2 with z = 1; y left over
    ceaf = ceaf_e(gold, resp)
    assert ceaf["recall"] == round((4 / 6 + 1) / 2, 4)
    assert ceaf["precision"] == round((4 / 6 + 1) / 3, 4)
    assert conll(gold, gold)["conll_f1"] == 1.0


def test_everything_in_one_cluster_has_full_muc_recall_and_poor_b3_precision() -> None:
    gold = {i: i % 3 for i in range(9)}
    resp = dict.fromkeys(range(9), "all")
    assert muc(gold, resp)["recall"] == 1.0
    assert b_cubed(gold, resp)["precision"] == round(1 / 3, 4)


@pytest.mark.gold
@pytest.mark.slow
def test_np4e_report_part_floor() -> None:
    from newsgraph.evaluation.linking import evaluate, render

    data = shared_path("linking", "np4e.jsonl")
    report = evaluate(str(data), part="report")
    assert render(report)
    # Measured on the report part: see docs/linking.md.
    assert report["conll_f1"] >= 0.66
    assert report["muc"]["f1"] >= 0.8
