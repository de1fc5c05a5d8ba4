"""Derive ``newsgraph/data/events/noun_classes.tsv`` from Princeton WordNet 3.0.

    python3 scripts/derive_noun_classes.py /usr/share/wordnet > newsgraph/data/events/noun_classes.tsv

(Debian package ``wordnet-base`` installs the database in /usr/share/wordnet.)

For every single-word noun lemma the events stage needs to know what kind of thing
it names, to decide whether a phrase can be an event participant (PLOVER actors and
recipients are people, groups, states and organisations; a violent event's target may
also be a place or a physical thing). Classes, from the WordNet lexicographer files of
the lemma's senses (WordNet orders senses by frequency):

- ``a`` agent: one of the first four senses is noun.person, or a noun.group sense
  below social group, people, organization, gathering, force, military unit or body
  (not "a collection of things": "package", "series");
- ``h`` a person (one of the first four senses is noun.person), also an agent;
- ``p`` place or physical thing: the first sense is noun.location, noun.artifact or
  noun.object;
- ``w`` weapon: one of the first three senses descends from an artifact sense of
  weapon, weaponry, ammunition, munition, projectile, explosive, explosive device or missile (the instrument of a violent verb, never its target).

Nouns with none of these (acts, events, states, feelings, time, communication ...)
are left out: the stage treats an unlisted common noun as no participant.
"""

from __future__ import annotations

import sys
from pathlib import Path

PERSON, GROUP, LOCATION, ARTIFACT, OBJECT = 18, 14, 15, 6, 17
#: Groups of people (not "a collection of things"): hyponyms of these noun.group senses.
PEOPLE_ROOTS = ("social_group", "people", "organization", "gathering", "force", "military_unit", "body")
WEAPON_ROOTS = ("weapon", "weaponry", "ammunition", "munition", "projectile", "explosive", "explosive_device", "missile")


def closure(hyponyms: dict[str, list[str]], roots: list[str]) -> set[str]:
    """The synsets in ``roots`` and every hyponym below them."""
    seen: set[str] = set()
    stack = list(roots)
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.add(node)
            stack.extend(hyponyms.get(node, []))
    return seen


def main(root: Path) -> None:
    lexfile: dict[str, int] = {}
    hyponyms: dict[str, list[str]] = {}
    for line in (root / "data.noun").open(encoding="latin-1"):
        if line.startswith(" "):
            continue
        fields = line.split()
        offset, lex = fields[0], int(fields[1])
        lexfile[offset] = lex
        n_words = int(fields[3], 16)
        rest = fields[4 + 2 * n_words :]
        n_ptr = int(rest[0])
        for k in range(n_ptr):
            symbol, target, pos = rest[1 + 4 * k], rest[2 + 4 * k], rest[3 + 4 * k]
            if symbol in ("~", "~i") and pos == "n":
                hyponyms.setdefault(offset, []).append(target)
    senses: dict[str, list[str]] = {}
    for line in (root / "index.noun").open(encoding="latin-1"):
        if line.startswith(" "):
            continue
        fields = line.split()
        lemma, n_synsets = fields[0], int(fields[2])
        senses[lemma] = fields[-n_synsets:]
    weapons = closure(hyponyms, [s for w in WEAPON_ROOTS for s in senses.get(w, []) if lexfile[s] == ARTIFACT])
    people = closure(hyponyms, [s for w in PEOPLE_ROOTS for s in senses.get(w, []) if lexfile[s] == GROUP])
    print("# Noun classes for the events stage's participant rules: lemma<TAB>classes")
    print("# (a = agent: person or group of people; h = a person; p = place or physical thing; w = weapon or ammunition).")
    print("# Source: derived mechanically from Princeton WordNet 3.0 (Debian wordnet-base) by")
    print("# scripts/derive_noun_classes.py; see that script for the rule. Not derived from any")
    print("# evaluation data. WordNet 3.0 Copyright 2006 by Princeton University. All rights")
    print("# reserved. THIS SOFTWARE AND DATABASE IS PROVIDED \"AS IS\" AND PRINCETON UNIVERSITY")
    print("# MAKES NO REPRESENTATIONS OR WARRANTIES, EXPRESS OR IMPLIED (WordNet 3.0 license).")
    for lemma in sorted(senses):
        if not lemma.replace("-", "").isalpha():
            continue
        syns = senses[lemma]
        top = syns[:3]
        classes = ""
        if any(lexfile[s] == PERSON or s in people for s in syns[:4]):
            classes += "a"
        if any(lexfile[s] == PERSON for s in syns[:4]):
            classes += "h"
        if lexfile[syns[0]] in (LOCATION, ARTIFACT, OBJECT):
            classes += "p"
        if any(s in weapons for s in top):
            classes += "w"
        if classes:
            print(f"{lemma}\t{classes}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/wordnet"))
