"""The parallel runner (newsgraph.core.workers) with a stand-in runner: no models loaded."""

from __future__ import annotations

import time
from pathlib import Path

from newsgraph.core.workers import Workers
from newsgraph.model import Problem


class MarkingRunner:
    """Returns each item unchanged and leaves a file per chunk it starts, named by its first item."""

    batch_size = 4

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def analyze_chunk(self, chunk: list) -> list:  # type: ignore[type-arg]
        (self.folder / chunk[0].input).touch()
        return chunk


def items(n: int) -> list[Problem]:
    return [Problem(input=f"item-{i:03d}", code="E000", message="") for i in range(n)]


def test_results_come_in_input_order_whatever_the_process_count(tmp_path: Path) -> None:
    for processes in (1, 2, 3):
        out = list(Workers(MarkingRunner(tmp_path), processes, chunk_size=3).run(items(20)))
        assert [p.input for p in out] == [p.input for p in items(20)]


def test_a_worker_has_its_next_chunk_while_the_consumer_handles_results(tmp_path: Path) -> None:
    """The consumer (add's writer) is slow: the worker must not wait for it to finish.

    When the first chunk's results reach the consumer, the (only) worker has already been
    given the second chunk; the consumer sees it started without returning control to the
    runner. A runner that handed out work only between results would never start it here.
    """
    run = Workers(MarkingRunner(tmp_path), processes=1, chunk_size=2).run(items(6))
    first = next(run)
    assert first.input == "item-000"
    second_chunk = tmp_path / "item-002"
    deadline = time.monotonic() + 30
    while not second_chunk.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert second_chunk.exists(), "the worker sat idle while the consumer held the first results"
    assert [p.input for p in [first, *run]] == [p.input for p in items(6)]
