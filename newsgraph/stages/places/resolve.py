"""Choosing one gazetteer record per place name, using the rest of the article as context.

Each candidate gets a prior (population on a log scale, feature class, capital city, whether
the name is the record's own name or only a GeoNames alternate), then context bonuses: its
country (and first-level region) is one other names in the article resolve to, and the
"Paris, Texas" pattern (a name followed by ', <container>') keeps only candidates inside the
container. Two passes: the first, without context, yields the countries the article is about.
Everything is dictionary work over the few names of one article (linear in mentions).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from .gazetteer import KIND_ALIAS, KIND_ALT, KIND_DEMONYM, KIND_NAME, Candidate, Gazetteer, distance_km, norm

# Generic words stripped when a name as written is not in the gazetteer ("Idlib province").
_SUFFIXES = (
    "county", "province", "region", "state", "city", "district", "governorate", "oblast",
    "municipality", "prefecture", "territory", "department", "island", "islands",
)  # fmt: skip
_PREFIXES = (
    "greater", "central", "northern", "southern", "eastern", "western", "north", "south", "east",
    "west", "northeast", "northwest", "southeast", "southwest", "north east", "north west",
    "south east", "south west", "upper", "lower", "downtown", "metro", "rural", "coastal",
)  # fmt: skip

#: Smallest town whose state counts as article context (a village may be a street name that
#: happens to match one: "Bourbon", "Franklin" in a New Orleans story). Tuned on GeoWebNews tune.
REGION_VOTE_POP = 50_000
#: More for a region (a county) in a state or county the article names ("Montgomery County" in
#: an Iowa story is not the bigger one in Maryland). Tuned on GeoWebNews tune.
COUNTY_BONUS = 1.5
#: A country or region candidate of the name after "Town, " ("Lafayette, La.").
CONTAINER_BONUS = 3.0
#: A candidate of the same country and kind as another member of its list.
LIST_BONUS = 3.0
FEATURE_PRIOR = {"country": 3.0, "continent": 2.5, "region": -0.7, "site": 0.0, "city": 0.0, "other": 0.0}
#: Records without a population (macro-regions, seas, sites) get this log10-population stand-in.
NO_POP_BASE = {"continent": 7.0, "region": 7.0, "site": 7.5, "other": 6.0, "city": 2.5, "country": 5.0}


@dataclass
class NameMention:
    """One place name in the text, as recognised (or given, for the names-given evaluation)."""

    start: int
    end: int
    text: str
    demonym: bool = False
    candidates: tuple[Candidate, ...] = ()
    chosen: Candidate | None = None
    container: int | None = None  # index of the mention after ', ' that contains this one
    scores: dict[int, float] = field(default_factory=dict)
    label: str = ""  # where the name came from: an NER label, "SCAN" or "PROPAGATED"
    metonymy: bool = False  # the name stands for an actor (set by the stage, read by ``focus``)


def candidates_for(gaz: Gazetteer, text: str) -> tuple[Candidate, ...]:
    """Gazetteer records for a name, retrying without generic prefixes/suffixes when needed."""
    key = norm(text)
    if key.endswith("'s"):
        key = key[:-2]
    found = gaz.lookup_key(key)
    if found:
        return found
    words = key.split()
    if len(words) > 1 and words[-1] in _SUFFIXES:
        found = gaz.lookup_key(" ".join(words[:-1]))
        if found:
            return found
    for prefix in _PREFIXES:
        if key.startswith(prefix + " ") and len(key) > len(prefix) + 2:
            # "northern Syria" -> Syria; but never a demonym or a mere alternate name.
            # Only countries, regions and big cities: "West Wing" is no town called Wing.
            found = tuple(
                c
                for c in gaz.lookup_key(key[len(prefix) + 1 :])
                if c.kind not in (KIND_ALT, KIND_DEMONYM) and (c.feature != "city" or c.population >= 100_000)
            )
            if found:
                return found
    return ()


def prior(c: Candidate) -> float:
    base = math.log10(c.population) if c.population > 0 else NO_POP_BASE.get(c.feature, 3.0)
    score = base + FEATURE_PRIOR.get(c.feature, 0.0)
    if c.feature == "region" and not c.country:
        score += 1.0  # seas, macro-regions: no admin-region handicap
    if c.capital:
        score += 1.5
    if c.kind == KIND_ALT:
        # Alternate names include abbreviations and old names of small places; the record's
        # own name is stronger evidence.
        score -= 1.5
    return score


def _inside(c: Candidate, box: Candidate) -> bool:
    """Whether candidate ``c`` plausibly lies in container ``box`` ('Paris, Texas')."""
    if box.feature == "country":
        return c.country == box.country
    if box.feature == "region" and box.admin1 and box.country:
        return c.country == box.country and c.admin1 == box.admin1
    return distance_km(c.lat, c.lon, box.lat, box.lon) < 400


def link_containers(mentions: Sequence[NameMention], text: str) -> None:
    """Mark 'X, Y' pairs where Y (a country or region) may contain X."""
    for i in range(len(mentions) - 1):
        a, b = mentions[i], mentions[i + 1]
        if text[a.end : b.start].strip() != "," or b.start - a.end > 3:
            continue
        if any(c.feature in ("country", "region") for c in b.candidates):
            a.container = i + 1


_LIST_GAP = re.compile(r"\s*(?:,|,?\s*(?:and|or|&))\s*")


def link_lists(mentions: Sequence[NameMention], text: str) -> list[list[int]]:
    """Groups of mentions written as one list ("Arizona, Nevada and Georgia")."""
    groups: list[list[int]] = []
    current = [0] if mentions else []
    joined = False  # an "and"/"or" seen: a list, not "Paris, Texas"
    for i in range(1, len(mentions)):
        gap = text[mentions[i - 1].end : mentions[i].start]
        if len(gap) <= 8 and _LIST_GAP.fullmatch(gap) and mentions[i - 1].container != i:
            current.append(i)
            joined = joined or gap.strip() not in ("", ",")
            continue
        if len(current) > 1 and joined:
            groups.append(current)
        current, joined = [i], False
    if len(current) > 1 and joined:
        groups.append(current)
    return groups


def _vote(c: Candidate) -> float:
    """How much a chosen record says about the article's country (big places say more)."""
    return 1.0 if c.feature in ("country", "region") or c.population > 100_000 else 0.5


def resolve(mentions: Sequence[NameMention], text: str) -> None:
    """Set ``chosen`` on every mention that has candidates (in place)."""
    link_containers(mentions, text)
    # The second name of "Lafayette, La." is a state or a country, not a city ("LA").
    # (Only after a name the gazetteer knows: "Ramor Theatre, Virginia" may name a town.)
    containers = {m.container for m in mentions if m.container is not None and m.candidates}
    # Lists: members are of one kind ("states like Arizona and Georgia" are US states); a list
    # spanning several countries ("Tokyo, Sydney and Wellington") says nothing about the
    # article's own country.
    siblings: dict[int, list[int]] = {}
    shared: dict[int, set[tuple[str | None, str]]] = {}  # kinds every member of the list can be
    for group in link_lists(mentions, text):
        kinds = [{(c.country, c.feature) for c in mentions[i].candidates} for i in group]
        common = set.intersection(*kinds)
        if len(common) > 1:
            # Every member may be a US state or a US town ("California or Washington"): the
            # kind the members are most plausibly, taken together, decides.
            def fit(kind: tuple[str | None, str], group: list[int] = group) -> float:
                return sum(
                    max(prior(c) for c in mentions[i].candidates if (c.country, c.feature) == kind)
                    for i in group
                )

            top = max(fit(k) for k in common)
            common = {k for k in common if fit(k) == top}
        for i in group:
            siblings[i] = [j for j in group if j != i]
            shared[i] = common
    # Pass 1: context-free choice, to learn which countries and regions the article is about.
    for m in mentions:
        m.chosen = max(m.candidates, key=prior) if m.candidates else None
    keys = [norm(m.text) for m in mentions]
    for _ in range(2):
        countries: dict[str, float] = defaultdict(float)
        regions: dict[tuple[str, str], float] = defaultdict(float)
        # The votes of each name: a name is no context for itself (two "Franklin"s chosen in
        # Tennessee must not vote Tennessee for each other).
        own_countries: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        own_regions: dict[str, dict[tuple[str, str], float]] = defaultdict(lambda: defaultdict(float))
        # States (and counties) named in the article: a county of that name in one of them is
        # the county meant ("Montgomery County" in an Iowa story, beside "Daviess County", Ky.).
        named: dict[tuple[str, str], float] = defaultdict(float)
        own_named: dict[str, dict[tuple[str, str], float]] = defaultdict(lambda: defaultdict(float))
        for key, m in zip(keys, mentions, strict=True):
            c = m.chosen
            if c is None or not c.country:
                continue
            weight = _vote(c)
            countries[c.country] += weight
            own_countries[key][c.country] += weight
            if c.admin1 and (
                c.feature == "region" or (c.feature == "city" and c.population >= REGION_VOTE_POP)
            ):
                # A state named in the article is strong context for its towns; a small town
                # (perhaps a street name that happens to match one) is none.
                regions[(c.country, c.admin1)] += weight
                own_regions[key][(c.country, c.admin1)] += weight
                if c.feature == "region":
                    named[(c.country, c.admin1)] += weight
                    own_named[key][(c.country, c.admin1)] += weight
        # Points of the specific places chosen so far (cities, sites, small regions): a
        # candidate near one of them fits the article's geography ("Allendale" near "Riverdale").
        anchors: dict[int, tuple[float, float]] = {}
        for m in mentions:
            c = m.chosen
            if c is not None and c.feature in ("city", "site") and len(m.candidates) <= 3:
                anchors[c.rid] = (c.lat, c.lon)
        for i, m in enumerate(mentions):
            if not m.candidates:
                continue
            box = mentions[m.container].chosen if m.container is not None else None
            kin = [c for j in siblings.get(i, ()) if (c := mentions[j].chosen) is not None and c.country]
            worldwide = len({c.country for c in kin}) > 1
            own = m.chosen
            mine_cc, mine_region = own_countries[keys[i]], own_regions[keys[i]]
            best, best_score = None, -math.inf
            for c in m.candidates:
                score = prior(c)
                if c.country:
                    # Context from the other names (leave this name's own votes out).
                    n = countries[c.country] - mine_cc.get(c.country, 0.0)
                    if n > 1e-9 and not worldwide:
                        score += 2.0 + min(n, 5.0) * 0.2
                    if c.admin1:
                        state = (c.country, c.admin1)
                        if regions[state] - mine_region.get(state, 0.0) > 1e-9:
                            score += 1.5
                        if (
                            c.feature == "region"
                            and len(m.candidates) > 1
                            and named[state] - own_named[keys[i]].get(state, 0.0) > 1e-9
                        ):
                            score += COUNTY_BONUS
                if box is not None and c is not box and _inside(c, box):
                    score += 6.0
                if i in containers and c.feature in ("country", "region"):
                    score += CONTAINER_BONUS
                if (c.country, c.feature) in shared.get(i, ()):
                    score += LIST_BONUS
                if c.feature == "city" and len(m.candidates) > 1 and anchors:
                    own_rid = own.rid if own is not None else -1
                    if any(
                        rid != own_rid and rid != c.rid and distance_km(c.lat, c.lon, la, lo) < 150
                        for rid, (la, lo) in anchors.items()
                    ):
                        score += 1.5
                m.scores[c.rid] = score
                if score > best_score:
                    best, best_score = c, score
            m.chosen = best


def is_demonym_only(cands: Sequence[Candidate]) -> bool:
    return bool(cands) and all(c.kind == KIND_DEMONYM for c in cands)


#: How far (characters) a name the gazetteer lacks looks for a city or site to be placed at.
NEAR_CHARS = 400


#: Towns smaller than this are no anchor outside the states an article names.
_SMALL_TOWN = 100_000

_SENTENCE_BREAK = re.compile(r"[.!?][\"'”’)]*\s|\n")


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    """Character bounds of the sentence around [start, end) (punctuation heuristics, no parse)."""
    head = 0
    for m in _SENTENCE_BREAK.finditer(text, max(0, start - 600), start):
        head = m.end()
    tail = _SENTENCE_BREAK.search(text, end, end + 600)
    return head, tail.start() if tail else min(len(text), end + 600)


def sentence_countries(mentions: Sequence[NameMention], target: NameMention, text: str) -> set[str]:
    """Countries its own sentence places ``target`` in: literal names and demonyms ("on the
    Syrian coast"), not actors ("Russia's ... base": a metonymic possessive)."""
    a, b = _sentence(text, target.start, target.end)
    out = set()
    for m in mentions:
        c = m.chosen
        if m is target or c is None or not c.country or not (a <= m.start and m.end <= b):
            continue
        if m.metonymy and not m.demonym:
            continue
        out.add(c.country)
    return out


#: The words between a name and the place it is said to be in ("X in Y", "X, Y", "X at Y").
_LOCATED_IN = re.compile(r"\s*(?:,|\b(?:in|at|near|outside)\b)\s*(?:the\s+)?")


def nearby(mentions: Sequence[NameMention], target: NameMention, text: str = "") -> Candidate | None:
    """The city or site named nearest to ``target`` (within ``NEAR_CHARS``), literal uses only.

    A street or a school the gazetteer lacks is most likely in the town named next to it
    ("on Royal Street in the French Quarter of New Orleans"). Places in its own sentence come
    first; a place in another country than the one its sentence names is skipped ("flew to
    Russia's Khmeimim air base on the Syrian coast. There, Assad headed to Moscow").
    """
    within = sentence_countries(mentions, target, text) if text else set()
    a, b = _sentence(text, target.start, target.end) if text else (target.start, target.end)
    # States the article names: a small town outside all of them is a doubtful anchor
    # ("Franklin" in a Louisiana story is a street, not Franklin, Tennessee).
    states: dict[str, set[str | None]] = defaultdict(set)
    for m in mentions:
        c = m.chosen
        if c is not None and c.feature == "region" and c.country and c.admin1 and not m.metonymy:
            states[c.country].add(c.admin1)
    best: tuple[tuple[bool, bool, int], Candidate] | None = None
    for m in mentions:
        c = m.chosen
        if m is target or c is None or m.metonymy or c.feature not in ("city", "site"):
            continue
        if within and c.country not in within:
            continue
        if c.country in states and c.admin1 not in states[c.country] and c.population < _SMALL_TOWN:
            continue
        gap = target.start - m.end if m.end <= target.start else m.start - target.end
        if gap < 0 or gap > NEAR_CHARS:
            continue
        # "Le Bernardin in New York", "Sloss Furnaces, Birmingham": the place the name is said
        # to be in comes first.
        inside = m.start >= target.end and _LOCATED_IN.fullmatch(text[target.end : m.start]) is not None
        key = (not inside, not (a <= m.start and m.end <= b), gap)
        if best is None or key < best[0]:
            best = (key, c)
    return best[1] if best is not None else None


def embedded(
    gaz: Gazetteer, mentions: Sequence[NameMention], target: NameMention, text: str, heads: frozenset[str]
) -> Candidate | None:
    """The town a site the gazetteer lacks is named after ("Tartus naval base", "Incheon
    airport"): the name is a city followed by a site word (``heads``); a city in a country
    its sentence names, or failing that the article's countries, is preferred."""
    words = norm(target.text).split()
    within = sentence_countries(mentions, target, text)
    article = {m.chosen.country for m in mentions if m.chosen is not None and m.chosen.country}
    for n in range(len(words) - 1, 0, -1):
        if " ".join(words[n:]) not in heads:
            continue
        cands = [
            c
            for c in gaz.lookup_key(" ".join(words[:n]))
            if c.feature == "city" and c.kind not in (KIND_ALT, KIND_DEMONYM)
        ]
        if within:
            cands = [c for c in cands if c.country in within]
        if cands:
            return max(cands, key=lambda c: prior(c) + (2.0 if c.country in article else 0.0))
    return None


#: Longest name (in words) searched for the place it is named after (the search is quadratic).
MAX_NAME_WORDS = 8
#: Words inside a name that are no places of their own ("Bank of America" is no bank in the US).
_NOT_EMBEDDED = frozenset({"america", "americas"})


def named_after(
    gaz: Gazetteer,
    target: NameMention,
    article: set[str] | None = None,
    *,
    demonym: bool = False,
    heads: frozenset[str] = frozenset(),
) -> Candidate | None:
    """The country, continent or region a name the gazetteer lacks is named after: the place
    after its last "of" ("Bank of Japan", "University of California", "Council of Europe"),
    else a country or continent inside it ("US Federal Reserve", "Nazi Germany"). With
    ``demonym``, the country of a first-word demonym ("European Central Bank"), weaker
    evidence ("Russian Embassy", "British International School" are abroad), for when no
    place is named near the name; not when the name ends in a place word (``heads``: "French
    Quarter" is a district, not France). An institution named after a place is, approximately,
    there; a town in the name is left to ``nearby`` ("Washington University in St. Louis")."""
    words = target.text.split()
    if not 2 <= len(words) <= MAX_NAME_WORDS:
        return None  # one word has nothing inside it; a run-on span is no institution's name
    if demonym:
        if norm(words[-1]) in heads:
            return None
        cands = [c for c in gaz.lookup(words[0]) if c.kind == KIND_DEMONYM]
        return max(cands, key=prior) if cands else None
    low = [w.lower() for w in words]
    if "of" in low[:-1]:
        tail = " ".join(words[len(low) - low[::-1].index("of") :])
        if norm(tail) not in _NOT_EMBEDDED:
            cands = [
                c
                for c in candidates_for(gaz, tail)
                if c.kind not in (KIND_ALT, KIND_DEMONYM)
                and (c.feature in ("country", "continent", "region") or c.population >= 100_000)
            ]
            if cands:
                return max(cands, key=lambda c: prior(c) + (2.0 if article and c.country in article else 0.0))
    for n in range(len(words) - 1, 0, -1):
        for i in range(len(words) - n + 1):
            part = " ".join(words[i : i + n]).strip(",.;:'’")
            if not part[:1].isupper() or norm(part) in _NOT_EMBEDDED:
                continue
            cands = [
                c
                for c in gaz.lookup(part)
                if c.feature in ("country", "continent")
                and (c.kind == KIND_NAME or (c.kind == KIND_ALIAS and part.replace(".", "").isupper()))
            ]
            if cands:
                return max(cands, key=prior)
    return None


def focus(mentions: Sequence[NameMention]) -> Candidate | None:
    """The article's most-mentioned specific place (city, site or region), else its main country.

    Metonymic mentions ("the Kremlin said") do not count: they name an actor, not where the
    article happens.
    """
    specific: Counter[int] = Counter()
    broad: Counter[int] = Counter()
    by_rid: dict[int, Candidate] = {}
    for m in mentions:
        c = m.chosen
        if c is None or m.metonymy:
            continue
        by_rid[c.rid] = c
        if c.feature in ("city", "site") or (c.feature == "region" and c.country):
            specific[c.rid] += 1
        elif c.feature == "country":
            broad[c.rid] += 1
    for counts in (specific, broad):
        if counts:
            return by_rid[counts.most_common(1)[0][0]]
    return None
