"""The web server: a REST API (``/api/...``) and server-rendered pages over one corpus store.

>>> from newsgraph.server import create_app
>>> app = create_app("sqlite://")  # doctest: +SKIP

``newsgraph serve`` runs :func:`create_app` on uvicorn. The JSON API lives in
:mod:`newsgraph.server.api`, the pages in :mod:`newsgraph.server.web`; both read the
store through the ``Corpus`` facade held in ``app.state.corpus`` and never build SQL.
Everything shown from an article is untrusted: templates autoescape, and every
response carries a Content-Security-Policy that allows no inline script.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from .. import __version__

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


def create_app(db: str | None = None, *, options: ServerOptions | None = None, corpus: Any = None) -> FastAPI:
    """The FastAPI application over the store ``db`` (or an open ``Corpus``)."""
    from ..core.corpus import Corpus

    options = options or ServerOptions(db=db)
    app = FastAPI(
        title="newsgraph",
        version=__version__,
        description="The sourced record of news reports: who did what to whom, and who says so.",
        docs_url=None,
        redoc_url=None,
    )
    app.state.options = options
    app.state.corpus = corpus if corpus is not None else Corpus(db=options.db or db, create=True)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    from . import api, web

    app.include_router(api.router, prefix="/api")
    app.include_router(web.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


__all__ = ["CSP", "ServerOptions", "create_app"]
