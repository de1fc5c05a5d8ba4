"""The parse stage's array readers give exactly what spaCy's Token-walking properties give."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from newsgraph.stages import doc_text, sentence_bounds
from newsgraph.stages.attributions.features import Table
from newsgraph.stages.attributions.lexicons import load
from newsgraph.stages.parse import ParseStage, RuleTables, _indexed_lemmatizer

TEXTS = [
    "",
    " ",
    "Yes",
    "  Two  spaces,\ttabs\u00a0and a no-break space.  ",
    'The minister said on Monday that talks would resume.\n\n"We are ready," he said. Others were not.',
    "Line one\nline two\r\n\r\nU.S. officials -- who spoke anonymously -- said: 'no'.",
]


@pytest.mark.parametrize("text", TEXTS)
def test_text_and_sentences_match_spacy(nlp: Any, text: str) -> None:
    doc = nlp(text)
    assert doc_text(doc) == doc.text
    assert sentence_bounds(doc) == [(s.start, s.end) for s in doc.sents]


def test_joined_pieces_match_spacy() -> None:
    """A long text parsed in pieces and joined into one Doc."""
    stage = ParseStage(piece_chars=1000)
    text = "\n\n".join(f"Paragraph {i}. The mayor said it rained, and then it stopped." for i in range(60))
    doc = stage.parse(text)
    assert doc_text(doc) == doc.text == text
    assert sentence_bounds(doc) == [(s.start, s.end) for s in doc.sents]


@pytest.mark.parametrize("text", TEXTS[1:])
def test_attribution_table_matches_token_attributes(nlp: Any, text: str) -> None:
    doc = nlp(text)
    tab = Table(doc, load())
    for tok in doc:
        i = tok.i
        et = tok.ent_type_
        assert (tab.text[i], tab.lower[i], tab.lemma[i], tab.pos[i], tab.tag[i], tab.dep[i]) == (
            tok.text,
            tok.lower_,
            tok.lemma_.lower(),
            tok.pos_,
            tok.tag_,
            tok.dep_,
        )
        assert (tab.head[i], tab.ent[i], tab.idx[i], tab.space[i], tab.sent_start[i]) == (
            tok.head.i,
            tok.ent_iob_ + et if et else "O",
            tok.idx,
            tok.is_space,
            bool(tok.is_sent_start),
        )


SHARED_DEV = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "polnear" / "dev" / "text"
RULE_TEXTS = [
    *TEXTS,
    "I ain't gonna wait; let's go, y'all. C'mon, you gotta see it. There is a cat and it's here.",
    "But he said that those who wanted it could not have it \u2014 nothing, nobody. Then I told him.",
]


def _annotations(doc: Any) -> list[tuple[Any, ...]]:
    return [
        (
            t.text,
            t.tag_,
            t.pos_,
            str(t.morph),
            t.lemma_,
            t.dep_,
            t.head.i,
            t.ent_iob_,
            t.ent_type_,
            t.is_sent_start,
        )
        for t in doc
    ]


def test_rule_tables_give_spacys_annotations(nlp: Any) -> None:
    """The parse stage's attribute-ruler and lemmatizer tables annotate exactly as spaCy does."""
    tables = RuleTables.for_nlp(nlp)
    assert tables is not None  # the shipped model's components are the kinds reproduced
    texts = list(RULE_TEXTS)
    if SHARED_DEV.is_dir():  # real news texts when the shared data is there
        texts += [f.read_text("utf-8") for f in sorted(SHARED_DEV.glob("*.txt"))[:6]]
    for text in texts:
        want = _annotations(nlp(text))
        got = _annotations(tables(nlp(text, disable=list(RuleTables.COMPONENTS))))
        assert got == want, text[:60]
    # the stage uses them, for short texts and for long texts parsed in pieces
    stage = ParseStage(piece_chars=1000)
    assert stage.rules is not None
    long = "\n\n".join(texts[4:6] * 20)
    assert _annotations(stage.parse(long)) == _annotations(
        ParseStage(piece_chars=1000, rule_tables=False).parse(long)
    )


def test_indexed_lemmatizer_gives_spacys_lemmas(nlp: Any) -> None:
    """The set-indexed copy of the lemmatizer returns spaCy's own candidate lists, for every
    token under each part of speech the rules know (not only the one the tagger gave), and
    leaves the model's component as it was."""
    lemmatizer = nlp.get_pipe("lemmatizer")
    clone = _indexed_lemmatizer(lemmatizer)
    texts = list(RULE_TEXTS)
    if SHARED_DEV.is_dir():
        texts += [f.read_text("utf-8") for f in sorted(SHARED_DEV.glob("*.txt"))[6:10]]
    checked = 0
    for doc in nlp.pipe(texts):
        for tok in doc:
            for pos in ("NOUN", "VERB", "ADJ", "ADV", "PROPN", tok.pos_):
                tok.pos_ = pos
                lemmatizer.cache.clear()  # spaCy's own path, not its cache
                assert clone.rule_lemmatize(tok) == lemmatizer.rule_lemmatize(tok), (tok.text, pos)
                checked += 1
    assert checked > 500
    index = lemmatizer.lookups.get_table("lemma_index")
    assert all(isinstance(v, list) for v in index.values())  # the model's tables untouched


def test_rule_tables_decline_other_components(nlp: Any) -> None:
    """A model whose ruler uses a pattern key the tables do not reproduce is left to spaCy."""
    import spacy

    blank = spacy.blank("en")
    blank.add_pipe("attribute_ruler").add([[{"SHAPE": "Xxxx"}]], {"POS": "PROPN"})
    blank.add_pipe("lemmatizer", config={"mode": "rule"})
    assert RuleTables.for_nlp(blank) is None
    assert RuleTables.for_nlp(spacy.blank("en")) is None
