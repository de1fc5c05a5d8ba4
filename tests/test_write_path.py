"""The writer's fast paths give what the plain ones gave (speed is benchmarked, not tested here)."""

from __future__ import annotations

import random

import pytest

from newsgraph.corpus.origins import PERMUTATIONS, minhash, shingles


def test_minhash_equals_datasketch() -> None:
    datasketch = pytest.importorskip("datasketch")
    if int(datasketch.__version__.split(".")[0]) < 2:
        pytest.skip("datasketch < 2 hashes with its legacy scheme; the store's signatures are 2.x's")
    rng = random.Random(3)
    vocabulary = [f"w{i}" for i in range(300)] + ["Zelenskiy", "Ковальчук", "naïve", "2024"]
    texts = ["", "one two", "a b c d e f"] + [
        " ".join(rng.choice(vocabulary) for _ in range(rng.randint(5, 400))) for _ in range(40)
    ]
    for text in texts:
        grams = shingles(text)
        reference = datasketch.MinHash(num_perm=PERMUTATIONS, seed=1)
        reference.update_batch(list(grams))
        assert minhash(grams) == [int(v) for v in reference.hashvalues], text[:40]


def test_claim_vectors_survive_the_cache_filling_up(monkeypatch: pytest.MonkeyPatch) -> None:
    from newsgraph.corpus import claims

    monkeypatch.setattr(claims, "VECTOR_CACHE", 3)
    monkeypatch.setattr(claims, "_VECTORS", {})
    grouper = claims.ClaimGrouper(claims.MemoryClaimState())
    grouper.vectors(["one claim here", "two claims here"])
    # One cached text and two new ones overflow the cache: the cached one is embedded again.
    assert grouper.vectors(["one claim here", "three", "four"]).shape == (3, 256)


def test_claim_vectors_in_use_stay_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    from newsgraph.corpus import claims

    monkeypatch.setattr(claims, "VECTOR_CACHE", 4)
    monkeypatch.setattr(claims, "_VECTORS", {})
    monkeypatch.setattr(claims, "_OLD_VECTORS", {})
    grouper = claims.ClaimGrouper(claims.MemoryClaimState())
    first = grouper.vectors(["one claim here", "two claims here", "three claims here"])
    calls: list[list[str]] = []
    real = claims.embedder().embed
    monkeypatch.setattr(claims.embedder(), "embed", lambda texts: calls.append(list(texts)) or real(texts))
    # The generation holding these three was full and became the old one: asking for one of
    # them again finds it there (no embedding); a new text is embedded.
    again = grouper.vectors(["two claims here", "four claims"])
    assert calls == [["four claims"]]
    assert (again[0] == first[1]).all()
    assert len(claims._VECTORS) + len(claims._OLD_VECTORS) <= 4 + 2
