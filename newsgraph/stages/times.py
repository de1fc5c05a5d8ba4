"""The times stage (placeholder until its issue lands: provides an empty list)."""

from __future__ import annotations

from ..model import Article
from ..pipeline import BaseStage


class TimesStage(BaseStage):
    requires = ("doc",)
    provides = ("times",)

    def __call__(self, article: Article) -> Article:
        return article


def make_stage() -> TimesStage:
    return TimesStage()
