"""Attribution tagger variants scored on the TUNE part of PolNeAR dev, tags computed once.

Usage::

    .venv/bin/python scripts/attribution_variants.py [--data ../shared/data/polnear/dev]
                                                     MODEL_FOLDER VARIANT ...

``MODEL_FOLDER`` holds a learned tagger (``tagger.onnx`` with ``tagger-embeddings.npz`` and
``tagger-tokenizer.json``). The tune articles are read through clean, parse and entities once;
the CRF's tags and the learned tagger's per-word log-probabilities are computed once; each
variant then decodes, assembles with the shipped rules and is scored as ``newsgraph eval
attribution --part tune`` scores (top-level attributions; the same figures for ``crf`` and
``onnx``). Only the tune part: variants are choices, and choices may look at the tune part only.

Variants (one line of figures each):

* ``crf``, ``onnx``: each tagger's own tags;
* ``con-crf``: source and cue tags from the learned tagger, content tags from the CRF (where the
  learned tagger tagged no source or cue); ``con-union`` / ``con-inter``: content where either /
  both taggers tag it;
* ``con-snap``: the learned tagger's tags, each of its content runs replaced by the extent of the
  CRF content runs it overlaps (kept when none does); ``con-snap-add``: the same, plus the CRF's
  content runs where the learned tagger tagged nothing;
* ``bias=LABEL:X[/LABEL:X...]``: X added to the learned tagger's log-probability of LABEL
  (``O``, ``B-SRC`` ... ``I-CON``) before the constrained decoding.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
POLNEAR_DEV = ROOT.parent / "shared" / "data" / "polnear" / "dev"


def role(tag: str) -> str | None:
    return None if tag == "O" else tag[2:]


def runs(tags: list[str], name: str) -> list[tuple[int, int]]:
    """``[i, j)`` of each run of role ``name`` (a ``B-`` starts a new run)."""
    out: list[tuple[int, int]] = []
    k = 0
    while k < len(tags):
        if role(tags[k]) == name:
            j = k + 1
            while j < len(tags) and role(tags[j]) == name and tags[j][:2] != "B-":
                j += 1
            out.append((k, j))
            k = j
        else:
            k += 1
    return out


def put_content(out: list[str], k: int) -> None:
    out[k] = "I-CON" if k and role(out[k - 1]) == "CON" else "B-CON"


def combine(nn: list[str], cr: list[str], mode: str) -> list[str]:
    """One paragraph's tags for a hybrid ``mode`` (see the module doc)."""
    out = list(nn)
    if mode in ("con-crf", "con-union", "con-inter"):
        for k in range(len(nn)):
            if role(nn[k]) in ("SRC", "CUE"):
                continue
            a, b = role(nn[k]) == "CON", role(cr[k]) == "CON"
            keep = b if mode == "con-crf" else (a or b) if mode == "con-union" else (a and b)
            if keep:
                put_content(out, k)
            else:
                out[k] = "O"
        return out
    crf_runs = runs(cr, "CON")
    for i, j in runs(nn, "CON"):
        over = [(x, y) for x, y in crf_runs if x < j and y > i]
        if not over:
            continue
        for k in range(i, j):
            out[k] = "O"
        for k in range(min(x for x, _ in over), max(y for _, y in over)):
            if role(nn[k]) not in ("SRC", "CUE"):
                put_content(out, k)
    if mode == "con-snap-add":
        for x, y in crf_runs:
            if all(role(out[k]) is None for k in range(x, y)):
                out[x:y] = cr[x:y]
    return out


class Biased:
    """Decodes recorded log-probabilities with a per-label bias added (the tagger's interface)."""

    def __init__(self, scores: list[np.ndarray], bias: np.ndarray, decode: Any) -> None:
        self.scores, self.bias, self.decode = scores, bias, decode

    def tag_words(self, paras: list[list[str]]) -> list[list[str]]:
        assert len(paras) == len(self.scores)
        return [self.decode(s + self.bias) for s in self.scores]


def main() -> int:
    from newsgraph.core import Newsgraph
    from newsgraph.evaluation.attribution import load_split, score
    from newsgraph.evaluation.splits import select
    from newsgraph.stages.attributions import assemble, make_stage
    from newsgraph.stages.attributions import tagger_onnx as tonnx
    from newsgraph.stages.attributions.features import Table, table_paragraphs
    from newsgraph.stages.attributions.tagger import crf_tags, load_tagger, onnx_tags, segments

    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--data", default=str(POLNEAR_DEV))
    ap.add_argument("model_folder")
    ap.add_argument("variants", nargs="+")
    args = ap.parse_args()
    arts = select("polnear-dev", load_split(args.data), lambda a: a[0], "tune")
    ng = Newsgraph(stages=["clean", "parse", "entities"])
    crf = load_tagger(None)
    stage = make_stage(model=str(Path(args.model_folder) / "tagger.onnx"), tagger="onnx")
    learned = stage.tagger
    decode = tonnx.viterbi

    class Recorder:
        """Keeps the learned tagger's per-word log-probabilities (decoded later per variant)."""

        def __init__(self) -> None:
            self.scores: list[np.ndarray] = []

        def record(self, scores: np.ndarray) -> list[str]:
            self.scores.append(scores.copy())
            return decode(scores)

        def tag_words(self, paras: list[list[str]]) -> list[list[str]]:
            tonnx.viterbi = self.record
            try:
                tags: list[list[str]] = learned.tag_words(paras)
                return tags
            finally:
                tonnx.viterbi = decode

    docs: list[Any] = []
    for _name, text, gold in arts:
        article = ng.analyze_text(text)
        tab = Table(article.doc, stage.lex)
        paras = table_paragraphs(tab)
        rec = Recorder()
        nn = onnx_tags(tab, paras, rec)
        docs.append((article, text, gold, tab, paras, nn, crf_tags(tab, paras, crf), rec.scores))
    print(f"{len(docs)} tune articles of {args.data}; model {args.model_folder}")
    print(f"{'variant':32} source    cue  content relation  who-said-what")
    for var in args.variants:
        bias = np.zeros(len(tonnx.LABELS), dtype=np.float32)
        if var.startswith("bias="):
            for item in var[5:].split("/"):
                label, _, x = item.partition(":")
                bias[tonnx.LABELS.index(label)] += float(x)
        elif var not in ("crf", "onnx", "con-crf", "con-union", "con-inter", "con-snap", "con-snap-add"):
            print(f"unknown variant {var!r}", file=sys.stderr)
            return 2
        items = []
        for article, text, gold, tab, paras, nn, cr, scores in docs:
            if var.startswith("bias="):
                tags = onnx_tags(tab, paras, Biased(scores, bias, decode))
            elif var in ("crf", "onnx"):
                tags = cr if var == "crf" else nn
            else:
                pairs = zip(nn, cr, strict=True)
                tags = [x if x is None or y is None else combine(x, y, var) for x, y in pairs]
            atts = assemble.build(
                article, article.doc, stage.lex, segments(tab, paras, tags), tab, paras, unattributed=True
            )
            items.append((text, gold, [a for a in atts if a.parent is None]))
        rep = score(items)
        r = rep["role_span_exact"]
        print(
            f"{var:32} {r['source']['f1']:.3f}  {r['cue']['f1']:.3f}  {r['content']['f1']:.3f}"
            f"    {rep['relation']['f1']:.3f}          {rep['who_said_what']['f1']:.3f}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
