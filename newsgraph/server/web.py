"""The server-rendered pages: reader, entities, claims, map, timeline, search, dashboard."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from . import TEMPLATES

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(TEMPLATES))


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request) -> HTMLResponse:
    """Counts of what the store holds."""
    stats = request.app.state.corpus.stats()
    return templates.TemplateResponse(request, "dashboard.html", {"stats": stats})
