"""Hardening of the ingest layer: each hostile input of issue 8 is a coded problem or a correct article."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest

from newsgraph.errors import BadInput
from newsgraph.ingest import (
    Limits,
    decode_with_warnings,
    detect_language,
    html_article,
    iter_inputs,
    jsonl_articles,
    looks_like_html,
    normalise_date,
)
from newsgraph.model import Article, Problem

STORY = (
    "Officials in Lagos said on Monday that the new bridge would open next year.\n"
    "“It is finished,” the engineer told reporters, adding that the last tests were done.\n"
)
PARAGRAPH = (
    "<p>Officials in Karachi said the floods had displaced thousands of families across the"
    " province on Monday, and the army was sent to help.</p>"
)


def results(path: Path, **kw: object) -> list[Article | Problem]:
    return list(iter_inputs([str(path)], **kw))  # type: ignore[arg-type]


def test_utf8_with_one_stray_byte_stays_utf8_with_a_warning(tmp_path: Path) -> None:
    data = STORY.encode() + b"The minister\xff said so.\n"
    text, warnings = decode_with_warnings(data)
    assert "“It is finished,”" in text  # not â€œ mojibake
    assert "minister\ufffd said" in text
    assert warnings and "1 invalid byte" in warnings[0]
    path = tmp_path / "stray.txt"
    path.write_bytes(data)
    (article,) = results(path)
    assert isinstance(article, Article) and article.warnings == warnings


def test_single_byte_encodings_are_still_detected() -> None:
    text, warnings = decode_with_warnings("Le ministre a déclaré à Genève que c'était fini.".encode("cp1252"))
    assert "déclaré à Genève" in text and not warnings


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-16"])
def test_utf16_with_or_without_bom_is_text(codec: str) -> None:
    text, _ = decode_with_warnings(STORY.encode(codec))
    assert text == STORY


def test_nul_byte_anywhere_is_binary(tmp_path: Path) -> None:
    path = tmp_path / "late-nul.txt"
    path.write_bytes(STORY.encode() * 200 + b"\x00" + STORY.encode())
    (problem,) = results(path)
    assert isinstance(problem, Problem) and problem.code == "E003" and "NUL" in problem.message


def test_deeply_nested_html_still_gives_its_text() -> None:
    page = "<html><body>" + "<div>" * 100_000 + PARAGRAPH * 2 + "</div>" * 100_000 + "</body></html>"
    article = html_article("nested.html", page)
    assert "displaced thousands of families" in article.text


def test_html_on_standard_input_is_read_as_a_page() -> None:
    page = f"<!doctype html><html><body><article>{PARAGRAPH}{PARAGRAPH}</article></body></html>"
    (article,) = list(iter_inputs(["-"], stdin=io.BytesIO(page.encode())))
    assert isinstance(article, Article)
    assert "<p>" not in article.text and article.text.startswith("Officials in Karachi")
    assert looks_like_html(page) and not looks_like_html(STORY)
    assert not looks_like_html("<3 the minister said that she loved the plan")


def test_headline_without_its_own_element_is_not_glued_to_the_paragraph() -> None:
    page = f"<html><body><article>Floods in Sindh{PARAGRAPH}</article></body></html>"
    article = html_article("glued.html", page)
    assert article.text.startswith("Floods in Sindh\nOfficials in Karachi")


def test_declared_and_detected_language() -> None:
    ru = (
        '<html lang="ru"><body><article><p>Официальные лица в Карачи заявили, что наводнения вынудили'
        " тысячи семей покинуть свои дома в провинции.</p></article></body></html>"
    )
    assert html_article("ru.html", ru).metadata.language == "ru"
    assert detect_language(STORY) == "en"
    german = "Die Regierung hat am Montag in Berlin erklärt, dass die Gespräche fortgesetzt werden sollen."
    assert detect_language(german) == "de"
    assert detect_language("Floods in Sindh") is None  # too short to tell


def test_limit_is_per_record_not_per_file(tmp_path: Path) -> None:
    limits = Limits(max_chars=5_000)
    record = json.dumps({"text": STORY})
    lines = [record] * 200 + [json.dumps({"text": "word " * 3_000}), "x" * 40_000, record]
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join(lines) + "\n")
    assert path.stat().st_size > 4 * limits.max_bytes  # the file is far over, each good record under
    out = results(path, limits=limits)
    assert len(out) == 203
    assert all(isinstance(a, Article) for a in out[:200]) and isinstance(out[202], Article)
    assert [(p.input, p.code) for p in out[200:202] if isinstance(p, Problem)] == [
        (f"{path}:201", "E006"),
        (f"{path}:202", "E006"),
    ]


def test_truncated_gzip_keeps_the_records_before_the_break(tmp_path: Path) -> None:
    body = gzip.compress(("\n".join(json.dumps({"text": f"{STORY} {n}"}) for n in range(50)) + "\n").encode())
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(body[: len(body) // 2])
    out = results(path)
    assert out and all(isinstance(a, Article) for a in out[:-1])
    last = out[-1]
    assert isinstance(last, Problem) and last.code == "E004" and "breaks off" in last.message


def test_numeric_id_is_accepted_and_bad_json_names_its_column() -> None:
    data = (json.dumps({"id": 42, "text": STORY}) + '\n{"text": "unterminated\n').encode()
    article, problem = list(jsonl_articles("feed.jsonl", data))
    assert isinstance(article, Article) and article.input == "feed.jsonl:42"
    assert isinstance(problem, Problem) and problem.code == "E007"
    assert "at at" not in problem.message and "starting at column 10" in problem.message


def test_lone_surrogates_from_json_escapes_become_replacement_characters() -> None:
    data = json.dumps({"text": "The minister \ud800 said so on Monday in Lagos.", "title": "\udfff"}).encode()
    (article,) = list(jsonl_articles("feed.jsonl", data))
    assert isinstance(article, Article)
    assert "\ufffd" in article.text and article.metadata.title == "\ufffd"
    json.dumps(article.to_dict(), ensure_ascii=False).encode("utf-8")


def test_week_dates_and_basic_forms_are_not_publication_dates() -> None:
    assert normalise_date("2024-W50") is None
    assert normalise_date("2024W501") is None
    assert normalise_date("20241212") is None
    assert normalise_date("2024-12-12") == "2024-12-12"
    assert normalise_date("2024-12-12 10:00") == "2024-12-12T10:00:00"


def test_decode_errors_are_coded() -> None:
    for data, code in [(b"", "E002"), (b"\x00\x01" * 50, "E003")]:
        with pytest.raises(BadInput) as err:
            decode_with_warnings(data)
        assert err.value.code == code
