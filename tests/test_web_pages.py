"""The pages in process: reader segments from stand-off offsets, escaping, every page on an empty store."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from newsgraph.errors import ConfigError
from newsgraph.model import Article, Attribution, Entity, Event, Mention, Place, Removed, Source, Span
from newsgraph.server import CSP, ServerOptions, create_app, in_memory
from newsgraph.server.charts import activity, by_period, timeline, world_map
from newsgraph.server.reader import fact_anchor, highlight

TEXT = 'Mayor Ana Pop said <b>"the bridge may reopen"</b> in Cluj. Subscribe now! Rain fell.'


def hand_built() -> Article:
    """An article with nested and overlapping facts, a removed range and markup-like text."""
    text = TEXT
    content_start = text.index('"the')
    content_end = text.index("</b>") - 1
    pop = text.index("Ana Pop")
    cluj = text.index("Cluj")
    sub = text.index("Subscribe")
    return Article(
        text=text,
        entities=[Entity("e1", "Ana Pop", "PERSON", mentions=[Mention(pop, pop + 7, "Ana Pop")])],
        attributions=[
            Attribution(
                "a1",
                "direct",
                Source("person", "Mayor Ana Pop", 0, pop + 7, "e1"),
                Span(pop + 8, pop + 12, "said"),
                Span(content_start, content_end, text[content_start:content_end]),
                hedge="may",
            )
        ],
        events=[
            Event("v1", "CONSULT", Span(text.index("reopen"), text.index("reopen") + 6, "reopen")),
        ],
        places=[
            Place("p1", "Cluj-Napoca", 46.77, 23.6, "RO", "city", mentions=[Mention(cluj, cluj + 4, "Cluj")])
        ],
        removed=[Removed(sub, sub + len("Subscribe now!"), "newsletter")],
    )


def test_segments_cover_the_text_exactly_once_and_keep_every_fact() -> None:
    article = hand_built()
    view = highlight(article)
    rebuilt = "".join(
        b.text if b.removed is not None else "".join(s.text for s in b.segments) for b in view.blocks
    )
    assert rebuilt == article.text
    removed = [b for b in view.blocks if b.removed is not None]
    assert [(b.removed, b.text) for b in removed] == [("newsletter", "Subscribe now!")]
    # "reopen" lies inside the hedged attribution's content: both facts cover it, the event on top.
    (reopen,) = [s for b in view.blocks for s in b.segments if s.text == "reopen"]
    assert reopen.facts.split() == ["evt-v1", "att-a1"]
    assert {"evt", "att", "st-person", "hedged"} <= set(reopen.classes.split())
    # "Ana Pop" is both the source and an entity mention; the attribution's anchor starts at "Mayor".
    first = next(s for b in view.blocks for s in b.segments if s.facts)
    assert first.text == "Mayor " and first.anchors == ["att-a1"] and first.focus
    assert {f.anchor for f in view.facts} == {"att-a1", "evt-v1", "plc-p1", "ent-e1"}
    (att,) = view.by_kind["attribution"]
    assert ("hedge", "may") in att.rows and att.entity == "Ana Pop"


def test_overlapping_spans_that_do_not_nest_are_split_at_every_boundary() -> None:
    text = "one two three four"
    article = Article(
        text=text,
        attributions=[
            Attribution("a1", "other", Source("unattributed"), None, Span(0, 13, "one two three")),
            Attribution("a2", "other", Source("anonymous"), None, Span(4, 18, "two three four")),
        ],
    )
    segments = [s for b in highlight(article).blocks for s in b.segments]
    assert [s.text for s in segments] == ["one ", "two three", " four"]
    # A fact that starts in a segment comes first there (a keyboard stop speaks for it).
    assert [s.facts for s in segments] == ["att-a1", "att-a2 att-a1", "att-a2"]
    # The innermost (shorter) attribution's colour wins where both cover the text.
    assert "st-unattributed" in segments[1].classes and "st-anonymous" not in segments[1].classes


def test_offsets_outside_the_text_are_clipped_not_fatal() -> None:
    article = Article(
        text="short", attributions=[Attribution("a1", "other", Source("person"), None, Span(2, 99, "ort"))]
    )
    assert [s.text for b in highlight(article).blocks for s in b.segments] == ["sh", "ort"]


def test_fact_anchors_are_safe_ids() -> None:
    assert fact_anchor("attribution", "a3") == "att-a3"
    assert fact_anchor("event", 'x"><script>') == "evt-x_script_"


def test_charts_place_points_and_marks() -> None:
    places = [
        {"name": "Cluj", "lat": 46.77, "lon": 23.6, "mentions": 4, "articles": 1, "examples": []},
        {"name": "Quito", "lat": -0.2, "lon": -78.5, "mentions": 1, "articles": 1, "examples": []},
    ]
    drawn = world_map(places)
    assert [p.place["name"] for p in drawn.points] == ["Cluj", "Quito"]
    assert drawn.points[0].r > drawn.points[1].r
    assert drawn.points[1].x == pytest.approx((180 - 78.5) * 960 / 360, abs=0.1)
    chart = timeline(
        [
            {"category": "AID", "date": "2025-03-01", "published": None},
            {"category": "ASSAULT", "date": None, "published": "2025-03-11"},
            {"category": "AID", "date": "garbage", "published": None},
        ]
    )
    assert [lane.category for lane in chart.lanes] == ["AID", "ASSAULT"] and chart.undated == 1
    assert chart.lanes[1].marks[0].x > chart.lanes[0].marks[0].x
    assert by_period(["2025-01-02", "2025-01-02", "2025-01-05"]) == [("2025-01-02", 2), ("2025-01-05", 1)]
    assert [b.count for b in activity([("a", 1), ("b", 3)]).bars] == [1, 3]


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    return TestClient(create_app(str(tmp_path / "store.db")))


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/articles",
        "/entities",
        "/claims",
        "/claims?contested=1",
        "/map",
        "/timeline",
        "/search?q=grain",
        "/analyze",
    ],
)
def test_every_page_renders_over_an_empty_store(client: TestClient, path: str) -> None:
    page = client.get(path)
    assert page.status_code == 200, page.text[:500]
    assert page.headers["content-type"].startswith("text/html")
    assert "'unsafe-inline'" not in page.headers["content-security-policy"]
    # No inline script or style anywhere: the CSP would block them.
    assert not re.search(r"<script(?![^>]*\bsrc=)", page.text)
    assert "<style" not in page.text and " style=" not in page.text


def test_missing_things_are_404_pages(client: TestClient) -> None:
    assert client.get("/articles/nope").status_code == 404
    assert client.get("/claims/nope").status_code == 404
    missing = client.get("/entity", params={"name": "<script>alert(1)</script>"})
    assert missing.status_code == 404
    assert "<script>alert(1)" not in missing.text and html.escape("<script>alert(1)</script>") in missing.text


def test_analyze_refuses_an_empty_form(client: TestClient) -> None:
    page = client.post("/analyze", data={"text": "  "})
    assert page.status_code == 400 and "paste a text" in page.text


def test_the_world_outline_never_draws_across_the_antimeridian() -> None:
    from newsgraph.server.charts import atlas_path

    if atlas_path() is None:
        pytest.skip("world-atlas is not installed (npm ci at the repository root)")
    drawn = world_map([])
    assert len(drawn.countries) > 150
    for path in drawn.countries:
        previous = None
        for command, x, _ in re.findall(r"([ML])(-?[\d.]+),(-?[\d.]+)", path):
            if command == "L" and previous is not None:
                assert abs(float(x) - previous) < 480, path[:80]
            previous = float(x)


def test_bad_query_values_get_a_page_not_a_json_error(client: TestClient) -> None:
    for path in [
        "/articles?page=abc",
        "/entities?page=-3&type=" + "x" * 500,
        "/claims?contested=maybe&page=0",
    ]:
        page = client.get(path)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html"), path
    assert client.get("/entity").status_code == 404
    long_title = client.post("/analyze", data={"text": "Rain fell.", "title": "t" * 501})
    assert long_title.status_code == 413 and "title is longer than 500" in long_title.text


# -- errors on pages are pages; errors under /api stay JSON ------------------------------------


def assert_error_page(response: Any, status: int, code: str) -> str:
    """An HTML page in the site's layout, with the strict CSP, the code and a link home."""
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-security-policy"] == CSP
    assert response.headers["x-content-type-options"] == "nosniff"
    page = str(response.text)
    assert '<nav aria-label="Main">' in page and '<a href="/">Back to the dashboard</a>' in page
    assert f"<code>{code}</code>" in page and f"HTTP {status}" in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page) and " style=" not in page
    return page


def assert_json_error(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["content-security-policy"] == CSP
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "where"}
    assert body["error"]["code"] == code


def test_an_unknown_page_is_an_html_404_and_an_unknown_endpoint_json(client: TestClient) -> None:
    page = assert_error_page(client.get("/no/such/page"), 404, "E402")
    assert "<h1>Not found</h1>" in page and "/no/such/page" in page
    hostile = assert_error_page(client.get("/x/<script>alert(1)</script>"), 404, "E402")
    assert "<script>alert(1)" not in hostile and "&lt;script&gt;alert(1)&lt;/script&gt;" in hostile
    assert_error_page(client.get("/static/no-such.css"), 404, "E402")
    assert_json_error(client.get("/api/no/such/thing"), 404, "E402")
    assert_json_error(client.get("/api"), 404, "E402")


def test_a_wrong_method_on_a_page_is_an_html_405(client: TestClient) -> None:
    response = client.post("/map")
    page = assert_error_page(response, 405, "E403")
    assert "GET" in response.headers["allow"] and "Method not allowed" in page
    assert_json_error(client.delete("/api/stats"), 405, "E403")


def test_a_bug_behind_a_page_is_an_html_500_with_the_csp(tmp_path: Path) -> None:
    app = create_app(str(tmp_path / "store.db"))
    client = TestClient(app, raise_server_exceptions=False)

    def broken(**_: Any) -> None:
        raise RuntimeError("disk on fire")

    app.state.corpus.stats = broken
    page = assert_error_page(client.get("/"), 500, "E408")
    assert "disk on fire" not in page  # no internals leak to the reader
    assert_json_error(client.get("/api/stats"), 500, "E408")


def test_a_body_over_the_limit_on_a_page_is_an_html_413(tmp_path: Path) -> None:
    app = create_app(options=ServerOptions(db=str(tmp_path / "store.db"), max_body=2_000))
    client = TestClient(app, raise_server_exceptions=False)
    page = assert_error_page(client.post("/analyze", data={"text": "word " * 1000}), 413, "E404")
    assert "2000 bytes" in page
    big = json.dumps({"text": "word " * 1000})
    assert_json_error(
        client.post("/api/analyze", content=big, headers={"content-type": "application/json"}), 413, "E404"
    )


def test_a_form_field_of_the_wrong_kind_is_an_html_422(client: TestClient) -> None:
    page = assert_error_page(client.post("/analyze", data={"upload": "not a file"}), 422, "E401")
    assert "body.upload" in page


# -- the server refuses a store its threads and workers cannot share ----------------------------


@pytest.mark.parametrize(
    "db", ["sqlite://", "sqlite:///:memory:", ":memory:", "sqlite:///file:web?mode=memory&uri=true"]
)
def test_an_in_memory_store_is_refused_with_e410(db: str) -> None:
    assert in_memory(db)
    with pytest.raises(ConfigError) as refused:
        create_app(db)
    assert refused.value.code == "E410" and "--db" in str(refused.value)


def test_file_and_server_stores_are_not_in_memory(tmp_path: Path) -> None:
    for db in [str(tmp_path / "s.db"), f"sqlite:///{tmp_path}/s.db", "postgresql://u@h/db", "", None]:
        assert not in_memory(db), db


def test_an_open_in_memory_corpus_is_refused_too() -> None:
    from newsgraph.core.corpus import Corpus

    corpus = Corpus(db="sqlite://")
    with pytest.raises(ConfigError, match="E410"):
        create_app(corpus=corpus)
    corpus.close()


def test_serve_refuses_an_in_memory_store_before_listening(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn
    from click.testing import CliRunner

    from newsgraph.cli import cli

    def never(*_: Any, **__: Any) -> None:
        raise AssertionError("uvicorn was started over an in-memory store")

    monkeypatch.setattr(uvicorn, "run", never)
    for extra in ([], ["--workers", "2"]):
        result = CliRunner().invoke(cli, ["serve", "--db", "sqlite://", *extra])
        assert result.exit_code != 0 and "E410" in result.output and "--db" in result.output, result.output


# -- pages derived from every article are cached per store version ------------------------------


def test_the_map_and_timeline_are_rendered_again_after_the_store_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsgraph.core import browse
    from newsgraph.core.corpus import Corpus
    from newsgraph.store import content_hash

    corpus = Corpus(db=str(tmp_path / "store.db"))
    client = TestClient(create_app(corpus=corpus))
    calls: list[str] = []
    real_places = browse.places

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append("places")
        return real_places(*args, **kwargs)

    monkeypatch.setattr(browse, "places", counting)
    first = client.get("/map")
    assert first.status_code == 200 and "No located places" in first.text
    assert client.get("/map").text == first.text and calls == ["places"]  # kept
    article = hand_built()
    with corpus.store.begin() as conn:
        corpus.store.write_article(conn, "a1", content_hash(article.text), article, "test")
    changed = client.get("/map")
    assert calls == ["places", "places"]
    assert "Cluj-Napoca" in changed.text and "No located places" not in changed.text
    timeline = client.get("/timeline")
    assert "CONSULT" in timeline.text
    corpus.close()


def test_the_page_cache_keeps_at_most_its_size() -> None:
    from newsgraph.server.web import PageCache

    cache = PageCache(size=2)
    for n in range(5):
        cache.put(("timeline", str(n)), (1, 1), b"page")
    assert cache.get(("timeline", "4"), (1, 1)) == b"page"
    assert cache.get(("timeline", "0"), (1, 1)) is None
    assert cache.get(("timeline", "4"), (2, 2)) is None  # another version of the store
    assert len(cache.pages) == 2


def test_the_world_outline_is_one_cacheable_svg(client: TestClient) -> None:
    from newsgraph.server.charts import atlas_path

    page = client.get("/map")
    if atlas_path() is None:
        assert client.get("/map/world.svg").status_code == 404 and "not installed" in page.text
        pytest.skip("world-atlas is not installed (npm ci at the repository root)")
    assert '<image class="land" href="/map/world.svg"' in page.text
    outline = client.get("/map/world.svg")
    assert outline.status_code == 200 and outline.headers["content-type"].startswith("image/svg+xml")
    assert "max-age" in outline.headers["cache-control"]
    assert outline.text.count("<path ") > 150
    assert "<script" not in outline.text and "style" not in outline.text


def test_the_facts_list_links_each_entity_to_its_page_without_the_script(tmp_path: Path) -> None:
    from newsgraph.core.corpus import Corpus
    from newsgraph.store import content_hash

    corpus = Corpus(db=str(tmp_path / "store.db"))
    article = hand_built()
    with corpus.store.begin() as conn:
        corpus.store.write_article(conn, "a1", content_hash(article.text), article, "test")
    client = TestClient(create_app(corpus=corpus))
    facts = client.get("/articles/a1").text.split('id="facts-h"')[1]
    assert '<a href="/entity?name=Ana%20Pop">Ana Pop across articles</a>' in facts
    profile = client.get("/entity", params={"name": "Ana Pop"}).text
    assert '<a href="/search?kind=articles&amp;q=Ana%20Pop">1 article</a>' in profile
    corpus.close()
