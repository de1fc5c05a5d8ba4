"""The writer of ``add`` alone, part by part, on analysed articles added to a copy of a large store.

Usage::

    .venv/bin/python benchmarks/corpus_writer.py --seed STORE.db --texts bodies.csv --n 200 \\
        [--start 10000] [--batch 25] [--analysed FILE.pkl] [--profile FILE.prof] [--keep OUT.db]

The texts are made as ``benchmarks/corpus.py`` makes them (``--start``: the first number,
so that they are not in the seed store) and analysed once in this process; ``--analysed
FILE`` keeps the analyses in a pickle and reuses them on the next run (the same inputs for
a before/after pair). Texts already in the seed store, or repeated, are left out. The seed
store is copied (and migrated when opened) before the clock starts; then each article goes
through what ``Corpus._commit`` runs for a new article, in transactions of ``--batch``:
``Store.write_article`` (rows, mentions, search rows, speaker words), ``link_stored``
(cross-article linking), ``claim_store.add_article`` (claim grouping, copies), and the
transaction's end: the kept entity counts (``groups.settle``) and SQLite's commit.

Printed: CPU ms per article of each part and in all (this process's time; the analysis is
not in it), and the load average. ``--profile FILE`` writes a cProfile (CPU clock) of the
writing to FILE (``python -m pstats FILE``); the profiler inflates Python-heavy parts about
4x. ``--keep OUT.db`` keeps the written store (compare two with ``sqlite3`` or an export).
Numbers vary with the load of a shared machine; this script asserts nothing.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pickle
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus as bench  # the texts as benchmarks/corpus.py makes them


def analysed(texts: Path, n: int, start: int, cache: Path | None) -> list[Any]:
    if cache is not None and cache.exists():
        with open(cache, "rb") as handle:
            return list(pickle.load(handle))
    from newsgraph.core import Newsgraph

    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "texts.jsonl"
        bench.write_jsonl(texts, n, source, start)
        out = list(Newsgraph().analyze_paths([str(source)], processes=1))
    if cache is not None:
        with open(cache, "wb") as handle:
            pickle.dump(out, handle)
    return out


def main(argv: list[str] | None = None) -> int:
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("--seed", required=True, help="the store to add to (copied first)")
    parser.add_argument("--texts", default=None, help="as benchmarks/corpus.py --texts")
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--start", type=int, default=10000)
    parser.add_argument("--batch", type=int, default=25)
    parser.add_argument("--analysed", type=Path, default=None, help="pickle of the analyses (made once)")
    parser.add_argument("--profile", type=Path, default=None)
    parser.add_argument("--keep", type=Path, default=None)
    args = parser.parse_args(argv)

    from newsgraph.core.linking import link_stored
    from newsgraph.corpus import claim_store
    from newsgraph.corpus.stance import embedder
    from newsgraph.model import Article
    from newsgraph.store import Store, article_key, groups

    articles = [
        a
        for a in analysed(bench.texts_dir(args.texts), args.n, args.start, args.analysed)
        if isinstance(a, Article)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        target = args.keep or Path(tmp) / "store.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copy(args.seed, target)
        store = Store.open(str(target))
        todo, seen = [], set()
        for article in articles:
            article_id, digest = article_key(article)
            with store.read() as conn:
                if digest in seen or store.find(conn, None, digest) is not None:
                    continue
            seen.add(digest)
            todo.append((article_id, digest, article))
        todo = todo[: args.n]
        embedder().embed(["warm up"])  # the claim embeddings' load is not the writer's per-article cost
        parts = dict.fromkeys(("write_article", "link", "claims", "settle", "commit"), 0.0)
        settle = groups.settle

        def timed_settle(conn: Any) -> None:
            started = time.process_time()
            settle(conn)
            parts["settle"] += time.process_time() - started

        groups.settle = timed_settle  # type: ignore[assignment]
        profile = cProfile.Profile(time.process_time) if args.profile else None
        load0 = os.getloadavg()[0]
        started = time.process_time()
        if profile is not None:
            profile.enable()
        for first in range(0, len(todo), args.batch):
            with store.begin() as conn:
                for article_id, digest, article in todo[first : first + args.batch]:
                    t0 = time.process_time()
                    store.write_article(conn, article_id, digest, article, "benchmark")
                    t1 = time.process_time()
                    link_stored(store, conn, article_id, article)
                    t2 = time.process_time()
                    claim_store.add_article(conn, article_id, article)
                    t3 = time.process_time()
                    parts["write_article"] += t1 - t0
                    parts["link"] += t2 - t1
                    parts["claims"] += t3 - t2
                ended = time.process_time()
            parts["commit"] += time.process_time() - ended
        if profile is not None:
            profile.disable()
            profile.dump_stats(str(args.profile))
        total = time.process_time() - started
        groups.settle = settle  # type: ignore[assignment]
        store.close()
        parts["commit"] -= parts["settle"]  # the transaction's end: SQLite's commit alone
        n = max(1, len(todo))
        result = {
            "articles": len(todo),
            "batch": args.batch,
            **{f"{k}_cpu_ms": round(v / n * 1000, 2) for k, v in parts.items()},
            "total_cpu_ms": round(total / n * 1000, 2),
            "load_start": round(load0, 2),
            "load_end": round(os.getloadavg()[0], 2),
        }
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
