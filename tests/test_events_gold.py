"""Gold floor for ``eval events`` on the REPORT part of the PLOVER gold-standard records (95 sentences)."""

from __future__ import annotations

import pytest
from conftest import shared_path

pytestmark = [pytest.mark.gold, pytest.mark.slow]


def test_events_gold_floor() -> None:
    from newsgraph.evaluation.events import evaluate, render

    path = shared_path("plover", "gold_standard_records", "PLOVER_GSR_CAMEO.txt")
    report = evaluate(str(path), part="report")
    assert report["sentences"] == 95
    # Report part, default profile (docs/evaluation.md): measured 0.653 / 0.916 / 0.558 on
    # 2026-11-27; floors sit a little below.
    assert report["accuracy"] >= 0.63
    assert report["coverage"] >= 0.89
    assert report["actor_accuracy"] >= 0.53
    assert "category accuracy" in render(report)
