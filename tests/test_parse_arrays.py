"""The parse stage's array readers give exactly what spaCy's Token-walking properties give."""

from __future__ import annotations

from typing import Any

import pytest

from newsgraph.stages import doc_text, sentence_bounds
from newsgraph.stages.attributions.features import Table
from newsgraph.stages.attributions.lexicons import load
from newsgraph.stages.parse import ParseStage

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
