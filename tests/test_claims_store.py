"""Claims through ``add`` into a real store (SQLite file and PostgreSQL): groups, origins, CLI, export."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from newsgraph.cli import cli

pytestmark = pytest.mark.slow


def write_claims_corpus(path: Path, order: list[int] | None = None) -> Path:
    """The bundled claims samples as a JSON Lines feed with their metadata."""
    samples = resources.files("newsgraph").joinpath("samples")
    entries = json.loads(samples.joinpath("claims.json").read_text("utf-8"))
    if order is not None:
        entries = [entries[i] for i in order]
    with open(path, "w", encoding="utf-8") as handle:
        for entry in entries:
            record = {k: entry[k] for k in ("title", "published", "outlet")}
            record |= {"id": entry["file"], "text": samples.joinpath(entry["file"]).read_text("utf-8")}
            handle.write(json.dumps(record) + "\n")
    return path


def terminal_group(groups: list[dict[str, Any]]) -> dict[str, Any]:
    wire_claim = "Romania will close the main grain"
    found = [g for g in groups if any(c["text"].startswith(wire_claim) for c in g["claims"])]
    assert len(found) == 1, [g["claims"][0]["text"] for g in groups]
    return found[0]


def test_add_groups_claims_and_counts_independent_origins(
    db_url: str, tmp_path: Path, newsgraph: Any
) -> None:
    from newsgraph.core.corpus import Corpus

    corpus = Corpus(db=db_url, newsgraph=newsgraph)
    corpus.add([str(write_claims_corpus(tmp_path / "claims.jsonl"))])
    group = terminal_group(corpus.claims())
    assert group["articles"] == 6
    assert group["origins"] == 2
    assert len(group["contradictions"]) == 1
    assert group["contradictions"][0]["outlet"] == "Port Weekly"
    assert "outlet:reuters" in group["origin_ids"]
    # Every claim points at its words in its stored article.
    for claim in group["claims"]:
        article = corpus.article(claim["article"])
        assert article is not None and article.text[claim["start"] : claim["end"]] == claim["text"]
    assert corpus.claims(contested=True)[0]["id"] == group["id"]
    assert corpus.claims(min_origins=3) == []
    assert [g["id"] for g in corpus.claims(about="grain terminal two weeks")] == [group["id"]]
    assert corpus.claim(group["id"]) == group
    assert corpus.claim("G999999") is None
    # The counts kept as claims join (what the filters read) equal a recount from the claims.
    from newsgraph.corpus import claim_store
    from newsgraph.store import tables

    with corpus.store.begin() as conn:
        kept = {r.id: (r.claims, r.articles, r.origins, r.contradictions) for r in conn.execute(
            tables.claim_groups.select())}  # fmt: skip
        claim_store.refresh(conn, sorted(kept))
        recounted = {r.id: (r.claims, r.articles, r.origins, r.contradictions) for r in conn.execute(
            tables.claim_groups.select())}  # fmt: skip
    assert kept == recounted
    corpus.close()


def _groups_as_sets(corpus: Any) -> set[frozenset[tuple[str, str, str, int]]]:
    """Every group as the set of its claims (article, ref, relation, counts): ids aside."""
    out = set()
    for group in corpus.claims(min_articles=1, limit=1000):
        counts = (group["articles"], group["origins"], len(group["contradictions"]))
        out.add(
            frozenset(
                (c["article"], str(c.get("attribution") or c.get("event")), c["relation"], *counts)
                for c in group["claims"]
            )
        )
    return out


def test_the_same_answer_whatever_order_the_articles_arrive_in(tmp_path: Path, newsgraph: Any) -> None:
    """Groups are the connected parts of the match graph, anchored on their earliest assertion:
    the articles added in reverse order give the same groups, relations and counts."""
    from newsgraph.core.corpus import Corpus

    answers = []
    for name, order in (("forward", None), ("reversed", [5, 4, 3, 2, 1, 0, 6])):
        corpus = Corpus(db=str(tmp_path / f"{name}.db"), newsgraph=newsgraph)
        corpus.add([str(write_claims_corpus(tmp_path / f"{name}.jsonl", order=order))])
        group = terminal_group(corpus.claims())
        assert group["origins"] == 2 and len(group["contradictions"]) == 1
        answers.append(_groups_as_sets(corpus))
        corpus.close()
    assert answers[0] == answers[1]


def test_re_adding_an_article_keeps_its_copies_findable(tmp_path: Path, newsgraph: Any) -> None:
    """Deleting the article whose claims were indexed re-indexes a copy of them."""
    from newsgraph.core.corpus import Corpus

    corpus = Corpus(db=str(tmp_path / "readd.db"), newsgraph=newsgraph)
    feed = write_claims_corpus(tmp_path / "claims.jsonl")
    corpus.add([str(feed)])
    before = _groups_as_sets(corpus)
    # The wire story came first, so its claims are the indexed ones: delete them and add them
    # again, after their copies, as reprocessing the article does (Corpus._commit).
    from newsgraph.corpus import claim_store

    wire_id = next(
        c["article"] for c in terminal_group(corpus.claims())["claims"] if c["outlet"] == "Reuters"
    )
    article = corpus.article(wire_id)
    assert article is not None
    with corpus.store.begin() as conn:
        claim_store.delete_article(conn, wire_id)
        claim_store.add_article(conn, wire_id, article)
    assert _groups_as_sets(corpus) == before
    corpus.close()


def test_claims_commands_and_export(tmp_path: Path, newsgraph: Any) -> None:
    from newsgraph.core.corpus import Corpus

    db = str(tmp_path / "cli.db")
    corpus = Corpus(db=db, newsgraph=newsgraph)
    corpus.add([str(write_claims_corpus(tmp_path / "claims.jsonl"))])
    corpus.close()
    runner = CliRunner()
    listed = runner.invoke(cli, ["claims", "--db", db, "--json"])
    assert listed.exit_code == 0, listed.output
    groups = json.loads(listed.stdout)
    group = terminal_group(groups)
    for key in ("id", "claims", "articles", "origins", "origin_ids", "contradictions"):
        assert key in group
    for claim in group["claims"]:
        assert {"article", "text", "source", "source_type", "hedge", "outlet", "published"} <= set(claim)
        assert claim.get("attribution") or claim.get("event")
    table = runner.invoke(cli, ["claims", "--db", db, "--contested"])
    assert group["id"] in table.stdout and "Romania will close" in table.stdout
    one = runner.invoke(cli, ["claim", group["id"], "--db", db])
    assert one.exit_code == 0 and "2 independent origin(s)" in one.stdout and "Port Weekly" in one.stdout
    missing = runner.invoke(cli, ["claim", "G999999", "--db", db])
    assert missing.exit_code == 1 and "E205" in missing.output
    exported = runner.invoke(cli, ["export", "--db", db, "--format", "jsonl"])
    assert exported.exit_code == 0, exported.output
    records = [json.loads(line) for line in exported.stdout.splitlines()]
    wire = next(r for r in records if r["input"].endswith("terminal-wire.txt"))
    assert any(c["group"] == group["id"] and c["origin"] == "outlet:reuters" for c in wire["claims"])
