"""``newsgraph eval linking``: cross-article entity linking scored on NP4E, end to end.

Each text of the chosen part is analysed by the configured pipeline and its entities
are linked across all the documents of the part, in file order, as ``newsgraph add``
would link them. Each *scored* gold mention (the named mentions of people,
organisations and places) takes the cross-article entity of the system mention that
overlaps it most; one with no overlapping system mention stays a singleton, and an
entity the linker left unlinked counts as an entity of its own article only. Scores:
MUC, B³, CEAF-e and their mean, the CoNLL F1 (``newsgraph.evaluation.coreference``).
"""

from __future__ import annotations

import json
import re
import tempfile
import time
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..model import Article
from .coreference import conll
from .splits import select

_DATELINE = re.compile(r"^[A-Z][A-Z .,'-]+ (\d{4}-\d{2}-\d{2})\s*$", re.M)

Linker = Callable[[list[tuple[str, Article]]], dict[tuple[str, str], str | None]]


def load(data: str | Path) -> list[dict[str, Any]]:
    """The documents of an NP4E JSON Lines file (see ../shared/data/README.md)."""
    path = Path(data)
    docs = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                doc = json.loads(line)
                _ = (doc["id"], doc["text"], [(m["start"], m["end"], m["cluster"]) for m in doc["mentions"]])
            except (ValueError, KeyError, TypeError) as err:
                raise ConfigError(
                    "E107", path=f"{path}:{number}", detail=f"not an NP4E record ({err})"
                ) from err
            docs.append(doc)
    return docs


def dateline(text: str) -> str | None:
    """The date of a Reuters dateline line ("KINSHASA 1997-02-17"), used as the publication date."""
    found = _DATELINE.search(text[:400])
    return found.group(1) if found else None


def response(
    docs: list[dict[str, Any]], articles: dict[str, Article], links: dict[tuple[str, str], str | None]
) -> tuple[dict[Hashable, Hashable], dict[Hashable, Hashable], dict[str, int]]:
    """Gold and response clusters over the scored gold mentions, and counts."""
    gold: dict[Hashable, Hashable] = {}
    resp: dict[Hashable, Hashable] = {}
    found = unlinked = 0
    for doc in docs:
        article = articles.get(doc["id"])
        spans: list[tuple[int, int, Hashable]] = []
        if article is not None:
            for entity in article.entities:
                corpus_id = links.get((doc["id"], entity.id))
                cluster: Hashable = corpus_id if corpus_id is not None else (doc["id"], entity.id)
                spans.extend((m.start, m.end, cluster) for m in entity.mentions)
        for m in doc["mentions"]:
            if not m.get("scored"):
                continue
            key = (doc["id"], m["start"], m["end"], m["cluster"])  # one span may sit in two chains
            gold[key] = (doc["id"].split("/")[0], m["cluster"])
            best, best_overlap = None, 0
            for start, end, cluster in spans:
                overlap = min(end, m["end"]) - max(start, m["start"])
                if overlap > best_overlap:
                    best, best_overlap = cluster, overlap
            if best is None:
                resp[key] = ("singleton", key)
            else:
                found += 1
                unlinked += isinstance(best, tuple)
                resp[key] = best
    return gold, resp, {"scored_mentions": len(gold), "found": found, "found_unlinked": unlinked}


def evaluate(
    data: str,
    *,
    limit: int | None = None,
    part: str = "report",
    linker: Linker | None = None,
    in_memory: bool = False,
    ng: Any = None,
) -> dict[str, Any]:
    """Analyse, link and score the documents of ``part``.

    By default end to end through ``newsgraph add`` into a temporary SQLite store (the
    linker runs as each article is stored); ``in_memory`` (or another ``linker``, for
    baselines) links the analysed articles without a store. ``ng``: the configured
    facade (from ``eval --config/--profile``), by default ``Newsgraph()``.
    """
    from ..core import Newsgraph

    docs = select("linking-dev", load(data), lambda d: str(d["id"]), part)[:limit]
    ng = ng or Newsgraph()
    started = time.perf_counter()
    if linker is None and not in_memory:
        articles, links = _through_add(ng, docs)
        mode = "newsgraph add, temporary SQLite store"
    else:
        from ..core.linking import link_in_memory

        articles = {
            d["id"]: ng.analyze_text(
                d["text"], input=d["id"], published=dateline(d["text"]), outlet="Reuters"
            )
            for d in docs
        }
        links = (linker or link_in_memory)([(d["id"], articles[d["id"]]) for d in docs])
        mode = "in memory"
    return score(docs, articles, links) | {
        "data": str(data),
        "documents": len(docs),
        "linked_by": mode,
        "seconds": round(time.perf_counter() - started, 2),
    }


def _through_add(
    ng: Any, docs: list[dict[str, Any]]
) -> tuple[dict[str, Article], dict[tuple[str, str], str | None]]:
    """Add the documents, in order, to a new SQLite store; read back articles and links by document id."""
    from ..core.corpus import Corpus
    from ..core.linking import stored_links

    with tempfile.TemporaryDirectory(prefix="newsgraph-eval-linking-") as tmp:
        source = Path(tmp) / "np4e.jsonl"
        with open(source, "w", encoding="utf-8") as handle:
            for d in docs:
                record = {
                    "id": d["id"],
                    "text": d["text"],
                    "published": dateline(d["text"]),
                    "outlet": "Reuters",
                }
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        corpus = Corpus(db=str(Path(tmp) / "np4e.db"), newsgraph=ng)
        try:
            corpus.add([str(source)])
            stored = stored_links(corpus.store)
        finally:
            corpus.close()
    prefix = f"{source}:"
    articles: dict[str, Article] = {}
    links: dict[tuple[str, str], str | None] = {}
    for _, article, article_links in stored:
        doc_id = article.input.removeprefix(prefix)
        articles[doc_id] = article
        for entity_id, corpus_id in article_links.items():
            links[(doc_id, entity_id)] = corpus_id
    return articles, links


def score(
    docs: list[dict[str, Any]], articles: dict[str, Article], links: dict[tuple[str, str], str | None]
) -> dict[str, Any]:
    """The coreference scores of ``links`` against the gold chains of ``docs``."""
    gold, resp, counts = response(docs, articles, links)
    linked = [c for c in links.values() if c is not None]
    return (
        conll(gold, resp)
        | counts
        | {
            "entities_linked": len(linked),
            "entities_unlinked": sum(c is None for c in links.values()),
            "corpus_entities": len(set(linked)),
        }
    )


def no_linking(items: list[tuple[str, Article]]) -> dict[tuple[str, str], str | None]:
    """Baseline: every entity stays an entity of its own article."""
    return {(article_id, e.id): None for article_id, article in items for e in article.entities}


def identical_names(items: list[tuple[str, Article]]) -> dict[tuple[str, str], str | None]:
    """Baseline: entities of the same type and name are one."""
    return {
        (article_id, e.id): f"{e.type}|{e.name}" for article_id, article in items for e in article.entities
    }


def render(report: dict[str, Any]) -> str:
    """A readable table of an ``evaluate`` report."""
    lines = [f"linking on {report['data']} ({report.get('part', '')} part, {report['documents']} documents)"]
    for name in ("muc", "b3", "ceafe"):
        s = report[name]
        lines.append(f"  {name:<7} P {s['precision']:.3f}  R {s['recall']:.3f}  F1 {s['f1']:.3f}")
    lines.append(f"  CoNLL F1 {report['conll_f1']:.3f}")
    lines.append(
        f"  scored gold mentions {report['scored_mentions']}, found by the system {report['found']}; "
        f"{report['corpus_entities']} cross-article entities, {report['entities_unlinked']} entities unlinked"
    )
    return "\n".join(lines)
