"""Turn tagged role segments into ``Attribution`` records.

Steps, all linear (or small-quadratic in the number of attributions per article):

1. pair each content and source segment with the nearest cue in its paragraph
   (sources must share the cue's sentence; contents may run over sentences);
   a cue left without content takes its clausal complement from the parse;
2. a quotation paragraph with no cue continues the previous attribution;
3. source-less hedged claims ("reportedly", "it is believed", "is said to")
   from the hedge lexicons become ``unattributed`` attributions;
4. type each source (person / organisation / anonymous / publication /
   unattributed), link it to ``article.entities`` by offset overlap, resolve
   pronouns to a named person (recency, main-clause subjects and earlier
   sources preferred, gender agreement), find the relay ("told Bloomberg
   News"), the hedge, the kind, and the parent of nested attributions.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ...model import Article, Attribution, Reference, Relay, Source, Span
from .features import Table
from .lexicons import Lexicons
from .tagger import Segment

QUOTE_CHARS = '"“”‘’«»'
OPENING = '"“‘«'
EDGE_PUNCT = " \t\r\n,;:—–-"
HYPHENS = frozenset({"-", "‐", "–"})
CONTROLLED_TAGS = frozenset({"VBG", "VB", "VBN"})
SUBORDINATE_DEPS = frozenset({"ccomp", "xcomp", "advcl", "relcl", "acl", "pcomp"})
SAME_SENTENCE_PENALTY = 40
MAX_SOURCE_GAP = 12
MAX_SOURCE_TOKENS = 24
MIN_CONTENT_WORDS = 2  # an unquoted claim needs at least this many words
NOMINAL_POS = frozenset({"NOUN", "PROPN", "PRON", "NUM"})
MAX_COLON_PREFIX = 6  # words a speaker before a colon may have ("Bernie Sanders:")
MAX_MERGE_GAP = 4  # untagged tokens allowed inside one content fragment
MAX_NEST_GAP = 30  # tokens of a nested attribution allowed inside one content fragment
SNAP_DEPS = frozenset({"ccomp", "xcomp", "dobj"})
OBJECT_DEPS = frozenset({"dobj", "prep", "oprd", "xcomp", "dative"})
CONTENT_DEPS = ("ccomp", "xcomp", "dobj", "advcl", "prep", "attr", "parataxis")


@dataclass
class Draft:
    """An attribution being built: token ranges for its roles."""

    cue: Segment | None
    source: Segment | None = None
    contents: list[Segment] = field(default_factory=list)
    unattributed_hedge: str | None = None
    copied_source: Source | None = None


@dataclass
class Mention:
    start: int
    end: int
    entity: str
    etype: str
    gender: str | None


class Assembler:
    """Builds attributions for one article from its doc and tagged segments."""

    def __init__(self, article: Article, doc: Any, lex: Lexicons, tab: Table) -> None:
        self.article = article
        self.doc = doc
        self.lex = lex
        self.tab = tab
        self.sent_of = [0] * tab.n
        n = 0
        for k in range(tab.n):
            if tab.sent_start[k] and k:
                n += 1
            self.sent_of[k] = n
        self.mentions = self._mentions()
        self.snap = True
        self.rules = True
        self.mention_starts = [m.start for m in self.mentions]
        # pronouns and descriptions the entities stage resolved, by character span
        self.references = {(r.start, r.end): r for r in article.references}
        self._people: dict[str, str] | None = None  # see _person_names

    # -- spans --------------------------------------------------------------------------------

    def char_span(self, i: int, j: int, strip: str = EDGE_PUNCT) -> tuple[int, int] | None:
        """Character range of tokens ``[i, j)`` with edge whitespace/punctuation trimmed."""
        if i >= j:
            return None
        start = self.doc[i].idx
        last = self.doc[j - 1]
        end = last.idx + len(last.text)
        text = self.article.text
        while start < end and text[start] in strip:
            start += 1
        while end > start and text[end - 1] in strip:
            end -= 1
        return (start, end) if start < end else None

    def span(self, rng: tuple[int, int]) -> Span:
        return self.article.span(rng[0], rng[1])

    # -- pairing ------------------------------------------------------------------------------

    def drafts(self, segs: list[Segment]) -> list[Draft]:
        by_para: dict[int, list[Segment]] = {}
        for s in segs:
            by_para.setdefault(s.para, []).append(s)
        out: list[Draft] = []
        prev: Draft | None = None
        for para in sorted(by_para):
            items = by_para[para]
            cues = [s for s in items if s.role == "CUE"]
            drafts = [Draft(cue=c) for c in cues]
            for s in items:
                if s.role == "CUE":
                    continue
                best, best_d = None, 10**9
                for d in drafts:
                    c = d.cue
                    assert c is not None
                    gap = max(c.i - s.j, s.i - c.j, 0)
                    if self.sent_of[c.i] != self.sent_of[min(s.i, len(self.doc) - 1)]:
                        if s.role == "SRC":
                            continue
                        gap += SAME_SENTENCE_PENALTY
                    if gap < best_d:
                        best, best_d = d, gap
                if best is None:
                    if s.role == "CON" and prev is not None and self._continues(prev, s):
                        prev.contents.append(s)
                    continue
                if s.role == "SRC":
                    if best_d > MAX_SOURCE_GAP or not self._nominal(s):
                        continue  # too far, or no noun or pronoun in it ("said", "and"): a tagger slip
                    if best.source is None or self._closer(s, best.source, best.cue):
                        best.source = s
                else:
                    best.contents.append(s)
            roles = {k: s.role for s in items for k in range(s.i, s.j)}
            # A cue that cannot introduce a claim takes its segments with it: nothing
            # else in the paragraph is asked to adopt them ("sparking a sell-off").
            drafts = [d for d in drafts if d.cue is None or self.cue_ok(d.cue)]
            for d in drafts:
                own = set(range(d.cue.i, d.cue.j)) if d.cue is not None else set()
                if d.source is not None:
                    own.update(range(d.source.i, d.source.j))
                d.contents = self._merge(sorted(d.contents, key=lambda s: s.i), roles, own)
                if d.source is None:
                    d.source, unsure = self._dep_source(d.cue)
                    if unsure or (d.source is not None and not self.agentive(d.source)):
                        continue  # "the talks ... declined": the parse cannot say who spoke
                    if d.source is not None and d.cue is not None:
                        src = d.source
                        clash = [c for c in d.contents if c.i < src.j and src.i < c.j]
                        # A "content" fragment that is just the cue verb's subject before
                        # the cue is the source the tagger mislabelled; any other clash wins.
                        before = d.cue.i
                        if clash and not all(src.i <= c.i and c.j <= min(src.j + 1, before) for c in clash):
                            d.source = None
                        elif clash:
                            d.contents = [c for c in d.contents if c not in clash]
                if d.source is not None:
                    src = self._trim_according(d, d.source)
                    d.source = src
                    d.contents = [c for c in d.contents if not (c.i < src.j and src.i < c.j)]
                d.contents = [c for c in d.contents if not self._separate_clause(d.cue, c.i, c.j)]
                if not d.contents:
                    d.contents = self._dep_content(d.cue, d.source)
                elif self.snap:
                    d.contents = self._snap(d)
                if d.contents and not self._claim_object_ok(d):
                    continue  # "European leaders agree new sanctions": an act, not a claim
                self._tidy_edges(d)
                if d.contents:
                    d.contents.sort(key=lambda s: s.i)
                    out.append(d)
                    prev = d
        return out

    def _nominal(self, seg: Segment) -> bool:
        """Does the segment hold a noun, a name, a pronoun or a number (anything that can speak)?"""
        return any(self.tab.pos[k] in NOMINAL_POS for k in range(seg.i, seg.j))

    def cue_ok(self, cue: Segment) -> bool:
        """Can these words introduce a claim? Noun phrases and word fragments cannot.

        Refused: a cue that starts with a determiner or a possessive ("a probe", "'s
        alleged ties to", "the talks"); a cue whose words are all inside hyphenated
        compounds ("sell" of "sell-off"); a cue with no verb and no word the cue lexicon
        knows as a cue ("footage", "such as").
        """
        tab = self.tab
        if tab.tag[cue.i] in ("DT", "POS", "PRP$") or tab.lower[cue.i] in ("'s", "’s"):
            return False
        words = [k for k in range(cue.i, cue.j) if not tab.space[k] and tab.pos[k] != "PUNCT"]
        if not words or all(self._in_compound(k) for k in words):
            return False
        return any(
            tab.pos[k] in ("VERB", "AUX") or tab.bucket[k] != "no" for k in words if not self._in_compound(k)
        )

    def _in_compound(self, k: int) -> bool:
        """True for a word glued by a hyphen to the next or previous word ("sell" in "sell-off")."""
        tab, doc = self.tab, self.doc
        after = k + 1 < tab.n and tab.text[k + 1] in HYPHENS and not doc[k].whitespace_
        before = k > 0 and tab.text[k - 1] in HYPHENS and not doc[k - 1].whitespace_
        return after or before

    def _merge(self, contents: list[Segment], roles: dict[int, str], own: set[int]) -> list[Segment]:
        """Join content fragments of one attribution that are split by a few untagged tokens, or
        by another attribution's cue (which is then nested inside this content).

        Fragments split by this attribution's own cue or source stay apart (discontiguous
        content: "“...,” he said, “...”").
        """
        out: list[Segment] = []
        tab = self.tab
        for seg in contents:
            if out:
                last = out[-1]
                gap = range(last.j, seg.i)
                tagged = [k for k in gap if k in roles]
                mergeable = (len(gap) <= MAX_MERGE_GAP and not tagged) or (
                    len(gap) <= MAX_NEST_GAP
                    and not any(k in own for k in gap)
                    and any(roles[k] == "CUE" for k in tagged)
                    and not any(roles[k] == "CUE" and self._sibling_cue(k, own) for k in tagged)
                )
                if mergeable and not any(tab.space[k] and "\n" in tab.text[k] for k in gap):
                    last.j = max(last.j, seg.j)
                    continue
            out.append(Segment(seg.role, seg.i, seg.j, seg.para))
        return out

    def _parenthetical(self, cue: Segment | None) -> Any:
        """The clause a parenthetical cue ("..., the ministry said, ...") hangs on, else None."""
        if cue is None:
            return None
        head = self._head(cue.i, cue.j)
        scope = head.head
        if scope.i < head.i and (head.dep_ == "parataxis" or head.dep_ in ("advcl", "ccomp")):
            return scope
        return None

    def _separate_clause(self, cue: Segment | None, i: int, j: int) -> bool:
        """Is ``[i, j)`` a clause of its own after a parenthetical cue?

        In "Rebels shelled the town, the ministry said, while the army accused them of ..."
        the ministry reports the shelling; the "while" clause, with a subject and a
        conjunction of its own, is the writer's.
        """
        if cue is None or i < cue.j:
            return False
        root = self.doc[i:j].root
        own_subject = any(c.dep_ in ("nsubj", "nsubjpass") for c in root.children)
        if not own_subject or root.dep_ not in ("advcl", "conj"):
            return False
        marks = [c for c in root.children if c.dep_ == "mark" and cue.j <= c.i < root.i]
        if root.head.i == self._head(cue.i, cue.j).i:
            # "..., officials said, while the Kremlin accused ...": a clause of circumstance
            # on the cue verb itself ("that", "if", "whether" introduce what was said).
            return root.dep_ == "advcl" and any(
                m.tag_ == "IN" and m.lower_ not in ("that", "if", "whether") for m in marks
            )
        scope = self._parenthetical(cue)
        if scope is None or root.head.i != scope.i:
            return False
        return bool(marks) or any(c.dep_ == "cc" and cue.j <= c.i < root.i for c in scope.children)

    def _claim_object_ok(self, d: Draft) -> bool:
        """A claim that is only a noun phrase (no verb, no quotation) is not one when the cue
        verb is an act whose object is what was done or wanted ("European leaders agree new
        sanctions", "both governments want a deal"), not what was said."""
        cue = d.cue
        if cue is None or self.tab.lower[cue.i] == "according":
            return True
        tab = self.tab
        toks = [k for s in d.contents for k in range(s.i, s.j)]
        if any(tab.pos[k] in ("VERB", "AUX") for k in toks):
            return True
        if any(ch in QUOTE_CHARS for k in toks for ch in tab.text[k]):
            return True
        head = self._head(cue.i, cue.j)
        if head.pos_ not in ("VERB", "AUX"):
            return True
        return head.lemma_.lower() not in self.lex.act_verbs

    def _sibling_cue(self, k: int, own: set[int]) -> bool:
        """Is token ``k`` a cue verb hanging on this attribution's own cue ("denied that ...,
        saying ...")? Then it is the same speaker's next claim, not one nested in this content."""
        tok = self.doc[k]
        return tok.dep_ in ("advcl", "conj", "xcomp", "parataxis") and tok.head.i in own

    def _dep_source(self, cue: Segment | None) -> tuple[Segment | None, bool]:
        """The subject of the cue's verb (or the object of "according to") when the tagger found
        no source, and whether the parse leaves the speaker unclear (then nothing is output)."""
        if cue is None:
            return None, False
        head = self._head(cue.i, cue.j)
        if any(c.dep_ == "auxpass" for c in head.children):
            return None, False  # "is said to": a passive cue has no agent as subject
        # "X welcomed the decision and said ...": a coordinated verb shares the first one's
        # subject. When that verb sits in a reported clause ("X confirmed that the talks had
        # resumed but declined ..."), the parser has usually attached the conjunct one clause
        # too low: a subject that cannot speak ("the talks") hands it up to X; a subject that
        # can ("police say he posed a threat and refused ...") leaves it unclear: no output.
        # A participle or infinitive cue without a subject ("he said, adding that ...",
        # "..., saying it shows ...", "appeared to blame") speaks for the subject of the
        # verb it hangs on.
        while not any(c.dep_ in ("nsubj", "nsubjpass") for c in head.children) and (
            head.dep_ == "conj"
            or (head.dep_ in ("advcl", "xcomp") and head.tag_ in CONTROLLED_TAGS and head.i > head.head.i)
            or (head.dep_ == "advcl" and head.tag_ == "VBG" and head.i < head.head.i)
        ):
            head = head.head
            while head.dep_ in SUBORDINATE_DEPS and not any(c.dep_ == "nsubj" for c in head.children):
                head = head.head
            while head.dep_ in SUBORDINATE_DEPS:
                subj = next((c for c in head.children if c.dep_ == "nsubj"), None)
                if subj is None or self.agentive(
                    Segment("SRC", subj.left_edge.i, subj.right_edge.i + 1, cue.para)
                ):
                    return None, True
                head = head.head
        for child in head.children:
            if (
                child.dep_ == "nsubj"
                and child.lower_ not in ("it", "there")
                and not (cue.i <= child.i < cue.j)
            ):
                lo, hi = child.left_edge.i, child.right_edge.i + 1
                if hi - lo > MAX_SOURCE_TOKENS or any(self.tab.bucket[k] == "hi" for k in range(lo, hi)):
                    return None, False  # a clause, not a speaker
                return Segment("SRC", lo, hi, cue.para), False
        if self.doc[cue.i].lower_ == "according":
            for k in range(cue.i, min(cue.j + 1, len(self.doc))):
                for child in self.doc[k].children:
                    if child.dep_ == "pobj":
                        return Segment("SRC", child.left_edge.i, child.right_edge.i + 1, cue.para), False
        return None, False

    @staticmethod
    def _closer(a: Segment, b: Segment, cue: Segment | None) -> bool:
        if cue is None:
            return False
        da = max(cue.i - a.j, a.i - cue.j, 0)
        db = max(cue.i - b.j, b.i - cue.j, 0)
        return da < db

    def _continues(self, prev: Draft, seg: Segment) -> bool:
        """A cue-less quotation continues ``prev`` only as news style runs a quotation on: in
        the very next paragraph, when ``prev``'s last paragraph left its quotation open.

        A paragraph whose quotation was closed ends the claim; the next quotation may be
        someone else's.
        """
        first = self.doc[seg.i].text
        if not first or first[0] not in OPENING or not prev.contents:
            return False
        last = prev.contents[-1]
        if seg.para != last.para + 1:
            return False
        text = self.article.text
        at = self.doc[last.i].idx
        start = text.rfind("\n", 0, at) + 1
        end = text.find("\n", at)
        return _quotation_open(text[start : end if end >= 0 else len(text)])

    def _tidy_edges(self, d: Draft) -> None:
        """No content fragment starts with a conjunction ("and", "but")."""
        tab = self.tab
        for seg in d.contents:
            while seg.j - seg.i > 1 and tab.pos[seg.i] == "CCONJ":
                seg.i += 1

    def _trim_according(self, d: Draft, src: Segment) -> Segment:
        """For "according to X, Y": the source ends where the object of "to" does; the rest is content."""
        cue = d.cue
        if cue is None or self.tab.lower[cue.i] != "according" or src.i < cue.j:
            return src
        for k in range(cue.i, min(cue.j + 1, self.tab.n)):
            for child in self.doc[k].children:
                if child.dep_ == "pobj":
                    end = self.tab.right[child.i] + 1
                    if src.i <= end < src.j:
                        rest = Segment("CON", end, src.j, src.para)
                        while rest.i < rest.j and self.tab.pos[rest.i] == "PUNCT":
                            rest.i += 1
                        if rest.i < rest.j:
                            after = [c for c in d.contents if c.i >= src.j]
                            if after and after[0].i == src.j:
                                after[0].i = rest.i
                            else:
                                d.contents.append(rest)
                                d.contents.sort(key=lambda s: s.i)
                        return Segment("SRC", src.i, end, src.para)
                    return src
        return src

    def _snap(self, d: Draft) -> list[Segment]:
        """Stretch a content fragment to the cue's complement subtree when one edge already matches.

        The tagger often stops a long content early ("that Mr. Clarke" for a whole
        clause); when the fragment starts (or ends) exactly where the cue verb's
        complement does, its other edge is taken from the parse.
        """
        if d.cue is None:
            return d.contents
        tab = self.tab
        head = self._head(d.cue.i, d.cue.j)
        own = set(range(d.cue.i, d.cue.j))
        if d.source is not None:
            own.update(range(d.source.i, d.source.j))
        out = list(d.contents)
        # The cue verb's complements, and the object of a preposition inside the cue
        # ("commented on [the collapse of the regime]").
        cands = [c for c in head.children if c.dep_ in SNAP_DEPS]
        for k in range(d.cue.i, d.cue.j):
            if tab.dep[k] == "prep":
                cands.extend(c for c in self.doc[k].children if c.dep_ == "pobj")
        for child in cands:
            lo, hi = tab.left[child.i], tab.right[child.i] + 1
            hi = self._before_other_speaker(child, hi, own)
            if any(k in own for k in range(lo, hi)):
                continue
            for n, seg in enumerate(out):
                # A headline the parser ran into the sentence is not part of the complement:
                # the subtree is taken on the fragment's own line only.
                s_lo, s_hi = self._line_clip(lo, hi, seg.i, seg.j)
                if (seg.i == s_lo and seg.j < s_hi) or (seg.j == s_hi and s_lo < seg.i):
                    lo, hi = s_lo, s_hi
                    out[n] = Segment(seg.role, lo, hi, seg.para)
                else:
                    continue
                out = [s for m, s in enumerate(out) if m == n or not (lo <= s.i and s.j <= hi)]
                break
        return out

    def _line_clip(self, lo: int, hi: int, i: int, j: int) -> tuple[int, int]:
        """``[lo, hi)`` cut to the line that holds the fragment ``[i, j)``."""
        tab = self.tab
        for k in range(min(i, hi) - 1, lo - 1, -1):
            if tab.space[k] and "\n" in tab.text[k]:
                lo = k + 1
                break
        for k in range(max(j, lo), hi):
            if tab.space[k] and "\n" in tab.text[k]:
                hi = k
                break
        return lo, hi

    def _before_other_speaker(self, comp: Any, hi: int, own: set[int]) -> int:
        """Where a complement ends when a conjunct of it is another speech act of the speaker.

        The parser often hangs "but declined to give details" of "X confirmed that the talks
        had resumed but declined ..." (and ", saying ..." of "X denied that ..., saying ...")
        on the reported verb; that conjunct or participle has no subject of its own and is a
        cue word, so it is X's next act, not part of what X confirmed.
        """
        tab = self.tab
        for conj in self._kids_of(comp):
            if not (conj.dep_ == "conj" or (conj.dep_ == "advcl" and conj.tag_ == "VBG")) or conj.i in own:
                continue
            if tab.bucket[conj.i] != "hi" or any(c.dep_ in ("nsubj", "nsubjpass") for c in conj.children):
                continue
            cut = tab.left[conj.i]
            for c in comp.children:
                if c.dep_ in ("cc", "punct") and tab.right[comp.i] >= c.i and c.i < conj.i and c.i > comp.i:
                    cut = min(cut, c.i)
            cut = max(cut, comp.i + 1)
            while cut > comp.i + 1 and (tab.pos[cut - 1] in ("CCONJ", "PUNCT") or tab.space[cut - 1]):
                cut -= 1
            return min(hi, cut)
        return hi

    @staticmethod
    def _kids_of(tok: Any) -> list[Any]:
        return [c for c in tok.children if c.i > tok.i]

    def _dep_content(self, cue: Segment | None, source: Segment | None) -> list[Segment]:
        """Content from the parse when the tagger found none for a cue.

        The cue verb's clausal complement; else, for a parenthetical cue ("The
        museum, Mr. Obama said, would ...", "..., according to a poll"), the clause
        it hangs on minus the cue's own phrase; else, for a bare "he said." sentence,
        the previous sentence of the paragraph.
        """
        if cue is None:
            return []
        head = self._head(cue.i, cue.j)
        for dep in ("ccomp", "xcomp"):
            for child in head.children:
                if child.dep_ == dep and not (cue.i <= child.i < cue.j):
                    i, j = child.left_edge.i, child.right_edge.i + 1
                    if j <= cue.i or i >= cue.j:
                        if i >= cue.j:
                            # "told reporters that ships already booked would be sent ...": the
                            # parser can split one clause into complements side by side.
                            for other in head.children:
                                if other.dep_ == dep and other.i > child.i and other.left_edge.i == j:
                                    j = other.right_edge.i + 1
                        return [Segment("CON", i, j, cue.para)]
        tab = self.tab
        skip = set(range(cue.i, cue.j))
        if source is not None:
            skip.update(range(source.i, source.j))
        if head.dep_ != "ROOT" or self.doc[cue.i].lower_ == "according":
            anchor = head if head.dep_ != "ROOT" else self.doc[cue.i]
            scope = anchor.head
            if scope.i != anchor.i:
                # Leave out the cue's own phrase; "according to X" ends with the tagged
                # source X even when the parse hangs the next words on X.
                end = anchor.right_edge.i + 1
                if source is not None and source.j > cue.i and tab.lower[cue.i] == "according":
                    end = min(end, max(source.j, cue.j))
                skip.update(range(anchor.left_edge.i, end))
                for child in scope.children:
                    lo, hi = child.left_edge.i, child.right_edge.i + 1
                    if child.i > anchor.i and self._separate_clause(cue, lo, hi):
                        skip.update(range(lo, hi))
                segs = self._fragments(scope.left_edge.i, scope.right_edge.i + 1, skip, cue.para)
                if segs:
                    return segs
        sent = self.sent_of[cue.i]
        if head.dep_ == "ROOT":
            # "Forces shelled the town on Monday, the ministry said": when the parser did not
            # hang the clause on the cue, the clause before "<source> <cue>" on its line.
            first = min(cue.i, source.i) if source is not None else cue.i
            lo = first
            while (
                lo > 0
                and self.sent_of[lo - 1] == sent
                and not (tab.space[lo - 1] and "\n" in tab.text[lo - 1])
            ):
                lo -= 1
            end = first - 1
            root = self.doc[lo:end].root if end > lo else None
            if (
                root is not None
                and tab.text[end] == ","
                and root.tag_ in ("VBD", "VBZ", "VBP", "MD")
                and any(c.dep_ in ("nsubj", "nsubjpass") and lo <= c.i < end for c in root.children)
            ):
                return self._fragments(lo, end, skip, cue.para)
        # "“...” he said." : the cue sentence holds only cue and source.
        lo = cue.i
        while lo > 0 and self.sent_of[lo - 1] == sent:
            lo -= 1
        hi = cue.j
        while hi < tab.n and self.sent_of[hi] == sent:
            hi += 1
        rest = [k for k in range(lo, hi) if k not in skip and not tab.space[k] and tab.pos[k] != "PUNCT"]
        if not rest and lo > 0:
            plo = lo - 1
            while (
                plo > 0
                and self.sent_of[plo - 1] == sent - 1
                and not (tab.space[plo - 1] and "\n" in tab.text[plo - 1])
            ):
                plo -= 1
            if self.sent_of[plo] == sent - 1 and not (tab.space[lo - 1] and "\n" in tab.text[lo - 1]):
                return self._fragments(plo, lo, set(), cue.para)
        return []

    def _fragments(self, lo: int, hi: int, skip: set[int], para: int) -> list[Segment]:
        """Contiguous runs of ``[lo, hi)`` outside ``skip`` that hold a word."""
        tab = self.tab
        segs: list[Segment] = []
        cur: list[int] = []
        for m in range(lo, hi):
            if m in skip or tab.space[m]:
                if cur:
                    segs.append(Segment("CON", cur[0], cur[-1] + 1, para))
                    cur = []
                continue
            cur.append(m)
        if cur:
            segs.append(Segment("CON", cur[0], cur[-1] + 1, para))
        return [s for s in segs if any(tab.pos[m] != "PUNCT" for m in range(s.i, s.j))]

    def _head(self, i: int, j: int) -> Any:
        """The token of ``doc[i:j]`` whose head lies outside the range (the span's root)."""
        for k in range(i, j):
            tok = self.doc[k]
            if tok.pos_ in ("VERB", "AUX") and not (i <= tok.head.i < j and tok.head.i != k):
                return tok
        return self.doc[i:j].root

    def stop_at_speakers(self, drafts: list[Draft]) -> None:
        """Content ends where the next speaker starts.

        When another attribution's source or cue lies inside this one's content while that
        attribution's own content does not (it is not nested here: "... the deal is done.
        Jones said the talks failed"), the content is cut before that speaker; content
        before the cue starts after it. Drafts left without content are dropped later.
        """
        spans = []
        for d in drafts:
            toks = [k for s in d.contents for k in range(s.i, s.j)]
            spans.append(set(toks))
        # Speakers by where their source and cue start, so that each content is compared only
        # with the speakers inside its own stretch of text (linear in the article's length).
        marked = sorted(
            (min(seg.i for seg in (e.source, e.cue) if seg is not None), m)
            for m, e in enumerate(drafts)
            if e.cue is not None
        )
        starts = [lo for lo, _m in marked]
        widest = max(
            (
                max(seg.j for seg in (e.source, e.cue) if seg is not None)
                - min(seg.i for seg in (e.source, e.cue) if seg is not None)
                for e in drafts
                if e.cue is not None
            ),
            default=0,
        )
        for n, d in enumerate(drafts):
            if d.cue is None or not d.contents:
                continue
            mine = spans[n]
            first, last = min(s.i for s in d.contents), max(s.j for s in d.contents)
            near = marked[bisect_left(starts, first - widest) : bisect_left(starts, last)]
            stops: list[tuple[int, int]] = []  # (first, last + 1) token of other speakers in my content
            for m in sorted(m for _lo, m in near):
                e = drafts[m]
                if m == n or e.cue is None:
                    continue
                marks = [seg for seg in (e.source, e.cue) if seg is not None]
                inside = [seg for seg in marks if any(k in mine for k in range(seg.i, seg.j))]
                if not inside or (spans[m] and spans[m] <= mine):
                    continue  # not in my content, or nested in it
                lo = min(seg.i for seg in marks)
                hi = max([seg.j for seg in marks] + [s.j for s in e.contents if s.j <= d.cue.i])
                stops.append((lo, hi))
            if not stops:
                continue
            cut: list[Segment] = []
            sent = self.sent_of
            here = sent[d.cue.i]
            for seg in d.contents:
                i, j = seg.i, seg.j
                for lo, hi in stops:
                    if lo >= d.cue.j and i < lo < j and sent[lo] > here:
                        # after my cue: stop where the next speaker's sentence starts
                        j = min(j, max(i, self._sentence_start(lo)))
                    elif hi <= d.cue.i and i < hi < j and sent[hi - 1] < here:
                        # before my cue: start after the previous speaker's sentence
                        i = max(i, self._sentence_end(hi - 1))
                while seg.j > j > i and (self.tab.pos[j - 1] in ("PUNCT", "CCONJ") or self.tab.space[j - 1]):
                    j -= 1
                if any(self.tab.pos[k] != "PUNCT" and not self.tab.space[k] for k in range(i, j)):
                    cut.append(Segment(seg.role, i, j, seg.para))
            d.contents = cut
        drafts[:] = [d for d in drafts if d.contents]

    def _sentence_start(self, k: int) -> int:
        while k > 0 and self.sent_of[k - 1] == self.sent_of[k]:
            k -= 1
        return k

    def _sentence_end(self, k: int) -> int:
        while k + 1 < self.tab.n and self.sent_of[k + 1] == self.sent_of[k]:
            k += 1
        return k + 1

    # -- nested attributions ------------------------------------------------------------------

    def nested(self, drafts: list[Draft]) -> list[Draft]:
        """Reported speech inside another attribution's content, from the parse.

        PolNeAR does not annotate nested attributions, so the tagger rarely finds
        them: "X said [officials had been warning Y that Z]" gets its inner record
        here (a strong cue verb with a subject and a clausal complement).
        """
        taken: set[int] = set()
        for d in drafts:
            if d.cue is not None:
                taken.update(range(d.cue.i, d.cue.j))
        out: list[Draft] = []
        for d in drafts:
            if d.unattributed_hedge is not None:
                continue
            for seg in d.contents:
                out.extend(self._speech_clauses(seg.i, seg.j, seg.para, taken))
        return out

    def uncovered(self, drafts: list[Draft], paras: list[tuple[int, int]]) -> list[Draft]:
        """Speech clauses ("X told Y that Z") in sentences where the tagger found no attribution."""
        busy: set[int] = set()
        for d in drafts:
            for seg in [d.cue, d.source, *d.contents]:
                if seg is not None:
                    busy.update(self.sent_of[k] for k in range(seg.i, seg.j))
        taken: set[int] = set()
        out: list[Draft] = []
        for p, (i, j) in enumerate(paras):
            lo = i
            for k in range(i, j + 1):
                if k == j or (k > lo and self.sent_of[k] != self.sent_of[lo]):
                    if self.sent_of[lo] not in busy:
                        out.extend(self._speech_clauses(lo, k, p, taken))
                    lo = k
        return out

    def dash_quotes(self, drafts: list[Draft], paras: list[tuple[int, int]]) -> list[Draft]:
        """A paragraph that is a quotation followed by a dash and a name: "“...” ― Jane Doe, voter"."""
        tab = self.tab
        busy = {d.cue.para for d in drafts if d.cue is not None}
        out: list[Draft] = []
        for p, (i, j) in enumerate(paras):
            if p in busy:
                continue
            words = [k for k in range(i, j) if not tab.space[k]]
            if len(words) < 4 or tab.text[words[0]][:1] not in QUOTE_CHARS:
                continue
            for n, k in enumerate(words[1:-1], 1):
                if tab.text[k] in self.lex.attribution_dashes and tab.text[words[n - 1]][-1:] in QUOTE_CHARS:
                    end = next((m for m in words[n + 1 :] if tab.text[m] == ","), words[-1] + 1)
                    src = [m for m in words[n + 1 :] if m < end]
                    if 0 < len(src) <= 8 and any(tab.pos[m] == "PROPN" for m in src):
                        out.append(
                            Draft(
                                cue=Segment("CUE", k, k + 1, p),
                                source=Segment("SRC", src[0], src[-1] + 1, p),
                                contents=[Segment("CON", words[0], words[n - 1] + 1, p)],
                            )
                        )
                    break
        return out

    def colon_quotes(self, drafts: list[Draft], paras: list[tuple[int, int]]) -> list[Draft]:
        """A paragraph that starts with a speaker and a colon: "Sanders: Clinton needs to ...",
        a transcript's "PENCE: Well, the question ...", "Poll: Clinton and Trump in dead heat".

        The speaker is a person's name (one PERSON mention, or a name or surname of a
        person of the article: NER often misses "Sanders" at a headline's start), a
        transcript label (one upper-case word that opens two or more paragraphs with a
        colon, not a page label such as "UPDATE": ``colon_labels`` in ``cues.toml``),
        or a text that says things ("Poll", "Report"); the content is the rest of the
        paragraph. Paragraphs where the tagger found a cue before the colon are left to it.
        """
        tab = self.tab
        cues_at = {k for d in drafts if d.cue is not None for k in range(d.cue.i, d.cue.j)}
        heads: list[tuple[int, list[int], int]] = []  # (paragraph, prefix tokens, colon token)
        for p, (i, j) in enumerate(paras):
            words = [k for k in range(i, j) if not tab.space[k]]
            colon = next((n for n, k in enumerate(words[: MAX_COLON_PREFIX + 1]) if tab.text[k] == ":"), None)
            if colon is None or colon == 0 or len(words) - colon - 1 < MIN_CONTENT_WORDS:
                continue
            prefix = [k for k in words[:colon] if tab.text[k] not in QUOTE_CHARS]  # "“PENCE: ...”"
            if not prefix or any(k in cues_at for k in prefix):
                continue
            heads.append((p, prefix, words[colon]))
        labels = Counter(tab.text[pre[0]] for _, pre, _ in heads if len(pre) == 1)
        out: list[Draft] = []
        for p, prefix, colon_k in heads:
            lo, hi = prefix[0], prefix[-1] + 1
            if not self._colon_speaker(lo, hi, labels):
                continue
            out.append(
                Draft(
                    cue=Segment("CUE", colon_k, colon_k + 1, p),
                    source=Segment("SRC", lo, hi, p),
                    contents=[Segment("CON", colon_k + 1, paras[p][1], p)],
                )
            )
        return out

    def _colon_speaker(self, lo: int, hi: int, labels: Counter[str]) -> bool:
        """Can the words before a paragraph's colon be its speaker (see :meth:`colon_quotes`)?"""
        tab = self.tab
        first = tab.text[lo]
        if hi - lo == 1 and first.isalpha() and first.isupper() and len(first) >= 3 and labels[first] >= 2:
            return first.lower() not in self.lex.colon_labels  # a transcript's speaker label
        rng = self.char_span(lo, hi)
        if rng is None:
            return False
        m = self.entity_at(*rng)
        if m is not None and m.etype == "PERSON" and m.start <= rng[0] and rng[1] <= m.end:
            return True
        if self.article.text[rng[0] : rng[1]].lower() in self._person_names():
            return True
        return hi - lo == 1 and tab.lemma[lo].lower() in self.lex.document_heads

    def _person_names(self) -> dict[str, str]:
        """Lower-cased names, aliases and surnames of the article's people -> entity id."""
        if self._people is None:
            names: dict[str, str] = {}
            for ent in self.article.entities:
                if ent.type == "PERSON":
                    for name in (ent.name, *ent.aliases):
                        names.setdefault(name.lower(), ent.id)
                        names.setdefault(name.split()[-1].lower(), ent.id)
            self._people = names
        return self._people

    def _speech_clauses(self, lo_lim: int, hi_lim: int, para: int, taken: set[int]) -> list[Draft]:
        """Strong cue verbs in ``[lo_lim, hi_lim)`` with a subject and a following complement.

        The complement is a clause ("said [that ...]"), or for the object cues of
        ``cues.toml`` the objects ("framing [the defeat of Assad as a victory]").
        """
        tab = self.tab
        out: list[Draft] = []
        for k in range(lo_lim, hi_lim):
            if k in taken or tab.pos[k] != "VERB":
                continue
            if tab.bucket[k] != "hi" and tab.lemma[k] not in self.lex.object_cues:
                continue
            tok = self.doc[k]
            subj = next((c for c in tok.children if c.dep_ == "nsubj"), None)
            if subj is None or subj.lower_ in ("it", "there"):
                continue
            if any(c.dep_ == "aux" and c.tag_ == "MD" for c in tok.children):
                continue  # "Hungary will always defend its interests": not a reported act
            comp = next((c for c in tok.children if c.dep_ == "ccomp" and c.i > k), None)
            if comp is not None:
                c_lo, hi = tab.left[comp.i], tab.right[comp.i] + 1
            elif tab.lemma[k] in self.lex.object_cues:
                objs = [c for c in tok.children if c.i > k and c.dep_ in OBJECT_DEPS]
                if not any(c.dep_ == "dobj" for c in objs):
                    continue
                c_lo, hi = tab.left[objs[0].i], tab.right[objs[-1].i] + 1
            else:
                continue
            lo = tab.left[subj.i]
            if lo < lo_lim or hi > hi_lim:
                continue
            cue_i = k
            while cue_i - 1 > tab.right[subj.i] and tab.dep[cue_i - 1] in ("aux", "neg", "advmod"):
                cue_i -= 1
            cue = Segment("CUE", cue_i, k + 1, para)
            src = Segment("SRC", lo, tab.right[subj.i] + 1, para)
            taken.update(range(cue_i, k + 1))
            out.append(Draft(cue=cue, source=src, contents=[Segment("CON", c_lo, hi, para)]))
        return out

    # -- unattributed hedged claims ------------------------------------------------------------

    def unattributed(self, taken: set[int]) -> list[Draft]:
        """Source-less claims introduced by hedge phrases outside any tagged cue."""
        lowers = self.tab.lower
        index = self.lex.unattributed_index
        out: list[Draft] = []
        k = 0
        n = self.tab.n
        while k < n:
            cands = index.get(lowers[k])
            hit = None
            if cands:
                for phrase, name in cands:
                    if tuple(lowers[k : k + len(phrase)]) == phrase:
                        hit = (phrase, name)
                        break
            if hit is None:
                k += 1
                continue
            phrase, name = hit
            i, j = k, k + len(phrase)
            k = j
            if any(m in taken for m in range(i, j)):
                continue
            content = self._hedged_clause(i, j)
            if content is None:
                continue
            cue = Segment("CUE", i, j, -1)
            out.append(Draft(cue=cue, contents=content, unattributed_hedge=name))
        return out

    def _hedged_clause(self, i: int, j: int) -> list[Segment] | None:
        """The clause a hedge phrase ``doc[i:j]`` qualifies, without the phrase itself."""
        doc = self.doc
        anchor = self._head(i, j)
        if anchor.pos_ == "ADV" or anchor.dep_ == "advmod":
            scope = anchor.head if anchor.head.i != anchor.i else anchor
        else:
            scope = anchor
        # "..., it is believed": the hedge hangs off the clause it qualifies.
        if (
            scope is anchor
            and anchor.dep_ in ("parataxis", "advcl", "ccomp")
            and anchor.head.i != anchor.i
            and anchor.i > anchor.head.i
        ):
            scope = anchor.head
        lo, hi = scope.left_edge.i, scope.right_edge.i + 1
        skip = set(range(i, j))
        if scope is not anchor:
            skip.update(range(anchor.left_edge.i, anchor.right_edge.i + 1))
            skip.update(range(i, j))
        segs: list[Segment] = []
        cur: list[int] = []
        for m in range(lo, hi):
            if m in skip or doc[m].is_space:
                if cur:
                    segs.append(Segment("CON", cur[0], cur[-1] + 1, -1))
                    cur = []
                continue
            cur.append(m)
        if cur:
            segs.append(Segment("CON", cur[0], cur[-1] + 1, -1))
        segs = [s for s in segs if any(not doc[m].is_punct for m in range(s.i, s.j))]
        if not segs or sum(s.j - s.i for s in segs) < 2:
            return None
        return segs

    # -- entities and sources ------------------------------------------------------------------

    def _mentions(self) -> list[Mention]:
        out = []
        for ent in self.article.entities:
            for m in ent.mentions:
                out.append(Mention(m.start, m.end, ent.id, ent.type, ent.gender))
        out.sort(key=lambda m: (m.start, m.end))
        return out

    def entity_at(self, start: int, end: int) -> Mention | None:
        """The entity mention overlapping ``[start, end)`` most (None when there is none)."""
        best, best_n = None, 0
        k = bisect_right(self.mention_starts, end)
        for m in reversed(self.mentions[max(0, k - 12) : k]):
            n = min(end, m.end) - max(start, m.start)
            if n > best_n:
                best, best_n = m, n
        return best

    def source(self, seg: Segment) -> Source:
        """Type, link and (for pronouns) resolve a source segment."""
        rng = self.char_span(seg.i, seg.j)
        if rng is None:
            return Source(type="unattributed")
        start, end = rng
        text = self.article.text[start:end]
        low = text.lower()
        lex = self.lex
        if low in lex.pronouns:
            return self._pronoun(seg, start, end, text, low)
        root = self.doc[seg.i : seg.j].root
        mention = self.entity_at(root.idx, root.idx + len(root.text))
        if mention is None:
            ref = self._reference_at(root.idx)
            if ref is not None:
                # "the minister said": a description the entities stage resolved to a person
                return Source(
                    type="person", text=text, start=start, end=end, entity=ref.entity, resolved_from=ref.kind
                )
        if mention is None and low in self._person_names():
            # "Sanders: ..." at a headline's start, where NER saw no name
            return Source(type="person", text=text, start=start, end=end, entity=self._person_names()[low])
        stype, mention = self._source_type(seg, low, mention)
        return Source(type=stype, text=text, start=start, end=end, entity=mention.entity if mention else None)

    def _reference_at(self, char: int) -> Reference | None:
        """The resolved description whose head word starts at ``char`` (None when there is none)."""
        for (s, e), ref in self.references.items():
            if ref.kind == "nominal" and s <= char < e and self.article.text[char:e].find(" ") < 0:
                return ref
        return None

    def _source_type(self, seg: Segment, low: str, mention: Mention | None) -> tuple[str, Mention | None]:
        """The source's type and the entity it names (None for anonymous and unnamed sources).

        Order: publication names; anonymity markers ("familiar with"); a person named
        in the span ("a spokeswoman, Anna Kell"; "Helena Varga, the foreign minister");
        then the head noun: anonymous heads ("officials"), other nouns for people
        (definite singular "the doctor" is a person, "a doctor" or "voters" anonymous),
        organisations ("the campaign"), texts that say things ("a study", typed
        publication); then the linked entity's type.
        """
        lex = self.lex
        bare = low[4:] if low.startswith("the ") else low
        if low in lex.publication_names or bare in lex.publication_names:
            return "publication", mention
        if any(marker in low for marker in lex.anonymous_markers):
            return "anonymous", None
        span = self.doc[seg.i : seg.j]
        root = span.root
        named = self._named_person(root)
        if named is not None:
            return "person", named
        lemma = root.lemma_.lower()
        if root.pos_ in ("NOUN", "PRON", "NUM", "ADJ") and lemma in lex.anonymous_heads:
            return "anonymous", None
        words = low.split()
        if words and words[-1] in lex.publication_words and any(t.pos_ == "PROPN" for t in span):
            return "publication", mention
        if root.pos_ == "PROPN" and any(
            c.dep_ in ("appos", "compound") and c.lemma_.lower() in lex.person_roles for c in root.children
        ):
            # "Helena Varga, the foreign minister", "festival director Carmen Dobre", whatever
            # NER made of the name
            return "person", mention
        if mention is not None and (root.pos_ == "PROPN" or mention.etype == "PERSON"):
            return ("person" if mention.etype == "PERSON" else "organisation"), mention
        if root.pos_ == "NOUN":
            if lemma in lex.person_nouns or root.lower_ in lex.person_nouns:
                definite = any(
                    c.lower_ in ("the", "this", "that") or c.tag_ == "PRP$" or c.dep_ == "poss"
                    for c in root.lefts
                )
                return ("person" if definite and root.tag_ == "NN" else "anonymous"), None
            if lemma in lex.organisation_heads:
                return "organisation", mention
            if lemma in lex.document_heads:
                return "publication", None
        if mention is not None:
            return ("person" if mention.etype == "PERSON" else "organisation"), mention
        if root.pos_ == "PROPN" or root.ent_type_:
            return ("person" if root.ent_type_ in ("PERSON", "") else "organisation"), None
        return "organisation", None

    def _named_person(self, root: Any) -> Mention | None:
        """A person named by the span's head or by a name in apposition to it."""
        for tok in [root, *(c for c in root.children if c.dep_ == "appos")]:
            m = self.entity_at(tok.idx, tok.idx + len(tok.text))
            if m is not None and m.etype == "PERSON":
                return m
        return None

    def agentive(self, seg: Segment) -> bool:
        """Can this phrase say something? A name, a pronoun, people, an organisation or a text."""
        root = self.doc[seg.i : seg.j].root
        if root.pos_ != "NOUN" or root.ent_type_:
            return True
        lex = self.lex
        lemma = root.lemma_.lower()
        heads = lex.person_nouns | lex.anonymous_heads | lex.organisation_heads | lex.document_heads
        return (
            lemma in heads
            or root.lower_ in heads
            or self.entity_at(root.idx, root.idx + len(root.text)) is not None
        )

    def _pronoun(self, seg: Segment, start: int, end: int, text: str, low: str) -> Source:
        info = self.lex.pronouns[low]
        tok = self.doc[seg.i]
        target: str | None = None
        stype = "person" if info["number"] != "pl" else "anonymous"
        if low in ("who", "which", "that"):
            # "Trump, who said ...": the noun the relative clause hangs on.
            noun = tok.head.head if tok.head.dep_ == "relcl" else None
            if noun is not None:
                m = self.entity_at(noun.idx, noun.idx + len(noun.text))
                if m is not None:
                    target = m.entity
                    stype = "person" if m.etype == "PERSON" else "organisation"
        elif info["gender"] or info["number"] == "pl":
            # "he said", "they said": the person, organisation or people the entities
            # stage resolved the pronoun to (article.references); none when it left it
            ref = self.references.get((start, end))
            if ref is not None and ref.kind == "pronoun":
                target = ref.entity
                if info["number"] == "pl":
                    stype = "organisation"
        return Source(
            type=stype,
            text=text,
            start=start,
            end=end,
            entity=target,
            resolved_from="pronoun" if target else None,
        )

    # -- the rest of the record ----------------------------------------------------------------

    def relay(self, cue: Segment) -> Relay | None:
        """The outlet a source spoke to: the object of "told", or "said to X"."""
        head = self._head(cue.i, cue.j)
        if head.lemma_.lower() not in ("tell", "say", "speak", "confirm", "reveal"):
            return None
        for child in head.children:
            target = None
            if child.dep_ in ("dobj", "dative", "iobj"):
                target = child
            elif child.dep_ == "prep" and child.lower_ == "to":
                target = next((c for c in child.children if c.dep_ == "pobj"), None)
            if target is None:
                continue
            rng = self.char_span(target.left_edge.i, target.right_edge.i + 1)
            if rng is None:
                continue
            low = self.article.text[rng[0] : rng[1]].lower()
            bare = low[4:] if low.startswith("the ") else low
            words = low.split()
            mention = self.entity_at(*rng)
            is_pub = (
                low in self.lex.publication_names
                or bare in self.lex.publication_names
                or (words[-1] in self.lex.publication_words and target.pos_ == "PROPN")
            )
            if is_pub:
                return Relay(
                    text=self.article.text[rng[0] : rng[1]],
                    start=rng[0],
                    end=rng[1],
                    entity=mention.entity if mention else None,
                )
        return None

    def hedge(self, cue: Segment | None, contents: list[Segment]) -> str:
        """The first hedge (file order) whose phrase is in the cue or before the content's main verb."""
        lower, pos = self.tab.lower, self.tab.pos
        windows: list[range] = []
        if cue is not None:
            windows.append(range(cue.i, cue.j))
        if contents:
            # Hedging words before the content's main verb ("would possibly", "may"); the verb
            # itself is what is claimed ("Hungary had threatened to ..." is not a hedge).
            first = contents[0]
            stop = first.i
            for k in range(first.i, min(first.j, first.i + 12)):
                if pos[k] == "VERB":
                    break
                stop = k + 1
            windows.append(range(first.i, stop))
        best: tuple[int, str] | None = None
        index = self.lex.hedge_index
        for window in windows:
            for k in window:
                for phrase, rank, name in index.get(lower[k], ()):
                    if (
                        k + len(phrase) <= window.stop
                        and tuple(lower[k : k + len(phrase)]) == phrase
                        and (best is None or rank < best[0])
                    ):
                        best = (rank, name)
        return best[1] if best else "none"

    def kind(self, cue_text: str, content: list[tuple[int, int]]) -> str:
        if cue_text.lower().startswith("according to"):
            return "according_to"
        text = self.article.text
        inner = "".join(text[s:e] for s, e in content)
        n_quotes = sum(inner.count(q) for q in QUOTE_CHARS if q not in "’")
        if n_quotes == 0:
            return "indirect"
        stripped = [text[s:e].strip(" .,;:") for s, e in content]
        # Every piece opens a quotation and the last one closes it (a quotation
        # running over paragraphs leaves the earlier pieces open).
        if all(p and p[0] in OPENING for p in stripped) and stripped[-1][-1] in QUOTE_CHARS:
            return "direct"
        return "mixed"


def build(
    article: Article,
    doc: Any,
    lex: Lexicons,
    segs: list[Segment],
    tab: Table,
    paras: list[tuple[int, int]],
    *,
    unattributed: bool = True,
) -> list[Attribution]:
    """All attributions of one article, with ids A1, A2, ... in text order."""
    asm = Assembler(article, doc, lex, tab)
    drafts = asm.drafts(segs)
    drafts.extend(asm.dash_quotes(drafts, paras))
    drafts.extend(asm.colon_quotes(drafts, paras))
    asm.stop_at_speakers(drafts)
    drafts.extend(asm.nested(drafts))
    if asm.rules:
        drafts.extend(asm.uncovered(drafts, paras))
    taken = {k for d in drafts if d.cue is not None for k in range(d.cue.i, d.cue.j)}
    if unattributed:
        drafts.extend(asm.unattributed(taken))

    def first_tok(d: Draft) -> int:
        cands = [s.i for s in d.contents]
        if d.cue is not None:
            cands.append(d.cue.i)
        if d.source is not None:
            cands.append(d.source.i)
        return min(cands)

    drafts.sort(key=first_tok)
    records: list[tuple[Attribution, set[int], int]] = []
    for d in drafts:
        content = [r for s in d.contents if (r := asm.char_span(s.i, s.j, " \t\r\n,;")) is not None]
        cue_rng = None
        if d.cue is not None:
            colon = d.cue.j - d.cue.i == 1 and tab.text[d.cue.i] == ":"  # "PENCE: ..." keeps its colon
            cue_rng = asm.char_span(d.cue.i, d.cue.j, " \t\r\n" if colon else " \t\r\n,;:—–-")
        if cue_rng is not None:
            content = _keep_to_cue_paragraph(article.text, content, cue_rng[0])
            content = [r for s, e in content if (r := _end_at_quotation_edge(article.text, s, e)) is not None]
        content = sorted(set(content))
        if not content or (MIN_CONTENT_WORDS > 1 and _too_short(article.text, content)):
            continue
        spans = list(content) + ([cue_rng] if cue_rng else [])
        if d.unattributed_hedge is not None:
            src = Source(type="unattributed")
        elif d.source is not None:
            src = asm.source(d.source)
        else:
            src = Source(type="unattributed")
        if src.start is not None and src.end is not None:
            spans.append((src.start, src.end))
        if any(article.in_removed(s, e) for s, e in spans):
            continue
        cue_span = asm.span(cue_rng) if cue_rng else None
        if d.unattributed_hedge is not None:
            hedge = d.unattributed_hedge
            kind = "other"
        else:
            hedge = asm.hedge(d.cue, d.contents)
            kind = asm.kind(cue_span.text if cue_span else "", content)
            if src.type == "unattributed" and hedge == "none":
                hedge = "reported"
        lo, hi = content[0][0], max(e for _, e in content)
        att = Attribution(
            id="",
            kind=kind,
            source=src,
            cue=cue_span,
            content=asm.span((lo, hi)),
            hedge=hedge,
            relayed_by=asm.relay(d.cue) if d.cue is not None and d.unattributed_hedge is None else None,
            content_spans=[asm.span(r) for r in content] if len(content) > 1 else [],
        )
        chars: set[int] = set()
        for s, e in content:
            chars.update(range(s, e))
        anchor = cue_rng[0] if cue_rng else content[0][0]
        records.append((att, chars, anchor))
    records.sort(key=lambda r: min(r[0].content.start, r[2]))
    for n, (att, _, _) in enumerate(records, 1):
        att.id = f"A{n}"
    # Nesting: the smallest other attribution whose content holds this one's cue (the first
    # such in order on a tie). Only contents starting within the longest content's length
    # before the cue can hold it: a window found by bisection keeps long articles linear.
    by_start = sorted(range(len(records)), key=lambda n: records[n][0].content.start)
    starts = [records[n][0].content.start for n in by_start]
    longest = max((r[0].content.end - r[0].content.start for r in records), default=0)
    for att, _, anchor in records:
        best: tuple[int, int, str] | None = None
        for k in by_start[bisect_left(starts, anchor - longest) : bisect_right(starts, anchor)]:
            other, chars, _ = records[k]
            if other is att or anchor not in chars:
                continue
            if best is None or (len(chars), k) < best[:2]:
                best = (len(chars), k, other.id)
        if best is not None:
            att.parent = best[2]
    return [r[0] for r in records]


def _too_short(text: str, content: list[tuple[int, int]]) -> bool:
    """A claim of fewer than ``MIN_CONTENT_WORDS`` words that quotes nothing ("them",
    "criticism"): a tagger slip more often than a claim."""
    words = sum(len(text[s:e].split()) for s, e in content)
    return words < MIN_CONTENT_WORDS and not any(q in text[s:e] for s, e in content for q in QUOTE_CHARS)


def _quotation_open(paragraph: str) -> bool:
    """True when the paragraph ends inside a quotation (its last double quote opens one)."""
    inside = False
    for ch in paragraph:
        if ch == '"':
            inside = not inside
        elif ch in "“«":
            inside = True
        elif ch in "”»":
            inside = False
    return inside


def _keep_to_cue_paragraph(text: str, content: list[tuple[int, int]], anchor: int) -> list[tuple[int, int]]:
    """Cut reported (unquoted) content at paragraph breaks: it stays in the cue's paragraph.

    Only a quotation runs on over paragraphs; an indirect claim that seems to cross a line
    break has swallowed a headline or the paragraph before.
    """
    if any(q in text[s:e] for s, e in content for q in QUOTE_CHARS if q != "’"):
        return content
    kept = []
    for s, e in content:
        if "\n" in text[s:e]:
            if anchor >= e:
                s = text.rfind("\n", s, e) + 1
            elif anchor <= s:
                e = text.find("\n", s, e)
            else:
                s = max(s, text.rfind("\n", s, anchor) + 1)
                cut = text.find("\n", anchor, e)
                e = e if cut < 0 else cut
            while s < e and text[s].isspace():
                s += 1
            while e > s and text[e - 1].isspace():
                e -= 1
        if e > s:
            kept.append((s, e))
    return kept


#: Words a claim does not end on: "..., while", "... and".
TRAILING_WORDS = frozenset({"while", "and", "but", "or", "as", "because", "although", "though", "whereas"})
_CLOSING = '"”»'  # not ’: it is also an apostrophe and a nested quotation's end
_OPENING_STRICT = '"“«'


def _end_at_quotation_edge(text: str, s: int, e: int) -> tuple[int, int] | None:
    """A content piece ends where its quotation does, and an unquoted claim does not run on
    into a quotation in the next sentence.

    "''Poor Mexico, so far from God ...'' Facing the prospect of ..." ends at the closing
    quotation mark when a new sentence starts after it; "... warned of retaliation. "Our
    goal is ..."" ends at "retaliation". A trailing conjunction ("..., while") is dropped.
    """
    piece = text[s:e]
    if piece[:1] in _OPENING_STRICT or piece[:2] == "''" or piece[:2] == "``":
        close = None
        for k in range(1, len(piece)):
            if piece[k] in _CLOSING or piece[k : k + 2] == "''":
                before = piece[k - 1]
                after = piece[k + 1 : k + 3] if piece[k] != "'" else piece[k + 2 : k + 4]
                if before in ".?!" and after[:1] == " " and after[1:2].isupper():
                    close = k + (2 if piece[k] == "'" else 1)
                    break
        if close is not None:
            e = s + close
    else:
        for k in range(len(piece) - 2):
            if piece[k] in ".?!" and piece[k + 1] == " " and piece[k + 2] in _OPENING_STRICT:
                e = s + k
                break
    words = text[s:e].rstrip(" ,;:").split()
    if len(words) > 1 and words[-1].lower() in TRAILING_WORDS:
        e = text.rfind(words[-1], s, e)
        while e > s and text[e - 1] in " \t\r\n,;:":
            e -= 1
    return (s, e) if e > s else None
