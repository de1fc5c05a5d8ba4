"""The stage factory table: the only module that knows every stage.

Stage modules are imported lazily, when a pipeline that uses them is built. This module
also holds the few helpers over a spaCy ``Doc`` that several stages share (a stage may
import this package, never another stage).
"""

from __future__ import annotations

from typing import Any

#: Versioned factory names -> "module:function". A user settings file refers to these.
FACTORIES: dict[str, str] = {
    "newsgraph.clean.v1": "newsgraph.stages.clean:make_stage",
    "newsgraph.parse.v1": "newsgraph.stages.parse:make_stage",
    "newsgraph.entities.v1": "newsgraph.stages.entities:make_stage",
    "newsgraph.times.v1": "newsgraph.stages.times:make_stage",
    "newsgraph.places.v1": "newsgraph.stages.places:make_stage",
    "newsgraph.attributions.v1": "newsgraph.stages.attributions:make_stage",
    "newsgraph.events.v1": "newsgraph.stages.events:make_stage",
}


def doc_text(doc: Any) -> str:
    """``doc.text``, joined from the token strings without creating ``Token`` objects.

    spaCy's ``Doc.text`` joins ``t.text_with_ws`` over every token on each access; this is
    the same string (each token's text, plus a space where it has trailing whitespace).
    """
    if not len(doc):
        return ""
    from spacy.attrs import ORTH, SPACY

    strings = doc.vocab.strings
    orth, space = doc.to_array([ORTH, SPACY]).T.tolist()
    names = {h: strings[h] for h in set(orth)}
    return "".join([names[h] + " " if s else names[h] for h, s in zip(orth, space, strict=True)])


def sentence_bounds(doc: Any) -> list[tuple[int, int]]:
    """``(start, end)`` token bounds of ``doc.sents``, read without creating ``Token`` objects.

    The same sentences as spaCy's ``Doc.sents`` (a sentence starts at token 0 and at each
    token whose ``sent_start`` is 1), which walks every token of the doc on each call.
    """
    if not doc.has_annotation("SENT_START"):
        return [(s.start, s.end) for s in doc.sents]  # raises as Doc.sents does
    from spacy.attrs import SENT_START

    n = len(doc)
    if n == 0:
        return []  # an empty doc has no sentence (and counts as annotated)
    flags = doc.to_array(SENT_START).reshape(-1).astype("int64")
    starts = [0, *((flags[1:] == 1).nonzero()[0] + 1).tolist()]
    return list(zip(starts, [*starts[1:], n], strict=True))
