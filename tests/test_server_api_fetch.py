"""``POST /api/analyze`` with a URL, against a real HTTP server on 127.0.0.1.

The public-address guard refuses loopback, so the fetching tests exempt ``127.0.0.1`` by the
server's explicit allow-list (``ServerOptions.fetch_allow``); the refusals are tested with
the guard as shipped (no allow-list), plus the address rules on their own.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from newsgraph.core.corpus import Corpus
from newsgraph.errors import BadInput
from newsgraph.ingest.web import Fetcher, FetchOptions, PublicOnly, not_public
from newsgraph.server import ServerOptions, create_app

TEXT = resources.files("newsgraph").joinpath("samples", "summit.txt").read_text("utf-8")
PAGE = (
    "<html><head><title>Summit</title></head><body><article>"
    + "".join(f"<p>{p}</p>" for p in TEXT.split("\n\n") if p.strip())
    + "</article></body></html>"
).encode()


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        port = self.server.server_address[1]
        if self.path == "/article.html":
            self._send(200, PAGE, "text/html; charset=utf-8")
        elif self.path == "/plain.txt":
            self._send(200, TEXT.encode(), "text/plain; charset=utf-8")
        elif self.path == "/to-localhost":
            self.send_response(302)
            self.send_header("Location", f"http://localhost:{port}/article.html")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/huge":  # no Content-Length: the limit must hold on the bytes read
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            for _ in range(100):
                self.wfile.write(b"<p>" + b"filler " * 200 + b"</p>")
        else:
            self._send(404, b"not here", "text/plain")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def client_for(tmp_path: Path, newsgraph: Any, **options: Any) -> TestClient:
    corpus = Corpus(db=str(tmp_path / "store.db"), newsgraph=newsgraph)
    app = create_app(corpus=corpus, options=ServerOptions(db=str(tmp_path / "store.db"), **options))
    return TestClient(app, raise_server_exceptions=False)


def error_of(response: Any, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code and set(error) == {"code", "message", "where"}
    return str(error["message"])


@pytest.mark.slow
def test_a_page_on_an_allowed_host_is_fetched_and_analysed(tmp_path: Path, newsgraph: Any, site: str) -> None:
    client = client_for(tmp_path, newsgraph, fetch_allow=frozenset({"127.0.0.1"}))
    response = client.post("/api/analyze", json={"url": f"{site}/article.html"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["metadata"]["url"] == f"{site}/article.html"
    assert "sanctions" in body["text"] and body["attributions"]
    plain = client.post("/api/analyze", json={"url": f"{site}/plain.txt"}).json()
    assert plain["text"] == TEXT
    added = client.post("/api/articles", json={"url": f"{site}/article.html"})
    assert added.status_code == 201, added.text
    assert client.get(added.json()["location"]).json()["metadata"]["url"] == f"{site}/article.html"
    error_of(client.post("/api/analyze", json={"url": f"{site}/missing"}), 422, "E012")


def test_loopback_is_refused_by_the_guard_as_shipped(tmp_path: Path, site: str) -> None:
    client = client_for(tmp_path, None)
    message = error_of(client.post("/api/analyze", json={"url": f"{site}/article.html"}), 422, "E011")
    assert "127.0.0.1 is a loopback address" in message
    port = site.rsplit(":", 1)[1]
    message = error_of(client.post("/api/analyze", json={"url": f"http://localhost:{port}/"}), 422, "E011")
    assert "loopback" in message
    error_of(client.post("/api/analyze", json={"url": "ftp://example.org/a"}), 422, "E011")


def test_a_redirect_to_a_host_not_allowed_is_refused(tmp_path: Path, site: str) -> None:
    client = client_for(tmp_path, None, fetch_allow=frozenset({"127.0.0.1"}))
    message = error_of(client.post("/api/analyze", json={"url": f"{site}/to-localhost"}), 422, "E011")
    assert "localhost" in message and "loopback" in message


def test_a_page_over_the_fetch_limit_is_refused(tmp_path: Path, site: str) -> None:
    client = client_for(tmp_path, None, fetch_allow=frozenset({"127.0.0.1"}), max_fetch=20_000)
    error_of(client.post("/api/analyze", json={"url": f"{site}/huge"}), 422, "E013")


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.9", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),  # cloud metadata
        ("fe80::1", "link-local"),
        ("fc00::5", "private"),
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "not a public"),  # shared address space (carrier NAT)
    ],
)
def test_addresses_that_are_not_public(address: str, kind: str) -> None:
    why = not_public(address)
    assert why is not None and kind in why


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "8.8.8.8"])
def test_public_addresses_pass(address: str) -> None:
    assert not_public(address) is None


def test_a_name_resolving_to_any_private_address_is_refused_before_connecting() -> None:
    """With a resolver standing in for DNS: one private address among public ones is enough."""
    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, text="ok")

    def resolver(host: str, port: int) -> list[str]:
        return {"mixed.test": ["93.184.216.34", "10.0.0.7"], "public.test": ["93.184.216.34"]}[host]

    transport = PublicOnly(httpx.MockTransport(record), resolver=resolver)
    fetcher = Fetcher(FetchOptions(retries=0), transport=transport)
    with pytest.raises(BadInput) as refused:
        fetcher.fetch("http://mixed.test/page")
    assert refused.value.code == "E011" and "10.0.0.7" in str(refused.value)
    assert sent == []
    page = fetcher.fetch("https://public.test/page")
    # Sent to the very address that was checked, under the original name.
    assert sent[0].url.host == "93.184.216.34" and sent[0].headers["host"] == "public.test"
    assert sent[0].extensions["sni_hostname"] == "public.test"
    assert page.body == b"ok"
