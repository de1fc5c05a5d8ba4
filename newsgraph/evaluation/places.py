"""``newsgraph eval places``: geoparsing scores on GeoWebNews (Gritta et al. 2019).

Two settings, as in the geoparsing literature:

1. **names given** (resolution only): each gold toponym's span is handed to the resolver
   (``newsgraph.stages.places.resolve_spans``), with the article's other gold toponyms as
   context; scored on the toponyms that have gold coordinates. Reported twice: strict (a name
   the gazetteer lacks stays unresolved and counts as the maximum error, as in the stage) and
   with the document-focus fallback (such a name gets the article's most-mentioned place).
2. **end to end**: the configured pipeline (the whole of it, with the user's settings and
   profile, exactly as ``newsgraph analyze`` runs it) recognises and resolves;
   recognition is scored by exact span match (and, separately, by any overlap) against the
   gold toponyms, resolution on the matched (overlapping) toponyms that have coordinates.

Resolution figures: accuracy within 161 km (100 miles), mean and median error (km), and the
area under the error curve (AUC, Gritta et al. 2018: the trapezoid area under the sorted
``ln(1 + error_km)`` curve, scaled to [0, 1] by ``ln(20039)``; lower is better). A toponym the
resolver leaves unresolved counts with the maximum error, 20,039 km (half the circumference).
"""

from __future__ import annotations

import itertools
import math
import statistics
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..model import Article
from ..stages.places import distance_km, resolve_spans
from .facade import GoldText, analyse, configured, info_line, run_info
from .scoring import prf
from .splits import select

if TYPE_CHECKING:
    from ..core import Newsgraph

MAX_ERROR_KM = 20039.0
ACCURACY_KM = 161.0
#: GeoWebNews toponym types that name a place (the expression-level and non-toponym types
#: "Literal_Expression", "Non_Lit_Expression", "Non_Toponym", "Language", "Homonym" do not).
TOPONYM_TYPES = frozenset(
    {
        "Literal", "Metonymic", "Mixed", "Coercion", "Embedded_Literal", "Embedded_Non_Lit",
        "Literal_Modifier", "Non_Literal_Modifier", "Demonym",
    }
)  # fmt: skip
DEFAULT_DATA = "../shared/data/geo/GeoWebNews-dev.xml"


@dataclass
class Toponym:
    start: int
    end: int
    name: str
    type: str
    lat: float | None
    lon: float | None


@dataclass
class GoldArticle:
    id: str
    text: str
    toponyms: list[Toponym]


def load(path: str | Path, limit: int | None = None) -> list[GoldArticle]:
    """Articles with their toponyms (offsets repaired when the gold span is off by a little)."""
    root = ET.parse(path).getroot()
    out = []
    for i, art in enumerate(root.iter("article")):
        if limit is not None and i >= limit:
            break
        text = art.findtext("text") or ""
        tops = []
        for t in art.iter("toponym"):
            name = t.findtext("extractedName") or ""
            try:
                start, end = int(t.findtext("start") or -1), int(t.findtext("end") or -1)
            except ValueError:
                continue
            if text[start:end] != name:
                near = text.find(name, max(0, start - 60))
                if near < 0 or abs(near - start) > 120 or not name:
                    continue
                start, end = near, near + len(name)
            lat, lon = t.findtext("latitude"), t.findtext("longitude")
            tops.append(
                Toponym(
                    start, end, name, t.findtext("type") or "",
                    float(lat) if lat else None, float(lon) if lon else None,
                )
            )  # fmt: skip
        out.append(GoldArticle(art.get("file", str(i)), text, tops))
    return out


def resolution_scores(errors: list[float]) -> dict[str, Any]:
    """Accuracy@161 km, mean/median error and AUC for a list of errors in km."""
    if not errors:
        return {"n": 0, "acc_161": None, "mean_km": None, "median_km": None, "auc": None}
    errs = sorted(errors)
    logs = [math.log(1 + e) for e in errs]
    if len(logs) == 1:
        area = logs[0]
    else:
        area = sum((a + b) / 2 for a, b in itertools.pairwise(logs)) / (len(logs) - 1)
    return {
        "n": len(errs),
        "acc_161": round(sum(e <= ACCURACY_KM for e in errs) / len(errs), 4),
        "mean_km": round(statistics.fmean(errs), 1),
        "median_km": round(statistics.median(errs), 1),
        "auc": round(area / math.log(MAX_ERROR_KM), 4),
    }


def _error(lat: float | None, lon: float | None, t: Toponym) -> float:
    if lat is None or lon is None or t.lat is None or t.lon is None:
        return MAX_ERROR_KM
    return distance_km(lat, lon, t.lat, t.lon)


def names_given(
    articles: list[GoldArticle], *, fallback: bool = False, misses: bool = False
) -> dict[str, Any]:
    """Resolution of the gold toponyms' spans; ``misses``: list the most frequent wrong answers
    (for the tune part only: the report part is measured, never looked at)."""
    errors: list[float] = []
    unresolved = 0
    by_type: dict[str, list[float]] = {}
    worst: list[tuple[float, str, str]] = []
    for art in articles:
        tops = [t for t in art.toponyms if t.type in TOPONYM_TYPES]
        spans = [(t.start, t.end) for t in tops]
        chosen = resolve_spans(Article(text=art.text), spans, fallback=fallback)
        for t, c in zip(tops, chosen, strict=True):
            if t.lat is None:
                continue
            err = _error(c.lat if c else None, c.lon if c else None, t)
            unresolved += c is None
            errors.append(err)
            by_type.setdefault(t.type, []).append(err)
            worst.append((err, t.name, c.name if c else "-"))
    report = resolution_scores(errors)
    report["unresolved"] = unresolved
    if not fallback:
        return report
    report["by_type"] = {k: resolution_scores(v) for k, v in sorted(by_type.items())}
    if not misses:
        return report
    counts: dict[tuple[str, str], int] = {}
    for err, name, got in worst:
        if err > ACCURACY_KM:
            counts[(name, got)] = counts.get((name, got), 0) + 1
    report["frequent_misses"] = [
        {"gold": g, "resolved_to": r, "count": n}
        for (g, r), n in sorted(counts.items(), key=lambda kv: -kv[1])[:15]
    ]
    return report


def end_to_end(articles: list[GoldArticle], ng: Newsgraph) -> dict[str, Any]:
    """Recognition and resolution by the configured pipeline (``ng``), as ``analyze`` runs it."""
    tp_exact = tp_overlap_gold = tp_overlap_pred = n_gold = n_pred = 0
    errors: list[float] = []
    started = time.perf_counter()
    results = analyse(ng, [GoldText(f"geowebnews:{art.id}", art.text) for art in articles])
    for art, article in zip(articles, results, strict=True):
        places = article.places if isinstance(article, Article) else []
        pred = [(m.start, m.end, p) for p in places for m in p.mentions]
        gold = [t for t in art.toponyms if t.type in TOPONYM_TYPES]
        n_gold += len(gold)
        n_pred += len(pred)
        exact = {(s, e) for s, e, _ in pred}
        tp_exact += sum((t.start, t.end) in exact for t in gold)
        for t in gold:
            hit = next((p for s, e, p in pred if s < t.end and t.start < e), None)
            if hit is not None:
                tp_overlap_gold += 1
                if t.lat is not None:
                    errors.append(_error(hit.lat, hit.lon, t))
        tp_overlap_pred += sum(any(s < t.end and t.start < e for t in gold) for s, e, _ in pred)
    seconds = time.perf_counter() - started

    return {
        "gold_toponyms": n_gold,
        "predicted_mentions": n_pred,
        "recognition_exact": prf(tp_exact, n_pred, n_gold),
        "recognition_overlap": prf(tp_overlap_pred, n_pred, n_gold, tp_overlap_gold),
        "resolution_on_matched": resolution_scores(errors),
        "seconds": round(seconds, 1),
    }


def evaluate(
    data: str = DEFAULT_DATA,
    *,
    limit: int | None = None,
    part: str = "report",
    end2end: bool = True,
    ng: Newsgraph | None = None,
) -> dict[str, Any]:
    """Score both settings on a GeoWebNews XML file (``limit``: first N articles only).

    ``ng`` (the configured facade) runs the end-to-end setting; the names-given setting
    calls the places resolver directly, since the names are given.
    """
    articles = select("geowebnews-dev", load(data), lambda a: a.id, part)[:limit]
    ng = configured(ng)
    report: dict[str, Any] = {
        "data": str(data),
        "part": part,
        "articles": len(articles),
        # As the stage resolves by default: names the gazetteer lacks go to the article's focus.
        # Misses are listed for the tune part only: the report part is measured, never studied.
        "names_given": names_given(articles, fallback=True, misses=part == "tune"),
        "names_given_gazetteer_only": names_given(articles),
    }
    if end2end:
        report["end_to_end"] = end_to_end(articles, ng)
    return report | run_info(ng)


def render(report: dict[str, Any]) -> str:
    """A readable table of an ``evaluate`` report."""
    lines = [
        f"GeoWebNews geoparsing: {report['data']} ({report['articles']} articles)",
        info_line(report),
        "",
    ]

    def res_row(label: str, r: dict[str, Any]) -> str:
        if not r.get("n"):
            return f"{label:<28} n=0"
        return (
            f"{label:<28} n={r['n']:<5} acc@161km={r['acc_161']:.3f}  mean={r['mean_km']:>8.1f} km"
            f"  median={r['median_km']:>7.1f} km  AUC={r['auc']:.3f}"
        )

    ng = report["names_given"]
    lines.append("Names given (resolution only)")
    lines.append(res_row("all toponyms with coords", ng))
    lines.append(f"{'unresolved':<28} {ng['unresolved']}")
    strict = report.get("names_given_gazetteer_only")
    if strict:
        lines.append(res_row("gazetteer only (no focus)", strict))
        lines.append(f"{'  unresolved':<28} {strict['unresolved']}")
    for t, r in ng["by_type"].items():
        lines.append(res_row(f"  {t}", r))
    if report.get("part") == "tune" and ng.get("frequent_misses"):
        lines.append("  frequent misses (gold -> resolved to): " + "; ".join(
            f"{m['gold']} -> {m['resolved_to']} x{m['count']}" for m in ng["frequent_misses"][:10]
        ))  # fmt: skip
    e2e = report.get("end_to_end")
    if e2e:
        lines += ["", "End to end (the configured pipeline)"]
        lines.append(
            f"{'gold toponyms / predicted':<28} {e2e['gold_toponyms']} / {e2e['predicted_mentions']}"
        )
        for key in ("recognition_exact", "recognition_overlap"):
            r = e2e[key]
            lines.append(f"{key:<28} P={r['precision']:.3f}  R={r['recall']:.3f}  F1={r['f1']:.3f}")
        lines.append(res_row("resolution on matched", e2e["resolution_on_matched"]))
        lines.append(f"{'pipeline seconds':<28} {e2e['seconds']}")
    return "\n".join(lines)
