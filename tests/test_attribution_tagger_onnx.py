"""The learned attribution tagger's run-time side: windows, constrained decoding, the shipped ONNX model."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsgraph.errors import ConfigError
from newsgraph.model import Article
from newsgraph.stages.attributions import make_stage
from newsgraph.stages.attributions.lexicons import DATA
from newsgraph.stages.attributions.tagger_onnx import (
    LABELS,
    MAX_PIECES,
    load_onnx_tagger,
    model_paths,
    viterbi,
    windows,
)

CLS, SEP = 101, 102


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.floats(-30, 0), min_size=len(LABELS), max_size=len(LABELS)), max_size=40))
def test_viterbi_never_starts_or_switches_a_role_with_an_inside_tag(rows: list[list[float]]) -> None:
    tags = viterbi(np.array(rows, dtype=np.float32).reshape(len(rows), len(LABELS)))
    assert len(tags) == len(rows)
    prev = "O"
    for tag in tags:
        if tag.startswith("I-"):
            assert prev in ("B-" + tag[2:], "I-" + tag[2:]), tags
        prev = tag


def test_viterbi_prefers_the_best_allowed_sequence() -> None:
    # Alone, the second word would be I-CON after B-SRC (not allowed): the decoder
    # must pick the best legal path, here B-CON for the first word.
    lp = np.full((2, len(LABELS)), -20.0, dtype=np.float32)
    lp[0, LABELS.index("B-SRC")] = -0.5
    lp[0, LABELS.index("B-CON")] = -1.0
    lp[1, LABELS.index("I-CON")] = -0.1
    assert viterbi(lp) == ["B-CON", "I-CON"]


piece = st.lists(st.integers(1000, 2000), min_size=1, max_size=6)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(piece, max_size=120), max_size=8), st.sampled_from([16, 64, MAX_PIECES]))
def test_windows_score_every_word_and_fit_the_model(paras: list[list[list[int]]], size: int) -> None:
    wins = windows(paras, CLS, SEP, max_pieces=size)
    seen = set()
    for w in wins:
        assert len(w.ids) <= size
        assert w.ids[0] == CLS and w.ids[-1] == SEP
        for pos, (p, n) in zip(w.first, w.words, strict=True):
            assert w.ids[pos] == paras[p][n][0]  # each word is scored on its first piece
            seen.add((p, n))
    assert seen == {(p, n) for p, words in enumerate(paras) for n in range(len(words))}


def test_windows_keep_short_paragraphs_whole_and_in_order() -> None:
    paras = [[[1001], [1002, 1003]], [], [[1004]]]
    (w,) = windows(paras, CLS, SEP)
    assert w.ids == [CLS, 1001, 1002, 1003, SEP, 1004, SEP]
    assert w.words == [(0, 0), (0, 1), (2, 0)]


def trained_model_or_skip() -> None:
    """The learned tagger is built by ``newsgraph train attribution`` (not shipped); skip without it."""
    try:
        model_paths(None)
    except ConfigError as err:
        pytest.skip(f"no trained ONNX tagger: {err}")


def test_the_onnx_tagger_without_its_model_is_a_coded_error_naming_the_command(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError) as err:
        model_paths(str(tmp_path / "tagger.onnx"))
    assert err.value.code == "E107"
    assert "newsgraph train attribution" in str(err.value) and "tagger.onnx" in str(err.value)


def test_the_trained_model_tags_a_quotation() -> None:
    trained_model_or_skip()
    tagger = load_onnx_tagger()
    words = ["The", "minister", "said", "the", "bridge", "would", "reopen", "next", "week", "."]
    other = ['"', "We", "are", "not", "ready", ",", '"', "a", "spokeswoman", "for", "the", "company"]
    other += ["told", "reporters", "on", "Friday", "."]
    tags = tagger.tag_words([words, [], other])
    assert [len(t) for t in tags] == [len(words), 0, len(other)]
    assert tags[0][words.index("said")] == "B-CUE"
    assert tags[0][0] == "B-SRC" or tags[0][1] in ("B-SRC", "I-SRC")
    assert "B-CON" in tags[0][3:]
    told = other.index("told")
    assert tags[2][told] in ("B-CUE", "I-CUE")
    assert any(t.endswith("SRC") for t in tags[2][7:told])
    assert tags[2][1] in ("B-CON", "I-CON")


@pytest.mark.slow
@pytest.mark.parametrize("tagger", ["onnx", "crf"])
def test_both_taggers_feed_the_same_assembly(nlp, tagger: str) -> None:  # type: ignore[no-untyped-def]
    if tagger == "onnx":
        trained_model_or_skip()
    stage = make_stage(tagger=tagger)
    text = "The minister said the bridge would reopen next week."
    article = Article(text=text)
    article.doc = nlp(text)
    (att,) = stage(article).attributions
    assert att.cue is not None and att.cue.text == "said"
    assert att.content.text.startswith("the bridge would reopen")
    assert att.source.text == "The minister"


def test_an_unknown_tagger_is_a_coded_settings_error() -> None:
    with pytest.raises(ConfigError) as err:
        make_stage(tagger="bert")
    assert err.value.code == "E103" and "bert" in str(err.value)


# The shipped layout: the word-piece table outside the graph (8-bit rows with a scale each).

HIDDEN = 8


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 40), st.floats(1e-3, 50.0), st.integers(0, 2**31 - 1))
def test_row_quantisation_is_within_half_a_step_of_each_row(rows: int, spread: float, seed: int) -> None:
    from newsgraph.stages.attributions.tagger_onnx import quantise_rows

    table = np.random.default_rng(seed).normal(0, spread, size=(rows, HIDDEN)).astype(np.float32)
    table[0] = 0.0  # an all-zero row must survive too
    q, scale = quantise_rows(table)
    assert q.dtype == np.int8 and scale.shape == (rows,)
    err = np.abs(q.astype(np.float32) * scale[:, None] - table)
    assert (err <= scale[:, None] / 2 + 1e-6).all()
    assert (q[0] == 0).all()


def test_word_vectors_read_back_what_was_saved_with_or_without_zero_points(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from newsgraph.stages.attributions.tagger_onnx import WordVectors, save_embeddings

    q = np.array([[0, 10, 255], [128, 128, 0]], dtype=np.uint8)
    scale = np.array([0.5, 0.25], dtype=np.float32)
    zero = np.array([128, 128], dtype=np.uint8)
    save_embeddings(tmp_path / "a.npz", q, scale, zero)
    vec = WordVectors(tmp_path / "a.npz")(np.array([[1, 0]]))
    assert vec.shape == (1, 2, 3)
    assert vec[0, 0].tolist() == [0.0, 0.0, -32.0] and vec[0, 1].tolist() == [-64.0, -59.0, 63.5]
    s8 = np.array([[-127, 3, 0]], dtype=np.int8)
    save_embeddings(tmp_path / "b.npz", s8, np.array([2.0], dtype=np.float32))
    assert WordVectors(tmp_path / "b.npz")(np.array([0])).tolist() == [[-254.0, 6.0, 0.0]]
    np.savez(tmp_path / "c.npz", q=np.zeros((2, 3), dtype=np.float32), scale=scale)
    with pytest.raises(ConfigError) as err:
        WordVectors(tmp_path / "c.npz")
    assert err.value.code == "E107" and "c.npz" in str(err.value)


def tiny_tagger_graph(vocab: int, seed: int = 0):  # type: ignore[no-untyped-def]
    """A BERT-shaped toy: look-up of ``word_embeddings``, plus a position-free bias, then a linear
    layer to the 7 tags; ``input_ids`` also feeds a Shape, as position ids do in the real export."""
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(seed)
    table = rng.normal(0, 1, size=(vocab, HIDDEN)).astype(np.float32)
    weight = rng.normal(0, 1, size=(HIDDEN, len(LABELS))).astype(np.float32)
    nodes = [
        helper.make_node("Gather", ["bert.embeddings.word_embeddings.weight", "input_ids"], ["emb"]),
        helper.make_node("Shape", ["input_ids"], ["shape"]),
        helper.make_node("Add", ["emb", "bias"], ["summed"]),
        helper.make_node("MatMul", ["summed", "classifier"], ["raw"]),
        helper.make_node("Cast", ["attention_mask"], ["maskf"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["maskf", "axis"], ["mask3"]),
        helper.make_node("Mul", ["raw", "mask3"], ["logits"]),
    ]
    graph = helper.make_graph(
        nodes,
        "tiny",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "pieces"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "pieces"]),
        ],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", "pieces", len(LABELS)])],
        [
            numpy_helper.from_array(table, "bert.embeddings.word_embeddings.weight"),
            numpy_helper.from_array(rng.normal(0, 1, size=(HIDDEN,)).astype(np.float32), "bias"),
            numpy_helper.from_array(weight, "classifier"),
            numpy_helper.from_array(np.array([2], dtype=np.int64), "axis"),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def run_graph(model, feed):  # type: ignore[no-untyped-def]
    import onnxruntime as ort

    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    names = {i.name for i in sess.get_inputs()}
    return sess.run(["logits"], {k: v for k, v in feed.items() if k in names})[0]


def test_cutting_out_the_word_table_keeps_an_fp32_graphs_output_within_row_quantisation() -> None:
    from newsgraph.stages.attributions.tagger_onnx import VECTORS_INPUT, WordVectors, save_embeddings
    from newsgraph.training.attribution_nn import split_word_embeddings

    model = tiny_tagger_graph(50)
    ids = np.random.default_rng(1).integers(0, 50, size=(3, 11))
    mask = np.ones_like(ids)
    before = run_graph(model, {"input_ids": ids, "attention_mask": mask})
    q, scale, zero = split_word_embeddings(model)
    assert q.dtype == np.int8 and q.shape == (50, HIDDEN) and zero is None
    assert VECTORS_INPUT in [i.name for i in model.graph.input]
    assert not [t for t in model.graph.initializer if "word_embeddings" in t.name]
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        save_embeddings(Path(tmp) / "v.npz", q, scale)
        vectors = WordVectors(Path(tmp) / "v.npz")(ids)
    after = run_graph(model, {"input_ids": ids, "attention_mask": mask, VECTORS_INPUT: vectors})
    assert after.shape == before.shape
    # each vector moved by at most half a step per component: bounded change of the logits
    bound = (scale.max() / 2) * np.abs(numpy_weight(model)).sum(axis=0).max()
    assert np.abs(after - before).max() <= bound + 1e-4
    assert np.abs(after - before).max() > 0  # it did go through the 8-bit table


def numpy_weight(model):  # type: ignore[no-untyped-def]
    from onnx import numpy_helper

    return next(numpy_helper.to_array(t) for t in model.graph.initializer if t.name == "classifier")


def test_converting_an_already_quantised_export_keeps_its_output_exactly(tmp_path) -> None:  # type: ignore[no-untyped-def]
    onnx = pytest.importorskip("onnx")
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from newsgraph.stages.attributions.tagger_onnx import (
        EMBEDDINGS_NAME,
        MODEL_NAME,
        TOKENIZER_NAME,
        OnnxTagger,
    )
    from newsgraph.training.attribution_nn import convert

    vocab = 30522  # the shipped tokenizer's vocabulary
    src = tmp_path / "old"
    src.mkdir()
    onnx.save(tiny_tagger_graph(vocab), str(tmp_path / "fp32.onnx"))
    quantize_dynamic(str(tmp_path / "fp32.onnx"), str(src / MODEL_NAME), weight_type=QuantType.QInt8)
    tok = DATA / TOKENIZER_NAME
    (src / TOKENIZER_NAME).write_bytes(tok.read_bytes())
    paths = convert(src / MODEL_NAME, tmp_path / "new", log=lambda _: None)
    assert paths["embeddings"].name == EMBEDDINGS_NAME
    with np.load(paths["embeddings"]) as z:  # the quantised table as it was: 8-bit with zero points
        assert z["q"].dtype == np.uint8 and "zero" in z.files
    assert (tmp_path / "new" / TOKENIZER_NAME).exists()
    old = OnnxTagger(src / MODEL_NAME, src / TOKENIZER_NAME)
    new = OnnxTagger(tmp_path / "new" / MODEL_NAME, tmp_path / "new" / TOKENIZER_NAME)
    assert new.vectors is not None and old.vectors is None
    words = [["The", "minister", "said", "the", "bridge", "would", "reopen", "."], [], ["Unknownword", "x"]]
    wins = windows(
        [[[old.tokenizer.token_to_id(w.lower()) or 100] for w in p] for p in words], old.cls, old.sep
    )
    for a, b in zip(old.logits(wins), new.logits(wins), strict=True):
        assert np.array_equal(a, b)
    assert old.tag_words(words) == new.tag_words(words)
    paths["embeddings"].unlink()
    with pytest.raises(ConfigError) as err:
        OnnxTagger(tmp_path / "new" / MODEL_NAME, tmp_path / "new" / TOKENIZER_NAME)
    assert err.value.code == "E107" and EMBEDDINGS_NAME in str(err.value)
