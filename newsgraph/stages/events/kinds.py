"""What kind of thing a participant phrase names: an agent, a place or thing, a weapon, or none.

PLOVER actors and recipients are people, groups, organisations and states; a
violent event's target may also be a place or a physical thing. A date, a number,
an act or a state of affairs ("uncertainty", "extradition", "death", "the
situation") is never a participant. The kind of a phrase comes from its head word:
the entity type earlier stages gave it, a personal pronoun, or for a common noun
the WordNet-derived classes in ``noun_classes.tsv`` plus the hand lists of
``participants.toml`` (see docs/events.md).
"""

from __future__ import annotations

from typing import Any

from .lexicon import Lexicon

AGENT = "agent"
PLACE = "place"  # a place or a physical thing
WEAPON = "weapon"
PERSON = "person"  # a human being (also an agent), as opposed to a group or an institution

#: Entity types naming agents; GPE names both an agent (a state) and a place.
AGENT_TYPES = frozenset({"PERSON", "ORG", "NORP", "GPE"})
PLACE_TYPES = frozenset({"GPE", "LOC", "FAC"})
#: Entity types that are never participants.
NOT_PARTICIPANT_TYPES = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY"})


class Kinds:
    """Classifies participant head tokens of one article."""

    def __init__(self, lex: Lexicon, tok_type: dict[int, str], time_tokens: set[int]) -> None:
        self.lex = lex
        self.tok_type = tok_type  # token index -> entity type from article.entities
        self.time_tokens = time_tokens  # token indices inside a time expression

    def entity_type(self, tok: Any) -> str:
        return self.tok_type.get(tok.i) or str(tok.ent_type_)

    def kinds(self, tok: Any) -> frozenset[str]:
        """The kinds of the phrase headed by ``tok`` (empty: not a participant).

        A head that names no kind itself takes the kind of its ``of`` phrase: "part of a
        stronghold", "dozens of protesters", "one of the soldiers".
        """
        for _ in range(4):  # "tens of thousands of students"
            found = self._own_kinds(tok)
            if found or self.is_date(tok):
                return found
            pobj = self.of_object(tok)
            if pobj is None:
                return found
            tok = pobj
        return frozenset()

    def of_object(self, tok: Any) -> Any:
        for child in tok.children:
            if child.dep_ == "prep" and child.lower_ == "of":
                return next((g for g in child.children if g.dep_ == "pobj"), None)
        return None

    def is_date(self, tok: Any) -> bool:
        return tok.i in self.time_tokens or self.entity_type(tok) in ("DATE", "TIME")

    def is_number_or_date(self, tok: Any) -> bool:
        """A date, a time or a number: never a participant ("refused March", "killed 12")."""
        return tok.i in self.time_tokens or self.entity_type(tok) in NOT_PARTICIPANT_TYPES or tok.like_num

    def _own_kinds(self, tok: Any) -> frozenset[str]:
        lex = self.lex
        low = tok.lower_
        etype = self.entity_type(tok)
        if self.is_number_or_date(tok):
            return frozenset()
        if low in lex.personal_pronouns:
            return frozenset({AGENT})
        if tok.pos_ == "PRON":
            return frozenset()
        found: set[str] = set()
        if etype in AGENT_TYPES:
            found.add(AGENT)
        if etype in PLACE_TYPES:
            found.add(PLACE)
        if found:
            return frozenset(found)
        lemma = tok.lemma_.lower()
        if tok.pos_ == "PROPN" and lemma not in lex.noun_classes:
            return frozenset({AGENT})  # a name no recogniser typed: most often someone
        classes = lex.noun_classes.get(lemma, "")
        if lemma in lex.extra_agents or "a" in classes:
            found.add(AGENT)
        if "h" in classes:
            found.add(PERSON)
        if "p" in classes or lemma in lex.extra_places:
            found.add(PLACE)
        if "w" in classes or lemma in lex.extra_weapons:
            found = {WEAPON}  # the instrument, never the one acted on
        return frozenset(found)

    def owner(self, tok: Any) -> Any:
        """The agent an act or a statement comes from: "a US offer", "Saddam's proposal", "calls by
        Kofi Annan", "an offer from Afghanistan"; None when none is named."""
        for child in tok.children:
            dep = child.dep_
            if dep == "poss" or (dep in ("compound", "amod") and self.entity_type(child) in AGENT_TYPES):
                if AGENT in self._own_kinds(child):
                    return child
            elif dep == "prep" and child.lower_ in ("by", "from"):
                pobj = next((g for g in child.children if g.dep_ == "pobj"), None)
                if pobj is not None and AGENT in self._own_kinds(pobj):
                    return pobj
        return None

    def is_agent(self, tok: Any) -> bool:
        return AGENT in self.kinds(tok)

    def crowd(self, tok: Any) -> bool:
        """A crowd counted in hundreds or more ("four thousand people", "thousands of fans")."""
        words = self.lex.crowd_numbers
        for t in [tok, *tok.children]:
            if t is not tok and t.dep_ not in ("nummod", "quantmod", "compound"):
                continue
            if t.lower_ in words:
                return True
            digits = t.text.replace(",", "")
            if t is not tok and digits.isdigit() and int(digits) >= 100:
                return True
        return False

    def armed_group(self, tok: Any) -> bool:
        """A group or a vehicle that uses force ("gunmen", "Israeli tanks"): an actor."""
        return tok.lemma_.lower() in self.lex.armed

    def armed(self, tok: Any) -> bool:
        """A group that uses force, or a weapon ("gunmen", "troops", "rockets")."""
        if tok.lemma_.lower() in self.lex.armed:
            return True
        return WEAPON in self.kinds(tok)

    def named(self, tok: Any) -> bool:
        """A person or organisation by name: in a contest of words as often as in a fight."""
        return self.entity_type(tok) in ("PERSON", "ORG") or (
            tok.pos_ == "PROPN" and self.entity_type(tok) not in PLACE_TYPES
        )
