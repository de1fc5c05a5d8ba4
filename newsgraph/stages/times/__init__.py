"""The times stage: TIMEX3 time expressions normalised against the publication date.

Fills ``article.times`` with ``model.Time`` facts (DATE, TIME, DURATION, SET).
Recognition is a regex grammar (``grammar.py``) run once over the masked text;
values are resolved against ``article.metadata.published`` with the tense of the
governing verb (read from the spaCy parse already on ``article.doc``) deciding
whether "Sunday" or "September" is the last one or the next one.

Without a usable publication date, relative expressions keep ``value=None``, only
absolute ones ("March 2023", "2015") are resolved, and a warning says why.
"""

from __future__ import annotations

from typing import Any

from ...model import Article, Time
from ...pipeline import BaseStage
from . import calendar as C
from .grammar import Found, Grammar

__all__ = ["Grammar", "TimesStage", "make_stage", "tense_at"]

# Modal auxiliaries put a weekday or month ahead ("could meet on Friday"); measured on TimeBank.
_FUTURE_AUX = {"will", "'ll", "shall", "wo", "would", "can", "could", "may", "might", "should", "must"}
_GRAMMAR: Grammar | None = None


def _grammar() -> Grammar:
    global _GRAMMAR
    if _GRAMMAR is None:
        _GRAMMAR = Grammar()
    return _GRAMMAR


def tense_at(doc: Any, start: int, end: int) -> str:
    """The tense ("past", "future", "unknown") of the verb governing ``doc`` chars [start, end)."""
    if doc is None:
        return C.UNKNOWN
    try:
        span = doc.char_span(start, end, alignment_mode="expand")
    except (ValueError, IndexError):
        return C.UNKNOWN
    if span is None or len(span) == 0:
        return C.UNKNOWN
    tok = span.root
    for _ in range(6):
        if tok.pos_ in ("VERB", "AUX") and tok.dep_ not in ("aux", "auxpass"):
            break
        if tok.head is tok:
            break
        tok = tok.head
    else:
        return C.UNKNOWN
    if tok.pos_ not in ("VERB", "AUX"):
        return C.UNKNOWN
    auxes = [c for c in tok.children if c.dep_ in ("aux", "auxpass")]
    for a in auxes:
        low = a.lower_
        if low in _FUTURE_AUX:
            return C.FUTURE
    if any(a.lower_ == "going" for a in auxes):
        return C.FUTURE
    if tok.tag_ == "VB" and any(a.lower_ == "to" for a in auxes):
        return C.FUTURE
    if tok.tag_ in ("VBD", "VBN") or any(a.tag_ == "VBD" for a in auxes):
        return C.PAST
    if any(a.lower_ in ("has", "have") for a in auxes):
        return C.PAST
    if tok.tag_ == "VBG" and any(a.tag_ in ("VBZ", "VBP") for a in auxes):
        return C.FUTURE  # "is meeting on Friday": arranged future
    return "present" if tok.tag_ in ("VBZ", "VBP") else C.UNKNOWN


class TimesStage(BaseStage):
    """Finds and normalises time expressions; needs the parse only for tense."""

    requires = ("doc",)
    provides = ("times",)

    def __init__(self, resolve_relative: bool = True) -> None:
        self.resolve_relative = resolve_relative
        self.grammar = _grammar()

    def __call__(self, article: Article) -> Article:
        published = article.metadata.published
        anchor = C.parse_anchor(published) if self.resolve_relative else None
        if self.resolve_relative:
            if published is None or str(published).strip() == "":
                article.warnings.append("no publication date: relative time expressions not resolved")
            elif anchor is None:
                article.warnings.append(
                    f"publication date {published!r} is not a valid ISO date: "
                    "relative time expressions not resolved"
                )
        doc = article.doc
        text = article.masked_text()

        def tense(start: int, end: int) -> str:
            return tense_at(doc, start, end)

        found: list[Found] = self.grammar.find(text, anchor, tense)
        times: list[Time] = []
        for f in found:
            if article.in_removed(f.start, f.end):
                continue
            value = f.value if (anchor is not None or not f.relative) else None
            times.append(
                Time(
                    id=f"T{len(times) + 1}",
                    text=article.text[f.start : f.end],
                    start=f.start,
                    end=f.end,
                    value=value,
                    type=f.type,
                )
            )
        article.times = times
        return article


def make_stage(resolve_relative: bool = True) -> TimesStage:
    return TimesStage(resolve_relative=resolve_relative)
