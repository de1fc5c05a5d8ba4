"""The places stage's word lists (metonymy cues, stop words), read once from ``data/places``."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache

from ...errors import ConfigError
from .gazetteer import DATA_DIR, norm


@dataclass(frozen=True)
class Lexicon:
    agent_verbs: frozenset[str]
    possessed_nouns: frozenset[str]
    actor_nouns: frozenset[str]
    locative_preps: frozenset[str]
    seat_sites: frozenset[str]  # gazetteer ids "newsgraph-sites:<key>"
    stopwords: frozenset[str]  # normalised keys
    site_heads: tuple[tuple[str, ...], ...]  # lower-case word sequences, longest first
    literal_possessed: frozenset[str]


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    path = DATA_DIR / "metonymy.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        words = {
            key: frozenset(str(w).lower() for w in data[key])
            for key in ("agent_verbs", "possessed_nouns", "actor_nouns", "locative_preps", "seat_sites")
        }
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError) as err:
        raise ConfigError("E107", path=str(path), detail=str(err)) from err
    rec_path = DATA_DIR / "recognition.toml"
    try:
        rec = tomllib.loads(rec_path.read_text(encoding="utf-8"))
        heads = sorted({tuple(str(h).lower().split()) for h in rec["site_heads"]}, key=len, reverse=True)
        literal = frozenset(str(w).lower() for w in rec["literal_possessed"])
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError) as err:
        raise ConfigError("E107", path=str(rec_path), detail=str(err)) from err
    stop_path = DATA_DIR / "stopwords.txt"
    try:
        stop = frozenset(
            norm(line)
            for line in stop_path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")
        )
    except OSError as err:
        raise ConfigError("E107", path=str(stop_path), detail=str(err)) from err
    return Lexicon(
        agent_verbs=words["agent_verbs"],
        possessed_nouns=words["possessed_nouns"],
        actor_nouns=words["actor_nouns"],
        locative_preps=words["locative_preps"],
        seat_sites=frozenset(f"newsgraph-sites:{k}" for k in words["seat_sites"]),
        stopwords=stop,
        site_heads=tuple(heads),
        literal_possessed=literal,
    )
