"""Benchmark the places gazetteer: build time, load time, memory added, lookups per second.

Usage::

    .venv/bin/python benchmarks/gazetteer.py [--rebuild] [--cache DIR]

Builds the index into a scratch cache directory (or reuses it), then, in a fresh child process
(so that building does not pollute the numbers), times opening it, the peak RSS it adds, and
lookups of a fixed mix of names (known, ambiguous, unknown) with a cold and a warm cache.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

NAMES = [
    "Moscow", "Kiev", "Kyiv", "Tartous", "Hmeimim", "Washington", "Paris", "Springfield", "Georgia",
    "U.S.", "Britain", "Russian", "New York", "Zürich", "São Paulo", "Gaza Strip", "Kremlin",
    "Nowhereville", "Qwertyuiop", "Aleppo", "Idlib", "Donbas", "Orange County", "Texas", "Lagos",
]  # fmt: skip


def _rss_kb() -> int:
    """Current resident set size in KiB (Linux), else the peak so far."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child(path: str) -> dict[str, float]:
    """Runs in a fresh interpreter: open the index and look names up."""
    from newsgraph.stages.places.gazetteer import Gazetteer, norm

    rss0 = _rss_kb()
    t0 = time.perf_counter()
    gaz = Gazetteer(Path(path))
    gaz.lookup("Moscow")  # the first query opens the file
    load_s = time.perf_counter() - t0
    keys = [norm(n) for n in NAMES]
    rounds = 40
    cold_n = 0
    t0 = time.perf_counter()
    for _ in range(rounds):
        gaz._cache.clear()  # every lookup goes to SQLite
        for k in keys:
            gaz.lookup_key(k)
            cold_n += 1
    cold_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _ in range(rounds * 10):
        for k in keys:
            gaz.lookup_key(k)  # served from the in-memory cache
    warm_s = time.perf_counter() - t0
    rss1 = max(_rss_kb(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    return {
        "load_s": round(load_s, 4),
        "rss_added_mb": round((rss1 - rss0) / 1024, 1),
        "lookups_per_s_uncached": round(cold_n / cold_s),
        "lookups_per_s_cached": round(rounds * 10 * len(keys) / warm_s),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rebuild", action="store_true", help="build even if a cached index exists")
    parser.add_argument("--cache", help="cache directory (default: a fresh temporary one)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child)))
        return
    cache = Path(args.cache or tempfile.mkdtemp(prefix="newsgraph-gazetteer-"))
    os.environ["NEWSGRAPH_CACHE"] = str(cache)
    from newsgraph.stages.places.gazetteer import build, index_path

    path = index_path()
    build_s = None
    if args.rebuild or not path.exists():
        t0 = time.perf_counter()
        build(path)
        build_s = round(time.perf_counter() - t0, 2)
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(path)], capture_output=True, text=True, check=True
    )
    numbers = json.loads(out.stdout)
    print(f"index:                 {path} ({path.stat().st_size / 1e6:.1f} MB)")
    print(f"build time:            {build_s if build_s is not None else '(cached)'} s")
    print(f"load time:             {numbers['load_s']} s")
    print(f"peak RSS added:        {numbers['rss_added_mb']} MB")
    print(f"lookups/s (uncached):  {numbers['lookups_per_s_uncached']}")
    print(f"lookups/s (cached):    {numbers['lookups_per_s_cached']}")


if __name__ == "__main__":
    main()
