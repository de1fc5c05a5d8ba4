"""The web server: a REST API (``/api/...``) and server-rendered pages over one corpus store.

>>> from newsgraph.server import create_app
>>> app = create_app("newsgraph.db")  # doctest: +SKIP

The store must be one every thread (and ``--workers`` process) opens alike: a file or a
PostgreSQL server. An in-memory SQLite store is refused with ``E410`` (:func:`check_db`).

``newsgraph serve`` runs :func:`create_app` on uvicorn. The JSON API lives in
:mod:`newsgraph.server.api`, the pages in :mod:`newsgraph.server.web`; both read the
store through the ``Corpus`` facade held in ``app.state.corpus`` and never build SQL.
Everything shown from an article is untrusted: templates autoescape, and every
response carries a Content-Security-Policy that allows no inline script.

Analysing (``POST /api/analyze``, ``POST /api/articles``, the paste-an-article page) goes
through :func:`analyzer` (the pipeline, loaded once per app on first use),
:func:`analyze_submission` and :func:`add_submission`, one analysis at a time.
Errors of every kind come back in one JSON shape (:mod:`newsgraph.server.failures`).
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import __version__
from ..core import Newsgraph
from ..core.submitted import Fetcher, prepare, public_fetcher
from ..errors import BadInput, ConfigError
from ..model import Article

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
TEMPLATES = HERE / "templates"

#: No inline script or style, nothing from another origin, no framing, no plugins.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


@dataclass(frozen=True)
class ServerOptions:
    """What ``newsgraph serve`` is started with."""

    db: str | None = None
    #: Required for writes (``POST /api/articles``) when set; ``serve`` insists on one beyond loopback.
    token: str | None = None
    #: Largest request body accepted, in bytes.
    max_body: int = 5_000_000
    #: Largest page ``POST /api/analyze`` fetches for a URL, in bytes.
    max_fetch: int = 5_000_000
    #: Seconds a URL fetch may take (connect, each read).
    fetch_timeout: float = 15.0
    #: Hosts exempt from the public-address rule of URL fetches (tests, trusted internal hosts).
    fetch_allow: frozenset[str] = field(default_factory=frozenset)


#: The environment variable through which ``serve --workers N`` hands its options to each worker.
SERVE_OPTIONS = "NEWSGRAPH_SERVE_OPTIONS"


def in_memory(db: str | None) -> bool:
    """Whether ``db`` (a ``--db`` value or a SQLAlchemy URL) names an in-memory SQLite store:
    ``sqlite://``, ``:memory:``, ``sqlite:///:memory:``, or a ``file:...?mode=memory`` URI."""
    value = (db or "").strip()
    if not value:
        return False
    if "://" not in value:
        return value == ":memory:"
    if not value.lower().startswith("sqlite"):
        return False
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(value)
    except ArgumentError:
        return False  # the store says what is wrong with it (E202)
    database = url.database or ""
    if database in ("", ":memory:"):
        return True
    uri = str(url.query.get("uri", "")).lower() in ("true", "1")
    return uri and (url.query.get("mode") == "memory" or database.startswith("file::memory:"))


def check_db(db: str | None) -> None:
    """Refuse (``E410``) a store the server cannot share between its threads and workers."""
    if in_memory(db):
        raise ConfigError("E410", db=db)


def app_from_environment() -> FastAPI:
    """The app of one uvicorn worker process (``serve --workers N``): the options are the JSON
    object in ``$NEWSGRAPH_SERVE_OPTIONS``."""
    return create_app(options=ServerOptions(**json.loads(os.environ[SERVE_OPTIONS])))


def create_app(db: str | None = None, *, options: ServerOptions | None = None, corpus: Any = None) -> FastAPI:
    """The FastAPI application over the store ``db`` (or an open ``Corpus``)."""
    from ..core.corpus import Corpus

    options = options or ServerOptions(db=db)
    if corpus is None:
        check_db(options.db or db or os.environ.get("NEWSGRAPH_DB"))
    elif hasattr(corpus, "store"):
        check_db(corpus.store.engine.url.render_as_string(hide_password=True))
    app = FastAPI(
        title="newsgraph",
        version=__version__,
        description="The sourced record of news reports: who did what to whom, and who says so.",
        docs_url=None,
        redoc_url=None,
    )
    app.state.options = options
    app.state.corpus = corpus if corpus is not None else Corpus(db=options.db or db, create=True)
    app.state.analysis = threading.Lock()
    app.state.loading = threading.Lock()

    from . import failures

    failures.install(app)
    app.add_middleware(failures.BodyLimit, limit=options.max_body)

    app.add_middleware(SecurityHeaders)

    from . import api, web

    app.state.pages = web.PageCache()
    app.include_router(api.router, prefix="/api")
    app.include_router(web.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


#: Sent with every response (unless the response set its own).
SECURITY_HEADERS = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)


class SecurityHeaders:
    """Adds ``SECURITY_HEADERS`` to every HTTP response (a plain ASGI middleware: no extra
    task or body copy per request, unlike ``@app.middleware``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in SECURITY_HEADERS if name not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's spec plus the analysed-article schema of ``newsgraph.schema``."""
    if app.openapi_schema is None:
        from fastapi.openapi.utils import get_openapi

        from .models import article_components

        spec = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        spec.setdefault("components", {}).setdefault("schemas", {}).update(article_components())
        app.openapi_schema = spec
    return app.openapi_schema


def analyzer(app: FastAPI) -> Newsgraph:
    """The app's pipeline, loaded on first use and then shared (the corpus's, so adding and
    analysing load the models once). Call it from a worker thread: loading takes seconds.
    Use it under ``app.state.analysis`` (a lock): one analysis at a time."""
    with app.state.loading:
        ng: Newsgraph = app.state.corpus.newsgraph
    return ng


def _fetcher(app: FastAPI) -> Fetcher:
    options: ServerOptions = app.state.options
    return public_fetcher(
        max_bytes=options.max_fetch, timeout=options.fetch_timeout, allow_hosts=options.fetch_allow
    )


def prepare_submission(app: FastAPI, fields: dict[str, Any]) -> Article:
    """The article to analyse from ``text``/``html``/``url`` and metadata (a URL alone is
    fetched: http/https, public addresses only, at most ``max_fetch`` bytes)."""
    fetcher = (
        _fetcher(app)
        if fields.get("url") and fields.get("text") is None and fields.get("html") is None
        else None
    )
    try:
        return prepare(**fields, settings=app.state.corpus.settings, fetcher=fetcher)
    finally:
        if fetcher is not None:
            fetcher.close()


def analyze_submission(app: FastAPI, fields: dict[str, Any]) -> Article:
    """Analyse a submission (see :func:`prepare_submission`) without storing it; raises
    ``BadInput`` with the code of what was wrong."""
    article = prepare_submission(app, fields)
    with app.state.analysis:
        return analyzer(app).analyze_article(article)


def add_submission(app: FastAPI, fields: dict[str, Any]) -> tuple[str, str | None]:
    """Analyse a submission and add it to the store: ``(status, article id)``, status
    ``added`` or ``present`` (the store holds its URL or text already)."""
    article = prepare_submission(app, fields)
    corpus = app.state.corpus
    statuses: list[tuple[str, Any]] = []
    with app.state.analysis:
        summary = corpus.add([article], on_result=lambda status, item: statuses.append((status, item)))
    if summary.problems:
        problem = summary.problems[0]
        raise BadInput.recorded(problem.code, problem.message)
    status = statuses[0][0] if statuses else "present"
    return status, corpus.locate(article)


__all__ = [
    "CSP",
    "SERVE_OPTIONS",
    "ServerOptions",
    "add_submission",
    "analyze_submission",
    "analyzer",
    "app_from_environment",
    "check_db",
    "create_app",
    "in_memory",
    "prepare_submission",
]
