"""Rule-based PLOVER event extraction over one spaCy parse.

One pass over the tokens of each sentence finds triggers by lemma lookup (verbs,
phrasal verbs, verb + object, nouns and noun compounds); participants, mode,
place, date and attribution then come from the dependency tree and from the
facts earlier stages put on the article. Every walk up the tree is bounded, so
the cost is linear in the number of tokens.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...model import Article, Event, Participant, Span
from .. import doc_text, sentence_bounds
from .anchors import Located, belongs, nearest, owner_path
from .kinds import AGENT, PERSON, PLACE, WEAPON, Kinds
from .lexicon import MODE_PRIORITY, Entry, Lexicon

#: Deepest walk up the dependency tree (keeps pathological parses linear).
MAX_CLIMB = 12
#: Prepositions after an object that name the party behind it ("relations with Congo").
_BEHIND_PREPS = frozenset({"with", "in", "from", "against", "to", "toward", "towards"})
#: Entity types of such a party: states, groups, organisations, people, places.
_NAMED_PARTIES = frozenset({"GPE", "NORP", "ORG", "PERSON", "LOC", "FAC"})
#: Verbs naming what a protest is against ("a hunger strike to protest ...", "to demand ...").
_PROTEST_VERBS = frozenset({"protest", "demand", "denounce", "condemn", "oppose", "decry", "press"})
#: What a thing is given to, cut off from or imposed on ("aid for Romania", "a curfew in Algiers").
_PARTY_PREPS = frozenset({"for", "to", "against", "in", "on", "toward", "towards"})
#: Dependencies through which a verb inherits the subject of its head:
#: "agreed to cooperate" (xcomp), "attacked and killed" (conj), "by bombing" (pcomp).
SUBJECT_INHERIT = frozenset({"xcomp", "conj", "pcomp", "advcl", "prep", "ccomp"})
_RANK = {m: i for i, m in enumerate(MODE_PRIORITY)}
#: PLOVER's verbal categories (quad categories verbal cooperation and verbal conflict):
#: their target is a recipient, never the place where the event happened.
VERBAL_CATEGORIES = frozenset(
    {"AGREE", "CONSULT", "SUPPORT", "CONCEDE", "REQUEST", "ACCUSE", "REJECT", "THREATEN", "SANCTION"}
)


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
    instrument: bool = False  # a weapon is named as the object or instrument ("fired rockets")


class Extractor:
    """Finds events in a parsed article with one lexicon."""

    def __init__(self, lex: Lexicon) -> None:
        self.lex = lex
        self._kids: dict[int, list[Any]] = {}
        self._lower: list[str] = []
        self._sent: list[tuple[int, int]] = []
        self.text = ""
        self.kinds: Kinds | None = None
        self.town_tokens: set[int] = set()  # tokens of places smaller than a country or region

    def index(self, doc: Any, text: str) -> None:
        """Children lists and sentence bounds, built once per doc.

        spaCy's ``Token.children`` and ``Token.sent`` scan the subtree / the
        document, which is quadratic on a 10,000-word sentence; these are O(1).
        """
        kids: dict[int, list[Any]] = {}
        lowers: list[str] = []
        for tok in doc:
            lowers.append(tok.lower_)
            if tok.head.i != tok.i:
                kids.setdefault(tok.head.i, []).append(tok)
        self._kids = kids
        self._lower = lowers
        self.text = text  # the article text (Doc.text is rebuilt on every access)
        bounds: list[tuple[int, int]] = [(0, len(doc))] * len(doc)
        for start, end in sentence_bounds(doc):
            for i in range(start, end):
                bounds[i] = (start, end)
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
        # Noun compounds and multiword nouns ending at tok: longest first (only when
        # some multiword key ends in this word).
        sent_start = self._sent[tok.i][0]
        last = _multi_last(lex)
        top = min(lex.max_multi, tok.i - sent_start + 1) if lemma in last or self._lower[tok.i] in last else 1
        for n in range(top, 1, -1):
            lowers = tuple(self._lower[tok.i - n + 1 : tok.i + 1])
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
            if self._topic_of_next_noun(tok):
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

    def _topic_of_next_noun(self, tok: Any) -> bool:
        """ "Ceasefire talks resume": the parser read the event noun "talks" as a verb with
        "Ceasefire" as its subject. A noun directly before a word that, read as a noun, is an
        event noun itself names that event's topic ("ceasefire talks", "peace talks")."""
        nxt_i = tok.i + 1
        if nxt_i >= self._sent[tok.i][1] or tok.whitespace_ == "":
            return False
        nxt = tok.doc[nxt_i]
        if nxt.pos_ not in ("VERB", "NOUN") or nxt.tag_ not in ("VBZ", "NNS", "NN"):
            return False
        low = nxt.lower_
        noun = low[:-1] if low.endswith("s") else low
        return (nxt.tag_ == "VBZ" and tok.head.i == nxt.i and tok.dep_ == "nsubj") and (
            noun in self.lex.nouns or low in self.lex.nouns
        )

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
        gov = self._governor(tok)
        if gov is None or "\n" in self.text[min(gov.idx, tok.idx) : max(gov.idx, tok.idx)]:
            return None  # a headline the parser ran into the first sentence governs nothing
        return gov

    def _governor(self, tok: Any) -> Any:
        dep = tok.dep_
        head = tok.head
        if head == tok:
            return None
        if dep == "pcomp" and head.dep_ == "prep" and head.head != head:
            return head.head  # "no intention of meeting him"
        if dep in ("xcomp", "ccomp", "acl", "dobj", "pcomp", "nsubjpass"):
            return head
        if dep == "pobj" and head.dep_ == "prep" and head.head != head:
            if head.lower_ in self.lex.circumstance_preps:
                return None  # "agreed ... after a summit": the summit is not what was agreed
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
        doc = head.doc
        for i in range(head.i - 1, first - 1, -1):
            if doc[i].is_space and "\n" in doc[i].text:
                first = i + 1  # a headline the parser ran into the sentence is not part of it
                break
        for i in range(head.i + 1, last + 1):
            if doc[i].is_space and "\n" in doc[i].text:
                last = i - 1
                break
        if skip[0] <= first <= skip[1] < head.i:
            first = skip[1] + 1  # "carpet bombing rebel fighters": the target is "rebel fighters"
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
        via = ""  # the dependency by which the walk left the previous node
        for _ in range(MAX_CLIMB):
            actor = passive = obj = None
            for child in self.kids(node):
                if child.dep_ in lex.subject_deps and actor is None:
                    actor = child
                elif child.dep_ in lex.passive_subject_deps and passive is None:
                    passive = child
                elif child.dep_ == "agent":
                    pobj = next((g for g in self.kids(child) if g.dep_ == "pobj"), None)
                    if pobj is not None:
                        actor = pobj
                elif child.dep_ == "dobj" and obj is None:
                    obj = child
            # "the rebels who attacked": the relative pronoun stands for the noun.
            if actor is not None and actor.lower_ in lex.stop_heads and node.dep_ == "relcl":
                actor = node.head
            if passive is not None and passive.lower_ in lex.stop_heads and node.dep_ == "relcl":
                passive = node.head
            if node is not verb and via in ("xcomp", "pcomp", "prep"):
                # Object control: in "urged the rebels to withdraw" and "companies (were) accused
                # of helping" the one urged or accused does the inner act.
                if obj is not None and via == "xcomp":
                    return obj, None
                if passive is not None:
                    return passive, None
            if actor is not None or passive is not None:
                return actor, passive
            if node.dep_ == "acl" and node.head.pos_ in ("NOUN", "PROPN") and node.tag_ in ("VBG", "VBN"):
                # "fighters attacking the town" / "the town attacked by fighters"
                if node.tag_ == "VBN":
                    return (node.head, None) if node is not verb else (None, node.head)
                return node.head, None
            if node.dep_ not in SUBJECT_INHERIT or node.head == node:
                return None, None
            via = node.dep_
            node = node.head
        return None, None

    def verb_participants(self, trig: Trigger) -> tuple[Any, Any]:
        tok = trig.head
        actor, passive = self._subject(tok)
        if passive is not None and actor is None and tok.lemma_.lower() in self.lex.stative_passives:
            actor, passive = passive, None  # "Israel is opposed to French mediation": Israel opposes
        target = passive if passive is not None else self._verb_target(tok, trig)
        if target is None:
            target = self._inner_target(trig)
        elif passive is None and self.kinds is not None and not self.kinds.kinds(target):
            # "agreed in principle on Saturday to provide aid for Romania": no party in the
            # verb's own phrases, the act it is about names one.
            target = self._inner_target(trig) or target
        if target is not None and trig.first <= target.i <= trig.last:
            target = None  # "open fire": the object is part of the trigger
        return actor, target

    def _verb_target(self, tok: Any, trig: Trigger | None) -> Any:
        """The object of verb ``tok``, else the object of a target preposition; weapons are skipped."""
        lex = self.lex
        target = None
        for child in self.kids(tok):
            if child.dep_ in lex.object_deps and (trig is None or child != trig.obj):
                if self.kinds is not None and WEAPON in self.kinds.kinds(child):
                    if trig is not None:
                        trig.instrument = True  # "fired rockets at the town": the target follows
                    continue
                target = self._named_behind(child)
                if target is child:
                    # "provide 70 million dollars of aid for Romania", "cut off electricity to
                    # Nakhichevan": a thing given, cut or imposed, and the party it is for.
                    target = self._party_for(tok, child) or child
                break
        preps = self.kids(tok)
        if trig is not None and trig.obj is not None:
            preps = preps + self.kids(trig.obj)  # "imposed sanctions on Iran"
        if target is None:
            for child in preps:
                if child.dep_ == "prep" and child.lower_ in lex.verb_preps:
                    pobj = next((g for g in self.kids(child) if g.dep_ == "pobj"), None)
                    if pobj is not None and self.kinds is not None and self.kinds.is_number_or_date(pobj):
                        continue  # "on Sunday" is when, never whom
                    if pobj is not None:
                        target = self._named_behind(pobj)
                        break
        if target is None and trig is not None and trig.obj is not None:
            # "lifted a curfew in Montenegro": the party the trigger's own object is imposed on.
            target = self._party_for(tok, trig.obj)
        if trig is not None and self.kinds is not None:
            for child in preps:
                # "attacked the town with rockets": a weapon is evidence of violence.
                if child.dep_ == "prep":
                    pobj = next((g for g in self.kids(child) if g.dep_ == "pobj"), None)
                    if pobj is not None and WEAPON in self.kinds.kinds(pobj):
                        trig.instrument = True
        return target

    def _named_behind(self, obj: Any) -> Any:
        """The named state, group, person or place behind an unnamed object: "break off
        diplomatic relations with Congo" (Congo), "fired at targets in Jericho" (Jericho),
        "suspended aid to Baghdad"; a named object stays ("attacked Ruritania from Valdora")."""
        if self.kinds is None or obj.pos_ != "NOUN" or self.kinds.entity_type(obj):
            return obj
        for child in self.kids(obj):
            if child.dep_ != "prep" or child.lower_ not in _BEHIND_PREPS:
                continue
            pobj = next((g for g in self.kids(child) if g.dep_ == "pobj"), None)
            if pobj is not None and self.kinds.entity_type(pobj) in _NAMED_PARTIES:
                return pobj
        return obj

    def _party_for(self, verb: Any, obj: Any) -> Any:
        """The named party an unnamed thing (no person or group) is given to, cut off from or
        imposed on: a "for/to/against/in/on" phrase of the thing (or of its "of" noun) or of
        the verb. None when there is none or the thing is a party itself."""
        if self.kinds is None or obj.pos_ != "NOUN" or self.kinds.kinds(obj):
            return None
        heads = [obj]
        inner = self.kinds.of_object(obj)
        if inner is not None:
            heads.append(inner)  # "dollars of aid for Romania"
        heads.append(verb)
        for head in heads:
            for child in self.kids(head):
                if child.dep_ != "prep" or child.lower_ not in _PARTY_PREPS:
                    continue
                pobj = next((g for g in self.kids(child) if g.dep_ == "pobj"), None)
                if pobj is None:
                    continue
                named = self.kinds.of_object(pobj)  # "the republic of Nakhichevan"
                if self.kinds.entity_type(pobj) in _NAMED_PARTIES or (
                    named is not None and self.kinds.entity_type(named) in _NAMED_PARTIES
                ):
                    return pobj
        return None

    def protest_target(self, trig: Trigger) -> Any:
        """Whom a protest is against, named by its purpose ("began a hunger strike to protest
        Sweden's decision", "to demand the resignation of President X", "riots against Israeli
        military policies", "in protest of the government's refusal"): the party, or the owner
        of the act or policy protested. None when no party is named."""
        if self.kinds is None:
            return None
        heads = [trig.head]
        if trig.is_noun and trig.head.head is not trig.head:
            heads.append(trig.head.head)  # "staged demonstrations Saturday to demand ..."
        for head in heads:
            for child in self.kids(head):
                thing = None
                if child.dep_ in ("advcl", "xcomp", "acl") and child.lemma_.lower() in _PROTEST_VERBS:
                    thing = next((g for g in self.kids(child) if g.dep_ == "dobj"), None)
                    if thing is None:
                        thing = self._pobj(child, ("against",))
                elif child.dep_ == "prep" and child.lower_ == "against":
                    thing = self._pobj(child, None)
                elif child.dep_ == "prep" and child.lower_ == "in":
                    inner = self._pobj(child, None)
                    if inner is not None and inner.lower_ == "protest":
                        thing = self._pobj(inner, ("of", "against", "at"))
                if thing is None:
                    continue
                if self.kinds.is_agent(thing):
                    return thing
                party = self.kinds.owner(thing)
                if party is None:
                    of = self.kinds.of_object(thing)  # "the resignation of President X"
                    party = of if of is not None and self.kinds.is_agent(of) else None
                if party is not None:
                    return party
        return None

    def _pobj(self, tok: Any, preps: tuple[str, ...] | None) -> Any:
        """The object of ``tok`` itself (a preposition, ``preps`` None) or of its preposition in
        ``preps``."""
        if preps is None:
            return next((g for g in self.kids(tok) if g.dep_ == "pobj"), None)
        for child in self.kids(tok):
            if child.dep_ == "prep" and child.lower_ in preps:
                return next((g for g in self.kids(child) if g.dep_ == "pobj"), None)
        return None

    def _inner_target(self, trig: Trigger) -> Any:
        """The target of the act a verb is about: "threatened to cut off power to Nakhichevan"
        (the infinitive's target), "demanded that the US cancel the sale" (the clause's subject)."""
        for child in self.kids(trig.head):
            if child.dep_ == "xcomp" and child.pos_ in ("VERB", "AUX"):
                return self._verb_target(child, None)
            if child.dep_ == "ccomp" and trig.category == "REQUEST":
                return next((g for g in self.kids(child) if g.dep_ in self.lex.subject_deps), None)
        return None

    def noun_participants(self, trig: Trigger, ent_types: dict[int, str]) -> tuple[Any, Any]:
        lex = self.lex
        tok = trig.head
        actor = target = None
        if tok.dep_ == "compound" and tok.head.pos_ in ("NOUN", "PROPN"):
            # "carpet bombing rebel fighters": the noun the trigger modifies is its target,
            # unless it names the event itself ("a mediation mission": the mission is no target).
            tok = tok.head
            if tok.lemma_.lower() not in lex.event_heads:
                target = tok
        possessor = None
        of_target = False
        for child in self.kids(trig.head):
            dep = child.dep_
            if dep == "poss" and possessor is None:
                possessor = child
            elif dep == "prep" and child.i > tok.i:
                pobj = next((g for g in self.kids(child) if g.dep_ == "pobj"), None)
                if pobj is None:
                    continue
                low = child.lower_
                if low in lex.agent_preps and actor is None:
                    actor = pobj
                elif low in lex.noun_preps and target is None:
                    target = pobj
                    of_target = low == "of"
        light = tok.dep_ == "dobj" and tok.head.lemma_.lower() in lex.light_verbs
        if possessor is not None and possessor.pos_ == "PRON" and light:
            possessor = None  # "the diplomats held their first meeting": the light verb's subject
        if possessor is not None:
            # "Russia's invasion" names the actor; "Assange's arrest" the one arrested, unless
            # an `of` phrase or a `by` phrase takes that role ("Britain's arrest of Assange").
            patient = trig.head.lemma_.lower() in lex.patient_possessor
            if patient and not of_target:
                target = possessor  # "after Assange's arrest in London": Assange, not London
            elif actor is None:
                actor = possessor
        if actor is None:
            # "Israeli strikes", "government raids": a modifier naming a group.
            for child in self.kids(tok):
                named = child.ent_type_ in ("NORP", "GPE", "ORG", "PERSON") or child.i in ent_types
                # "the Paris attacks", "a Mali hotel assault": a town or a site says where.
                where = child.i in self.town_tokens
                if child.dep_ in ("amod", "compound") and child.i < trig.first and named and not where:
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
                # "intervened (in the war) by carpet bombing": the nearest verb above acts, unless
                # the phrase sits inside that verb's subject ("officials familiar with the
                # negotiations told ...").
                verb = head.head
                for _ in range(4):
                    if verb.pos_ == "VERB" or verb.head == verb or verb.dep_ in lex.subject_deps:
                        break
                    verb = verb.head
                if verb.pos_ == "VERB":
                    actor, _passive = self._subject(verb)
        return actor, target


_LAST: dict[int, tuple[Lexicon, frozenset[str]]] = {}


def _multi_last(lex: Lexicon) -> frozenset[str]:
    """The words multiword trigger keys end in (once per lexicon)."""
    held = _LAST.get(id(lex))
    if held is None or held[0] is not lex:
        held = _LAST[id(lex)] = (lex, frozenset(key[-1] for key in lex.multi))
    return held[1]


def extract(article: Article, lex: Lexicon) -> list[Event]:
    """All events in ``article`` (its ``doc`` must be the parse of ``masked_text()``)."""
    doc = article.doc
    if doc is None or len(doc) == 0 or len(doc_text(doc)) != len(article.text):
        return []
    ex = Extractor(lex)
    ex.index(doc, article.text)

    tok_entity: dict[int, str] = {}
    tok_type: dict[int, str] = {}
    for ent in article.entities:
        for m in ent.mentions:
            span = doc.char_span(m.start, m.end, alignment_mode="expand")
            if span is None:
                continue
            for t in span:
                tok_entity.setdefault(t.i, ent.id)
                tok_type.setdefault(t.i, ent.type)
    # Pronouns and descriptions ("he", "the minister") take the entity the entities stage
    # resolved them to (article.references: one resolver for attributions and events).
    types = {e.id: e.type for e in article.entities}
    for ref in article.references:
        span = doc.char_span(ref.start, ref.end, alignment_mode="expand")
        if span is not None:
            for t in span:
                tok_entity.setdefault(t.i, ref.entity)
                if ref.entity in types:
                    tok_type.setdefault(t.i, types[ref.entity])
    times_ok = [
        t for t in article.times if t.value and t.type in ("DATE", "TIME") and not t.value.startswith("P")
    ]
    time_tokens: set[int] = set()
    for t in article.times:
        span = doc.char_span(t.start, t.end, alignment_mode="expand")
        if span is not None:
            time_tokens.update(tok.i for tok in span)
    ex.kinds = Kinds(lex, tok_type, time_tokens)
    for place in article.places:
        if place.feature in ("city", "site"):
            for m in place.mentions:
                span = doc.char_span(m.start, m.end, alignment_mode="expand")
                if span is not None:
                    ex.town_tokens.update(tok.i for tok in span)
    places = Located([(m.start, m.end, p.id) for p in article.places for m in p.mentions if not m.metonymy])
    times = Located([(t.start, t.end, t) for t in times_ok])
    contents: list[tuple[int, int, str]] = []
    for a in article.attributions:
        spans = a.content_spans or [a.content]
        contents.extend((s.start, s.end, a.id) for s in spans)

    events: list[Event] = []
    for first, last in sentence_bounds(doc):
        sent = doc[first:last]
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
        anchors = Anchors(doc, set(by_head), places, times, lex.light_verbs | lex.carriers)
        for trig in found:
            if trig.absorbed:
                continue
            line = _line_of(article.text, s_start, s_end, trig.head.idx)
            event = _event(article, ex, trig, tok_entity, anchors, contents, line)
            if event is not None:
                events.append(event)
    for n, ev in enumerate(events, 1):
        ev.id = f"V{n}"
    return events


class Anchors:
    """The places and dates of one sentence's events (see :mod:`.anchors`)."""

    def __init__(
        self, doc: Any, trigger_heads: set[int], places: Located, times: Located, carriers: frozenset[str]
    ) -> None:
        self.carriers = carriers
        self.doc = doc
        self.heads = trigger_heads
        self.places = places
        self.times = times

    def own(
        self, located: Located, trig: Trigger, line: tuple[int, int], preps: frozenset[str] | None
    ) -> list[tuple[int, int, Any]]:
        """The items on the trigger's line that belong to its clause (introduced by ``preps``)."""
        out = []
        for start, end, payload in located.within(*line):
            owner, prep = owner_path(self.doc, start, end, self.heads)
            prep_ok = preps is None or prep is None or prep in preps
            if prep_ok and belongs(trig.head, trig.is_noun, owner, self.carriers):
                out.append((start, end, payload))
        return out


def _violent(ex: Extractor, trig: Trigger, actor: Any, target: Any) -> bool:
    """Whether an ASSAULT trigger has a violent participant (see ``[violence]`` in triggers.toml)."""
    kinds = ex.kinds
    if kinds is None:
        return True
    lex = ex.lex
    if trig.instrument or (actor is not None and kinds.armed(actor)):
        return True
    if target is not None:
        named = target.dep_ == "pobj" and kinds.entity_type(target) in _NAMED_PARTIES
        behind = target.head.head if named and target.head.lower_ in _BEHIND_PREPS else None
        act = behind is not None and behind.pos_ == "NOUN" and not kinds.entity_type(behind)
        if act and not kinds.kinds(behind):
            # The party was taken from behind an act ("battling extradition to Ruritania"):
            # the act, not the party, says whether the event is violent.
            target = behind
        found = kinds.kinds(target)
        if kinds.armed(target) or PLACE in found:
            return True
        if AGENT not in found:
            return False
        if trig.head.lemma_.lower() not in lex.contest:
            return True  # "killed a journalist", "kidnapped Smith"
        # "a man attacked a woman" is violence; "Trump attacked Clinton" and "having fought
        # the government" are not.
        unnamed = not kinds.named(target) and actor is not None and not kinds.named(actor)
        return unnamed and PERSON in found
    if trig.head.lemma_.lower() not in lex.contest:
        return True
    if actor is not None and kinds.entity_type(actor) in ("GPE", "NORP"):
        return True  # "Israel struck overnight", "Israeli strikes"
    for child in trig.head.children:
        # "fighting between Azerbaijanis and Armenians": peoples or armed groups on both sides.
        if child.dep_ == "prep" and child.lower_ in ("between", "among"):
            pobj = next((g for g in child.children if g.dep_ == "pobj"), None)
            if pobj is not None and (kinds.armed(pobj) or kinds.entity_type(pobj) in ("GPE", "NORP")):
                return True
    # "the attack killed 12": a noun that is the subject of a verb of harm.
    return trig.is_noun and trig.head.dep_ == "nsubj" and trig.head.head.lemma_.lower() in lex.harm_verbs


def _event(
    article: Article,
    ex: Extractor,
    trig: Trigger,
    tok_entity: dict[int, str],
    anchors: Anchors,
    contents: list[tuple[int, int, str]],
    sent: tuple[int, int],
) -> Event | None:
    """The event of one trigger, or None when its participants show it is no event."""
    doc = trig.head.doc
    lex = ex.lex
    kinds = ex.kinds
    t_start = doc[trig.first].idx
    t_end = doc[trig.last].idx + len(doc[trig.last])
    if trig.is_noun:
        actor_tok, target_tok = ex.noun_participants(trig, tok_entity)
    else:
        actor_tok, target_tok = ex.verb_participants(trig)
    category = trig.category
    # The parser can run a headline into the next line; nothing crosses a line break.
    if actor_tok is not None and not sent[0] <= actor_tok.idx < sent[1]:
        actor_tok = None if trig.is_noun else _line_subject(ex, trig, sent)
    if target_tok is not None and not sent[0] <= target_tok.idx < sent[1]:
        target_tok = None
    if kinds is not None:
        if not trig.is_noun and trig.head.lemma_.lower() in lex.clausal_agent:
            # "warned that the sanctions could damage trade" is a prediction, not a threat.
            for child in ex.kids(trig.head):
                if child.dep_ == "ccomp":
                    subject = next((g for g in ex.kids(child) if g.dep_ in lex.subject_deps), None)
                    if subject is not None and not kinds.is_agent(subject):
                        return None
        if target_tok is not None and target_tok.lower_ in lex.generic_objects:
            return None  # "whatever the politicians sign": a generic statement
        # A date or a number is never a participant: "refused March", "killed 12", "Sunday's attack".
        if actor_tok is not None and kinds.is_number_or_date(actor_tok) and not kinds.kinds(actor_tok):
            actor_tok = None
        if target_tok is not None and kinds.is_number_or_date(target_tok) and not kinds.kinds(target_tok):
            target_tok = None
        if category == "PROTEST" and target_tok is None:
            target_tok = ex.protest_target(trig)  # "a hunger strike to protest Sweden's decision"
        if category == "CONSULT" and actor_tok is not None and kinds.crowd(actor_tok):
            return None  # "More than four thousand people visited the old town": no consultation
        if category == "ASSAULT" and not _violent(ex, trig, actor_tok, target_tok):
            return None  # "fired uncertainty", "battling extradition", "attacked Clinton"
        if actor_tok is not None and not (kinds.is_agent(actor_tok) or kinds.armed_group(actor_tok)):
            # A weapon or a thing does the harm in "a device killed three soldiers"; the
            # event stands, with no actor.
            instrument = category == "ASSAULT" and bool(kinds.kinds(actor_tok) & {WEAPON, PLACE})
            if not (trig.is_noun or instrument or actor_tok.lower_ in lex.stop_heads):
                return None  # "the situation threatened the region": nobody acted
            actor_tok = None
        verbal = category in VERBAL_CATEGORIES
        if target_tok is not None and verbal and not kinds.is_agent(target_tok):
            # "rejected a US offer", "welcomed Reagan's statement", "calls by Kofi Annan":
            # the recipient of a verbal event is whoever the act it answers came from.
            target_tok = kinds.owner(target_tok) or target_tok
        allowed = {AGENT} if verbal else {AGENT, PLACE}
        if target_tok is not None and not (kinds.kinds(target_tok) & allowed):
            concrete = lex.concrete_target
            if category in concrete or f"{category}/{trig.plover_mode}" in concrete:
                return None  # "seized the moment", "fired uncertainty", "block the package"
            if trig.head.lemma_.lower() in lex.agent_target:
                return None  # "defend its interests" supports nobody
            target_tok = None  # "rejected the proposal", "stabbed to death": no recipient
    actor = ex.participant(actor_tok, tok_entity, (trig.first, trig.last))
    target = ex.participant(target_tok, tok_entity, (trig.first, trig.last))
    if trig.is_noun and actor is None and target is None and category in lex.speech_act_categories:
        # "did not respond to a request for comment", "ignoring warnings about a weak
        # embankment": a request or warning by nobody, to nobody, about a topic is no event.
        around = ex.kids(trig.head)
        if trig.head.dep_ == "dobj":
            # "ignoring warnings about ...": the parser may hang the topic on the verb
            around = around + [c for c in ex.kids(trig.head.head) if c.i > trig.head.i]
        for child in around:
            if child.dep_ == "prep" and child.lower_ in lex.topic_preps:
                pobj = next((g for g in ex.kids(child) if g.dep_ == "pobj"), None)
                if pobj is not None and kinds is not None and not kinds.is_agent(pobj):
                    return None
    if actor and target and actor.start < target.end and target.start < actor.end:
        target = None  # one phrase cannot be both sides
    mode = ex.mode_of(trig)
    if mode in ("planned", "threatened") and not trig.governed and category in lex.future_recode:
        category = lex.future_recode[category]

    # Place and date: only what the trigger's own clause gives, on the trigger's line.
    # A place named as the actor ("Russia bombed"), or as the recipient of a verbal
    # event ("accused Kyiv"), is a participant, not where it happened.
    skip = [actor] if actor is not None else []
    if target is not None and category in VERBAL_CATEGORIES:
        skip.append(target)
    place_items = [
        item
        for item in anchors.own(anchors.places, trig, sent, None)
        if not any(p.start < item[1] and item[0] < p.end for p in skip)
    ]
    place = nearest(place_items, t_start)
    time = nearest(anchors.own(anchors.times, trig, sent, lex.date_preps), t_start)

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


def _line_subject(ex: Extractor, trig: Trigger, line: tuple[int, int]) -> Any:
    """The subject of a verb trigger whose parsed subject lies on another line.

    When the parser runs a headline into the first sentence ("European leaders agree new
    sanctions ... / Leaders of the European Union agreed on Thursday to ..."), the verb's
    subject is taken from the headline. If the words before the verb on its own line are
    one noun phrase with no verb ("Leaders of the European Union"), that phrase is the
    subject; otherwise there is none.
    """
    verb = trig.head
    start = trig.first
    # "agreed on Thursday to impose ...": an infinitive or conjunct shares its head's subject.
    while verb.dep_ in ("xcomp", "conj") and verb.head.i < verb.i and verb.head.idx >= line[0]:
        verb = verb.head
        start = verb.i
    if any(c.dep_ == "auxpass" for c in ex.kids(verb)):
        return None  # a passive verb's subject is its target, not its actor
    doc = verb.doc
    first = start
    while first > 0 and line[0] <= doc[first - 1].idx:
        first -= 1
    own = {c.i for c in ex.kids(verb) if c.dep_ in ("aux", "neg", "advmod")}
    words = [t for t in doc[first:start] if t.i not in own and not (t.is_space or t.is_punct)]
    if not words or any(t.pos_ in ("VERB", "AUX") for t in words):
        return None
    inside = {t.i for t in doc[first:start]}
    heads = [t for t in words if t.head.i not in inside and t.pos_ in ("NOUN", "PROPN", "PRON")]
    return heads[0] if len(heads) == 1 else None


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
