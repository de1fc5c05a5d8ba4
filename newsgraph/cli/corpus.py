"""The corpus commands: ``add`` articles to a store, then ``quotes``, ``entities``, ``entity``,
``events``, ``search``, ``stats``, ``problems`` and ``export`` across all of them.

Each opens a ``Corpus`` (``--db`` or ``NEWSGRAPH_DB``, default ``newsgraph.db``), calls the
method of the same name and prints a table, ``--json`` or ``--csv``.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable
from typing import Any

import click

from ..errors import NewsgraphError
from ..model import Article, Metadata, Problem
from . import cli, iso_date, profile_option

DB_HELP = "The store: a SQLite file or postgresql://user@host/db (default: $NEWSGRAPH_DB or newsgraph.db)."


def open_corpus(db: str | None, *, create: bool = False, **options: Any) -> Any:
    from ..core.corpus import Corpus

    try:
        return Corpus(db=db, create=create, **options)
    except NewsgraphError as err:
        raise click.ClickException(str(err)) from err


def db_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--db", envvar="NEWSGRAPH_DB", help=DB_HELP)(f)


def output_options(f: Callable[..., Any]) -> Callable[..., Any]:
    f = click.option(
        "--offset", type=click.IntRange(min=0), default=0, help="Skip this many records (paging)."
    )(f)
    f = click.option(
        "--limit",
        type=click.IntRange(min=1),
        default=50,
        show_default=True,
        help="At most this many records.",
    )(f)
    f = click.option("--csv", "as_csv", is_flag=True, help="CSV instead of a table.")(f)
    f = click.option("--json", "as_json", is_flag=True, help="A JSON list of records instead of a table.")(f)
    return f


def emit(records: list[dict[str, Any]], columns: list[str], as_json: bool, as_csv: bool) -> None:
    """Records as a JSON list, CSV (the given columns) or a readable table."""
    if as_json:
        click.echo(json.dumps(records, ensure_ascii=False, indent=2))
        return
    if as_csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for record in records:
            writer.writerow({k: "" if record.get(k) is None else record.get(k) for k in columns})
        return
    if not records:
        click.echo("(nothing found)", err=True)
        return
    click.echo(table(records, columns))


def table(records: list[dict[str, Any]], columns: list[str], width: int = 60) -> str:
    cells = [[_cell(r.get(c), width) for c in columns] for r in records]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    return "\n".join(lines)


def _cell(value: Any, width: int) -> str:
    if value is None:
        return ""
    text = " ".join(str(value).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _guard(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except NewsgraphError as err:
        raise click.ClickException(str(err)) from err


# -- add -------------------------------------------------------------------------------------------


@cli.command()
@click.argument("sources", nargs=-1)
@db_option
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    help="Worker processes (default 1); with --engine ray, actors (default: one per cluster CPU).",
)
@click.option(
    "--engine",
    type=click.Choice(["local", "ray"]),
    default="local",
    show_default=True,
    help="Where the analysis runs: here, or on a Ray cluster (pip install 'newsgraph[ray]').",
)
@click.option("--address", help="Ray cluster address (default: start Ray here; 'auto': the local cluster).")
@click.option(
    "--shard-size",
    type=click.IntRange(min=1),
    default=64,
    show_default=True,
    help="With --engine ray, inputs per Ray task (files are split into shards of this size).",
)
@click.option(
    "--ray-writes",
    type=click.Choice(["driver", "workers"]),
    default="driver",
    show_default=True,
    help="With --engine ray, who writes the store: this process, or the actors (PostgreSQL only; "
    "docs/scale.md says when each is faster). Both leave the store a local add leaves.",
)
@click.option("--reprocess", is_flag=True, help="Analyse again articles stored by an older pipeline version.")
@click.option("--published", callback=iso_date, help="Publication date (ISO 8601), overrides metadata.")
@click.option("--outlet", help="Outlet name, overrides metadata.")
@click.option(
    "--config", type=click.Path(dir_okay=False), help="A settings file (TOML) to merge over the defaults."
)
@profile_option
@click.option(
    "--batch", type=click.IntRange(min=1), default=25, show_default=True, help="Articles per transaction."
)
@click.option(
    "--timeout", type=click.FloatRange(min=0.1), default=20.0, show_default=True, help="HTTP timeout (s)."
)
@click.option("--retries", type=click.IntRange(min=0), default=2, show_default=True, help="HTTP retries.")
@click.option(
    "--max-bytes",
    type=click.IntRange(min=1),
    default=10_000_000,
    show_default=True,
    help="Largest page fetched.",
)
@click.option(
    "--concurrency", type=click.IntRange(min=1), default=4, show_default=True, help="Pages fetched at once."
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or summary.")
def add(
    sources: tuple[str, ...],
    db: str | None,
    jobs: int | None,
    engine: str,
    address: str | None,
    shard_size: int,
    ray_writes: str,
    reprocess: bool,
    published: str | None,
    outlet: str | None,
    config: str | None,
    profile: str | None,
    batch: int,
    timeout: float,
    retries: int,
    max_bytes: int,
    concurrency: int,
    quiet: bool,
) -> None:
    """Analyse articles into the store: files, directories, JSON Lines, Parquet, HTML, http(s) URLs of
    pages or RSS/Atom feeds (their pages are fetched), .rss/.atom/.xml feed files and WARC files.

    Articles already stored (same URL or same text) are skipped, so a run can be repeated or
    resumed after an interruption. Every input that fails is recorded (see `newsgraph problems`);
    the exit status is 1 when any did. With --engine ray the files are read and analysed by Ray
    actors, shard by shard; this process writes the store in input order (with --ray-writes
    workers the actors write a PostgreSQL store themselves; docs/scale.md).
    """
    from ..core import count_inputs
    from ..core.corpus import Fetcher, FetchOptions

    if not sources and not reprocess:
        raise click.UsageError("give at least one SOURCE (or --reprocess to re-analyse the store)")
    corpus = open_corpus(db, create=True, config=config, profile=profile)
    fetcher = Fetcher(
        FetchOptions(timeout=timeout, retries=retries, max_bytes=max_bytes, concurrency=concurrency)
    )
    local = [s for s in sources if "://" not in s]
    total = count_inputs(local) + (len(sources) - len(local)) if sources else corpus.stats()["articles"]
    progress = _progress(total, enabled=not quiet and total >= 2)

    def on_result(status: str, item: Article | Problem) -> None:
        if status == "failed" and isinstance(item, Problem):
            progress.echo(f"error: {item.message}")
        progress.step()

    overrides = Metadata(published=published, outlet=outlet)
    try:
        if engine == "ray":
            from ..batch import ray_engine

            summary = _guard(
                lambda: ray_engine.add(
                    corpus,
                    list(sources),
                    address=address,
                    actors=jobs,
                    reprocess=reprocess,
                    overrides=overrides,
                    batch_size=batch,
                    shard_size=shard_size,
                    on_result=on_result,
                    writes=ray_writes,
                    fetcher=fetcher,
                )
            )
        else:
            summary = _guard(
                lambda: corpus.add(
                    list(sources),
                    jobs=jobs or 1,
                    reprocess=reprocess,
                    overrides=overrides,
                    batch_size=batch,
                    on_result=on_result,
                    fetcher=fetcher,
                )
            )
    finally:
        progress.close()
        fetcher.close()
    if not quiet:
        rate = (summary.added + summary.reprocessed) / max(summary.seconds, 1e-9)
        click.echo(
            f"added {summary.added}, reprocessed {summary.reprocessed}, already present {summary.present}, "
            f"failed {summary.failed} ({summary.seconds:.1f}s, {rate:.1f} articles/s)",
            err=True,
        )
    if summary.failed:
        sys.exit(1)


def _progress(total: int, enabled: bool) -> Any:
    """``analyze``'s progress bar with the time left added (rate over the run so far)."""
    import time

    from .analyze import Progress

    class WithEta(Progress):
        def step(self) -> None:
            super().step()
            if not self.enabled or self.done >= self.total:
                return
            elapsed = time.perf_counter() - self.started
            left = elapsed / self.done * (self.total - self.done)
            if self.tty:
                self.stream.write(f"  ETA {int(left) // 60}:{int(left) % 60:02d}")
                self.stream.flush()

    return WithEta(total, enabled)


# -- queries ---------------------------------------------------------------------------------------

QUOTE_COLUMNS = ["published", "outlet", "speaker", "hedge", "content", "article_id"]


@cli.command()
@db_option
@click.option("--speaker", help="Who speaks: words of the source or of its entity's name.")
@click.option("--about", help="Words the quoted content holds (all of them).")
@click.option(
    "--source-type", type=click.Choice(["person", "organisation", "anonymous", "unattributed", "publication"])
)
@click.option("--hedged", is_flag=True, help="Only claims made with a hedge (reportedly, believed, ...).")
@click.option("--since", callback=iso_date, help="Published on or after this date.")
@click.option("--until", callback=iso_date, help="Published on or before this date.")
@click.option("--outlet", help="Only this outlet.")
@output_options
def quotes(db: str | None, as_json: bool, as_csv: bool, **filters: Any) -> None:
    """Who said what, across every stored article (newest first)."""
    corpus = open_corpus(db)
    emit(_guard(lambda: corpus.quotes(**filters)), QUOTE_COLUMNS, as_json, as_csv)


@cli.command()
@db_option
@click.option("--type", "type_", help="Only this entity type (PERSON, ORG, GPE, ...).")
@output_options
def entities(db: str | None, type_: str | None, as_json: bool, as_csv: bool, limit: int, offset: int) -> None:
    """Entities across the store, by the number of articles that name them."""
    corpus = open_corpus(db)
    records = _guard(lambda: corpus.entities(type=type_, limit=limit, offset=offset))
    emit(records, ["articles", "type", "name", "corpus_entity"], as_json, as_csv)


@cli.command()
@click.argument("name")
@db_option
@click.option("--why", is_flag=True, help="Show why each article's entity was linked (the link log).")
@click.option("--json", "as_json", is_flag=True, help="JSON instead of a readable report.")
def entity(name: str, db: str | None, why: bool, as_json: bool) -> None:
    """Everything about NAME: names and aliases, roles, what they said, what others said about
    them, events as actor or target, outlets, first and last seen."""
    corpus = open_corpus(db)
    records = _guard(lambda: corpus.entity(name, why=why))
    if as_json:
        click.echo(json.dumps(records, ensure_ascii=False, indent=2))
        return
    if not records:
        raise click.ClickException(f"[E204] Nothing in the store matches the entity {name!r}")
    for record in records:
        click.echo(entity_report(record))


def entity_report(record: dict[str, Any]) -> str:
    head = f"{record['name']} ({record['type']}"
    head += f", {record['corpus_entity']})" if record["corpus_entity"] else ", not linked across articles)"
    lines = [head, "=" * len(head)]
    lines.append(
        f"articles: {record['articles']}; seen {record['first_seen'] or '?'} to {record['last_seen'] or '?'}"
    )
    lines.append("names: " + ", ".join(f"{n['name']} ({n['count']})" for n in record["names"][:12]))
    if record["roles"]:
        lines.append("roles: " + ", ".join(f"{r['role']} ({r['count']})" for r in record["roles"][:8]))
    if record["outlets"]:
        lines.append("outlets: " + ", ".join(record["outlets"]))
    for title, key in (("said", "said"), ("said about them", "said_about")):
        if record[key]:
            lines.append(f"\n{title}:")
            lines += [
                f"  [{q['published'] or '?'}] {q['speaker'] or '(unnamed)'}: {_cell(q['content'], 120)}"
                for q in record[key]
            ]
    if record["events"]:
        lines.append("\nevents:")
        for e in record["events"]:
            when = e["date"] or e["published"] or "?"
            lines.append(
                f"  [{when}] {e['category']} as {e['as']}: {_cell(e['sentence'] or e['trigger'], 110)}"
            )
    if "why" in record:
        lines.append("\nwhy linked:")
        lines += [
            f"  {w['action']} {w['article_id'] or ''} {w['entity_id'] or ''}: {w['reason']}"
            for w in record["why"]
        ] or ["  (no link log)"]
    return "\n".join(lines) + "\n"


@cli.command()
@db_option
@click.option("--category", help="PLOVER category, e.g. ASSAULT.")
@click.option("--actor", help="Words of the actor or of its entity's name.")
@click.option("--place", help="The place's name.")
@click.option("--since", callback=iso_date, help="Happened (or published) on or after this date.")
@click.option("--until", callback=iso_date, help="Happened (or published) on or before this date.")
@output_options
def events(db: str | None, as_json: bool, as_csv: bool, **filters: Any) -> None:
    """Events across the store (newest article first)."""
    corpus = open_corpus(db)
    records = _guard(lambda: corpus.events(**filters))
    emit(records, ["date", "category", "actor", "target", "place", "trigger", "article_id"], as_json, as_csv)


@cli.command()
@click.argument("text")
@db_option
@click.option("--kind", type=click.Choice(["article", "attribution"]), help="Only articles or only quotes.")
@output_options
def search(
    text: str, db: str | None, kind: str | None, as_json: bool, as_csv: bool, limit: int, offset: int
) -> None:
    """Full-text search over article text and quoted contents (every word must occur)."""
    corpus = open_corpus(db)
    records = _guard(lambda: corpus.search(text, kind=kind, limit=limit, offset=offset))
    emit(records, ["kind", "published", "outlet", "speaker", "snippet", "article_id"], as_json, as_csv)


@cli.command()
@db_option
@click.option("--json", "as_json", is_flag=True, help="A JSON object.")
def stats(db: str | None, as_json: bool) -> None:
    """Counts over the store: articles, attributions, entities, events, problems..."""
    corpus = open_corpus(db)
    numbers = _guard(corpus.stats)
    if as_json:
        click.echo(json.dumps(numbers, ensure_ascii=False, indent=2))
        return
    for key, value in numbers.items():
        shown = ", ".join(f"{k}: {v}" for k, v in value.items()) if isinstance(value, dict) else value
        click.echo(f"{key:<18}{shown}")


@cli.command()
@db_option
@click.option("--code", help="Only problems with this error code.")
@output_options
def problems(db: str | None, code: str | None, as_json: bool, as_csv: bool, limit: int, offset: int) -> None:
    """Inputs that could not be added, with their error code and the reason."""
    corpus = open_corpus(db)
    records = _guard(lambda: corpus.problems(code=code, limit=limit, offset=offset))
    emit(records, ["code", "input", "message"], as_json, as_csv)


@cli.command()
@db_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv", "parquet", "plover"]),
    default="jsonl",
    show_default=True,
)
@click.option(
    "--out", help="Output file (jsonl, plover; default standard output) or directory (csv, parquet)."
)
@click.option("--since", callback=iso_date, help="Published on or after this date.")
@click.option("--until", callback=iso_date, help="Published on or before this date.")
@click.option("--outlet", help="Only this outlet.")
@click.option("--search", "search_text", help="Only articles holding every word of this text.")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many articles.")
def export(db: str | None, fmt: str, out: str | None, search_text: str | None, **filters: Any) -> None:
    """Export articles: the article JSON with each entity's `corpus_entity` (jsonl), flat tables
    (csv, parquet: one file per table in the --out directory) or PLOVER event records (plover)."""
    corpus = open_corpus(db)
    if fmt in ("csv", "parquet") and not out:
        raise click.UsageError(f"--format {fmt} writes one file per table: give --out DIRECTORY")
    if fmt in ("csv", "parquet"):
        count = _guard(lambda: corpus.export(fmt, out, search=search_text, **filters))
    elif out:
        with open(out, "w", encoding="utf-8") as handle:
            count = _guard(lambda: corpus.export(fmt, handle, search=search_text, **filters))
    else:
        count = _guard(lambda: corpus.export(fmt, sys.stdout, search=search_text, **filters))
    click.echo(f"exported {count} article(s)", err=True)


# -- the demo --------------------------------------------------------------------------------------


def demo_corpus(newsgraph: Any, db: str | None) -> None:
    """Add the bundled samples to a SQLite corpus and print what each query returns."""
    import tempfile
    from importlib import resources

    from ..core.corpus import Corpus

    samples = resources.files("newsgraph").joinpath("samples")
    manifest = [
        entry
        for name in ("samples.json", "claims.json")
        for entry in json.loads(samples.joinpath(name).read_text("utf-8"))
    ]
    with tempfile.TemporaryDirectory(prefix="newsgraph-demo-") as tmp:
        source = f"{tmp}/samples.jsonl"
        with open(source, "w", encoding="utf-8") as handle:
            for entry in manifest:
                record = {k: entry.get(k) for k in ("title", "published", "outlet")}
                record |= {"id": entry["file"], "text": samples.joinpath(entry["file"]).read_text("utf-8")}
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        path = db or f"{tmp}/demo.db"
        corpus = _guard(lambda: Corpus(db=path, newsgraph=newsgraph))
        summary = _guard(lambda: corpus.add([source]))

        def section(command: str) -> None:
            click.echo(f"\n$ newsgraph {command}" + ("" if db else "  # on a temporary store"))

        click.echo(
            "\n" + "#" * 78 + "\nThe same articles in a corpus: added once, queried across all of them."
        )
        section(f"add samples.jsonl --db {path if db else 'demo.db'}")
        click.echo(f"added {summary.added}, already present {summary.present}, failed {summary.failed}")
        section("stats")
        numbers = corpus.stats()
        click.echo(", ".join(f"{k} {numbers[k]}" for k in ("articles", "attributions", "entities", "events")))
        section("quotes --limit 5")
        click.echo(table(corpus.quotes(limit=5), QUOTE_COLUMNS))
        section("entities --type PERSON --limit 5")
        people = corpus.entities(type="PERSON", limit=5)
        click.echo(table(people, ["articles", "type", "name", "corpus_entity"]) if people else "(none)")
        if people:
            section(f"entity {json.dumps(people[0]['name'])}")
            for record in corpus.entity(people[0]["name"]):
                click.echo(entity_report(record))
        section("events --limit 5")
        click.echo(table(corpus.events(limit=5), ["date", "category", "actor", "target", "place", "trigger"]))
        from .claims import GROUP_COLUMNS, _row, claim_report

        section("claims --limit 5")
        groups = corpus.claims(limit=5)
        click.echo(table([_row(g) for g in groups], GROUP_COLUMNS) if groups else "(none)")
        if groups:
            section(f"claim {groups[0]['id']}")
            click.echo(claim_report(groups[0]))
        section("search ceasefire")
        click.echo(table(corpus.search("ceasefire", limit=5), ["kind", "speaker", "snippet"]) or "(none)")
        corpus.close()
