"""Token features for the attribution tagger (a linear-chain CRF over spaCy tokens).

One sequence per paragraph (split at whitespace tokens holding a newline), so a
quotation running over several sentences stays in one sequence. Features are
strings (python-crfsuite's item form). Token attributes are read from spaCy once
per doc into plain lists (:class:`Table`), because creating spaCy ``Token``
objects dominates the cost otherwise; everything is linear in the number of
tokens (the ancestor walk is bounded by ``MAX_HOPS``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .lexicons import Lexicons

MAX_HOPS = 10
OPEN_Q = frozenset("“‘«")
CLOSE_Q = frozenset("”’»")
STRAIGHT_Q = frozenset({'"', "''", "``"})
KID_DEPS = frozenset({"nsubj", "nsubjpass", "ccomp", "xcomp", "dobj", "prep", "advcl", "agent", "aux", "neg"})


class Table:
    """Per-token attributes of a doc as plain Python lists (read from spaCy once)."""

    def __init__(self, doc: Any, lex: Lexicons) -> None:
        n = len(doc)
        self.n = n
        self.text: list[str] = [""] * n
        self.lower: list[str] = [""] * n
        self.lemma: list[str] = [""] * n
        self.pos: list[str] = [""] * n
        self.tag: list[str] = [""] * n
        self.dep: list[str] = [""] * n
        self.head: list[int] = [0] * n
        self.ent: list[str] = [""] * n
        self.idx: list[int] = [0] * n
        self.space: list[bool] = [False] * n
        self.sent_start: list[bool] = [False] * n
        self.left: list[int] = [0] * n
        self.right: list[int] = [0] * n
        self.kids: list[set[str]] = [set() for _ in range(n)]
        if n:
            self._fill(doc)
        # Subtree edges from the head array: one pass per token up its ancestors.
        left = list(range(n))
        right = list(range(n))
        head = self.head
        for i in range(n):
            node = i
            hops = 0
            while head[node] != node and hops < 64:
                node = head[node]
                hops += 1
                if left[node] > i:
                    left[node] = i
                if right[node] < i:
                    right[node] = i
            if head[i] != i:
                self.kids[head[i]].add(self.dep[i])
        self.left, self.right = left, right
        buckets: dict[tuple[str, str], str] = {}
        self.bucket = [
            buckets.get(key) or buckets.setdefault(key, lex.cue_bucket(*key))
            for key in zip(self.lemma, self.pos, strict=True)
        ]

    def _fill(self, doc: Any) -> None:
        """The per-token lists from one ``Doc.to_array`` (no ``Token`` objects: they cost most).

        Each value equals what the ``Token`` attribute gives (``lemma_.lower()``,
        ``ent_iob_ + ent_type_``, ``bool(is_sent_start)``, ``head.i``); hashes become
        strings through one dict of the doc's distinct hashes.
        """
        from spacy import attrs as a

        cols = (a.ORTH, a.LOWER, a.LEMMA, a.POS, a.TAG, a.DEP, a.ENT_IOB, a.ENT_TYPE, a.IDX, a.IS_SPACE)
        orth, low, lem, pos, tag, dep, iob, etype, idx, space = doc.to_array(cols).T.tolist()
        # relative head offsets and sentence starts (1, -1, 0) are signed
        head, start = doc.to_array((a.HEAD, a.SENT_START)).astype("int64").T.tolist()
        strings = doc.vocab.strings
        names = {h: strings[h] for h in {*orth, *low, *lem, *pos, *tag, *dep, *etype} if h}
        names[0] = ""
        self.text = [names[h] for h in orth]
        self.lower = [names[h] for h in low]
        lemma_lower = {h: names[h].lower() for h in set(lem)}
        self.lemma = [lemma_lower[h] for h in lem]
        self.pos = [names[h] for h in pos]
        self.tag = [names[h] for h in tag]
        self.dep = [names[h] for h in dep]
        self.head = [i + h for i, h in enumerate(head)]
        iob_names = ("", "I", "O", "B")
        self.ent = [iob_names[b] + names[e] if e else "O" for b, e in zip(iob, etype, strict=True)]
        self.idx = idx
        self.space = [bool(x) for x in space]
        self.sent_start = [x == 1 for x in start]


def table_paragraphs(tab: Table) -> list[tuple[int, int]]:
    """:func:`paragraphs` of the table's doc, from its lists (no ``Token`` objects)."""
    out = []
    start = 0
    for k, (space, text) in enumerate(zip(tab.space, tab.text, strict=True)):
        if space and "\n" in text:
            if k > start:
                out.append((start, k))
            start = k + 1
    if start < tab.n:
        out.append((start, tab.n))
    return out


def paragraphs(doc: Any) -> Iterator[tuple[int, int]]:
    """Token ranges ``[i, j)`` of paragraphs, cutting at whitespace tokens that hold a newline."""
    start = 0
    n = len(doc)
    for tok in doc:
        if tok.is_space and "\n" in tok.text:
            if tok.i > start:
                yield start, tok.i
            start = tok.i + 1
    if start < n:
        yield start, n


def _quote_states(texts: list[str], i: int, j: int) -> list[str]:
    """'in'/'out'/'q' per token of ``[i, j)``: inside a quotation, outside, or a quote mark."""
    states = []
    inside = False
    for k in range(i, j):
        t = texts[k]
        if t in OPEN_Q:
            inside = True
            states.append("q")
        elif t in CLOSE_Q:
            if t == "’" and not inside:
                states.append("out")  # an apostrophe, not a closing quote
                continue
            inside = False
            states.append("q")
        elif t in STRAIGHT_Q:
            inside = not inside
            states.append("q")
        else:
            states.append("in" if inside else "out")
    return states


def _shape(text: str) -> str:
    if text.isupper():
        return "X"
    if text[:1].isupper():
        return "Xx"
    if text.isdigit():
        return "d"
    if text.isalpha():
        return "x"
    return "o"


def sequence_features(tab: Table, i: int, j: int) -> list[list[str]]:
    """Feature strings for each token of ``[i, j)``."""
    lower, lemma, pos, dep, head, bucket = tab.lower, tab.lemma, tab.pos, tab.dep, tab.head, tab.bucket
    quotes = _quote_states(tab.text, i, j)
    has_quote = "qpara=" + str("q" in quotes)
    # Whether a strong cue word sits earlier / later in the same sentence: decides
    # if a sentence carries an attribution at all, and on which side the roles are.
    side = [""] * (j - i)
    near = [""] * (j - i)
    start = i
    for k in range(i, j + 1):
        if k == j or (k > start and tab.sent_start[k]):
            hi = [m for m in range(start, k) if bucket[m] == "hi"]
            for m in range(start, k):
                left = [c for c in hi if c < m]
                right = [c for c in hi if c > m]
                side[m - i] = (
                    "scue=" + ("L" if left else "") + ("R" if right else "") + ("C" if m in hi else "")
                )
                # Which cue word is nearest on each side ("say" vs "show" behave differently).
                near[m - i] = (
                    "sl=" + (lemma[left[-1]] if left else "-") + "|" + (lemma[right[0]] if right else "-")
                )
            start = k
    # Window features of each position, built once per paragraph: (off, token) -> 4 strings.
    window: list[tuple[int, str, list[tuple[str, str, str, str]]]] = []
    for off in (-3, -2, -1, 1, 2, 3):
        pw, pp, pc, pq = f"{off}w=", f"{off}p=", f"{off}cue=", f"{off}q="
        window.append(
            (
                off,
                f"{off}=EDGE",
                [(pw + lower[m], pp + pos[m], pc + bucket[m], pq + quotes[m - i]) for m in range(i, j)],
            )
        )
    text, tag, ent, sent_start, kids = tab.text, tab.tag, tab.ent, tab.sent_start, tab.kids
    t_left, t_right = tab.left, tab.right
    shapes: dict[str, str] = {}
    out: list[list[str]] = []
    for k in range(i, j):
        low = lower[k]
        h = head[k]
        hb = bucket[h]
        q = k - i
        shape = shapes.get(text[k])
        if shape is None:
            shape = shapes[text[k]] = _shape(text[k])
        f = [
            "b",
            "w=" + low,
            "l=" + lemma[k],
            "p=" + pos[k],
            "t=" + tag[k],
            "d=" + dep[k],
            "s=" + shape,
            "suf=" + low[-3:],
            "cue=" + bucket[k],
            "q=" + quotes[q],
            "hd=" + dep[h],
            "hp=" + pos[h],
            "hcue=" + hb,
            "d|hcue=" + dep[k] + "|" + hb,
            "e=" + ent[k],
            side[q],
            near[q],
            side[q] + "|q=" + quotes[q],
            has_quote,
        ]
        if hb != "no":
            f.append("hl=" + lemma[h])
        if bucket[k] != "no":
            f.append("cl=" + lemma[k])
            for d in sorted(kids[k] & KID_DEPS):
                f.append("kid=" + d)
        if sent_start[k]:
            f.append("sent_start")
        # The nearest cue-lexicon ancestor and the relation under it: "in the
        # subject of a cue" (source) vs "in its clausal complement" (content).
        child = k
        node = h
        hops = 0
        while hops < MAX_HOPS and node != child:
            b = bucket[node]
            if b == "hi" or b == "mid":
                cd = dep[child]
                f.append("anc=" + cd)
                f.append("anc|b=" + cd + "|" + b)
                f.append("anc_hops=" + str(min(hops, 3)))
                f.append("anc|side=" + cd + ("|L" if k < node else "|R"))
                # Exact span edges: the first/last token of the subtree under the cue.
                if t_left[child] == k:
                    f.append("anc_left=" + cd)
                if t_right[child] == k:
                    f.append("anc_right=" + cd)
                if k == node + 1:
                    f.append("after_cue")
                break
            child, node = node, head[node]
            hops += 1
        for off, edge, strings in window:
            m = q + off
            if 0 <= m < j - i:
                f.extend(strings[m])
            else:
                f.append(edge)
        f.append("w-1|w=" + (lower[k - 1] if k > i else "^") + "|" + low)
        out.append(f)
    return out
