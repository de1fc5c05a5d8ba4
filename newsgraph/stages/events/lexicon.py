"""The events stage's data: trigger lexicon, mode cues and participant cues, loaded once.

Everything the stage knows about words lives in ``newsgraph/data/events/*.toml``;
this module only reads, validates and indexes those files (see docs/events.md).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ...errors import ConfigError

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "events"

#: The PLOVER 2.0 event categories (PLOVER manual, chapter 3).
PLOVER_CATEGORIES = (
    "AGREE",
    "CONSULT",
    "SUPPORT",
    "CONCEDE",
    "COOPERATE",
    "AID",
    "RETREAT",
    "REQUEST",
    "ACCUSE",
    "REJECT",
    "THREATEN",
    "PROTEST",
    "SANCTION",
    "MOBILIZE",
    "COERCE",
    "ASSAULT",
)

#: The ranking used when several mode cues apply to one event: the strongest wins
#: ("will not attack" is negated, not planned).
MODE_PRIORITY = ("denied", "negated", "threatened", "hypothetical", "possible", "planned", "asserted")

#: A lexicon entry: PLOVER category and PLOVER mode (e.g. "phone"), or None when the
#: key is listed to block an event ("hold election" = "").
Entry = tuple[str, str | None] | None


@dataclass(frozen=True)
class Lexicon:
    """Indexed trigger, mode and participant data."""

    verbs: dict[str, Entry]
    phrasal: dict[str, Entry]
    verb_object: dict[str, Entry]
    nouns: dict[str, Entry]
    multi: dict[tuple[str, ...], Entry]
    max_multi: int
    needs_complement: frozenset[str]
    event_heads: frozenset[str]
    noun_with_prep: dict[str, Entry]
    terminative: frozenset[str]
    terminative_entry: Entry
    terminative_objects: frozenset[str]
    clausal_blocks: frozenset[str]
    negation: frozenset[str]
    auxiliaries: dict[str, str]
    governors: dict[str, str]
    absorbing: frozenset[str]
    infinitive_only: frozenset[str]
    conditional: frozenset[str]
    noun_governors: dict[str, str]
    future_recode: dict[str, str]
    subject_deps: frozenset[str]
    passive_subject_deps: frozenset[str]
    agent_preps: frozenset[str]
    stative_passives: frozenset[str]
    manner_preps: frozenset[str]
    object_deps: frozenset[str]
    verb_preps: frozenset[str]
    noun_preps: frozenset[str]
    left_deps: frozenset[str]
    right_deps: frozenset[str]
    right_preps: frozenset[str]
    stop_heads: frozenset[str]
    light_verbs: frozenset[str]
    noun_classes: dict[str, str] = field(default_factory=dict)
    extra_agents: frozenset[str] = frozenset()
    extra_weapons: frozenset[str] = frozenset()
    extra_places: frozenset[str] = frozenset()
    armed: frozenset[str] = frozenset()
    personal_pronouns: frozenset[str] = frozenset()
    generic_objects: frozenset[str] = frozenset()
    patient_possessor: frozenset[str] = frozenset()
    contest: frozenset[str] = frozenset()
    harm_verbs: frozenset[str] = frozenset()
    concrete_target: frozenset[str] = frozenset()
    date_preps: frozenset[str] = frozenset()
    carriers: frozenset[str] = frozenset()
    circumstance_preps: frozenset[str] = frozenset()
    clausal_agent: frozenset[str] = frozenset()
    agent_target: frozenset[str] = frozenset()
    speech_act_categories: frozenset[str] = frozenset()
    topic_preps: frozenset[str] = frozenset()
    crowd_numbers: frozenset[str] = frozenset()


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise ConfigError("E107", path=str(path), detail=str(err)) from err


def _entry(path: Path, key: str, value: Any) -> Entry:
    if not isinstance(value, str):
        raise ConfigError("E107", path=str(path), detail=f"{key!r}: value must be a string")
    if not value:
        return None
    category, _, mode = value.partition("/")
    if category not in PLOVER_CATEGORIES:
        raise ConfigError("E107", path=str(path), detail=f"{key!r}: unknown PLOVER category {category!r}")
    return category, mode or None


def _modes(path: Path, table: dict[str, Any]) -> dict[str, str]:
    allowed = set(MODE_PRIORITY)
    for key, value in table.items():
        if value not in allowed:
            raise ConfigError("E107", path=str(path), detail=f"{key!r}: unknown mode {value!r}")
    return {str(k).lower(): str(v) for k, v in table.items()}


def _words(table: dict[str, Any], section: str, key: str) -> frozenset[str]:
    return frozenset(str(w).lower() for w in table.get(section, {}).get(key, []))


def _noun_classes(path: Path) -> dict[str, str]:
    """``lemma -> class letters`` from ``noun_classes.tsv`` (see scripts/derive_noun_classes.py)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise ConfigError("E107", path=str(path), detail=str(err)) from err
    out: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line or line.startswith("#"):
            continue
        lemma, sep, classes = line.partition("\t")
        if not sep or not classes or set(classes) - set("ahpw"):
            raise ConfigError("E107", path=str(path), detail=f"line {number}: expected lemma<TAB>a|h|p|w")
        out[lemma] = classes
    return out


def load_lexicon(data_dir: str | Path | None = None) -> Lexicon:
    """The lexicon in ``data_dir`` (default: the shipped data), read once per directory."""
    return _load(str(Path(data_dir) if data_dir is not None else DATA_DIR))


@lru_cache(maxsize=4)
def _load(data_dir: str) -> Lexicon:
    base = Path(data_dir)
    tpath, mpath, ppath = base / "triggers.toml", base / "modality.toml", base / "participants.toml"
    trig, mod, part = _read(tpath), _read(mpath), _read(ppath)

    def table(name: str) -> dict[str, Entry]:
        return {str(k).lower(): _entry(tpath, k, v) for k, v in trig.get(name, {}).items()}

    nouns_all = table("nouns")
    nouns = {k: v for k, v in nouns_all.items() if " " not in k}
    multi = {tuple(k.split()): v for k, v in nouns_all.items() if " " in k}
    future = {str(k): str(v) for k, v in mod.get("future_recode", {}).items()}
    for k, v in future.items():
        if k not in PLOVER_CATEGORIES or v not in PLOVER_CATEGORIES:
            raise ConfigError("E107", path=str(mpath), detail=f"future_recode {k!r} -> {v!r}")
    return Lexicon(
        verbs=table("verbs"),
        phrasal=table("phrasal"),
        verb_object=table("verb_object"),
        nouns=nouns,
        multi=multi,
        max_multi=max((len(k) for k in multi), default=1),
        needs_complement=_words(trig, "needs_complement", "lemmas"),
        event_heads=_words(trig, "event_heads", "lemmas"),
        noun_with_prep=table("noun_with_prep"),
        terminative=_words(trig, "terminative", "lemmas"),
        terminative_entry=_entry(tpath, "terminative", trig.get("terminative", {}).get("category", "")),
        terminative_objects=frozenset(trig.get("terminative", {}).get("objects", [])),
        clausal_blocks=_words(trig, "clausal_complement_blocks", "lemmas"),
        negation=_words(mod, "negation", "words"),
        auxiliaries=_modes(mpath, mod.get("auxiliaries", {})),
        governors=_modes(mpath, mod.get("governors", {})),
        absorbing=_words(mod, "absorbing_governors", "lemmas"),
        infinitive_only=_words(mod, "infinitive_only_governors", "lemmas"),
        conditional=_words(mod, "conditional", "marks"),
        noun_governors=_modes(mpath, mod.get("noun_governors", {})),
        future_recode=future,
        subject_deps=_words(part, "actor", "subject_deps"),
        passive_subject_deps=_words(part, "actor", "passive_subject_deps"),
        agent_preps=_words(part, "actor", "agent_preps"),
        stative_passives=_words(part, "actor", "stative_passives"),
        manner_preps=_words(part, "actor", "manner_preps"),
        object_deps=_words(part, "target", "object_deps"),
        verb_preps=_words(part, "target", "verb_preps"),
        noun_preps=_words(part, "target", "noun_preps"),
        left_deps=_words(part, "phrase", "left_deps"),
        right_deps=_words(part, "phrase", "right_deps"),
        right_preps=_words(part, "phrase", "right_preps"),
        stop_heads=_words(part, "phrase", "stop_heads"),
        light_verbs=_words(part, "light_verbs", "lemmas"),
        noun_classes=_noun_classes(base / "noun_classes.tsv"),
        extra_agents=_words(part, "kinds", "agents"),
        extra_weapons=_words(part, "kinds", "weapons"),
        extra_places=_words(part, "kinds", "places"),
        armed=_words(part, "kinds", "armed"),
        personal_pronouns=_words(part, "kinds", "personal_pronouns"),
        generic_objects=_words(part, "kinds", "generic"),
        patient_possessor=_words(part, "possessive", "patient_nouns"),
        contest=_words(trig, "violence", "contest"),
        harm_verbs=_words(trig, "violence", "harm_verbs"),
        concrete_target=frozenset(str(c) for c in trig.get("violence", {}).get("concrete_target", [])),
        date_preps=_words(part, "dates", "preps"),
        carriers=_words(part, "dates", "carriers"),
        circumstance_preps=_words(mod, "circumstance_preps", "words"),
        clausal_agent=_words(trig, "clausal_agent", "lemmas"),
        agent_target=_words(trig, "agent_target", "lemmas"),
        speech_act_categories=frozenset(str(c) for c in trig.get("speech_acts", {}).get("categories", [])),
        topic_preps=_words(trig, "speech_acts", "topic_preps"),
        crowd_numbers=_words(part, "kinds", "crowd_numbers"),
    )


def load_label_map(data_dir: str | Path | None = None) -> dict[str, str]:
    """PLOVER 0.5 label -> PLOVER 2.0 category ("" = no 2.0 category)."""
    path = Path(data_dir or DATA_DIR) / "plover05_to_20.toml"
    raw = _read(path).get("map", {})
    out = {str(k): str(v) for k, v in raw.items()}
    for k, v in out.items():
        if v and v not in PLOVER_CATEGORIES:
            raise ConfigError("E107", path=str(path), detail=f"{k!r}: unknown PLOVER category {v!r}")
    return out
