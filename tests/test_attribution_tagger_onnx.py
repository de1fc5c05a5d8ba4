"""The learned attribution tagger's run-time side: windows, constrained decoding, the shipped ONNX model."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsgraph.errors import ConfigError
from newsgraph.model import Article
from newsgraph.stages.attributions import make_stage
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
