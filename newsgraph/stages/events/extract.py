"""Rule-based PLOVER event extraction over one spaCy parse.

One pass over the tokens of each sentence finds triggers by lemma lookup (verbs,
phrasal verbs, verb + object, nouns and noun compounds); participants, mode,
place, date and attribution then come from the dependency tree and from the
facts earlier stages put on the article. Every walk up the tree is bounded, so
the cost is linear in the number of tokens.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import Any

from ...model import Article, Event, Participant, Span
from .lexicon import MODE_PRIORITY, Entry, Lexicon

#: Deepest walk up the dependency tree (keeps pathological parses linear).
MAX_CLIMB = 12
#: Dependencies through which a verb inherits the subject of its head:
#: "agreed to cooperate" (xcomp), "attacked and killed" (conj), "by bombing" (pcomp).
SUBJECT_INHERIT = frozenset({"xcomp", "conj", "pcomp", "advcl", "prep", "ccomp"})
_RANK = {m: i for i, m in enumerate(MODE_PRIORITY)}


@dataclass
class Trigger:
    """A matched trigger before it becomes an Event."""

    head: Any  # spaCy Token
    first: int  # token index of the first trigger word
    last: int  # token index of the last trigger word (inclusive)
    category: str
    plover_mode: str | None
    is_noun: bool
    particle: Any = None  # the prt/prep child of a phrasal verb
    obj: Any = None  # the object that decided a verb + object trigger ("impose sanctions")
    modes: list[str] = field(default_factory=list)
    absorbed: bool = False
    mode_source: str = ""
    governed: bool = False  # its mode comes from a word that is itself an event trigger


class Extractor:
    """Finds events in a parsed article with one lexicon."""

    def __init__(self, lex: Lexicon) -> None:
        self.lex = lex
        self._kids: dict[int, list[Any]] = {}
        self._sent: list[tuple[int, int]] = []
        self.text = ""

    def index(self, doc: Any, text: str) -> None:
        """Children lists and sentence bounds, built once per doc.

        spaCy's ``Token.children`` and ``Token.sent`` scan the subtree / the
        document, which is quadratic on a 10,000-word sentence; these are O(1).
        """
        kids: dict[int, list[Any]] = {}
        for tok in doc:
            if tok.head.i != tok.i:
                kids.setdefault(tok.head.i, []).append(tok)
        self._kids = kids
        self.text = text  # the article text (Doc.text is rebuilt on every access)
        bounds: list[tuple[int, int]] = [(0, len(doc))] * len(doc)
        for sent in doc.sents:
            for i in range(sent.start, sent.end):
                bounds[i] = (sent.start, sent.end)
        self._sent = bounds

    def kids(self, tok: Any) -> list[Any]:
        """The syntactic children of ``tok``, in order."""
        return self._kids.get(tok.i, [])

    # ---------------------------------------------------------------- triggers
    def match(self, tok: Any, consumed: set[int]) -> Trigger | None:
        """The trigger headed by ``tok``, or None."""
        if tok.i in consumed or tok.is_space or tok.is_punct:
            return None
        lex = self.lex
        pos = tok.pos_
        lemma = tok.lemma_.lower()
        # Noun compounds and multiword nouns ending at tok: longest first.
        sent_start = self._sent[tok.i][0]
        for n in range(min(lex.max_multi, tok.i - sent_start + 1), 1, -1):
            words = tok.doc[tok.i - n + 1 : tok.i + 1]
            lowers = tuple(t.lower_ for t in words)
            key_lemma = (*lowers[:-1], lemma)
            if any(i in consumed for i in range(tok.i - n + 1, tok.i)):
                continue
            for key in (key_lemma, lowers):
                if key in lex.multi:
                    entry = lex.multi[key]
                    if entry is None:
                        return None
                    return Trigger(tok, tok.i - n + 1, tok.i, entry[0], entry[1], pos != "VERB")
        if pos == "VERB":
            if tok.dep_ in ("amod", "compound"):
                return None  # "the attacked town": an attribute, not a predication
            return self._match_verb(tok, lemma)
        if pos == "NOUN" and lemma in lex.nouns:
            # A noun modifying another noun is an event only before a generic event
            # head ("mediation mission"), not in "attack helicopter" or "aid worker".
            if tok.dep_ == "compound" and tok.head.lemma_.lower() not in lex.event_heads:
                return None
            entry = lex.nouns[lemma]
            for child in self.kids(tok):
                if child.dep_ == "prep" and f"{lemma} {child.lower_}" in lex.noun_with_prep:
                    entry = lex.noun_with_prep[f"{lemma} {child.lower_}"]
                    break
            if entry is None:
                return None
            return Trigger(tok, tok.i, tok.i, entry[0], entry[1], True)
        return None

    def _match_verb(self, tok: Any, lemma: str) -> Trigger | None:
        lex = self.lex
        children = self.kids(tok)
        entry: Entry = None
        found = False
        particle = obj = None
        for child in children:
            if child.dep_ in ("prt", "prep", "dobj"):
                key = f"{lemma} {child.lower_}"
                if key in lex.phrasal:
                    entry, found, particle = lex.phrasal[key], True, child
                    break
        if not found:
            for child in children:
                if child.dep_ in ("dobj", "nsubjpass"):
                    key = f"{lemma} {child.lemma_.lower()}"
                    if key in lex.verb_object:
                        entry, found, obj = lex.verb_object[key], True, child
                        break
        if not found and lemma in lex.terminative and lex.terminative_entry is not None:
            # "halted aid", "suspended talks": stopping cooperation is one SANCTION event.
            for child in children:
                if child.dep_ == "dobj" and self._object_category(child) in lex.terminative_objects:
                    entry, found, obj = lex.terminative_entry, True, child
                    break
        if not found:
            if lemma not in lex.verbs:
                return None
            entry = lex.verbs[lemma]
            deps = {c.dep_ for c in children}
            complements = {"dobj", "xcomp", "ccomp", "dative", "attr", "prep", "prt", "agent", "nsubjpass"}
            if lemma in lex.needs_complement and not (deps & complements) and tok.dep_ != "xcomp":
                return None
            if lemma in lex.clausal_blocks and "ccomp" in deps and "dobj" not in deps:
                return None
        if entry is None:
            return None
        last = tok.i
        if particle is not None and particle.i == tok.i + 1:
            last = particle.i  # "broke into": the trigger span covers both words
        return Trigger(tok, tok.i, last, entry[0], entry[1], False, particle, obj)

    def _object_category(self, obj: Any) -> str | None:
        """The category of an event noun (or noun compound ending in it), else None."""
        lex = self.lex
        entry = lex.nouns.get(obj.lemma_.lower())
        if entry is None and obj.i > 0:
            prev = obj.doc[obj.i - 1]
            entry = lex.multi.get((prev.lower_, obj.lemma_.lower()))
        return entry[0] if entry else None

    # ---------------------------------------------------------------- modes
    def governor(self, tok: Any) -> Any:
        """The word that governs an event through a complement, or None."""
        dep = tok.dep_
        head = tok.head
        if head == tok:
            return None
        if dep == "pcomp" and head.dep_ == "prep" and head.head != head:
            return head.head  # "no intention of meeting him"
        if dep in ("xcomp", "ccomp", "acl", "dobj", "pcomp", "nsubjpass"):
            return head
        if dep == "pobj" and head.dep_ == "prep" and head.head != head:
            return head.head
        return None

    def collect_modes(self, trig: Trigger, triggers_by_head: dict[int, Trigger]) -> None:
        lex = self.lex
        tok = trig.head
        for child in self.kids(tok):
            low = child.lower_
            if child.dep_ == "neg" or (child.dep_ in ("det", "advmod", "preconj") and low in lex.negation):
                trig.modes.append("negated")
            elif child.dep_ in ("aux", "auxpass") and low in lex.auxiliaries:
                trig.modes.append(lex.auxiliaries[low])
                trig.mode_source = "aux"
        gov = self.governor(tok)
        if gov is not None:
            glemma = gov.lemma_.lower()
            if glemma in lex.governors or glemma in lex.noun_governors:
                # "has no intention of meeting", "did not plan to attack"
                for child in self.kids(gov):
                    if child.dep_ == "neg" or (child.dep_ == "det" and child.lower_ in lex.negation):
                        trig.modes.append("negated")
            if gov.pos_ == "NOUN" and glemma in lex.noun_governors:
                trig.modes.append(lex.noun_governors[glemma])
                trig.mode_source = trig.mode_source or "governor"
            elif (
                gov.pos_ in ("VERB", "AUX", "ADJ")
                and glemma in lex.governors
                and (tok.dep_ in ("xcomp", "ccomp") or glemma not in lex.infinitive_only)
            ):
                trig.modes.append(lex.governors[glemma])
                trig.mode_source = trig.mode_source or "governor"
                trig.governed = gov.i in triggers_by_head
                # "denied attacking": one event (the attack), mode denied.
                if glemma in lex.absorbing and not trig.is_noun and tok.dep_ in ("xcomp", "ccomp"):
                    gtrig = triggers_by_head.get(gov.i)
                    if gtrig is not None:
                        gtrig.absorbed = True
        # A condition anywhere on the way up makes the event hypothetical.
        node = tok
        for _ in range(MAX_CLIMB):
            if any(c.dep_ == "mark" and c.lower_ in lex.conditional for c in self.kids(node)):
                trig.modes.append("hypothetical")
                break
            if node.dep_ in ("ROOT", "ccomp") or node.head == node:
                break
            node = node.head

    def mode_of(self, trig: Trigger) -> str:
        if not trig.modes:
            return "asserted"
        return min(trig.modes, key=lambda m: _RANK.get(m, len(_RANK)))

    # ---------------------------------------------------------------- participants
    def phrase(self, head: Any) -> tuple[int, int]:
        """Token range [first, last] of the noun phrase around ``head``."""
        lex = self.lex
        first = last = head.i
        stack = [head]
        seen = 0
        while stack and seen < 64:
            node = stack.pop()
            seen += 1
            for child in self.kids(node):
                dep = child.dep_
                keep = (
                    (child.i < node.i and dep in lex.left_deps)
                    or (child.i > node.i and dep in lex.right_deps)
                    or (node == head and dep in ("cc", "conj") and child.i > node.i)
                    or (dep == "prep" and child.i > node.i and child.lower_ in lex.right_preps)
                    or (dep == "pobj" and node.dep_ == "prep")
                )
                if keep:
                    first = min(first, child.i)
                    last = max(last, child.i)
                    stack.append(child)
        doc = head.doc
        s_start, s_end = self._sent[head.i]
        first, last = max(first, s_start), min(last, s_end - 1)
        while first < head.i and (doc[first].is_punct or doc[first].is_space):
            first += 1
        while last > head.i and (doc[last].is_punct or doc[last].is_space):
            last -= 1
        return first, last

    def participant(
        self, head: Any, tok_entity: dict[int, str], skip: tuple[int, int] = (-1, -1)
    ) -> Participant | None:
        """The phrase around ``head`` as a participant, leaving out the token range ``skip``."""
        if head is None or head.is_space or head.is_punct:
            return None
        if head.lower_ in self.lex.stop_heads or skip[0] <= head.i <= skip[1]:
            return None
        first, last = self.phrase(head)
        if skip[0] <= first <= skip[1] < head.i:
            first = skip[1] + 1  # "carpet bombing rebel fighters": the target is "rebel fighters"
        doc = head.doc
        start, end = doc[first].idx, doc[last].idx + len(doc[last])
        entity = tok_entity.get(head.i)
        if entity is None:
            for i in range(first, last + 1):
                if i in tok_entity:
                    entity = tok_entity[i]
                    break
        return Participant(text=self.text[start:end], start=start, end=end, entity=entity)

    def _subject(self, verb: Any) -> tuple[Any, Any]:
        """(actor token, passive-subject token) of a verb, inheriting through complements."""
        lex = self.lex
        node = verb
        for _ in range(MAX_CLIMB):
            actor = passive = None
            for child in self.kids(node):
                if child.dep_ in lex.subject_deps and actor is None:
                    actor = child
                elif child.dep_ in lex.passive_subject_deps and passive is None:
                    passive = child
                elif child.dep_ == "agent":
                    pobj = next((g for g in self.kids(child) if g.dep_ == "pobj"), None)
                    if pobj is not None:
                        actor = pobj
            # "the rebels who attacked": the relative pronoun stands for the noun.
            if actor is not None and actor.lower_ in lex.stop_heads and node.dep_ == "relcl":
                actor = node.head
            if passive is not None and passive.lower_ in lex.stop_heads and node.dep_ == "relcl":
                passive = node.head
            if actor is not None or passive is not None:
                return actor, passive
            if node.dep_ == "acl" and node.head.pos_ in ("NOUN", "PROPN") and node.tag_ in ("VBG", "VBN"):
                # "fighters attacking the town" / "the town attacked by fighters"
                if node.tag_ == "VBN":
                    return None, node.head
                return node.head, None
            if node.dep_ not in SUBJECT_INHERIT or node.head == node:
                return None, None
            node = node.head
        return None, None

    def verb_participants(self, trig: Trigger) -> tuple[Any, Any]:
        lex = self.lex
        tok = trig.head
        actor, passive = self._subject(tok)
        target = passive
        if target is None:
            for child in self.kids(tok):
                if child.dep_ in lex.object_deps and child != trig.obj:
                    target = child
                    break
        preps = self.kids(tok)
        if trig.obj is not None:
            preps += self.kids(trig.obj)  # "imposed sanctions on Iran"
        if target is None:
            for child in preps:
                if child.dep_ == "prep" and child.lower_ in lex.verb_preps:
                    pobj = next((g for g in self.kids(child) if g.dep_ == "pobj"), None)
                    if pobj is not None:
                        target = pobj
                        break
        if target is not None and trig.first <= target.i <= trig.last:
            target = None  # "open fire": the object is part of the trigger
        return actor, target

    def noun_participants(self, trig: Trigger, ent_types: dict[int, str]) -> tuple[Any, Any]:
        lex = self.lex
        tok = trig.head
        actor = target = None
        if tok.dep_ == "compound" and tok.head.pos_ in ("NOUN", "PROPN"):
            # "carpet bombing rebel fighters": the noun the trigger modifies is its target.
            target = tok.head
            tok = tok.head
        for child in self.kids(trig.head):
            dep = child.dep_
            if dep == "poss" and actor is None:
                actor = child
            elif dep == "prep" and child.i > tok.i:
                pobj = next((g for g in self.kids(child) if g.dep_ == "pobj"), None)
                if pobj is None:
                    continue
                low = child.lower_
                if low in lex.agent_preps and actor is None:
                    actor = pobj
                elif low in lex.noun_preps and target is None:
                    target = pobj
        if actor is None:
            # "Israeli strikes", "government raids": a modifier naming a group.
            for child in self.kids(tok):
                named = child.ent_type_ in ("NORP", "GPE", "ORG", "PERSON") or child.i in ent_types
                if child.dep_ in ("amod", "compound") and child.i < trig.first and named:
                    actor = child
                    break
        if actor is None:
            # "held talks", "launched an attack": the light verb's subject acts.
            head = tok.head
            if tok.dep_ == "dobj" and head.lemma_.lower() in lex.light_verbs:
                actor, _passive = self._subject(head)
                if target is None:
                    for child in self.kids(head):
                        if child.dep_ == "prep" and child.lower_ in lex.noun_preps and child.i > tok.i:
                            target = next((g for g in self.kids(child) if g.dep_ == "pobj"), None)
                            if target is not None:
                                break
            elif tok.dep_ == "pobj" and head.dep_ == "prep" and head.head.lemma_.lower() == "go":
                actor, _passive = self._subject(head.head)  # "went on strike"
            elif tok.dep_ == "pobj" and head.lower_ in lex.manner_preps:
                # "intervened (in the war) by carpet bombing": the nearest verb above acts.
                verb = head.head
                for _ in range(4):
                    if verb.pos_ == "VERB" or verb.head == verb:
                        break
                    verb = verb.head
                if verb.pos_ == "VERB":
                    actor, _passive = self._subject(verb)
        return actor, target


def clause_range(tok: Any) -> tuple[int, int]:
    """Character range of the clause around ``tok`` (its nearest verbal ancestor's subtree)."""
    node = tok
    for _ in range(MAX_CLIMB):
        if node.pos_ in ("VERB", "AUX") or node.head == node:
            break
        node = node.head
    left, right = node.left_edge, node.right_edge
    return left.idx, right.idx + len(right)


class Located:
    """Sorted (start, end, payload) items with their starts, for range look-ups by bisection."""

    def __init__(self, items: list[tuple[int, int, Any]]) -> None:
        self.items = sorted(items, key=lambda x: (x[0], x[1]))
        self.starts = [s for s, _e, _p in self.items]


def _nearest(located: Located, lo: int, hi: int, anchor: int, exclude: tuple[int, int] | None = None) -> Any:
    """The payload of the item inside [lo, hi) nearest to ``anchor`` (not overlapping ``exclude``)."""
    i, j = bisect_left(located.starts, lo), bisect_right(located.starts, hi)
    best = None
    best_d = None
    for s, e, payload in located.items[i:j]:
        if e > hi or (exclude is not None and s < exclude[1] and exclude[0] < e):
            continue
        d = 0 if s <= anchor < e else min(abs(s - anchor), abs(e - anchor))
        if best_d is None or d < best_d:
            best, best_d = payload, d
    return best


def extract(article: Article, lex: Lexicon) -> list[Event]:
    """All events in ``article`` (its ``doc`` must be the parse of ``masked_text()``)."""
    doc = article.doc
    if doc is None or len(doc) == 0 or len(doc.text) != len(article.text):
        return []
    ex = Extractor(lex)
    ex.index(doc, article.text)

    tok_entity: dict[int, str] = {}
    for ent in article.entities:
        for m in ent.mentions:
            span = doc.char_span(m.start, m.end, alignment_mode="expand")
            if span is None:
                continue
            for t in span:
                tok_entity.setdefault(t.i, ent.id)
    _resolve_pronouns(doc, article, lex, tok_entity)
    places = Located([(m.start, m.end, p.id) for p in article.places for m in p.mentions if not m.metonymy])
    times = Located(
        [
            (t.start, t.end, t)
            for t in article.times
            if t.value and t.type in ("DATE", "TIME") and not t.value.startswith("P")
        ]
    )
    contents: list[tuple[int, int, str]] = []
    for a in article.attributions:
        spans = a.content_spans or [a.content]
        contents.extend((s.start, s.end, a.id) for s in spans)

    events: list[Event] = []
    for sent in doc.sents:
        consumed: set[int] = set()
        found: list[Trigger] = []
        for tok in sent:
            trig = ex.match(tok, consumed)
            if trig is None:
                continue
            if article.in_removed(doc[trig.first].idx, doc[trig.last].idx + len(doc[trig.last])):
                continue
            consumed.update(range(trig.first, trig.last + 1))
            for extra in (trig.particle, trig.obj):
                if extra is not None:
                    consumed.add(extra.i)  # "imposed sanctions" is one event, not two
            found.append(trig)
        objects = {t.obj.i for t in found if t.obj is not None}
        found = [t for t in found if t.head.i not in objects]  # "sanctions were imposed": one event
        if not found:
            continue
        by_head = {t.head.i: t for t in found}
        for trig in found:
            ex.collect_modes(trig, by_head)
        s_start, s_end = sent.start_char, sent.end_char
        while s_end > s_start and article.text[s_end - 1].isspace():
            s_end -= 1
        for trig in found:
            if trig.absorbed:
                continue
            line = _line_of(article.text, s_start, s_end, trig.head.idx)
            events.append(_event(article, ex, trig, tok_entity, places, times, contents, line))
    for n, ev in enumerate(events, 1):
        ev.id = f"V{n}"
    return events


def _event(
    article: Article,
    ex: Extractor,
    trig: Trigger,
    tok_entity: dict[int, str],
    places: Located,
    times: Located,
    contents: list[tuple[int, int, str]],
    sent: tuple[int, int],
) -> Event:
    doc = trig.head.doc
    t_start = doc[trig.first].idx
    t_end = doc[trig.last].idx + len(doc[trig.last])
    if trig.is_noun:
        actor_tok, target_tok = ex.noun_participants(trig, tok_entity)
    else:
        actor_tok, target_tok = ex.verb_participants(trig)
    actor = ex.participant(actor_tok, tok_entity, (trig.first, trig.last))
    target = ex.participant(target_tok, tok_entity, (trig.first, trig.last))
    if actor and target and actor.start < target.end and target.start < actor.end:
        target = None  # one phrase cannot be both sides
    mode = ex.mode_of(trig)
    category = trig.category
    if mode in ("planned", "threatened") and not trig.governed and category in ex.lex.future_recode:
        category = ex.lex.future_recode[category]

    # Place and date: the nearest in the trigger's clause, else in the sentence.
    c_start, c_end = clause_range(trig.head)
    anchor = t_start
    # A place named as the actor ("Russia bombed") is a participant, not where it happened.
    skip = (actor.start, actor.end) if actor is not None else None
    place = _nearest(places, c_start, c_end, anchor, skip) or _nearest(places, *sent, anchor, skip)
    time = _nearest(times, c_start, c_end, anchor) or _nearest(times, *sent, anchor)

    # The innermost attribution whose content holds the trigger.
    attribution = None
    best_len = None
    for a_start, a_end, a_id in contents:
        if a_start <= t_start and t_end <= a_end and (best_len is None or a_end - a_start < best_len):
            attribution, best_len = a_id, a_end - a_start

    s_start, s_end = _clip(article, sent[0], sent[1], t_start, t_end)
    if actor is not None and article.in_removed(actor.start, actor.end):
        actor = None
    if target is not None and article.in_removed(target.start, target.end):
        target = None
    return Event(
        id="",
        category=category,
        trigger=Span(t_start, t_end, article.text[t_start:t_end]),
        mode=trig.plover_mode,
        modality=mode,
        actor=actor,
        target=target,
        place=place,
        date=time.value if time else None,
        time=time.id if time else None,
        attribution=attribution,
        sentence=Span(s_start, s_end, article.text[s_start:s_end]),
    )


def _line_of(text: str, start: int, end: int, at: int) -> tuple[int, int]:
    """The part of sentence ``[start, end)`` on the line of ``at``: a headline or subhead the
    parser ran into the next sentence is not part of it."""
    cut = text.rfind("\n", start, at)
    if cut >= 0:
        start = cut + 1
    cut = text.find("\n", at, end)
    if cut >= 0:
        end = cut
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _clip(article: Article, start: int, end: int, a_start: int, a_end: int) -> tuple[int, int]:
    """``[start, end)`` narrowed around ``[a_start, a_end)`` to leave out removed ranges."""
    for r in article.removed:
        if r.start < end and start < r.end:
            if r.end <= a_start:
                start = max(start, r.end)
            elif r.start >= a_end:
                end = min(end, r.start)
    text = article.text
    while start < a_start and text[start].isspace():
        start += 1
    while end > a_end and text[end - 1].isspace():
        end -= 1
    return start, end


def _resolve_pronouns(doc: Any, article: Article, lex: Lexicon, tok_entity: dict[int, str]) -> None:
    """Give third-person pronouns the entity of the person they most likely refer to.

    Candidates are persons named before the pronoun, at most ``pronoun_window`` sentences
    back, of agreeing (or unknown) gender. A pronoun subject prefers the last person who was
    a subject ("Putin has not commented on the Assad regime, but he held talks": Putin);
    otherwise the most recent person wins. A name used as a modifier ("the Assad regime")
    does not count.
    """
    people = {e.id: e.gender for e in article.entities if e.type == "PERSON"}
    if not people or not (lex.masculine or lex.feminine):
        return
    subject_deps = lex.subject_deps | lex.passive_subject_deps
    last: dict[str | None, tuple[int, str, int]] = {}  # gender -> (token, entity id, sentence)
    last_subject: dict[str | None, tuple[int, str, int]] = {}
    sentence = 0
    for token in doc:
        if token.is_sent_start:
            sentence += 1
        entity = tok_entity.get(token.i)
        if entity in people:
            # Only the head word of the name counts: "Vladimir Putin" once, not twice.
            if token.dep_ in ("compound", "flat") and tok_entity.get(token.head.i) == entity:
                continue
            if token.dep_ in ("compound", "amod", "nmod"):
                continue  # "the Assad regime"
            found = (token.i, entity, sentence)
            last[people[entity]] = found
            if token.dep_ in subject_deps:
                last_subject[people[entity]] = found
            continue
        low = token.lower_
        want = "m" if low in lex.masculine else "f" if low in lex.feminine else None
        if want is None or entity is not None:
            continue
        pools = [last_subject, last] if token.dep_ in subject_deps else [last]
        # "He accused her": an object pronoun is not the subject of its own verb.
        subject = next((c for c in token.head.children if c.dep_ in subject_deps and c.i != token.i), None)
        excluded = tok_entity.get(subject.i) if subject is not None else None
        for pool in pools:
            options = [
                c
                for g, c in pool.items()
                if g in (want, None) and sentence - c[2] <= lex.pronoun_window and c[1] != excluded
            ]
            if options:
                tok_entity[token.i] = max(options)[1]
                break
