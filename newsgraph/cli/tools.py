"""``newsgraph eval``, ``train``, ``schema`` and ``info``: scoring, training and introspection."""

from __future__ import annotations

import importlib
import json

import click

from .. import __version__
from ..errors import NewsgraphError
from . import cli, config_option, facade, profile_option

EVALUATIONS = {
    "attribution": "newsgraph.evaluation.attribution",
    "entities": "newsgraph.evaluation.entities",
    "places": "newsgraph.evaluation.places",
    "times": "newsgraph.evaluation.times",
    "events": "newsgraph.evaluation.events",
    "linking": "newsgraph.evaluation.linking",
    "claims": "newsgraph.evaluation.claims",
}
TRAINERS = {"attribution": "newsgraph.training.attribution", "claims": "newsgraph.training.claims"}


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
@config_option
@profile_option
@click.option("--stages", help="Comma-separated stage names to run instead of the configured list.")
@click.option("--limit", type=int, default=None, help="Score only the first N documents.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def evaluate(
    name: str,
    data: str,
    part: str,
    config: str | None,
    profile: str | None,
    stages: str | None,
    limit: int | None,
    as_json: bool,
) -> None:
    """Score a capability against public gold data, through the same pipeline as analyze.

    Capabilities: attribution, entities, places, times, events, linking. The documents run
    through the configured pipeline (defaults, --config, --profile) exactly as
    `newsgraph analyze` runs them.
    """
    module = importlib.import_module(EVALUATIONS[name])
    ng = facade(config, stages, profile)
    try:
        report = module.evaluate(data, limit=limit, part=part, ng=ng)
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
    type=click.Path(),
    default=None,
    help="Where to write the model (default: the one shipped in the package).",
)
@click.option("--limit", type=int, default=None, help="Train on the first N documents only.")
@click.option(
    "--tagger",
    type=click.Choice(["onnx", "crf"]),
    default="onnx",
    show_default=True,
    help="attribution: the learned tagger (needs the [train] extra; --out is a folder) or the CRF.",
)
def train(name: str, data: str, out: str | None, limit: int | None, tagger: str) -> None:
    """Train a learned component from gold data (reproducible; see docs)."""
    module = importlib.import_module(TRAINERS[name])
    try:
        report = module.train(data, out=out, limit=limit, tagger=tagger)
    except NewsgraphError as err:
        raise click.ClickException(str(err)) from err
    click.echo(module.render(report))


@cli.command()
def schema() -> None:
    """Print the JSON Schema of an analysed article."""
    from ..schema import schema_json

    click.echo(schema_json(), nl=False)


@cli.command()
@config_option
@profile_option
def info(config: str | None, profile: str | None) -> None:
    """Show the version, the settings files and profile in force and the stages that would run."""
    from ..settings import Settings

    try:
        settings = Settings.load(config, profile=profile)
    except NewsgraphError as err:
        raise click.ClickException(str(err)) from err
    click.echo(f"newsgraph {__version__}")
    click.echo(f"settings: {' + '.join(settings.sources)}")
    others = [p for p in settings.profiles if p != settings.profile]
    click.echo(f"profile: {settings.profile}" + (f" (others: {', '.join(others)})" if others else ""))
    for name in settings.stage_names:
        factory, options = settings.stage_options(name)
        opts = ", ".join(f"{k}={v!r}" for k, v in options.items())
        click.echo(f"  {name:<13} {factory:<28} {opts}")
