"""Run the shipped CRF over a parsed article: role segments (source / cue / content) per paragraph."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ...errors import ConfigError
from .features import Table, paragraphs, sequence_features
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
def load_tagger(path: str | None = None) -> Any:
    """The CRF tagger (opened once per process)."""
    import pycrfsuite

    model = Path(path) if path else DATA / MODEL_NAME
    if not model.exists():
        raise ConfigError(
            "E107", path=str(model), detail="model file missing: run `newsgraph train attribution`"
        )
    tagger = pycrfsuite.Tagger()
    tagger.open(str(model))
    return tagger


def tag_segments(doc: Any, lex: Lexicons, tagger: Any) -> tuple[list[Segment], Table, list[tuple[int, int]]]:
    """Role segments over the whole doc, the doc's token table and its paragraphs."""
    tab = Table(doc, lex)
    segs: list[Segment] = []
    paras = list(paragraphs(doc))
    for p, (i, j) in enumerate(paras):
        if all(tab.space[i:j]):
            continue  # a removed range (blanked by the clean stage) or an empty line
        tags = tagger.tag(sequence_features(tab, i, j))
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
    return segs, tab, paras
