"""One entity per referent: group candidate mentions, pick names, types and genders.

Within one article:

* a non-PERSON mention whose words are a person's name or surname elsewhere in the
  article, more often than they are anything else, becomes PERSON ("Putin's Russia");
* PERSON names attach by surname or trailing words ("Putin" -> "Vladimir Putin",
  "Assad" -> "Bashir al-Assad"); full names with different first names stay apart,
  and an honorific that contradicts the known gender ("Mrs Clinton" vs "Bill Clinton")
  keeps a mention apart too;
* other names group by their words (case-insensitive, periods dropped, spelling
  variants from ``corrections.toml``), then acronyms ("ICC") and shortened ORG names
  ("Bloomberg" -> "Bloomberg News" when only one ORG starts so) join their full form.

Everything is dictionary look-ups over the candidates: linear in their number.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any

from ...model import Entity, Mention, Role
from .. import sentence_bounds
from .lexicon import Lexicon
from .mentions import Candidate

_SPLIT = re.compile(r"[\s\-‐–]+")
_ACRONYM_SKIP = frozenset({"of", "the", "and", "for", "on", "in", "&", "de", "du", "des", "la", "le", "at"})
_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})


def parts_of(text: str) -> tuple[str, ...]:
    """Lowercased name words, hyphens split and periods dropped: "al-Assad" -> ("al", "assad")."""
    return tuple(p for p in (w.lower().replace(".", "") for w in _SPLIT.split(text)) if p)


class _Union:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            # keep the earlier candidate as the root so ids follow first mentions
            if rb < ra:
                ra, rb = rb, ra
            self.parent[rb] = ra


def _retype(cands: list[Candidate], parts: list[tuple[str, ...]]) -> None:
    """Relabel as PERSON the non-PERSON mentions that are a person's name here at least as often as not."""
    person: Counter[tuple[str, ...]] = Counter()
    other: Counter[tuple[str, ...]] = Counter()
    for cand, p in zip(cands, parts, strict=True):
        if cand.label == "PERSON":
            person[p] += 1
            if len(p) > 1:
                person[p[-1:]] += 1
        else:
            other[p] += 1
    if not person:
        return
    for cand, p in zip(cands, parts, strict=True):
        if cand.label != "PERSON" and cand.label != "FAC" and person[p] >= other[p]:
            cand.label = "PERSON"


def _group_people(
    idx: list[int],
    parts: list[tuple[str, ...]],
    cands: list[Candidate],
    texts: list[str],
    lex: Lexicon,
    uf: _Union,
) -> None:
    """Attach PERSON forms to clusters, longest names first."""
    forms: dict[tuple[tuple[str, ...], str | None], list[int]] = {}
    for i in idx:
        forms.setdefault((parts[i], cands[i].honorific_gender), []).append(i)
    order = sorted(forms, key=lambda f: (-len(f[0]), forms[f][0]))
    # cluster = the first candidate index of its representative form
    rep: dict[int, tuple[str, ...]] = {}
    gender: dict[int, str | None] = {}
    size: Counter[int] = Counter()
    by_last: dict[str, list[int]] = defaultdict(list)
    by_first: dict[str, list[int]] = defaultdict(list)
    for key in order:
        p, hon = key
        members = forms[key]
        first_name = texts[members[0]].split()[0] if len(p) > 1 else ""
        options: list[int] = []
        for c in by_last.get(p[-1], []):
            r = rep[c]
            if len(p) == 1 or r[-len(p) :] == p or r[0] == p[0]:
                options.append(c)
        if not options and len(p) == 1:
            # a first name alone ("Hillary"), only when one person has it
            firsts = [c for c in by_first.get(p[0], []) if len(rep[c]) > 1]
            if len(firsts) == 1:
                options = firsts
        if hon:
            options = [c for c in options if gender[c] in (None, hon)]
        if options:
            best = min(options, key=lambda c: (-size[c], c))
            for m in members:
                uf.join(best, m)
            size[best] += len(members)
            gender[best] = gender[best] or hon
            continue
        c = members[0]
        for m in members[1:]:
            uf.join(c, m)
        rep[c] = p
        size[c] = len(members)
        gender[c] = hon or lex.first_names.get(first_name)
        by_last[p[-1]].append(c)
        by_first[p[0]].append(c)


def _group_others(
    idx: list[int],
    parts: list[tuple[str, ...]],
    texts: list[str],
    cands: list[Candidate],
    lex: Lexicon,
    uf: _Union,
) -> None:
    """Same words (or listed variant) -> one entity; then acronyms and short ORG names."""
    by_key: dict[str, int] = {}
    for i in idx:
        spelled = " ".join(parts[i])
        key = lex.variants.get(texts[i].lower(), lex.variants.get(spelled, spelled))
        if key in by_key:
            uf.join(by_key[key], i)
        else:
            by_key[key] = i
    initials: dict[str, set[int]] = defaultdict(set)
    affixes: dict[tuple[str, ...], set[int]] = defaultdict(set)
    for i in by_key.values():
        words = texts[i].split()
        if len(words) > 1:
            letters = "".join(w[0] for w in words if w.lower() not in _ACRONYM_SKIP and w[:1].isupper())
            if len(letters) > 1:
                initials[letters].add(i)
        if cands[i].label in ("ORG", "FAC") and len(parts[i]) > 1:
            p = parts[i]
            # prefixes only: "Bloomberg" of "Bloomberg News", "House" of "House of Representatives";
            # a suffix is usually generic ("House" of "White House", "Department")
            for k in range(1, len(p)):
                affixes[p[:k]].add(i)
    for i in list(by_key.values()):
        bare = texts[i].replace(".", "")
        if 1 < len(bare) <= 6 and bare.isalpha() and bare.isupper():
            found = initials.get(bare, set())
            if len(found) == 1:
                uf.join(next(iter(found)), i)
                continue
        if cands[i].label == "ORG" and tuple(texts[i].split()) not in lex.forced_labels:
            # a known standalone name ("White House") is not short for a longer one
            # ("White House Office of Strategic Initiatives")
            found = {uf.find(j) for j in affixes.get(parts[i], set())}
            if len(found) == 1:
                uf.join(next(iter(found)), i)


def _sentence_starts(doc: Any) -> list[int]:
    if not doc.has_annotation("SENT_START"):
        return [0]
    return [a for a, _ in sentence_bounds(doc)]


def _pronoun_votes(
    doc: Any, starts: list[int], people: dict[int, list[int]], cands: list[Candidate], lex: Lexicon
) -> dict[int, Counter[str]]:
    """he/she after a person's mention, in sentences where that person is the only one named."""
    in_sent: dict[int, set[int]] = defaultdict(set)
    first_tok: dict[tuple[int, int], int] = {}
    for root, members in people.items():
        for m in members:
            s = bisect_right(starts, cands[m].start) - 1
            in_sent[s].add(root)
            first_tok.setdefault((s, root), cands[m].end)
    votes: dict[int, Counter[str]] = defaultdict(Counter)
    bounds = [*starts, len(doc)]
    for s, roots in in_sent.items():
        if len(roots) != 1:
            continue
        root = next(iter(roots))
        spans = [(first_tok[(s, root)], bounds[s + 1])]
        if s + 1 < len(starts) and in_sent.get(s + 1, {root}) <= {root}:
            spans.append((bounds[s + 1], bounds[s + 2]))
        for a, b in spans:
            for t in doc[a:b]:
                g = lex.pronouns.get(t.lower_)
                if g:
                    votes[root][g] += 1
    return votes


def _char_span(doc: Any, text: str, cand: Candidate) -> tuple[int, int]:
    """Character offsets of the name, without a possessive glued to it ("Trump’s")."""
    a = doc[cand.start].idx
    b = doc[cand.end - 1].idx + len(doc[cand.end - 1].text)
    if b - a > 3 and text[b - 2 : b] in ("’s", "'s"):
        b -= 2
    return a, b


def build_entities(doc: Any, text: str, cands: list[Candidate], lex: Lexicon) -> list[Entity]:
    """Entities (ids E1.. in order of first mention) from the article's candidates."""
    if not cands:
        return []
    spans = [_char_span(doc, text, c) for c in cands]
    texts = [text[a:b] for a, b in spans]
    parts = [parts_of(t) or (t.lower(),) for t in texts]
    _retype(cands, parts)
    uf = _Union(len(cands))
    person_idx = [i for i, c in enumerate(cands) if c.label == "PERSON"]
    other_idx = [i for i, c in enumerate(cands) if c.label != "PERSON"]
    _group_people(person_idx, parts, cands, texts, lex, uf)
    _group_others(other_idx, parts, texts, cands, lex, uf)

    clusters: dict[int, list[int]] = defaultdict(list)
    for i in range(len(cands)):
        clusters[uf.find(i)].append(i)
    people = {
        r: m
        for r, m in clusters.items()
        if Counter(cands[i].label for i in m).most_common(1)[0][0] == "PERSON"
    }
    starts = _sentence_starts(doc)
    votes = _pronoun_votes(doc, starts, people, cands, lex) if people else {}

    entities: list[Entity] = []
    for root in sorted(clusters, key=lambda r: spans[clusters[r][0]][0]):
        members = clusters[root]
        labels = Counter(cands[i].label for i in members)
        label = max(
            labels,
            key=lambda lb: (labels[lb], lb == "PERSON", -min(i for i in members if cands[i].label == lb)),
        )
        # fullest form; mixed case beats a shouted headline form ("PHILADELPHIA")
        best = max(members, key=lambda i: (len(parts[i]), not texts[i].isupper(), len(texts[i]), -i))
        aliases: list[str] = []
        mentions: list[Mention] = []
        roles: dict[tuple[int, int], Role] = {}
        for i in members:
            a, b = spans[i]
            cand = cands[i]
            root_tok = doc[cand.end - 1]
            metonymy = (
                label in _PLACE_LABELS and root_tok.dep_ == "nsubj" and root_tok.head.pos_ in ("VERB", "AUX")
            )
            mentions.append(Mention(a, b, texts[i], metonymy=metonymy))
            if texts[i] not in aliases:
                aliases.append(texts[i])
            if cand.title_start is not None:
                titled = text[doc[cand.title_start].idx : b]
                if titled not in aliases:
                    aliases.append(titled)
            for rs, re_ in cand.roles:
                ra, rb = doc[rs].idx, doc[re_ - 1].idx + len(doc[re_ - 1].text)
                roles.setdefault((ra, rb), Role(ra, rb, text[ra:rb]))
        gender = (
            _gender(doc, [cands[i] for i in members], texts[best], votes.get(root), lex)
            if label == "PERSON"
            else None
        )
        entities.append(
            Entity(
                id=f"E{len(entities) + 1}",
                name=texts[best],
                type=label,
                aliases=aliases,
                roles=sorted(roles.values(), key=lambda r: (r.start, r.end)),
                mentions=mentions,
                gender=gender,
            )
        )
    return entities


def _gender(
    doc: Any, members: list[Candidate], name: str, votes: Counter[str] | None, lex: Lexicon
) -> str | None:
    """Honorific, then gendered role noun, then first name, then pronouns nearby."""
    hon = Counter(c.honorific_gender for c in members if c.honorific_gender)
    if hon:
        return hon.most_common(1)[0][0]
    nouns: Counter[str] = Counter()
    for c in members:
        for s, e in c.roles:
            for t in doc[s:e]:
                g = lex.gendered_nouns.get(t.lower_)
                if g:
                    nouns[g] += 1
    if len(nouns) == 1:
        return next(iter(nouns))
    words = name.split()
    if len(words) > 1 and words[0] in lex.first_names:
        return lex.first_names[words[0]]
    if votes:
        m, f = votes.get("m", 0), votes.get("f", 0)
        if m > f:
            return "m"
        if f > m:
            return "f"
    return None


def add_descriptions(doc: Any, text: str, entities: list[Entity], usable: Callable[[int, int], bool]) -> None:
    """Resolve "the Russian president" to the one person given that role earlier.

    Safe cases only: a definite description ("the" + the exact words of a role of two
    or more tokens) that belongs to exactly one person in the article, after that role
    was first given, and not inside another mention or role. "the dictator" (never given
    as a role) stays unresolved.
    """
    table: dict[tuple[str, ...], set[str]] = defaultdict(set)
    first_end: dict[tuple[str, ...], int] = {}
    covered = bytearray(len(text) + 1)
    by_id = {e.id: e for e in entities}
    for ent in entities:
        if ent.type != "PERSON":
            continue  # a description may hold other names: "the Russian president"
        facts: list[Mention | Role] = [*ent.mentions, *ent.roles]
        for fact in facts:
            covered[fact.start : fact.end] = b"\x01" * (fact.end - fact.start)
        for role in ent.roles:
            span = doc.char_span(role.start, role.end)
            if span is None or len(span) < 2:
                continue
            key = tuple(t.lower_ for t in span)
            table[key].add(ent.id)
            first_end[key] = min(first_end.get(key, role.end), role.end)
    if not table:
        return
    by_first: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    for key in table:
        by_first[key[0]].append(key)
    n = len(doc)
    for i in range(n - 1):
        if doc[i].lower_ != "the":
            continue
        for key in by_first.get(doc[i + 1].lower_, ()):
            k = len(key)
            if i + 1 + k > n or any(doc[i + 1 + j].lower_ != key[j] for j in range(k)):
                continue
            owners = table[key]
            start, end = doc[i].idx, doc[i + k].idx + len(doc[i + k].text)
            if (
                len(owners) != 1
                or start < first_end[key]
                or any(covered[start:end])
                or not usable(start, end)
            ):
                continue
            ent = by_id[next(iter(owners))]
            ent.mentions.append(Mention(start, end, text[start:end]))
            ent.mentions.sort(key=lambda m: m.start)
            if text[start:end].lower() not in (a.lower() for a in ent.aliases):
                ent.aliases.append(text[start:end])
            covered[start:end] = b"\x01" * (end - start)
            break
