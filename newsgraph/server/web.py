"""The server-rendered pages: dashboard, reader, entities, claims, map, timeline, search, analyse.

Every page reads the store through ``request.app.state.corpus`` (and ``core.browse`` for the
listings the ``Corpus`` has no query for). Templates autoescape everything; no page uses
``|safe`` and no script or style is inline (the CSP forbids it): behaviour lives in
``static/app.js``, looks in ``static/app.css``.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.datastructures import URL

from ..core import browse
from ..errors import NewsgraphError
from ..model import SOURCE_TYPES
from . import TEMPLATES, analyze_submission, charts
from .reader import claim_text, fact_anchor, highlight, safe_url, summary

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(TEMPLATES))
templates.env.globals.update(
    anchor=fact_anchor, summary=summary, claim_text=claim_text, safe_url=safe_url, source_types=SOURCE_TYPES
)
PAGE = 50
#: Rows of the timeline's table per page (its chart shows every event read).
TIMELINE_ROWS = 100
#: Events the timeline reads at most (those of the most recently added articles).
TIMELINE_EVENTS = 1000
#: The largest article the analyse page takes (characters of text or bytes of upload).
MAX_ANALYZE = 2_000_000


# Query values are read leniently (a bad page number is page 1, an overlong query is cut):
# a page never answers with the API's JSON validation error.


def _page(value: str) -> int:
    return max(1, min(int(value), 100_000)) if value.strip().isdigit() else 1


def _window(number: int) -> dict[str, int]:
    """The rows of page ``number``, and one more to tell whether another page follows."""
    return {"limit": PAGE + 1, "offset": (number - 1) * PAGE}


def _pager(rows: list[Any], number: int, key: str = "rows") -> dict[str, Any]:
    """A listing template's page values from rows fetched with ``_window``."""
    return {key: rows[:PAGE], "page": number, "more": len(rows) > PAGE}


def _flag(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


def _date(value: str) -> str:
    """An ISO date (``2025``, ``2025-03``, ``2025-03-17``) or ``""``: anything else is ignored."""
    value = value.strip()[:10]
    return value if _DATE.fullmatch(value) else ""


def _text(value: str, most: int = 200) -> str:
    return " ".join(value.split())[:most]


def _query(**values: str) -> str:
    """The filters of a listing as a query string prefix for its pager (``a=1&b=2&``)."""
    kept = {k: v for k, v in values.items() if v}
    return str(URL("").include_query_params(**kept).query) + "&" if kept else ""


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
def articles(
    request: Request, page: str = "1", outlet: str = "", since: str = "", until: str = ""
) -> HTMLResponse:
    """Stored articles, most recently added first; ``outlet`` (exact), ``since``/``until``
    (publication dates) filter."""
    number, outlet, since, until = _page(page), _text(outlet), _date(since), _date(until)
    rows = _corpus(request).articles(
        outlet=outlet or None,
        since=since or None,
        until=until or None,
        **_window(number),
    )
    return _render(
        request,
        "articles.html",
        **_pager(rows, number),
        outlet=outlet,
        since=since,
        until=until,
        query=_query(outlet=outlet, since=since, until=until),
    )


@router.get("/quotes", response_class=HTMLResponse)
def quotes(
    request: Request,
    page: str = "1",
    speaker: str = "",
    about: str = "",
    source_type: str = "",
    hedged: str = "",
    outlet: str = "",
) -> HTMLResponse:
    """Who says what: attributions across articles, most recently added first, filtered by
    speaker, words of the content, source type, hedge and outlet; each links to its sentence."""
    number = _page(page)
    speaker, about, outlet = _text(speaker), _text(about), _text(outlet)
    source_type = source_type.strip() if source_type.strip() in SOURCE_TYPES else ""
    wanted = _flag(hedged)
    rows = _corpus(request).quotes(
        speaker=speaker or None,
        about=about or None,
        source_type=source_type or None,
        hedged=wanted,
        outlet=outlet or None,
        **_window(number),
    )
    return _render(
        request,
        "quotes.html",
        **_pager(rows, number),
        speaker=speaker,
        about=about,
        source_type=source_type,
        hedged=wanted,
        outlet=outlet,
        query=_query(
            speaker=speaker, about=about, source_type=source_type, hedged="1" if wanted else "", outlet=outlet
        ),
    )


@router.get("/problems", response_class=HTMLResponse)
def problems(request: Request, page: str = "1", code: str = "") -> HTMLResponse:
    """Inputs that could not be added, with their error code and reason; ``code`` keeps one code."""
    number = _page(page)
    code = code.strip().upper()[:5]
    code = code if re.fullmatch(r"E\d{3}", code) else ""
    rows = _corpus(request).problems(code=code or None, **_window(number))
    return _render(
        request,
        "problems.html",
        **_pager(rows, number),
        code=code,
        query=_query(code=code),
    )


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
    rows = _corpus(request).entities(type=type or None, **_window(number))
    return _render(request, "entities.html", **_pager(rows, number), type=type)


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
def claims(request: Request, page: str = "1", contested: str = "", about: str = "") -> HTMLResponse:
    """Claim groups, most independent origins first; ``contested=1`` keeps those with a
    contradiction, ``about`` those whose claims hold every word given."""
    number, wanted = _page(page), _flag(contested)
    about = _text(about)
    rows = _corpus(request).claims(contested=wanted, about=about or None, **_window(number))
    return _render(
        request,
        "claims.html",
        **_pager(rows, number, "groups"),
        contested=wanted,
        about=about,
        query=_query(contested="1" if wanted else "", about=about),
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
def timeline(
    request: Request, category: str = "", since: str = "", until: str = "", page: str = "1"
) -> HTMLResponse:
    """Events by date, one lane per category; ``category`` keeps one, ``since``/``until`` a
    date range. The chart shows the events of the most recently added articles (at most
    ``TIMELINE_EVENTS``), the table lists them by date, ``TIMELINE_ROWS`` a page. Rendered
    once per store version and query."""
    corpus = _corpus(request)
    category, since, until, number = category.strip()[:40].upper(), _date(since), _date(until), _page(page)

    def render() -> HTMLResponse:
        events = corpus.events(
            category=category or None, since=since or None, until=until or None, limit=TIMELINE_EVENTS
        )
        dated = sorted(events, key=lambda e: ((e.get("date") or e.get("published") or "9999")[:10], e["id"]))
        first = (number - 1) * TIMELINE_ROWS
        return _render(
            request,
            "timeline.html",
            events=events,
            rows=dated[first : first + TIMELINE_ROWS],
            first=first,
            page=number,
            more=len(dated) > first + TIMELINE_ROWS,
            capped=len(events) >= TIMELINE_EVENTS,
            limit=TIMELINE_EVENTS,
            chart=charts.timeline(events),
            categories=browse.event_categories(corpus),
            category=category,
            since=since,
            until=until,
            query=_query(category=category, since=since, until=until),
        )

    return _cached(request, ("timeline", category, since, until, number), render)


#: The search page's "in" choices: value -> the search's ``kind``.
SEARCH_KINDS = {"": None, "articles": "article", "quotes": "attribution"}


@router.get("/search", response_class=HTMLResponse)
def search(request: Request, q: str = "", page: str = "1", kind: str = "") -> HTMLResponse:
    """Articles and quotes holding every word of ``q``; ``kind`` (``articles``, ``quotes``) keeps one."""
    hits: list[dict[str, Any]] = []
    q, number = q[:500], _page(page)
    kind = kind if kind in SEARCH_KINDS else ""
    if q.strip():
        hits = _corpus(request).search(q, kind=SEARCH_KINDS[kind], **_window(number))
    return _render(
        request,
        "search.html",
        q=q,
        kind=kind,
        **_pager(hits, number, "hits"),
        query=_query(q=q, kind=kind),
    )


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
