"""The places stage: offline geoparsing (recognise place names, resolve them, flag metonymy).

1. Recognition: spaCy GPE/LOC/FAC entities from ``article.doc`` and place-typed entities from
   ``article.entities`` (the entities stage may retype "Khmeimim air base" as FAC), ORG/PERSON/
   NORP entities whose text is a curated site, country, region or demonym, and a gazetteer scan
   of capitalised tokens the NER missed (strict: only countries, regions, curated sites and
   cities of 50,000+ people, no stop words, no sentence-initial single words).
2. Resolution against the offline gazetteer (``gazetteer.py``), with article context
   (``resolve.py``).
3. Metonymy: a place that is the subject of a speech/decision verb, the possessor of a
   response/decision noun, a modifier of "sources"/"officials", a seat of power not governed by
   a locative preposition, or a demonym, gets ``metonymy=True``.

One ``Place`` per distinct gazetteer record (unresolved names: per distinct name), with all its
mentions. Cost: a few dictionary/SQLite look-ups per capitalised token; spaCy is never re-run.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ...model import Article, Mention, Place
from ...pipeline import BaseStage
from .gazetteer import (
    KIND_ALT,
    KIND_DEMONYM,
    Candidate,
    Gazetteer,
    default_gazetteer,
    distance_km,
    norm,
)
from .lexicon import Lexicon, lexicon
from .resolve import (
    NameMention,
    candidates_for,
    embedded,
    focus,
    named_after,
    nearby,
    prior,
    resolve,
    sentence_countries,
)

__all__ = ["Candidate", "Gazetteer", "PlacesStage", "distance_km", "make_stage", "resolve_spans"]

PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
#: Entity labels under which the gazetteer scan must not look for places (names of people,
#: organisations, works, ...). Place-like labels are handled above.
BLOCKING_LABELS = frozenset({"PERSON", "ORG", "WORK_OF_ART", "EVENT", "PRODUCT", "LAW", "LANGUAGE"})
_CONNECTORS = frozenset({"of", "de", "del", "la", "le", "al", "el", "du", "da", "do", "upon", "on", "-"})
_MAX_NGRAM = 5


class PlacesStage(BaseStage):
    """Fills ``article.places``; see the module docstring."""

    requires = ("doc",)
    provides = ("places",)

    def __init__(
        self,
        *,
        scan: bool = True,
        demonyms: bool = True,
        scan_min_population: int = 50_000,
        focus_fallback: bool = True,
        gazetteer: Gazetteer | None = None,
    ) -> None:
        self.scan = scan
        self.focus_fallback = focus_fallback
        self.demonyms = demonyms
        self.scan_min_population = scan_min_population
        self.gaz = gazetteer or default_gazetteer()
        self.lex = lexicon()

    def __call__(self, article: Article) -> Article:
        doc = article.doc
        if doc is None or not article.text:
            return article
        mentions = self.recognise(article, doc)
        resolve(mentions, article.text)
        for m in mentions:
            m.metonymy = metonymic(doc, m, self.lex)
        article.places = build_places(
            article, doc, mentions, self.lex, fallback=self.focus_fallback, gazetteer=self.gaz
        )
        return article

    # ------------------------------------------------------------------ recognition

    def recognise(self, article: Article, doc: Any) -> list[NameMention]:
        found: dict[tuple[int, int], NameMention] = {}
        blocked: list[tuple[int, int]] = []
        claimed = _Coverage([])

        def add(start: int, end: int, cands: tuple[Candidate, ...] | None = None, label: str = "") -> None:
            start, end = _trim(article.text, start, end)
            if end <= start or article.in_removed(start, end):
                return
            if claimed.hit(start, end):
                return  # overlapping spans: the first source (NER) wins
            text = article.text[start:end]
            if cands is None:
                cands = candidates_for(self.gaz, text)
            demonym = bool(cands) and all(c.kind == KIND_DEMONYM for c in cands)
            if demonym and not self.demonyms:
                return
            claimed.add(start, end)
            found[(start, end)] = NameMention(
                start, end, text, demonym=demonym, candidates=cands, label=label
            )

        # Entities from the entities stage first: it may have retyped or merged spans.
        for ent in article.entities:
            for m in ent.mentions:
                if ent.type in PLACE_LABELS:
                    add(m.start, m.end, label=ent.type)
                elif ent.type in BLOCKING_LABELS:
                    blocked.append((m.start, m.end))
        for ent in doc.ents:
            start, end = ent.start_char, ent.end_char
            site = self._site_extension(doc, ent)
            if site is not None:  # "Tartus naval base" (NER saw only "Tartus", maybe as ORG)
                add(start, site[0], site[1], label="FAC")
                continue
            if ent.label_ in PLACE_LABELS:
                add(start, end, label=ent.label_)
                continue
            cands = candidates_for(self.gaz, ent.text)
            if self._accept_other(ent.label_, cands):
                add(start, end, cands, label=ent.label_)
            elif ent.label_ in BLOCKING_LABELS or ent.label_ == "NORP":
                blocked.append((start, end))
        if self.scan:
            self._scan(article, doc, found, blocked, add)
            self._propagate(article, doc, found, add)
        # A name is a place only where it is used as one in its sentence (see ``_place_here``).
        people = {norm(e.text) for e in doc.ents if e.label_ == "PERSON"}
        people |= {norm(m.text) for e in article.entities if e.type == "PERSON" for m in e.mentions}
        people |= {w for p in people for w in p.split()}
        times = [(e.start_char, e.end_char) for e in doc.ents if e.label_ in ("DATE", "TIME")]
        return sorted(
            (m for m in found.values() if self._place_here(article.text, doc, m, people, times)),
            key=lambda m: m.start,
        )

    def _place_here(
        self, text: str, doc: Any, m: NameMention, people: set[str], times: list[tuple[int, int]]
    ) -> bool:
        """Whether the name is used as a place in its sentence.

        Not a place: part of a time expression ("Korea time", "11 p.m. PDT"); after an
        honorific ("Mr. Heiden"); a person's name in this article, the subject of a speech
        verb, unless governed by "in/at/near..."; a single word after
        "the" that only names towns ("the Centre", "the Union"); an abbreviation or a word that
        only matches a GeoNames alternate name, unless governed by "in/at/near..."; a demonym
        that modifies nothing (a language: "studying Portuguese"). A name the gazetteer lacks
        stays only when it looks like a place: NER typed it FAC/LOC/GPE and it ends in a place
        word ("Royal Street") or is governed by "in/at/near...".
        """
        lex = self.lex
        if any(s < m.end and m.start < e and (s < m.start or e > m.end) for s, e in times):
            return False  # inside a longer time expression ("11:11pm PDT"; "Manbij" alone as DATE is a slip)
        after = text[m.end : m.end + 30].split()
        if after and after[0].lower().strip(".,;:)") in lex.time_words:
            return False
        span = doc.char_span(m.start, m.end, alignment_mode="expand")
        if span is None or len(span) == 0:
            return False
        root = span.root
        while root.dep_ == "conj" and root.head is not root:
            root = root.head
        prev = doc[span.start - 1] if span.start > 0 else None
        if prev is not None and prev.text in lex.honorifics:
            return False
        locative = root.dep_ == "pobj" and (
            root.head.lower_ in lex.strong_preps
            # "the city of Douma", "the outskirts of Afrin"
            or (root.head.lower_ == "of" and root.head.head.lower_ in lex.place_nouns)
        )
        key = norm(m.text)
        single = " " not in key
        cands = m.candidates
        if not cands:
            return self._unknown_is_place(m, key, locative)
        strong = [c for c in cands if c.kind != KIND_ALT]
        towns_only = all(c.feature == "city" for c in cands)
        small_town = towns_only and not any(c.capital or c.population >= 200_000 for c in cands)
        if not m.text[:1].isupper():
            return False  # "tina", "veranda": a common word
        if m.demonym:
            # A language, not a people or a country: "studying Portuguese", "printed in Chinese",
            # "English is the main language" (a singular demonym standing alone).
            before = prev.lower_ if prev is not None else ""
            if before in lex.language_verbs or (
                prev is not None and prev.lemma_.lower() in lex.language_verbs
            ):
                return False
            modifies = root.dep_ in ("amod", "compound", "nmod", "npadvmod", "acomp")
            quantified = before in ("many", "most", "some", "few", "all", "the", "other", "fellow")
            return modifies or m.text.endswith("s") or quantified
        broad = any(c.feature in ("country", "region", "continent", "site") for c in strong)
        prominent = broad or any(c.capital or c.population >= 1_000_000 for c in strong)
        if key in people and not locative and not prominent:
            return False  # "differentiate herself from Obama" in an article about Barack Obama
        if locative:
            return True
        if not strong and max(c.population for c in cands) < 20_000:
            return False  # only an alternate name of a village ("Salah", "AI")
        head = root.dep_ not in ("compound", "amod", "nmod", "npadvmod")
        if single and towns_only and head and text[max(0, m.start - 4) : m.start].lower() == "the ":
            return False  # "the Centre", "the Union": a common noun, not a town
        if _abbreviation(m.text) and not broad:
            return False  # "MoD", "AI", "BOV"
        speaker = root.dep_ in ("nsubj", "dobj") and root.head.lemma_.lower() in lex.speech_verbs
        return not (small_town and single and speaker)  # "said Noma": a person

    def _unknown_is_place(self, m: NameMention, key: str, locative: bool) -> bool:
        if m.label not in PLACE_LABELS or not m.text[:1].isupper() or _abbreviation(m.text):
            return False
        if not any(ch.isalpha() for ch in m.text) or any(ch.isdigit() for ch in m.text):
            return False
        words = key.split()
        if any(w in self.lex.place_heads for w in words[1:]):
            return True  # "Royal Street", "Lincoln High School", "Lake Borgne"
        return locative and m.label in ("FAC", "LOC")

    def _site_extension(self, doc: Any, ent: Any) -> tuple[int, tuple[Candidate, ...]] | None:
        """The end and candidates of 'NAME + site word' when that longer name is a curated site."""
        if ent.label_ not in PLACE_LABELS and ent.label_ not in ("ORG", "PERSON", "NORP"):
            return None
        after = doc[ent.end].lower_ if ent.end < len(doc) else None
        for head in self.lex.site_heads:
            if head and head[0] != after:
                continue  # the word after the name does not start this head
            stop = ent.end + len(head)
            if stop > len(doc):
                continue
            if tuple(t.lower_ for t in doc[ent.end : stop]) != head:
                continue
            end = doc[stop - 1].idx + len(doc[stop - 1].text)
            cands = self.gaz.lookup(doc.text[ent.start_char : end])
            sites = tuple(c for c in cands if c.feature == "site")
            if sites:
                return end, sites
        return None

    def _accept_other(self, label: str, cands: tuple[Candidate, ...]) -> bool:
        """Whether a non-place entity (ORG, PERSON, NORP) is a place after all."""
        if not cands:
            return False
        strong = [c for c in cands if c.kind != KIND_ALT]
        if label == "NORP":
            return any(c.kind == KIND_DEMONYM for c in strong)
        if label == "ORG":  # "the Kremlin", "the Pentagon", "EU"
            return any(c.feature in ("site", "country", "continent") for c in strong)
        if label == "PERSON":  # "Khmeimim" tagged as a person: only curated sites
            return any(c.feature == "site" for c in strong)
        return False

    def _scan(self, article: Article, doc: Any, found: dict, blocked: list, add: Any) -> None:
        """Gazetteer matching over capitalised tokens that no entity covers."""
        taken = sorted([*found, *blocked])
        covered = _Coverage(taken)
        n = len(doc)
        i = 0
        stop = self.lex.stopwords
        while i < n:
            tok = doc[i]
            if not _capitalised(tok.text) or covered.hit(tok.idx, tok.idx + len(tok.text)):
                i += 1
                continue
            # Longest run of capitalised words (with connectors) starting here.
            j = i
            last_cap = i
            while j + 1 < n and j + 1 - i < _MAX_NGRAM:
                nxt = doc[j + 1]
                if nxt.is_sent_start or "\n" in nxt.text:
                    break
                if _capitalised(nxt.text):
                    last_cap = j + 1
                elif nxt.lower_ not in _CONNECTORS:
                    break
                j += 1
            matched = False
            for k in range(last_cap, i - 1, -1):
                if not _capitalised(doc[k].text):
                    continue
                start, end = tok.idx, doc[k].idx + len(doc[k].text)
                if covered.hit(start, end):
                    continue
                key = norm(article.text[start:end])
                if key in stop or len(key) < 3:
                    continue
                cands = self.gaz.lookup_key(key)
                if not cands or not self._accept_scan(cands, single=k == i, initial=tok.is_sent_start):
                    continue
                add(start, end, cands, label="SCAN")
                covered.add(start, end)
                i = k + 1
                matched = True
                break
            if not matched:
                i += 1

    def _propagate(self, article: Article, doc: Any, found: dict, add: Any) -> None:
        """Tag the other occurrences of a name already recognised as a place in this article.

        The small NER model tags "Kyiv" once and "Kiev" as a person; a sentence-initial
        "Kyiv" is skipped by the scan. A name the article uses as a place elsewhere is a place
        here too, unless it sits inside a longer name ("Paris Hilton", "Washington Post").
        """
        keys = {norm(m.text) for m in found.values() if m.candidates and " " not in norm(m.text)}
        keys.discard("")
        # Records those names most likely mean: "Kiev" joins an article's "Kyiv".
        rids = {max(m.candidates, key=prior).rid for m in found.values() if m.candidates}
        if not keys:
            return
        longer = [(e.start_char, e.end_char) for e in doc.ents if len(e) > 1]
        longer += [(m.start, m.end) for m in found.values()]
        covered = _Coverage(longer)
        for tok in doc:
            if not _capitalised(tok.text):
                continue
            start, end = tok.idx, tok.idx + len(tok.text)
            if covered.hit(start, end):
                continue
            key = norm(tok.text)
            if key in self.lex.stopwords:
                continue
            if key in keys or any(c.rid in rids for c in self.gaz.lookup_key(key)):
                add(start, end, label="PROPAGATED")
                covered.add(start, end)

    def _accept_scan(self, cands: tuple[Candidate, ...], *, single: bool, initial: bool) -> bool:
        strong = [c for c in cands if c.kind != KIND_ALT]
        if not strong:
            return False
        if any(c.kind == KIND_DEMONYM for c in strong):
            return self.demonyms and not initial
        if any(c.feature in ("country", "continent", "site") for c in strong):
            return True
        if single and initial:
            return False
        if any(c.feature == "region" and (c.population >= 500_000 or not c.population) for c in strong):
            return True
        return any(c.feature == "city" and c.population >= self.scan_min_population for c in strong)


class _Coverage:
    """Character ranges already claimed, bucketed by position so that a look-up only scans the
    ranges near it (a 10,000-word text without punctuation has thousands of names)."""

    _BUCKET = 64

    def __init__(self, ranges: list[tuple[int, int]]) -> None:
        self.buckets: dict[int, list[tuple[int, int]]] = {}
        for start, end in ranges:
            self.add(start, end)

    def _keys(self, start: int, end: int) -> range:
        return range(start // self._BUCKET, max(start, end - 1) // self._BUCKET + 1)

    def hit(self, start: int, end: int) -> bool:
        for key in self._keys(start, end):
            for s, e in self.buckets.get(key, ()):
                if s < end and start < e:
                    return True
        return False

    def add(self, start: int, end: int) -> None:
        for key in self._keys(start, end):
            self.buckets.setdefault(key, []).append((start, end))


def _abbreviation(text: str) -> bool:
    """ "MoD", "AI", "P.A.", "BOV": short, mostly capital letters."""
    letters = [c for c in text if c.isalpha()]
    if not letters or len(letters) > 5 or " " in text.strip():
        return False
    upper = sum(c.isupper() for c in letters)
    return upper >= 2 and upper >= len(letters) - 1


def _capitalised(word: str) -> bool:
    return len(word) > 1 and word[0].isupper() and any(c.isalpha() for c in word[1:])


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop a leading 'the ' and a trailing possessive from a name span."""
    span = text[start:end]
    if span[:4].lower() == "the " and end - start > 4:
        start += 4
    if text[max(start, end - 2) : end] in ("'s", "’s"):
        end -= 2
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


# ---------------------------------------------------------------------- metonymy and output


def metonymic(doc: Any, m: NameMention, lex: Lexicon) -> bool:
    """Whether the mention stands for an actor (government, institution) rather than a location."""
    if m.demonym:
        return True
    span = doc.char_span(m.start, m.end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return False
    root = span.root
    while root.dep_ == "conj" and root.head is not root:  # "Russia and Iran said"
        root = root.head
    head = root.head
    dep = root.dep_
    if dep == "pobj" and head.lower_ in lex.locative_preps:
        return False
    if dep in ("nsubj", "csubj") and head.lemma_.lower() in lex.agent_verbs:
        return True
    if dep == "pobj" and head.lower_ == "by" and head.head.lemma_.lower() in lex.agent_verbs:
        return True
    if dep == "poss" and head.lower_ not in lex.literal_possessed:
        return True
    if dep in ("compound", "amod", "nmod") and head.lower_ in lex.actor_nouns:
        return True
    chosen = m.chosen
    if chosen is not None and chosen.gazetteer_id in lex.seat_sites:
        # A seat of power not used as a location ("the Kremlin", "Kremlin sources").
        return dep in ("nsubj", "nsubjpass", "poss", "compound", "agent", "appos", "ROOT") or (
            dep == "pobj" and head.lower_ in ("by", "according", "of", "with", "for")
        )
    return False


def build_places(
    article: Article,
    doc: Any,
    mentions: Sequence[NameMention],
    lex: Lexicon,
    *,
    fallback: bool = False,
    gazetteer: Gazetteer | None = None,
) -> list[Place]:
    """Group mentions by resolved record (or by name when unresolved) into ``Place`` facts.

    With ``fallback``, a name the gazetteer lacks (kept only when it looks like a place: see
    ``_place_here``) is located approximately: at the city or site named nearest to it
    (``located_by="nearby"``; or at the town its name starts with, "Tartus naval base"), else
    at the article's focus place (``located_by="focus"``),
    with coordinates rounded to 0.01 degree. Metonymic mentions count for neither.
    """
    entity_at = _entity_index(article)
    places: dict[str, Place] = {}
    guess = focus(mentions) if fallback else None
    countries = {m.chosen.country for m in mentions if m.chosen is not None and m.chosen.country}
    for m in mentions:
        c = m.chosen
        key = c.gazetteer_id if c is not None else "unresolved:" + norm(m.text)
        place = places.get(key)
        if place is None:
            place = Place(id=f"P{len(places) + 1}", name=c.name if c is not None else m.text)
            if c is not None:
                place.lat, place.lon = round(c.lat, 5), round(c.lon, 5)
                place.country, place.feature = c.country, c.feature
                place.gazetteer_id, place.located_by = c.gazetteer_id, "gazetteer"
            places[key] = place
        if c is None and fallback and not m.demonym and place.located_by is None:
            heads = frozenset(" ".join(h) for h in lex.site_heads)
            town = (
                embedded(gazetteer, mentions, m, article.text, heads) or named_after(gazetteer, m, countries)
                if gazetteer is not None
                else None
            )
            near = town or nearby(mentions, m, article.text)
            if near is None and gazetteer is not None:
                near = named_after(gazetteer, m, countries, demonym=True, heads=lex.place_heads)
            where, how = (near, "nearby") if near is not None else (guess, "focus")
            within = sentence_countries(mentions, m, article.text)
            if where is not None and within and where.country not in within:
                where = None  # the focus lies in another country than the sentence names
            if where is not None:
                place.lat, place.lon = round(where.lat, 2), round(where.lon, 2)
                place.country, place.located_by = where.country, how
        place.mentions.append(Mention(m.start, m.end, m.text, metonymy=m.metonymy))
        if place.entity is None:
            place.entity = _find_entity(entity_at, m.start, m.end)
    return list(places.values())


def _entity_index(article: Article) -> list[tuple[int, int, str]]:
    return sorted((m.start, m.end, e.id) for e in article.entities for m in e.mentions)


def _find_entity(index: list[tuple[int, int, str]], start: int, end: int) -> str | None:
    for s, e, eid in index:
        if s < end and start < e:
            return eid
    return None


# ---------------------------------------------------------------------- names-given resolution


def resolve_spans(
    article: Article,
    spans: Iterable[tuple[int, int]],
    gazetteer: Gazetteer | None = None,
    *,
    fallback: bool = False,
) -> list[Candidate | None]:
    """Resolve given name spans (the names-given evaluation setting), in the given order.

    The spans are each other's context, as recognised mentions are in the stage. With
    ``fallback``, a name the gazetteer lacks (a street, a school) gets the city or site
    named nearest to it (within 400 characters), else the article's focus place (its
    most-mentioned city, site or region), instead of None, as a geoparser that must answer
    for every toponym would.
    """
    gaz = gazetteer or default_gazetteer()
    given = list(spans)
    n = len(article.text)
    # Spans outside the text (or empty) cannot be resolved: they stay None.
    order = sorted((i for i, (a, b) in enumerate(given) if 0 <= a < b <= n), key=lambda i: given[i])
    mentions = []
    for i in order:
        start, end = _trim(article.text, *given[i])
        text = article.text[start:end]
        cands = candidates_for(gaz, text) if text else ()
        demonym = bool(cands) and all(c.kind == KIND_DEMONYM for c in cands)
        mentions.append(NameMention(start, end, text, demonym=demonym, candidates=cands))
    resolve(mentions, article.text)
    guess = focus(mentions) if fallback else None
    heads = frozenset(" ".join(h) for h in lexicon().site_heads)
    countries = {m.chosen.country for m in mentions if m.chosen is not None and m.chosen.country}
    out: list[Candidate | None] = [None] * len(given)
    for i, m in zip(order, mentions, strict=True):
        out[i] = m.chosen
        if m.chosen is None and fallback:
            town = embedded(gaz, mentions, m, article.text, heads) or named_after(gaz, m, countries)
            out[i] = (
                town
                or nearby(mentions, m, article.text)
                or named_after(gaz, m, countries, demonym=True, heads=lexicon().place_heads)
                or guess
            )
    return out


def make_stage(
    scan: bool = True, demonyms: bool = True, scan_min_population: int = 50_000, focus_fallback: bool = True
) -> PlacesStage:
    return PlacesStage(
        scan=scan, demonyms=demonyms, scan_min_population=scan_min_population, focus_fallback=focus_fallback
    )
