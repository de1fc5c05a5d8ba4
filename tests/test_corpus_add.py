"""``add`` end to end with the real pipeline: stored once, problems recorded, re-analysis of
older versions, parallel workers, and a run killed with SIGKILL then resumed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from newsgraph.core import Newsgraph
from newsgraph.core.corpus import Corpus

pytestmark = pytest.mark.slow


def samples(tmp_path: Path, copies: int = 1) -> Path:
    """The bundled samples as JSON Lines with metadata, ``copies`` variants of each."""
    folder = resources.files("newsgraph").joinpath("samples")
    manifest = json.loads(folder.joinpath("samples.json").read_text("utf-8"))
    path = tmp_path / "samples.jsonl"
    with open(path, "w", encoding="utf-8") as handle:
        for n in range(copies):
            for entry in manifest:
                text = folder.joinpath(entry["file"]).read_text("utf-8")
                if n:
                    text = f"Update {n}: " + text
                record = {"id": f"{entry['file']}-{n}", "text": text, "title": entry["title"]}
                record |= {"published": entry["published"], "outlet": entry["outlet"]}
                handle.write(json.dumps(record) + "\n")
    return path


def exported(corpus: Corpus) -> list[dict[str, Any]]:
    import io

    out = io.StringIO()
    corpus.export("jsonl", out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_add_stores_each_article_once_and_records_every_failure(
    db_url: str, tmp_path: Path, newsgraph: Newsgraph
) -> None:
    (tmp_path / "empty.txt").write_text("   \n")
    sources = [str(samples(tmp_path)), str(tmp_path / "empty.txt"), str(tmp_path / "missing.txt")]
    corpus = Corpus(db=db_url, newsgraph=newsgraph)
    first = corpus.add(sources, batch_size=2)
    assert (first.added, first.present, first.failed) == (3, 0, 2)
    assert sorted(p["code"] for p in corpus.problems()) == ["E001", "E002"]
    again = corpus.add(sources)
    assert (again.added, again.present, again.failed) == (0, 3, 2)
    numbers = corpus.stats()
    assert numbers["articles"] == 3 and numbers["problems"] == 2 and numbers["attributions"] > 10
    # The same text under another name is the same article.
    copy = tmp_path / "copy.txt"
    copy.write_text(resources.files("newsgraph").joinpath("samples", "summit.txt").read_text("utf-8"))
    assert corpus.add([str(copy)]).present == 1
    for record in exported(corpus):
        article = corpus.article(record["id"])
        assert isinstance(record.pop("claims"), list)  # claim groups and origins (docs/claims.md)
        assert article is not None and {"id": record["id"], **article.to_dict()} == {
            **record,
            "entities": [{k: v for k, v in e.items() if k != "corpus_entity"} for e in record["entities"]],
        }


def test_reprocess_analyses_again_what_an_older_pipeline_stored(tmp_path: Path, newsgraph: Newsgraph) -> None:
    db = str(tmp_path / "store.db")
    older = Corpus(db=db, stages=["clean", "parse", "entities"])
    assert older.add([str(samples(tmp_path))]).added == 3
    assert older.stats()["attributions"] == 0
    current = Corpus(db=db, newsgraph=newsgraph)
    assert current.pipeline_version != older.pipeline_version
    assert current.add([str(samples(tmp_path))]).present == 3  # without --reprocess: left alone
    summary = current.add([], reprocess=True)
    assert (summary.reprocessed, summary.added) == (3, 0)
    numbers = current.stats()
    assert numbers["articles"] == 3 and numbers["attributions"] > 10
    assert list(numbers["pipeline_versions"]) == [current.pipeline_version]


def test_two_workers_store_what_one_does(tmp_path: Path, newsgraph: Newsgraph) -> None:
    source = str(samples(tmp_path, copies=2))
    one = Corpus(db=str(tmp_path / "one.db"), newsgraph=newsgraph)
    two = Corpus(db=str(tmp_path / "two.db"), newsgraph=newsgraph)
    assert one.add([source]).added == 6
    assert two.add([source], jobs=2, batch_size=2).added == 6
    assert exported(one) == exported(two)


def _add(db: str, source: str) -> subprocess.Popen[bytes]:
    command = [
        str(Path(sys.executable).parent / "newsgraph"),
        "add",
        "--db",
        db,
        "--batch",
        "1",
        "-q",
        source,
    ]
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _count(db: str) -> int:
    engine = sa.create_engine(f"sqlite:///{db}")
    try:
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table("articles"):
                return 0
            return int(conn.execute(sa.text("SELECT count(*) FROM articles")).scalar_one())
    finally:
        engine.dispose()


def test_a_run_killed_with_sigkill_and_run_again_equals_an_uninterrupted_run(tmp_path: Path) -> None:
    source = str(samples(tmp_path, copies=3))
    whole, killed = str(tmp_path / "whole.db"), str(tmp_path / "killed.db")
    assert _add(whole, source).wait(timeout=600) == 0
    process = _add(killed, source)
    deadline = time.monotonic() + 600
    while _count(killed) < 2 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process.poll() is None, "the run ended before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    partial = _count(killed)
    assert 2 <= partial < 9
    assert _add(killed, source).wait(timeout=600) == 0
    a, b = Corpus(db=whole, create=False), Corpus(db=killed, create=False)
    assert {k: v for k, v in a.stats().items()} == {k: v for k, v in b.stats().items()}
    assert exported(a) == exported(b)


def test_a_repeated_run_with_nothing_new_does_not_load_the_model(
    tmp_path: Path, newsgraph: Newsgraph
) -> None:
    db = str(tmp_path / "store.db")
    source = str(samples(tmp_path))
    assert Corpus(db=db, newsgraph=newsgraph).add([source]).added == 3
    again = Corpus(db=db)
    assert again.add([source]).present == 3
    assert again._newsgraph is None  # the pipeline was never built
