"""Scores shared by the eval commands."""

from __future__ import annotations


def prf(tp_pred: int, n_pred: int, n_gold: int, tp_gold: int | None = None) -> dict[str, float]:
    """Precision, recall and F1 with their counts.

    ``tp_pred`` predictions are correct; ``tp_gold`` gold items are found (the same number
    under one-to-one matching, the default; overlap matching can differ).
    """
    tp_gold = tp_pred if tp_gold is None else tp_gold
    p = tp_pred / n_pred if n_pred else 0.0
    r = tp_gold / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(f, 4),
        "tp": tp_pred,
        "pred": n_pred,
        "gold": n_gold,
    }
