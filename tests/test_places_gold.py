"""Gold floor: ``eval places`` on the REPORT part of GeoWebNews dev (34 articles) stays above the floors."""

from __future__ import annotations

import pytest
from conftest import shared_path

from newsgraph.evaluation.places import evaluate, render

pytestmark = [pytest.mark.gold, pytest.mark.slow]


def test_places_gold_floor() -> None:
    data = shared_path("geo", "GeoWebNews-dev.xml")
    report = evaluate(str(data), part="report")
    assert render(report)
    assert report["articles"] == 34
    # Report part, default profile (docs/evaluation.md), measured 2026-11-28 after the fourth
    # issue-7 round: names given 0.879 (focus fallback on), 0.795 gazetteer only; end to end
    # overlap F1 0.802, exact F1 0.786, resolution of matched names 0.949. Floors sit a little
    # below.
    assert report["names_given"]["acc_161"] >= 0.87
    assert report["names_given_gazetteer_only"]["acc_161"] >= 0.785
    e2e = report["end_to_end"]
    assert e2e["recognition_overlap"]["f1"] >= 0.785
    assert e2e["recognition_exact"]["f1"] >= 0.77
    assert e2e["resolution_on_matched"]["acc_161"] >= 0.935
