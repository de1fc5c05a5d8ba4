"""The numpy CRF (stages/attributions/crf.py) tags exactly as python-crfsuite on the feature strings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from newsgraph.errors import ConfigError
from newsgraph.stages.attributions import crf as crf_module
from newsgraph.stages.attributions.crf import CrfModel, CrfTagger, load_crf
from newsgraph.stages.attributions.features import Table, paragraphs, sequence_features, table_paragraphs
from newsgraph.stages.attributions.lexicons import DATA, load
from newsgraph.stages.attributions.tagger import MODEL_NAME, crf_tags, load_tagger

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "newsgraph" / "samples"
SHARED_DEV = ROOT.parent / "shared" / "data" / "polnear" / "dev" / "text"
MODEL = DATA / MODEL_NAME
EDGE_TEXTS = [
    " ",
    "Yes",
    '"We are ready," he said.',
    "\n\n\u201cNo,\u201d she said. \u2018Maybe\u2019 \u2014 the minister\u2019s aide said it rained.\n\n\n",
    "Officials said. Officials said. Officials said.\nHe told reporters, according to Reuters, it was over.",
    "According to the report, which the ministry said it had seen, prices rose; critics claimed otherwise.",
]


def _texts() -> list[str]:
    texts = [*EDGE_TEXTS, *(f.read_text("utf-8") for f in sorted(SAMPLES.glob("*.txt")))]
    if SHARED_DEV.is_dir():  # real news texts when the shared data is there
        texts += [f.read_text("utf-8") for f in sorted(SHARED_DEV.glob("*.txt"))[:8]]
    return texts


@pytest.fixture(scope="module")
def reference() -> Any:
    pycrfsuite = pytest.importorskip("pycrfsuite")
    tagger = pycrfsuite.Tagger()
    tagger.open(str(MODEL))
    return tagger


def _string_scores(model: CrfModel, feats: list[list[str]]) -> Any:
    """State scores from the feature strings, each known attribute's row added in listed order."""
    out = np.zeros((len(feats), len(model.labels)))
    for k, f in enumerate(feats):
        for x in f:
            row = model.index.get(x)
            if row is not None:
                out[k] += model.weights[row]
    return out


def test_same_tags_and_scores_as_python_crfsuite(nlp: Any, reference: Any) -> None:
    lex = load()
    tagger = load_crf(MODEL)
    paragraphs_seen = 0
    for text in _texts():
        doc = nlp(text)
        tab = Table(doc, lex)
        paras = list(paragraphs(doc))
        assert table_paragraphs(tab) == paras
        assert crf_tags(tab, paras, tagger) == crf_tags(tab, paras, reference), text[:60]
        todo = [(i, j) for i, j in paras if not all(tab.space[i:j])]
        if not todo:
            continue
        scores = tagger.state_scores(tab, todo)
        for i, j in todo:
            # bit for bit: the same floating-point sums as crfsuite's
            assert np.array_equal(scores[i:j], _string_scores(tagger.model, sequence_features(tab, i, j)))
            paragraphs_seen += 1
    assert paragraphs_seen > 20


def test_value_caches_emptied_past_their_bound(nlp: Any, reference: Any, monkeypatch: Any) -> None:
    """Past MAX_VALUES the per-process caches start again; the tags stay the same."""
    monkeypatch.setattr(crf_module, "MAX_VALUES", 5)
    lex = load()
    tagger = load_crf(MODEL)
    for text in _texts()[:10]:
        doc = nlp(text)
        tab = Table(doc, lex)
        paras = list(paragraphs(doc))
        assert tagger.tags(tab, paras) == crf_tags(tab, paras, reference)
        # at most the bound plus this doc's own new values
        assert len(tagger.lower.values) <= 5 + len(set(tab.lower))


def test_stage_runs_the_numpy_tagger() -> None:
    assert isinstance(load_tagger(), CrfTagger)


def test_bad_model_file_is_a_coded_error(tmp_path: Path) -> None:
    bad = tmp_path / "tagger.crfsuite"
    bad.write_bytes(b"lCRF" + b"\0" * 60)
    with pytest.raises(ConfigError) as err:
        load_tagger(str(bad))
    assert err.value.code == "E107"
    truncated = tmp_path / "short.crfsuite"
    truncated.write_bytes(MODEL.read_bytes()[:5000])
    with pytest.raises(ConfigError) as err:
        load_tagger(str(truncated))
    assert err.value.code == "E107"
    with pytest.raises(ConfigError) as err:
        load_tagger(str(tmp_path / "missing.crfsuite"))
    assert err.value.code == "E107"
