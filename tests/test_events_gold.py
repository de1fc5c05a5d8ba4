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
    # Report part, default profile (docs/evaluation.md): measured 0.653 / 0.884 / 0.547 on
    # 2026-11-27 after the participant rules (coverage fell from 0.916 on purpose: figurative
    # and agentless "events" are no longer emitted); floors sit a little below.
    assert report["accuracy"] >= 0.63
    assert report["coverage"] >= 0.86
    assert report["actor_accuracy"] >= 0.52
    # Participants of top events with the right category: precision measured 0.880 (actor)
    # and 0.588 (target), from 0.830 and 0.435 before those rules; target 0.622 (accuracy 0.411)
    # after the named party behind an object became the target (2026-11-28); 0.651 (accuracy
    # 0.500) after target round 2 (docs/events.md, 2026-11-28 09:05 UTC).
    assert report["actor"]["precision"] >= 0.85
    assert report["target"]["precision"] >= 0.63
    assert report["target"]["accuracy"] >= 0.48
    assert "category accuracy" in render(report)
