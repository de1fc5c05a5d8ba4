"""The REST API in process (FastAPI's TestClient) over a real SQLite store of the bundled samples:
lists, filters, cursor paging, one record of each kind, analyse and add, and the one error shape."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from fastapi.testclient import TestClient

from newsgraph.core.corpus import Corpus
from newsgraph.schema import article_schema
from newsgraph.server import CSP, ServerOptions, create_app

pytestmark = pytest.mark.slow

SAMPLES = resources.files("newsgraph").joinpath("samples")


def sample_text(name: str = "summit.txt") -> str:
    return SAMPLES.joinpath(name).read_text("utf-8")


def assert_error(response: Any, status: int, code: str, where: str | None = None) -> dict[str, Any]:
    """The one error shape, exactly: {"error": {"code", "message", "where"}}."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"code", "message", "where"}
    assert error["code"] == code
    assert error["message"].startswith(f"[{code}] ")
    if where is not None:
        assert error["where"] == where
    return dict(error)


@pytest.fixture(scope="module")
def client(samples_store: Path, newsgraph: Any) -> Iterator[TestClient]:
    corpus = Corpus(db=str(samples_store), newsgraph=newsgraph)
    with TestClient(create_app(corpus=corpus), raise_server_exceptions=False) as test_client:
        yield test_client
    corpus.close()


@pytest.fixture
def writable(samples_store: Path, tmp_path: Path, newsgraph: Any) -> Iterator[Any]:
    """A factory of clients over a private copy of the samples store, with server options."""
    path = tmp_path / "store.db"
    shutil.copy(samples_store, path)
    opened: list[Corpus] = []

    def make(**options: Any) -> TestClient:
        corpus = Corpus(db=str(path), newsgraph=newsgraph)
        opened.append(corpus)
        app = create_app(corpus=corpus, options=ServerOptions(db=str(path), **options))
        return TestClient(app, raise_server_exceptions=False)

    yield make
    for corpus in opened:
        corpus.close()


def walk(client: TestClient, url: str) -> list[dict[str, Any]]:
    """Every item of a list, following ``next`` links to the end."""
    items: list[dict[str, Any]] = []
    next_url: str | None = url
    while next_url is not None:
        page = client.get(next_url)
        assert page.status_code == 200, page.text
        body = page.json()
        items += body["items"]
        assert (body["next"] is None) == (body["next_cursor"] is None)
        next_url = body["next"]
    return items


# -- lists, paging, filters ------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/articles",
        "/api/entities",
        "/api/attributions",
        "/api/events",
        "/api/places",
        "/api/search?q=talks",
    ],
)
def test_following_next_walks_every_record_once_in_the_one_page_order(client: TestClient, path: str) -> None:
    sep = "&" if "?" in path else "?"
    whole = client.get(f"{path}{sep}limit=200").json()
    assert whole["next"] is None and len(whole["items"]) >= 3
    paged = walk(client, f"{path}{sep}limit=2")
    assert paged == whole["items"]


def test_a_cursor_is_refused_with_other_filters_or_when_forged(client: TestClient) -> None:
    first = client.get("/api/attributions?limit=1&hedged=false").json()
    cursor = first["next_cursor"]
    assert client.get(f"/api/attributions?limit=5&hedged=false&cursor={cursor}").status_code == 200
    assert_error(client.get(f"/api/attributions?hedged=true&cursor={cursor}"), 400, "E407", "query.cursor")
    assert_error(client.get("/api/attributions?cursor=bm90LWEtY3Vyc29y"), 400, "E407", "query.cursor")


def test_articles_sort_and_filter_by_outlet_and_date(client: TestClient) -> None:
    oldest = client.get("/api/articles?sort=published&limit=200").json()["items"]
    dates = [a["published"] for a in oldest]
    assert dates == sorted(dates)
    newest = client.get("/api/articles?sort=-published&limit=200").json()["items"]
    assert [a["published"] for a in newest] == sorted(dates, reverse=True)
    added = client.get("/api/articles?sort=added&limit=200").json()["items"]
    assert added == list(reversed(client.get("/api/articles?limit=200").json()["items"]))
    day = dates[0]
    on_day = client.get(f"/api/articles?since={day}&until={day}").json()["items"]
    assert on_day and all(a["published"] == day for a in on_day)
    assert client.get("/api/articles?outlet=NEWSGRAPH%20SAMPLES").json()["items"]
    assert client.get("/api/articles?outlet=nobody").json()["items"] == []
    assert_error(client.get("/api/articles?since=last%20tuesday"), 422, "E401", "query.since")


def test_attribution_filters_are_the_cli_query_options(client: TestClient) -> None:
    everything = client.get("/api/attributions?limit=200").json()["items"]
    hedged = client.get("/api/attributions?hedged=true&limit=200").json()["items"]
    assert hedged and all(q["hedge"] != "none" for q in hedged)
    assert len(hedged) < len(everything)
    named = next(q for q in everything if q["source_type"] == "person" and q["speaker"])
    surname = named["speaker"].split(",")[0].split()[-1]
    by_speaker = client.get("/api/attributions", params={"speaker": surname, "limit": 200}).json()["items"]
    assert named["id"] in {q["id"] for q in by_speaker if q["article_id"] == named["article_id"]}
    typed = client.get("/api/attributions?source_type=anonymous&limit=200").json()["items"]
    assert typed and {q["source_type"] for q in typed} == {"anonymous"}
    word = next(w for w in named["content"].split() if w.isalpha() and len(w) > 4)
    about = client.get("/api/attributions", params={"about": word, "limit": 200}).json()["items"]
    assert about and all(word.lower() in q["content"].lower() for q in about)


def test_events_places_entities_and_search_filters(client: TestClient) -> None:
    events = client.get("/api/events?limit=200").json()["items"]
    category = events[0]["category"]
    only = client.get(f"/api/events?category={category.lower()}&limit=200").json()["items"]
    assert only and {e["category"] for e in only} == {category}
    places = client.get("/api/places?sort=name&limit=200").json()["items"]
    assert [p["name"] for p in places] == sorted(p["name"] for p in places)
    assert all(p["mentions"] >= p["articles"] >= 1 for p in places)
    located = next(p for p in places if p["country"])
    by_country = client.get(f"/api/places?country={located['country']}&limit=200").json()["items"]
    assert by_country and {p["country"] for p in by_country} == {located["country"]}
    people = client.get("/api/entities?type=person&limit=200").json()["items"]
    assert people and {e["type"] for e in people} == {"PERSON"}
    hits = client.get("/api/search?q=talks&kind=article&limit=200").json()["items"]
    assert hits and {h["kind"] for h in hits} == {"article"}
    assert_error(client.get("/api/search"), 422, "E401", "query.q")


# -- one record ------------------------------------------------------------------------------


def test_an_article_is_the_analyze_json_contract(client: TestClient, samples_store: Path) -> None:
    listed = client.get("/api/articles?limit=1").json()["items"][0]
    body = client.get(f"/api/articles/{listed['article_id']}").json()
    jsonschema.validate(body, article_schema())
    stored = Corpus(db=str(samples_store), create=False)
    article = stored.article(listed["article_id"])
    stored.close()
    assert article is not None and body == json.loads(json.dumps(article.to_dict()))
    assert_error(client.get("/api/articles/nope"), 404, "E409", "path.article_id")


def test_an_entity_has_what_it_said_and_a_claim_group_every_claim(client: TestClient) -> None:
    top = client.get("/api/entities?type=PERSON&limit=1").json()["items"][0]
    found = client.get(f"/api/entities/{top['name'].lower()}").json()
    assert found["name"] == top["name"].lower()
    profile = found["entities"][0]
    assert profile["name"] == top["name"] and profile["articles"] == top["articles"]
    assert profile["said"] or profile["said_about"] or profile["events"]
    with_why = client.get(f"/api/entities/{top['name']}?why=true").json()["entities"][0]
    assert "why" in with_why
    assert_error(client.get("/api/entities/Nobody%20Anywhere"), 404, "E204", "path.name")
    groups = client.get("/api/claims?min_articles=2").json()["items"]
    assert groups, "the samples' two variants should repeat claims"
    group = client.get(f"/api/claims/{groups[0]['id']}").json()
    assert group["id"] == groups[0]["id"] and len(group["claims"]) >= 2
    assert_error(client.get("/api/claims/G999999"), 404, "E205", "path.group_id")


def test_stats_and_problems(client: TestClient) -> None:
    stats = client.get("/api/stats").json()
    assert stats["articles"] == len(client.get("/api/articles?limit=200").json()["items"])
    assert client.get("/api/problems").json() == {"items": [], "next_cursor": None, "next": None}


# -- analyse and add -------------------------------------------------------------------------


def test_analyze_returns_what_newsgraph_analyze_returns(client: TestClient, newsgraph: Any) -> None:
    text = sample_text()
    sent = {"text": text, "title": "A summit", "published": "2025-06-27", "outlet": "Wire"}
    response = client.post("/api/analyze", json=sent)
    assert response.status_code == 200, response.text
    expected = newsgraph.analyze_text(text, title="A summit", published="2025-06-27", outlet="Wire")
    assert response.json() == json.loads(json.dumps(expected.to_dict()))
    jsonschema.validate(response.json(), article_schema())


def test_analyze_reads_html_and_reports_bad_input_with_its_code(client: TestClient) -> None:
    paragraphs = "".join(f"<p>{p}</p>" for p in sample_text().split("\n\n") if p.strip())
    html = f"<html><head><title>Summit</title></head><body><article>{paragraphs}</article></body></html>"
    body = client.post("/api/analyze", json={"html": html}).json()
    assert "sanctions" in body["text"] and body["attributions"]
    assert_error(client.post("/api/analyze", json={"html": "<html><body></body></html>"}), 422, "E005")
    assert_error(client.post("/api/analyze", json={"text": "   "}), 422, "E002")
    assert_error(client.post("/api/analyze", json={}), 422, "E401")
    assert_error(client.post("/api/analyze", json={"text": "a", "html": "<p>b</p>"}), 422, "E401")
    assert_error(client.post("/api/analyze", json={"text": 5}), 422, "E401", "body.text")
    assert_error(client.post("/api/analyze", json={"txt": "x"}), 422, "E401", "body.txt")
    assert_error(
        client.post("/api/analyze", content=b"{not json", headers={"content-type": "application/json"}),
        422,
        "E401",
    )
    assert_error(client.post("/api/analyze", json={"url": "file:///etc/passwd"}), 422, "E011")


def test_adding_needs_the_token_and_stores_the_article_once(writable: Any) -> None:
    client = writable(token="s3cret")
    text = sample_text("chess-festival.txt")
    assert_error(client.post("/api/articles", json={"text": text}), 401, "E405", "header.authorization")
    wrong = {"Authorization": "Bearer nope"}
    assert_error(client.post("/api/articles", json={"text": text}, headers=wrong), 403, "E406")
    before = client.get("/api/stats").json()["articles"]
    auth = {"Authorization": "Bearer s3cret"}
    added = client.post("/api/articles", json={"text": text, "outlet": "Chess Weekly"}, headers=auth)
    assert added.status_code == 201, added.text
    record = added.json()
    assert record["status"] == "added" and added.headers["location"] == record["location"]
    stored = client.get(record["location"]).json()
    assert stored["text"] == text and stored["metadata"]["outlet"] == "Chess Weekly"
    again = client.post("/api/articles", json={"text": text}, headers=auth)
    assert again.status_code == 200 and again.json()["status"] == "present"
    assert again.json()["article_id"] == record["article_id"]
    assert client.get("/api/stats").json()["articles"] == before + 1
    for sort in ("published", "-published"):  # no publication date: last either way
        listed = client.get(f"/api/articles?sort={sort}&limit=200").json()["items"]
        assert listed[-1]["article_id"] == record["article_id"] and listed[-1]["published"] is None
    assert (
        client.get("/api/articles?outlet=Chess%20Weekly").json()["items"][0]["article_id"]
        == record["article_id"]
    )


def test_without_a_server_token_writes_need_none(writable: Any) -> None:
    client = writable()
    added = client.post("/api/articles", json={"text": sample_text("chess-festival.txt")})
    assert added.status_code == 201, added.text


# -- the error shape for every kind of error ---------------------------------------------------


def test_every_kind_of_error_has_the_one_shape(writable: Any) -> None:
    client = writable(max_body=2_000)
    assert_error(client.get("/api/nothing-here"), 404, "E402", "/api/nothing-here")
    assert_error(client.get("/api/no/such/thing"), 404, "E402")  # pages get HTML (test_web_pages.py)
    error = assert_error(client.delete("/api/stats"), 405, "E403", "/api/stats")
    assert "GET" in error["message"]
    assert_error(client.get("/api/articles?limit=100000"), 422, "E401", "query.limit")
    assert_error(client.get("/api/claims?min_origins=zero"), 422, "E401", "query.min_origins")
    big = json.dumps({"text": "word " * 1000}).encode()
    assert_error(
        client.post("/api/analyze", content=big, headers={"content-type": "application/json"}), 413, "E404"
    )

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit must hold on the bytes read
        for _ in range(10):
            yield b"x" * 500

    assert_error(client.post("/api/analyze", content=chunks()), 413, "E404")
    for response in (client.get("/api/nothing-here"), client.post("/api/analyze", content=big)):
        assert response.headers["content-security-policy"] == CSP
        assert response.headers["x-content-type-options"] == "nosniff"


def test_an_unexpected_failure_is_a_500_in_the_same_shape(writable: Any, monkeypatch: Any) -> None:
    client = writable()

    def broken() -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(client.app.state.corpus, "stats", broken)  # type: ignore[attr-defined]
    error = assert_error(client.get("/api/stats"), 500, "E408", "/api/stats")
    assert "disk on fire" not in error["message"]  # no internals leak to the client


def test_openapi_spec_describes_every_endpoint_and_the_article_contract(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for path in ["/api/articles", "/api/articles/{article_id}", "/api/analyze", "/api/entities/{name}"]:
        assert path in paths
    assert "post" in paths["/api/articles"] and "post" in paths["/api/analyze"]
    schemas = spec["components"]["schemas"]
    assert (
        schemas["Article"]["properties"]["schema_version"] == article_schema()["properties"]["schema_version"]
    )
    refs = {m.group(0) for m in re.finditer(r'"#/components/schemas/([^"]+)"', json.dumps(spec))}
    missing = {r.split("/")[-1].rstrip('"') for r in refs} - set(schemas)
    assert not missing


def test_the_api_over_postgresql(postgres: Any, newsgraph: Any) -> None:
    corpus = Corpus(db=postgres.new_database(), newsgraph=newsgraph)
    client = TestClient(create_app(corpus=corpus), raise_server_exceptions=False)
    added = client.post("/api/articles", json={"text": sample_text(), "published": "2025-06-27"})
    assert added.status_code == 201, added.text
    article_id = added.json()["article_id"]
    assert client.get("/api/articles").json()["items"][0]["article_id"] == article_id
    assert client.get(f"/api/articles/{article_id}").json()["text"] == sample_text()
    quotes = walk(client, "/api/attributions?limit=3")
    assert len(quotes) == client.get("/api/stats").json()["attributions"] > 3
    assert client.get("/api/search?q=sanctions").json()["items"]
    assert client.get("/api/places?limit=5").json()["items"]
    assert_error(client.get("/api/articles?since=soon"), 422, "E401", "query.since")
    corpus.close()


def test_the_endpoint_reference_in_the_docs_is_the_spec(tmp_path: Path) -> None:
    """docs/rest-api.md's endpoint section is generated: rerun scripts/rest_api_docs.py."""
    import importlib.util

    root = Path(__file__).resolve().parents[1]
    loader = importlib.util.spec_from_file_location("rest_api_docs", root / "scripts" / "rest_api_docs.py")
    assert loader is not None and loader.loader is not None
    script = importlib.util.module_from_spec(loader)
    loader.loader.exec_module(script)
    spec = TestClient(create_app(str(tmp_path / "empty.db"))).get("/openapi.json").json()
    doc = (root / "docs" / "rest-api.md").read_text("utf-8")
    generated = script.endpoint_reference(spec)
    assert f"<!-- endpoints:start -->\n{generated}<!-- endpoints:end -->" in doc


def test_serve_with_two_worker_processes_answers_over_real_http(samples_store: Path, tmp_path: Path) -> None:
    import socket
    import subprocess
    import sys
    import time

    import httpx

    store = tmp_path / "store.db"
    shutil.copy(samples_store, store)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = [
        str(Path(sys.executable).parent / "newsgraph"),
        "serve",
        "--db",
        str(store),
        "--port",
        str(port),
    ]
    server = subprocess.Popen([*command, "--workers", "2"], stderr=subprocess.PIPE)
    try:
        deadline, answer = time.monotonic() + 120, None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/api/stats", timeout=5)
                break
            except httpx.TransportError:
                time.sleep(0.5)
        assert answer is not None, (
            server.stderr.read().decode() if server.poll() is not None and server.stderr else ""
        )
        assert answer.status_code == 200 and answer.json()["articles"] > 0
        assert answer.headers["content-security-policy"] == CSP
        missing = httpx.get(f"http://127.0.0.1:{port}/api/articles/none", timeout=5)
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "E409"
    finally:
        server.terminate()
        server.wait(timeout=30)
