"""Gold documents through the configured ``Newsgraph`` facade, the way ``newsgraph analyze`` runs them.

Every ``eval`` command scores what a user gets: the text becomes an article with
``ingest.text_article`` (the same checks and limits as a ``.txt`` input), the
publication date goes into its metadata, and the whole configured pipeline runs
through ``Newsgraph.analyze_many`` (``analyze_paths`` ends there too). The facade
comes from the caller, built from the user's settings file and profile
(``newsgraph eval NAME --config FILE --profile fast``); a stage list is used only
when the user passes one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, NamedTuple

from ..errors import BadInput
from ..ingest import normalise_date, text_article
from ..model import Article, Problem

if TYPE_CHECKING:
    from ..core import Newsgraph


class GoldText(NamedTuple):
    """One gold document to analyse: its id (the article's ``input``), text and publication date."""

    id: str
    text: str
    published: str | None = None


def configured(ng: Newsgraph | None) -> Newsgraph:
    """``ng``, or the facade with the default settings and profile."""
    if ng is not None:
        return ng
    from ..core import Newsgraph

    return Newsgraph()


def analyse(ng: Newsgraph, docs: Iterable[GoldText]) -> list[Article | Problem]:
    """The analysed article (or the ``Problem`` that stopped it) of each document, in order."""
    items: list[Article | Problem] = []
    for doc in docs:
        try:
            article = text_article(doc.id, doc.text, ng.limits)
        except BadInput as err:
            items.append(Problem(doc.id, err.code, f"{doc.id}: {err}"))
            continue
        article.metadata.published = normalise_date(doc.published) or doc.published
        items.append(article)
    return list(ng.analyze_many(items))


def run_info(ng: Newsgraph) -> dict[str, Any]:
    """What was scored: the profile, the settings files and the stages that ran."""
    return {
        "profile": ng.settings.profile,
        "settings": list(ng.settings.sources),
        "stages": list(ng.pipeline.names),
    }


def info_line(report: dict[str, Any]) -> str:
    """One line naming the part, profile and stages of a report (for the readable renderings)."""
    stages = report.get("stages")
    return (
        f"part: {report.get('part', '?')}; profile: {report.get('profile', '?')}; "
        f"settings: {' + '.join(report.get('settings', [])) or '?'}"
        + (f"; stages: {', '.join(stages)}" if stages else "")
    )
