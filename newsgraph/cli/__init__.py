"""The ``newsgraph`` command: each subcommand opens a facade, calls one method, reports errors.

Subcommands live in modules of this package by what they work on: ``analyze``
(one-off analysis and the demo) and ``tools`` (eval, train, schema, info).
"""

from __future__ import annotations

from typing import Any

import click

from .. import __version__
from ..errors import NewsgraphError


def facade(config: str | None, stages: str | None, profile: str | None = None) -> Any:
    """The configured ``Newsgraph``; a configuration error becomes a one-line CLI error."""
    from ..core import Newsgraph

    try:
        return Newsgraph(config=config, profile=profile, stages=stages.split(",") if stages else None)
    except NewsgraphError as err:
        raise click.ClickException(str(err)) from err


#: ``--profile``, shared by the commands that build a pipeline.
profile_option = click.option(
    "--profile",
    default=None,
    metavar="NAME",
    help="Settings profile: default (most accurate) or fast (bulk runs); see docs/evaluation.md.",
)
config_option = click.option(
    "--config", type=click.Path(dir_okay=False), help="A settings file (TOML) to merge over the defaults."
)


def iso_date(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A click callback: ``value`` as an ISO 8601 date or date-time."""
    from ..core import normalise_date

    if value is None:
        return None
    normal = normalise_date(value)
    if normal is not None:
        return normal
    raise click.BadParameter(f"{value!r} is not an ISO 8601 date such as 2024-12-12 (code E008)")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="newsgraph")
def cli() -> None:
    """newsgraph: news reports in; who did what to whom, and who says so, out."""


def main() -> None:
    cli(prog_name="newsgraph")


# The subcommand modules register themselves on ``cli`` when imported.
from . import analyze, claims, corpus, linking, serve, tools  # noqa: E402

__all__ = ["analyze", "claims", "cli", "corpus", "linking", "main", "serve", "tools"]
