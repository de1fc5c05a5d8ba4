"""The server-rendered pages: dashboard, reader, entities, claims, map, timeline, search, analyse.

Every page reads the store through ``request.app.state.corpus`` (and ``core.browse`` for the
listings the ``Corpus`` has no query for). Templates autoescape everything; no page uses
``|safe`` and no script or style is inline (the CSP forbids it): behaviour lives in
``static/app.js``, looks in ``static/app.css``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from ..core import browse
from ..errors import BadInput
from ..model import SOURCE_TYPES, Article, Problem
from . import TEMPLATES, charts
from .reader import fact_anchor, highlight, summary

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(TEMPLATES))
templates.env.globals.update(anchor=fact_anchor, summary=summary, source_types=SOURCE_TYPES)
PAGE = 50
#: The largest article the analyse page takes (characters of text or bytes of upload).
MAX_ANALYZE = 2_000_000

Page = Annotated[int, Query(ge=1, le=100_000)]


def _corpus(request: Request) -> Any:
    return request.app.state.corpus


def _render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, template, context, status_code=status)


def _not_found(request: Request, what: str) -> HTMLResponse:
    return _render(request, "not_found.html", status=404, what=what)


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request) -> HTMLResponse:
    """Counts of what the store holds, recent articles, problems, most named entities, contested claims."""
    corpus = _corpus(request)
    return _render(
        request,
        "dashboard.html",
        stats=corpus.stats(),
        recent=browse.articles(corpus, limit=10),
        problems=corpus.problems(limit=20),
        entities=corpus.entities(limit=10),
        contested=corpus.claims(contested=True, limit=5),
    )


@router.get("/articles", response_class=HTMLResponse)
def articles(request: Request, page: Page = 1) -> HTMLResponse:
    rows = browse.articles(_corpus(request), limit=PAGE + 1, offset=(page - 1) * PAGE)
    return _render(request, "articles.html", rows=rows[:PAGE], page=page, more=len(rows) > PAGE)


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def reader(request: Request, article_id: str) -> HTMLResponse:
    """The article's text with every fact highlighted and anchored (``#att-a3``, ``#evt-e2``...)."""
    article = _corpus(request).article(article_id)
    if article is None:
        return _not_found(request, f"article {article_id}")
    return _render(request, "reader.html", article=article, article_id=article_id, view=highlight(article))


@router.get("/entities", response_class=HTMLResponse)
def entities(request: Request, page: Page = 1, type: str | None = None) -> HTMLResponse:
    rows = _corpus(request).entities(type=type or None, limit=PAGE + 1, offset=(page - 1) * PAGE)
    return _render(
        request, "entities.html", rows=rows[:PAGE], page=page, more=len(rows) > PAGE, type=type or ""
    )


@router.get("/entity", response_class=HTMLResponse)
def entity(request: Request, name: Annotated[str, Query(min_length=1, max_length=300)]) -> HTMLResponse:
    """Everything about the entities called ``name``: names, roles, quotes by and about, events."""
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
def claims(request: Request, page: Page = 1, contested: bool = False) -> HTMLResponse:
    """Claim groups, most independent origins first; ``contested=1`` keeps those with a contradiction."""
    rows = _corpus(request).claims(contested=contested, limit=PAGE + 1, offset=(page - 1) * PAGE)
    return _render(
        request, "claims.html", groups=rows[:PAGE], page=page, more=len(rows) > PAGE, contested=contested
    )


@router.get("/claims/{group_id}", response_class=HTMLResponse)
def claim(request: Request, group_id: str) -> HTMLResponse:
    group = _corpus(request).claim(group_id)
    if group is None:
        return _not_found(request, f"claim group {group_id}")
    return _render(request, "claim.html", group=group)


@router.get("/map", response_class=HTMLResponse)
def world(request: Request) -> HTMLResponse:
    """Located places on an outline world map, circles sized by mentions, linked to the articles."""
    places = browse.places(_corpus(request))
    return _render(request, "map.html", places=places, map=charts.world_map(places))


@router.get("/timeline", response_class=HTMLResponse)
def timeline(request: Request, category: str | None = None) -> HTMLResponse:
    """Events by date, one lane per category; ``category`` keeps one."""
    corpus = _corpus(request)
    events = corpus.events(category=category or None, limit=1000)
    return _render(
        request,
        "timeline.html",
        events=events,
        chart=charts.timeline(events),
        categories=browse.event_categories(corpus),
        category=(category or "").upper(),
    )


@router.get("/search", response_class=HTMLResponse)
def search(request: Request, q: Annotated[str, Query(max_length=500)] = "", page: Page = 1) -> HTMLResponse:
    hits: list[dict[str, Any]] = []
    if q.strip():
        hits = _corpus(request).search(q, limit=PAGE + 1, offset=(page - 1) * PAGE)
    return _render(request, "search.html", q=q, hits=hits[:PAGE], page=page, more=len(hits) > PAGE)


@router.get("/analyze", response_class=HTMLResponse)
def analyze_form(request: Request) -> HTMLResponse:
    return _render(request, "analyze.html", form={}, problem=None)


@router.post("/analyze", response_class=HTMLResponse)
async def analyze(
    request: Request,
    text: Annotated[str, Form(max_length=MAX_ANALYZE)] = "",
    title: Annotated[str, Form(max_length=500)] = "",
    published: Annotated[str, Form(max_length=40)] = "",
    outlet: Annotated[str, Form(max_length=200)] = "",
    upload: Annotated[UploadFile | None, File()] = None,
) -> HTMLResponse:
    """Analyse pasted text or an uploaded file (text or HTML) and show it in the reader; nothing is stored."""
    form = {"text": text, "title": title, "published": published, "outlet": outlet}
    data = await upload.read(MAX_ANALYZE + 1) if upload is not None and upload.filename else b""
    if len(data) > MAX_ANALYZE:
        return _render(request, "analyze.html", status=413, form=form, problem="the file is larger than 2 MB")
    if not data and not text.strip():
        return _render(
            request, "analyze.html", status=400, form=form, problem="paste a text or choose a file"
        )
    name = upload.filename if data and upload is not None and upload.filename else "<pasted text>"
    result = await run_in_threadpool(_analyze, request, text, data, name, form)
    if isinstance(result, Problem):
        return _render(request, "analyze.html", status=400, form=form, problem=result.message)
    return _render(request, "reader.html", article=result, article_id=None, view=highlight(result))


def _pipeline(request: Request) -> Any:
    """The app's lazily loaded pipeline when the API provides one, else the corpus's own."""
    loaded = getattr(request.app.state, "newsgraph", None)
    return loaded if loaded is not None else _corpus(request).newsgraph


def _analyze(request: Request, text: str, data: bytes, name: str, form: dict[str, str]) -> Article | Problem:
    from ..model import Metadata

    pipeline = _pipeline(request)
    meta = Metadata(
        title=form["title"] or None, published=form["published"] or None, outlet=form["outlet"] or None
    )
    try:
        if not data:
            return pipeline.analyze_text(  # type: ignore[no-any-return]
                text, input=name, title=meta.title, published=meta.published, outlet=meta.outlet
            )
        suffix = (
            Path(name).suffix.lower() if Path(name).suffix.lower() in {".html", ".htm", ".txt"} else ".txt"
        )
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"upload{suffix}"
            path.write_bytes(data)
            (result,) = list(pipeline.analyze_paths([str(path)], overrides=meta))
        if isinstance(result, Article):
            result.input = name
        return result  # type: ignore[no-any-return]
    except BadInput as err:
        return Problem(name, err.code, str(err))
