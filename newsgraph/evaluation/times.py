"""``newsgraph eval times``: TIMEX3 recognition and normalisation against TimeML gold.

Reads the TempEval-3 training files (``TimeBank/`` and ``AQUAINT/`` under the data
directory): the text of ``<TEXT>`` with the tags stripped (offsets computed while
stripping), the ``<DCT>`` date as the publication date, and the ``<TIMEX3>`` tags as gold.
The DCT timex itself is outside ``<TEXT>`` and so never scored, as in TempEval-3.

Each document runs through the configured facade (the whole pipeline of the user's settings
and profile) with its DCT as the publication date, exactly as ``newsgraph analyze
--published DCT`` runs it.

Scores: span P/R/F1 strict (same offsets) and relaxed (any overlap, one-to-one),
value accuracy on relaxed matches, value F1 = relaxed F1 x value accuracy, and type
accuracy on relaxed matches.
"""

from __future__ import annotations

import html
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..model import Article
from .facade import GoldText, analyse, configured, info_line, run_info
from .scoring import prf
from .splits import select

if TYPE_CHECKING:
    from ..core import Newsgraph

_TOKEN = re.compile(r"<[^>]*>|&[A-Za-z#0-9]+;|[^<&]+|&")
_ATTR = re.compile(r'(\w+)="([^"]*)"')
_DCT = re.compile(r"<DCT>\s*<TIMEX3([^>]*)>")
#: Mistakes listed by default on the tune part.
TUNE_ERRORS = 30


@dataclass
class GoldTimex:
    start: int
    end: int
    text: str
    type: str
    value: str


@dataclass
class GoldDoc:
    name: str
    text: str
    dct: str | None
    timexes: list[GoldTimex] = field(default_factory=list)


def parse_tml(raw: str, name: str = "<tml>") -> GoldDoc:
    """Strip the tags of the ``<TEXT>`` element, keeping TIMEX3 offsets into the plain text."""
    dct = None
    m = _DCT.search(raw)
    if m:
        dct = dict(_ATTR.findall(m.group(1))).get("value")
    body_start = raw.find("<TEXT>")
    body_end = raw.find("</TEXT>")
    body = raw[body_start + len("<TEXT>") : body_end] if body_start >= 0 and body_end >= 0 else ""
    out: list[str] = []
    pos = 0
    open_timex: tuple[int, dict[str, str]] | None = None
    timexes: list[GoldTimex] = []
    for tok in _TOKEN.findall(body):
        if tok.startswith("<") and len(tok) > 1:
            if tok.startswith("<TIMEX3"):
                open_timex = (pos, dict(_ATTR.findall(tok)))
            elif tok.startswith("</TIMEX3") and open_timex is not None:
                start, attrs = open_timex
                text = "".join(out)[start:pos]
                timexes.append(GoldTimex(start, pos, text, attrs.get("type", "DATE"), attrs.get("value", "")))
                open_timex = None
            continue
        piece = html.unescape(tok) if tok.startswith("&") else tok
        out.append(piece)
        pos += len(piece)
    return GoldDoc(name, "".join(out), dct, timexes)


def load(data: str, limit: int | None = None) -> list[GoldDoc]:
    """The TimeML documents under ``data`` (recursively), sorted by path."""
    root = Path(data)
    files = sorted(root.rglob("*.tml")) if root.is_dir() else [root]
    # testpipeline/ repeats a TimeBank file as a smoke test: skip duplicates by name.
    seen: set[str] = set()
    docs = []
    for path in files:
        if path.name in seen or "testpipeline" in path.parts:
            continue
        seen.add(path.name)
        docs.append(parse_tml(path.read_text(encoding="utf-8"), path.name))
        if limit is not None and len(docs) >= limit:
            break
    return docs


def _match(gold: list[tuple[int, int]], pred: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """One-to-one pairs (gold index, predicted index) of overlapping spans, largest overlap first."""
    pairs = []
    for gi, (gs, ge) in enumerate(gold):
        for pi, (ps, pe) in enumerate(pred):
            ov = min(ge, pe) - max(gs, ps)
            if ov > 0:
                pairs.append((-ov, gi, pi))
    pairs.sort()
    used_g: set[int] = set()
    used_p: set[int] = set()
    out = []
    for _ov, gi, pi in pairs:
        if gi in used_g or pi in used_p:
            continue
        used_g.add(gi)
        used_p.add(pi)
        out.append((gi, pi))
    return out


def evaluate(
    data: str,
    *,
    limit: int | None = None,
    part: str = "report",
    errors: int | None = None,
    ng: Newsgraph | None = None,
) -> dict[str, Any]:
    """Score the configured pipeline's times (``ng``: the facade) on the TimeML files under ``data``.

    ``errors``: how many wrong values, misses and spurious expressions to list (default 30),
    on the tune part only: the report part is measured, never studied, so it lists none.
    """
    errors = (TUNE_ERRORS if errors is None else errors) if part == "tune" else 0
    docs = select("timeml", load(data), lambda d: d.name, part)[:limit]
    ng = configured(ng)
    started = time.perf_counter()
    results = analyse(ng, [GoldText(d.name, d.text, d.dct) for d in docs])
    seconds = time.perf_counter() - started
    # A document that cannot be analysed scores as one with no time expressions.
    analysed = [
        r if isinstance(r, Article) else Article(text=d.text) for d, r in zip(docs, results, strict=True)
    ]
    n_gold = n_pred = strict = relaxed = value_ok = type_ok = 0
    mistakes: list[dict[str, Any]] = []
    for gdoc, article in zip(docs, analysed, strict=True):
        gold = [(g.start, g.end) for g in gdoc.timexes]
        pred = [(t.start, t.end) for t in article.times]
        n_gold += len(gold)
        n_pred += len(pred)
        strict += len(set(gold) & set(pred))
        matched = _match(gold, pred)
        relaxed += len(matched)
        hit_g = {gi for gi, _ in matched}
        hit_p = {pi for _, pi in matched}
        for gi, pi in matched:
            g, t = gdoc.timexes[gi], article.times[pi]
            value_ok += t.value == g.value
            type_ok += t.type == g.type
            if t.value != g.value and len(mistakes) < errors:
                mistakes.append(
                    {
                        "doc": gdoc.name,
                        "dct": gdoc.dct,
                        "gold": [g.text, g.type, g.value],
                        "pred": [t.text, t.type, t.value],
                    }
                )
        if errors:
            for gi, g in enumerate(gdoc.timexes):
                if gi not in hit_g and len(mistakes) < errors:
                    mistakes.append({"doc": gdoc.name, "missed": [g.text, g.type, g.value]})
            for pi, t in enumerate(article.times):
                if pi not in hit_p and len(mistakes) < errors:
                    mistakes.append({"doc": gdoc.name, "spurious": [t.text, t.type, t.value]})
    strict_s = prf(strict, n_pred, n_gold)
    relaxed_s = prf(relaxed, n_pred, n_gold)
    value_acc = value_ok / relaxed if relaxed else 0.0
    report: dict[str, Any] = {
        "data": str(data),
        "documents": len(docs),
        "gold": n_gold,
        "predicted": n_pred,
        "strict": strict_s,
        "relaxed": relaxed_s,
        "value_accuracy": round(value_acc, 4),
        "value_f1": round(relaxed_s["f1"] * value_acc, 4),
        "type_accuracy": round(type_ok / relaxed, 4) if relaxed else 0.0,
        "seconds": round(seconds, 2),
        "reference": "TempEval-3 platinum test, value F1: HeidelTime 0.776, SUTime 0.674, ClearTK 0.647",
        "part": part,
    } | run_info(ng)
    if errors:
        report["mistakes"] = mistakes
    return report


def render(report: dict[str, Any]) -> str:
    """A readable table of an ``evaluate`` report."""
    lines = [
        f"times: {report['documents']} documents, {report['gold']} gold TIMEX3, "
        f"{report['predicted']} predicted",
        info_line(report),
        f"{'':<10}{'P':>8}{'R':>8}{'F1':>8}",
    ]
    for key in ("strict", "relaxed"):
        s = report[key]
        lines.append(f"{key:<10}{s['precision']:>8.3f}{s['recall']:>8.3f}{s['f1']:>8.3f}")
    lines.append(f"value accuracy (on relaxed matches): {report['value_accuracy']:.3f}")
    lines.append(f"value F1 (relaxed F1 x value accuracy): {report['value_f1']:.3f}")
    lines.append(f"type accuracy (on relaxed matches): {report['type_accuracy']:.3f}")
    lines.append(f"reference: {report['reference']}")
    if report.get("part") == "tune" and report.get("mistakes"):
        lines.append("tune-part mistakes (gold -> system):")
        for x in report["mistakes"]:
            if "gold" in x:
                lines.append(f"  {x['doc']} (DCT {x['dct']}): {x['gold']} -> {x['pred']}")
            else:
                kind = "missed" if "missed" in x else "spurious"
                lines.append(f"  {x['doc']}: {kind} {x[kind]}")
    return "\n".join(lines)
