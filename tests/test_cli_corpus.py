"""The corpus commands, run in-process through click's runner on a real SQLite store."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_corpus_add import samples

from newsgraph.cli import cli

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    tmp = tmp_path_factory.mktemp("cli-corpus")
    db = str(tmp / "corpus.db")
    source = samples(tmp)
    (tmp / "empty.txt").write_text("")
    result = CliRunner().invoke(cli, ["add", "--db", db, str(source), str(tmp / "empty.txt")])
    assert result.exit_code == 1, result.output  # one input failed
    assert "added 3, reprocessed 0, already present 0, failed 1" in result.stderr
    return db


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_stats_json_has_the_documented_keys(store: str) -> None:
    numbers = json.loads(run("stats", "--db", store, "--json"))
    assert {"articles", "attributions", "entities", "events", "problems"} <= set(numbers)
    assert numbers["articles"] == 3 and numbers["problems"] == 1
    assert "attributions" in run("stats", "--db", store)


def test_quotes_as_table_json_and_csv_with_paging(store: str) -> None:
    table = run("quotes", "--db", store, "--limit", "3")
    assert table.splitlines()[0].split() == [
        "published",
        "outlet",
        "speaker",
        "hedge",
        "content",
        "article_id",
    ]
    all_quotes = json.loads(run("quotes", "--db", store, "--json", "--limit", "100"))
    page = json.loads(run("quotes", "--db", store, "--json", "--limit", "2", "--offset", "2"))
    assert page == all_quotes[2:4]
    rows = list(csv.DictReader(io.StringIO(run("quotes", "--db", store, "--csv", "--limit", "100"))))
    assert [r["content"] for r in rows] == [q["content"] for q in all_quotes]
    speaker = all_quotes[0]["speaker"]
    assert all(
        speaker.lower() in (q["speaker"] or "").lower() or q["source_entity"]
        for q in json.loads(run("quotes", "--db", store, "--json", "--speaker", speaker))
    )


def test_entities_entity_events_search_and_problems(store: str) -> None:
    people = json.loads(run("entities", "--db", store, "--type", "PERSON", "--json"))
    assert people and all(p["type"] == "PERSON" for p in people)
    report = run("entity", people[0]["name"], "--db", store, "--why")
    assert people[0]["name"] in report and "why linked:" in report
    (record,) = json.loads(run("entity", people[0]["name"], "--db", store, "--json"))
    assert record["articles"] >= 1 and record["first_seen"]
    missing = CliRunner().invoke(cli, ["entity", "Nobody Q. Nowhere", "--db", store])
    assert missing.exit_code == 1 and "E204" in missing.output
    events = json.loads(run("events", "--db", store, "--json", "--limit", "200"))
    category = events[0]["category"]
    only = json.loads(
        run("events", "--db", store, "--json", "--category", category.lower(), "--limit", "200")
    )
    assert only and {e["category"] for e in only} == {category}
    hits = json.loads(run("search", "Geneva", "--db", store, "--json"))
    assert hits and all(h["article_id"] for h in hits)
    (problem,) = json.loads(run("problems", "--db", store, "--json"))
    assert problem["code"] == "E002" and problem["input"].endswith("empty.txt")


def test_export_formats(store: str, tmp_path: Path) -> None:
    lines = run("export", "--db", store).splitlines()
    assert len(lines) == 3 and all("corpus_entity" in e for e in json.loads(lines[0])["entities"])
    run("export", "--db", store, "--format", "csv", "--out", str(tmp_path / "csv"))
    assert (tmp_path / "csv" / "events.csv").exists()
    plover = run("export", "--db", store, "--format", "plover", "--outlet", "newsgraph samples")
    assert all(json.loads(line)["event_type"] for line in plover.splitlines())
    refused = CliRunner().invoke(cli, ["export", "--db", store, "--format", "csv"])
    assert refused.exit_code == 2


def test_a_query_on_a_missing_store_names_it(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["quotes", "--db", str(tmp_path / "nothing.db")])
    assert result.exit_code == 1 and "E202" in result.output and "nothing.db" in result.output
    assert not (tmp_path / "nothing.db").exists()
