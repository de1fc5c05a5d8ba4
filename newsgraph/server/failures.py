"""Every error the server sends, in one shape: JSON for the API, an HTML page for the pages.

Under ``/api`` (and for ``/openapi.json``) an error is ``{"error": {"code", "message",
"where"}}``. ``code`` is a newsgraph error code (``newsgraph.errors.Codes``): E4xx for what
the server itself refuses (validation, unknown route, method, body size, token, cursor, a
bug), the pipeline's and store's own codes (E0xx, E2xx, E3xx) otherwise. ``where`` names
the parameter or body field at fault (``query.limit``, ``body.text``), else the request path.

Every other path is a page a person opened in a browser: the same error (status, code,
message, where) comes back as an HTML page in the site's layout (``templates/error.html``)
with links onwards. Error responses carry the security headers themselves, since the
handler of unexpected exceptions answers outside the middleware that adds them.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import BadInput, NewsgraphError
from . import SECURITY_HEADERS

log = logging.getLogger("newsgraph.server")

#: HTTP status per code; other bad input (E0xx: E011 a refused URL, E012 a URL that could not
#: be fetched, ...) is 422, anything else 500.
STATUS = {
    "E401": 422,
    "E402": 404,
    "E403": 405,
    "E404": 413,
    "E405": 401,
    "E406": 403,
    "E407": 400,
    "E408": 500,
    "E409": 404,
    "E204": 404,
    "E205": 404,
    "E206": 410,
    "E301": 404,
}


class RequestError(NewsgraphError):
    """A request the server refuses, with the part of the request at fault."""

    def __init__(self, code: str, where: str, **values: object) -> None:
        super().__init__(code, **values)
        self.where = where


#: The heading of the HTML error page per status.
TITLES = {
    400: "Bad request",
    401: "Token needed",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    410: "Gone",
    413: "Too large",
    422: "Request not valid",
    500: "Something went wrong",
}

#: The security headers as response headers (error responses carry them themselves).
HEADERS = {name.decode(): value.decode() for name, value in SECURITY_HEADERS}


def is_api(path: str) -> bool:
    """Whether ``path`` belongs to the JSON API (its errors are JSON), not to a page."""
    return path == "/api" or path.startswith("/api/") or path == "/openapi.json"


def status_of(err: NewsgraphError) -> int:
    if err.code in STATUS:
        return STATUS[err.code]
    return 422 if isinstance(err, BadInput) else 500


def error_body(code: str, message: str, where: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "where": where}}


def error_page(code: str, message: str, where: str, status: int) -> str:
    """The HTML error page: the site's layout, the error's title, message, code and where."""
    from .web import templates  # the page templates (web imports this package's __init__)

    title = TITLES.get(status, "Error")
    page = templates.env.get_template("error.html")
    message = message.removeprefix(f"[{code}] ")  # the page shows the code on its own line
    return page.render(title=title, message=message, code=code, where=where, status=status)


def error_response(
    err: NewsgraphError,
    where: str,
    status: int | None = None,
    headers: dict[str, str] | None = None,
    *,
    path: str | None = None,
) -> JSONResponse | HTMLResponse:
    """The error as JSON, or as an HTML page when ``path`` (the request's) is not the API's."""
    status = status or status_of(err)
    headers = {**HEADERS, **(headers or {})}
    if path is not None and not is_api(path):
        return HTMLResponse(error_page(err.code, err.message, where, status), status, headers)
    return JSONResponse(error_body(err.code, err.message, where), status_code=status, headers=headers)


def _location(loc: Any) -> str:
    return ".".join(str(part) for part in loc)


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into the one shape (JSON or page)."""

    @app.exception_handler(NewsgraphError)
    async def newsgraph_error(request: Request, err: NewsgraphError) -> JSONResponse | HTMLResponse:
        path = request.url.path
        where = err.where if isinstance(err, RequestError) else path
        headers = {"WWW-Authenticate": "Bearer"} if err.code == "E405" else None
        return error_response(err, where, headers=headers, path=path)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, err: RequestValidationError) -> JSONResponse | HTMLResponse:
        problems = err.errors()
        first = problems[0] if problems else {"loc": ("request",), "msg": "not valid"}
        detail = "; ".join(f"{_location(p.get('loc', ()))}: {p.get('msg', '')}" for p in problems[:5])
        where = _location(first.get("loc", ("request",)))
        return error_response(NewsgraphError("E401", detail=detail), where, 422, path=request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, err: StarletteHTTPException) -> JSONResponse | HTMLResponse:
        path = request.url.path
        if err.status_code == 404:
            return error_response(NewsgraphError("E402", path=path), path, 404, path=path)
        if err.status_code == 405:
            allowed = (err.headers or {}).get("Allow", "")
            error = NewsgraphError("E403", method=request.method, path=path, allowed=allowed or "none")
            headers = {"Allow": allowed} if allowed else None
            return error_response(error, path, 405, headers=headers, path=path)
        error = NewsgraphError("E401", detail=str(err.detail))
        return error_response(error, path, err.status_code, headers=dict(err.headers or {}), path=path)

    @app.exception_handler(Exception)
    async def bug(request: Request, err: Exception) -> JSONResponse | HTMLResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        error = NewsgraphError("E408", detail=type(err).__name__)
        return error_response(error, request.url.path, 500, path=request.url.path)


class BodyLimit:
    """Refuse (413, ``E404``) a request body over ``limit`` bytes, whether or not it declares
    a ``Content-Length``: the body is read up to the limit before the app sees it."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length", b"").decode("latin-1").strip()
        if declared.isdigit() and int(declared) > self.limit:
            await self._refuse(scope, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            size += len(body)
            if size > self.limit:
                await self._refuse(scope, send)
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        path = str(scope.get("path", ""))
        message = NewsgraphError("E404", limit=self.limit).message
        if is_api(path):
            body, kind = json.dumps(error_body("E404", message, path)).encode(), b"application/json"
        else:
            body, kind = error_page("E404", message, path, 413).encode(), b"text/html; charset=utf-8"
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", kind),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
