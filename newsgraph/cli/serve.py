"""``newsgraph serve``: the REST API and web pages over a store, on uvicorn."""

from __future__ import annotations

import ipaddress
import os

import click

from . import cli
from .corpus import DB_HELP


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address or ``localhost``) only listens on this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@cli.command()
@click.option("--db", envvar="NEWSGRAPH_DB", help=DB_HELP)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="Port.")
@click.option(
    "--token",
    envvar="NEWSGRAPH_TOKEN",
    help="Bearer token that writes (POST /api/articles) must carry; required beyond loopback"
    " (default: $NEWSGRAPH_TOKEN).",
)
@click.option(
    "--max-body",
    type=click.IntRange(min=1),
    default=5_000_000,
    show_default=True,
    help="Largest request body accepted, in bytes (E404).",
)
@click.option(
    "--max-fetch",
    type=click.IntRange(min=1),
    default=5_000_000,
    show_default=True,
    help="Largest page fetched for a URL sent to POST /api/analyze or /api/articles, in bytes (E013).",
)
def serve(db: str | None, host: str, port: int, token: str | None, max_body: int, max_fetch: int) -> None:
    """Serve the REST API (/api, spec at /openapi.json) and the web pages over the store.

    URLs sent to the API are fetched over http(s) from public addresses only."""
    if not is_loopback(host) and not token:
        raise click.ClickException(
            f"refusing to listen on {host} without a write token: pass --token or set NEWSGRAPH_TOKEN"
        )
    import uvicorn

    from ..server import ServerOptions, create_app

    options = ServerOptions(
        db=db or os.environ.get("NEWSGRAPH_DB"), token=token, max_body=max_body, max_fetch=max_fetch
    )
    app = create_app(options=options)
    click.echo(f"newsgraph serving {db or 'newsgraph.db'} on http://{host}:{port}/", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")
