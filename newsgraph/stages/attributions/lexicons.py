"""The attribution stage's data files, loaded once per process.

Every heuristic list lives in ``newsgraph/data/attributions/`` (see
``docs/attribution.md``); this module only reads and indexes them.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ...errors import ConfigError

DATA = Path(__file__).resolve().parents[2] / "data" / "attributions"


@dataclass(frozen=True)
class Hedge:
    name: str
    phrases: tuple[tuple[str, ...], ...]  # token sequences, lower case
    unattributed: tuple[tuple[str, ...], ...]  # phrases that make a source-less claim


class Lexicons:
    """Indexed lexicons: cue lemmas (with how often they are cues), hedges, source words."""

    def __init__(self, root: Path = DATA) -> None:
        self.root = root
        self.cue: dict[tuple[str, str], float] = {}
        self.cue_lemmas: set[str] = set()
        path = root / "cue_lemmas.tsv"
        try:
            for line in path.read_text(encoding="utf-8").splitlines():
                if not line.strip() or line.startswith("#"):
                    continue
                lemma, pos, n_cue, n_seen = line.split("\t")
                ratio = int(n_cue) / int(n_seen) if int(n_seen) else 0.5
                self.cue[(lemma, pos)] = ratio
                if pos in ("VERB", "NOUN"):
                    self.cue_lemmas.add(lemma)
        except (OSError, ValueError) as err:
            raise ConfigError("E107", path=str(path), detail=str(err)) from err
        hedges = self._toml("hedges.toml")
        self.hedges = [
            Hedge(
                name,
                tuple(tuple(p.lower().split()) for p in spec["phrases"]),
                tuple(tuple(p.lower().split()) for p in spec["unattributed"]),
            )
            for name, spec in hedges["hedges"].items()
        ]
        # Phrase indexes by first word, longest phrase first, in file (priority) order.
        self.hedge_index: dict[str, list[tuple[tuple[str, ...], int, str]]] = {}
        self.unattributed_index: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for rank, hedge in enumerate(self.hedges):
            for phrase in hedge.phrases:
                self.hedge_index.setdefault(phrase[0], []).append((phrase, rank, hedge.name))
            for phrase in hedge.unattributed:
                self.unattributed_index.setdefault(phrase[0], []).append((phrase, hedge.name))
        for entries in self.unattributed_index.values():
            entries.sort(key=lambda e: -len(e[0]))
        sources = self._toml("sources.toml")
        self.anonymous_heads = frozenset(sources["anonymous_heads"])
        self.anonymous_markers = tuple(sources["anonymous_markers"])
        self.person_roles = frozenset(sources["person_roles"])
        self.person_nouns = frozenset(sources["person_nouns"]) | self.person_roles
        self.organisation_heads = frozenset(sources["organisation_heads"])
        self.document_heads = frozenset(sources["document_heads"])
        self.pronouns: dict[str, dict[str, str]] = sources["pronouns"]
        cues = self._toml("cues.toml")
        self.object_cues = frozenset(cues["object_cues"])
        self.act_verbs = frozenset(cues["act_verbs"])
        self.attribution_dashes = frozenset(cues["attribution_dashes"])
        self.colon_labels = frozenset(w.lower() for w in cues["colon_labels"])
        pubs = self._toml("publications.toml")
        self.publication_names = frozenset(pubs["names"])
        self.publication_words = frozenset(pubs["words"])

    def _toml(self, name: str) -> dict[str, Any]:
        path = self.root / name
        try:
            with path.open("rb") as fh:
                return tomllib.load(fh)
        except (OSError, tomllib.TOMLDecodeError) as err:
            raise ConfigError("E107", path=str(path), detail=str(err)) from err

    def cue_bucket(self, lemma: str, pos: str) -> str:
        """How cue-like a (lemma, POS) is in PolNeAR train: hi / mid / lo / no."""
        r = self.cue.get((lemma, pos))
        if r is None:
            return "no"
        if r >= 0.6:
            return "hi"
        if r >= 0.35:
            return "mid"
        return "lo"


@lru_cache(maxsize=2)
def load(root: str | None = None) -> Lexicons:
    """The lexicons (once per process)."""
    return Lexicons(Path(root) if root else DATA)
