"""Fuzzing: hostile batches through the ingest layer and ``analyze``; no traceback, nothing good lost.

Each generated batch holds at least ``BATCH`` hostile inputs (random bytes, random Unicode,
truncated gzip, broken HTML, huge lines, malformed JSON Lines, under random suffixes)
and one good article at a random place. Every failure must be a coded problem naming
its input, and the good article must come out whole. With the default example counts
the ingest layer and ``analyze`` each see more than 2,000 generated inputs;
``NEWSGRAPH_FUZZ_EXAMPLES=N`` raises the count of batches for a longer run (docs/cli.md).
"""

from __future__ import annotations

import gzip
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsgraph.cli import cli
from newsgraph.ingest import Limits, iter_inputs
from newsgraph.model import Article, Problem

#: Hostile inputs per generated batch (plus one good article).
BATCH = 5
EXAMPLES = int(os.environ.get("NEWSGRAPH_FUZZ_EXAMPLES", "410"))
LIMITS = Limits(max_chars=20_000)
CODE = re.compile(r"E0\d\d")
STORY = (
    "Officials in Lagos said on Monday that the new bridge would open next year.\n"
    "“It is finished,” the engineer told reporters, adding that the tests were done.\n"
)
PAGE = (
    "<!doctype html><html><body><article><h1>Bridge opens</h1><p>Officials in Lagos said on Monday that"
    " the new bridge across the lagoon would open to traffic next year.</p></article></body></html>"
)
RECORDS = json.dumps({"id": 7, "text": STORY}) + "\n" + json.dumps({"html": PAGE}) + "\n"
SUFFIXES = [".txt", ".md", ".html", ".htm", ".jsonl", ".ndjson", ".txt.gz", ".html.gz", ".jsonl.gz", ".dat"]
TAGS = [
    "<div>", "</div>", "<p>", "</p>", "<html>", '<html lang="', "<body>", "<script>", "</script>", "<!--",
    "-->", "<", ">", "&amp;", "&#xD800;", "&#0;", "<h1>", "<article>", "<br/>", "<![CDATA[", "\x00", "\n",
]  # fmt: skip

#: What a huge line is made of (up to 30,000 characters, over the 20,000 limit of these runs).
LINE_UNITS = ["x", " ", "a b ", "{", '"', "é", "\n", "<div>", "\u200b"]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
json_records = st.fixed_dictionaries(
    {},
    optional={
        "text": st.one_of(st.text(max_size=300), st.integers(), st.just(STORY)),
        "html": st.one_of(st.text(max_size=300), st.just(PAGE)),
        "id": st.one_of(
            st.integers(), st.text(max_size=10), st.none(), st.booleans(), st.lists(st.integers())
        ),
        "published": st.one_of(st.text(max_size=20), st.just("2024-W50"), st.just("2024-12-12")),
        "title": json_values,
        "language": st.one_of(st.text(max_size=5), st.integers()),
    },
)
jsonl_lines = st.one_of(
    json_records.map(json.dumps),
    json_values.map(json.dumps),
    st.text(max_size=80),
    st.just('{"text": "unterminated'),
    st.just("[" * 5000),
    st.just('{"text": "' + "\\ud800" * 10 + ' said the minister on Monday"}'),
)
hostile = st.one_of(
    st.binary(max_size=3000),
    st.text(max_size=3000).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.tuples(st.sampled_from([STORY, PAGE, RECORDS]), st.floats(0, 1)).map(
        lambda p: gzip.compress(p[0].encode())[: int(len(gzip.compress(p[0].encode())) * p[1])]
    ),
    st.lists(st.one_of(st.sampled_from(TAGS), st.text(max_size=40)), max_size=80).map(
        lambda parts: "".join(parts).encode("utf-8", "surrogatepass")
    ),
    st.tuples(
        st.sampled_from(["x", " ", "a b ", "{", '"', "é", "\n", "<div>", "\u200b"]), st.integers(1, 30_000)
    ).map(lambda p: (p[0] * (p[1] // len(p[0]) + 1)).encode()),
    st.lists(jsonl_lines, max_size=12).map(lambda lines: "\n".join(lines).encode("utf-8", "surrogatepass")),
)
batches = st.tuples(
    st.lists(st.tuples(hostile, st.sampled_from(SUFFIXES)), min_size=BATCH, max_size=BATCH + 2),
    st.integers(0, BATCH + 2),
    st.sampled_from([(".txt", STORY), (".html", PAGE)]),
)


def write_batch(folder: Path, batch: Any) -> tuple[list[str], str]:
    """The batch as files (the good one among them); returns the paths and the good one's."""
    hostile_inputs, place, (suffix, good_body) = batch
    paths = []
    for n, (data, kind) in enumerate(hostile_inputs):
        path = folder / f"in{n:02d}{kind}"
        if kind.endswith(".gz") and data[:2] != b"\x1f\x8b" and n % 2:
            data = gzip.compress(data)  # half of them well-formed gzip around hostile content
        path.write_bytes(data)
        paths.append(str(path))
    good = folder / f"good{suffix}"
    good.write_text(good_body, encoding="utf-8")
    paths.insert(min(place, len(paths)), str(good))
    return paths, str(good)


def check_problem(problem: Problem, paths: list[str]) -> None:
    assert CODE.fullmatch(problem.code), problem
    assert any(problem.input.startswith(p) for p in paths), problem
    assert problem.input in problem.message or problem.input.split(":")[0] in problem.message


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(batches)
def test_fuzz_ingest_layer(batch: Any) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        paths, good = write_batch(Path(tmp), batch)
        results = list(iter_inputs(paths, limits=LIMITS))
        for item in results:
            if isinstance(item, Problem):
                check_problem(item, paths)
            else:
                assert isinstance(item, Article) and item.text.strip()
                assert any(item.input.startswith(p) for p in paths)
                json.dumps(item.to_dict(), ensure_ascii=False).encode("utf-8")
        found = [r for r in results if isinstance(r, Article) and r.input == good]
        assert len(found) == 1 and "Officials in Lagos" in found[0].text


@pytest.fixture(scope="module")
def config() -> Any:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "small.toml"
        path.write_text(f"[ingest]\nmax_chars = {LIMITS.max_chars}\n")
        yield str(path)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(batches)
def test_fuzz_analyze_command(config: str, batch: Any) -> None:
    """The real command, with the clean stage (the parse-free path), over the batch."""
    with tempfile.TemporaryDirectory() as tmp:
        paths, good = write_batch(Path(tmp), batch)
        result = CliRunner().invoke(
            cli, ["analyze", *paths, "--stages", "clean", "--format", "jsonl", "--config", config]
        )
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        assert result.exit_code in (0, 1) and "Traceback" not in result.stderr
        written = [json.loads(line)["input"] for line in result.stdout.splitlines()]
        assert good in written
        for line in result.stderr.splitlines():
            if line.startswith("error: "):
                assert CODE.search(line) and any(p in line for p in paths), line


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(batches)
def test_fuzz_full_pipeline(newsgraph: Any, batch: Any) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        paths, good = write_batch(Path(tmp), batch)
        results = list(newsgraph.analyze_paths(paths))
        for item in results:
            if isinstance(item, Problem):
                check_problem(item, paths)
                assert item.code != "E016", item  # no stage may fail unexpectedly
        assert any(isinstance(r, Article) and r.input == good for r in results)
