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
def serve(db: str | None, host: str, port: int, token: str | None) -> None:
    """Serve the REST API (/api, spec at /openapi.json) and the web pages over the store."""
    if not is_loopback(host) and not token:
        raise click.ClickException(
            f"refusing to listen on {host} without a write token: pass --token or set NEWSGRAPH_TOKEN"
        )
    import uvicorn

    from ..server import ServerOptions, create_app

    app = create_app(options=ServerOptions(db=db or os.environ.get("NEWSGRAPH_DB"), token=token))
    click.echo(f"newsgraph serving {db or 'newsgraph.db'} on http://{host}:{port}/", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")
