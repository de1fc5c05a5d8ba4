"""``newsgraph serve``: the REST API and web pages over a store, on uvicorn."""

from __future__ import annotations

import ipaddress
import json
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
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Server processes (each opens the store and, on its first analysis, loads the pipeline).",
)
def serve(
    db: str | None, host: str, port: int, token: str | None, max_body: int, max_fetch: int, workers: int
) -> None:
    """Serve the REST API (/api, spec at /openapi.json) and the web pages over the store.

    URLs sent to the API are fetched over http(s) from public addresses only."""
    if not is_loopback(host) and not token:
        raise click.ClickException(
            f"refusing to listen on {host} without a write token: pass --token or set NEWSGRAPH_TOKEN"
        )
    import uvicorn

    from ..errors import NewsgraphError
    from ..server import SERVE_OPTIONS, ServerOptions, check_db, create_app

    options = ServerOptions(
        db=db or os.environ.get("NEWSGRAPH_DB"), token=token, max_body=max_body, max_fetch=max_fetch
    )
    try:
        check_db(options.db)  # before any worker starts
    except NewsgraphError as err:
        raise click.ClickException(str(err)) from err
    click.echo(f"newsgraph serving {db or 'newsgraph.db'} on http://{host}:{port}/", err=True)
    if workers == 1:
        uvicorn.run(create_app(options=options), host=host, port=port, log_level="warning")
        return
    # Worker processes build their own app from the options, handed over in the environment.
    os.environ[SERVE_OPTIONS] = json.dumps(
        {"db": options.db, "token": options.token, "max_body": max_body, "max_fetch": max_fetch}
    )
    uvicorn.run(
        "newsgraph.server:app_from_environment",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_level="warning",
    )
