"""``newsgraph analyze`` and ``newsgraph demo``: analyse articles one by one, no store."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import TextIO

import click

from ..core import count_inputs
from ..errors import NewsgraphError
from ..model import Article, Metadata, Problem
from . import cli, facade, iso_date, profile_option

#: Show a progress bar from this many inputs on.
PROGRESS_FROM = 4


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "jsonl", "text"]),
    default="json",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Write one NAME.json per input into this directory instead of standard output.",
)
@click.option("--published", callback=iso_date, help="Publication date (ISO 8601), overrides metadata.")
@click.option("--outlet", help="Outlet name, overrides metadata.")
@click.option("--title", help="Title, overrides metadata.")
@click.option("--url", help="URL, overrides metadata.")
@click.option(
    "--config", type=click.Path(dir_okay=False), help="A settings file (TOML) to merge over the defaults."
)
@profile_option
@click.option("--stages", help="Comma-separated stage names to run instead of the configured list.")
@click.option(
    "--processes",
    "-j",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Worker processes (each analyses a share of the inputs).",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or summary.")
def analyze(
    paths: tuple[str, ...],
    fmt: str,
    out_dir: str | None,
    published: str | None,
    outlet: str | None,
    title: str | None,
    url: str | None,
    config: str | None,
    profile: str | None,
    stages: str | None,
    processes: int,
    quiet: bool,
) -> None:
    """Analyse articles: .txt, .html/.htm/.html.gz, .jsonl, directories, or - for standard input.

    Exits with status 1 when any input could not be analysed; each is named on standard error.
    """
    ng = facade(config, stages, profile)
    overrides = Metadata(title=title, published=published, outlet=outlet, url=url)
    total = count_inputs(paths)
    progress = Progress(total, enabled=not quiet and total >= PROGRESS_FROM)
    results = ng.analyze_paths(list(paths), overrides=overrides, processes=processes)
    writer = Writer(fmt, Path(out_dir) if out_dir else None, many=total > 1)
    problems: list[Problem] = []
    done = 0
    try:
        for result in _guarded(results):
            if isinstance(result, Problem):
                problems.append(result)
                progress.echo(f"error: {result.message}")
            else:
                writer.write(result)
                done += 1
            progress.step()
    finally:
        writer.close()
        progress.close()
    if out_dir and problems:
        with open(Path(out_dir) / "problems.jsonl", "w", encoding="utf-8") as handle:
            for problem in problems:
                handle.write(json.dumps(problem.to_dict(), ensure_ascii=False) + "\n")
    if not quiet and (problems or total > 1):
        where = f" into {out_dir}" if out_dir else ""
        click.echo(f"analysed {done} article(s){where}; {len(problems)} failed", err=True)
    if problems:
        sys.exit(1)


def _guarded(results: Iterator[Article | Problem]) -> Iterator[Article | Problem]:
    try:
        yield from results
    except NewsgraphError as err:
        raise click.ClickException(str(err)) from err


class Writer:
    """Writes analysed articles to standard output or one file per input."""

    def __init__(self, fmt: str, out_dir: Path | None, many: bool, stream: TextIO | None = None) -> None:
        self.fmt = fmt
        self.out_dir = out_dir
        self.many = many
        self.stream = stream or sys.stdout
        self.count = 0
        self.used: set[str] = set()
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)

    def write(self, article: Article) -> None:
        from ..report import render_article

        if self.out_dir is not None:
            suffix = ".txt" if self.fmt == "text" else ".json"
            path = self.out_dir / (self._name(article.input) + suffix)
            body = render_article(article) if self.fmt == "text" else _json(article, indent=2) + "\n"
            path.write_text(body, encoding="utf-8")
        elif self.fmt == "text":
            self.stream.write(render_article(article) + "\n")
        elif self.fmt == "jsonl":
            self.stream.write(_json(article) + "\n")
        else:
            if self.many:
                self.stream.write("[\n" if self.count == 0 else ",\n")
            self.stream.write(_json(article, indent=2))
            if not self.many:
                self.stream.write("\n")
        self.count += 1
        self.stream.flush()

    def close(self) -> None:
        if self.out_dir is None and self.fmt == "json" and self.many:
            self.stream.write("\n]\n" if self.count else "[]\n")

    def _name(self, input_name: str) -> str:
        base = output_stem(input_name)
        name, n = base, 1
        while name in self.used:
            n += 1
            name = f"{base}-{n}"
        self.used.add(name)
        return name


def output_stem(input_name: str) -> str:
    """``data/a.txt`` -> ``a``; ``feed.jsonl:7`` -> ``feed-7``; ``<stdin>`` -> ``stdin``."""
    if input_name.startswith("<"):
        return input_name.strip("<>") or "article"
    path_part, _, record = (
        input_name.rpartition(":") if ":" in Path(input_name).name else (input_name, "", "")
    )
    name = Path(path_part).name
    for suffix in (".html.gz", ".htm.gz", ".jsonl.gz", ".txt.gz"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
            break
    else:
        name = Path(name).stem
    stem = f"{name}-{record}" if record else name
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in stem)


def _json(article: Article, indent: int | None = None) -> str:
    return json.dumps(article.to_dict(), ensure_ascii=False, indent=indent)


class Progress:
    """A progress bar on standard error: redrawn on a terminal, a line every 10% otherwise."""

    def __init__(self, total: int, enabled: bool, stream: TextIO | None = None) -> None:
        self.total = max(total, 1)
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.done = 0
        self.started = time.perf_counter()
        self.last_tenth = -1

    def step(self) -> None:
        self.done += 1
        if not self.enabled:
            return
        rate = self.done / max(time.perf_counter() - self.started, 1e-9)
        if self.tty:
            filled = int(30 * min(self.done, self.total) / self.total)
            bar = "#" * filled + "." * (30 - filled)
            self.stream.write(f"\r[{bar}] {self.done}/{self.total} articles  {rate:.1f}/s")
        else:
            tenth = 10 * self.done // self.total
            if tenth != self.last_tenth:
                self.last_tenth = tenth
                self.stream.write(f"progress: {self.done}/{self.total} articles ({rate:.1f}/s)\n")
        self.stream.flush()

    def echo(self, message: str) -> None:
        if self.enabled and self.tty:
            self.stream.write("\r\033[K")
        self.stream.write(message + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.tty:
            self.stream.write("\n")
            self.stream.flush()


@cli.command()
@click.option(
    "--format", "fmt", type=click.Choice(["json", "jsonl", "text"]), default="text", show_default=True
)
@click.option("--db", help="Keep the demo corpus in this SQLite file (default: a temporary one).")
def demo(fmt: str, db: str | None) -> None:
    """Analyse the sample articles bundled with newsgraph and print the report, then add them
    to a SQLite corpus and show what the corpus queries return."""
    samples = resources.files("newsgraph").joinpath("samples")
    ng = facade(None, None)
    writer = Writer(fmt, None, many=True)
    manifest = json.loads(samples.joinpath("samples.json").read_text("utf-8"))
    for entry in manifest:
        text = samples.joinpath(entry["file"]).read_text("utf-8")
        try:
            article = ng.analyze_text(
                text,
                input=entry["file"],
                title=entry.get("title"),
                published=entry.get("published"),
                outlet=entry.get("outlet"),
            )
        except NewsgraphError as err:
            raise click.ClickException(str(err)) from err
        writer.write(article)
    writer.close()
    from .corpus import demo_corpus

    demo_corpus(ng, db)
