"""The server-rendered pages: dashboard, reader, entities, claims, map, timeline, search, analyse.

Every page reads the store through ``request.app.state.corpus`` (and ``core.browse`` for the
listings the ``Corpus`` has no query for). Templates autoescape everything; no page uses
``|safe`` and no script or style is inline (the CSP forbids it): behaviour lives in
``static/app.js``, looks in ``static/app.css``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from ..core import browse
from ..errors import NewsgraphError
from ..model import SOURCE_TYPES
from . import TEMPLATES, analyze_submission, charts
from .reader import fact_anchor, highlight, summary

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(TEMPLATES))
templates.env.globals.update(anchor=fact_anchor, summary=summary, source_types=SOURCE_TYPES)
PAGE = 50
#: The largest article the analyse page takes (characters of text or bytes of upload).
MAX_ANALYZE = 2_000_000


# Query values are read leniently (a bad page number is page 1, an overlong query is cut):
# a page never answers with the API's JSON validation error.


def _page(value: str) -> int:
    return max(1, min(int(value), 100_000)) if value.strip().isdigit() else 1


def _corpus(request: Request) -> Any:
    return request.app.state.corpus


def _render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, template, context, status_code=status)


def _not_found(request: Request, what: str) -> HTMLResponse:
    return _render(request, "not_found.html", status=404, what=what)


class PageCache:
    """Rendered pages that depend on the stored articles alone (the map, the timeline), kept
    per store version (``browse.version``: it changes on every add, re-analysis or removal)
    and shared by the threads of one server process; the least recently used of more than
    ``size`` keys is dropped (a query value is part of a key, so keys come from users)."""

    def __init__(self, size: int = 32) -> None:
        self.size = size
        self.lock = threading.Lock()
        self.pages: OrderedDict[Hashable, tuple[tuple[int, int], bytes]] = OrderedDict()

    def get(self, key: Hashable, version: tuple[int, int]) -> bytes | None:
        with self.lock:
            hit = self.pages.get(key)
            if hit is None or hit[0] != version:
                return None
            self.pages.move_to_end(key)
            return hit[1]

    def put(self, key: Hashable, version: tuple[int, int], body: bytes) -> None:
        with self.lock:
            self.pages[key] = (version, body)
            self.pages.move_to_end(key)
            while len(self.pages) > self.size:
                self.pages.popitem(last=False)


def _cached(request: Request, key: Hashable, render: Callable[[], HTMLResponse]) -> HTMLResponse:
    """The page ``render`` makes, from the app's ``PageCache`` while the store is unchanged.
    The version is read before rendering: a write racing the render only costs a re-render."""
    cache: PageCache = request.app.state.pages
    version = browse.version(_corpus(request))
    body = cache.get(key, version)
    if body is not None:
        return HTMLResponse(body)
    response = render()
    if response.status_code == 200:
        cache.put(key, version, bytes(response.body))
    return response


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request) -> HTMLResponse:
    """Counts of what the store holds, recent articles, problems, most named entities, contested claims."""
    corpus = _corpus(request)
    return _render(
        request,
        "dashboard.html",
        stats=corpus.stats(),
        recent=corpus.articles(limit=10),
        problems=corpus.problems(limit=20),
        entities=corpus.entities(limit=10),
        contested=corpus.claims(contested=True, limit=5),
    )


@router.get("/articles", response_class=HTMLResponse)
def articles(request: Request, page: str = "1") -> HTMLResponse:
    number = _page(page)
    rows = _corpus(request).articles(limit=PAGE + 1, offset=(number - 1) * PAGE)
    return _render(request, "articles.html", rows=rows[:PAGE], page=number, more=len(rows) > PAGE)


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def reader(request: Request, article_id: str) -> HTMLResponse:
    """The article's text with every fact highlighted and anchored (``#att-a3``, ``#evt-e2``...)."""
    article = _corpus(request).article(article_id)
    if article is None:
        return _not_found(request, f"article {article_id}")
    return _render(request, "reader.html", article=article, article_id=article_id, view=highlight(article))


@router.get("/entities", response_class=HTMLResponse)
def entities(request: Request, page: str = "1", type: str = "") -> HTMLResponse:
    number = _page(page)
    type = type.strip()[:40]
    rows = _corpus(request).entities(type=type or None, limit=PAGE + 1, offset=(number - 1) * PAGE)
    return _render(request, "entities.html", rows=rows[:PAGE], page=number, more=len(rows) > PAGE, type=type)


@router.get("/entity", response_class=HTMLResponse)
def entity(request: Request, name: str = "") -> HTMLResponse:
    """Everything about the entities called ``name``: names, roles, quotes by and about, events."""
    name = name.strip()[:300]
    if not name:
        return _not_found(request, "entity without a name")
    corpus = _corpus(request)
    profiles = corpus.entity(name)
    if not profiles:
        return _not_found(request, f"an entity called {name!r}")
    shown = []
    for profile in profiles:
        dates = [
            r["published"] for key in ("said", "said_about", "events") for r in profile[key] if r["published"]
        ]
        shown.append(
            {
                "profile": profile,
                "chart": charts.activity(charts.by_period(dates)),
                "together": browse.co_occurring(corpus, profile),
            }
        )
    return _render(request, "entity.html", name=name, shown=shown)


@router.get("/claims", response_class=HTMLResponse)
def claims(request: Request, page: str = "1", contested: str = "") -> HTMLResponse:
    """Claim groups, most independent origins first; ``contested=1`` keeps those with a contradiction."""
    number, wanted = _page(page), contested.strip().lower() in {"1", "true", "yes", "on"}
    rows = _corpus(request).claims(contested=wanted, limit=PAGE + 1, offset=(number - 1) * PAGE)
    return _render(
        request, "claims.html", groups=rows[:PAGE], page=number, more=len(rows) > PAGE, contested=wanted
    )


@router.get("/claims/{group_id}", response_class=HTMLResponse)
def claim(request: Request, group_id: str) -> HTMLResponse:
    group = _corpus(request).claim(group_id)
    if group is None:
        return _not_found(request, f"claim group {group_id}")
    return _render(request, "claim.html", group=group)


@router.get("/map", response_class=HTMLResponse)
def world(request: Request) -> HTMLResponse:
    """Located places on an outline world map, circles sized by mentions, linked to the articles.
    Rendered once per store version (the places aggregate every place row)."""

    def render() -> HTMLResponse:
        places = browse.places(_corpus(request))
        return _render(request, "map.html", places=places, map=charts.world_map(places))

    return _cached(request, "map", render)


_outlines: dict[tuple[str, float], bytes] = {}


@router.get("/map/world.svg")
def world_outline() -> Response:
    """The country outlines as one SVG image (the map page draws the places over it): built
    once per installed atlas file, cached by browsers for a day."""
    path = charts.atlas_path()
    if path is None:
        return Response(status_code=404)
    key = (str(path), path.stat().st_mtime)
    if key not in _outlines:
        drawn = charts.world_map([])
        _outlines.clear()
        _outlines[key] = templates.env.get_template("world.svg").render(map=drawn).encode()
    return Response(
        _outlines[key],
        media_type="image/svg+xml",
        headers={"Cache-Control": "public, max-age=86400"},
    )


@router.get("/timeline", response_class=HTMLResponse)
def timeline(request: Request, category: str = "") -> HTMLResponse:
    """Events by date, one lane per category; ``category`` keeps one. Rendered once per store
    version and category."""
    corpus = _corpus(request)
    category = category.strip()[:40]

    def render() -> HTMLResponse:
        events = corpus.events(category=category or None, limit=1000)
        return _render(
            request,
            "timeline.html",
            events=events,
            chart=charts.timeline(events),
            categories=browse.event_categories(corpus),
            category=category.upper(),
        )

    return _cached(request, ("timeline", category.upper()), render)


@router.get("/search", response_class=HTMLResponse)
def search(request: Request, q: str = "", page: str = "1") -> HTMLResponse:
    hits: list[dict[str, Any]] = []
    q, number = q[:500], _page(page)
    if q.strip():
        hits = _corpus(request).search(q, limit=PAGE + 1, offset=(number - 1) * PAGE)
    return _render(request, "search.html", q=q, hits=hits[:PAGE], page=number, more=len(hits) > PAGE)


@router.get("/analyze", response_class=HTMLResponse)
def analyze_form(request: Request) -> HTMLResponse:
    return _render(request, "analyze.html", form={}, problem=None)


@router.post("/analyze", response_class=HTMLResponse)
async def analyze(
    request: Request,
    text: Annotated[str, Form()] = "",
    url: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    published: Annotated[str, Form()] = "",
    outlet: Annotated[str, Form()] = "",
    upload: Annotated[UploadFile | None, File()] = None,
) -> HTMLResponse:
    """Analyse pasted text, an uploaded file (text or HTML) or a public web page and show it
    in the reader; nothing is stored."""
    form = {"text": text, "url": url, "title": title, "published": published, "outlet": outlet}
    for field, most in (
        ("text", MAX_ANALYZE),
        ("url", 2000),
        ("title", 500),
        ("published", 40),
        ("outlet", 200),
    ):
        if len(form[field]) > most:
            problem = f"the {field} is longer than {most:,} characters"
            return _render(request, "analyze.html", status=413, form={**form, field: ""}, problem=problem)
    data = await upload.read(MAX_ANALYZE + 1) if upload is not None and upload.filename else b""
    if len(data) > MAX_ANALYZE:
        return _render(request, "analyze.html", status=413, form=form, problem="the file is larger than 2 MB")
    if not data and not text.strip() and not url.strip():
        return _render(
            request,
            "analyze.html",
            status=400,
            form=form,
            problem="paste a text, choose a file or give a URL",
        )
    fields: dict[str, Any] = {
        "title": title.strip() or None,
        "published": published.strip() or None,
        "outlet": outlet.strip() or None,
        "url": url.strip() or None,
    }
    name = upload.filename if data and upload is not None and upload.filename else None
    if data:
        content = _decode(data)
        html = (name or "").lower().endswith((".html", ".htm"))
        fields["html" if html else "text"] = content
    elif text.strip():
        fields["text"] = text
    try:
        article = await run_in_threadpool(analyze_submission, request.app, fields)
    except NewsgraphError as err:
        return _render(request, "analyze.html", status=400, form=form, problem=str(err))
    if name:
        article.input = name
    return _render(request, "reader.html", article=article, article_id=None, view=highlight(article))


def _decode(data: bytes) -> str:
    """An upload's text: UTF-8, else the encoding charset-normalizer finds, else UTF-8 with replacements."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        return str(best) if best is not None else data.decode("utf-8", errors="replace")
