"""The corpus store at scale: ``add`` throughput against ``analyze``, store size, query latency.

Usage::

    .venv/bin/python benchmarks/corpus.py [--texts DIR] [--add-n N] [--store-n N] [--jobs 1 2]
                                          [--queries Q] [--json FILE] [--keep DIR]
    .venv/bin/python benchmarks/corpus.py --keep DIR --jobs      # queries only, on DIR/store.db

Texts: ``DIR/*.txt`` or a CSV file with an ``articleBody`` column such as the FNC-1 dev
bodies (default: the PolNeAR dev texts at ``../shared/data/polnear/dev/text`` when present,
else the bundled samples), repeated with a varied first line and id until there are
``--add-n`` of them. ``--progress N`` prints a line every N articles of each run.

1. Throughput, in one run on the same texts, with one facade (models loaded before the
   clock starts): ``analyze`` = ``Newsgraph.analyze_paths(jsonl, processes=J)`` with the
   results consumed, and ``add`` = ``Corpus.add(jsonl, jobs=J)`` into a new SQLite file
   (analysis + store writes + indexing). Reported: articles/s and the ratio add/analyze
   per J (goal >= 0.85).
2. A SQLite store of ``--store-n`` articles (default 10,000): the analysed texts of step 1,
   written again with a varied id, URL and a marker line appended after the text (so
   every stored fact is a real one and all offsets hold); each copy gets the cross-article
   links its seed article got from ``add`` (the same text links the same way), so names
   group as in a linked store (the kept entity counts are then rebuilt, since the links
   are copied by hand). Reported: file size per article.
3. Latency of ``entity NAME``, ``quotes`` (no filter, ``--speaker``, ``--about``) and
   ``search TEXT`` through the Python API on that store, ``--queries`` times each with
   names and words drawn from the store: p50 and p95 in ms of wall time (goal p95 < 50 ms)
   and of this process's CPU time (steadier on a shared machine); also what
   the web pages and the REST API call (``entities``, ``events``, one article, ``stats``;
   not ``claims``: the copies are not grouped into claims).

``--keep DIR`` keeps the seed store (``DIR/add-J.db``) and the query store (``DIR/store.db``)
and reuses a query store that already holds ``--store-n`` articles (it is migrated to the
current schema on open, as any store is); ``--jobs`` with no value skips step 1.

Timings are noisy on a shared machine; this script prints numbers and asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
POLNEAR_DEV = ROOT.parent / "shared" / "data" / "polnear" / "dev" / "text"
SAMPLES = ROOT / "newsgraph" / "samples"


def texts_dir(given: str | None) -> Path:
    if given:
        return Path(given)
    return POLNEAR_DEV if POLNEAR_DEV.is_dir() else SAMPLES


def read_texts(source: Path) -> list[tuple[str, str]]:
    """(name, text) pairs: ``DIR/*.txt``, or a CSV file with an ``articleBody`` column (the
    FNC-1 ``bodies.csv`` layout: ``Body ID``, ``articleBody``), blank bodies left out."""
    if source.is_file() and source.suffix == ".csv":
        import csv

        with open(source, encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        return [
            (f"body-{row.get('Body ID') or i}", row["articleBody"])
            for i, row in enumerate(rows)
            if row.get("articleBody", "").strip()
        ]
    return [(f.stem, f.read_text("utf-8")) for f in sorted(source.glob("*.txt"))]


def write_jsonl(directory: Path, n: int, path: Path, start: int = 0) -> int:
    files = read_texts(directory)
    with open(path, "w", encoding="utf-8") as handle:
        for i in range(start, start + n):
            stem, text = files[i % len(files)]
            copy = i // len(files)
            if copy:
                text = f"Copy {copy}.\n{text}"
            record = {
                "id": f"{stem}-{copy}",
                "text": text,
                "published": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
            }
            record["outlet"] = f"Outlet {i % 7}"
            handle.write(json.dumps(record) + "\n")
    return n


class Progress:
    """A line on stderr every ``every`` articles: count, wall s, CPU s (this process, and
    its finished workers), the 1-minute load average."""

    def __init__(self, label: str, every: int) -> None:
        self.label, self.every, self.n = label, every, 0
        self.started, self.cpu0, self.own0 = time.perf_counter(), _cpu(), time.process_time()

    def __call__(self, *_: Any) -> None:
        self.n += 1
        if self.every and self.n % self.every == 0:
            print(
                json.dumps(
                    {
                        "progress": self.label,
                        "n": self.n,
                        "wall_s": round(time.perf_counter() - self.started, 1),
                        "own_cpu_s": round(time.process_time() - self.own0, 1),
                        "load": round(os.getloadavg()[0], 2),
                    }
                ),
                file=sys.stderr,
                flush=True,
            )


def throughput(
    ng: Any, source: Path, jobs: int, tmp: Path, every: int = 0, seed: Path | None = None
) -> dict[str, Any]:
    """``analyze`` and ``add`` of ``source`` with ``jobs``; ``add`` into a new store, or into
    a copy of the store ``seed`` (opened, so migrated, before the clock starts)."""
    from newsgraph.core.corpus import Corpus

    load0 = os.getloadavg()[0]
    cpu0 = _cpu()
    started = time.perf_counter()
    progress = Progress(f"analyze-{jobs}", every)
    done = 0
    for _ in ng.analyze_paths([str(source)], processes=jobs):
        done += 1
        progress()
    analyze_s = time.perf_counter() - started
    db = tmp / f"add-{jobs}.db"
    if seed is not None:
        shutil.copy(seed, db)
    corpus = Corpus(db=str(db), newsgraph=ng)
    before = _articles(db)
    cpu1, own1 = _cpu(), _own_cpu()
    load1 = os.getloadavg()[0]
    summary = corpus.add([str(source)], jobs=jobs, on_result=Progress(f"add-{jobs}", every))
    cpu2, own2 = _cpu(), _own_cpu()
    corpus.close()
    load2 = os.getloadavg()[0]
    add_rate = summary.added / summary.seconds
    analyze_rate = done / analyze_s
    import sqlite3

    with sqlite3.connect(db) as conn:  # the whole store in the file (a copy of it, too)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = db.stat().st_size
    stored = _articles(db)
    return {
        # CPU seconds of this process and its finished workers: far steadier than wall time
        # on a shared machine.
        "analyze_cpu_s": round(cpu1 - cpu0, 1),
        "add_cpu_s": round(cpu2 - cpu1, 1),
        "cpu_ratio": round((cpu1 - cpu0) / (cpu2 - cpu1), 3),
        # This process alone during add: with forked workers, the writer (reading the
        # sources, handing out work, writing, linking, claim grouping).
        "add_parent_cpu_s": round(own2 - own1, 1),
        "load_start": round(load0, 2),
        "load_after_analyze": round(load1, 2),
        "load_end": round(load2, 2),
        "store_articles_before": before,
        "store_articles": stored,
        "store_kib_per_article": round(size / max(1, stored) / 1024, 1),
        "jobs": jobs,
        "articles": done,
        "analyze_s": round(analyze_s, 2),
        "analyze_per_s": round(analyze_rate, 2),
        "add_s": round(summary.seconds, 2),
        "add_per_s": round(add_rate, 2),
        "add_failed": summary.failed,
        "ratio": round(add_rate / analyze_rate, 3),
    }


def _own_cpu() -> float:
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


def _cpu() -> float:
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def build_store(seed_db: Path, target: Path, n: int) -> dict[str, Any]:
    """A store of ``n`` articles: the seed store's analyses written again under new ids."""
    from newsgraph.model import Metadata
    from newsgraph.store import Store, article_key

    seed = Store.open(str(seed_db))
    with seed.read() as conn:
        analysed = seed.read_articles(conn, seed.article_ids(conn))
    seed.close()
    store = Store.open(str(target))
    started = time.perf_counter()
    written = 0
    while written < n:
        with store.begin() as conn:
            for _ in range(min(500, n - written)):
                base = analysed[written % len(analysed)]
                article = base.__class__(**{**base.__dict__})
                article.text = base.text + f"\n\n[stored copy {written}]"
                article.metadata = Metadata(
                    **{**base.metadata.__dict__, "url": f"https://example.org/{written}"}
                )
                article_id, digest = article_key(article)
                store.write_article(conn, article_id, digest, article, "benchmark")
                written += 1
    seconds = time.perf_counter() - started
    if mirror_links(seed_db, target):
        from newsgraph.store import groups

        with store.begin() as conn:  # the links were written by hand: count the groups again
            groups.rebuild(conn)
    with store.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    size = target.stat().st_size
    return {
        "articles": written,
        "write_s": round(seconds, 1),
        "writes_per_s": round(written / seconds, 1),
        "bytes": size,
        "kib_per_article": round(size / written / 1024, 1),
    }


def mirror_links(seed_db: Path, target: Path) -> int:
    """Give every copy the cross-article links of the seed article it copies (the same text
    links the same way), so that the query store has linked entities as a real one does."""
    import sqlite3

    with sqlite3.connect(seed_db) as seed:
        order = [r[0] for r in seed.execute("SELECT id FROM articles ORDER BY seq")]
        links: dict[str, list[tuple[Any, ...]]] = {}
        for row in seed.execute("SELECT article_id, entity_id, corpus_id, reason, score FROM entity_links"):
            links.setdefault(row[0], []).append(row[1:])
        corpus_entities = seed.execute("SELECT * FROM corpus_entities").fetchall()
    with sqlite3.connect(target) as conn:
        if conn.execute("SELECT count(*) FROM entity_links").fetchone()[0]:
            return 0
        if corpus_entities:
            marks = ",".join("?" * len(corpus_entities[0]))
            conn.executemany(f"INSERT INTO corpus_entities VALUES ({marks})", corpus_entities)
        rows = [
            (article_id, *link)
            for article_id, seq in conn.execute("SELECT id, seq FROM articles")
            for link in links.get(order[(seq - 1) % len(order)], [])
        ]
        conn.executemany("INSERT INTO entity_links VALUES (?, ?, ?, ?, ?)", rows)
    return len(rows)


def _articles(db: Path) -> int:
    if not db.exists():
        return 0
    import sqlite3

    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])


def latency(db: Path, queries: int) -> dict[str, Any]:
    from newsgraph.core.corpus import Corpus

    corpus = Corpus(db=str(db), create=False)
    rng = random.Random(7)
    people = [e["name"] for e in corpus.entities(type="PERSON", limit=200)]
    quotes = corpus.quotes(limit=500)
    article_ids = sorted({q["article_id"] for q in quotes})
    words = [w for q in quotes for w in q["content"].split() if w.isalpha() and len(w) > 4][:2000]
    cases = {
        "entity NAME": lambda: corpus.entity(rng.choice(people)),
        "quotes": lambda: corpus.quotes(limit=50),
        "quotes --speaker NAME": lambda: corpus.quotes(speaker=rng.choice(people), limit=50),
        "quotes --about WORD": lambda: corpus.quotes(about=rng.choice(words), limit=50),
        "search WORD WORD": lambda: corpus.search(f"{rng.choice(words)} {rng.choice(words)}", limit=50),
        "search WORD": lambda: corpus.search(rng.choice(words), limit=50),
        # What the web pages and the REST API call besides the above.
        "entities": lambda: corpus.entities(limit=50),
        "events": lambda: corpus.events(limit=50),
        "article ID": lambda: corpus.article(rng.choice(article_ids)),
        "stats": lambda: corpus.stats(),
    }
    # Lists over the whole store (no page to stop at) are timed a few times only.
    few = {"entities": 5, "stats": 5}
    out = {}
    for name, call in cases.items():
        call()  # warm the caches once
        times, cpu = [], []
        for _ in range(min(queries, few.get(name, queries))):
            started, cpu0 = time.perf_counter(), time.process_time()
            call()
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu0) * 1000)
        times.sort()
        cpu.sort()
        out[name] = {
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1),
            "max_ms": round(times[-1], 1),
            # CPU time of this process (the query's own work, SQLite included): far steadier
            # than wall time when other processes share the cores.
            "cpu_p50_ms": round(statistics.median(cpu), 1),
            "cpu_p95_ms": round(cpu[int(0.95 * (len(cpu) - 1))], 1),
            "calls": len(times),
        }
        print(json.dumps({name: out[name]}), file=sys.stderr, flush=True)
    corpus.close()
    return out


def postgres_throughput(ng: Any, source: Path, jobs: int, tmp: Path, url: str | None) -> dict[str, Any]:
    """``add`` of the same texts into a new SQLite file and into a new PostgreSQL database, and
    ``analyze`` of them, in one run. ``url``: an empty database to use; without it a
    throwaway server is started (``tests/postgres.py``: initdb in a temporary folder, fsync
    off, 127.0.0.1). CPU: this process and its finished workers, and for PostgreSQL also
    the server's processes (read from /proc with psutil)."""
    from newsgraph.core.corpus import Corpus

    cluster = None
    if url is None:
        sys.path.insert(0, str(ROOT / "tests"))
        from postgres import Cluster

        cluster = Cluster()
        url = cluster.new_database()
    server = _postmaster(cluster)
    try:
        out: dict[str, Any] = {"jobs": jobs, "load_start": round(os.getloadavg()[0], 2)}
        cpu0, started = _cpu(), time.perf_counter()
        done = sum(1 for _ in ng.analyze_paths([str(source)], processes=jobs))
        out["analyze"] = {"articles": done, "s": time.perf_counter() - started, "cpu_s": _cpu() - cpu0}
        for backend, db in (("sqlite", str(tmp / f"pg-vs-sqlite-{jobs}.db")), ("postgresql", url)):
            cpu0, server0 = _cpu(), _server_cpu(server)
            corpus = Corpus(db=db, newsgraph=ng)
            summary = corpus.add([str(source)], jobs=jobs)
            corpus.close()
            out[backend] = {
                "articles": summary.added,
                "s": summary.seconds,
                "cpu_s": _cpu() - cpu0,
                "server_cpu_s": _server_cpu(server) - server0 if backend == "postgresql" else 0.0,
            }
        for part in ("analyze", "sqlite", "postgresql"):
            row = out[part]
            row["per_s"] = round(row["articles"] / row["s"], 2)
            row["s"] = round(row["s"], 1)
            row["cpu_s"] = round(row["cpu_s"] + row.get("server_cpu_s", 0.0), 1)
            row["server_cpu_s"] = round(row.get("server_cpu_s", 0.0), 1)
        a = out["analyze"]
        for backend in ("sqlite", "postgresql"):
            out[backend]["ratio_wall"] = round(out[backend]["per_s"] / a["per_s"], 3)
            out[backend]["ratio_cpu"] = round(a["cpu_s"] / out[backend]["cpu_s"], 3)
        out["postgresql_vs_sqlite_wall"] = round(out["postgresql"]["per_s"] / out["sqlite"]["per_s"], 3)
        out["load_end"] = round(os.getloadavg()[0], 2)
        return out
    finally:
        if cluster is not None:
            cluster.stop()


def _postmaster(cluster: Any) -> Any:
    if cluster is None:
        return None
    import psutil

    pid = int((cluster.data / "postmaster.pid").read_text().split()[0])
    return psutil.Process(pid)


def _server_cpu(server: Any) -> float:
    """CPU seconds of a PostgreSQL server: its processes running now, and those that ended
    (the postmaster reaps its backends: their time is in its children's)."""
    if server is None:
        return 0.0
    own = server.cpu_times()
    total = own.children_user + own.children_system
    for process in [server, *server.children(recursive=True)]:
        try:
            times = process.cpu_times()
        except Exception:  # ended meanwhile
            continue
        total += times.user + times.system
    return total


#: The statements of an article's delete (``add --reprocess``) that read a table by a column
#: other than its key's first; timed on their own, each in a transaction rolled back.
DELETE_STATEMENTS = {
    "claim_terms by claim": (
        "DELETE FROM claim_terms WHERE claim_id IN (SELECT id FROM claims WHERE article_id = :a)"
    ),
    "copy_bands by article": "DELETE FROM copy_bands WHERE article_id = :a",
    "search_docs by article": "DELETE FROM search_docs WHERE article_id = :a",
    # What Store.delete_article does since migration 0007 (rows numbered by the article's seq).
    "search_docs by rowid range": (
        "DELETE FROM search_docs WHERE rowid BETWEEN (SELECT seq << 24 FROM articles WHERE id = :a) "
        "AND (SELECT ((seq + 1) << 24) - 1 FROM articles WHERE id = :a)"
    ),
}


def deletes(db: Path, n: int) -> dict[str, Any]:
    """CPU and wall ms of deleting an article as ``add --reprocess`` does before it writes the
    new analysis (``claim_store.delete_article`` + ``Store.delete_article``, the entity counts
    settled), for ``n`` random stored articles, each in a transaction rolled back (the store
    is left as it was; it is migrated when opened, as any store is)."""
    import sqlalchemy as sa

    from newsgraph.corpus import claim_store
    from newsgraph.store import Store, groups

    started, cpu0 = time.perf_counter(), time.process_time()
    store = Store.open(str(db))  # migrations included
    opened = {
        "open_s": round(time.perf_counter() - started, 1),
        "open_cpu_s": round(time.process_time() - cpu0, 1),
    }
    print(json.dumps(opened), file=sys.stderr, flush=True)
    with store.read() as conn:
        ids = sorted(r[0] for r in conn.exec_driver_sql("SELECT id FROM articles"))
        plans = {
            name: [str(r[-1]) for r in conn.execute(sa.text("EXPLAIN QUERY PLAN " + sql), {"a": ids[0]})]
            for name, sql in DELETE_STATEMENTS.items()
        }
    picked = random.Random(11).sample(ids, min(n, len(ids)))

    def timed(work: Any) -> tuple[float, float]:
        with store.engine.connect() as conn:
            transaction = conn.begin()
            started, cpu0 = time.perf_counter(), time.process_time()
            work(conn)
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu0
            transaction.rollback()
        return wall * 1000, cpu * 1000

    def whole(article_id: str) -> Any:
        def work(conn: Any) -> None:
            groups.defer(conn)
            claim_store.delete_article(conn, article_id)
            store.delete_article(conn, article_id)
            groups.settle(conn)
            groups.discard(conn)

        return work

    cases: dict[str, Any] = {"whole delete": whole}
    for name, sql in DELETE_STATEMENTS.items():
        cases[name] = lambda a, sql=sql: lambda conn: conn.execute(sa.text(sql), {"a": a})
    out: dict[str, Any] = {"articles": len(ids), **opened, "plans": plans}
    for name, make in cases.items():
        walls, cpus = zip(*(timed(make(a)) for a in picked), strict=True)
        out[name] = {
            "wall_p50_ms": round(statistics.median(walls), 1),
            "cpu_p50_ms": round(statistics.median(cpus), 1),
            "cpu_mean_ms": round(statistics.fmean(cpus), 1),
            "calls": len(cpus),
        }
        print(json.dumps({name: out[name]}), file=sys.stderr, flush=True)
    store.close()
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--texts")
    parser.add_argument("--add-n", type=int, default=10_000, help="articles for the throughput runs")
    parser.add_argument("--store-n", type=int, default=10_000, help="articles in the query store (0: skip)")
    parser.add_argument("--jobs", type=int, nargs="*", default=[1, 2])
    parser.add_argument("--keep", help="keep (and reuse) the stores in this directory")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--progress", type=int, default=0, help="a progress line every N articles")
    parser.add_argument("--start", type=int, default=0, help="number the texts from this copy on")
    parser.add_argument("--seed", help="add into a copy of this SQLite store (its open not timed)")
    parser.add_argument(
        "--postgres",
        nargs="?",
        const="",
        help="add into PostgreSQL and SQLite (URL of an empty database; none: a throwaway server)",
    )
    parser.add_argument(
        "--deletes",
        type=int,
        default=0,
        help="time N article deletes on DIR/add-1.db (--keep)",
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from newsgraph.core import Newsgraph

    directory = texts_dir(args.texts)
    report: dict[str, Any] = {"texts": str(directory), "add_n": args.add_n, "store_n": args.store_n}
    with tempfile.TemporaryDirectory(prefix="newsgraph-bench-") as name:
        tmp = Path(name)
        keep = Path(args.keep) if args.keep else tmp
        keep.mkdir(parents=True, exist_ok=True)
        source = tmp / "texts.jsonl"
        write_jsonl(directory, args.add_n, source, args.start)
        report["throughput"] = []
        if args.jobs:
            ng = Newsgraph()
            for jobs in args.jobs:
                if args.postgres is not None:
                    row = postgres_throughput(ng, source, jobs, tmp, args.postgres or None)
                    report["throughput"].append(row)
                    print(json.dumps(row), flush=True)
                    continue
                seed = Path(args.seed) if args.seed else None
                row = throughput(ng, source, jobs, tmp, args.progress, seed)
                report["throughput"].append(row)
                print(json.dumps(row), flush=True)
                if keep is not tmp:
                    shutil.copy(tmp / f"add-{jobs}.db", keep / f"add-{jobs}.db")
        if args.store_n:
            store = keep / "store.db"
            if _articles(store) >= args.store_n:
                report["store"] = {"articles": _articles(store), "reused": str(store)}
                report["store"]["kib_per_article"] = round(
                    store.stat().st_size / report["store"]["articles"] / 1024, 1
                )
            else:
                seeds = sorted(keep.glob("add-*.db"))
                if not seeds:
                    parser.error(f"no seed store (add-J.db) in {keep}: run with --jobs first")
                store.unlink(missing_ok=True)
                report["store"] = build_store(seeds[0], store, args.store_n)
            print(json.dumps(report["store"]), flush=True)
            report["latency"] = latency(store, args.queries)
            print(json.dumps(report["latency"], indent=2))
        if args.deletes:
            report["deletes"] = deletes(keep / "add-1.db", args.deletes)
            print(json.dumps(report["deletes"], indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
