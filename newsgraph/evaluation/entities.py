"""``newsgraph eval entities``: how well the entities stage covers PolNeAR's named sources.

There is no entity gold standard in ``../shared/data``; the nearest thing is PolNeAR's
attribution sources. A *named* gold source is a Source span with a capitalised word that
is not a pronoun and not capitalised only because it opens a sentence ("The New York
Post", "Clinton campaign spokesman Brian Fallon"; not "officials", not "He"). Scored:

* ``named_source_coverage``: share of named gold sources overlapped by a mention of a
  PERSON, ORG, NORP, GPE, FAC or LOC entity (what the attribution stage can link);
* ``offset_errors`` / ``removed_errors``: mentions and roles whose offsets do not match
  the text or fall in a removed range (must be 0);
* descriptive: entities and mentions per article, share of people with a role and with a
  gender.

The articles run through the configured facade (the whole pipeline of the user's settings
and profile), exactly as ``newsgraph analyze`` runs them.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any

from .attribution import load_split
from .facade import GoldText, analyse, configured, info_line, run_info
from .splits import select

if TYPE_CHECKING:
    from ..core import Newsgraph

ACTOR_TYPES = frozenset({"PERSON", "ORG", "NORP", "GPE", "FAC", "LOC"})
_PRONOUN_WORDS = "i me my we us our you your he him his she her they them their it its who this that one"
PRONOUNS = frozenset(_PRONOUN_WORDS.split(" "))
_WORD = re.compile(r"[^\W\d_][\w’'.-]*")


def is_named(text: str, start: int, end: int) -> bool:
    """True when the span has a capitalised non-pronoun word that is not just sentence-initial."""
    for m in _WORD.finditer(text, start, end):
        word = m.group()
        if not word[0].isupper() or word.lower() in PRONOUNS or word.lower() in ("the", "a", "an"):
            continue
        before = text[: m.start()].rstrip(" \t\"“‘'(")
        if not before or before[-1] in ".!?:\n":
            continue  # capitalised because it opens a sentence
        return True
    return False


def evaluate(
    data: str, *, limit: int | None = None, part: str = "report", ng: Newsgraph | None = None
) -> dict[str, Any]:
    """Score the configured pipeline's entities (``ng``: the facade) on a PolNeAR split."""
    from ..model import Article, Mention, Problem, Role

    articles = select("polnear-dev", load_split(data), lambda a: a[0], part)[:limit]
    ng = configured(ng)
    started = time.perf_counter()
    results = analyse(ng, [GoldText(name, text) for name, text, _gold in articles])
    seconds = time.perf_counter() - started
    n_named = covered = n_sources = 0
    offset_errors = removed_errors = 0
    n_entities = n_mentions = people = with_role = with_gender = 0
    for (_name, text, gold), article in zip(articles, results, strict=True):
        if isinstance(article, Problem):
            article = Article(text=text)  # not analysed: no entity covers anything
        spans: list[tuple[int, int]] = []
        for ent in article.entities:
            n_entities += 1
            if ent.type == "PERSON":
                people += 1
                with_role += bool(ent.roles)
                with_gender += ent.gender is not None
            facts: list[Mention | Role] = [*ent.mentions, *ent.roles]
            for fact in facts:
                offset_errors += text[fact.start : fact.end] != fact.text
                removed_errors += article.in_removed(fact.start, fact.end)
            n_mentions += len(ent.mentions)
            if ent.type in ACTOR_TYPES:
                spans.extend((m.start, m.end) for m in ent.mentions)
        for g in gold:
            if not g.source:
                continue
            s, e = min(a for a, _ in g.source), max(b for _, b in g.source)
            n_sources += 1
            if is_named(text, s, e):
                n_named += 1
                covered += any(a < e and s < b for a, b in spans)
    n = max(len(articles), 1)
    return {
        "data": str(data),
        "articles": len(articles),
        "gold_sources": n_sources,
        "named_gold_sources": n_named,
        "named_source_coverage": round(covered / n_named, 4) if n_named else 0.0,
        "offset_errors": offset_errors,
        "removed_errors": removed_errors,
        "entities_per_article": round(n_entities / n, 2),
        "mentions_per_entity": round(n_mentions / max(n_entities, 1), 2),
        "people_with_role": round(with_role / max(people, 1), 4),
        "people_with_gender": round(with_gender / max(people, 1), 4),
        "problems": sum(isinstance(r, Problem) for r in results),
        "seconds": round(seconds, 2),
        "part": part,
    } | run_info(ng)


def render(report: dict[str, Any]) -> str:
    """A readable table of an ``evaluate`` report."""
    rows = [
        ("articles", f"{report['articles']}"),
        ("gold sources (named)", f"{report['gold_sources']} ({report['named_gold_sources']})"),
        ("named-source coverage", f"{100 * report['named_source_coverage']:.1f} %"),
        ("offset / removed-range errors", f"{report['offset_errors']} / {report['removed_errors']}"),
        ("entities per article", f"{report['entities_per_article']:.1f}"),
        ("mentions per entity", f"{report['mentions_per_entity']:.2f}"),
        ("people with a role", f"{100 * report['people_with_role']:.1f} %"),
        ("people with a gender", f"{100 * report['people_with_gender']:.1f} %"),
        ("pipeline seconds", f"{report['seconds']:.1f}"),
    ]
    width = max(len(k) for k, _ in rows)
    head = [f"entities on {report['data']}", info_line(report)]
    return "\n".join([*head, *(f"  {k:<{width}}  {v}" for k, v in rows)])
