"""Candidate mentions from spaCy's entities, corrected by the rules in ``data/entities``.

One pass over ``doc.ents`` plus two cheap token scans (forced names, unnamed
facilities). Each candidate is a token range for the *name* (leading "the",
honorifics and titles stripped off, a trailing possessive dropped) with what was
found around it: a title or honorific just before it and, for people, the role
phrases next to it (see :mod:`.roles`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .lexicon import Lexicon

_PROPER_TAGS = frozenset({"NNP", "NNPS"})
_DETERMINERS = frozenset({"the", "a", "an"})
_HYPHENS = frozenset({"-", "–", "‐"})
#: names longer than this are NER run-ons, not names
_MAX_NAME_TOKENS = 10
#: role nouns that also describe an organisation or a country ("Norway, a NATO member"):
#: they do not make an ORG-tagged name a person
_SHARED_ROLES = frozenset(
    {
        "member",
        "host",
        "partner",
        "monitor",
        "observer",
        "player",
        "owner",
        "investor",
        "leader",
        "head",
        "chief",
        "founder",
        "mediator",
        "negotiator",
        "representative",
    }
)


@dataclass
class Candidate:
    """A name found in the parse (token offsets, end exclusive)."""

    start: int
    end: int
    label: str
    #: tokens of a title or honorific right before the name ("Ayatollah", "President", "Mr")
    title_start: int | None = None
    honorific_gender: str | None = None
    #: (token start, token end) of role phrases ("Russia's deputy foreign minister")
    roles: list[tuple[int, int]] = field(default_factory=list)


def _strip(doc: Any, start: int, end: int) -> tuple[int, int]:
    """Drop a leading determiner and trailing punctuation / possessive marks."""
    # "the Kremlin", "her State Department": the name starts after the determiner
    while start < end and (doc[start].lower_ in _DETERMINERS or doc[start].tag_ == "PRP$"):
        start += 1
    while end > start and (doc[end - 1].is_punct or doc[end - 1].tag_ == "POS" or doc[end - 1].is_space):
        end -= 1
    while start < end and (doc[start].is_punct or doc[start].is_space):
        start += 1
    return start, end


def _lowercase(text: str) -> bool:
    """True when the text has cased letters but no capital (scripts without case pass)."""
    cased = [c for c in text if c.lower() != c.upper()]
    return bool(cased) and not any(c.isupper() for c in cased)


def _attitude(doc: Any, start: int, end: int, lex: Lexicon) -> bool:
    """True for "pro-Kremlin", "anti-Western": an attitude, not a named thing."""
    text = doc[start:end].text.lower()
    if any(text.startswith(p) for p in lex.not_entity_prefixes):
        return True
    # "pro-" tokenised apart from the name: pro / - / Kremlin
    if start >= 2 and doc[start - 1].text in _HYPHENS and not doc[start - 2].whitespace_:
        prefix = doc[start - 2].lower_ + "-"
        return any(prefix == p.replace("–", "-") for p in lex.not_entity_prefixes)
    return False


def _match_suffix(doc: Any, at: int, lex: Lexicon) -> int:
    """Length in tokens of the facility suffix starting at token ``at`` (0 when none)."""
    n = len(doc)
    if at >= n:
        return 0
    for suffix in lex.suffixes_by_first.get(doc[at].lower_, ()):
        k = len(suffix)
        if at + k <= n and all(doc[at + i].lower_ == suffix[i] for i in range(k)):
            return k
    return 0


def _match_title_at(doc: Any, start: int, limit: int, lex: Lexicon) -> int:
    """Length of a title starting at ``start`` that ends before ``limit`` (0 when none)."""
    for title in lex.titles_by_first.get(doc[start].text, ()):
        k = len(title)
        if start + k <= limit and all(doc[start + i].text == title[i] for i in range(k)):
            return k
    return 0


def _match_title_before(doc: Any, end: int, lex: Lexicon) -> int:
    """Length of a title that ends right before token ``end`` (0 when none)."""
    if end < 1:
        return 0
    for title in lex.titles_by_last.get(doc[end - 1].text, ()):
        k = len(title)
        if end - k >= 0 and all(doc[end - k + i].text == title[i] for i in range(k)):
            return k
    return 0


def _person(doc: Any, cand: Candidate, taken: list[bool], lex: Lexicon) -> Candidate | None:
    """Tidy a PERSON name: strip titles/honorifics, extend "Jane" to "Jane Doe"."""
    s, e = cand.start, cand.end
    n = len(doc)
    # spaCy sometimes stops a name early ("Mrs. Jane Doe" -> "Jane"): take the proper
    # nouns that the name's last token attaches to, one at a time.
    while (
        e < n
        and doc[e].tag_ in _PROPER_TAGS
        and doc[e].is_title
        and not taken[e]
        and doc[e].ent_type_ in ("", "PERSON")
        and doc[e - 1].head.i == e
        and doc[e].text not in lex.honorifics
    ):
        e += 1
    title_start: int | None = None
    gender: str | None = None
    while s < e:
        if doc[s].text in lex.honorifics and s + 1 < e:
            gender = gender or lex.honorifics[doc[s].text] or None
            title_start = s if title_start is None else title_start
            s += 1
            continue
        k = _match_title_at(doc, s, e, lex) if s + 1 < e else 0
        if k and s + k < e:
            title_start = s if title_start is None else title_start
            s += k
            continue
        break
    if s >= e or not any(ch.isalpha() for ch in doc[s:e].text):
        return None
    # An honorific or title just outside the entity: "Mr Smith", "President Joe Biden".
    if title_start is None:
        if s > 0 and doc[s - 1].text in lex.honorifics:
            title_start = s - 1
            gender = lex.honorifics[doc[s - 1].text] or None
        else:
            k = _match_title_before(doc, s, lex)
            if k:
                title_start = s - k
                if title_start > 0 and doc[title_start - 1].text in lex.honorifics:
                    gender = lex.honorifics[doc[title_start - 1].text] or None
    cand.start, cand.end, cand.title_start, cand.honorific_gender = s, e, title_start, gender
    return cand


def collect(doc: Any, lex: Lexicon) -> list[Candidate]:
    """Candidates in text order; linear in the number of tokens."""
    n = len(doc)
    taken = [False] * n
    cands: list[Candidate] = []
    for ent in doc.ents:
        label = ent.label_
        if label in lex.ignore_labels:
            continue
        s, e = _strip(doc, ent.start, ent.end)
        if (
            s >= e
            or e - s > _MAX_NAME_TOKENS
            or _attitude(doc, s, e, lex)
            or any(taken[i] for i in range(s, e))
        ):
            continue
        if any(doc[i].is_space or doc[i].text == ":" or "\n" in doc[i].text for i in range(s, e)):
            continue  # runs over a line break or a speaker label ("WALLACE: Let's start")
        if _lowercase(doc[s:e].text):
            continue  # "state" tagged ORG: a name in a cased script has a capital
        if label in lex.facility_name_labels and all(doc[i].tag_ in _PROPER_TAGS for i in range(s, e)):
            k = _match_suffix(doc, e, lex)
            if k:
                e, label = e + k, "FAC"
        forced = lex.forced_labels.get(tuple(t.text for t in doc[s:e]))
        if forced:
            label = forced
        if label == "ORG" and _person_by_apposition(doc, s, e, lex):
            label = "PERSON"
        cand: Candidate | None = Candidate(s, e, label)
        if label == "PERSON" and cand is not None:
            cand = _person(doc, cand, taken, lex)
        if cand is None:
            continue
        for i in range(cand.start, cand.end):
            taken[i] = True
        cands.append(cand)
    extra = _scan_tokens(doc, taken, lex)
    extra.extend(_scan_surnames(doc, cands, taken))
    if extra:
        cands.extend(extra)
        cands.sort(key=lambda c: c.start)
    return cands


def _person_by_apposition(doc: Any, start: int, end: int, lex: Lexicon) -> bool:
    """ "Helena Varga, the foreign minister": a two- or three-word proper name that NER
    tagged ORG but whose apposition is headed by a person's role noun is a person."""
    if not 2 <= end - start <= 3 or not all(
        doc[i].tag_ in _PROPER_TAGS and doc[i].is_title for i in range(start, end)
    ):
        return False
    if end >= len(doc) or doc[end].text != ",":
        return False
    root = doc[end - 1]
    for child in root.children:
        if child.dep_ == "appos" and child.i > end and child.pos_ == "NOUN":
            low = child.lemma_.lower()
            return (low in lex.role_nouns or child.lower_ in lex.role_nouns) and low not in _SHARED_ROLES
    return False


def _scan_tokens(doc: Any, taken: list[bool], lex: Lexicon) -> list[Candidate]:
    """Names spaCy missed: forced names ("the Kremlin") and "Hmeimim air base"."""
    out: list[Candidate] = []
    n = len(doc)
    suffix_first = lex.suffixes_by_first
    for i in range(n):
        if taken[i]:
            continue
        tok = doc[i]
        if tok.text in lex.forced_first:
            for name, label in lex.forced_labels.items():
                k = len(name)
                if (
                    name[0] == tok.text
                    and i + k <= n
                    and all(doc[i + j].text == name[j] and not taken[i + j] for j in range(k))
                    and not _attitude(doc, i, i + k, lex)
                ):
                    out.append(Candidate(i, i + k, label))
                    for j in range(i, i + k):
                        taken[j] = True
                    break
        elif tok.lower_ in suffix_first and i > 0:
            # proper nouns right before the suffix, not part of another name
            s = i
            while s > 0 and i - s < 4 and not taken[s - 1] and doc[s - 1].tag_ in _PROPER_TAGS:
                if not doc[s - 1].is_title or doc[s - 1].is_sent_start:
                    break
                s -= 1
            if s == i:
                continue
            k = _match_suffix(doc, i, lex)
            if k and not any(taken[j] for j in range(i, i + k)) and not _attitude(doc, s, i + k, lex):
                out.append(Candidate(s, i + k, "FAC"))
                for j in range(s, i + k):
                    taken[j] = True
    return out


def _scan_surnames(doc: Any, cands: list[Candidate], taken: list[bool]) -> list[Candidate]:
    """A bare surname spaCy did not tag, of a person named in full elsewhere ("Espinoza said")."""
    surnames = {doc[c.end - 1].text for c in cands if c.label == "PERSON" and c.end - c.start >= 2}
    if not surnames:
        return []
    out: list[Candidate] = []
    n = len(doc)
    for i in range(n):
        tok = doc[i]
        if taken[i] or tok.tag_ not in _PROPER_TAGS or tok.text not in surnames:
            continue
        # part of a longer proper name ("Clinton Foundation", "Mark Espinoza") is someone else
        if (i > 0 and doc[i - 1].tag_ in _PROPER_TAGS) or (i + 1 < n and doc[i + 1].tag_ in _PROPER_TAGS):
            continue
        out.append(Candidate(i, i + 1, "PERSON"))
        taken[i] = True
    return out
