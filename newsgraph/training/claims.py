"""Train the claim-relation models (``data/claims/stance.json``) on the tune part of FNC-1 dev.

``newsgraph train claims --data ../shared/data/claims/fnc1-dev`` analyses the tune
part's bodies through the facade, computes ``newsgraph.corpus.stance.features`` for
every headline–body pair, and fits two logistic models with NumPy: related vs
unrelated, and agree / disagree / discuss among related pairs. The decision
threshold and the class weighting are chosen by cross-validation over bodies
inside the tune part; the report part is never read.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..corpus.stance import (
    FEATURES_RELATED,
    FEATURES_STANCE,
    MODEL_FILE,
    RELATED_STANCES,
    LogisticModel,
    StanceModels,
    embedder,
    features,
    prepare,
    value_of,
)
from ..evaluation.claims import analyse_bodies, load, passages, score

FOLDS = 5
#: Class weightings tried for the stance model: the exponent of (1 / class share).
WEIGHT_POWERS = (0.0, 0.5, 0.75, 1.0)


def fit_logistic(
    rows: Sequence[dict[str, float]],
    labels: Sequence[str],
    names: Sequence[str],
    classes: Sequence[str],
    *,
    weight_power: float = 0.0,
    l2: float = 1e-3,
    steps: int = 600,
) -> LogisticModel:
    """Multinomial logistic regression on standardised features, by full-batch Adam."""
    import numpy as np

    x = np.array([[value_of(r, n) for n in names] for r in rows], dtype="float64")
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    for j, name in enumerate(names):
        if name == "bias" or scale[j] < 1e-9:
            mean[j], scale[j] = (0.0, 1.0) if name == "bias" else (mean[j], 1.0)
    xs = (x - mean) / scale
    index = {c: i for i, c in enumerate(classes)}
    y = np.array([index[label] for label in labels])
    onehot = np.eye(len(classes))[y]
    share = onehot.mean(axis=0)
    class_weight = (1.0 / np.maximum(share, 1e-9)) ** weight_power
    sample_weight = class_weight[y]
    sample_weight = sample_weight / sample_weight.mean()
    w = np.zeros((len(classes), len(names)))
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    rate, b1, b2 = 0.05, 0.9, 0.999
    for step in range(1, steps + 1):
        scores = xs @ w.T
        scores -= scores.max(axis=1, keepdims=True)
        probs = np.exp(scores)
        probs /= probs.sum(axis=1, keepdims=True)
        grad = ((probs - onehot) * sample_weight[:, None]).T @ xs / len(xs) + l2 * w
        m = b1 * m + (1 - b1) * grad
        v = b2 * v + (1 - b2) * grad**2
        w -= rate * (m / (1 - b1**step)) / (np.sqrt(v / (1 - b2**step)) + 1e-8)
    return LogisticModel(
        list(classes),
        list(names),
        [float(a) for a in mean],
        [float(a) for a in scale],
        [[float(a) for a in row] for row in w],
    )


def _folds(body_ids: Sequence[str]) -> list[int]:
    return [int(hashlib.sha256(b.encode()).hexdigest()[:6], 16) % FOLDS for b in body_ids]


def _choose(
    rows: list[dict[str, float]], gold: list[str], bodies: list[str]
) -> tuple[float, float, dict[str, Any]]:
    """Threshold and stance weighting by cross-validation over bodies (tune part only)."""
    folds = _folds(bodies)
    related_p = [0.0] * len(rows)
    stance_probs: dict[float, list[dict[str, float]]] = {p: [{}] * len(rows) for p in WEIGHT_POWERS}
    for k in range(FOLDS):
        train = [i for i, f in enumerate(folds) if f != k]
        test = [i for i, f in enumerate(folds) if f == k]
        rel = fit_logistic(
            [rows[i] for i in train],
            ["unrelated" if gold[i] == "unrelated" else "related" for i in train],
            FEATURES_RELATED,
            ("unrelated", "related"),
        )
        for i in test:
            related_p[i] = rel.probabilities(rows[i])["related"]
        train_rel = [i for i in train if gold[i] != "unrelated"]
        for power in WEIGHT_POWERS:
            st = fit_logistic(
                [rows[i] for i in train_rel],
                [gold[i] for i in train_rel],
                FEATURES_STANCE,
                RELATED_STANCES,
                weight_power=power,
            )
            for i in test:
                stance_probs[power][i] = st.probabilities(rows[i])
    best_t, best_f = 0.5, -1.0
    for step in range(5, 96):
        t = step / 100
        pred = ["related" if p >= t else "unrelated" for p in related_p]
        f = score(["unrelated" if g == "unrelated" else "related" for g in gold], pred)["related_f1"]
        if f > best_f:
            best_t, best_f = t, f
    best_power, best_macro = 0.0, -1.0
    for power in WEIGHT_POWERS:
        pred = [
            "unrelated" if related_p[i] < best_t else max(sp, key=lambda c: sp[c])
            for i, sp in enumerate(stance_probs[power])
        ]
        macro = score(gold, pred)["macro_f1"]
        if macro > best_macro:
            best_power, best_macro = power, macro
    return best_t, best_power, {"cv_related_f1": best_f, "cv_macro_f1": best_macro}


def train(
    data: str, *, out: str | None = None, limit: int | None = None, tagger: str | None = None
) -> dict[str, Any]:
    """Fit the two models on the tune part (``tagger`` is for the attribution trainer; unused)."""
    t0 = time.perf_counter()
    bodies, pairs = load(data, "tune")
    if limit is not None:
        keep = sorted(bodies)[:limit]
        bodies = {k: bodies[k] for k in keep}
        pairs = [p for p in pairs if p.body_id in bodies]
    analysed = analyse_bodies(bodies)
    by_body = passages(analysed, bodies)
    emb = embedder()
    prepared = {k: prepare(v, emb) for k, v in by_body.items()}
    rows = [features(p.headline, prepared[p.body_id], emb) for p in pairs]
    gold = [p.stance for p in pairs]
    threshold, power, cv = _choose(rows, gold, [p.body_id for p in pairs])
    related = fit_logistic(
        rows,
        ["unrelated" if g == "unrelated" else "related" for g in gold],
        FEATURES_RELATED,
        ("unrelated", "related"),
    )
    rel_idx = [i for i, g in enumerate(gold) if g != "unrelated"]
    stance = fit_logistic(
        [rows[i] for i in rel_idx],
        [gold[i] for i in rel_idx],
        FEATURES_STANCE,
        RELATED_STANCES,
        weight_power=power,
    )
    note = {
        "trained_on": "FNC-1 dev, tune part only (newsgraph/data/splits/stance-dev.tsv)",
        "command": f"newsgraph train claims --data {data}" + (f" --limit {limit}" if limit else ""),
        "pairs": len(pairs),
        "bodies": len(bodies),
        "class_weight_power": power,
        "cross_validation": {k: round(v, 4) for k, v in cv.items()},
    }
    models = StanceModels(related, stance, threshold, note)
    target = Path(out) if out else Path(__file__).resolve().parents[1] / "data" / "claims" / MODEL_FILE
    target.write_text(json.dumps(models.to_dict(), indent=1) + "\n", encoding="utf-8")
    return {**note, "threshold": threshold, "out": str(target), "seconds": round(time.perf_counter() - t0, 1)}


def render(report: dict[str, Any]) -> str:
    cv = report["cross_validation"]
    return (
        f"trained the claim-relation models on {report['pairs']} pairs ({report['bodies']} bodies) "
        f"in {report['seconds']} s\n"
        f"threshold P(related) >= {report['threshold']:.2f}; stance class weight power "
        f"{report['class_weight_power']}\n"
        f"cross-validated on the tune part: related F1 {cv['cv_related_f1']:.3f}, "
        f"macro-F1 {cv['cv_macro_f1']:.3f}\n"
        f"written to {report['out']}"
    )
