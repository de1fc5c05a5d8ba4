"""Long articles: parsed in pieces up to the limit, offsets kept, the batch around them written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from conftest import assert_stand_off

from newsgraph.stages.parse import ParseStage, split_pieces

CLI = [sys.executable, "-c", "from newsgraph.cli import main; main()"]
CITIES = ["Nairobi", "Accra", "Lima", "Quito", "Hanoi", "Oslo", "Riga", "Karachi", "Lagos", "Dhaka"]


def news(chars: int) -> str:
    """Varied news paragraphs (quotes, sources, places, dates) up to ``chars`` characters."""
    paragraphs = []
    n = 0
    while sum(len(p) + 2 for p in paragraphs) < chars:
        city = CITIES[n % len(CITIES)]
        paragraphs.append(
            f"Officials in {city} said on Monday that the new bridge would open next year, according to a"
            f" statement from the ministry. “It is finished,” the engineer, Amina Diallo, told reporters in"
            f" {city}. Protesters gathered outside parliament on Tuesday, and police arrested {n % 40 + 2}"
            " people, the mayor said."
        )
        n += 1
    return "\n\n".join(paragraphs)[:chars]


def test_pieces_join_to_the_text_and_cut_at_breaks() -> None:
    text = news(30_000) + " " + "x" * 9_000 + "tail"
    pieces = split_pieces(text, 4_000)
    assert "".join(pieces) == text
    assert all(len(p) <= 4_000 for p in pieces)
    assert all(p.endswith("\n\n") for p in pieces[:5])
    assert any(len(p) == 4_000 for p in pieces)  # the run without spaces is cut where it must be


@pytest.mark.slow
def test_a_parse_in_pieces_is_one_doc_over_the_whole_text() -> None:
    stage = ParseStage(piece_chars=2_000)
    text = news(9_000)
    doc = stage.parse(text)
    assert doc.text == text
    assert all(text[t.idx : t.idx + len(t)] == t.text for t in doc)
    assert all(text[e.start_char : e.end_char] == e.text for e in doc.ents)
    assert sum(1 for s in doc.sents) >= 9_000 // 400


@pytest.mark.slow
def test_a_one_and_a_half_million_character_article_between_normal_ones(tmp_path: Path) -> None:
    first, last = tmp_path / "a-first.txt", tmp_path / "c-last.txt"
    first.write_text(news(600))
    last.write_text(news(900))
    long = tmp_path / "b-long.txt"
    text = news(1_500_000)
    long.write_text(text)
    run = subprocess.run(
        [*CLI, "analyze", str(first), str(long), str(last), "-q", "--format", "jsonl"],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    written = [json.loads(line) for line in run.stdout.splitlines()]
    assert [a["input"] for a in written] == [str(first), str(long), str(last)]
    article: dict[str, Any] = written[1]
    assert article["text"] == text
    removed = [(r["start"], r["end"]) for r in article["removed"]]
    assert_stand_off(
        SimpleNamespace(
            to_dict=lambda: article,
            in_removed=lambda start, end: any(s < end and start < e for s, e in removed),
        )
    )
    # Facts from the end of the text: the pieces after the first were analysed too.
    assert max(m["start"] for e in article["entities"] for m in e["mentions"]) > 1_400_000
    assert max(a["cue"]["start"] for a in article["attributions"]) > 1_400_000
