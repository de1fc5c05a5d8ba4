"""``add --engine ray`` against local ``add`` on the same machine and the same texts.

Usage::

    .venv/bin/python benchmarks/ray_add.py [--texts DIR] [-n N] [--cpus 1 2] [--shard-size S]
                                           [--postgres] [--writes] [--json FILE]

Texts: ``DIR/*.txt`` (default: the PolNeAR dev texts at ``../shared/data/polnear/dev/text``
when present, else the bundled samples), repeated with a varied first line until there
are N, written to one JSON Lines file.

For each CPU count C, in one run: local = ``Corpus.add(jsonl, jobs=C)`` into a new SQLite
file with a facade loaded before the clock starts (as ``benchmarks/corpus.py``); ray =
a local Ray instance with C CPUs (``ray.init`` timed on its own), then
``ray_engine.add(corpus, [jsonl], actors=C)`` into another new SQLite file: the actors
load their pipelines inside the clock, because every Ray run pays that. To separate that
fixed cost, a one-article Ray run first measures it (``startup s``). Reported:
articles/s of each and ray/local; the driver's own CPU seconds per article under Ray
(reading keys, deciding, writing: the single writer's share, which bounds a cluster's
throughput); and both stores' exports compared (identical: yes/no).

``--writes`` compares the two ways a Ray run writes a PostgreSQL store (a throwaway
server, tests/postgres.py), for each C in one run: local ``add --jobs C``, Ray with the
driver writing, Ray with the actors writing (each on its own connection, commits in
input order), each into a new database; articles/s, ratio to local, the driver's CPU ms
per article, and for the actors writing the serial commit per article, as wall time
(dispatch to result) and as the actors' CPU in ``commit`` (commits run one at a time,
in input order: 1 / that is the throughput no number of actors can pass; the CPU figure
is the one a loaded machine does not inflate), and the exports compared with the local one.

``--postgres`` also writes the Ray run (C = the last one) into a throwaway PostgreSQL
server (tests/postgres.py) and reports its size per article (dominated by fixed page
overhead at small N). ``--store-n N`` measures store growth instead at a size where
that overhead vanishes: N articles, the Ray run's analyses written again under new ids
(``write_article`` only, as ``benchmarks/corpus.py`` builds its store), into SQLite and
into PostgreSQL: KiB per article of each. Timings are noisy on a shared machine; this
script prints numbers and asserts nothing.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
POLNEAR_DEV = ROOT.parent / "shared" / "data" / "polnear" / "dev" / "text"
SAMPLES = ROOT / "newsgraph" / "samples"


def write_jsonl(directory: Path, n: int, path: Path) -> None:
    files = sorted(directory.glob("*.txt"))
    with open(path, "w", encoding="utf-8") as handle:
        for i in range(n):
            f = files[i % len(files)]
            copy = i // len(files)
            text = f.read_text("utf-8")
            if copy:
                text = f"Copy {copy}.\n{text}"
            record = {"id": f"{f.stem}-{copy}", "text": text, "published": f"2024-{1 + i % 12:02d}-01"}
            handle.write(json.dumps(record) + "\n")


def exported(corpus: Any) -> str:
    out = io.StringIO()
    corpus.export("jsonl", out)
    return out.getvalue()


def one_count(ng: Any, source: Path, cpus: int, shard_size: int, tmp: Path) -> dict[str, Any]:
    import ray

    from newsgraph.batch import ray_engine
    from newsgraph.core.corpus import Corpus

    local = Corpus(db=str(tmp / f"local-{cpus}.db"), newsgraph=ng)
    summary = local.add([str(source)], jobs=cpus)
    local_rate = summary.added / summary.seconds

    started = time.perf_counter()
    ray.init(num_cpus=cpus, include_dashboard=False, object_store_memory=200 << 20, log_to_driver=False)
    init_s = time.perf_counter() - started
    try:
        first = tmp / f"one-{cpus}.jsonl"
        first.write_text(source.read_text("utf-8").splitlines()[0] + "\n", encoding="utf-8")
        warm = Corpus(db=str(tmp / f"warm-{cpus}.db"), newsgraph=ng)
        startup_s = ray_engine.add(warm, [str(first)], actors=cpus).seconds
        cluster = Corpus(db=str(tmp / f"ray-{cpus}.db"), newsgraph=ng)
        cpu0 = time.process_time()
        got = ray_engine.add(cluster, [str(source)], actors=cpus, shard_size=shard_size)
        driver_cpu = time.process_time() - cpu0
    finally:
        ray.shutdown()
    ray_rate = got.added / got.seconds
    return {
        "cpus": cpus,
        "articles": summary.added,
        "local_s": round(summary.seconds, 1),
        "local_per_s": round(local_rate, 3),
        "ray_init_s": round(init_s, 1),
        "startup_s": round(startup_s, 1),
        "ray_s": round(got.seconds, 1),
        "ray_per_s": round(ray_rate, 3),
        "ratio": round(ray_rate / local_rate, 3),
        "ratio_without_startup": round(summary.seconds / max(got.seconds - startup_s, 1e-9), 3),
        "driver_cpu_ms_per_article": round(1000 * driver_cpu / max(got.added, 1), 1),
        "ray_failed": got.failed,
        "identical": exported(local) == exported(cluster),
    }


def writes_count(ng: Any, source: Path, cpus: int, shard_size: int, server: Any, tmp: Path) -> dict[str, Any]:
    import ray

    from newsgraph.batch import ray_engine
    from newsgraph.core.corpus import Corpus

    local = Corpus(db=server.new_database(), newsgraph=ng)
    summary = local.add([str(source)], jobs=cpus)
    local_rate = summary.added / summary.seconds
    row: dict[str, Any] = {"cpus": cpus, "articles": summary.added, "local_per_s": round(local_rate, 3)}
    expected = exported(local)

    commit_s: list[float] = []
    started: list[float] = []
    commit_next, collect, stop = ray_engine._Run._commit_next, ray_engine._Run._collect, ray_engine._Run.stop
    commit_cpu: list[float] = []

    def stop_counted(run: Any) -> None:
        if run.db is not None and run.alive:
            commit_cpu.extend(ray.get([actor.handle.commit_cpu.remote() for actor in run.alive]))
        stop(run)

    def timed_commit_next(run: Any) -> None:
        was = run.committing
        commit_next(run)
        if run.committing and not was:
            started.append(time.perf_counter())

    def timed_collect(run: Any, ref: Any) -> None:
        phase = run.inflight[ref][1].phase
        collect(run, ref)
        if phase == "commit" and started:
            commit_s.append(time.perf_counter() - started.pop())

    ray_engine._Run._commit_next = timed_commit_next  # type: ignore[method-assign]
    ray_engine._Run._collect = timed_collect  # type: ignore[method-assign]
    ray_engine._Run.stop = stop_counted  # type: ignore[method-assign]
    ray.init(num_cpus=cpus, include_dashboard=False, object_store_memory=200 << 20, log_to_driver=False)
    try:
        for writes in ("driver", "workers"):
            corpus = Corpus(db=server.new_database(), newsgraph=ng)
            commit_s.clear()
            commit_cpu.clear()
            cpu0 = time.process_time()
            got = ray_engine.add(corpus, [str(source)], actors=cpus, shard_size=shard_size, writes=writes)
            driver_cpu = time.process_time() - cpu0
            rate = got.added / got.seconds
            row[f"{writes}_per_s"] = round(rate, 3)
            row[f"{writes}_ratio"] = round(rate / local_rate, 3)
            row[f"{writes}_driver_cpu_ms"] = round(1000 * driver_cpu / max(got.added, 1), 1)
            row[f"{writes}_identical"] = exported(corpus) == expected
            if writes == "workers":
                row["serial_commit_ms"] = round(1000 * sum(commit_s) / max(got.added, 1), 1)
                row["commit_cpu_ms"] = round(1000 * sum(commit_cpu) / max(got.added, 1), 1)
            corpus.close()
    finally:
        ray.shutdown()
        ray_engine._Run._commit_next = commit_next  # type: ignore[method-assign]
        ray_engine._Run._collect = collect  # type: ignore[method-assign]
        ray_engine._Run.stop = stop  # type: ignore[method-assign]
    return row


def postgres_size(ng: Any, source: Path, cpus: int, shard_size: int) -> dict[str, Any]:
    import ray
    import sqlalchemy as sa

    sys.path.insert(0, str(ROOT / "tests"))
    from postgres import Cluster

    from newsgraph.batch import ray_engine
    from newsgraph.core.corpus import Corpus

    server = Cluster()
    try:
        url = server.new_database()
        corpus = Corpus(db=url, newsgraph=ng)

        def size() -> int:
            with corpus.store.engine.connect() as conn:
                return int(conn.execute(sa.text("SELECT pg_database_size(current_database())")).scalar_one())

        empty = size()
        ray.init(num_cpus=cpus, include_dashboard=False, object_store_memory=200 << 20, log_to_driver=False)
        try:
            got = ray_engine.add(corpus, [str(source)], actors=cpus, shard_size=shard_size)
        finally:
            ray.shutdown()
        with corpus.store.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text("VACUUM ANALYZE"))
        full = size()
        corpus.close()
    finally:
        server.stop()
    return {
        "articles": got.added,
        "empty_mib": round(empty / 2**20, 1),
        "full_mib": round(full / 2**20, 1),
        "kib_per_article": round((full - empty) / 1024 / max(got.added, 1), 1),
    }


def store_growth(seed_db: Path, n: int, tmp: Path) -> dict[str, Any]:
    """KiB per article on SQLite and PostgreSQL: ``n`` articles written into each, the seed
    store's analyses again under new ids and URLs with a marker line after the text (as
    ``benchmarks/corpus.py`` builds its query store; no linking or claim rows)."""
    import sqlalchemy as sa

    sys.path.insert(0, str(ROOT / "tests"))
    from postgres import Cluster

    from newsgraph.model import Metadata
    from newsgraph.store import Store, article_key

    seed = Store.open(str(seed_db))
    with seed.read() as conn:
        analysed = seed.read_articles(conn, seed.article_ids(conn))
    seed.close()

    def fill(store: Any) -> None:
        written = 0
        while written < n:
            with store.begin() as conn:
                for _ in range(min(500, n - written)):
                    base = analysed[written % len(analysed)]
                    article = base.__class__(**{**base.__dict__})
                    article.text = base.text + f"\n\n[stored copy {written}]"
                    meta = {**base.metadata.__dict__, "url": f"https://example.org/{written}"}
                    article.metadata = Metadata(**meta)
                    article_id, digest = article_key(article)
                    store.write_article(conn, article_id, digest, article, "benchmark")
                    written += 1

    result: dict[str, Any] = {"articles": n}
    path = tmp / "growth.db"
    store = Store.open(str(path))
    with store.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    empty = path.stat().st_size
    fill(store)
    with store.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    result["sqlite_kib_per_article"] = round((path.stat().st_size - empty) / 1024 / n, 1)
    server = Cluster()
    try:
        store = Store.open(server.new_database())

        def size() -> int:
            with store.engine.connect() as conn:
                conn = conn.execution_options(isolation_level="AUTOCOMMIT")
                conn.execute(sa.text("VACUUM ANALYZE"))
                return int(conn.execute(sa.text("SELECT pg_database_size(current_database())")).scalar_one())

        empty = size()
        fill(store)
        result["postgresql_kib_per_article"] = round((size() - empty) / 1024 / n, 1)
        store.close()
    finally:
        server.stop()
    return result


def main() -> None:
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("--texts")
    parser.add_argument("-n", type=int, default=24)
    parser.add_argument("--cpus", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--shard-size", type=int, default=4)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--writes", action="store_true", help="PostgreSQL: driver writes vs actors write")
    parser.add_argument("--store-n", type=int, default=0, help="store growth: articles per backend")
    parser.add_argument("--json")
    args = parser.parse_args()
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

    from newsgraph.core import Newsgraph

    texts = Path(args.texts) if args.texts else POLNEAR_DEV if POLNEAR_DEV.is_dir() else SAMPLES
    ng = Newsgraph()
    rows: list[dict[str, Any]] = []
    report: dict[str, Any] = {"texts": str(texts), "n": args.n, "shard_size": args.shard_size}
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        source = tmp / "texts.jsonl"
        write_jsonl(texts, args.n, source)
        if args.writes:
            sys.path.insert(0, str(ROOT / "tests"))
            from postgres import Cluster

            server = Cluster()
            try:
                writes = []
                for cpus in args.cpus:
                    writes.append(writes_count(ng, source, cpus, args.shard_size, server, tmp))
                    print(json.dumps(writes[-1]), flush=True)
                report["writes"] = writes
            finally:
                server.stop()
        for cpus in args.cpus if not args.writes else []:
            rows.append(one_count(ng, source, cpus, args.shard_size, tmp))
            print(json.dumps(rows[-1]), flush=True)
        if args.postgres:
            report["postgres"] = postgres_size(ng, source, args.cpus[-1], args.shard_size)
            print(json.dumps(report["postgres"]), flush=True)
        if args.store_n and rows:
            seed = tmp / f"ray-{args.cpus[-1]}.db"
            report["growth"] = store_growth(seed, args.store_n, tmp)
            print(json.dumps(report["growth"]), flush=True)
    report["runs"] = rows
    columns = ["cpus", "articles", "local_per_s", "ray_per_s", "ratio", "startup_s", "ratio_without_startup"]
    columns += ["driver_cpu_ms_per_article", "identical"]
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for row in rows:
        print("| " + " | ".join(str(row[c]) for c in columns) + " |")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
