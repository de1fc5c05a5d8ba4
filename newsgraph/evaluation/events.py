"""``newsgraph eval events``: PLOVER event categories against the PLOVER gold-standard records.

Reads ``PLOVER_GSR_CAMEO.txt`` (a JSON list of coded example sentences from the
CAMEO manual; ``DOCUMENT`` records are skipped). Gold labels are PLOVER 0.5
(FIGHT, DEMAND, ...) and are mapped to PLOVER 2.0 with
``newsgraph/data/events/plover05_to_20.toml``.

Each sentence runs through the configured facade (the whole pipeline of the user's
settings and profile), exactly as ``newsgraph analyze`` runs it. The *top event* of a
sentence is the event whose trigger is nearest the root of the dependency tree
(fewest head-to-head hops), ties going to the earliest: the governing event of
"agreed to cooperate" is AGREE, of "threatened to attack" THREATEN.

Scores: accuracy (top event has the gold category; a sentence without events
counts as wrong), coverage (share of sentences with any event), accuracy on the
covered sentences, any-event accuracy (the gold category is among all predicted
events), per-category accuracy, the most frequent confusions, and actor accuracy
(the top event's actor overlaps a gold ``source`` actorText in the sentence).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..model import Article
from .facade import GoldText, analyse, configured, info_line, run_info
from .splits import select

if TYPE_CHECKING:
    from ..core import Newsgraph

GSR_FILE = Path("gold_standard_records") / "PLOVER_GSR_CAMEO.txt"


def _gsr_path(data: str) -> Path:
    path = Path(data)
    if path.is_dir():
        for candidate in (path / GSR_FILE, path / "plover" / GSR_FILE, path / GSR_FILE.name):
            if candidate.exists():
                return candidate
    return path


def load(data: str, limit: int | None = None) -> list[dict[str, Any]]:
    """The scorable gold records: ``id``, ``text``, 0.5 ``label``, 2.0 ``category``, ``sources``."""
    from ..stages.events import load_label_map

    label_map = load_label_map()
    raw = json.loads(_gsr_path(data).read_text(encoding="utf-8"))
    out: list[dict[str, Any]] = []
    for rec in raw:
        label = str(rec.get("event", ""))
        category = label_map.get(label, "")
        text = rec.get("text")
        if not category or not isinstance(text, str) or not text.strip():
            continue
        out.append(
            {
                "id": rec.get("id", ""),
                "text": text,
                "label": label,
                "category": category,
                "sources": _names(rec.get("source")),
                "targets": _names(rec.get("target")),
            }
        )
        if limit is not None and len(out) >= limit:
            break
    return out


def _names(actors: Any) -> list[str]:
    """The ``actorText`` of a gold ``source`` or ``target`` list ("" and missing: none)."""
    if not isinstance(actors, list):
        return []
    return [a.get("actorText", "") for a in actors if isinstance(a, dict) and a.get("actorText")]


def _depth(tok: Any) -> int:
    depth = 0
    while tok.head != tok and depth < 50:
        tok = tok.head
        depth += 1
    return depth


def top_event(article: Any) -> Any:
    """The event whose trigger is nearest the root of the parse (ties: earliest), or None."""
    if not article.events:
        return None
    doc = article.doc
    if doc is None:
        return article.events[0]

    def rank(ev: Any) -> tuple[int, int]:
        span = doc.char_span(ev.trigger.start, ev.trigger.end, alignment_mode="expand")
        if span is None or len(span) == 0:
            return (99, ev.trigger.start)
        return (min(_depth(t) for t in span), ev.trigger.start)

    return min(article.events, key=rank)


def _overlaps(text: str, part: Any, names: list[str]) -> bool:
    """Whether the participant ``part`` overlaps an occurrence of one of the gold ``names``."""
    if part is None:
        return False
    for name in names:
        if not name:
            continue
        pos = text.find(name)
        while pos >= 0:
            if pos < part.end and part.start < pos + len(name):
                return True
            pos = text.find(name, pos + 1)
    return False


def _actor_ok(text: str, ev: Any, sources: list[str]) -> bool:
    return ev is not None and _overlaps(text, ev.actor, sources)


class _Role:
    """Accuracy, precision and swaps of one participant role (actor or target) of top events."""

    def __init__(self) -> None:
        self.gold = self.given = self.right = self.right_given = self.swapped = 0

    def add(self, text: str, part: Any, own: list[str], other: list[str]) -> None:
        right = _overlaps(text, part, own)
        if own:
            self.gold += 1
            self.right += right
        if part is not None and (own or other):
            self.given += 1
            self.right_given += right
            # the other side's actor, and not also this side's (compound SRC/TAR actors)
            self.swapped += not right and _overlaps(text, part, other)

    def report(self) -> dict[str, Any]:
        return {
            "accuracy": round(self.right / self.gold, 4) if self.gold else 0.0,
            "precision": round(self.right_given / self.given, 4) if self.given else 0.0,
            "given": self.given,
            "swapped": self.swapped,
            "sentences": self.gold,
        }


def evaluate(
    data: str,
    *,
    limit: int | None = None,
    part: str = "report",
    errors: int = 0,
    ng: Newsgraph | None = None,
) -> dict[str, Any]:
    """Score the configured pipeline's events (``ng``: the facade) on the PLOVER gold-standard records."""
    gold = select("plover-gsr", load(data), lambda g: str(g["id"]), part)[:limit]
    ng = configured(ng)
    t0 = time.perf_counter()
    # A record that cannot be analysed scores as a sentence with no event (kept for alignment).
    articles = [
        r if isinstance(r, Article) else Article(text="")
        for r in analyse(ng, [GoldText(f"gsr-{g['id']}", g["text"]) for g in gold])
    ]
    seconds = time.perf_counter() - t0
    correct = covered = any_ok = actor_ok = actor_n = 0
    actors, targets = _Role(), _Role()
    per_cat: dict[str, Counter[str]] = {}
    confusion: Counter[tuple[str, str]] = Counter()
    mistakes: list[dict[str, Any]] = []
    for g, article in zip(gold, articles, strict=True):
        top = top_event(article)
        pred = top.category if top is not None else "NONE"
        cat = g["category"]
        stats = per_cat.setdefault(cat, Counter())
        stats["n"] += 1
        covered += top is not None
        ok = pred == cat
        correct += ok
        stats["correct"] += ok
        any_ok += any(e.category == cat for e in article.events)
        if not ok:
            confusion[(cat, pred)] += 1
            if len(mistakes) < errors:
                mistakes.append(
                    {
                        "id": g["id"],
                        "gold": cat,
                        "pred": pred,
                        "trigger": top.trigger.text if top else None,
                        "text": g["text"],
                    }
                )
        if g["sources"]:
            actor_n += 1
            actor_ok += _actor_ok(g["text"], top, g["sources"])
        if top is not None and top.category == cat:
            # Participants are scored on the events whose category is right: a wrong event's
            # actor has no gold to match.
            actors.add(g["text"], top.actor, g["sources"], g["targets"])
            targets.add(g["text"], top.target, g["targets"], g["sources"])
    n = len(gold)
    report: dict[str, Any] = {
        "data": str(_gsr_path(data)),
        "sentences": n,
        "accuracy": round(correct / n, 4) if n else 0.0,
        "coverage": round(covered / n, 4) if n else 0.0,
        "accuracy_covered": round(correct / covered, 4) if covered else 0.0,
        "any_event_accuracy": round(any_ok / n, 4) if n else 0.0,
        "actor_accuracy": round(actor_ok / actor_n, 4) if actor_n else 0.0,
        "actor_sentences": actor_n,
        "actor": actors.report(),
        "target": targets.report(),
        "per_category": {
            c: {"n": s["n"], "accuracy": round(s["correct"] / s["n"], 4)} for c, s in sorted(per_cat.items())
        },
        "confusions": [{"gold": gc, "pred": pc, "count": k} for (gc, pc), k in confusion.most_common(12)],
        "rule": "top event = trigger nearest the dependency root, ties to the earliest",
        "seconds": round(seconds, 2),
        "part": part,
    } | run_info(ng)
    if errors:
        report["mistakes"] = mistakes
    return report


def render(report: dict[str, Any]) -> str:
    """A readable table of an ``evaluate`` report."""
    lines = [
        f"events: {report['sentences']} PLOVER gold sentences ({report['rule']})",
        info_line(report),
        f"category accuracy        {report['accuracy']:.3f}",
        f"coverage (any event)     {report['coverage']:.3f}",
        f"accuracy when covered    {report['accuracy_covered']:.3f}",
        f"gold among all events    {report['any_event_accuracy']:.3f}",
        f"actor accuracy           {report['actor_accuracy']:.3f} ({report['actor_sentences']} sentences)",
        "",
        "participants of the top events with the right category:",
        f"{'role':<8}{'accuracy':>10}{'precision':>11}{'given':>7}{'swapped':>9}{'gold':>6}",
    ]
    for role in ("actor", "target"):
        r = report[role]
        lines.append(
            f"{role:<8}{r['accuracy']:>10.3f}{r['precision']:>11.3f}{r['given']:>7}{r['swapped']:>9}{r['sentences']:>6}"
        )
    lines += [
        "",
        f"{'category':<12}{'n':>5}{'accuracy':>10}",
    ]
    for cat, s in report["per_category"].items():
        lines.append(f"{cat:<12}{s['n']:>5}{s['accuracy']:>10.3f}")
    if report["confusions"]:
        lines.append("")
        lines.append("most frequent confusions (gold -> predicted):")
        for c in report["confusions"]:
            lines.append(f"  {c['gold']:<10} -> {c['pred']:<10} {c['count']:>3}")
    return "\n".join(lines)
