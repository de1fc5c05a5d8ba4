"""Roles and titles next to a person's name, from the parse and the role-noun list.

Four shapes, each checked in constant work per name (a bounded look around it):

* a title right before the name: "President Joe Biden", "Ayatollah Ali Khamenei";
* a pre-modifier phrase: "Kremlin spokesman Dmitry Peskov", "Russian President Vladimir Putin";
* an apposition after the name: "Sergei Ryabkov, Russia's deputy foreign minister,";
* an apposition before the name: "the Russian president, Vladimir Putin,".

A phrase is a role only when its head noun is in ``data/entities/role_nouns.txt``
(or it is a listed title), so "ally Viktor Orban" gives no role but
"Viktor Orban, Hungary's prime minister" does. A leading "a/an/the" is left out
of the role span.
"""

from __future__ import annotations

from typing import Any

from .lexicon import Lexicon
from .mentions import Candidate

_MAX_ROLE_TOKENS = 14
_STOP_TEXT = frozenset({",", ";", ":", "(", ")", "[", "]", "—", "–", '"', "“", "”", "‘", "’", "'"})
_FINITE = frozenset({"VBD", "VBZ", "VBP", "MD"})
_RELATIVE = frozenset({"WDT", "WP", "WP$", "WRB"})
_PREMOD_DEPS = frozenset({"compound", "amod", "nmod", "poss"})
_DETERMINERS = frozenset({"a", "an", "the"})


def _is_role_word(tok: Any, lex: Lexicon) -> bool:
    return tok.lower_ in lex.role_nouns or tok.lemma_.lower() in lex.role_nouns


def _trim(doc: Any, start: int, end: int) -> tuple[int, int]:
    while start < end and doc[start].lower_ in _DETERMINERS:
        start += 1
    while end > start and doc[end - 1].is_punct:
        end -= 1
    return start, end


def _name_root(doc: Any, cand: Candidate) -> Any:
    for i in range(cand.end - 1, cand.start - 1, -1):
        head = doc[i].head.i
        if head < cand.start or head >= cand.end or head == i:
            return doc[i]
    return doc[cand.end - 1]


def _premodifier(doc: Any, cand: Candidate, root: Any, lex: Lexicon) -> tuple[int, int] | None:
    """ "Kremlin spokesman" in "Kremlin spokesman Dmitry Peskov" (left dependents of the name)."""
    limit = cand.start
    left = limit
    for child in root.lefts:
        if child.i >= cand.start or child.dep_ not in _PREMOD_DEPS:
            continue
        if child.right_edge.i >= limit or child.left_edge.i < limit - _MAX_ROLE_TOKENS:
            continue
        left = min(left, child.left_edge.i)
    if left == limit:
        return None
    start, end = _trim(doc, left, limit)
    # skip honorifics ("Mr") standing between the phrase and the name
    while end > start and doc[end - 1].text in lex.honorifics:
        end -= 1
    if end <= start:
        return None
    span = doc[start:end]
    if any(
        (t.is_punct and t.text not in ("-", "–", ".")) or t.tag_ in _FINITE or t.pos_ == "CCONJ" for t in span
    ):
        return None  # a list or a clause ("speakers Ryan and Senate Majority Leader"), not a role
    if _is_role_word(doc[end - 1], lex) or doc[end - 1].text in lex.title_words:
        return start, end
    return None


def _apposition_after(doc: Any, cand: Candidate, sent_end: int, lex: Lexicon) -> tuple[int, int] | None:
    """ "Russia's deputy foreign minister" in "Sergei Ryabkov, Russia's deputy foreign minister,"."""
    i = cand.end
    if i >= sent_end or doc[i].text != ",":
        return None
    i += 1
    # an age between name and role: "Jane Doe, 54, a teacher"
    if i + 1 < sent_end and doc[i].like_num and doc[i + 1].text == ",":
        i += 2
    start = i
    if start >= sent_end:
        return None
    first = doc[start]
    if first.pos_ in ("CCONJ", "ADP", "VERB", "AUX", "PRON", "SCONJ") and first.tag_ != "PRP$":
        return None  # "Putin, and ...", "Peskov, who ...": not a role phrase
    head: int | None = None
    j = start
    while j < sent_end and j - start < _MAX_ROLE_TOKENS:
        tok = doc[j]
        if tok.text in _STOP_TEXT or (tok.is_punct and tok.text != "-"):
            break
        if tok.tag_ in _FINITE or tok.tag_ in _RELATIVE:
            return None
        if tok.pos_ == "ADP" and head is None:
            # the head noun comes before any preposition: "analyst at Bloomberg"
            return None
        if head is None and tok.pos_ in ("NOUN", "PROPN") and _is_role_word(tok, lex):
            head = j
        j += 1
    else:
        if j < sent_end:
            return None  # ran past the length limit: not a short role phrase
    if head is None:
        return None
    s, e = _trim(doc, start, j)
    return (s, e) if e > s else None


def _apposition_before(doc: Any, cand: Candidate, root: Any, lex: Lexicon) -> tuple[int, int] | None:
    """ "Russian president" in "the Russian president, Vladimir Putin,"."""
    comma = cand.start - 1
    if comma < 1 or doc[comma].text != "," or root.dep_ != "appos":
        return None
    head = root.head
    if head.i >= comma or not _is_role_word(head, lex):
        return None
    start = head.left_edge.i
    if comma - start > _MAX_ROLE_TOKENS:
        return None
    span = doc[start:comma]
    if any(t.tag_ in _FINITE or t.tag_ in _RELATIVE for t in span):
        return None
    s, e = _trim(doc, start, comma)
    return (s, e) if e > s else None


def _names_someone_else(doc: Any, span: tuple[int, int], people: dict[int, int]) -> bool:
    """True when the span's head phrase holds another person's full name or ends in a name.

    "Rick Santorum, Senator Marco Rubio, ..." is a list, not Santorum's role; a surname
    as a modifier stays ("Clinton campaign spokesman Brian Fallon"), and so does a name
    after a preposition ("attorney general under former President George W. Bush").
    """
    start, end = span
    for i in range(start, end):
        if doc[i].pos_ == "ADP":
            return False
        n = people.get(i)
        if n is not None and (n >= 2 or i + n >= end):
            return True
    return False


def find_roles(
    doc: Any, cand: Candidate, sent_end: int, lex: Lexicon, people: dict[int, int] | None = None
) -> list[tuple[int, int]]:
    """Role spans (token ranges) for one PERSON candidate.

    ``people`` maps the first token of every PERSON name in the document to its length.
    """
    roles: list[tuple[int, int]] = []
    root = _name_root(doc, cand)
    title_span: tuple[int, int] | None = None
    if cand.title_start is not None:
        t0 = cand.title_start
        # an honorific is not a role: "Mr", "Mrs" (gender only)
        while t0 < cand.start and doc[t0].text in lex.honorifics:
            t0 += 1
        if t0 < cand.start:
            title_span = (t0, cand.start)
    pre = _premodifier(doc, cand, root, lex)
    if pre and title_span and pre[0] <= title_span[0] and pre[1] >= title_span[1]:
        title_span = None  # "Russian President" covers "President"
    if pre and title_span and title_span[0] < pre[1]:
        pre = None  # the title sits inside the entity: "Ayatollah" in "Ayatollah Ali Khamenei"
    for span in (title_span, pre, _apposition_after(doc, cand, sent_end, lex)):
        if span:
            roles.append(span)
    before = _apposition_before(doc, cand, root, lex)
    if before and not any(s <= before[0] < e for s, e in roles):
        roles.append(before)
    if people:
        roles = [r for r in roles if not _names_someone_else(doc, r, people)]
    return roles
