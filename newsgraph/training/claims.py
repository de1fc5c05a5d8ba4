"""Train the claim-relation models (``data/claims/stance.json``) on the tune part of FNC-1 dev.

``newsgraph train claims --data ../shared/data/claims/fnc1-dev`` analyses the tune
part's bodies through the facade, computes ``newsgraph.corpus.stance.features`` for
every headline–body pair, and fits two models with NumPy: boosted trees for related vs
unrelated, and a logistic model for agree / disagree / discuss among related pairs. The
decision threshold and the class weighting are chosen by cross-validation over bodies
inside the tune part; the report part is never read.
"""

from __future__ import annotations

import hashlib
import json
import math
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
from ..corpus.trees import Tree, TreeModel
from ..evaluation.claims import analyse_bodies, load, passages, score

FOLDS = 5
#: The boosted trees of the related-vs-unrelated model: their number, depth and learning rate
#: (chosen by cross-validation over bodies on the tune part; docs/claims.md).
TREES = 200
TREE_DEPTH = 3
TREE_RATE = 0.1
#: What the trees read: the related features (a constant bias says nothing to a tree).
TREE_FEATURES = tuple(name for name in FEATURES_RELATED if name != "bias")
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


def fit_trees(
    rows: Sequence[dict[str, float]],
    labels: Sequence[str],
    names: Sequence[str],
    classes: Sequence[str],
    *,
    trees: int = TREES,
    depth: int = TREE_DEPTH,
    rate: float = TREE_RATE,
    l2: float = 1.0,
    bins: int = 32,
) -> TreeModel:
    """Gradient-boosted trees on the logistic loss (``classes[1]`` is the positive class).

    Each feature is cut at its quantiles into at most ``bins`` + 1 bins; trees are grown
    level by level to ``depth``, each node split where the gradient statistics gain most
    (XGBoost's gain with an L2 penalty on leaf values); a node with no gain sends every
    sample left. Deterministic: the same rows give the same trees.
    """
    import numpy as np

    x = np.array([[value_of(r, n) for n in names] for r in rows], dtype="float64")
    y = np.array([1.0 if label == classes[1] else 0.0 for label in labels])
    edges = [np.unique(np.quantile(x[:, j], np.linspace(0, 1, bins + 1)[1:-1])) for j in range(x.shape[1])]
    binned = np.stack([np.searchsorted(e, x[:, j], side="right") for j, e in enumerate(edges)], axis=1)
    n_bins = bins + 1
    share = float(np.clip(y.mean(), 1e-6, 1 - 1e-6))
    base = math.log(share / (1 - share))
    score = np.full(len(y), base)
    fitted: list[Tree] = []
    for _ in range(trees):
        prob = 1 / (1 + np.exp(-score))
        grad, hess = prob - y, prob * (1 - prob)
        node = np.zeros(len(y), dtype=int)
        splits: list[list[int]] = []
        thresholds: list[list[float]] = []
        for level in range(depth):
            level_splits, level_thresholds = [], []
            child = node * 2
            for k in range(2**level):
                inside = node == k
                feature, cut, best = 0, n_bins, 0.0
                if inside.any():
                    g, h, xb = grad[inside], hess[inside], binned[inside]
                    total_g, total_h = g.sum(), h.sum()
                    parent = total_g**2 / (total_h + l2)
                    for j in range(xb.shape[1]):
                        left_g = np.cumsum(np.bincount(xb[:, j], weights=g, minlength=n_bins))[:-1]
                        left_h = np.cumsum(np.bincount(xb[:, j], weights=h, minlength=n_bins))[:-1]
                        right_g, right_h = total_g - left_g, total_h - left_h
                        ok = (left_h >= 1.0) & (right_h >= 1.0)
                        gain = np.where(
                            ok, left_g**2 / (left_h + l2) + right_g**2 / (right_h + l2) - parent, 0.0
                        )
                        b = int(np.argmax(gain))
                        if gain[b] > best:
                            feature, cut, best = j, b, float(gain[b])
                    child[inside] += (xb[:, feature] > cut).astype(int)
                level_splits.append(feature)
                # Bin > cut means the value is at least the cut-th edge; no edge: never right.
                level_thresholds.append(float(edges[feature][cut]) if cut < len(edges[feature]) else math.inf)
            splits.append(level_splits)
            thresholds.append(level_thresholds)
            node = child
        g_sum = np.bincount(node, weights=grad, minlength=2**depth)
        h_sum = np.bincount(node, weights=hess, minlength=2**depth)
        leaves = -g_sum / (h_sum + l2) * rate
        score += leaves[node]
        fitted.append(Tree(splits, thresholds, [float(v) for v in leaves]))
    return TreeModel(list(classes), list(names), base, fitted)


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
        rel = fit_trees(
            [rows[i] for i in train],
            ["unrelated" if gold[i] == "unrelated" else "related" for i in train],
            TREE_FEATURES,
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
    related = fit_trees(
        rows,
        ["unrelated" if g == "unrelated" else "related" for g in gold],
        TREE_FEATURES,
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
        "related_model": f"{TREES} boosted trees of depth {TREE_DEPTH}, learning rate {TREE_RATE}",
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
