"""``newsgraph eval``, ``train``, ``schema`` and ``info``: scoring, training and introspection."""

from __future__ import annotations

import importlib
import json

import click

from .. import __version__
from ..errors import NewsgraphError
from . import cli

EVALUATIONS = {
    "attribution": "newsgraph.evaluation.attribution",
    "entities": "newsgraph.evaluation.entities",
    "places": "newsgraph.evaluation.places",
    "times": "newsgraph.evaluation.times",
    "events": "newsgraph.evaluation.events",
    "linking": "newsgraph.evaluation.linking",
}
TRAINERS = {"attribution": "newsgraph.training.attribution"}


@cli.command(name="eval")
@click.argument("name", type=click.Choice(sorted(EVALUATIONS)))
@click.option(
    "--data", required=True, type=click.Path(exists=True), help="The gold data (see docs/evaluation.md)."
)
@click.option(
    "--part",
    type=click.Choice(["report", "tune", "all"]),
    default="report",
    show_default=True,
    help="Which part of the fixed split to score: report (published figures), tune (for development).",
)
@click.option("--limit", type=int, default=None, help="Score only the first N documents.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def evaluate(name: str, data: str, part: str, limit: int | None, as_json: bool) -> None:
    """Score a capability against public gold data: attribution, entities, places, times, events, linking."""
    module = importlib.import_module(EVALUATIONS[name])
    try:
        report = module.evaluate(data, limit=limit, part=part)
    except NewsgraphError as err:
        raise click.ClickException(str(err)) from err
    report["part"] = part
    click.echo(json.dumps(report, indent=2) if as_json else module.render(report))


@cli.command()
@click.argument("name", type=click.Choice(sorted(TRAINERS)))
@click.option(
    "--data",
    required=True,
    type=click.Path(exists=True, file_okay=False),
    help="The training split, e.g. ../shared/data/polnear/train.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    default=None,
    help="Where to write the model (default: the one shipped in the package).",
)
@click.option("--limit", type=int, default=None, help="Train on the first N documents only.")
def train(name: str, data: str, out: str | None, limit: int | None) -> None:
    """Train a learned component from gold data (reproducible; see docs)."""
    module = importlib.import_module(TRAINERS[name])
    try:
        report = module.train(data, out=out, limit=limit)
    except NewsgraphError as err:
        raise click.ClickException(str(err)) from err
    click.echo(module.render(report))


@cli.command()
def schema() -> None:
    """Print the JSON Schema of an analysed article."""
    from ..schema import schema_json

    click.echo(schema_json(), nl=False)


@cli.command()
@click.option("--config", type=click.Path(dir_okay=False), help="A settings file to merge over the defaults.")
def info(config: str | None) -> None:
    """Show the version, the settings files in force and the stages that would run."""
    from ..settings import Settings

    try:
        settings = Settings.load(config)
    except NewsgraphError as err:
        raise click.ClickException(str(err)) from err
    click.echo(f"newsgraph {__version__}")
    click.echo(f"settings: {' + '.join(settings.sources)}")
    for name in settings.stage_names:
        factory, options = settings.stage_options(name)
        opts = ", ".join(f"{k}={v!r}" for k, v in options.items())
        click.echo(f"  {name:<13} {factory:<28} {opts}")
