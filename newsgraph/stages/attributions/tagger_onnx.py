"""The learned attribution tagger: a fine-tuned MiniLM run with onnxruntime (no torch).

all-MiniLM-L6-v2, fine-tuned on PolNeAR train as a word-level BIO tagger
(``newsgraph train attribution``), exported to ONNX and quantised to int8, ships
in ``newsgraph/data/attributions/tagger.onnx`` with its WordPiece vocabulary
(``tagger-tokenizer.json``) and a note (``tagger-onnx.json``).

The words are the doc's non-space spaCy tokens, so the tags line up with the
CRF's and feed the same assembly. Consecutive paragraphs are packed into one
window of at most :data:`MAX_PIECES` word pieces (a ``[SEP]`` between two
paragraphs), so the model sees the neighbouring paragraphs; a paragraph too long
for one window is cut into overlapping windows, and each word takes its scores
from the window where it sits farthest from an edge. Each word is scored on its
first word piece; :func:`viterbi` then decodes per paragraph with the BIO
constraint (an ``I-`` tag only after ``B-``/``I-`` of the same role). Training
(:mod:`newsgraph.training.attribution_nn`) builds its windows with the same
:func:`windows`, so the model sees at run time what it saw in training.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ...errors import ConfigError
from .lexicons import DATA

MODEL_NAME = "tagger.onnx"
TOKENIZER_NAME = "tagger-tokenizer.json"
# The word-piece vectors, outside the graph: 8-bit rows with one float scale each (the table
# is frozen in training). A graph with the input VECTORS_INPUT reads them; one without it
# (an earlier single-file export) looks its vectors up itself.
EMBEDDINGS_NAME = "tagger-embeddings.npz"
VECTORS_INPUT = "word_vectors"
LABELS = ("O", "B-SRC", "I-SRC", "B-CUE", "I-CUE", "B-CON", "I-CON")
MAX_PIECES = 256  # word pieces per window, [CLS] and [SEP]s included
PIECES_PER_WORD = 6  # a longer word (a URL) keeps its first pieces only
# Windows per onnxruntime call: one at a time keeps a layer's activations in the CPU's cache
# (16 at a time ran about 25 % slower per word on one core: benchmarks in docs/attribution.md).
BATCH = 1
# Subtracted from the log-probability of "O" before decoding: the fine-tuned model is
# conservative (high precision, low recall); chosen on the tune part of PolNeAR dev.
O_PENALTY = 0.0


@dataclass
class Window:
    """One model input: word-piece ids, and for each scored word its first piece and (para, word)."""

    ids: list[int]
    first: list[int]  # position of each scored word's first piece in ``ids``
    words: list[tuple[int, int]]  # (paragraph index, word index in that paragraph)
    margin: list[int]  # distance in words from the window's cut edge (large = well inside)


def piece_ids(tokenizer: Any, paras: list[list[str]]) -> list[list[list[int]]]:
    """WordPiece ids per word per paragraph (at most :data:`PIECES_PER_WORD` per word)."""
    flat = [w for p in paras for w in p]
    if not flat:
        return [[] for _ in paras]
    enc = tokenizer.encode(flat, is_pretokenized=True, add_special_tokens=False)
    per_word: list[list[int]] = [[] for _ in flat]
    unk = tokenizer.token_to_id("[UNK]")
    for pid, wid in zip(enc.ids, enc.word_ids, strict=True):
        if wid is not None and len(per_word[wid]) < PIECES_PER_WORD:
            per_word[wid].append(pid)
    out: list[list[list[int]]] = []
    k = 0
    for p in paras:
        out.append([per_word[k + n] or [unk] for n in range(len(p))])
        k += len(p)
    return out


def windows(pieces: list[list[list[int]]], cls: int, sep: int, max_pieces: int = MAX_PIECES) -> list[Window]:
    """Pack paragraphs (lists of per-word piece ids) into windows; see the module doc."""
    budget = max_pieces - 2
    out: list[Window] = []
    cur = Window([cls], [], [], [])

    def close() -> None:
        nonlocal cur
        if cur.words:
            cur.ids.append(sep)
            out.append(cur)
        cur = Window([cls], [], [], [])

    for p, words in enumerate(pieces):
        if not words:
            continue
        size = sum(len(w) for w in words)
        if size > budget:  # too long for a window of its own: overlapping windows
            close()
            for lo, hi in _cuts([len(w) for w in words], budget):
                for n in range(lo, hi):
                    cur.first.append(len(cur.ids))
                    cur.words.append((p, n))
                    cur.margin.append(
                        min(n - lo if lo > 0 else budget, hi - 1 - n if hi < len(words) else budget)
                    )
                    cur.ids.extend(words[n])
                close()
            continue
        extra = 1 if cur.words else 0  # the [SEP] between two paragraphs
        if len(cur.ids) - 1 + extra + size > budget:
            close()
            extra = 0
        if extra:
            cur.ids.append(sep)
        for n, w in enumerate(words):
            cur.first.append(len(cur.ids))
            cur.words.append((p, n))
            cur.margin.append(budget)
            cur.ids.extend(w)
    close()
    return out


def _cuts(sizes: list[int], budget: int) -> list[tuple[int, int]]:
    """Word ranges of overlapping windows over one long paragraph (each fits ``budget`` pieces)."""
    cuts = []
    n = len(sizes)
    lo = 0
    while True:
        hi = lo
        used = 0
        while hi < n and used + sizes[hi] <= budget:
            used += sizes[hi]
            hi += 1
        hi = max(hi, lo + 1)
        cuts.append((lo, hi))
        if hi >= n:
            return cuts
        lo = max(lo + 1, lo + (hi - lo) // 2)  # the next window starts half-way into this one


def quantise_rows(table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """8-bit rows and one scale per row (``row ~= q * scale``, symmetric, round to nearest)."""
    peak = np.abs(table).max(axis=1)
    scale = np.where(peak > 0, peak / 127.0, 1.0).astype(np.float32)
    q = np.clip(np.rint(table / scale[:, None]), -127, 127).astype(np.int8)
    return q, scale


def save_embeddings(path: Path, q: np.ndarray, scale: np.ndarray, zero: np.ndarray | None = None) -> Path:
    """Write the 8-bit word-piece table, its row scales and (if any) row zero points (``.npz``)."""
    with path.open("wb") as f:
        if zero is None:
            np.savez(f, q=q, scale=scale)
        else:
            np.savez(f, q=q, scale=scale, zero=zero)
    return path


class WordVectors:
    """The word-piece vectors of a graph that takes them as input: ``(q[id] - zero[id]) * scale[id]``."""

    def __init__(self, path: Path) -> None:
        with np.load(path, allow_pickle=False) as z:
            self.q, self.scale = z["q"], z["scale"].astype(np.float32)
            self.zero = z["zero"].astype(np.float32) if "zero" in z.files else None
        rows = self.q.shape[0] if self.q.ndim == 2 else -1
        if self.q.dtype not in (np.int8, np.uint8) or rows < 1 or self.scale.shape != (rows,):
            raise ConfigError(
                "E107", path=str(path), detail=f"not a word-piece table: {self.q.dtype} {self.q.shape}"
            )
        if self.zero is not None and self.zero.shape != (rows,):
            raise ConfigError("E107", path=str(path), detail="zero points do not match the table")

    def __call__(self, ids: np.ndarray) -> np.ndarray:
        vec = self.q[ids].astype(np.float32)
        if self.zero is not None:
            vec -= self.zero[ids][..., None]
        vec *= self.scale[ids][..., None]
        return vec


def _allowed() -> np.ndarray:
    """``allowed[a, b]``: tag ``b`` may follow tag ``a`` (an I- only after B-/I- of its role)."""
    n = len(LABELS)
    ok = np.ones((n, n), dtype=bool)
    for b, lab in enumerate(LABELS):
        if lab.startswith("I-"):
            role = lab[2:]
            for a, prev in enumerate(LABELS):
                ok[a, b] = prev in ("B-" + role, "I-" + role)
    return ok


ALLOWED = _allowed()
START_OK = np.array([not lab.startswith("I-") for lab in LABELS])


def viterbi(scores: np.ndarray) -> list[str]:
    """The best tag sequence under the BIO constraint for per-word log-probabilities ``scores``."""
    n = scores.shape[0]
    if n == 0:
        return []
    neg = np.float32(-1e9)
    trans = np.where(ALLOWED, np.float32(0), neg)
    best = np.where(START_OK, scores[0], neg)
    back = np.zeros((n, len(LABELS)), dtype=np.int64)
    for k in range(1, n):
        cand = best[:, None] + trans  # [prev, cur]
        back[k] = cand.argmax(axis=0)
        best = cand.max(axis=0) + scores[k]
    tags = [int(best.argmax())]
    for k in range(n - 1, 0, -1):
        tags.append(int(back[k, tags[-1]]))
    tags.reverse()
    return [LABELS[t] for t in tags]


def log_softmax(x: np.ndarray) -> np.ndarray:
    m = x.max(axis=-1, keepdims=True)
    z = x - m
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


class OnnxTagger:
    """Tags paragraphs of words with the shipped (or a given) ONNX model."""

    def __init__(
        self,
        model: Path,
        tokenizer: Path,
        threads: int = 1,
        o_penalty: float = O_PENALTY,
        batch: int = BATCH,
        max_pieces: int = MAX_PIECES,
    ) -> None:
        self.batch = max(1, batch)
        self.max_pieces = max_pieces
        self.o_penalty = o_penalty
        import onnxruntime as ort
        from tokenizers import Tokenizer

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = max(1, threads)
        opts.inter_op_num_threads = 1
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(model), sess_options=opts, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(tokenizer))
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        self.cls, self.sep, self.pad = (self._special(t) for t in ("[CLS]", "[SEP]", "[PAD]"))
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.vectors: WordVectors | None = None
        if VECTORS_INPUT in self.inputs:
            side = model.parent / EMBEDDINGS_NAME
            if not side.exists():
                raise ConfigError(
                    "E107", path=str(side), detail=f"the word-piece vectors of {model.name} are missing"
                )
            self.vectors = WordVectors(side)

    def _special(self, token: str) -> int:
        got = self.tokenizer.token_to_id(token)
        if got is None:
            raise ConfigError("E107", path="tagger tokenizer", detail=f"no {token} token")
        return int(got)

    def logits(self, wins: list[Window]) -> list[np.ndarray]:
        """Per-piece scores of each window, ``[len(ids), len(LABELS)]``, run in length-sorted batches."""
        out: list[np.ndarray] = [np.zeros((0, len(LABELS)), dtype=np.float32)] * len(wins)
        order = sorted(range(len(wins)), key=lambda w: len(wins[w].ids))
        for b in range(0, len(order), self.batch):
            batch = order[b : b + self.batch]
            width = max(len(wins[w].ids) for w in batch)
            ids = np.full((len(batch), width), self.pad, dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for r, w in enumerate(batch):
                ids[r, : len(wins[w].ids)] = wins[w].ids
                mask[r, : len(wins[w].ids)] = 1
            feed = {"input_ids": ids, "attention_mask": mask}
            if self.vectors is not None:
                feed[VECTORS_INPUT] = self.vectors(ids)
            if "token_type_ids" in self.inputs:
                feed["token_type_ids"] = np.zeros_like(ids)
            (res,) = self.session.run(["logits"], feed)
            for r, w in enumerate(batch):
                out[w] = res[r, : len(wins[w].ids)]
        return out

    def tag_words(self, paras: list[list[str]]) -> list[list[str]]:
        """BIO tags (``O``, ``B-SRC`` ... ``I-CON``) for each word of each paragraph."""
        pieces = piece_ids(self.tokenizer, paras)
        wins = windows(pieces, self.cls, self.sep, self.max_pieces)
        scores = [np.zeros((len(p), len(LABELS)), dtype=np.float32) for p in paras]
        margin = [[-1] * len(p) for p in paras]
        for win, logit in zip(wins, self.logits(wins), strict=True):
            lp = log_softmax(logit[win.first])
            for row, (p, n), m in zip(lp, win.words, win.margin, strict=True):
                if m > margin[p][n]:
                    margin[p][n] = m
                    scores[p][n] = row
        for s in scores:
            s[:, 0] -= self.o_penalty
        return [viterbi(s) for s in scores]


def model_paths(path: str | None) -> tuple[Path, Path]:
    """The ONNX model and its tokenizer file (the tokenizer sits beside the model)."""
    model = Path(path) if path else DATA / MODEL_NAME
    tok = model.parent / TOKENIZER_NAME
    for f in (model, tok):
        if not f.exists():
            raise ConfigError(
                "E107",
                path=str(f),
                detail="model file missing. The learned tagger is not shipped (the CRF is the default and"
                " scores higher): build it with `pip install -e '.[train]'` and `newsgraph train attribution"
                " --tagger onnx --data PolNeAR/train --out newsgraph/data/attributions`, or point the"
                " attributions `model` setting at a trained tagger.onnx",
            )
    return model, tok


@lru_cache(maxsize=2)
def load_onnx_tagger(path: str | None = None, threads: int = 1) -> OnnxTagger:
    """The ONNX tagger (opened once per process)."""
    model, tok = model_paths(path)
    return OnnxTagger(model, tok, threads)


def note(path: str | None = None) -> dict[str, Any]:
    """The note that describes the shipped model (training data, command, scores)."""
    model = Path(path) if path else DATA / MODEL_NAME
    side = model.parent / "tagger-onnx.json"
    return json.loads(side.read_text("utf-8")) if side.exists() else {}
