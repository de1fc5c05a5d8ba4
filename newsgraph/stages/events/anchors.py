"""Where and when an event happened: the place and the date its own clause gives.

A time or place expression belongs to an event when its attachment in the parse
leads to the event's trigger before it reaches any other predicate: "rebels
attacked the town on Sunday" (Sunday -> on -> attacked), "Sunday's attack", "talks
were held on Monday" (an event noun takes what the verb it is the subject or object
of takes). In "the investigation continued, an official said Sunday" Sunday belongs
to *said*, not to the investigation, and the investigation gets no date: an event
takes nothing from the reporting verb or from the rest of its sentence.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import Any

#: Deepest walk up the dependency tree (keeps pathological parses linear).
MAX_CLIMB = 12
#: Dependencies by which an event noun is an argument of a verb whose time and place it shares.
NOUN_ARGUMENT_DEPS = frozenset({"nsubj", "nsubjpass", "dobj", "attr"})


class Located:
    """Sorted (start, end, payload) items with their starts, for range look-ups by bisection."""

    def __init__(self, items: list[tuple[int, int, Any]]) -> None:
        self.items = sorted(items, key=lambda x: (x[0], x[1]))
        self.starts = [s for s, _e, _p in self.items]

    def within(self, lo: int, hi: int) -> list[tuple[int, int, Any]]:
        """The items that lie inside ``[lo, hi)``."""
        i, j = bisect_left(self.starts, lo), bisect_right(self.starts, hi)
        return [item for item in self.items[i:j] if item[1] <= hi]


def owner_path(doc: Any, start: int, end: int, trigger_heads: set[int]) -> tuple[Any, str | None]:
    """(the predicate the expression at ``[start, end)`` belongs to, its preposition or None).

    The predicate is the first event trigger or verb met walking up from the
    expression's head; the preposition is the one that introduces the expression
    ("on" in "on Sunday"). ``(None, None)`` when the walk finds nothing.
    """
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return None, None
    node = span.root
    head = node.head
    prep = head.lower_ if node.dep_ == "pobj" and head.dep_ == "prep" else None
    for _ in range(MAX_CLIMB):
        head = node.head
        if head.i == node.i:
            return None, None
        node = head
        if node.i in trigger_heads or node.pos_ in ("VERB", "AUX"):
            return node, prep
    return None, None


def belongs(trigger_head: Any, is_noun: bool, owner: Any, carriers: frozenset[str]) -> bool:
    """Whether an expression owned by ``owner`` belongs to the event headed by ``trigger_head``.

    An event noun shares the time and place of a verb that only carries it (``carriers``:
    "talks were held on Monday", "the attack was on Sunday"), not of a verb that says
    something about it ("the sanctions could damage trade between Turkey and the EU").
    """
    if owner is None:
        return False
    if owner.i == trigger_head.i:
        return True
    return (
        is_noun
        and trigger_head.head.i == owner.i
        and trigger_head.dep_ in NOUN_ARGUMENT_DEPS
        and owner.lemma_.lower() in carriers
    )


def nearest(items: list[tuple[int, int, Any]], anchor: int) -> Any:
    """The payload of the item nearest to ``anchor`` (None for no items)."""
    best = None
    best_d = None
    for s, e, payload in items:
        d = 0 if s <= anchor < e else min(abs(s - anchor), abs(e - anchor))
        if best_d is None or d < best_d:
            best, best_d = payload, d
    return best
