"""The places stage (placeholder until its issue lands: provides an empty list)."""

from __future__ import annotations

from ..model import Article
from ..pipeline import BaseStage


class PlacesStage(BaseStage):
    requires = ("doc",)
    provides = ("places",)

    def __call__(self, article: Article) -> Article:
        return article


def make_stage() -> PlacesStage:
    return PlacesStage()
