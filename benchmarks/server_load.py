"""A bounded load test of ``newsgraph serve`` on loopback over the 10,000-article benchmark store.

Usage::

    .venv/bin/python benchmarks/server_load.py --store /tmp/newsgraph-bench-10k.db
        [--seconds 30] [--concurrency 8] [--workers 1] [--store-n 10000] [--seed-n 40] [--json FILE]

1. The store: ``--store`` when it exists, else built there as ``benchmarks/corpus.py`` does
   (``--seed-n`` texts analysed and added with the real pipeline, then written again under
   new ids and URLs until there are ``--store-n`` articles) and kept for the next run.
   ``build_store`` does not group claims; the claims of the last ``--claims-n`` articles
   are grouped here (once, when the store has no claims), so the claims list has content.
2. ``newsgraph serve --db STORE`` (uvicorn, one process) on a free port of 127.0.0.1.
3. Baseline, in the same run: the same look-ups through the Python API (``Corpus``) in
   this process, one at a time (``--baseline-queries`` each): what the store itself costs.
4. For ``--seconds``, ``--concurrency`` clients (httpx, keep-alive) send requests in turn to
   each endpoint below, with ids, names and words drawn from the store; reported per
   endpoint: requests, requests/s, p50/p95/max latency in ms, errors (a status other
   than 200 or a transport error). The pages (``/articles/ID``, ``/entity?name=NAME``,
   ``/claims``) are measured when the server has them (the web pages, docs/web.md).

The client runs on the same 2-core machine as the server, so the figures are a floor.
Prints numbers and asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

import corpus as corpus_bench  # noqa: E402 (benchmarks/corpus.py, next to this file)


def ensure_store(path: Path, store_n: int, seed_n: int, texts: str | None) -> dict[str, Any]:
    """The benchmark store at ``path``, built (and kept) when missing."""
    if path.exists():
        return {"store": str(path), "built": False}
    from newsgraph.core.corpus import Corpus

    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="newsgraph-load-") as name:
        tmp = Path(name)
        source = tmp / "texts.jsonl"
        corpus_bench.write_jsonl(corpus_bench.texts_dir(texts), seed_n, source)
        seed = tmp / "seed.db"
        started = time.perf_counter()
        seed_corpus = Corpus(db=str(seed))
        summary = seed_corpus.add([str(source)])
        seed_corpus.close()
        built = corpus_bench.build_store(seed, path.with_suffix(".building"), store_n)
        path.with_suffix(".building").rename(path)
    return {
        "store": str(path),
        "built": True,
        "seed": summary.to_dict(),
        **built,
        "build_s": round(time.perf_counter() - started, 1),
    }


def baseline(store: Path, paths: dict[str, list[str]], queries: int, rng: random.Random) -> dict[str, Any]:
    """The same look-ups through the Python API in this process, one at a time: the store's
    share of each endpoint's latency (the rest is HTTP, JSON, threads and queueing)."""
    from urllib.parse import parse_qs, unquote, urlsplit

    from newsgraph.core.corpus import Corpus

    corpus = Corpus(db=str(store), create=False)

    def call(path: str) -> Any:
        parts = urlsplit(path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        segments = [unquote(p) for p in parts.path.strip("/").split("/")]
        if segments[:2] == ["api", "articles"]:
            return corpus.article(segments[2]).to_dict()  # type: ignore[union-attr]
        if segments[:2] == ["api", "entities"]:
            return corpus.entity(segments[2])
        if segments[:2] == ["api", "claims"]:
            return corpus.claims(limit=21, min_articles=int(query.get("min_articles", 2)))
        if segments[:2] == ["api", "search"]:
            return corpus.search(query["q"], limit=21)
        return None

    out: dict[str, Any] = {}
    for name, choices in paths.items():
        if not name.startswith("GET /api/"):
            continue
        ms = []
        for _ in range(queries):
            path = rng.choice(choices)
            started = time.perf_counter()
            call(path)
            ms.append((time.perf_counter() - started) * 1000)
        ms.sort()
        out[name] = {
            "p50_ms": round(statistics.median(ms), 1),
            "p95_ms": round(ms[int(0.95 * (len(ms) - 1))], 1),
        }
    corpus.close()
    return out


def ensure_claims(path: Path, n: int) -> dict[str, Any]:
    """Claims grouped for the ``n`` most recently added articles of the store, unless it has
    claims already. ``build_store`` copies analyses without grouping their claims, and
    grouping is slow (about half a second per article here), so only a part is grouped."""
    from newsgraph.corpus import claim_store
    from newsgraph.store import Store, tables

    store = Store.open(str(path))
    with store.read() as conn:
        present = conn.execute(tables.claims.select().limit(1)).first() is not None
        ids = [] if present or n <= 0 else store.article_ids(conn)[-n:]
    started = time.perf_counter()
    for start in range(0, len(ids), 50):
        chunk = ids[start : start + 50]
        with store.read() as conn:
            analysed = store.read_articles(conn, chunk)
        with store.begin() as conn:
            for article_id, article in zip(chunk, analysed, strict=True):
                claim_store.add_article(conn, article_id, article)
    store.close()
    return {"claims_grouped_for": len(ids), "claims_s": round(time.perf_counter() - started, 1)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(store: Path, port: int, workers: int = 1) -> subprocess.Popen[bytes]:
    newsgraph = Path(sys.executable).parent / "newsgraph"  # the console script of this environment
    command = [str(newsgraph), "serve", "--db", str(store), "--port", str(port), "--workers", str(workers)]
    env = {**os.environ, "NEWSGRAPH_TOKEN": ""}
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_ready(base: str, server: subprocess.Popen[bytes], timeout: float = 120.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"server exited: {server.stderr.read().decode() if server.stderr else ''}")
        try:
            if httpx.get(f"{base}/api/stats", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit("server did not answer in time")


def targets(base: str, rng: random.Random) -> dict[str, list[str]]:
    """URL paths per endpoint, with ids, names and words drawn from the store."""
    import httpx

    with httpx.Client(base_url=base, timeout=60) as client:
        articles = [a["article_id"] for a in client.get("/api/articles?limit=200").json()["items"]]
        names = [e["name"] for e in client.get("/api/entities?limit=200").json()["items"]]
        quotes = client.get("/api/attributions?limit=200").json()["items"]
        words = sorted(
            {w for q in quotes for w in (q["content"] or "").split() if w.isalpha() and len(w) > 4}
        )
        has_pages = client.get(f"/articles/{articles[0]}").status_code == 200
    rng.shuffle(words)
    out: dict[str, list[str]] = {
        "GET /api/articles/ID": [f"/api/articles/{a}" for a in articles],
        "GET /api/entities/NAME": [f"/api/entities/{quote(n, safe='')}" for n in names],
        "GET /api/claims": ["/api/claims?limit=20", "/api/claims?limit=20&min_articles=1"],
        "GET /api/search?q=WORD": [f"/api/search?q={quote(w)}&limit=20" for w in words[:300]],
    }
    if has_pages:
        out["GET /articles/ID (page)"] = [f"/articles/{a}" for a in articles]
        out["GET /entity?name=NAME (page)"] = [f"/entity?name={quote(n, safe='')}" for n in names]
        out["GET /claims (page)"] = ["/claims", "/claims?contested=1"]
    return out


async def load(base: str, paths: dict[str, list[str]], seconds: float, concurrency: int) -> dict[str, Any]:
    import httpx

    names = list(paths)
    times: dict[str, list[float]] = {n: [] for n in names}
    errors: dict[str, int] = {n: 0 for n in names}
    examples: dict[str, str] = {}
    stop = time.monotonic() + seconds

    async def client_loop(k: int) -> None:
        rng = random.Random(k)
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
            n = k
            while time.monotonic() < stop:
                name = names[n % len(names)]
                n += 1
                path = rng.choice(paths[name])
                started = time.perf_counter()
                try:
                    response = await client.get(path)
                    await response.aread()
                    ok = response.status_code == 200
                    problem = f"HTTP {response.status_code} {path}"
                except httpx.HTTPError as err:
                    ok, problem = False, f"{type(err).__name__} {path}"
                times[name].append((time.perf_counter() - started) * 1000)
                if not ok:
                    errors[name] += 1
                    examples.setdefault(name, problem)

    started = time.perf_counter()
    await asyncio.gather(*(client_loop(k) for k in range(concurrency)))
    elapsed = time.perf_counter() - started
    report: dict[str, Any] = {"seconds": round(elapsed, 1), "concurrency": concurrency, "endpoints": {}}
    for name in names:
        ms = sorted(times[name])
        if not ms:
            continue
        report["endpoints"][name] = {
            "requests": len(ms),
            "per_s": round(len(ms) / elapsed, 1),
            "p50_ms": round(statistics.median(ms), 1),
            "p95_ms": round(ms[int(0.95 * (len(ms) - 1))], 1),
            "max_ms": round(ms[-1], 1),
            "errors": errors[name],
        }
    total = sum(len(v) for v in times.values())
    report["total"] = {"requests": total, "per_s": round(total / elapsed, 1), "errors": sum(errors.values())}
    if examples:
        report["error_examples"] = examples
    return report


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--store", required=True, help="the benchmark store (built here when missing)")
    parser.add_argument("--store-n", type=int, default=10_000)
    parser.add_argument("--seed-n", type=int, default=40, help="texts analysed to seed a new store")
    parser.add_argument("--texts", help="DIR/*.txt to seed from (default as benchmarks/corpus.py)")
    parser.add_argument(
        "--claims-n", type=int, default=300, help="articles whose claims are grouped in a new store"
    )
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=1, help="newsgraph serve --workers")
    parser.add_argument("--skip", nargs="*", default=[], help="leave out endpoints whose name holds WORD")
    parser.add_argument("--baseline-queries", type=int, default=30, help="in-process look-ups per endpoint")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    store = Path(args.store)
    report: dict[str, Any] = {"store": ensure_store(store, args.store_n, args.seed_n, args.texts)}
    report["store"].update(ensure_claims(store, args.claims_n))
    print(json.dumps(report["store"]), flush=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(store, port, args.workers)
    try:
        wait_ready(base, server)
        import httpx

        report["stats"] = httpx.get(f"{base}/api/stats", timeout=60).json()
        paths = targets(base, random.Random(7))
        if args.skip:
            paths = {k: v for k, v in paths.items() if not any(word in k for word in args.skip)}
        report["in_process"] = baseline(store, paths, args.baseline_queries, random.Random(8))
        print(json.dumps({"in_process (Corpus, one at a time)": report["in_process"]}, indent=2), flush=True)
        report["load"] = asyncio.run(load(base, paths, args.seconds, args.concurrency))
        report["load"]["workers"] = args.workers
    finally:
        server.terminate()
        server.wait(timeout=30)
    stats = report["stats"]
    print(json.dumps({k: stats[k] for k in ("articles", "attributions", "entities", "events", "places")}))
    print(json.dumps(report["load"], indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
