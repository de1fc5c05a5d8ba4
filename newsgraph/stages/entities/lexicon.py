"""The entities stage's data files, loaded and checked once per process.

Everything heuristic (role nouns, titles, honorifics, first names, NER corrections,
spelling variants) lives under ``newsgraph/data/entities/``; this module only reads it
into lookup tables that the stage consults in constant time per token.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ...errors import ConfigError

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "entities"


@dataclass(frozen=True)
class Lexicon:
    """Lookup tables for the entities stage (all keys lowercased unless noted)."""

    role_nouns: frozenset[str]
    #: honorific (case-sensitive, e.g. "Mrs.") -> "m", "f" or "" (no gender)
    honorifics: dict[str, str]
    #: titles as token tuples (case-sensitive), longest first
    titles: tuple[tuple[str, ...], ...]
    title_words: frozenset[str]
    gendered_nouns: dict[str, str]
    pronouns: dict[str, str]
    #: "they", "them", ... and "we", "us", ...: pronouns that stand for a group
    plural_pronouns: frozenset[str]
    first_plural: frozenset[str]
    #: singular nouns for a group of people ("campaign", "police")
    collective_nouns: frozenset[str]
    quantifiers: frozenset[str]
    #: words that make an ORG name an organisation's
    organisation_words: frozenset[str]
    first_names: dict[str, str]  # case-sensitive first name -> "m" / "f"
    ignore_labels: frozenset[str]
    facility_suffixes: tuple[tuple[str, ...], ...]  # longest first
    facility_name_labels: frozenset[str]
    not_entity_prefixes: tuple[str, ...]
    forced_labels: dict[tuple[str, ...], str]  # token tuple -> label
    forced_first: frozenset[str]  # first tokens of forced names, for a cheap scan
    variants: dict[str, str]  # lowercased spelling -> group key
    # indexes so that matching costs one dict look-up per token
    titles_by_first: dict[str, tuple[tuple[str, ...], ...]]
    titles_by_last: dict[str, tuple[tuple[str, ...], ...]]
    suffixes_by_first: dict[str, tuple[tuple[str, ...], ...]]


def _index(seqs: tuple[tuple[str, ...], ...], pos: int) -> dict[str, tuple[tuple[str, ...], ...]]:
    out: dict[str, list[tuple[str, ...]]] = {}
    for seq in seqs:  # already longest first, and kept so
        out.setdefault(seq[pos], []).append(seq)
    return {k: tuple(v) for k, v in out.items()}


def _read_toml(name: str) -> dict[str, object]:
    path = DATA_DIR / name
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise ConfigError("E107", path=str(path), detail=str(err)) from err


def _read_lines(name: str) -> list[str]:
    path = DATA_DIR / name
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as err:
        raise ConfigError("E107", path=str(path), detail=str(err)) from err
    return [ln.strip() for ln in raw.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


def _str_list(table: dict[str, object], key: str, source: str) -> list[str]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError("E107", path=str(DATA_DIR / source), detail=f"{key} must be a list of strings")
    return list(value)


def _table(data: dict[str, object], key: str, source: str) -> dict[str, object]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError("E107", path=str(DATA_DIR / source), detail=f"[{key}] must be a table")
    return value


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """Read every data file once (module-level cache)."""
    role_nouns = frozenset(w.lower() for w in _read_lines("role_nouns.txt"))

    titles_data = _read_toml("titles.toml")
    honorifics: dict[str, str] = {}
    hon = _table(titles_data, "honorifics", "titles.toml")
    for gender, key in (("m", "m"), ("f", "f"), ("", "neutral")):
        for word in _str_list(hon, key, "titles.toml"):
            honorifics[word] = gender
    title_list = _str_list(_table(titles_data, "titles", "titles.toml"), "words", "titles.toml")
    titles = tuple(sorted({tuple(t.split()) for t in title_list}, key=len, reverse=True))
    gendered: dict[str, str] = {}
    pronouns: dict[str, str] = {}
    for gender in ("m", "f"):
        for word in _str_list(_table(titles_data, "gendered_nouns", "titles.toml"), gender, "titles.toml"):
            gendered[word.lower()] = gender
        for word in _str_list(_table(titles_data, "pronouns", "titles.toml"), gender, "titles.toml"):
            pronouns[word.lower()] = gender

    plural = _table(titles_data, "plural_pronouns", "titles.toml")
    collective = _table(titles_data, "collective_nouns", "titles.toml")

    first_names: dict[str, str] = {}
    for line in _read_lines("first_names.tsv"):
        name, _, gender = line.partition("\t")
        if gender not in ("m", "f"):
            raise ConfigError("E107", path=str(DATA_DIR / "first_names.tsv"), detail=f"bad line {line!r}")
        first_names[name] = gender

    corr = _read_toml("corrections.toml")
    forced: dict[tuple[str, ...], str] = {}
    for name, label in _table(corr, "forced_labels", "corrections.toml").items():
        if not isinstance(label, str):
            raise ConfigError("E107", path=str(DATA_DIR / "corrections.toml"), detail=f"label of {name}")
        forced[tuple(name.split())] = label
    variants: dict[str, str] = {}
    for group, spellings in _table(corr, "variants", "corrections.toml").items():
        if not isinstance(spellings, list):
            raise ConfigError("E107", path=str(DATA_DIR / "corrections.toml"), detail=f"variants of {group}")
        for spelling in [group, *spellings]:
            variants[str(spelling).lower()] = group.lower()

    suffixes = tuple(
        sorted(
            {tuple(s.lower().split()) for s in _str_list(corr, "facility_suffixes", "corrections.toml")},
            key=len,
            reverse=True,
        )
    )
    return Lexicon(
        role_nouns=role_nouns,
        honorifics=honorifics,
        titles=titles,
        title_words=frozenset(w for t in titles for w in t),
        gendered_nouns=gendered,
        pronouns=pronouns,
        plural_pronouns=frozenset(w.lower() for w in _str_list(plural, "third", "titles.toml")),
        first_plural=frozenset(w.lower() for w in _str_list(plural, "first", "titles.toml")),
        collective_nouns=frozenset(w.lower() for w in _str_list(collective, "words", "titles.toml")),
        quantifiers=frozenset(w.lower() for w in _str_list(collective, "quantifiers", "titles.toml")),
        organisation_words=frozenset(
            w.lower() for w in _str_list(collective, "organisation_words", "titles.toml")
        ),
        first_names=first_names,
        ignore_labels=frozenset(_str_list(corr, "ignore_labels", "corrections.toml")),
        facility_suffixes=suffixes,
        facility_name_labels=frozenset(_str_list(corr, "facility_name_labels", "corrections.toml")),
        not_entity_prefixes=tuple(
            p.lower() for p in _str_list(corr, "not_entity_prefixes", "corrections.toml")
        ),
        forced_labels=forced,
        forced_first=frozenset(k[0] for k in forced),
        variants=variants,
        titles_by_first=_index(titles, 0),
        titles_by_last=_index(titles, -1),
        suffixes_by_first=_index(suffixes, 0),
    )
