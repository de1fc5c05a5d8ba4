"""Is a Ray ``add`` the store a local ``add`` leaves? Repeated runs, every export kept, differences named.

Usage::

    .venv/bin/python benchmarks/ray_identity.py [--texts DIR] [-n N] [--cpus C] [--shard-size S]
                                               [--runs K] [--writes driver workers] [--keep DIR]

The texts are those of ``benchmarks/ray_add.py`` (the PolNeAR dev texts when present, else
the bundled samples, N of them in one JSON Lines file). The reference is a local ``newsgraph
add --jobs C`` run as a command of its own, into a new database of a throwaway PostgreSQL
server (tests/postgres.py): another process than the one compared with it, as a user's two
runs would be (a reference made in this process shares its string hash seed with the
driver, which once hid a process-dependent result). Then one local Ray instance with C
CPUs runs K times each write path (``--writes``: the driver writes, the actors write) into
new databases, and each store is compared with the reference: its export, and the linking
and claim tables beyond it (``tests/test_ray.py``'s ``tables``). A run that differs is
reported with the fields that differ (JSON paths, e.g. ``[3].entities[2].corpus_entity``,
with both values; for the tables, the rows only one side has). ``--keep DIR`` writes every
export there (``local.jsonl``, ``workers-1.jsonl``, ...). Prints one JSON line per run and a
summary; asserts nothing; times nothing that matters (see ray_add.py for speed).
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests"))


def export_text(corpus: Any) -> str:
    out = io.StringIO()
    corpus.export("jsonl", out)
    return out.getvalue()


def differences(expected: Any, got: Any, path: str = "", limit: int = 40) -> list[str]:
    """The JSON paths where ``got`` differs from ``expected``, with both values (at most ``limit``)."""
    found: list[str] = []

    def walk(a: Any, b: Any, where: str) -> None:
        if len(found) >= limit or a == b:
            return
        if isinstance(a, dict) and isinstance(b, dict):
            for key in sorted(set(a) | set(b)):
                walk(a.get(key, "<absent>"), b.get(key, "<absent>"), f"{where}.{key}")
        elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            for i, (x, y) in enumerate(zip(a, b, strict=True)):
                walk(x, y, f"{where}[{i}]")
        else:
            found.append(f"{where}: {json.dumps(a)[:200]} -> {json.dumps(b)[:200]}")

    walk(expected, got, path)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--texts")
    parser.add_argument("-n", type=int, default=24)
    parser.add_argument("--cpus", type=int, default=2)
    parser.add_argument("--shard-size", type=int, default=4)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--writes", nargs="+", default=["driver", "workers"], choices=["driver", "workers"])
    parser.add_argument("--keep", help="a folder for every export")
    args = parser.parse_args()
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    logging.getLogger("alembic").setLevel(logging.WARNING)

    import ray
    from postgres import Cluster
    from ray_add import POLNEAR_DEV, SAMPLES, write_jsonl
    from test_ray import tables

    from newsgraph.batch import ray_engine
    from newsgraph.core import Newsgraph
    from newsgraph.core.corpus import Corpus

    texts = Path(args.texts) if args.texts else POLNEAR_DEV if POLNEAR_DEV.is_dir() else SAMPLES
    keep = Path(args.keep) if args.keep else None
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
    ng = Newsgraph()
    server = Cluster()
    tally: dict[str, list[bool]] = {writes: [] for writes in args.writes}
    try:
        with tempfile.TemporaryDirectory() as name:
            source = Path(name) / "texts.jsonl"
            write_jsonl(texts, args.n, source)
            db = server.new_database()
            command = [str(Path(sys.executable).parent / "newsgraph"), "add", "-q", "--db", db]
            subprocess.run([*command, "--jobs", str(args.cpus), str(source)], check=True)
            local = Corpus(db=db, newsgraph=ng)
            reference, reference_tables = export_text(local), tables(local)
            articles = local.stats()["articles"]
            local.close()
            if keep is not None:
                (keep / "local.jsonl").write_text(reference, encoding="utf-8")
            expected = [json.loads(line) for line in reference.splitlines()]
            print(json.dumps({"run": "local", "articles": articles, "texts": str(texts)}), flush=True)
            ray.init(
                num_cpus=args.cpus,
                include_dashboard=False,
                object_store_memory=200 << 20,
                log_to_driver=False,
            )
            try:
                for run in range(1, args.runs + 1):
                    for writes in args.writes:
                        corpus = Corpus(db=server.new_database(), newsgraph=ng)
                        got = ray_engine.add(
                            corpus, [str(source)], actors=args.cpus, shard_size=args.shard_size, writes=writes
                        )
                        text, rows = export_text(corpus), tables(corpus)
                        corpus.close()
                        if keep is not None:
                            (keep / f"{writes}-{run}.jsonl").write_text(text, encoding="utf-8")
                        same = text == reference and rows == reference_tables
                        tally[writes].append(same)
                        row: dict[str, Any] = {
                            "run": run,
                            "writes": writes,
                            "added": got.added,
                            "identical": same,
                        }
                        if text != reference:
                            row["differences"] = differences(
                                expected, [json.loads(x) for x in text.splitlines()]
                            )
                        for table, theirs in rows.items():
                            ours = set(reference_tables[table])
                            if set(theirs) != ours:  # rows only one side has (a few)
                                row.setdefault("tables", {})[table] = sorted(set(theirs) ^ ours)[:6]
                        print(json.dumps(row), flush=True)
            finally:
                ray.shutdown()
    finally:
        server.stop()
    print(json.dumps({writes: f"{sum(v)} of {len(v)} identical" for writes, v in tally.items()}))


if __name__ == "__main__":
    main()
