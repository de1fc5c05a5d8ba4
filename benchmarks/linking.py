"""Cost of cross-article linking against the cost of analysing the same articles, in one run.

Usage::

    .venv/bin/python benchmarks/linking.py [--data ../shared/data/linking/np4e.jsonl] [--copies 3]

The NP4E texts (or ``--data``, JSON Lines with ``id`` and ``text``) are analysed once with
the default pipeline (timed: the baseline), then linked ``--copies`` times over, each copy
under new article ids so that every later copy meets a corpus that already holds the
same people: in memory (``MemoryLinkState``) and in a new SQLite store inside the
writer's transactions of 25 articles, as ``newsgraph add`` does (the article rows are
written too, timed apart). Prints milliseconds per article and the ratio of linking to
analysis; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default="../shared/data/linking/np4e.jsonl")
    parser.add_argument("--copies", type=int, default=3)
    args = parser.parse_args(argv)
    path = Path(args.data)
    if not path.exists():
        print(f"no data at {path} (see ../shared/data/README.md)")
        return 1
    from newsgraph.core import Newsgraph
    from newsgraph.core.linking import link_in_memory, link_stored
    from newsgraph.store import Store, article_key

    docs = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    ng = Newsgraph()
    started = time.perf_counter()
    articles = [(str(d["id"]), ng.analyze_text(d["text"], input=str(d["id"]))) for d in docs]
    analyse = (time.perf_counter() - started) / len(articles)
    copies = [(f"{c}/{doc_id}", article) for c in range(args.copies) for doc_id, article in articles]

    started = time.perf_counter()
    link_in_memory(copies)
    memory = (time.perf_counter() - started) / len(copies)

    write = link = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(str(Path(tmp) / "bench.db"))
        try:
            for start in range(0, len(copies), 25):
                with store.begin() as conn:
                    for copy_id, article in copies[start : start + 25]:
                        _, digest = article_key(article)
                        t0 = time.perf_counter()
                        store.write_article(conn, copy_id, f"{digest}-{copy_id}", article, "bench")
                        t1 = time.perf_counter()
                        link_stored(store, conn, copy_id, article)
                        write += t1 - t0
                        link += time.perf_counter() - t1
        finally:
            store.close()
    write, link = write / len(copies), link / len(copies)
    n = len(copies)
    print(f"{len(articles)} texts analysed, linked {args.copies}x ({n} articles)")
    print(f"  analyse (baseline)     {1000 * analyse:8.1f} ms/article")
    print(f"  link in memory         {1000 * memory:8.1f} ms/article   {memory / analyse:.3f}x analyse")
    print(f"  link in SQLite         {1000 * link:8.1f} ms/article   {link / analyse:.3f}x analyse")
    print(f"  (store article rows    {1000 * write:8.1f} ms/article   {write / analyse:.3f}x analyse)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
