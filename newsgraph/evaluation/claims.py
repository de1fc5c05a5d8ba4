"""Score claim relations on FNC-1: does an article carry a headline's claim, and how?

For each headline–body pair of ``stances.csv`` the system says ``unrelated``,
``agree``, ``disagree`` or ``discuss`` (``newsgraph.corpus.stance.relate``). Each
body is analysed by the configured pipeline through the ``Newsgraph`` facade, as
``analyze`` would, so the hedges and denials the pipeline finds are part of the
decision. Metrics (``../shared/data/README.md``):

- related-vs-unrelated F1 (related is the positive class);
- macro-F1 over the four classes;
- the FNC score: 0.25 for each correct related/unrelated decision, 0.75 more for
  the right stance of a related pair, divided by the best possible score.

The split is by body (``newsgraph/data/splits/stance-dev.tsv``): every headline paired
with a body goes with it.
"""

from __future__ import annotations

import csv
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import BadInput
from .splits import select

SET = "stance-dev"
LABELS = ("agree", "disagree", "discuss", "unrelated")


@dataclass
class Pair:
    headline: str
    body_id: str
    stance: str


def load(data: str | Path, part: str = "all") -> tuple[dict[str, str], list[Pair]]:
    """Bodies by id and the pairs of ``part`` (bodies of other parts left out)."""
    root = Path(data)
    csv.field_size_limit(10_000_000)
    with open(root / "bodies.csv", encoding="utf-8", newline="") as handle:
        bodies = {row["Body ID"]: row["articleBody"] for row in csv.DictReader(handle)}
    with open(root / "stances.csv", encoding="utf-8", newline="") as handle:
        pairs = [Pair(r["Headline"], r["Body ID"], r["Stance"]) for r in csv.DictReader(handle)]
    pairs = select(SET, pairs, lambda p: p.body_id, part)
    keep = {p.body_id for p in pairs}
    return {k: v for k, v in bodies.items() if k in keep}, pairs


def analyse_bodies(
    bodies: dict[str, str], *, config: str | None = None, profile: str | None = None, ng: Any = None
) -> Any:
    """Each body as an analysed article (None when the pipeline rejects it), through the facade
    (``ng``, as ``eval --config/--profile`` built it, else one built from ``config``/``profile``)."""
    from ..core import Newsgraph
    from ..model import Article

    kwargs: dict[str, Any] = {"config": config}
    if profile is not None:
        kwargs["profile"] = profile
    ng = ng or Newsgraph(**kwargs)
    ids = sorted(bodies)
    items = [Article(text=bodies[i], input=f"fnc-body-{i}") for i in ids]
    out: dict[str, Any] = {}
    for body_id, result in zip(ids, ng.analyze_many(items), strict=True):
        out[body_id] = result if isinstance(result, Article) else None
    return out


def passages(analysed: dict[str, Any], bodies: dict[str, str]) -> dict[str, Any]:
    from ..corpus.stance import Passage

    return {k: Passage.of(a) if a is not None else Passage(bodies[k]) for k, a in analysed.items()}


def score(gold: list[str], pred: list[str]) -> dict[str, Any]:
    """Related F1, per-class and macro F1, the FNC score and the confusion counts."""
    confusion = Counter(zip(gold, pred, strict=True))
    per_class = {}
    for label in LABELS:
        tp = confusion[(label, label)]
        n_pred = sum(v for (g, p), v in confusion.items() if p == label)
        n_gold = sum(v for (g, p), v in confusion.items() if g == label)
        prec = tp / n_pred if n_pred else 0.0
        rec = tp / n_gold if n_gold else 0.0
        per_class[label] = {
            "precision": round(prec, 4),
            "recall": round(rec, 4),
            "f1": round(2 * prec * rec / (prec + rec), 4) if prec + rec else 0.0,
            "gold": n_gold,
        }
    rel_tp = sum(v for (g, p), v in confusion.items() if g != "unrelated" and p != "unrelated")
    rel_pred = sum(v for (g, p), v in confusion.items() if p != "unrelated")
    rel_gold = sum(v for (g, p), v in confusion.items() if g != "unrelated")
    rp = rel_tp / rel_pred if rel_pred else 0.0
    rr = rel_tp / rel_gold if rel_gold else 0.0
    fnc = best = 0.0
    for g, p in zip(gold, pred, strict=True):
        best += 1.0 if g != "unrelated" else 0.25
        if (g == "unrelated") == (p == "unrelated"):
            fnc += 0.25
            if g != "unrelated" and g == p:
                fnc += 0.75
    return {
        "pairs": len(gold),
        "related_f1": round(2 * rp * rr / (rp + rr), 4) if rp + rr else 0.0,
        "related_precision": round(rp, 4),
        "related_recall": round(rr, 4),
        "macro_f1": round(sum(c["f1"] for c in per_class.values()) / len(LABELS), 4),
        "fnc_score": round(fnc / best, 4) if best else 0.0,
        "per_class": per_class,
        "confusion": {f"{g}->{p}": v for (g, p), v in sorted(confusion.items())},
    }


def evaluate(
    data: str,
    *,
    limit: int | None = None,
    part: str = "all",
    config: str | None = None,
    profile: str | None = None,
    ng: Any = None,
) -> dict[str, Any]:
    """Relate every headline to its body and score the decisions against the gold stances."""
    from ..corpus.stance import decide as decide_stance
    from ..corpus.stance import embedder, features, prepare, shipped_models

    bodies, pairs = load(data, part)
    if limit is not None:
        keep = sorted(bodies)[:limit]
        bodies = {k: bodies[k] for k in keep}
        pairs = [p for p in pairs if p.body_id in bodies]
    if not pairs:
        raise BadInput("E010", detail=f"no FNC-1 pairs in part {part!r} of {data}")
    t0 = time.perf_counter()
    analysed = analyse_bodies(bodies, config=config, profile=profile, ng=ng)
    t_analysis = time.perf_counter() - t0
    by_body = passages(analysed, bodies)
    models = shipped_models()
    t1 = time.perf_counter()
    emb = embedder()
    prepared = {k: prepare(v, emb) for k, v in by_body.items()}
    pred = [decide_stance(features(p.headline, prepared[p.body_id], emb), models)[0] for p in pairs]
    t_relate = time.perf_counter() - t1
    report = score([p.stance for p in pairs], pred)
    report.update(
        {
            "data": str(data),
            "bodies": len(bodies),
            "seconds_analysis": round(t_analysis, 2),
            "seconds_relate": round(t_relate, 2),
            "model": models.note,
        }
    )
    return report


def render(report: dict[str, Any]) -> str:
    lines = [
        f"claims (FNC-1, part {report.get('part', 'all')}): {report['pairs']} headline-body pairs, "
        f"{report['bodies']} bodies",
        f"related-vs-unrelated F1 {report['related_f1']:.3f} "
        f"(P {report['related_precision']:.3f}, R {report['related_recall']:.3f})",
        f"macro-F1 (4 classes)      {report['macro_f1']:.3f}",
        f"FNC score                 {report['fnc_score']:.3f}",
        "",
        "            P      R      F1    gold",
    ]
    for label, c in report["per_class"].items():
        lines.append(f"{label:<10} {c['precision']:.3f}  {c['recall']:.3f}  {c['f1']:.3f}  {c['gold']:>5}")
    lines += [
        "",
        f"analysis {report['seconds_analysis']} s, relating {report['seconds_relate']} s",
        "published (full FNC-1 test set): FNC score 0.795 (organisers' baseline), 0.820 (winner); "
        "macro-F1 of the best systems about 0.58-0.61",
    ]
    return "\n".join(lines)
