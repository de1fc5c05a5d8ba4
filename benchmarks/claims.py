"""Claim grouping cost per added article, as the store grows, against the analysis cost per article.

    .venv/bin/python benchmarks/claims.py [--texts DIR] [--articles 10000] [--distinct]
                                          [--db PATH] [--cache FILE]

Texts: DIR/*.txt (default the PolNeAR dev texts in ../shared/data/polnear/dev/text, else
the bundled samples), analysed once through the Newsgraph facade (the analysis time per
article is the baseline, measured in the same run unless ``--cache`` reads it). The
analysed articles are then added again and again, with varied ids, to a SQLite store
through ``claim_store.add_article`` (the code ``add`` runs in its writer):

- by default every repeat is a republished copy of an earlier article: copy detection
  meets every earlier copy, and each claim joins its group through its text key;
- with ``--distinct``, each repeat's attribution contents get a word of their own
  ("v1234"), so no claim is a copy of another: every one goes through the candidate
  look-up (each term's postings grow by one per repeat, up to the 300-posting bound)
  and is compared with up to 60 near-identical earlier claims. Event claims stay copies.

Prints the grouping milliseconds per article by thousands of articles in the store and
their ratio to the analysis time per article (target: under 0.20), in wall time and in this
process's CPU time (steadier on a shared machine; ``--cache`` files written before the CPU
column existed give no CPU ratio).
"""

from __future__ import annotations

import argparse
import os
import pickle
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--texts", default=str(ROOT.parent / "shared/data/polnear/dev/text"))
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument(
        "--distinct", action="store_true", help="give each repeat's claims a word of their own"
    )
    parser.add_argument("--db", default=None, help="SQLite file (default: a temporary one)")
    parser.add_argument(
        "--cache",
        default=None,
        help="pickle of the analysed articles and their analysis time: read if it exists, else written",
    )
    args = parser.parse_args()
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

    from newsgraph.core import Newsgraph
    from newsgraph.corpus import claim_store
    from newsgraph.model import Article
    from newsgraph.store import Store

    folder = Path(args.texts)
    paths = sorted(folder.glob("*.txt")) or sorted((ROOT / "newsgraph/samples").glob("*.txt"))
    if args.cache and Path(args.cache).exists():
        with open(args.cache, "rb") as handle:
            analysed, analysis, *rest = pickle.load(handle)
        analysis_cpu = rest[0] if rest else None
        print(f"analysed articles and analysis time read from {args.cache}")
    else:
        ng = Newsgraph()
        started, cpu = time.perf_counter(), time.process_time()
        analysed = [a for a in ng.analyze_many(Article(p.read_text("utf-8"), input=p.name) for p in paths)]
        analysed = [a for a in analysed if isinstance(a, Article)]
        analysis = (time.perf_counter() - started) / len(analysed)
        analysis_cpu = (time.process_time() - cpu) / len(analysed)
        if args.cache:
            with open(args.cache, "wb") as handle:
                pickle.dump((analysed, analysis, analysis_cpu), handle)
    claim_store.index  # noqa: B018 - import the module before timing
    from newsgraph.corpus.stance import embedder

    embedder()  # load the embeddings before the clock starts
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(args.db or f"{tmp}/claims-bench.db")
        cpu_note = f", {analysis_cpu * 1000:.1f} ms CPU" if analysis_cpu else ""
        print(f"{len(analysed)} distinct articles; analysis {analysis * 1000:.1f} ms per article{cpu_note}")
        print(
            f"{'articles in store':>18} {'grouping ms/article':>20} {'ratio to analysis':>18}"
            f" {'CPU ms/article':>15} {'CPU ratio':>10}"
        )
        window, window_start, window_cpu, batch = 0, time.perf_counter(), time.process_time(), 25
        for start in range(0, args.articles, batch):
            with store.begin() as conn:
                for i in range(start, min(start + batch, args.articles)):
                    article = analysed[i % len(analysed)]
                    article.metadata.published = f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}"
                    contents = [a.content.text for a in article.attributions]
                    if args.distinct and i >= len(analysed):
                        for att in article.attributions:
                            att.content.text = f"{att.content.text} v{i}"
                    claim_store.add_article(conn, f"bench-{i:06d}", article)
                    for att, text in zip(article.attributions, contents, strict=True):
                        att.content.text = text
                    window += 1
            done = min(start + batch, args.articles)
            if done % 1000 == 0 or done == args.articles:
                per = (time.perf_counter() - window_start) / max(window, 1)
                per_cpu = (time.process_time() - window_cpu) / max(window, 1)
                cpu_ratio = f"{per_cpu / analysis_cpu:>10.3f}" if analysis_cpu else f"{'-':>10}"
                print(
                    f"{done:>18,} {per * 1000:>20.1f} {per / analysis:>18.3f}"
                    f" {per_cpu * 1000:>15.1f} {cpu_ratio}",
                    flush=True,
                )
                window, window_start, window_cpu = 0, time.perf_counter(), time.process_time()
        store.close()


if __name__ == "__main__":
    main()
