"""``newsgraph analyze`` and ``newsgraph demo``: analyse articles one by one, no store."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any, TextIO

import click

from ..core import available_cpus, count_inputs
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
    help="Write one NAME.json (NAME.txt with --format text) per input into this directory, or with"
    " --format jsonl one articles.jsonl, instead of standard output; failures go to problems.jsonl.",
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
    help="Worker processes (each analyses a share of the inputs); at most the CPUs available.",
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

    Exits with status 1 when any input could not be analysed (each is named on standard
    error, and the others are written), 130 or 143 when interrupted by SIGINT or SIGTERM.
    """
    stop = Interrupts()
    overrides = Metadata(title=title, published=published, outlet=outlet, url=url)
    total = count_inputs(paths)
    progress = Progress(total, enabled=not quiet and total >= PROGRESS_FROM)
    writer: Writer | None = None
    results: Iterator[Article | Problem] | None = None
    failed = done = 0
    try:
        with stop:
            ng = facade(config, stages, profile)
            usable = available_cpus()
            if processes > usable:
                click.echo(f"note: --processes {processes} lowered to {usable}, the CPUs available", err=True)
                processes = usable
            writer = _writer(fmt, out_dir, many=total > 1)
            results = ng.analyze_paths(list(paths), overrides=overrides, processes=processes)
            for result in _guarded(results):
                with stop.held():
                    problem = result if isinstance(result, Problem) else writer.write(result)
                    if problem is None:
                        done += 1
                    else:
                        failed += 1
                        writer.problem(problem)
                        progress.echo(f"error: {problem.message}")
                    progress.step()
    except Interrupted as signal_:
        stop.signum = signal_.signum
    except BrokenPipeError:
        stop.signum = signal.SIGPIPE
        # Nothing more can reach the reader; the interpreter's last flush must not complain.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    finally:
        with stop.ignored():
            if isinstance(results, Generator):
                results.close()  # stops and reaps the worker processes
            if writer is not None:
                writer.close()
            progress.close()
    if stop.signum:
        name = signal.Signals(stop.signum).name
        if stop.signum != signal.SIGPIPE:
            click.echo(
                f"interrupted by {name} after {done} article(s) ({failed} failed); the rest were not"
                " analysed",
                err=True,
            )
        sys.exit(128 + stop.signum)
    if not quiet and (failed or total > 1):
        where = f" into {out_dir}" if out_dir else ""
        click.echo(f"analysed {done} article(s){where}; {failed} failed", err=True)
    if failed:
        sys.exit(1)


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived: stop reading, finish what is written, exit 128 + signal.

    A ``BaseException`` (like ``KeyboardInterrupt``), so that the runner's per-article
    ``except Exception`` does not take it for a failing article.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class Interrupts:
    """Turns SIGINT and SIGTERM into ``Interrupted``, but never in the middle of a write.

    Inside ``held()`` a signal is only noted, and raised when the write is complete, so
    standard output always ends after a whole document (and ``close`` can end the array).
    """

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self.signum = 0
        self.holding = 0
        self.raising = True
        self.previous: dict[int, Any] = {}

    def __enter__(self) -> Interrupts:
        if threading.current_thread() is threading.main_thread():
            for sig in self.SIGNALS:
                self.previous[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        self.raising = False

    def restore(self) -> None:
        for sig, handler in self.previous.items():
            signal.signal(sig, handler)
        self.previous.clear()

    def _handle(self, signum: int, frame: Any) -> None:
        if self.signum:
            return  # a second signal while stopping: the first one decides
        self.signum = signum
        if self.raising and not self.holding:
            raise Interrupted(signum)

    @contextmanager
    def held(self) -> Iterator[None]:
        self.holding += 1
        try:
            yield
        finally:
            self.holding -= 1
        if self.signum and self.raising and not self.holding:
            raise Interrupted(self.signum)

    @contextmanager
    def ignored(self) -> Iterator[None]:
        """Signals are only noted (the run is already ending); then the old handlers return."""
        self.raising = False
        try:
            yield
        finally:
            self.restore()


def _writer(fmt: str, out_dir: str | None, many: bool) -> Writer:
    try:
        return Writer(fmt, Path(out_dir) if out_dir else None, many=many)
    except OSError as err:
        message = NewsgraphError("E017", path=out_dir, detail=err.strerror or err)
        raise click.ClickException(str(message)) from err


def _guarded(results: Iterator[Article | Problem]) -> Iterator[Article | Problem]:
    try:
        yield from results
    except NewsgraphError as err:
        raise click.ClickException(str(err)) from err


class Writer:
    """Writes analysed articles to standard output or into a directory, and the problems file.

    With a directory, ``problems.jsonl`` is started afresh (empty) and each problem is
    added as it happens, so it is complete even when the run is interrupted.
    """

    def __init__(self, fmt: str, out_dir: Path | None, many: bool, stream: TextIO | None = None) -> None:
        self.fmt = fmt
        self.out_dir = out_dir
        self.many = many
        self.stream = stream or sys.stdout
        self.count = 0
        self.used: set[str] = set()
        self.problems: TextIO | None = None
        self.lines: TextIO | None = None
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
            self.problems = open(out_dir / "problems.jsonl", "w", encoding="utf-8")  # noqa: SIM115
            if fmt == "jsonl":
                self.lines = open(out_dir / "articles.jsonl", "w", encoding="utf-8")  # noqa: SIM115

    def write(self, article: Article) -> Problem | None:
        """Write one article; a ``Problem`` (E017) when its output file cannot be written."""
        from ..report import render_article

        if self.lines is not None:
            self.lines.write(_json(article) + "\n")
            self.lines.flush()
        elif self.out_dir is not None:
            suffix = ".txt" if self.fmt == "text" else ".json"
            path = self.out_dir / (self._name(article.input) + suffix)
            body = render_article(article) if self.fmt == "text" else _json(article, indent=2) + "\n"
            try:
                path.write_text(body, encoding="utf-8")
            except OSError as err:
                message = NewsgraphError("E017", path=path, detail=err.strerror or err)
                return Problem(article.input, "E017", f"{article.input}: {message}")
        elif self.fmt == "text":
            self.stream.write(render_article(article) + "\n")
        elif self.fmt == "jsonl":
            self.stream.write(_json(article) + "\n")
        else:
            head = ("[\n" if self.count == 0 else ",\n") if self.many else ""
            self.stream.write(head + _json(article, indent=2) + ("" if self.many else "\n"))
        self.count += 1
        self.stream.flush()
        return None

    def problem(self, problem: Problem) -> None:
        if self.problems is not None:
            self.problems.write(json.dumps(problem.to_dict()) + "\n")
            self.problems.flush()

    def close(self) -> None:
        for handle in (self.problems, self.lines):
            if handle is not None:
                handle.close()
        if self.out_dir is None and self.fmt == "json" and self.many:
            with contextlib.suppress(BrokenPipeError):
                self.stream.write("\n]\n" if self.count else "[]\n")
                self.stream.flush()

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
    # File names are at most 255 bytes; 120 characters leave room for UTF-8 and a suffix.
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in stem)[:120]


#: Characters that many line readers (Python's ``str.splitlines``, JavaScript) take for a line
#: break: escaped, so that a JSON Lines document is always one line.
_LINE_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def _json(article: Article, indent: int | None = None) -> str:
    text = json.dumps(article.to_dict(), ensure_ascii=False, indent=indent)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (e.g. from a file name): escape it
        text = json.dumps(article.to_dict(), ensure_ascii=True, indent=indent)
    # Inside JSON these characters can only stand in strings, where the escape means the same.
    return text.translate(_LINE_BREAKS)


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
