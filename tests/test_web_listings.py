"""The listing pages over a real SQLite store of hand-built articles: quotes, problems,
articles, timeline, search and claims filters, and the reader's links (no model loaded)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from newsgraph.core.corpus import Corpus
from newsgraph.model import Article, Attribution, Event, Metadata, Problem, Source, Span
from newsgraph.server import create_app
from newsgraph.server.reader import claim_text, safe_url
from newsgraph.store import content_hash


def article(
    n: int, *, outlet: str, published: str, event_date: str | None, url: str | None = None
) -> Article:
    """An article with one quote (hedged when ``n`` is odd, anonymous when ``n`` is 2) and one event."""
    text = f"Officials in town {n} said the bridge may reopen soon. The army shelled village {n}."
    said = text.index("said")
    content = text.index("the bridge")
    shelled = text.index("shelled")
    return Article(
        text=text,
        metadata=Metadata(title=f"Report number {n}", published=published, outlet=outlet, url=url),
        attributions=[
            Attribution(
                "a1",
                "indirect",
                Source("anonymous" if n == 2 else "person", f"Officials in town {n}", 0, said - 1),
                Span(said, said + 4, "said"),
                Span(content, content + 30, text[content : content + 30]),
                hedge="may" if n % 2 else "none",
            )
        ],
        events=[
            Event(
                "v1",
                "ASSAULT",
                Span(shelled, shelled + 7, "shelled"),
                date=event_date,
                sentence=Span(text.index("The army"), len(text), text[text.index("The army") :]),
            )
        ],
    )


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[TestClient, Corpus]]:
    corpus = Corpus(db=str(tmp_path / "store.db"))
    stored = [
        article(1, outlet="Daily One", published="2025-03-20", event_date="2025-03-19"),
        article(2, outlet="Daily Two", published="2025-03-10", event_date=None),
        article(3, outlet="Daily One", published="2025-04-02", event_date="2025-01-05", url="javascript:x()"),
        article(
            4, outlet="Daily Two", published="2025-02-01", event_date="2025-02-01", url="https://e.org/4"
        ),
    ]
    with corpus.store.begin() as conn:
        for n, item in enumerate(stored, 1):
            corpus.store.write_article(conn, f"a{n}", content_hash(item.text), item, "test")
        for n in range(55):
            corpus.store.record_problem(conn, Problem(f"bad-{n:02d}.txt", "E002", "Input is empty"), "test")
        corpus.store.record_problem(conn, Problem("odd.bin", "E003", "Input looks binary"), "test")
    with TestClient(create_app(corpus=corpus)) as client:
        yield client, corpus
    corpus.close()


def titles(page: str) -> list[str]:
    return re.findall(r"Report number \d", page)


def test_the_quotes_page_lists_and_filters_who_says_what(site: tuple[TestClient, Corpus]) -> None:
    client, _ = site
    every = client.get("/quotes")
    assert every.status_code == 200 and every.text.count('class="muted">Officials in town') == 4
    assert '<a href="/quotes">Quotes</a>' in every.text  # in the navigation
    hedged = client.get("/quotes?hedged=1").text
    assert sorted(re.findall(r"Officials in town (\d)", hedged)) == ["1", "3"] and "hedge: may" in hedged
    anonymous = client.get("/quotes?source_type=anonymous").text
    assert re.findall(r"Officials in town (\d)", anonymous) == ["2"]
    assert re.findall(r"Officials in town (\d)", client.get("/quotes?speaker=town+4").text) == ["4"]
    assert re.findall(r"Officials in town (\d)", client.get("/quotes?outlet=Daily+Two&hedged=on").text) == []
    none = client.get("/quotes?about=zebra")
    assert "No quote matches these filters" in none.text and 'href="/quotes">Show all quotes' in none.text
    # A quote links to its sentence; an unknown source type is ignored, not an error.
    assert 'href="/articles/a1#att-a1"' in every.text
    assert client.get("/quotes?source_type=<b>&page=x").status_code == 200


def test_every_problem_is_reachable_page_by_page(site: tuple[TestClient, Corpus]) -> None:
    client, _ = site
    dashboard = client.get("/").text
    assert "20 of 56 shown" in dashboard and 'href="/problems">All problems' in dashboard
    first = client.get("/problems").text
    assert first.count("<tr><td") == 50 and 'rel="next" href="?page=2"' in first
    second = client.get("/problems?page=2").text
    assert second.count("<tr><td") == 6 and "odd.bin" in second
    binary = client.get("/problems?code=e003").text
    assert binary.count("<tr><td") == 1 and "odd.bin" in binary
    assert "No problem with code E999" in client.get("/problems?code=E999").text


def test_articles_filter_by_outlet_and_dates_and_the_pager_keeps_them(
    site: tuple[TestClient, Corpus],
) -> None:
    client, _ = site
    one = titles(client.get("/articles?outlet=Daily+One").text)
    assert sorted(one) == ["Report number 1", "Report number 3"]
    march = titles(client.get("/articles?since=2025-03-01&until=2025-03-31").text)
    assert march == ["Report number 2", "Report number 1"]  # most recently added first
    odd = client.get("/articles?since=yesterday&outlet=Nobody")
    assert odd.status_code == 200 and "No article matches these filters" in odd.text
    assert 'value=""' in odd.text.split('id="since"')[1][:40]  # a date that is not one is dropped
    paged = client.get("/articles?outlet=Daily+One&page=2").text
    assert 'href="?outlet=Daily+One&amp;page=1"' in paged


def test_the_timeline_table_runs_by_date_and_links_the_article(site: tuple[TestClient, Corpus]) -> None:
    client, _ = site
    page = client.get("/timeline").text
    table = page.split('<table class="events')[1]
    dates = re.findall(r'<td class="nowrap"[^>]*>([^<]+)</td>', table)
    # An event without a date sits at its article's publication date.
    assert dates == ["2025-01-05", "2025-02-01", "2025-03-10", "2025-03-19"]
    assert 'href="/articles/a3">Report number 3</a> <span class="muted">Daily One</span>' in table
    assert 'tabindex="-1"' in page.split('<svg id="timeline"')[1].split("</svg>")[0]
    spring = client.get("/timeline?since=2025-03-01").text.split('<table class="events')[1]
    assert re.findall(r'<td class="nowrap"[^>]*>([^<]+)</td>', spring) == ["2025-03-10", "2025-03-19"]
    empty = client.get("/timeline?category=AID&since=2030-01-01").text
    assert "No events in AID dated 2030-01-01 to …" in empty


def test_search_keeps_one_kind_and_labels_each_hit(site: tuple[TestClient, Corpus]) -> None:
    client, _ = site
    both = client.get("/search?q=bridge").text
    assert '<span class="badge">quote</span>' in both and '<span class="badge">article</span>' in both
    quotes = client.get("/search?q=bridge&kind=quotes").text
    assert '<span class="badge">quote</span>' in quotes and '<span class="badge">article</span>' not in quotes
    assert "Finds the articles" in client.get("/search").text  # the empty form says what it does
    assert "Nothing among the quotes holds every word" in client.get("/search?q=zebra&kind=quotes").text


def test_the_reader_links_the_outlet_and_only_an_http_url(site: tuple[TestClient, Corpus]) -> None:
    client, _ = site
    hostile = client.get("/articles/a3").text
    assert 'href="/articles?outlet=Daily%20One"' in hostile
    assert "javascript:x()" in hostile and 'href="javascript:' not in hostile
    safe = client.get("/articles/a4").text
    assert '<a class="url" href="https://e.org/4" rel="noopener noreferrer nofollow">' in safe


def test_claim_texts_lose_the_quote_marks_they_were_cut_with() -> None:
    assert claim_text('"The quay is not safe for loaded trucks,"') == "The quay is not safe for loaded trucks"
    assert claim_text("“We will win,”") == "We will win"
    assert claim_text('""') == '""'  # nothing left: the text as it was
    assert safe_url(" https://example.org/a?b=1 ") == "https://example.org/a?b=1"
    for bad in ["javascript:alert(1)", "JAVASCRIPT://x", "data:text/html,x", "//e.org", "http:/x", None]:
        assert safe_url(bad) is None, bad


@pytest.mark.parametrize("path", ["/quotes", "/problems", "/articles?outlet=x", "/timeline?since=2025"])
def test_the_new_listings_render_over_an_empty_store(tmp_path: Path, path: str) -> None:
    client = TestClient(create_app(str(tmp_path / "store.db")))
    page = client.get(path)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert not re.search(r"<script(?![^>]*\bsrc=)", page.text) and " style=" not in page.text


def test_claims_filter_by_words(site: tuple[TestClient, Corpus]) -> None:
    client, _ = site
    page = client.get("/claims?about=bridge&contested=1")
    assert page.status_code == 200
    assert "No claim groups with a contradiction holding every word of “bridge”" in page.text
    assert 'id="about"' in page.text and 'value="bridge"' in page.text
