"""Pronouns and descriptions ("he", "the minister") resolved to the person they stand for.

One resolver for every stage: the attributions stage reads it for pronoun and
descriptive speakers, the events stage for pronoun actors and targets. It runs after
the entities are built and records :class:`~newsgraph.model.Reference` objects on
``article.references``; it never adds to ``Entity.mentions`` (names only).

How it decides, in text order (linear in the number of tokens, times a small window):

* **Descriptions** ("the minister", "the spokeswoman"): a definite noun phrase headed by
  a role noun (``data/entities/role_nouns.txt``) or a gendered noun (``titles.toml``)
  that is not part of a name or a role phrase. It refers to the one person named earlier
  whose role has that head noun (and whose capitalised modifiers agree: "the Russian
  minister" is not "the French foreign minister"); gendered nouns must agree with the
  person's gender. Two candidates and no clear most recent one: left unresolved.
  ("the Russian president" given as a role word for word is already a name mention:
  :func:`.resolve.add_descriptions`.)
* **Pronouns** (he/him/his/himself, she/her/hers/herself from ``titles.toml``): the
  candidates are people of agreeing (or unknown) gender mentioned in the last
  ``WINDOW`` sentences before it, by name, by a resolved description or by an earlier
  resolved pronoun. A person scores the salience of their best mention (Lappin and Leass 1994, cut
  down): recency, subject > object > other, a head noun rather than a modifier ("the
  Assad regime"), for a pronoun in a main clause a person in a main clause rather
  than a reported or subordinate one ("Lang confirmed that Haddad had left. He said
  ..." is Lang), for a pronoun introducing speech ("He said: ...") a person
  introduced as a speaker ("X said that", "according to X"), halved for every
  sentence back. Two hard constraints:

  - a pronoun outside quotation marks never takes a person named only inside someone's
    quotation ("“Putin is a strong leader,” he said" is not Putin speaking);
  - a non-reflexive pronoun is not the subject of its own verb ("he accused him", "he
    has no intention of meeting him");
  - a pronoun inside a quotation is not the quotation's speaker ("He said: “He is
    safe.”").

  When the best two people are within ``MARGIN`` of each other the pronoun stays
  unresolved: a wrong speaker is worse than none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...model import Entity, Reference
from .lexicon import Lexicon

__all__ = ["MARGIN", "WINDOW", "quote_mask", "resolve_references"]

#: sentences back a pronoun may reach (the pronoun's own sentence is 0)
WINDOW = 3
#: the runner-up must score below this share of the best for a pronoun to be resolved
MARGIN = 0.85
#: salience a main-clause person adds for a main-clause pronoun
MAIN_CLAUSE = 80
#: salience a person introduced as a speaker adds for a pronoun that introduces speech
SPEAKER = 60
#: descriptions reach this many sentences back for their "most recent" tie-break
DESCRIPTION_RECENT = 2

#: the named phrases that compete for "they" (a country competes but is never taken)
_GROUP_CANDIDATES = frozenset({"ORG", "NORP", "GPE"})

_SUBJECT = frozenset({"nsubj", "nsubjpass"})
_OBJECT = frozenset({"dobj", "attr", "oprd"})
_OBLIQUE = frozenset({"dative", "pobj", "iobj"})
_MODIFIER = frozenset({"compound", "amod", "nmod", "poss"})
_REFLEXIVE = frozenset({"himself", "herself"})
_CLAUSE_DEPS = frozenset({"ccomp", "xcomp", "advcl", "relcl", "acl", "csubj", "pcomp"})
_DESCRIPTION_DETS = frozenset({"the", "this", "that"})
#: links from a verb without a subject to the phrase that controls it
_NON_FINITE = frozenset({"xcomp", "pcomp", "pobj", "prep", "dobj", "acl", "advcl"})


@dataclass
class _Mention:
    """A person mention that gives its entity salience for later pronouns."""

    tok: int
    entity: str
    sent: int
    weight: float  # salience without the main-clause bonus
    main: bool  # in its sentence's main clause
    speaker: bool  # the subject of a verb with a clausal complement, or "according to" X
    quoted: bool


@dataclass
class _Group:
    """A phrase a later "they" could stand for (``entity`` is "#<token>" when it is no entity)."""

    tok: int
    entity: str
    sent: int
    quoted: bool


def quote_mask(text: str) -> bytearray:
    """1 for every character inside quotation marks, paragraph by paragraph.

    Straight double quotes toggle; curly and guillemet quotes open and close. A
    paragraph (a line) starts outside any quotation: a quotation running on to the
    next paragraph opens it again, as news style does. Apostrophes (’ inside a word)
    are not quotes.
    """
    mask = bytearray(len(text))
    opener = ""  # the mark that opened the current quotation, "" outside
    n = len(text)
    for i, ch in enumerate(text):
        if ch == "\n":
            opener = ""
            continue
        if opener:
            mask[i] = 1
            if (
                (ch == '"' and opener in '"“')
                or (ch == "”" and opener in '"“')
                or (ch == "»" and opener == "«")
                or (ch == "’" and opener == "‘" and (i + 1 >= n or not text[i + 1].isalnum()))
            ):
                opener = ""
        elif ch in '"“«' or (ch == "‘" and (i == 0 or not text[i - 1].isalnum())):
            opener = ch
            mask[i] = 1
    return mask


def _sentence_index(doc: Any) -> list[int]:
    out = [0] * len(doc)
    if not len(doc):
        return out
    from spacy.attrs import SENT_START

    # sentence number of each token: token 0 and each token whose sent_start is 1 open one
    flags = doc.to_array(SENT_START).reshape(-1).astype("int64").tolist()
    n = 0
    for i in range(1, len(doc)):
        if flags[i] == 1:
            n += 1
        out[i] = n
    return out


def _main_clause(tok: Any) -> bool:
    """True when no clause boundary lies between the token and the sentence root."""
    head = tok.head
    steps = 0
    while head.i != tok.i and steps < 30:
        if tok.dep_ in _CLAUSE_DEPS:
            return False
        tok, head = head, head.head
        steps += 1
    return True


def _speaker(tok: Any) -> bool:
    """ "X said that ...", "X told Y: ...", "according to X": the frame of reported speech."""
    if tok.dep_ in _SUBJECT:
        return any(c.dep_ in ("ccomp", "parataxis") for c in tok.head.children)
    return tok.dep_ == "pobj" and tok.head.lower_ == "to" and tok.head.head.lower_ == "according"


def _weight(tok: Any) -> float:
    """The salience one mention gives its entity (before the recency halving)."""
    while tok.dep_ == "conj" and tok.head.i != tok.i:
        tok = tok.head  # "Reyes and Lowe arrived": both are subjects
    dep = tok.dep_
    w = 100.0
    if dep in _SUBJECT:
        w += 80
    elif dep in _OBJECT:
        w += 50
    elif dep in _OBLIQUE:
        w += 40
    if dep not in _MODIFIER:
        w += 80  # a head noun, not "the Assad regime"
    return w


def _name_root(doc: Any, start: int, end: int) -> Any | None:
    span = doc.char_span(start, end, alignment_mode="expand")
    return None if span is None or len(span) == 0 else span.root


def resolve_references(doc: Any, text: str, entities: list[Entity], lex: Lexicon) -> list[Reference]:
    """Resolved pronouns and descriptions of ``doc``, in text order."""
    people = {e.id: e for e in entities if e.type == "PERSON"}
    group_types = {e.id: e.type for e in entities if e.type in _GROUP_CANDIDATES}
    groups_ok = {e.id for e in entities if _group_entity(e, lex)}
    if not (people or groups_ok) or len(doc) == 0:
        return []
    sent_of = _sentence_index(doc)
    quoted = quote_mask(text)
    # Tokens already covered by a name or a role: never a description or a pronoun to resolve.
    covered = bytearray(len(doc))
    names: dict[int, list[tuple[int, str]]] = {}  # token -> [(root token, entity)] starting there
    group_roots: dict[int, str] = {}  # root token of an ORG / NORP / GPE mention -> entity
    for ent in entities:
        facts: list[tuple[int, int]] = [(m.start, m.end) for m in ent.mentions]
        facts.extend((r.start, r.end) for r in ent.roles)
        for start, end in facts:
            span = doc.char_span(start, end, alignment_mode="expand")
            if span is None:
                continue
            for t in span:
                covered[t.i] = 1
        if ent.id in group_types:
            for m in ent.mentions:
                root = _name_root(doc, m.start, m.end)
                if root is not None:
                    group_roots.setdefault(root.i, ent.id)
        if ent.id not in people:
            continue
        for m in ent.mentions:
            root = _name_root(doc, m.start, m.end)
            if root is not None:
                names.setdefault(root.i, []).append((root.i, ent.id))
    role_heads = _role_heads(doc, people)

    def mention(i: int, target: str) -> _Mention:
        tok = doc[i]
        return _Mention(
            i, target, sent_of[i], _weight(tok), _main_clause(tok), _speaker(tok), bool(quoted[tok.idx])
        )

    cache: dict[int, _Mention] = {}

    def salience(g: _Group) -> _Mention:
        """The salience of a group phrase, worked out once and only when a "they" asks."""
        m = cache.get(g.tok)
        if m is None:
            m = cache[g.tok] = mention(g.tok, g.entity)
        return m

    coordinated = _coordinated(doc)
    history: list[_Mention] = []
    groups: list[_Group] = []  # every phrase "they" could stand for, in text order
    refs: list[Reference] = []
    for tok in doc:
        i = tok.i
        for root_i, ent_id in names.get(i, ()):
            history.append(mention(root_i, ent_id))
        key = _group_key(tok, group_roots, coordinated, lex)
        if key is None and tok.dep_ in _SUBJECT and (i in names or lex.pronouns.get(tok.lower_)):
            key = f"#{i}"  # a person as subject: "X agreed a pact with the RNC. They ..." is both
        if key is not None:
            groups.append(_Group(i, key, sent_of[i], bool(quoted[tok.idx])))
        low = tok.lower_
        if low in lex.plural_pronouns or low in lex.first_plural:
            if tok.pos_ == "PRON" or tok.tag_ in ("PRP", "PRP$"):
                if low in lex.first_plural:
                    target = _resolve_we(tok, quoted, group_roots, groups_ok)
                else:
                    target = _resolve_they(doc, tok, groups, salience, sent_of, quoted, groups_ok)
                if target is not None:
                    refs.append(Reference(tok.idx, tok.idx + len(tok.text), tok.text, "pronoun", target))
                groups.append(_Group(i, target or f"#{i}", sent_of[i], bool(quoted[tok.idx])))
            continue
        if covered[i]:
            continue
        gender = lex.pronouns.get(low)
        if gender is not None and (tok.pos_ == "PRON" or tok.tag_ in ("PRP", "PRP$")):
            target = _resolve_pronoun(doc, tok, gender, history, sent_of, quoted, people)
            if target is not None:
                refs.append(Reference(tok.idx, tok.idx + len(tok.text), tok.text, "pronoun", target))
                history.append(mention(i, target))
            continue
        if tok.pos_ == "NOUN" and (
            low in lex.role_nouns or tok.lemma_.lower() in lex.role_nouns or low in lex.gendered_nouns
        ):
            found = _description(doc, tok, lex, people, role_heads, history, sent_of, covered)
            if found is not None:
                start, end, target = found
                refs.append(Reference(start, end, text[start:end], "nominal", target))
                history.append(mention(i, target))
    return refs


def _coordinated(doc: Any) -> set[int]:
    """Nouns with a noun conjunct ("Grassley and Leahy"), from one array read."""
    from spacy.attrs import DEP, HEAD, POS

    conj = doc.vocab.strings["conj"]
    noun, propn = doc.vocab.strings["NOUN"], doc.vocab.strings["PROPN"]
    cols = doc.to_array([DEP, HEAD, POS]).tolist()
    out: set[int] = set()
    for i, (dep, head, pos) in enumerate(cols):
        if dep == conj and pos in (noun, propn):
            out.add(i + head)  # HEAD is stored relative to the token
    return out


def _group_key(tok: Any, group_roots: dict[int, str], coordinated: set[int], lex: Lexicon) -> str | None:
    """What a later "they" could take from this token: an ORG / NORP / GPE entity id, "#<token>"
    for a group that is no entity (plural, collective and coordinated noun phrases, "many",
    "12 percent"), or None when the token heads no such phrase."""
    if tok.pos_ not in ("NOUN", "PROPN"):
        quantifier = tok.lower_ in lex.quantifiers and tok.dep_ in _SUBJECT | _OBJECT | _OBLIQUE
        return f"#{tok.i}" if quantifier else None
    if tok.i in coordinated:
        return f"#{tok.i}"  # "Grassley and Leahy", "Democrats and Republicans": no one entity
    if tok.dep_ == "conj" and tok.head.pos_ in ("NOUN", "PROPN"):
        return None  # a conjunct: its coordination is the phrase
    if tok.i in group_roots:
        return group_roots[tok.i]
    if tok.dep_ == "compound":
        return None
    if (
        tok.tag_ in ("NNS", "NNPS")
        or tok.lemma_.lower() in lex.collective_nouns
        or tok.lower_ in lex.quantifiers
    ):
        return f"#{tok.i}"
    return None


def _group_entity(ent: Entity, lex: Lexicon) -> bool:
    """May "they" or "we" stand for this entity? A people (NORP), or an ORG whose name
    looks like an organisation's ("Security Council", "ACLU"; not "Apple Music")."""
    if ent.type == "NORP":
        return True
    if ent.type != "ORG":
        return False
    words = [w.strip(".,").lower() for a in (ent.name, *ent.aliases) for w in a.split()]
    if any(w in lex.organisation_words for w in words):
        return True
    letters = ent.name.replace(".", "")
    return 2 <= len(letters) <= 6 and letters.isalpha() and letters.isupper()


def _resolve_they(
    doc: Any,
    tok: Any,
    groups: list[_Group],
    salience: Callable[[_Group], _Mention],
    sent_of: list[int],
    quoted: bytearray,
    groups_ok: set[str],
) -> str | None:
    """The organisation or people (ORG / NORP) "they" stands for, or None.

    Every phrase "they" could stand for competes, named or not: plural, collective,
    quantified and coordinated phrases, countries, earlier "they"s, and people as
    subjects (a person and someone else are "they" too), with the salience used for
    "he"/"she". Only a winner that is an organisation or a people (:func:`_group_entity`),
    named as a subject (or by an earlier "they") in the pronoun's sentence or the one
    before, and clear of the runner-up by ``MARGIN``, is taken: "Voting rights advocates
    ... They cite" stays unresolved even with the ACLU named before. A pronoun inside a
    clause on a plural noun ("corporations looking to cut their debts") is that noun's.
    """
    sent = sent_of[tok.i]
    inside = bool(quoted[tok.idx])
    main = _main_clause(tok)
    speaker = _speaker(tok)
    excluded: set[str] = set()
    recent: list[_Group] = []  # the window, latest first
    for g in reversed(groups):
        if sent - g.sent > WINDOW:
            break
        recent.append(g)
    by_tok = {g.tok: g for g in recent}

    host = _clause_host(tok)
    if host is not None and host.i in by_tok:
        key = by_tok[host.i].entity
        return key if key in groups_ok else None
    if tok.lower_ != "themselves" and tok.dep_ not in _SUBJECT and tok.tag_ != "PRP$":
        subj = _clause_subject(tok)
        if subj is not None and subj.i in by_tok:
            excluded.add(by_tok[subj.i].entity)  # "the Democrats accused them": not the Democrats
    if inside:
        quoter = _quotation_speaker(tok, quoted)
        if quoter is not None and quoter.i in by_tok:
            excluded.add(by_tok[quoter.i].entity)  # "“They are wrong,” the party said"
    scores: dict[str, tuple[float, _Mention]] = {}
    for g in recent:
        back = sent - g.sent
        if g.entity in excluded or (g.quoted and not inside):
            continue
        m = salience(g)
        w = m.weight
        if main and m.main:
            w += MAIN_CLAUSE
        if speaker and m.speaker:
            w += SPEAKER
        w /= 2**back
        if tok.dep_ in _SUBJECT and doc[m.tok].dep_ in _SUBJECT:
            w += 35 / (2**back)
        if m.entity not in scores or w > scores[m.entity][0]:
            scores[m.entity] = (w, m)
    if not scores:
        return None
    ranked = sorted(scores.items(), key=lambda kv: kv[1][0], reverse=True)
    if len(ranked) > 1 and ranked[1][1][0] >= MARGIN * ranked[0][1][0]:
        return None
    best, (_, m) = ranked[0]
    if best not in groups_ok or sent - m.sent > 1:
        return None
    if tok.dep_ not in _SUBJECT and any(
        o.sent == sent and m.tok < o.tok and o.entity.startswith("#") and o.entity not in excluded
        for o in recent
    ):
        return None  # "the court was favourable to corporations looking to cut their debts"
    head = doc[m.tok]
    return best if head.dep_ in _SUBJECT or head.pos_ == "PRON" else None


def _clause_host(tok: Any) -> Any | None:
    """The noun whose relative or participle clause holds ``tok`` ("corporations looking
    to cut their debts" -> corporations), None when it sits in no such clause."""
    cur = tok
    for _ in range(10):
        if cur.head.i == cur.i:
            return None
        if cur.dep_ in ("relcl", "acl"):
            return cur.head if cur.head.pos_ in ("NOUN", "PROPN", "PRON") else None
        cur = cur.head
    return None


def _resolve_we(tok: Any, quoted: bytearray, group_roots: dict[int, str], groups_ok: set[str]) -> str | None:
    """ "“We will appeal,” the ACLU said": "we" in a quotation is the quotation's speaker
    when that speaker is named as an organisation or a people (:func:`_group_entity`);
    anything else (a person speaking for a group not named, the writer's "we") stays
    unresolved."""
    if not quoted[tok.idx]:
        return None
    quoter = _quotation_speaker(tok, quoted)
    if quoter is None:
        return None
    target = group_roots.get(quoter.i)
    return target if target in groups_ok else None


def _role_heads(doc: Any, people: dict[str, Entity]) -> dict[str, list[tuple[str, frozenset[str], int]]]:
    """Role head noun -> [(entity, lowercased role words, role end char)] for every person."""
    out: dict[str, list[tuple[str, frozenset[str], int]]] = {}
    for ent in people.values():
        for role in ent.roles:
            span = doc.char_span(role.start, role.end, alignment_mode="expand")
            if span is None or len(span) == 0:
                continue
            words = frozenset(t.lower_ for t in span)
            heads = {span[-1].lower_, span[-1].lemma_.lower(), span.root.lower_, span.root.lemma_.lower()}
            for h in heads:
                out.setdefault(h, []).append((ent.id, words, role.end))
    return out


def _gender_ok(ent: Entity, gender: str | None) -> bool:
    return gender is None or ent.gender is None or ent.gender == gender


def _description(
    doc: Any,
    tok: Any,
    lex: Lexicon,
    people: dict[str, Entity],
    role_heads: dict[str, list[tuple[str, frozenset[str], int]]],
    history: list[_Mention],
    sent_of: list[int],
    covered: bytearray,
) -> tuple[int, int, str] | None:
    """The person a definite description headed by ``tok`` refers to, with its char span."""
    if tok.dep_ in _MODIFIER or tok.tag_ in ("NNS", "NNPS"):
        return None  # "the minister's office", "the ministers"
    left = list(tok.lefts)
    if not left or left[0].lower_ not in _DESCRIPTION_DETS:
        return None
    if any(c.dep_ == "appos" or c.ent_type_ == "PERSON" for c in tok.children):
        return None  # "the minister, Jane Doe": the name is the mention
    if any(c.dep_ in ("prep", "relcl", "acl") for c in tok.rights):
        return None  # "the minister of health", "the spokesman who ...": a new description
    first = left[0].i
    if any(covered[k] for k in range(first, tok.i + 1)):
        return None
    if tok.i + 1 < len(doc) and doc[tok.i + 1].tag_ in ("NNP", "NNPS"):
        return None  # "the minister Jane Doe"
    mods = [doc[k] for k in range(first + 1, tok.i)]
    if any(m.ent_type_ == "PERSON" for m in mods):
        return None
    gender = lex.gendered_nouns.get(tok.lower_)
    options: dict[str, int] = {}
    for key in {tok.lower_, tok.lemma_.lower()}:
        for ent_id, words, role_end in role_heads.get(key, ()):
            if role_end > tok.idx or not _gender_ok(people[ent_id], gender):
                continue
            if not all(_agrees(m, words) for m in mods):
                continue
            options[ent_id] = role_end
    if not options:
        return None
    if len(options) > 1:
        # Two people hold that role: only the one named in the last sentences, if just one is.
        recent = {
            m.entity for m in history if m.entity in options and sent_of[tok.i] - m.sent <= DESCRIPTION_RECENT
        }
        if len(recent) != 1:
            return None
        options = {e: options[e] for e in recent}
    target = next(iter(options))
    start = doc[first].idx
    return start, tok.idx + len(tok.text), target


def _agrees(mod: Any, role_words: frozenset[str]) -> bool:
    """A modifier of a description agrees with a role when the role has the same word.

    Only capitalised modifiers ("Russian", "French") and role-like nouns are checked;
    "former", "new", "top" and other adjectives pass. "Russian" matches "Russia's" by
    its first five letters.
    """
    if mod.is_punct or mod.lower_ in ("'s", "’s"):
        return True
    if not (mod.text[:1].isupper() or mod.pos_ in ("NOUN", "PROPN")):
        return True
    low = mod.lower_
    return any(w == low or (len(low) >= 5 and len(w) >= 5 and w[:5] == low[:5]) for w in role_words)


def _clause_subject(tok: Any) -> Any | None:
    """The subject of the nearest verb above ``tok`` that has one, through non-finite links
    ("meeting him" in "he has no intention of meeting him" -> "he"); None past a finite clause."""
    head = tok.head
    for _ in range(6):
        subj = next((c for c in head.children if c.dep_ in _SUBJECT and c.i != tok.i), None)
        if subj is not None:
            return subj
        if head.dep_ not in _NON_FINITE or head.head.i == head.i:
            return None
        head = head.head
    return None


def _quotation_speaker(tok: Any, quoted: bytearray) -> Any | None:
    """The subject of the first verb above ``tok`` that stands outside the quotation."""
    head = tok
    for _ in range(12):
        if head.head.i == head.i:
            return None
        head = head.head
        if not quoted[head.idx]:
            return next((c for c in head.children if c.dep_ in _SUBJECT and not quoted[c.idx]), None)
    return None


def _resolve_pronoun(
    doc: Any,
    tok: Any,
    gender: str,
    history: list[_Mention],
    sent_of: list[int],
    quoted: bytearray,
    people: dict[str, Entity],
) -> str | None:
    sent = sent_of[tok.i]
    inside = bool(quoted[tok.idx])
    main = _main_clause(tok)
    speaker = _speaker(tok)
    excluded: set[str] = set()

    def entity_of(subj: Any) -> None:
        for m in reversed(history):
            if m.tok == subj.i:
                excluded.add(m.entity)
                return

    if tok.lower_ not in _REFLEXIVE and tok.dep_ not in _SUBJECT and tok.tag_ != "PRP$":
        # "He accused him", "he has no intention of meeting him": the subject of the
        # pronoun's own verb (through non-finite links) is someone else
        subj = _clause_subject(tok)
        if subj is not None:
            entity_of(subj)
    if inside:
        # "He said: “He is safe.”": a third person in a quotation is not its speaker
        quoter = _quotation_speaker(tok, quoted)
        if quoter is not None:
            entity_of(quoter)
    scores: dict[str, float] = {}
    for m in reversed(history):
        back = sent - m.sent
        if back > WINDOW:
            break
        if m.entity in excluded or not _gender_ok(people[m.entity], gender):
            continue
        if m.quoted and not inside:
            continue  # named only in someone's quotation
        w = m.weight
        if main and m.main:
            # "Lang confirmed that Haddad had left. He said ...": a main-clause pronoun
            # is about a main-clause person, not one inside the reported clause
            w += MAIN_CLAUSE
        if speaker and m.speaker:
            w += SPEAKER  # "According to Markov, ... . He said:" is Markov speaking again
        w /= 2**back
        if tok.dep_ in _SUBJECT and doc[m.tok].dep_ in _SUBJECT:
            w += 35 / (2**back)  # parallel subjects
        # a person's best mention counts, not the sum: an article's topic, named and
        # referred to in every line, must not outrank the speaker just introduced
        scores[m.entity] = max(scores.get(m.entity, 0.0), w)
    if not scores:
        return None
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    if len(ranked) > 1 and ranked[1][1] >= MARGIN * ranked[0][1]:
        return None
    return ranked[0][0]
