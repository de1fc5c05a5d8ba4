"""Coreference scores: MUC, B³, CEAF-e and their mean, the CoNLL F1.

Clusters are given as ``{mention: cluster id}`` over the same mentions on both sides
(a mention the system did not find is its own singleton before scoring).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Mapping

Clusters = Mapping[Hashable, Hashable]


def _groups(clusters: Clusters) -> list[set[Hashable]]:
    out: dict[Hashable, set[Hashable]] = defaultdict(set)
    for mention, cluster in clusters.items():
        out[cluster].add(mention)
    return list(out.values())


def _f(p: float, r: float) -> dict[str, float]:
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def muc(gold: Clusters, response: Clusters) -> dict[str, float]:
    """Links kept (Vilain et al. 1995): recall over gold chains, precision over response chains."""

    def side(key: Clusters, other: Clusters) -> float:
        num = den = 0
        for group in _groups(key):
            parts = {other.get(m, ("singleton", m)) for m in group}
            num += len(group) - len(parts)
            den += len(group) - 1
        return num / den if den else 0.0

    return _f(side(response, gold), side(gold, response))


def b_cubed(gold: Clusters, response: Clusters) -> dict[str, float]:
    """Per-mention overlap of its gold and response clusters (Bagga & Baldwin 1998)."""
    gold_of = {m: frozenset(g) for g in _groups(gold) for m in g}
    resp_of = {m: frozenset(g) for g in _groups(response) for m in g}
    mentions = list(gold)
    if not mentions:
        return _f(0.0, 0.0)
    p = sum(len(gold_of[m] & resp_of[m]) / len(resp_of[m]) for m in mentions) / len(mentions)
    r = sum(len(gold_of[m] & resp_of[m]) / len(gold_of[m]) for m in mentions) / len(mentions)
    return _f(p, r)


def ceaf_e(gold: Clusters, response: Clusters) -> dict[str, float]:
    """Entity-based CEAF (Luo 2005): the best one-to-one alignment of clusters under phi4."""
    keys = _groups(gold)
    resps = _groups(response)
    resp_index = {m: j for j, group in enumerate(resps) for m in group}
    # phi4 is zero unless two clusters share a mention: align each connected component alone.
    edges: dict[int, set[int]] = defaultdict(set)
    for i, group in enumerate(keys):
        for m in group:
            if m in resp_index:
                edges[i].add(resp_index[m])
    back: dict[int, set[int]] = defaultdict(set)
    for i, js in edges.items():
        for j in js:
            back[j].add(i)
    total = 0.0
    seen_keys: set[int] = set()
    for start in range(len(keys)):
        if start in seen_keys or start not in edges:
            continue
        comp_keys, comp_resps, stack = {start}, set(), [start]
        while stack:
            i = stack.pop()
            for j in edges[i]:
                if j not in comp_resps:
                    comp_resps.add(j)
                    for k in back[j]:
                        if k not in comp_keys:
                            comp_keys.add(k)
                            stack.append(k)
        seen_keys |= comp_keys
        ks, rs = sorted(comp_keys), sorted(comp_resps)
        sim = [[2 * len(keys[i] & resps[j]) / (len(keys[i]) + len(resps[j])) for j in rs] for i in ks]
        total += _max_assignment(sim)
    p = total / len(resps) if resps else 0.0
    r = total / len(keys) if keys else 0.0
    return _f(p, r)


def _max_assignment(sim: list[list[float]]) -> float:
    """The largest sum of a one-to-one assignment of rows to columns (Hungarian method)."""
    n, m = len(sim), len(sim[0]) if sim else 0
    if n == 0 or m == 0:
        return 0.0
    transpose = n > m
    if transpose:
        sim = [list(col) for col in zip(*sim, strict=True)]
        n, m = m, n
    big = max(max(row) for row in sim)
    cost = [[big - v for v in row] for row in sim]
    inf = float("inf")
    u, v = [0.0] * (n + 1), [0.0] * (m + 1)
    p, way = [0] * (m + 1), [0] * (m + 1)
    for i in range(1, n + 1):
        p[0] = i
        j0 = 0
        minv, used = [inf] * (m + 1), [False] * (m + 1)
        while True:
            used[j0] = True
            i0, delta, j1 = p[j0], inf, 0
            for j in range(1, m + 1):
                if not used[j]:
                    cur = cost[i0 - 1][j - 1] - u[i0] - v[j]
                    if cur < minv[j]:
                        minv[j], way[j] = cur, j0
                    if minv[j] < delta:
                        delta, j1 = minv[j], j
            for j in range(m + 1):
                if used[j]:
                    u[p[j]] += delta
                    v[j] -= delta
                else:
                    minv[j] -= delta
            j0 = j1
            if p[j0] == 0:
                break
        while j0:
            j1 = way[j0]
            p[j0] = p[j1]
            j0 = j1
    return sum(sim[p[j] - 1][j - 1] for j in range(1, m + 1) if p[j])


def conll(gold: Clusters, response: Clusters) -> dict[str, object]:
    """MUC, B³ and CEAF-e, and the mean of their F1 (the CoNLL F1)."""
    scores = {"muc": muc(gold, response), "b3": b_cubed(gold, response), "ceafe": ceaf_e(gold, response)}
    mean = sum(s["f1"] for s in scores.values()) / 3
    return {"conll_f1": round(mean, 4), **scores}
