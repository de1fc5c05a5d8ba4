"""Gold floor: ``eval places`` on GeoWebNews dev must stay at or above the scores reached."""

from __future__ import annotations

import pytest
from conftest import shared_path

from newsgraph.evaluation.places import evaluate, render

pytestmark = [pytest.mark.gold, pytest.mark.slow]


def test_places_gold_floor() -> None:
    data = shared_path("geo", "GeoWebNews-dev.xml")
    report = evaluate(str(data))
    assert render(report)
    # Measured: 0.858 as the stage resolves (focus fallback on), 0.804 gazetteer only,
    # end-to-end overlap F1 0.79.
    assert report["names_given"]["acc_161"] >= 0.84
    assert report["names_given_gazetteer_only"]["acc_161"] >= 0.78
    e2e = report["end_to_end"]
    assert e2e["recognition_overlap"]["f1"] >= 0.76
    assert e2e["recognition_exact"]["f1"] >= 0.73
    assert e2e["resolution_on_matched"]["acc_161"] >= 0.86
