"""Gold floor: ``eval times`` on the TempEval-3 training data (TimeBank + AQUAINT, 256 documents)."""

from __future__ import annotations

import pytest
from conftest import shared_path


@pytest.mark.gold
@pytest.mark.slow
def test_times_gold_floor(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from newsgraph.evaluation.times import evaluate, render

    data = shared_path("time")
    report = evaluate(str(data))
    print(render(report))
    assert report["documents"] == 256
    # Pinned a little below what was measured (value F1 0.773, relaxed F1 0.924, strict 0.847).
    assert report["value_f1"] >= 0.75
    assert report["relaxed"]["f1"] >= 0.90
    assert report["strict"]["f1"] >= 0.82
    assert report["type_accuracy"] >= 0.93
