"""Run a tagger over a parsed article: role segments (source / cue / content) per paragraph.

Two taggers give the same kind of per-token tags: the linear-chain CRF (the default,
trained with python-crfsuite over :mod:`.features` and run with numpy by :mod:`.crf`,
which gives python-crfsuite's own tags) and the learned MiniLM tagger run with
onnxruntime (``tagger = "onnx"``, :mod:`.tagger_onnx`).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ...errors import ConfigError
from .crf import CrfTagger, load_crf
from .features import Table, sequence_features, table_paragraphs
from .lexicons import DATA, Lexicons

MODEL_NAME = "tagger.crfsuite"


@dataclass
class Segment:
    """A run of tokens ``doc[i:j]`` the tagger gave one role (SRC, CUE or CON)."""

    role: str
    i: int
    j: int
    para: int  # paragraph index


@lru_cache(maxsize=2)
def load_tagger(path: str | None = None) -> CrfTagger:
    """The CRF tagger (read once per process)."""
    model = Path(path) if path else DATA / MODEL_NAME
    if not model.exists():
        raise ConfigError(
            "E107", path=str(model), detail="model file missing: run `newsgraph train attribution`"
        )
    try:
        return load_crf(model)
    except (struct.error, ValueError, IndexError) as err:  # ModelFormatError is a ValueError
        raise ConfigError("E107", path=str(model), detail=f"not a crfsuite CRF model ({err})") from err


def crf_tags(tab: Table, paras: list[tuple[int, int]], tagger: Any) -> list[list[str] | None]:
    """The CRF's tags for every token of each paragraph (``None`` for a blank paragraph).

    ``tagger``: a :class:`.crf.CrfTagger`, or a ``pycrfsuite.Tagger`` (fed the feature
    strings of :func:`.features.sequence_features`: the reference the numpy one is tested on).
    """
    if isinstance(tagger, CrfTagger):
        return tagger.tags(tab, paras)
    out: list[list[str] | None] = []
    for i, j in paras:
        if all(tab.space[i:j]):
            out.append(None)  # a removed range (blanked by the clean stage) or an empty line
        else:
            out.append(tagger.tag(sequence_features(tab, i, j)))
    return out


def onnx_tags(tab: Table, paras: list[tuple[int, int]], tagger: Any) -> list[list[str] | None]:
    """The learned tagger's tags for every token of each paragraph (space tokens filled in).

    The model tags the non-space tokens; a space token inside a paragraph takes
    ``I-`` of the role around it when the next word continues that role, else ``O``.
    """
    words: list[list[str]] = []
    where: list[list[int]] = []
    for i, j in paras:
        ks = [k for k in range(i, j) if not tab.space[k]]
        where.append(ks)
        words.append([tab.text[k] for k in ks])
    tagged = tagger.tag_words(words)
    out: list[list[str] | None] = []
    for (i, j), ks, tags in zip(paras, where, tagged, strict=True):
        if not ks:
            out.append(None)
            continue
        seq = ["O"] * (j - i)
        for k, t in zip(ks, tags, strict=True):
            seq[k - i] = t
        for n in range(1, j - i - 1):
            if tab.space[i + n] and seq[n - 1] != "O":
                nxt = next((seq[m] for m in range(n + 1, j - i) if not tab.space[i + m]), "O")
                if nxt == "I-" + seq[n - 1][2:]:
                    seq[n] = nxt
        out.append(seq)
    return out


def tag_segments(doc: Any, lex: Lexicons, tagger: Any) -> tuple[list[Segment], Table, list[tuple[int, int]]]:
    """Role segments over the whole doc, the doc's token table and its paragraphs.

    ``tagger`` is the CRF (see :func:`crf_tags`) or the learned tagger (anything
    with ``tag_words``, see :mod:`.tagger_onnx`); both give BIO(LU) tags per token.
    """
    tab = Table(doc, lex)
    paras = table_paragraphs(tab)
    tagged = onnx_tags(tab, paras, tagger) if hasattr(tagger, "tag_words") else crf_tags(tab, paras, tagger)
    return segments(tab, paras, tagged), tab, paras


def segments(tab: Table, paras: list[tuple[int, int]], tagged: list[list[str] | None]) -> list[Segment]:
    """Runs of one role from per-token tags of each paragraph."""
    segs: list[Segment] = []
    for p, ((i, _j), tags) in enumerate(zip(paras, tagged, strict=True)):
        if tags is None:
            continue
        cur: Segment | None = None
        for k, tag in enumerate(tags):
            role = tag[2:] if tag != "O" else None
            if role is not None and tab.space[i + k]:
                role = cur.role if cur is not None else None
            if cur is not None and (role != cur.role or tag[:2] in ("B-", "U-")):
                segs.append(cur)
                cur = None
            if role is not None:
                if cur is None:
                    cur = Segment(role, i + k, i + k + 1, p)
                else:
                    cur.j = i + k + 1
                if tag[:2] in ("L-", "U-"):  # BILOU models close the span themselves
                    segs.append(cur)
                    cur = None
        if cur is not None:
            segs.append(cur)
    return segs
