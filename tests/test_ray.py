"""``add --engine ray`` on a local Ray instance: the same store as a local ``add``, nothing lost
or stored twice when an actor is killed mid-run, and a coded error without Ray."""

from __future__ import annotations

import io
import json
import os
import signal
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from newsgraph.core import Newsgraph
from newsgraph.core.corpus import Corpus

PAGE = "<html><head><title>{title}</title></head><body><article>{body}</article></body></html>"


def _samples() -> list[dict[str, Any]]:
    folder = resources.files("newsgraph").joinpath("samples")
    manifest = json.loads(folder.joinpath("samples.json").read_text("utf-8"))
    return [
        {
            "id": entry["file"],
            "text": folder.joinpath(entry["file"]).read_text("utf-8"),
            "title": entry["title"],
            "published": entry["published"],
            "outlet": entry["outlet"],
        }
        for entry in manifest
    ]


def jsonl(path: Path, copies: int) -> Path:
    with open(path, "w", encoding="utf-8") as handle:
        for n in range(copies):
            for record in _samples():
                text = record["text"] if not n else f"Update {n}: " + record["text"]
                handle.write(json.dumps({**record, "id": f"{record['id']}-{n}", "text": text}) + "\n")
    return path


def exported(corpus: Corpus) -> list[dict[str, Any]]:
    out = io.StringIO()
    corpus.export("jsonl", out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


#: Rows compared beyond the export: the linker's and claim grouping's tables, without
#: clock times and surrogate row ids (a rolled-back PostgreSQL transaction uses up ids).
_TABLES = {
    "corpus_entities": "id, name, type, profile",
    "corpus_entity_keys": "*",
    "entity_links": "*",
    "link_log": "action, corpus_id, other_id, article_id, entity_id, reason",
    "entity_counts": "*",
    "claim_groups": "id, seq, claims, articles, origins, contradictions, first_published, last_published",
    "claims": "group_id, article_id, kind, ref, text, origin_key, relation, relation_reason",
    "article_copies": "article_id, cluster, size, words, published, wire",
}


def tables(corpus: Corpus) -> dict[str, list[str]]:
    """The cross-article tables' rows, each as text, sorted: the store beyond what ``export`` shows."""
    import sqlalchemy as sa

    out = {}
    with corpus.store.read() as conn:
        for table, columns in _TABLES.items():
            rows = conn.execute(sa.text(f"SELECT {columns} FROM {table}")).all()
            out[table] = sorted(json.dumps([str(v) for v in row]) for row in rows)
    return out


@pytest.fixture(scope="module")
def ray() -> Any:
    """A local Ray instance for the module: two CPUs, a small object store, no dashboard."""
    ray = pytest.importorskip("ray", reason="Ray is in the dev extra: pip install -e '.[dev]'")
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        object_store_memory=100 << 20,
        log_to_driver=False,
        logging_level="WARNING",
    )
    yield ray
    ray.shutdown()


@pytest.mark.slow
def test_a_ray_add_into_postgresql_stores_what_a_local_add_does(
    ray: Any, tmp_path: Path, newsgraph: Newsgraph, postgres: Any
) -> None:
    from newsgraph.batch import ray_engine

    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    samples = _samples()
    parquet = tmp_path / "more.parquet"
    rows = [{**r, "id": f"{r['id']}-p", "text": "From the wire: " + r["text"]} for r in samples[:2]]
    pq.write_table(pa.Table.from_pylist(rows), parquet, row_group_size=1)
    warc = tmp_path / "crawl.warc.gz"
    with open(warc, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for n, record in enumerate(samples[1:]):
            paragraphs = ["From the archive.", *record["text"].split("\n\n")]
            body = "".join(f"<p>{p}</p>" for p in paragraphs if p.strip())
            page = PAGE.format(title=record["title"], body=body).encode()
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
            writer.write_record(
                writer.create_warc_record(
                    f"https://example.org/{n}", "response", payload=io.BytesIO(page), http_headers=headers
                )
            )
    folder = tmp_path / "texts"
    folder.mkdir()
    (folder / "copy.txt").write_text(samples[0]["text"])  # the same text as a JSON Lines record: present
    (folder / "empty.txt").write_text("  \n")  # a problem (E002)
    sources = [str(jsonl(tmp_path / "a.jsonl", 1)), str(parquet), str(warc), str(folder)]
    sources.append(str(tmp_path / "missing.txt"))  # a problem (E001)

    local = Corpus(db=str(tmp_path / "local.db"), newsgraph=newsgraph)
    expected = local.add(sources, batch_size=2)
    assert (expected.added, expected.present, expected.failed) == (7, 1, 2)

    cluster = Corpus(db=postgres.new_database(), newsgraph=newsgraph)
    statuses: list[str] = []
    got = ray_engine.add(
        cluster, sources, actors=2, shard_size=1, batch_size=2, on_result=lambda s, _: statuses.append(s)
    )
    assert (got.added, got.present, got.failed) == (7, 1, 2)
    assert sorted(statuses) == sorted(["added"] * 7 + ["present"] + ["failed"] * 2)
    assert exported(cluster) == exported(local)
    assert tables(cluster) == tables(local)
    assert cluster.stats() == local.stats()
    assert sorted(p["code"] for p in cluster.problems()) == ["E001", "E002"]
    again = ray_engine.add(cluster, sources, actors=2)
    assert (again.added, again.present, again.failed) == (0, 8, 2)


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_an_actor_killed_mid_run_loses_no_article_and_stores_none_twice(
    ray: Any,
    tmp_path: Path,
    newsgraph: Newsgraph,
    monkeypatch: pytest.MonkeyPatch,
    backend: str,
    request: pytest.FixtureRequest,
) -> None:
    """SQLite: the driver writes; an actor analysing a shard is killed. PostgreSQL: the actors
    write; an actor analysing (and about to keep) a shard is killed, then one committing one."""
    import psutil

    from newsgraph.batch import ray_engine

    deaths: list[str] = []
    died = ray_engine._Run._died

    def seen(run: Any, actor: Any, task: Any, err: Exception) -> None:
        deaths.append(task.phase)
        died(run, actor, task, err)

    monkeypatch.setattr(ray_engine._Run, "_died", seen)

    source = str(jsonl(tmp_path / "s.jsonl", 3))
    phases = ["analyse", "commit"] if backend == "postgresql" else ["analyse"]
    killed: list[str] = []
    dispatch = ray_engine._Run._dispatch

    def dispatch_then_kill(run: Any) -> None:
        """Once tasks are sent, kill the actor of one in the next phase to test, if one is in flight."""
        dispatch(run)
        if len(killed) == len(phases):
            return
        busy = [actor for actor, task in run.inflight.values() if task.phase == phases[len(killed)]]
        if busy:
            pid = ray.get(busy[0].pid)
            assert " ".join(psutil.Process(pid).cmdline()).startswith("ray::ShardActor")
            os.kill(pid, signal.SIGKILL)
            killed.append(phases[len(killed)])

    monkeypatch.setattr(ray_engine._Run, "_dispatch", dispatch_then_kill)
    db = (
        str(tmp_path / "ray.db")
        if backend == "sqlite"
        else request.getfixturevalue("postgres").new_database()
    )
    cluster = Corpus(db=db, newsgraph=newsgraph)
    writes = "workers" if backend == "postgresql" else "driver"
    got = ray_engine.add(cluster, [source], actors=2, shard_size=3, batch_size=1, writes=writes)
    assert killed == phases and set(deaths) == set(phases), f"killed in {killed}, deaths in {deaths}"
    assert (got.added, got.present, got.failed) == (9, 0, 0)
    records = exported(cluster)
    ids = [r["id"] for r in records]
    assert len(ids) == 9 and len(set(ids)) == 9 and cluster.stats()["problems"] == 0
    local = Corpus(db=str(tmp_path / "local.db"), newsgraph=newsgraph)
    assert local.add([source]).added == 9
    assert records == exported(local)
    assert tables(cluster) == tables(local)
    assert cluster.stats() == local.stats()


@pytest.mark.slow
def test_a_worker_commit_tried_again_skips_what_the_first_attempt_stored(
    tmp_path: Path, newsgraph: Newsgraph, postgres: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The actors' write path without Ray: a commit that stored part of a shard (then its
    worker died) is done again whole; nothing is stored twice and the store is a local add's."""
    from newsgraph.core import sharded
    from newsgraph.core.sharded import Plan, ShardedAdd, ShardWorker

    monkeypatch.setattr(sharded, "Newsgraph", lambda *args, **kwargs: newsgraph)  # loaded once
    source = str(jsonl(tmp_path / "s.jsonl", 3))
    db = postgres.new_database()
    driver = ShardedAdd(Corpus(db=db, newsgraph=newsgraph))
    (shard,) = driver.shards([source], records=64)
    worker = ShardWorker(driver.settings, driver.stages, None, db=db, version=driver.version)
    plan = driver.decide(worker.read(0, shard))
    assert len(plan.indices) == 9
    given = dict(zip(plan.indices, worker.analyse(0, shard, plan.indices), strict=True))
    first = worker.commit(0, Plan(plan.steps[:4], plan.indices[:4]), given, 2)
    assert [status for status, _item in first] == ["added"] * 4
    again = worker.commit(0, plan, given, 2)
    assert [status for status, _item in again] == ["added"] * 9
    assert [item.input for _status, item in again] == [given[i].input for i in plan.indices]
    stored = Corpus(db=db, newsgraph=newsgraph)
    local = Corpus(db=str(tmp_path / "local.db"), newsgraph=newsgraph)
    assert local.add([source], batch_size=2).added == 9
    assert exported(stored) == exported(local)
    assert tables(stored) == tables(local)
    assert stored.stats() == local.stats()
    worker.close()


def test_workers_cannot_write_a_sqlite_store(tmp_path: Path) -> None:
    from newsgraph.batch import ray_engine
    from newsgraph.errors import ConfigError

    corpus = Corpus(db=str(tmp_path / "store.db"))
    with pytest.raises(ConfigError) as caught:
        ray_engine.add(corpus, [str(tmp_path / "a.txt")], writes="workers")
    assert caught.value.code == "E504" and "sqlite" in str(caught.value)


def test_engine_ray_without_ray_installed_is_a_coded_error_naming_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsgraph.cli import cli

    monkeypatch.setitem(sys.modules, "ray", None)  # import ray raises ImportError
    (tmp_path / "a.txt").write_text("Officials said on Monday that talks would resume.")
    db = str(tmp_path / "store.db")
    result = CliRunner().invoke(cli, ["add", "--db", db, "--engine", "ray", "-q", str(tmp_path / "a.txt")])
    assert result.exit_code == 1
    assert "[E501]" in result.output and "newsgraph[ray]" in result.output
    assert Corpus(db=db).stats()["articles"] == 0


def test_ray_writes_workers_into_sqlite_is_e504_from_the_command_line(tmp_path: Path) -> None:
    from newsgraph.cli import cli

    (tmp_path / "a.txt").write_text("Officials said on Monday that talks would resume.")
    db = str(tmp_path / "store.db")
    args = ["add", "--db", db, "--engine", "ray", "--ray-writes", "workers", "-q", str(tmp_path / "a.txt")]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert "[E504]" in result.output and "sqlite" in result.output
    assert Corpus(db=db).stats()["articles"] == 0
