"""Feeds, pages and WARC files for ``add``, served by a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from newsgraph.errors import BadInput
from newsgraph.ingest.feeds import looks_like_feed, parse_feed
from newsgraph.ingest.sources import Known, iter_sources
from newsgraph.ingest.web import Fetcher, FetchOptions, check_url
from newsgraph.model import Article, Problem

PAGE = """<html><head><title>{title}</title></head><body><article><h1>{title}</h1>
<p>{body} The minister said on Monday that the talks in Geneva would resume next week,
according to two officials who spoke on condition of anonymity.</p></article></body></html>"""

FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Example Wire</title><link>{base}/</link>
<item><title>Talks resume</title><link>{base}/a.html</link>
<pubDate>Mon, 09 Dec 2024 10:00:00 GMT</pubDate></item>
<item><title>Port reopens</title><link>{base}/b.html</link>
<pubDate>Tue, 10 Dec 2024 08:00:00 GMT</pubDate></item>
<item><title>Gone</title><link>{base}/missing.html</link></item>
</channel></rss>"""


class Site:
    """What the handler serves and what it saw."""

    def __init__(self) -> None:
        self.hits: dict[str, int] = {}
        self.agents: list[str] = []
        self.base = ""


def make_handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            site.hits[self.path] = site.hits.get(self.path, 0) + 1
            site.agents.append(self.headers.get("User-Agent", ""))
            if self.path == "/feed.xml":
                self._send(200, "application/rss+xml", FEED.format(base=site.base).encode())
            elif self.path in ("/a.html", "/b.html"):
                title = "Talks resume" if self.path == "/a.html" else "Port reopens"
                self._send(
                    200, "text/html; charset=utf-8", PAGE.format(title=title, body=title + ".").encode()
                )
            elif self.path == "/flaky.html":
                if site.hits[self.path] == 1:
                    self._send(503, "text/plain", b"busy", {"Retry-After": "0"})
                else:
                    self._send(200, "text/html", PAGE.format(title="Flaky", body="Second try.").encode())
            elif self.path == "/big.html":
                self._send(200, "text/html", b"<p>" + b"word " * 50_000 + b"</p>")
            else:
                self._send(404, "text/plain", b"not found")

        def _send(self, status: int, kind: str, body: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

    return Handler


@pytest.fixture()
def site() -> Iterator[Site]:
    state = Site()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(state))
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


def fetcher(**options: Any) -> Fetcher:
    return Fetcher(FetchOptions(**{"timeout": 5.0, "backoff": 0.01, **options}))


def test_a_feed_url_yields_its_pages_with_the_feeds_metadata(site: Site) -> None:
    items = list(iter_sources([f"{site.base}/feed.xml"], fetcher=fetcher()))
    articles = [i for i in items if isinstance(i, Article)]
    problems = [i for i in items if isinstance(i, Problem)]
    assert [a.metadata.url for a in articles] == [f"{site.base}/a.html", f"{site.base}/b.html"]
    assert articles[0].metadata.published == "2024-12-09" and "Geneva" in articles[0].text
    assert articles[0].metadata.title == "Talks resume"
    assert [(p.input, p.code) for p in problems] == [(f"{site.base}/missing.html", "E012")]
    assert all(agent.startswith("newsgraph/") for agent in site.agents)


def test_pages_already_stored_are_not_fetched(site: Site) -> None:
    stored = {f"{site.base}/a.html"}
    items = list(iter_sources([f"{site.base}/feed.xml"], fetcher=fetcher(), known=stored.__contains__))
    assert Known(f"{site.base}/a.html") in items
    assert "/a.html" not in site.hits and site.hits["/b.html"] == 1


def test_a_busy_server_is_retried_after_a_pause_and_given_up_on_after_the_retries(site: Site) -> None:
    page = fetcher(retries=1).fetch(f"{site.base}/flaky.html")
    assert page.status == 200 and site.hits["/flaky.html"] == 2
    site.hits.clear()
    with pytest.raises(BadInput) as caught:
        fetcher(retries=0).fetch(f"{site.base}/flaky.html")
    assert caught.value.code == "E012" and "503" in str(caught.value)


def test_the_size_limit_and_the_schemes_are_enforced(site: Site) -> None:
    with pytest.raises(BadInput) as caught:
        fetcher(max_bytes=10_000).fetch(f"{site.base}/big.html")
    assert caught.value.code == "E013"
    for url in ("ftp://example.org/a", "file:///etc/passwd", "http:///nohost"):
        with pytest.raises(BadInput) as refused:
            check_url(url)
        assert refused.value.code == "E011"
    (problem,) = iter_sources(["ftp://example.org/a"], fetcher=fetcher())
    assert isinstance(problem, Problem) and problem.code == "E011"


def test_an_unreachable_server_is_a_problem_not_a_crash() -> None:
    (problem,) = iter_sources(["http://127.0.0.1:9/none.html"], fetcher=fetcher(retries=0, timeout=1))
    assert isinstance(problem, Problem) and problem.code == "E012"


def test_feeds_are_recognised_by_type_or_first_element() -> None:
    assert looks_like_feed("application/atom+xml", b"")
    assert looks_like_feed("text/xml", b'<?xml version="1.0"?>\n<!-- c --><rss version="2.0">')
    assert not looks_like_feed("text/html", b"<rss>")
    with pytest.raises(BadInput) as caught:
        parse_feed("x.xml", b"<html><body>not a feed</body></html>")
    assert caught.value.code == "E014"


def test_a_local_feed_file_fetches_its_pages(site: Site, tmp_path: Path) -> None:
    path = tmp_path / "wire.rss"
    path.write_text(FEED.format(base=site.base))
    items = list(iter_sources([str(path)], fetcher=fetcher()))
    assert sum(isinstance(i, Article) for i in items) == 2


def _warc(path: Path, records: list[tuple[str, str, bytes]]) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=path.name.endswith(".gz"))
        for url, kind, body in records:
            headers = StatusAndHeaders("200 OK", [("Content-Type", kind)], protocol="HTTP/1.1")
            record = writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), http_headers=headers
            )
            writer.write_record(record)


def test_a_warc_file_yields_its_html_responses(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    page = PAGE.format(title="Archived", body="From the archive.").encode()
    _warc(
        path,
        [
            ("https://example.org/a", "text/html", page),
            ("https://example.org/logo.png", "image/png", b"\x89PNG"),
        ],
    )
    (article,) = iter_sources([str(path)])
    assert isinstance(article, Article) and article.metadata.url == "https://example.org/a"
    assert "Geneva" in article.text


def test_a_file_that_is_not_warc_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "bad.warc"
    path.write_bytes(b"this is not a WARC file at all\n" * 10)
    (problem,) = iter_sources([str(path)])
    assert isinstance(problem, Problem) and problem.code == "E015"
