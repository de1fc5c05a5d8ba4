"""Tune and report parts of each development set: fixed, committed lists of document ids.

Every gold set in ``../shared/data`` is split once into a **tune** part (rules,
lexicon entries, thresholds and model choices may look at it) and a **report**
part (only scored; the figures we publish and pin as floors are its figures).
The lists live in ``newsgraph/data/splits/NAME.tsv``; they were written once by
``python -m newsgraph.evaluation.splits --write`` and are never regenerated:
a document's part is read from the list, not recomputed.

The rule that made them: a document goes to the tune part when the first 8 hex
digits of the SHA-256 of its id, read as a fraction of 2**32, are below 0.7.
"""

from __future__ import annotations

import csv
import hashlib
import json
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TypeVar

from newsgraph.errors import ConfigError

T = TypeVar("T")
PARTS = ("tune", "report", "all")
TUNE_SHARE = 0.7
#: The split lists shipped with the package, by name.
SETS = ("polnear-dev", "geowebnews-dev", "timeml", "plover-gsr", "linking-dev", "stance-dev")


def assign(doc_id: str) -> str:
    """The part the splitting rule gives ``doc_id`` (used once, to write the lists)."""
    fraction = int(hashlib.sha256(doc_id.encode("utf-8")).hexdigest()[:8], 16) / 2**32
    return "tune" if fraction < TUNE_SHARE else "report"


@cache
def parts(name: str) -> dict[str, str]:
    """``{document id: "tune" | "report"}`` of split list ``name``."""
    if name not in SETS:
        raise ConfigError(
            "E107", path=f"splits/{name}.tsv", detail=f"no such split; known: {', '.join(SETS)}"
        )
    text = resources.files("newsgraph").joinpath("data", "splits", f"{name}.tsv").read_text("utf-8")
    out: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        part, _, doc_id = line.partition("\t")
        out[doc_id] = part
    return out


def check_part(part: str) -> str:
    if part not in PARTS:
        raise ConfigError("E107", path="--part", detail=f"{part!r} is not one of {', '.join(PARTS)}")
    return part


def in_part(name: str, doc_id: str, part: str) -> bool:
    """Whether ``doc_id`` of set ``name`` belongs to ``part`` ("all" takes every listed document).

    A document missing from the list is in no part: new gold data must be split
    explicitly before it is scored.
    """
    found = parts(name).get(doc_id)
    if found is None:
        return False
    return part == "all" or found == part


def select(name: str, items: Iterable[T], key: Callable[[T], str], part: str) -> list[T]:
    """The items of ``part`` (their ids given by ``key``), in their order."""
    check_part(part)
    return [item for item in items if in_part(name, key(item), part)]


# --- writing the lists (done once; kept for the record) -------------------------------


def _ids(shared: Path) -> dict[str, list[str]]:
    data = shared / "data"
    ids: dict[str, list[str]] = {}
    ids["polnear-dev"] = sorted(p.stem for p in (data / "polnear" / "dev" / "text").glob("*.txt"))
    root = ET.parse(data / "geo" / "GeoWebNews-dev.xml").getroot()
    ids["geowebnews-dev"] = [a.get("file", str(i)) for i, a in enumerate(root.iter("article"))]
    ids["timeml"] = sorted({p.name for p in (data / "time").rglob("*.tml") if "testpipeline" not in p.parts})
    gsr = json.loads((data / "plover" / "gold_standard_records" / "PLOVER_GSR_CAMEO.txt").read_text("utf-8"))
    ids["plover-gsr"] = [str(r.get("id", "")) for r in gsr if r.get("id")]
    with open(data / "linking" / "np4e.jsonl", encoding="utf-8") as handle:
        ids["linking-dev"] = [json.loads(line)["id"] for line in handle if line.strip()]
    with open(data / "claims" / "fnc1-dev" / "bodies.csv", encoding="utf-8", newline="") as handle:
        ids["stance-dev"] = [row["Body ID"] for row in csv.DictReader(handle)]
    return ids


def write(shared: Path, out: Path) -> None:
    source = {
        "polnear-dev": "PolNeAR 1.0 dev articles (file stems of dev/text/*.txt)",
        "geowebnews-dev": "GeoWebNews-dev.xml articles (the file attribute)",
        "timeml": "TempEval-3 TimeBank + AQUAINT documents (file names)",
        "plover-gsr": "PLOVER gold standard records (record ids)",
        "linking-dev": "NP4E documents of linking/np4e.jsonl (the id field)",
        "stance-dev": "FNC-1 dev bodies (Body ID; every headline paired with a body goes with it)",
    }
    for name, doc_ids in _ids(shared).items():
        lines = [
            f"# Tune/report split of {source[name]}.",
            "# Written once on 2026-11-27 by newsgraph.evaluation.splits (SHA-256 of the id < 0.7 -> tune);",
            "# ids only, no text. Never regenerate: rules look at the tune part, figures come from report.",
        ]
        lines += [f"{assign(i)}\t{i}" for i in doc_ids]
        (out / f"{name}.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover - run once by hand
    if sys.argv[1:2] == ["--write"]:
        write(Path(sys.argv[2] if len(sys.argv) > 2 else "../shared"), Path("newsgraph/data/splits"))
