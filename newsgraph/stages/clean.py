"""The clean stage (being written): records boilerplate as removed ranges and marks subheads."""

from __future__ import annotations

from ..model import Article
from ..pipeline import BaseStage


class CleanStage(BaseStage):
    requires = ("text",)
    provides = ("removed", "subheads")

    def __call__(self, article: Article) -> Article:
        return article


def make_stage() -> CleanStage:
    return CleanStage()
