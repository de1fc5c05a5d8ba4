"""Where a report comes from: republished copies, wire credits and relays.

Ten outlets carrying a claim may be one origin: the same wire story republished,
or the same source relayed ("three sources told Bloomberg News", repeated by nine
outlets citing Bloomberg). This module finds

- **copies**: near-duplicate articles, by MinHash over word shingles (datasketch)
  with banded locality-sensitive hashing for candidates and *containment* (the
  share of the smaller text's shingles found in the larger) for the decision, so
  a trimmed, re-headlined or locally extended wire copy still matches;
- **wire credits** and datelines ("MOSCOW (Reuters) -", "AP —", "— AFP"), which
  name the agency a story came from;
- **relays**: an attribution relayed through an outlet ("told Bloomberg News",
  "according to Reuters") has that outlet's report as its origin.

Copies form clusters; the earliest published member is the cluster's origin.
"""

from __future__ import annotations

import hashlib
import re
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

from ..model import Article, Attribution

#: Shingle size in words, MinHash permutations, and LSH bands x rows (= permutations).
SHINGLE = 5
PERMUTATIONS = 128
BANDS, ROWS = 32, 4
#: Estimated containment of the smaller article in the larger above which they are copies.
COPY_CONTAINMENT = 0.6
#: Articles shorter than this many words are never called copies (too little to tell).
MIN_WORDS = 40

_WORD = re.compile(r"\w+", re.UNICODE)

#: Wire agencies by the names and credits they appear under (lower case). Hand-written.
WIRES: dict[str, tuple[str, ...]] = {
    "Reuters": ("reuters", "thomson reuters"),
    "AP": ("ap", "associated press", "the associated press"),
    "AFP": ("afp", "agence france-presse", "agence france presse"),
    "Bloomberg": ("bloomberg", "bloomberg news"),
    "dpa": ("dpa", "deutsche presse-agentur"),
    "UPI": ("upi", "united press international"),
    "Xinhua": ("xinhua",),
    "TASS": ("tass",),
    "Interfax": ("interfax",),
    "PA": ("pa", "press association", "pa media"),
    "ANSA": ("ansa",),
    "EFE": ("efe",),
    "Kyodo": ("kyodo", "kyodo news"),
    "Yonhap": ("yonhap",),
}
_WIRE_NAMES = {alias: wire for wire, aliases in WIRES.items() for alias in aliases}
_ALIAS = "|".join(sorted((re.escape(a) for a in _WIRE_NAMES), key=len, reverse=True))
# "MOSCOW (Reuters) -", "(AP) —", "LONDON, Dec 12 (Reuters) -"
_DATELINE = re.compile(rf"^[^\n]{{0,80}}?\((?P<wire>{_ALIAS})\)\s*[-–—:]", re.I | re.M)
# "— AFP", "- Reuters" at the end of a line; "Reporting by ...; Editing by ..." footers.
_TRAILER = re.compile(rf"[-–—]\s*(?P<wire>{_ALIAS})\s*$", re.I | re.M)
_BYLINE = re.compile(rf"^(?:by\s+[^\n|]{{0,60}}\|\s*)?(?P<wire>{_ALIAS})\s*$", re.I | re.M)


def wire_credit(text: str) -> str | None:
    """The wire agency a text credits in a dateline, byline or trailer, if any."""
    head = text[:600]
    for pattern, where in ((_DATELINE, head), (_BYLINE, head), (_TRAILER, text[-400:])):
        m = pattern.search(where)
        if m:
            return _WIRE_NAMES[m.group("wire").lower()]
    return None


def outlet_key(name: str) -> str:
    """A normalised outlet name: "Bloomberg News" and "Bloomberg" are one outlet."""
    words = [w for w in _WORD.findall(name.lower()) if w not in ("the", "news", "agency", "newspaper")]
    joined = " ".join(words)
    return _WIRE_NAMES.get(joined, _WIRE_NAMES.get(name.lower().strip(), joined)).lower()


# --- near-duplicates -------------------------------------------------------------------


def shingles(text: str, size: int = SHINGLE) -> set[bytes]:
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) < size:
        return {" ".join(words).encode()} if words else set()
    return {" ".join(words[i : i + size]).encode() for i in range(len(words) - size + 1)}


@dataclass
class Fingerprint:
    """What copy detection keeps of an article: its MinHash signature and shingle count."""

    signature: list[int]
    size: int  # number of distinct shingles
    words: int

    def bands(self) -> list[str]:
        """One LSH key per band: articles sharing a key are candidate copies."""
        keys = []
        for b in range(BANDS):
            chunk = self.signature[b * ROWS : (b + 1) * ROWS]
            digest = hashlib.blake2b(repr(chunk).encode(), digest_size=8).hexdigest()
            keys.append(f"{b}:{digest}")
        return keys


def fingerprint(text: str) -> Fingerprint:
    grams = shingles(text)
    return Fingerprint(minhash(grams), len(grams), len(_WORD.findall(text)))


@lru_cache(maxsize=1)
def _permutations() -> tuple[Any, Any]:
    """The ``PERMUTATIONS`` affine permutations ``h -> a h + b (mod 2^32)``, ``a`` odd (seed 1)."""
    import numpy as np

    gen = np.random.RandomState(1)
    a = gen.randint(0, 1 << 31, PERMUTATIONS, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, PERMUTATIONS, dtype=np.uint32)
    return a, b


def minhash(grams: Iterable[bytes]) -> list[int]:
    """The MinHash signature of a set of shingles: for each permutation, the least permuted hash.

    The values are those of ``datasketch.MinHash(num_perm=128, seed=1)`` (scheme "affine32",
    datasketch 2.x; tests/test_claims.py compares them): the first 4 bytes of each shingle's
    SHA-1, mixed by the MurmurHash3 finalizer, then permuted. Computed here with numpy so the
    writer does not import datasketch (whose package import pulls in scipy: seconds per run).
    """
    import numpy as np

    hashes = [struct.unpack("<I", hashlib.sha1(g).digest()[:4])[0] for g in grams]
    if not hashes:
        return [(1 << 32) - 1] * PERMUTATIONS
    hv = np.array(hashes, dtype=np.uint32).reshape(-1, 1)
    hv = hv ^ (hv >> np.uint32(16))
    hv = hv * np.uint32(0x85EBCA6B)
    hv = hv ^ (hv >> np.uint32(13))
    hv = hv * np.uint32(0xC2B2AE35)
    hv = hv ^ (hv >> np.uint32(16))
    a, b = _permutations()
    return [int(v) for v in (hv * a + b).min(axis=0)]


def jaccard(a: Fingerprint, b: Fingerprint) -> float:
    same = sum(1 for x, y in zip(a.signature, b.signature, strict=True) if x == y)
    return same / len(a.signature)


def containment(a: Fingerprint, b: Fingerprint) -> float:
    """Estimated share of the smaller article's shingles that the larger one holds.

    From the Jaccard estimate J and the sizes: |A ∩ B| = J (|A| + |B|) / (1 + J).
    """
    j = jaccard(a, b)
    small = min(a.size, b.size)
    if small == 0:
        return 0.0
    return min(1.0, j * (a.size + b.size) / (1 + j) / small)


def is_copy(a: Fingerprint, b: Fingerprint) -> bool:
    return min(a.words, b.words) >= MIN_WORDS and containment(a, b) >= COPY_CONTAINMENT


class CopyState(Protocol):
    """Where copy detection keeps its fingerprints (in memory, or the store's tables)."""

    def candidates(self, bands: Sequence[str]) -> list[str]: ...
    def wire(self, article_id: str) -> str | None: ...
    def fingerprint(self, article_id: str) -> Fingerprint | None: ...
    def cluster(self, article_id: str) -> str | None: ...
    def published(self, article_id: str) -> str | None: ...
    def save(
        self,
        article_id: str,
        fp: Fingerprint,
        bands: Sequence[str],
        cluster: str,
        published: str | None,
        wire: str | None,
    ) -> None: ...
    def members(self, cluster: str) -> list[str]: ...
    def set_cluster(self, article_id: str, cluster: str) -> None: ...


@dataclass
class MemoryCopyState:
    """Copy detection state in memory (tests, evaluation, one-off runs)."""

    prints: dict[str, Fingerprint] = field(default_factory=dict)
    by_band: dict[str, list[str]] = field(default_factory=dict)
    clusters: dict[str, str] = field(default_factory=dict)
    dates: dict[str, str | None] = field(default_factory=dict)
    wires: dict[str, str | None] = field(default_factory=dict)

    def wire(self, article_id: str) -> str | None:
        return self.wires.get(article_id)

    def candidates(self, bands: Sequence[str]) -> list[str]:
        seen: dict[str, None] = {}
        for band in bands:
            for article_id in self.by_band.get(band, ()):
                seen[article_id] = None
        return list(seen)

    def fingerprint(self, article_id: str) -> Fingerprint | None:
        return self.prints.get(article_id)

    def cluster(self, article_id: str) -> str | None:
        return self.clusters.get(article_id)

    def published(self, article_id: str) -> str | None:
        return self.dates.get(article_id)

    def save(
        self,
        article_id: str,
        fp: Fingerprint,
        bands: Sequence[str],
        cluster: str,
        published: str | None,
        wire: str | None,
    ) -> None:
        self.prints[article_id] = fp
        self.wires[article_id] = wire
        for band in bands:
            self.by_band.setdefault(band, []).append(article_id)
        self.clusters[article_id] = cluster
        self.dates[article_id] = published

    def members(self, cluster: str) -> list[str]:
        return [a for a, c in self.clusters.items() if c == cluster]

    def set_cluster(self, article_id: str, cluster: str) -> None:
        self.clusters[article_id] = cluster


def _earlier(a: tuple[str | None, str], b: tuple[str | None, str]) -> bool:
    """Is (published, id) ``a`` earlier than ``b``? Unknown dates sort last; ids break ties."""
    return (a[0] is None, a[0] or "", a[1]) < (b[0] is None, b[0] or "", b[1])


class CopyFinder:
    """Adds articles one at a time and keeps clusters of copies (cluster id = earliest member)."""

    def __init__(self, state: CopyState) -> None:
        self.state = state

    def add(
        self, article_id: str, text: str, published: str | None, wire: str | None = None
    ) -> tuple[str, list[str]]:
        """Add an article: ``(its cluster's root, the earlier roots it replaced)``.

        A root is always its cluster's earliest article, so only the roots of the clusters
        this article copies compete with it; members are re-pointed only when a root changes.
        """
        fp = fingerprint(text)
        bands = fp.bands()
        joined: dict[str, str | None] = {}  # root -> its publication date
        for other in self.state.candidates(bands):
            if other == article_id:
                continue
            other_root = self.state.cluster(other) or other
            if other_root in joined:
                continue
            other_fp = self.state.fingerprint(other)
            if other_fp is not None and is_copy(fp, other_fp):
                joined[other_root] = self.state.published(other_root)
        root, root_date = article_id, published
        for candidate, date in joined.items():
            if _earlier((date, candidate), (root_date, root)):
                root, root_date = candidate, date
        self.state.save(article_id, fp, bands, root, published, wire)
        replaced = [r for r in joined if r != root]
        for old in replaced:
            for member in self.state.members(old):
                self.state.set_cluster(member, root)
        return root, replaced


# --- origins of claims -----------------------------------------------------------------


@dataclass
class OriginInfo:
    """The origin of one claim: a key shared by every claim from the same origin, and why."""

    key: str
    reason: str


def relay_origin(attribution: Attribution | None, outlet: str | None) -> OriginInfo | None:
    """The outlet whose report a claim was relayed from, if the attribution names one.

    A relay ("told Bloomberg News") names the outlet; a source that is a publication
    ("according to Reuters") is that publication's report, unless it is the article's
    own outlet.
    """
    if attribution is None:
        return None
    if attribution.relayed_by is not None:
        name = outlet_key(attribution.relayed_by.text)
        return OriginInfo(f"outlet:{name}", f"relayed through {attribution.relayed_by.text}")
    source = attribution.source
    if source.type == "publication" and source.text:
        name = outlet_key(source.text)
        if outlet is None or outlet_key(outlet) != name:
            return OriginInfo(f"outlet:{name}", f"attributed to the publication {source.text}")
    return None


def article_origin(root: str, wire: str | None) -> OriginInfo:
    """The origin of a claim the article makes itself: its copy cluster's wire agency or root article."""
    if wire is not None:
        return OriginInfo(f"outlet:{wire.lower()}", f"a story of the wire agency {wire}")
    return OriginInfo(f"article:{root}", f"reported by article {root} (and its copies)")


def origin_info(key: str) -> OriginInfo:
    """The reason that goes with a resolved, non-relay origin key."""
    kind, _, name = key.partition(":")
    if kind == "outlet":
        return OriginInfo(key, f"a story of the wire agency {name}")
    return OriginInfo(key, f"reported by article {name} (and its copies)")


def article_wire(article: Article) -> str | None:
    """The wire agency an analysed article credits, from its text or its outlet name."""
    if article.metadata.outlet:
        key = outlet_key(article.metadata.outlet)
        for wire in WIRES:
            if wire.lower() == key:
                return wire
    return wire_credit(article.text)
