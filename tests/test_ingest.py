"""Ingest: text kept exactly, encodings detected, HTML through trafilatura, coded errors per input."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsgraph.errors import BadInput
from newsgraph.ingest import Limits, count_inputs, decode, iter_inputs, normalise_date
from newsgraph.model import Article, Metadata, Problem

STORY = (
    "Officials in Lagos said on Monday that the new bridge would open next year.\n"
    "“It is finished,” the engineer told reporters.\n"
)

PAGE = """<!doctype html><html><head><title>Bridge opens | Harbour Daily</title>
<meta property="og:site_name" content="Harbour Daily">
<meta name="author" content="Ada Obi">
<meta property="article:published_time" content="2025-04-02T08:00:00Z">
<link rel="canonical" href="https://harbour.example/bridge"></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Bridge opens in Lagos</h1>
<p>Officials in Lagos said on Monday that the new bridge across the lagoon would open to traffic next year,
after six years of construction and two changes of contractor.</p>
<p>The engineer in charge told reporters that the last section had been tested with loaded lorries
and had passed every inspection required by the state government.</p>
<p>Residents of the island have waited for the crossing since the old ferry service was suspended.</p>
</article><footer>Copyright Harbour Daily</footer></body></html>"""


def one(path: Path | str, **kw: object) -> Article | Problem:
    results = list(iter_inputs([str(path)], **kw))  # type: ignore[arg-type]
    assert len(results) == 1
    return results[0]


def test_plain_text_is_kept_character_for_character(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text(STORY, encoding="utf-8")
    article = one(path)
    assert isinstance(article, Article)
    assert article.text == STORY
    assert article.input == str(path)


def test_utf8_bom_is_dropped_and_crlf_kept(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffLine one.\r\nLine two.\r\n".encode())
    article = one(path)
    assert isinstance(article, Article)
    assert article.text == "Line one.\r\nLine two.\r\n"


def test_non_utf8_encoding_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    text = "Le ministre a déclaré à Genève que les négociations reprendraient après l'été. " * 3
    path.write_bytes(text.encode("cp1252"))
    article = one(path)
    assert isinstance(article, Article)
    assert article.text == text


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "E002"),
        (b"   \n\t  \n", "E002"),
        (b"\x00\x01\x02\x03binary\x00data" * 10, "E003"),
    ],
)
def test_unusable_text_files_get_coded_problems(tmp_path: Path, content: bytes, code: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    problem = one(path)
    assert isinstance(problem, Problem)
    assert problem.code == code
    assert str(path) in problem.message


def test_missing_path_and_size_limit(tmp_path: Path) -> None:
    missing = one(tmp_path / "nope.txt")
    assert isinstance(missing, Problem) and missing.code == "E001"
    big = tmp_path / "big.txt"
    big.write_text("word " * 100)
    over = one(big, limits=Limits(max_chars=100))
    assert isinstance(over, Problem) and over.code == "E006"
    assert "max_chars" in over.message


def test_one_bad_input_never_stops_the_rest(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(STORY)
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    results = list(iter_inputs([str(empty), str(tmp_path / "gone.txt"), str(good)]))
    assert [type(r).__name__ for r in results] == ["Problem", "Problem", "Article"]


def test_html_gives_article_text_and_metadata(tmp_path: Path) -> None:
    path = tmp_path / "page.html.gz"
    path.write_bytes(gzip.compress(PAGE.encode("utf-8")))
    article = one(path)
    assert isinstance(article, Article)
    assert "new bridge across the lagoon" in article.text
    assert "Home" not in article.text and "Copyright" not in article.text
    assert article.metadata.title and "Bridge opens" in article.metadata.title
    assert article.metadata.published == "2025-04-02"
    assert article.metadata.author == "Ada Obi"
    assert article.metadata.outlet == "Harbour Daily"


def test_html_without_article_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "empty.html"
    path.write_text("<html><body><nav>Home</nav></body></html>")
    problem = one(path)
    assert isinstance(problem, Problem) and problem.code == "E005"


def test_jsonl_records_each_become_an_article_or_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    lines = [
        json.dumps({"text": STORY, "published": "2025-04-02", "outlet": "Harbour Daily", "id": "a1"}),
        "{not json",
        json.dumps({"title": "no body"}),
        json.dumps({"html": PAGE, "url": "https://harbour.example/bridge"}),
        json.dumps(["a", "list"]),
    ]
    path.write_text("\n".join(lines) + "\n")
    results = list(iter_inputs([str(path)]))
    assert count_inputs([str(path)]) == 5
    kinds = [(type(r).__name__, getattr(r, "code", None)) for r in results]
    assert kinds == [
        ("Article", None),
        ("Problem", "E007"),
        ("Problem", "E007"),
        ("Article", None),
        ("Problem", "E007"),
    ]
    first = results[0]
    assert isinstance(first, Article)
    assert first.input == f"{path}:a1"
    assert first.metadata.published == "2025-04-02" and first.metadata.outlet == "Harbour Daily"
    assert results[1].input == f"{path}:2"


def test_overrides_replace_metadata(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text(STORY)
    article = one(path, overrides=Metadata(published="2024-12-12", outlet="The Herald"))
    assert isinstance(article, Article)
    assert (article.metadata.published, article.metadata.outlet) == ("2024-12-12", "The Herald")


def test_standard_input_and_directories(tmp_path: Path) -> None:
    article = next(iter_inputs(["-"], stdin=io.BytesIO(STORY.encode())))
    assert isinstance(article, Article) and article.text == STORY and article.input == "<stdin>"
    (tmp_path / "a.txt").write_text(STORY)
    (tmp_path / "b.html").write_text(PAGE)
    (tmp_path / "notes.bin").write_bytes(b"\x00")
    names = [r.input for r in iter_inputs([str(tmp_path)])]
    assert names == [str(tmp_path / "a.txt"), str(tmp_path / "b.html")]


def test_normalise_date() -> None:
    assert normalise_date("2024-12-12") == "2024-12-12"
    assert normalise_date("2024-12-12T10:00:00Z") == "2024-12-12T10:00:00+00:00"
    assert normalise_date("12/12/2024") is None
    assert normalise_date(None) is None


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_decode_or_raise_a_coded_error(data: bytes) -> None:
    try:
        text = decode(data)
    except BadInput as err:
        assert err.code in {"E002", "E003", "E004"}
    else:
        assert isinstance(text, str) and text.strip()


@settings(max_examples=150, deadline=None)
@given(st.text(min_size=1, max_size=500).filter(lambda t: t.strip() and "\x00" not in t))
def test_utf8_text_round_trips_exactly(text: str) -> None:
    try:
        decoded = decode(text.encode("utf-8"))
    except BadInput as err:  # text made mostly of control characters
        assert err.code == "E003"
    else:
        assert decoded == text.removeprefix("\ufeff")
