"""The events stage: PLOVER 2.0 events (who did what to whom, where, when, and how firmly).

Triggers, mode cues and participant cues are data (``newsgraph/data/events``); the
rules that apply them to the spaCy parse are in :mod:`.extract`. The stage reads
places, times and attributions when earlier stages filled them, and works
without them (those event fields then stay None). See docs/events.md.
"""

from __future__ import annotations

from ...model import Article
from ...pipeline import BaseStage
from .extract import extract
from .lexicon import PLOVER_CATEGORIES, Lexicon, load_label_map, load_lexicon

__all__ = ["PLOVER_CATEGORIES", "EventsStage", "Lexicon", "load_label_map", "load_lexicon", "make_stage"]


class EventsStage(BaseStage):
    """Fills ``article.events`` from the parse; never re-runs spaCy."""

    name = "events"
    requires = ("doc",)
    provides = ("events",)

    def __init__(self, data_dir: str | None = None) -> None:
        self.lexicon = load_lexicon(data_dir)

    def __call__(self, article: Article) -> Article:
        article.events = extract(article, self.lexicon)
        return article


def make_stage(data_dir: str | None = None) -> EventsStage:
    """The events stage; ``data_dir`` replaces the shipped lexicon directory when given."""
    return EventsStage(data_dir=data_dir or None)
