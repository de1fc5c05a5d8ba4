"""Names across articles: normalised forms, transliteration keys and the hard constraints on names.

A person's name splits into a first name and a surname (middle names and particles
are kept but weigh nothing); two people are compatible only when their surnames
match (exactly or as spelling variants: Zelensky / Zelenskiy) and their first names,
where both are known, match too: equal, an initial of the other ("V. Putin"), a
known short form ("Bill" / "William") or a spelling variant ("Bakhrom" / "Bakhram").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from rapidfuzz.distance import JaroWinkler

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_ARTICLE = frozenset({"the"})
#: Name particles that are not a surname on their own ("van" in "Marcel van Soest").
PARTICLES = frozenset(
    {
        "al",
        "el",
        "bin",
        "ibn",
        "abu",
        "van",
        "von",
        "der",
        "den",
        "de",
        "da",
        "di",
        "du",
        "la",
        "le",
        "bar",
        "ben",
    }
)
#: Words that are not part of a name when they open it: titles that slipped through.
_TITLE_WORDS = frozenset({"mr", "mrs", "ms", "miss", "dr", "prof", "sir", "dame", "lord", "lady", "st"})
_ACRONYM_SKIP = frozenset({"of", "the", "and", "for", "on", "in", "de", "du", "des", "la", "le", "at", "to"})
#: Transliteration rules, applied in order to a lowercased, accent-free word. They map the
#: spellings that English, German and French news use for the same Cyrillic, Arabic or
#: Chinese name onto one skeleton (Zelenskiy / Zelensky / Selenskyj are not all caught:
#: the similarity test below takes what the rules miss).
_TRANSLIT = (
    ("sch", "sh"),
    ("tch", "ch"),
    ("dzh", "j"),
    ("kh", "h"),
    ("zh", "j"),
    ("dj", "j"),
    ("ph", "f"),
    ("ck", "k"),
    ("q", "k"),
    ("w", "v"),
    ("ou", "u"),
    ("oo", "u"),
    ("ee", "i"),
    ("ts", "c"),
    ("tz", "c"),
    ("y", "i"),
    ("j", "i"),
)
_DOUBLE = re.compile(r"(.)\1+")


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Lowercase, accents dropped, curly apostrophes made straight."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def words(text: str) -> list[str]:
    """The folded words of a name; hyphens and periods split or vanish ("al-Assad" -> al, assad)."""
    return _WORD.findall(fold(text).replace(".", " ").replace("'s ", " "))


@lru_cache(maxsize=200_000)
def normalise(text: str) -> str:
    """A name compared as words: "The Palestinian Authority" -> "palestinian authority"."""
    parts = words(text)
    while parts and parts[0] in _ARTICLE:
        parts = parts[1:]
    return " ".join(parts)


@cache
def skeleton(word: str) -> str:
    """A transliteration key of one folded word: Zelenskiy, Zelensky -> "zelenski"."""
    out = word.replace("'", "")
    for a, b in _TRANSLIT:
        out = out.replace(a, b)
    out = _DOUBLE.sub(r"\1", out)
    if len(out) > 3 and out.endswith("ii"):
        out = out[:-1]
    return out


def similar(a: str, b: str, threshold: float = 0.9) -> bool:
    """Spelling variants of one word: equal skeletons, or Jaro-Winkler over them at least ``threshold``.

    Both must start alike (first letter of the skeleton), so "Peskov" never meets "Leskov".
    """
    sa, sb = skeleton(a), skeleton(b)
    if sa == sb:
        return True
    if not sa or not sb or sa[0] != sb[0] or min(len(sa), len(sb)) < 4:
        return False
    return JaroWinkler.similarity(sa, sb) >= threshold


@dataclass(frozen=True)
class PersonName:
    """A person's name as parts: first name (may be an initial or missing) and surname."""

    first: str | None
    surname: str
    full: str  # the folded words joined

    @property
    def key(self) -> str:
        return "p:" + skeleton(self.surname)


_HYPHENATED_GIVEN = re.compile(r"^[^\W\d_]+\s+[^\W\d_]+-[^\W\d_]+$")


def person_name(text: str) -> PersonName | None:
    """Split a person's name; None when nothing name-like is left.

    East Asian names written surname first ("Liu Shan-chung", "Tao Siju") keep the
    surname first (``data/linking/east_asian_surnames.txt``).
    """
    parts = words(text)
    while parts and parts[0] in _TITLE_WORDS:
        parts = parts[1:]
    if not parts:
        return None
    plain = text.strip()
    if len(parts) >= 2 and (
        _HYPHENATED_GIVEN.match(plain) or (len(parts) == 2 and parts[0] in east_asian_surnames())
    ):
        return PersonName("".join(parts[1:]), parts[0], " ".join(parts))
    # The surname is the last word that is not a particle, with the particles before it
    # dropped: "Marcel van Soest" -> soest; "Bashar al-Assad" -> assad.
    surname = parts[-1]
    rest = parts[:-1]
    while rest and rest[-1] in PARTICLES:
        rest = rest[:-1]
    if rest and rest[-1] in {"jr", "sr", "ii", "iii"}:
        rest = rest[:-1]
    first = rest[0] if rest else None
    return PersonName(first, surname, " ".join(parts))


@cache
def _short_forms() -> dict[str, frozenset[str]]:
    text = resources.files("newsgraph").joinpath("data", "linking", "short_forms.tsv").read_text("utf-8")
    groups: dict[str, set[str]] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        names = [fold(n.strip()) for n in line.split("\t") if n.strip()]
        for name in names:
            groups.setdefault(name, set()).update(names)
    return {k: frozenset(v) for k, v in groups.items()}


@cache
def common_surnames() -> frozenset[str]:
    """Surnames so common that a bare one says little about who is meant (data file)."""
    text = resources.files("newsgraph").joinpath("data", "linking", "common_surnames.txt").read_text("utf-8")
    return frozenset(
        skeleton(fold(line.strip()))
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    )


@cache
def east_asian_surnames() -> frozenset[str]:
    """Surnames written first ("Tao Siju"): data/linking/east_asian_surnames.txt."""
    path = resources.files("newsgraph").joinpath("data", "linking", "east_asian_surnames.txt")
    lines = path.read_text("utf-8").splitlines()
    return frozenset(fold(x.strip()) for x in lines if x.strip() and not x.startswith("#"))


def first_names_match(a: str, b: str) -> bool:
    """Two first names of one person: equal, an initial, a short form or a spelling variant."""
    if a == b:
        return True
    if len(a) == 1 or len(b) == 1:
        return a[0] == b[0]
    if b in _short_forms().get(a, frozenset()):
        return True
    return similar(a, b, 0.88)


def acronym(name: str) -> str | None:
    """The initials of a name of two or more significant words ("Islamic Resistance Movement" -> irm)."""
    parts = [w for w in words(name) if w not in _ACRONYM_SKIP]
    if len(parts) < 2:
        return None
    return "".join(w[0] for w in parts)


def is_acronym(name: str) -> bool:
    """ "MRTA", "U.N.", "MSF": all capitals, 2 to 7 letters."""
    letters = name.replace(".", "").replace("-", "").replace("&", "").strip()
    return 2 <= len(letters) <= 7 and letters.isalpha() and letters.isupper()
