"""The entities stage (placeholder until its issue lands: provides an empty list)."""

from __future__ import annotations

from ..model import Article
from ..pipeline import BaseStage


class EntitiesStage(BaseStage):
    requires = ("doc",)
    provides = ("entities",)

    def __call__(self, article: Article) -> Article:
        return article


def make_stage() -> EntitiesStage:
    return EntitiesStage()
