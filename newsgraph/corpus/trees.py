"""Boosted decision trees over named features: the related-vs-unrelated claim model.

A sum of small regression trees (gradient boosting on the logistic loss) turned into a
probability. Each tree is complete to a fixed depth and stored level by level: at level
``k`` a sample in node ``n`` goes right when its value of ``features[split[k][n]]`` is at
least ``thresholds[k][n]``. Inference is plain Python; the fitting lives in
``newsgraph.training.claims`` (NumPy), which writes the trees into ``data/claims/stance.json``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any


@dataclass
class Tree:
    """One complete tree: per level, the feature index and threshold of each node; leaf values."""

    splits: list[list[int]]
    thresholds: list[list[float]]
    leaves: list[float]

    def value(self, x: list[float]) -> float:
        node = 0
        for features, thresholds in zip(self.splits, self.thresholds, strict=True):
            node = 2 * node + (1 if x[features[node]] >= thresholds[node] else 0)
        return self.leaves[node]


@dataclass
class TreeModel:
    """Binary boosted trees: ``P(labels[1]) = sigmoid(base + sum of the trees' values)``."""

    labels: list[str]
    features: list[str]
    base: float
    trees: list[Tree]

    def probabilities(self, values: dict[str, float]) -> dict[str, float]:
        x = [values.get(name, 0.0) for name in self.features]
        score = self.base + sum(tree.value(x) for tree in self.trees)
        positive = 1.0 / (1.0 + math.exp(-max(min(score, 60.0), -60.0)))
        return {self.labels[0]: 1.0 - positive, self.labels[1]: positive}

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "boosted_trees",
            "labels": self.labels,
            "features": self.features,
            "base": self.base,
            "trees": [
                {"splits": t.splits, "thresholds": [[_finite(v) for v in row] for row in t.thresholds],
                 "leaves": t.leaves}
                for t in self.trees
            ],
        }  # fmt: skip

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TreeModel:
        trees = [
            Tree(
                [list(map(int, row)) for row in t["splits"]],
                [[_threshold(v) for v in row] for row in t["thresholds"]],
                [float(v) for v in t["leaves"]],
            )
            for t in data["trees"]
        ]
        return cls(list(data["labels"]), list(data["features"]), float(data["base"]), trees)


def _finite(value: float) -> float | None:
    """JSON has no infinity: a node that never goes right is stored with a null threshold."""
    return None if math.isinf(value) else value


def _threshold(value: float | None) -> float:
    return math.inf if value is None else float(value)
