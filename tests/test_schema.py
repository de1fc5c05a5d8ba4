"""The JSON contract: docs/schema.json is generated from the model, and real output validates against it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import assert_stand_off, stand_off_spans

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


def test_offset_checker_catches_a_wrong_offset() -> None:
    article = Article(
        text="Lima and Quito", entities=[Entity("E1", "Quito", "GPE", mentions=[Mention(8, 13, "Quito")])]
    )
    data = article.to_dict()
    assert [data["text"][s["start"] : s["end"]] == s["text"] for _, s in stand_off_spans(data)] == [False]
    with pytest.raises(AssertionError, match="do not match"):
        assert_stand_off(article)


@pytest.mark.slow
@pytest.mark.parametrize("sample", sorted(p.name for p in SAMPLES.glob("*.txt")))
def test_real_output_validates_and_every_offset_points_at_its_words(newsgraph: Any, sample: str) -> None:
    manifests = [json.loads((SAMPLES / name).read_text()) for name in ("samples.json", "claims.json")]
    meta = {e["file"]: e for entries in manifests for e in entries}[sample]
    article = newsgraph.analyze_text(
        (SAMPLES / sample).read_text("utf-8"), input=sample, published=meta["published"]
    )
    jsonschema.validate(json.loads(json.dumps(article.to_dict())), article_schema())
    assert_stand_off(article)
