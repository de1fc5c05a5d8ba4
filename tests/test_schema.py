"""The JSON contract: docs/schema.json is generated from the model, and real output validates against it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from newsgraph.model import SCHEMA_VERSION, Article, Entity, Mention, Removed
from newsgraph.schema import article_schema, schema_json

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "newsgraph" / "samples"


def test_docs_schema_matches_the_model() -> None:
    documented = (ROOT / "docs" / "schema.json").read_text("utf-8")
    assert documented == schema_json(), "regenerate with: newsgraph schema > docs/schema.json"


def test_docs_describe_every_top_level_field() -> None:
    text = (ROOT / "docs" / "schema.md").read_text("utf-8")
    for name in article_schema()["properties"]:
        assert f"`{name}`" in text, f"docs/schema.md does not describe {name}"
    assert SCHEMA_VERSION in text


def test_schema_rejects_output_that_breaks_the_contract() -> None:
    good = Article(text="Lima", removed=[Removed(0, 1, "x")]).to_dict()
    jsonschema.validate(good, article_schema())
    bad = dict(good, removed=[{"start": "0", "end": 1, "reason": "x"}])
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, article_schema())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(dict(good, surprise=1), article_schema())


def spans(value: Any, path: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Every object in the output that carries start/end/text offsets."""
    found = []
    if isinstance(value, dict):
        if isinstance(value.get("start"), int) and isinstance(value.get("text"), str):
            found.append((path, value))
        for key, inner in value.items():
            if key != "text":
                found.extend(spans(inner, f"{path}.{key}"))
    elif isinstance(value, list):
        for n, inner in enumerate(value):
            found.extend(spans(inner, f"{path}[{n}]"))
    return found


def test_offset_checker_catches_a_wrong_offset() -> None:
    article = Article(
        text="Lima and Quito", entities=[Entity("E1", "Quito", "GPE", mentions=[Mention(8, 13, "Quito")])]
    )
    data = article.to_dict()
    assert [data["text"][s["start"] : s["end"]] == s["text"] for _, s in spans(data)] == [False]


@pytest.mark.slow
@pytest.mark.parametrize("sample", sorted(p.name for p in SAMPLES.glob("*.txt")))
def test_real_output_validates_and_every_offset_points_at_its_words(newsgraph: Any, sample: str) -> None:
    meta = {e["file"]: e for e in json.loads((SAMPLES / "samples.json").read_text())}[sample]
    article = newsgraph.analyze_text(
        (SAMPLES / sample).read_text("utf-8"), input=sample, published=meta["published"]
    )
    data = json.loads(json.dumps(article.to_dict()))
    jsonschema.validate(data, article_schema())
    text = data["text"]
    for where, span in spans(data):
        assert text[span["start"] : span["end"]] == span["text"], f"{sample}{where}"
        if not where.startswith((".removed", ".subheads")):
            assert not article.in_removed(span["start"], span["end"]), f"fact from a removed range at {where}"
