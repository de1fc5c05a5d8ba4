"""Score the attributions stage on PolNeAR (BRAT standoff) gold data.

Two metric families (see ``../shared/data/README.md``):

1. role-span exact P/R/F1 for source, cue and content. Spans are compared after
   stripping surrounding whitespace, quotation marks and final punctuation. A
   discontiguous span (``s e;s e``) counts as one span per segment, the way a
   BIO tagger (the published BiLSTM-CRF / BERT baselines) sees it.
2. relation level: gold and predicted attributions are paired one-to-one,
   greedily by content Dice (character overlap) >= 0.5; attribution P/R/F1, and
   "who-said-what" F1 where the paired source also overlaps the gold source.
   Broken down by kind (direct = content holds a quotation mark, else indirect)
   and by gold source type (named / pronoun / anonymous / none).

Each article runs through the configured ``Newsgraph`` facade, the whole pipeline of the
user's settings and profile, exactly as ``newsgraph analyze`` runs it. The article's
first line is the headline; it is analysed like the rest.
PolNeAR marks no nested attributions, so predictions with a ``parent`` are left
out of the headline scores (the role-span F1 with them is reported too).
"""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..model import Article, Problem
from .facade import GoldText, analyse, configured, info_line, run_info
from .scoring import prf
from .splits import select

if TYPE_CHECKING:
    from ..core import Newsgraph

QUOTES = "\"'“”‘’«»`"
STRIP = " \t\r\n" + QUOTES
FINAL_PUNCT = ".,;:!?"


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


PRONOUNS = _words("he she they it we i you him her them us me who which that this these those his its their")
# Words that make a gold source span "anonymous" in the breakdown (not used for scoring).
ANON_WORDS = _words(
    "sources source officials official aides aide people person advisers adviser insiders insider "
    "some many others analysts experts critics observers democrats republicans voters"
)


@dataclass
class GoldAttribution:
    """One gold attribution: role segments as (start, end) pairs."""

    source: list[tuple[int, int]] = field(default_factory=list)
    cue: list[tuple[int, int]] = field(default_factory=list)
    content: list[tuple[int, int]] = field(default_factory=list)


_T_LINE = re.compile(r"(T\d+)\t(\w+) ([\d ;]+)\t?")
_E_LINE = re.compile(r"E\d+\t(.*)")


def read_brat(ann: str) -> list[GoldAttribution]:
    """Parse a PolNeAR ``.ann`` file into attributions (E lines tying T spans).

    Span texts may run over several lines in these files, so only the offsets of
    the ``T`` lines are used; continuation lines are skipped.
    """
    spans: dict[str, tuple[str, list[tuple[int, int]]]] = {}
    events: list[list[str]] = []
    for line in ann.splitlines():
        m = _T_LINE.match(line)
        if m:
            tid, label, offsets = m.groups()
            segs = []
            for part in offsets.split(";"):
                nums = part.split()
                if len(nums) == 2:
                    segs.append((int(nums[0]), int(nums[1])))
            spans[tid] = (label, segs)
            continue
        m = _E_LINE.match(line)
        if m:
            events.append(m.group(1).split())
    out = []
    for parts in events:
        gold = GoldAttribution()
        for part in parts:
            role, _, tid = part.partition(":")
            role = re.sub(r"\d+$", "", role)  # "Source2" -> "Source"
            if tid not in spans:
                continue
            segs = spans[tid][1]
            if role == "Source":
                gold.source.extend(segs)
            elif role == "Cue":
                gold.cue.extend(segs)
            elif role == "Content":
                gold.content.extend(segs)
        if gold.content or gold.cue:
            out.append(gold)
    return out


def load_split(data: str | Path, limit: int | None = None) -> list[tuple[str, str, list[GoldAttribution]]]:
    """``(name, text, gold)`` per article of ``DATA/text/*.txt``; first annotator file in sorted order."""
    root = Path(data)
    texts = sorted((root / "text").glob("*.txt"))
    if limit is not None:
        texts = texts[:limit]
    out = []
    for path in texts:
        anns = sorted((root / "attributions").glob(f"{path.stem}_*.ann"))
        # "NAME_x.ann" only: another article's name may start with this one's.
        anns = [a for a in anns if "_" not in a.stem[len(path.stem) + 1 :]]
        gold = read_brat(anns[0].read_text(encoding="utf-8")) if anns else []
        out.append((path.stem, path.read_text(encoding="utf-8"), gold))
    return out


def normalise(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Shrink ``[start, end)`` past surrounding whitespace, quote marks and final punctuation."""
    while True:
        before = (start, end)
        while start < end and text[start] in STRIP:
            start += 1
        while end > start and (text[end - 1] in STRIP or text[end - 1] in FINAL_PUNCT):
            end -= 1
        if (start, end) == before:
            break
    return (start, end) if start < end else None


def _chars(segs: list[tuple[int, int]]) -> set[int]:
    out: set[int] = set()
    for s, e in segs:
        out.update(range(s, e))
    return out


def _dice(a: set[int], b: set[int]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def gold_source_type(text: str, segs: list[tuple[int, int]]) -> str:
    """named / pronoun / anonymous / none, from the words of a gold source span."""
    if not segs:
        return "none"
    words = " ".join(text[s:e] for s, e in segs).lower().split()
    if not words:
        return "none"
    if len(words) == 1 and words[0].strip(",.") in PRONOUNS:
        return "pronoun"
    if any(ch.isupper() for s, e in segs for ch in text[s:e][:1]) and not (set(words) & ANON_WORDS):
        return "named"
    return "anonymous"


def _pred_role_segments(att: Any) -> dict[str, list[tuple[int, int]]]:
    src = [(att.source.start, att.source.end)] if att.source.start is not None else []
    cue = [(att.cue.start, att.cue.end)] if att.cue is not None else []
    if att.content_spans:
        con = [(s.start, s.end) for s in att.content_spans]
    else:
        con = [(att.content.start, att.content.end)]
    return {"source": src, "cue": cue, "content": con}


def score(
    items: list[tuple[str, list[GoldAttribution], list[Any]]],
) -> dict[str, Any]:
    """Both metric families over ``(text, gold, predicted attributions)`` triples."""
    role_tp: Counter[str] = Counter()
    role_pred: Counter[str] = Counter()
    role_gold: Counter[str] = Counter()
    rel = Counter[str]()
    by_kind: dict[str, Counter[str]] = {}
    by_src: dict[str, Counter[str]] = {}
    for text, gold, pred in items:
        for role in ("source", "cue", "content"):
            g = Counter(
                n for a in gold for s, e in getattr(a, role) if (n := normalise(text, s, e)) is not None
            )
            p = Counter(
                n
                for a in pred
                if not (role == "source" and a.source.type == "unattributed")
                for s, e in _pred_role_segments(a)[role]
                if (n := normalise(text, s, e)) is not None
            )
            role_tp[role] += sum((g & p).values())
            role_pred[role] += sum(p.values())
            role_gold[role] += sum(g.values())
        # Relation level: greedy one-to-one pairing on content Dice.
        gsets = [_chars(a.content) for a in gold]
        psegs = [_pred_role_segments(a) for a in pred]
        psets = [_chars(s["content"]) for s in psegs]
        pairs = sorted(
            (
                (d, gi, pi)
                for gi, gs in enumerate(gsets)
                for pi, ps in enumerate(psets)
                if (d := _dice(gs, ps)) >= 0.5
            ),
            reverse=True,
        )
        used_g: set[int] = set()
        used_p: set[int] = set()
        matched: dict[int, int] = {}
        for _, gi, pi in pairs:
            if gi in used_g or pi in used_p:
                continue
            used_g.add(gi)
            used_p.add(pi)
            matched[gi] = pi
        rel["gold"] += len(gold)
        rel["pred"] += len(pred)
        rel["tp"] += len(matched)
        for gi, a in enumerate(gold):
            content = " ".join(text[s:e] for s, e in a.content)
            kind = "direct" if any(q in content for q in QUOTES[:6]) else "indirect"
            stype = gold_source_type(text, a.source)
            ok = gi in matched
            who = False
            if ok:
                ps = _chars(psegs[matched[gi]]["source"])
                gs = _chars(a.source)
                who = bool(ps & gs) or (not gs and not ps)
            rel["who_tp"] += who
            for table, key in ((by_kind, kind), (by_src, stype)):
                c = table.setdefault(key, Counter())
                c["gold"] += 1
                c["tp"] += ok
                c["who_tp"] += who
    report: dict[str, Any] = {
        "role_span_exact": {
            r: prf(role_tp[r], role_pred[r], role_gold[r]) for r in ("source", "cue", "content")
        },
        "relation": prf(rel["tp"], rel["pred"], rel["gold"]),
        "who_said_what": prf(rel["who_tp"], rel["pred"], rel["gold"]),
        "recall_by_kind": _recalls(by_kind),
        "recall_by_source": _recalls(by_src),
    }
    return report


def _recalls(groups: dict[str, Counter[str]]) -> dict[str, dict[str, float]]:
    """Recall and who-said-what recall per group of gold attributions."""
    return {
        k: {
            "gold": c["gold"],
            "recall": round(c["tp"] / c["gold"], 4),
            "who_recall": round(c["who_tp"] / c["gold"], 4),
        }
        for k, c in sorted(groups.items())
    }


def evaluate(
    data: str, *, limit: int | None = None, part: str = "report", ng: Newsgraph | None = None
) -> dict[str, Any]:
    """Analyse ``DATA/text`` with the configured pipeline (``ng``) and score against ``DATA/attributions``."""
    articles = select("polnear-dev", load_split(data), lambda a: a[0], part)[:limit]
    ng = configured(ng)
    t0 = time.perf_counter()
    results = analyse(ng, [GoldText(name, text) for name, text, _gold in articles])
    elapsed = time.perf_counter() - t0
    # A document the pipeline could not analyse scores as one with no attributions.
    items: list[tuple[str, list[GoldAttribution], list[Any]]] = [
        (text, gold, list(result.attributions) if isinstance(result, Article) else [])
        for (_name, text, gold), result in zip(articles, results, strict=True)
    ]
    # PolNeAR annotates no nested attributions (none of train's 19,868 sits inside
    # another's content), so only top-level predictions are scored; the score with
    # nested ones included is reported alongside.
    report = score([(t, g, [a for a in p if a.parent is None]) for t, g, p in items])
    report["with_nested"] = score(items)["role_span_exact"]
    report["data"] = str(data)
    report["part"] = part
    report["articles"] = len(articles)
    report["problems"] = sum(isinstance(r, Problem) for r in results)
    report["seconds"] = round(elapsed, 2)
    report |= run_info(ng)
    return report


def render(report: dict[str, Any]) -> str:
    """A readable table of both metric families."""
    lines = [f"PolNeAR attribution eval: {report.get('data', '')} ({report.get('articles', '?')} articles)"]
    lines.append(info_line(report))
    lines.append("")
    lines.append(f"{'role span (exact)':<22}{'P':>8}{'R':>8}{'F1':>8}{'pred':>8}{'gold':>8}")
    for role, m in report["role_span_exact"].items():
        lines.append(
            f"{role:<22}{m['precision']:>8.3f}{m['recall']:>8.3f}{m['f1']:>8.3f}{m['pred']:>8}{m['gold']:>8}"
        )
    lines.append("")
    lines.append(f"{'relation (Dice>=0.5)':<22}{'P':>8}{'R':>8}{'F1':>8}{'pred':>8}{'gold':>8}")
    for key in ("relation", "who_said_what"):
        m = report[key]
        lines.append(
            f"{key:<22}{m['precision']:>8.3f}{m['recall']:>8.3f}{m['f1']:>8.3f}{m['pred']:>8}{m['gold']:>8}"
        )
    for title, table in (
        ("by kind", report["recall_by_kind"]),
        ("by gold source", report["recall_by_source"]),
    ):
        lines.append("")
        lines.append(f"{title:<22}{'gold':>8}{'recall':>8}{'who-R':>8}")
        for k, m in table.items():
            lines.append(f"{k:<22}{m['gold']:>8}{m['recall']:>8.3f}{m['who_recall']:>8.3f}")
    if "with_nested" in report:
        lines.append("")
        lines.append(
            "role span F1 counting nested attributions too: "
            + ", ".join(f"{role} {m['f1']:.3f}" for role, m in report["with_nested"].items())
        )
    if "seconds" in report:
        lines.append("")
        lines.append(f"time: {report['seconds']} s")
    return "\n".join(lines)
