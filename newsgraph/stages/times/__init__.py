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

import calendar as _cal
from typing import Any

from ...model import Article, Time
from ...pipeline import BaseStage
from . import calendar as C
from .grammar import Found, Grammar

__all__ = ["Grammar", "TimesStage", "make_stage", "tense_at"]

# Modal auxiliaries put a weekday or month ahead ("could meet on Friday"); measured on TimeBank.
_FUTURE_AUX = {"will", "'ll", "shall", "wo", "would", "can", "could", "may", "might", "should", "must"}
_WEAK_MODALS = frozenset({"could", "would", "might"})
#: Verbs whose infinitive looks ahead even in the past tense ("planned to leave on Thursday").
_LOOK_AHEAD = frozenset(
    {
        "plan", "intend", "expect", "hope", "want", "aim", "prepare", "promise", "vow", "pledge",
        "threaten", "seek", "agree", "decide", "arrange", "propose", "offer", "ask", "urge",
    }
)  # fmt: skip
#: Nouns whose infinitive looks ahead even under a past verb ("announced an agreement to acquire
#: the bank in January").
_NOUNS_AHEAD = frozenset(
    {
        "plan", "agreement", "deal", "proposal", "offer", "bid", "pact", "accord", "intention",
        "promise", "pledge", "commitment", "contract", "option",
    }
)  # fmt: skip
_MONTHS = frozenset(m.lower() for m in _cal.month_name if m)
_GRAMMAR: Grammar | None = None


def _grammar() -> Grammar:
    global _GRAMMAR
    if _GRAMMAR is None:
        _GRAMMAR = Grammar()
    return _GRAMMAR


def tense_at(doc: Any, start: int, end: int) -> str:
    """The tense of the verb governing ``doc`` chars [start, end).

    "past", "future", "present", "unknown", or "nominal" when the expression modifies a noun
    ("the release Friday of jobs data", "Wednesday's ruling"): the noun's event may lie on
    either side of the verb's time.
    """
    if doc is None:
        return C.UNKNOWN
    try:
        span = doc.char_span(start, end, alignment_mode="expand")
    except (ValueError, IndexError):
        return C.UNKNOWN
    if span is None or len(span) == 0:
        return C.UNKNOWN
    root = span.root
    head = root.head
    if root.dep_ == "compound" and head.i == root.i + 1 and head.pos_ == "NOUN" and root.lower_ in _MONTHS:
        return C.NOMINAL  # "under a June agreement": the month of a thing, no tense
    if (
        head is not root
        and head.pos_ in ("NOUN", "PROPN")
        and root.dep_ in ("npadvmod", "poss", "compound")
        and not (root.dep_ == "compound" and head.i == root.i + 1)
    ):
        return C.NOMINAL
    tok = root
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
    return _verb_tense(tok, 0)


def _verb_tense(tok: Any, depth: int) -> str:
    auxes = [c for c in tok.children if c.dep_ in ("aux", "auxpass")]
    lows = {a.lower_ for a in auxes}
    if tok.tag_ == "VBN" and lows & {"have", "'ve"}:
        return C.PAST  # "could have met on Friday", "would have ended in May"
    if lows & _WEAK_MODALS and not lows & (_FUTURE_AUX - _WEAK_MODALS):
        return C.MODAL
    if lows & _FUTURE_AUX or "going" in lows:
        return C.FUTURE
    if tok.tag_ == "VB" and "to" in lows and tok.dep_ == "acl" and tok.head.lemma_.lower() in _NOUNS_AHEAD:
        return C.FUTURE  # "an agreement to acquire the bank in January"
    if tok.tag_ == "VB" and "to" in lows:
        # An infinitive takes the time of the verb it depends on ("had been due to expire
        # Friday" is past, "plans to meet Friday" future); on its own it looks ahead.
        up = tok.head
        for _ in range(4):
            if up is tok or up.pos_ in ("VERB", "AUX") or up.head is up:
                break
            up = up.head
        if (
            depth < 2
            and up is not tok
            and up.pos_ in ("VERB", "AUX")
            and up.dep_ not in ("aux", "auxpass")
            and up.lemma_.lower() not in _LOOK_AHEAD
            and _verb_tense(up, depth + 1) == C.PAST
        ):
            return C.PAST
        return C.FUTURE
    if any(a.tag_ == "VBD" for a in auxes):
        return C.PAST
    if lows & {"has", "have"}:
        return C.PAST
    if tok.tag_ == "VBN" and any(a.tag_ in ("VBZ", "VBP") for a in auxes):
        return "present"  # "when the case is heard in May"
    if tok.tag_ in ("VBD", "VBN"):
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
        clock = C.anchor_clock(published) if anchor is not None else None
        if clock is not None:
            _before_publication(found, anchor, clock, tense)
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


def _before_publication(found: list[Found], anchor: Any, clock: int, tense: Any) -> None:
    """A clock time later in the day than the publication, with no day of its own and nothing
    in the past tense, was the day before ("10 p.m." in a live blog published at 6 a.m.)."""
    day = anchor.isoformat()
    for f in found:
        if not f.bare_clock or f.value is None or not f.value.startswith(day + "T"):
            continue
        try:
            h, mi = int(f.value[11:13]), int(f.value[14:16])
        except ValueError:
            continue
        if h * 60 + mi <= clock + 30 or tense(f.start, f.end) != C.PAST:
            continue
        prev = C.shift_days(anchor, -1)
        if prev is not None:
            f.value = prev.isoformat() + f.value[10:]


def make_stage(resolve_relative: bool = True) -> TimesStage:
    return TimesStage(resolve_relative=resolve_relative)
