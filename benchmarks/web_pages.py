"""Latency of the pages derived from all articles (map, timeline), rendered every time vs cached.

    .venv/bin/python benchmarks/web_pages.py --store /tmp/newsgraph-bench-3k.db [--requests 10]

``--store`` is an existing store (for example the one ``benchmarks/server_load.py`` builds;
it is opened, migrated if needed, and only read). Two apps over it answer, in process
(Starlette's ``TestClient``: no socket, so the figures are the server's own work), the same
requests one at a time:

- baseline: the page cache disabled (``PageCache(size=0)``), so every request aggregates
  the places or events and renders the page: what every request cost before the cache, and
  what the first request after each change to the store costs now;
- cached: the app as served (``PageCache()``), after one warm-up request per page: the
  store version look-up plus sending the kept page.

Prints, per page, p50 and max milliseconds of both, the page size, and the ratio
cached/baseline; also the cost of the version look-up alone. Asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path
from typing import Any

PAGES = ["/map", "/timeline", "/timeline?category=ASSAULT"]


def timed(client: Any, path: str, n: int) -> tuple[list[float], int]:
    times = []
    size = 0
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
        size = len(response.content)
    return times, size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", required=True, help="an existing store (path or URL)")
    parser.add_argument("--requests", type=int, default=10, help="requests per page and app")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()

    from fastapi.testclient import TestClient

    from newsgraph.core import browse
    from newsgraph.core.corpus import Corpus
    from newsgraph.server import create_app
    from newsgraph.server.web import PageCache

    if "://" not in args.store and not Path(args.store).exists():
        parser.error(f"no store at {args.store}")
    corpus = Corpus(db=args.store, create=False)
    stats = corpus.stats()
    baseline_app = create_app(corpus=corpus)
    baseline_app.state.pages = PageCache(size=0)
    cached_app = create_app(corpus=corpus)
    baseline, cached = TestClient(baseline_app), TestClient(cached_app)

    started = time.perf_counter()
    for _ in range(50):
        browse.version(corpus)
    version_ms = (time.perf_counter() - started) / 50 * 1000

    rows: list[dict[str, Any]] = []
    for path in PAGES:
        cached.get(path)  # warm-up: the first request renders and keeps the page
        before, size = timed(baseline, path, args.requests)
        after, _ = timed(cached, path, args.requests)
        rows.append(
            {
                "page": path,
                "bytes": size,
                "baseline_p50_ms": round(statistics.median(before), 1),
                "baseline_max_ms": round(max(before), 1),
                "cached_p50_ms": round(statistics.median(after), 1),
                "cached_max_ms": round(max(after), 1),
                "ratio": round(statistics.median(after) / statistics.median(before), 3),
            }
        )
    result = {
        "store": args.store,
        "articles": stats["articles"],
        "places": stats.get("places"),
        "events": stats.get("events"),
        "requests": args.requests,
        "version_lookup_ms": round(version_ms, 2),
        "load_average": os.getloadavg()[0],
        "pages": rows,
    }
    print(f"store {args.store}: {stats['articles']} articles; version look-up {version_ms:.2f} ms")
    heads = ("bytes", "base p50", "base max", "cache p50", "cache max", "ratio")
    print(f"{'page':32} " + " ".join(f"{h:>10}" for h in heads))
    for r in rows:
        print(
            f"{r['page']:32} {r['bytes']:>10} {r['baseline_p50_ms']:>10} {r['baseline_max_ms']:>10}"
            f" {r['cached_p50_ms']:>10} {r['cached_max_ms']:>10} {r['ratio']:>10}"
        )
    print(f"load average (1 min) {result['load_average']:.2f} on {os.cpu_count()} cores")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    corpus.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
