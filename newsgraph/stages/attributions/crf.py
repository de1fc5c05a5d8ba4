"""The attribution CRF run with numpy: the same tags as python-crfsuite, without feature strings.

python-crfsuite tags one paragraph from a list of feature strings per token
(:func:`.features.sequence_features`, about 50 per token): building the strings and
looking each one up in the model's attribute database cost more than the CRF itself.
Here the model file is read once into an attribute index, a state-weight matrix and a
transition matrix (:class:`CrfModel`), and :class:`CrfTagger` computes the state scores
of a whole doc column by column: each feature template (``"w="`` + lower-case word,
``"-1p="`` + the previous token's POS, ...) is looked up once per distinct value in the
doc and gathered for every token with numpy, and the columns are added in the order
:func:`.features.sequence_features` lists the features, which is the order crfsuite adds
them in, so every state score is the same floating-point number (a feature a token lacks,
or the model lacks, adds a row of zeros, which changes no sum). Viterbi then runs over all
paragraphs of the doc at once with crfsuite's tie rule (the first label with the highest
score). ``tests/test_attribution_crf.py`` checks the tags against python-crfsuite's on
real texts: a change to :func:`.features.sequence_features` needs the same change here.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

import numpy as np

from .features import KID_DEPS, MAX_HOPS, Table, _quote_states, _shape

_FEATURE = np.dtype([("type", "<u4"), ("src", "<u4"), ("dst", "<u4"), ("weight", "<f8")])
OFFSETS = (-3, -2, -1, 1, 2, 3)
QUOTES = ("in", "out", "q")
BUCKETS = ("no", "lo", "mid", "hi")
KIDS = tuple(sorted(KID_DEPS))


class ModelFormatError(ValueError):
    """The file is not a crfsuite CRF1d model this reader understands."""


def _strings(data: bytes, base: int, count: int) -> list[str]:
    """The ``count`` strings of the CQDB (crfsuite's constant quark database) at ``base``, by id."""
    chunk, _size, _flag, byteorder, _bwd_size, bwd_offset = struct.unpack_from("<4sIIIII", data, base)
    if chunk != b"CQDB" or byteorder != 0x62445371 or not bwd_offset:
        raise ModelFormatError("bad string database")
    offsets = struct.unpack_from(f"<{count}I", data, base + bwd_offset)
    out = []
    unpack = struct.Struct("<iI").unpack_from
    for i, off in enumerate(offsets):
        got, ksize = unpack(data, base + off)
        if got != i:
            raise ModelFormatError("string database ids out of order")
        start = base + off + 8
        out.append(data[start : start + ksize - 1].decode("utf-8"))
    return out


class CrfModel:
    """A linear-chain CRF read from a crfsuite model file (``lCRF``/``FOMC``: header, two string
    databases, a feature table).

    ``weights`` has one row per attribute and a last row of zeros (``zero``), the row of
    any feature the model lacks; ``trans[i, j]`` is the weight of label ``i`` followed by ``j``.
    """

    def __init__(self, path: str | Path) -> None:
        data = Path(path).read_bytes()
        if len(data) < 48:
            raise ModelFormatError("file too short")
        (
            magic,
            _size,
            kind,
            _version,
            _n_features,
            n_labels,
            n_attrs,
            off_features,
            off_labels,
            off_attrs,
        ) = struct.unpack_from("<4sI4sIIIIIII", data, 0)
        if magic != b"lCRF" or kind != b"FOMC":
            raise ModelFormatError("not a crfsuite CRF1d model")
        self.labels = _strings(data, off_labels, n_labels)
        attrs = _strings(data, off_attrs, n_attrs)
        chunk, _csize, num = struct.unpack_from("<4sII", data, off_features)
        if chunk != b"FEAT":  # (crfsuite leaves the header's feature count unfilled)
            raise ModelFormatError("bad feature table")
        feats = np.frombuffer(data, dtype=_FEATURE, count=num, offset=off_features + 12)
        state, trans = feats[feats["type"] == 0], feats[feats["type"] == 1]
        if len(state) + len(trans) != num:
            raise ModelFormatError("unknown feature type")
        self.zero = n_attrs
        self.weights = np.zeros((n_attrs + 1, n_labels))
        self.weights[state["src"], state["dst"]] = state["weight"]
        self.trans = np.zeros((n_labels, n_labels))
        self.trans[trans["src"], trans["dst"]] = trans["weight"]
        self.index: dict[str, int] = {a: i for i, a in enumerate(attrs)}

    def id(self, attribute: str) -> int:
        """The row of an attribute (``zero`` when the model lacks it)."""
        return self.index.get(attribute, self.zero)

    def ids(self, prefix: str, values: list[str]) -> Any:
        """Rows of ``prefix + value`` for each value, as an array."""
        get, zero = self.index.get, self.zero
        return np.array([get(prefix + v, zero) for v in values], dtype=np.intp)

    def viterbi(self, state: Any, spans: list[tuple[int, int]]) -> list[list[str]]:
        """The best label sequence of each non-empty token range ``[i, j)`` of the state-score
        rows, all ranges at once; ties go to the first label (as in crfsuite)."""
        if not spans:
            return []
        lengths = [j - i for i, j in spans]
        order = sorted(range(len(spans)), key=lambda p: -lengths[p])  # longest first
        longest = lengths[order[0]]
        alive = [0] * longest  # how many ranges (a prefix of ``order``) still run at step t
        for n in lengths:
            alive[n - 1] += 1
        for t in range(longest - 2, -1, -1):
            alive[t] += alive[t + 1]
        # rows[t, rank]: the state scores of token t of the range ranked ``rank`` (clipped past its end)
        first = np.array([spans[p][0] for p in order], dtype=np.intp)
        last_row = np.array([spans[p][1] - 1 for p in order], dtype=np.intp)
        rows = state[np.minimum(first[None, :] + np.arange(longest)[:, None], last_row[None, :])]
        trans = self.trans[None, :, :]
        size = len(spans)
        labels = np.zeros((longest, size), dtype=np.intp)
        back = np.zeros((longest, size, len(self.labels)), dtype=np.intp)
        cur = rows[0]
        for t in range(1, longest):
            n = alive[t]
            if n < len(cur):  # the ranges that ended at t - 1: their best last label
                labels[t - 1, n : len(cur)] = cur[n:].argmax(axis=1)
                cur = cur[:n]
            cand = cur[:, :, None] + trans  # cand[p, i, j]: label i at t - 1, then j
            back[t, :n] = cand.argmax(axis=1)  # the first i on ties
            cur = cand.max(axis=1) + rows[t, :n]
        labels[longest - 1, : len(cur)] = cur.argmax(axis=1)
        ranks = np.arange(size)
        for t in range(longest - 1, 0, -1):
            n = alive[t]
            labels[t - 1, :n] = back[t, ranks[:n], labels[t, :n]]
        names = self.labels
        columns = labels.T.tolist()
        out: list[list[str]] = [[] for _ in spans]
        for rank, p in enumerate(order):
            out[p] = [names[x] for x in columns[rank][: lengths[p]]]
        return out


#: A value cache is emptied (before a doc) once it holds this many values: bounded memory.
MAX_VALUES = 200_000
_PAIR = 1 << 32  # pair keys: (first + 1) * _PAIR + (second + 1), -1 standing for "none"


class _Values:
    """The distinct values of one token attribute seen so far, each with a code, and per
    feature template the model row of every code (filled as values arrive)."""

    def __init__(self, model: CrfModel) -> None:
        self.model = model
        self.index: dict[str, int] = {}
        self.values: list[str] = []
        self.tables: dict[str, Any] = {}
        self.pairs: dict[str, dict[int, int]] = {}

    def codes(self, values: list[str]) -> Any:
        """The code of each value (new values get new codes)."""
        index = self.index
        try:
            return np.array([index[v] for v in values], dtype=np.intp)
        except KeyError:
            for v in values:
                if v not in index:
                    index[v] = len(self.values)
                    self.values.append(v)
            return np.array([index[v] for v in values], dtype=np.intp)

    def rows(self, prefix: str, suffix: str = "", make: Any = None) -> Any:
        """The model row of ``prefix + value + suffix`` (``make(value)`` for ``value`` if given)
        for every code. One template, one ``(prefix, suffix)``; ``make`` goes with its prefix."""
        key = prefix + "\0" + suffix
        table = self.tables.get(key)
        have = 0 if table is None else len(table)
        if have < len(self.values):
            new = self.values[have:]
            get, zero = self.model.index.get, self.model.zero
            more = np.array(
                [get(prefix + (make(v) if make else v) + suffix, zero) for v in new], dtype=np.intp
            )
            table = more if table is None else np.concatenate((table, more))
            self.tables[key] = table
        return table

    def pair_rows(self, prefix: str, first: Any, second: Any, none: str) -> Any:
        """The model row of ``prefix + value(first) + "|" + value(second)`` per token, a code
        of -1 standing for ``none``."""
        cache = self.pairs.setdefault(prefix, {})
        keys = (first + 1) * _PAIR + (second + 1)
        distinct, inverse = np.unique(keys, return_inverse=True)
        values = self.values
        out = []
        for key in distinct.tolist():
            row = cache.get(key)
            if row is None:
                a, b = key // _PAIR - 1, key % _PAIR - 1
                text = prefix + (values[a] if a >= 0 else none) + "|" + (values[b] if b >= 0 else none)
                row = cache[key] = self.model.id(text)
            out.append(row)
        return np.array(out, dtype=np.intp)[inverse]

    def trim(self) -> None:
        """Forget everything once past ``MAX_VALUES`` values (call between docs)."""
        if len(self.values) > MAX_VALUES:
            self.index, self.values, self.tables, self.pairs = {}, [], {}, {}


class CrfTagger:
    """Tags the paragraphs of a doc with a :class:`CrfModel`, from the doc's :class:`.features.Table`.

    Keeps, for the process, the distinct words, lemmas, tags ... it has seen with their
    model rows per feature template, so a doc costs one dict look-up per token and
    attribute plus numpy gathers (emptied past ``MAX_VALUES`` values: bounded memory).
    """

    def __init__(self, model: CrfModel) -> None:
        self.model = m = model
        self.lower, self.lemma, self.text = _Values(m), _Values(m), _Values(m)
        self.pos, self.tag, self.dep, self.ent = _Values(m), _Values(m), _Values(m), _Values(m)
        self.bias = m.id("b")
        self.sent_start = m.id("sent_start")
        self.after_cue = m.id("after_cue")
        self.edges = [m.id(f"{off}=EDGE") for off in OFFSETS]
        self.qpara = (m.id("qpara=False"), m.id("qpara=True"))
        self.quote = m.ids("q=", list(QUOTES))
        self.quote_win = [m.ids(f"{off}q=", list(QUOTES)) for off in OFFSETS]
        self.cue = m.ids("cue=", list(BUCKETS))
        self.hcue = m.ids("hcue=", list(BUCKETS))
        self.cue_win = [m.ids(f"{off}cue=", list(BUCKETS)) for off in OFFSETS]
        self.hops = m.ids("anc_hops=", ["0", "1", "2", "3"])
        self.kid = m.ids("kid=", list(KIDS))
        # "scue=" + L/R/C flags (bit 1: a strong cue on the left, 2: on the right, 4: this
        # token is one), alone and with the quote state
        sides = ["scue=" + "L" * (s & 1) + "R" * (s >> 1 & 1) + "C" * (s >> 2 & 1) for s in range(8)]
        self.side = m.ids("", sides)
        self.side_q = np.array([m.ids(s + "|q=", list(QUOTES)) for s in sides])

    def tags(self, tab: Table, paras: list[tuple[int, int]]) -> list[list[str] | None]:
        """The tags of every token of each paragraph (``None`` for a blank one), as python-crfsuite's."""
        blank = [all(tab.space[i:j]) for i, j in paras]
        todo = [p for p, b in zip(paras, blank, strict=True) if not b]
        if not todo:
            return [None] * len(paras)
        tagged = iter(self.model.viterbi(self.state_scores(tab, todo), todo))
        return [None if b else next(tagged) for b in blank]

    def state_scores(self, tab: Table, paras: list[tuple[int, int]]) -> Any:
        """(tokens x labels) state scores of the doc: each slot's weight rows added in order."""
        weights = self.model.weights
        out = np.zeros((tab.n, weights.shape[1]))
        for col in self.columns(tab, paras):
            out += weights[col]
        return out

    def columns(self, tab: Table, paras: list[tuple[int, int]]) -> list[Any]:
        """The model rows of every token's features, one array per feature slot, the slots in
        the order :func:`.features.sequence_features` lists the features (``zero`` where a
        token lacks the feature or the model the attribute). ``paras``: the (non-blank)
        paragraphs; tokens outside them get rows too, never used."""
        zero = self.model.zero
        n = tab.n
        ar = np.arange(n)
        for values in (self.lower, self.lemma, self.text, self.pos, self.tag, self.dep, self.ent):
            values.trim()
        # each token's paragraph range, quote state and whether its paragraph has a quote mark
        lo = np.zeros(n, dtype=np.intp)
        hi = np.zeros(n, dtype=np.intp)
        quote = np.zeros(n, dtype=np.intp)
        qpara = np.full(n, self.qpara[0], dtype=np.intp)
        qcode = {"in": 0, "out": 1, "q": 2}
        for i, j in paras:
            lo[i:j] = i
            hi[i:j] = j
            states = _quote_states(tab.text, i, j)
            quote[i:j] = [qcode[s] for s in states]
            if "q" in states:
                qpara[i:j] = self.qpara[1]
        lower = self.lower.codes(tab.lower)
        lemma = self.lemma.codes(tab.lemma)
        pos = self.pos.codes(tab.pos)
        dep = self.dep.codes(tab.dep)
        tag = self.tag.codes(tab.tag)
        text = self.text.codes(tab.text)
        ent = self.ent.codes(tab.ent)
        bcode = {b: k for k, b in enumerate(BUCKETS)}
        bucket = np.array([bcode[b] for b in tab.bucket], dtype=np.intp)
        head = np.array(tab.head, dtype=np.intp)
        hb = bucket[head]
        sent_start = np.array(tab.sent_start, dtype=bool)

        def where(mask: Any, rows: Any) -> Any:
            return np.where(mask, rows, zero)

        # the nearest strong ("hi") cue on each side within the token's sentence, cut at the
        # paragraph: segments start at paragraph starts, sentence starts and tokens outside
        begins = sent_start | (ar == lo) | (hi == 0)
        seg_lo = np.maximum.accumulate(np.where(begins, ar, 0))
        ends = np.append(begins[1:], True)  # the last token of a segment
        seg_hi = np.minimum.accumulate(np.where(ends, ar + 1, n)[::-1])[::-1]
        strong = bucket == 3
        left = np.full(n, -1, dtype=np.intp)
        left[1:] = np.maximum.accumulate(np.where(strong, ar, -1))[:-1]
        left = np.where(left >= seg_lo, left, -1)
        right = np.full(n, n, dtype=np.intp)
        right[:-1] = np.minimum.accumulate(np.where(strong, ar, n)[::-1])[::-1][1:]
        right = np.where(right < seg_hi, right, n)
        side = (left >= 0) * 1 + (right < n) * 2 + strong * 4
        lemma_none = np.append(lemma, -1)  # index n (no cue on the right) and -1 (none on the left)
        near = self.lemma.pair_rows("sl=", lemma_none[left], lemma_none[right], "-")

        # the nearest "hi" or "mid" cue among the ancestors (at most MAX_HOPS steps up)
        found = np.zeros(n, dtype=bool)
        a_child = np.zeros(n, dtype=np.intp)
        a_node = np.zeros(n, dtype=np.intp)
        a_hops = np.zeros(n, dtype=np.intp)
        child = ar.copy()
        node = head.copy()
        active = node != child
        for step in range(MAX_HOPS):
            if not active.any():
                break
            hit = active & (bucket[node] >= 2)
            found |= hit
            a_child[hit] = child[hit]
            a_node[hit] = node[hit]
            a_hops[hit] = min(step, 3)
            active &= ~hit
            child = np.where(active, node, child)
            node = np.where(active, head[node], node)
            active &= node != child
        cd = dep[a_child]
        is_hi = bucket[a_node] == 3
        on_left = ar < a_node
        t_left = np.array(tab.left, dtype=np.intp)
        t_right = np.array(tab.right, dtype=np.intp)

        # the dependency labels among each token's children (for "kid=")
        kid_of = {d: k for k, d in enumerate(KIDS)}
        dep_kid = np.array([kid_of.get(d, -1) for d in self.dep.values], dtype=np.intp)[dep]
        kids = np.zeros((n, len(KIDS)), dtype=bool)
        has = (head != ar) & (dep_kid >= 0)
        kids[head[has], dep_kid[has]] = True

        # "w-1|w=" + the previous lower-case word in the paragraph ("^" at its start) + "|" + word
        prev = np.full(n, -1, dtype=np.intp)
        prev[1:] = lower[:-1]
        bigram = self.lower.pair_rows("w-1|w=", np.where(ar > lo, prev, -1), lower, "^")

        cue_k = bucket != 0
        cue_h = hb != 0
        deps, lowers, lemmas, poss = self.dep, self.lower, self.lemma, self.pos
        dep_hcue = np.where(
            hb == 3,
            deps.rows("d|hcue=", "|hi")[dep],
            np.where(
                hb == 2,
                deps.rows("d|hcue=", "|mid")[dep],
                np.where(
                    hb == 1,
                    deps.rows("d|hcue=", "|lo")[dep],
                    deps.rows("d|hcue=", "|no")[dep],
                ),
            ),
        )
        cols: list[Any] = [
            np.full(n, self.bias, dtype=np.intp),
            lowers.rows("w=")[lower],
            lemmas.rows("l=")[lemma],
            poss.rows("p=")[pos],
            self.tag.rows("t=")[tag],
            deps.rows("d=")[dep],
            self.text.rows("s=", make=_shape)[text],
            lowers.rows("suf=", make=lambda v: v[-3:])[lower],
            self.cue[bucket],
            self.quote[quote],
            deps.rows("hd=")[dep[head]],
            poss.rows("hp=")[pos[head]],
            self.hcue[hb],
            dep_hcue,
            self.ent.rows("e=")[ent],
            self.side[side],
            near,
            self.side_q[side, quote],
            qpara,
            where(cue_h, lemmas.rows("hl=")[lemma[head]]),
            where(cue_k, lemmas.rows("cl=")[lemma]),
        ]
        for k in range(len(KIDS)):
            cols.append(where(cue_k & kids[:, k], self.kid[k]))
        cols += [
            where(sent_start, self.sent_start),
            where(found, deps.rows("anc=")[cd]),
            where(found, np.where(is_hi, deps.rows("anc|b=", "|hi")[cd], deps.rows("anc|b=", "|mid")[cd])),
            where(found, self.hops[a_hops]),
            where(
                found, np.where(on_left, deps.rows("anc|side=", "|L")[cd], deps.rows("anc|side=", "|R")[cd])
            ),
            where(found & (t_left[a_child] == ar), deps.rows("anc_left=")[cd]),
            where(found & (t_right[a_child] == ar), deps.rows("anc_right=")[cd]),
            where(found & (ar == a_node + 1), self.after_cue),
        ]
        for w, off in enumerate(OFFSETS):
            at = ar + off
            inside = (at >= lo) & (at < hi)
            at = np.clip(at, 0, n - 1)
            cols.append(np.where(inside, lowers.rows(f"{off}w=")[lower[at]], self.edges[w]))
            cols.append(where(inside, poss.rows(f"{off}p=")[pos[at]]))
            cols.append(where(inside, self.cue_win[w][bucket[at]]))
            cols.append(where(inside, self.quote_win[w][quote[at]]))
        cols.append(bigram)
        return cols


def load_crf(path: str | Path) -> CrfTagger:
    """A :class:`CrfTagger` for the crfsuite model file at ``path``."""
    return CrfTagger(CrfModel(path))
