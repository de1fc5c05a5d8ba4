"""Gold floor: ``eval times`` on the REPORT part of the TempEval-3 training data (77 of 256 documents)."""

from __future__ import annotations

import pytest
from conftest import shared_path


@pytest.mark.gold
@pytest.mark.slow
def test_times_gold_floor(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from newsgraph.evaluation.times import evaluate, render

    data = shared_path("time")
    report = evaluate(str(data), part="report")
    print(render(report))
    assert report["documents"] == 77
    # Report part, default profile (docs/evaluation.md), measured 2026-11-28 after the fourth
    # issue-7 round: value F1 0.748, relaxed F1 0.935, strict 0.846, type accuracy 0.947.
    # Pinned a little below.
    assert report["value_f1"] >= 0.74
    assert report["relaxed"]["f1"] >= 0.92
    assert report["strict"]["f1"] >= 0.83
    assert report["type_accuracy"] >= 0.935
