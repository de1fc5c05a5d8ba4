"""Time and peak memory of one long article against its length (the whole pipeline, one process).

Usage::

    .venv/bin/python benchmarks/long_articles.py [--texts DIR] [--sizes 10000 100000 ...]
                                                 [--profile default] [--json FILE]

The article of each size is the texts of ``DIR/*.txt`` (default: the PolNeAR dev texts at
``../shared/data/polnear/dev/text`` when present, else the bundled samples) run together,
separated by blank lines, repeated as needed and cut at a paragraph break just under the
size. Each size runs in a fresh process (``spawn``) that loads the pipeline, then times
``Newsgraph(profile=...).analyze_text`` once. Reported per size: CPU seconds of the
analysis, CPU microseconds per character (flat when time is linear in the length), and
the process's peak RSS (``ru_maxrss``) with the pipeline loaded before the article and
after it. This script prints numbers; it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
POLNEAR_DEV = ROOT.parent / "shared" / "data" / "polnear" / "dev" / "text"
SAMPLES = ROOT / "newsgraph" / "samples"
SIZES = (10_000, 100_000, 500_000, 1_500_000)


def long_text(directory: Path, size: int) -> str:
    """Texts of ``directory`` joined by blank lines, repeated, cut at a paragraph break <= ``size``."""
    parts = [f.read_text(encoding="utf-8").strip() for f in sorted(directory.glob("*.txt"))]
    if not parts:
        raise SystemExit(f"no *.txt files in {directory}")
    chunks: list[str] = []
    total = 0
    while total < size:
        for part in parts:
            chunks.append(part)
            total += len(part) + 2
            if total >= size:
                break
    text = "\n\n".join(chunks)[:size]
    cut = text.rfind("\n\n")
    return text[:cut] if cut > size // 2 else text


def _peak() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _measure(text: str, profile: str, queue: Any) -> None:
    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    sys.path.insert(0, str(ROOT))
    from newsgraph.core import Newsgraph

    ng = Newsgraph(profile=profile)
    ng.analyze_text("A short warm-up article. It said nothing.")
    loaded = _peak()
    cpu = time.process_time()
    wall = time.perf_counter()
    article = ng.analyze_text(text)
    queue.put(
        {
            "chars": len(text),
            "cpu_s": time.process_time() - cpu,
            "wall_s": time.perf_counter() - wall,
            "peak_rss_loaded": loaded,
            "peak_rss": _peak(),
            "entities": len(article.entities),
            "attributions": len(article.attributions),
        }
    )


def measure(directory: Path, sizes: list[int], profile: str) -> list[dict[str, Any]]:
    ctx = mp.get_context("spawn")
    rows = []
    for size in sizes:
        queue = ctx.Queue()
        proc = ctx.Process(target=_measure, args=(long_text(directory, size), profile, queue))
        proc.start()
        row = queue.get()
        proc.join()
        rows.append(row)
        print(render_row(row), flush=True)
    return rows


def render_row(row: dict[str, Any]) -> str:
    return (
        f"{row['chars']:>10,} chars  {row['cpu_s']:>7.1f} s CPU  {row['wall_s']:>7.1f} s wall  "
        f"{1e6 * row['cpu_s'] / row['chars']:>6.1f} µs CPU/char  "
        f"peak RSS {row['peak_rss'] / 2**20:>6.0f} MiB "
        f"(loaded {row['peak_rss_loaded'] / 2**20:.0f} MiB)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--texts", type=Path, default=None, help="directory of *.txt articles")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), help="article lengths (chars)")
    parser.add_argument("--profile", default="default", help="pipeline profile")
    parser.add_argument("--json", type=Path, default=None, help="also write the rows as JSON here")
    args = parser.parse_args(argv)
    directory = args.texts or (POLNEAR_DEV if POLNEAR_DEV.is_dir() else SAMPLES)
    print(f"texts: {directory}; profile {args.profile}; one fresh process per size")
    rows = measure(directory, args.sizes, args.profile)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
