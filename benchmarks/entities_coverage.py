"""How well the entities stage covers the named sources of PolNeAR, plus descriptive figures.

Usage::

    .venv/bin/python benchmarks/entities_coverage.py [--data ../shared/data/polnear/dev] [--limit N] [--json]

There is no entity gold standard in ``../shared/data``; the nearest thing is PolNeAR's
attribution sources. A *named* gold source is a Source span with a capitalised word
that is not a pronoun and not only capitalised because it starts a sentence
("The New York Post", "Clinton campaign spokesman Brian Fallon"; not "officials",
not "He"). Scored:

* ``named_source_coverage``: share of named gold sources overlapped by a mention of
  a PERSON, ORG, NORP, GPE, FAC or LOC entity (what the attribution stage can link);
* ``offset_errors`` / ``removed_errors``: facts whose offsets do not match the text or
  fall in a removed range (must be 0);
* descriptive: entities and mentions per article, share of people with a role and
  with a gender, entities stage milliseconds per article (spaCy excluded).

It exposes ``evaluate(data, *, limit=None) -> dict`` and ``render(report) -> str``
like the modules under ``newsgraph/evaluation``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "polnear" / "dev"
ACTOR_TYPES = frozenset({"PERSON", "ORG", "NORP", "GPE", "FAC", "LOC"})
_PRONOUN_WORDS = "i me my we us our you your he him his she her they them their it its who this that one"
PRONOUNS = frozenset(_PRONOUN_WORDS.split(" "))
_WORD = re.compile(r"[^\W\d_][\w’'.-]*")


def _gold_sources(ann: Path) -> list[tuple[int, int]]:
    out = []
    for line in ann.read_text(encoding="utf-8").splitlines():
        cols = line.split("\t")
        if len(cols) < 2 or not cols[0].startswith("T"):
            continue
        label, _, ranges = cols[1].partition(" ")
        if label != "Source":
            continue
        nums = [int(n) for n in re.findall(r"\d+", ranges)]
        if nums:
            out.append((min(nums), max(nums)))
    return out


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


def evaluate(data: str, *, limit: int | None = None) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    from newsgraph.core import Newsgraph
    from newsgraph.model import Article, Mention, Role

    base = Path(data)
    texts = sorted((base / "text").glob("*.txt"))
    if limit is not None:
        texts = texts[:limit]
    ng = Newsgraph(stages=["clean", "parse", "entities"])
    stages = {s.name: s for s in ng.pipeline.stages}
    n_named = covered = n_sources = 0
    offset_errors = removed_errors = 0
    n_entities = n_mentions = people = with_role = with_gender = 0
    stage_seconds = 0.0
    for path in texts:
        text = path.read_text(encoding="utf-8")
        article = Article(text=text, input=path.name)
        article = stages["parse"](stages["clean"](article))
        start = time.perf_counter()
        article = stages["entities"](article)
        stage_seconds += time.perf_counter() - start
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
            for m in ent.mentions:
                n_mentions += 1
                if ent.type in ACTOR_TYPES:
                    spans.append((m.start, m.end))
        anns = sorted((base / "attributions").glob(path.stem + "_*.ann"))
        if not anns:
            continue
        for s, e in _gold_sources(anns[0]):
            n_sources += 1
            if not is_named(text, s, e):
                continue
            n_named += 1
            covered += any(a < e and s < b for a, b in spans)
    n = max(len(texts), 1)
    return {
        "data": str(base),
        "articles": len(texts),
        "gold_sources": n_sources,
        "named_gold_sources": n_named,
        "named_source_coverage": covered / n_named if n_named else 0.0,
        "offset_errors": offset_errors,
        "removed_errors": removed_errors,
        "entities_per_article": n_entities / n,
        "mentions_per_entity": n_mentions / max(n_entities, 1),
        "people_with_role": with_role / max(people, 1),
        "people_with_gender": with_gender / max(people, 1),
        "stage_ms_per_article": 1000 * stage_seconds / n,
    }


def render(report: dict[str, Any]) -> str:
    rows = [
        ("articles", f"{report['articles']}"),
        ("gold sources (named)", f"{report['gold_sources']} ({report['named_gold_sources']})"),
        ("named-source coverage", f"{100 * report['named_source_coverage']:.1f} %"),
        ("offset / removed-range errors", f"{report['offset_errors']} / {report['removed_errors']}"),
        ("entities per article", f"{report['entities_per_article']:.1f}"),
        ("mentions per entity", f"{report['mentions_per_entity']:.2f}"),
        ("people with a role", f"{100 * report['people_with_role']:.1f} %"),
        ("people with a gender", f"{100 * report['people_with_gender']:.1f} %"),
        ("entities stage ms/article", f"{report['stage_ms_per_article']:.2f}"),
    ]
    width = max(len(k) for k, _ in rows)
    return "\n".join([f"entities on {report['data']}", *(f"  {k:<{width}}  {v}" for k, v in rows)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    report = evaluate(args.data, limit=args.limit)
    print(json.dumps(report, indent=2) if args.json else render(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
