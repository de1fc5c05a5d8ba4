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
    time_words: frozenset[str]  # lower case
    honorifics: frozenset[str]  # as written
    strong_preps: frozenset[str]
    speech_verbs: frozenset[str]  # lemmas
    place_heads: frozenset[str]  # normalised words
    place_nouns: frozenset[str]  # "the city of X"
    language_verbs: frozenset[str]  # lemmas: "speaks English"


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
        rec_words = {
            key: frozenset(str(w).lower() for w in rec[key])
            for key in (
                "time_words",
                "strong_preps",
                "speech_verbs",
                "place_heads",
                "place_nouns",
                "language_verbs",
            )
        }
        honorifics = frozenset(str(w) for w in rec["honorifics"])
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
        time_words=rec_words["time_words"],
        honorifics=honorifics,
        strong_preps=rec_words["strong_preps"],
        speech_verbs=rec_words["speech_verbs"],
        place_heads=frozenset(norm(w) for w in rec_words["place_heads"]),
        place_nouns=rec_words["place_nouns"],
        language_verbs=rec_words["language_verbs"],
    )
