"""``add`` sources cut into shards by size, each read where it is analysed (a Ray worker).

A JSON Lines file becomes byte ranges that start and end on line boundaries (a gzip
file, which cannot be entered part-way, becomes ranges of lines); a Parquet file, ranges
of rows aligned with its row groups where it can; a WARC file, byte ranges of whole
records; plain text and HTML files, lists of paths. Each shard is about ``records``
articles or ``size`` bytes, whichever comes first, so a big file is shared among workers
and a folder of small files is not one task per file. What cannot be read in
parts (URLs, feeds, standard input) is read here, in the driver, into an ``Inline``
shard. Read in order, the shards of a source yield exactly what ``iter_sources`` yields
for it: the same articles, named the same way, and the same problems. Anything odd
found while cutting (a damaged file) leaves the file whole, so the reader that reads it
whole reports it.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..model import Article, Metadata, Problem
from . import JSONL_SUFFIXES, PARQUET_SUFFIXES, Limits, _apply, _suffix, directory_files, iter_inputs
from .feeds import FEED_SUFFIXES
from .sources import Fetcher, Known, is_url, iter_sources
from .warc import is_warc, warc_articles, warc_index

__all__ = ["Inline", "JsonLines", "ParquetRows", "Paths", "Shard", "WarcRecords", "read_shard", "split"]

Item = Article | Problem | Known
_BLOCK = 1 << 20


@dataclass(frozen=True)
class JsonLines:
    """Lines of a JSON Lines file: bytes ``start``..``stop`` (plain) or ``lines`` lines from
    ``first_line`` (gzip, ``start``/``stop`` unused)."""

    path: str
    first_line: int
    start: int = 0
    stop: int | None = None
    lines: int | None = None


@dataclass(frozen=True)
class ParquetRows:
    path: str
    start: int
    stop: int


@dataclass(frozen=True)
class WarcRecords:
    """Records starting in bytes ``start``..``stop``; ``first``: HTML responses before them."""

    path: str
    start: int
    stop: int | None
    first: int


@dataclass(frozen=True)
class Paths:
    """Files (text, HTML, or anything read whole) read one after the other."""

    paths: tuple[str, ...]


@dataclass(frozen=True)
class Inline:
    """Items read by the driver (pages fetched, feeds, standard input, stored articles)."""

    items: list[Item] = field(default_factory=list)


Shard = JsonLines | ParquetRows | WarcRecords | Paths | Inline


def split(
    sources: Iterable[str],
    *,
    records: int = 64,
    size: int = 8 << 20,
    limits: Limits | None = None,
    overrides: Metadata | None = None,
    fetcher: Fetcher | None = None,
    known: Callable[[str], bool] | None = None,
) -> Iterator[Shard]:
    """The shards of ``sources``, in the order ``iter_sources`` reads them.

    ``limits``, ``overrides``, ``fetcher`` and ``known`` are used for what is read here
    (``Inline`` shards); the readers of the other shards take their own.
    """
    files: list[str] = []  # consecutive small files, gathered into Paths shards
    held = 0

    def flush() -> Iterator[Shard]:
        nonlocal files, held
        if files:
            yield Paths(tuple(files))
        files, held = [], 0

    for source in sources:
        if is_url(source) or source == "-" or _is_feed_file(source):
            yield from flush()
            items = iter_sources([source], overrides=overrides, limits=limits, fetcher=fetcher, known=known)
            yield from _inline(items, records)
            continue
        if is_warc(source):
            yield from flush()
            yield from _warc(source, records, size)
            continue
        path = Path(source)
        children: list[Path] | Problem = directory_files(source) if path.is_dir() else [path]
        if isinstance(children, Problem):
            yield from flush()
            yield Inline([children])
            continue
        for child in children:
            name = str(child)
            kind = _suffix(child)
            if kind in JSONL_SUFFIXES and child.is_file():
                yield from flush()
                yield from _jsonl(name, records, size)
            elif kind in PARQUET_SUFFIXES and child.is_file():
                yield from flush()
                yield from _parquet(name, records)
            else:
                files.append(name)
                held += _size(child)
                if len(files) >= records or held >= size:
                    yield from flush()
    yield from flush()


def read_shard(
    shard: Shard, *, limits: Limits | None = None, overrides: Metadata | None = None
) -> Iterator[Item]:
    """What ``iter_sources`` yields for this part of its sources."""
    limits = limits or Limits()
    if isinstance(shard, Inline):
        yield from shard.items
    elif isinstance(shard, Paths):
        yield from iter_inputs(list(shard.paths), overrides=overrides, limits=limits)
    elif isinstance(shard, WarcRecords):
        for item in warc_articles(shard.path, limits, start=shard.start, stop=shard.stop, first=shard.first):
            yield _apply(item, overrides)
    elif isinstance(shard, ParquetRows):
        from .parquet import parquet_articles

        for item in parquet_articles(shard.path, limits, start=shard.start, stop=shard.stop):
            yield _apply(item, overrides)
    else:
        yield from _read_jsonl(shard, limits, overrides)


# -- cutting ----------------------------------------------------------------------------------


def _is_feed_file(source: str) -> bool:
    return source.lower().endswith(FEED_SUFFIXES) and Path(source).is_file()


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _inline(items: Iterable[Item], records: int) -> Iterator[Shard]:
    chunk: list[Item] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= records:
            yield Inline(chunk)
            chunk = []
    if chunk:
        yield Inline(chunk)


def _jsonl(path: str, records: int, size: int) -> Iterator[Shard]:
    """Byte ranges ending after a newline, each of at most ``records`` lines or about ``size`` bytes."""
    if path.lower().endswith(".gz"):
        yield from _jsonl_gzip(path, records)
        return
    start, line, lines, offset = 0, 1, 0, 0
    try:
        with open(path, "rb") as handle:
            while block := handle.read(_BLOCK):
                at = 0
                while (newline := block.find(b"\n", at)) >= 0:
                    at = newline + 1
                    lines += 1
                    end = offset + at
                    if lines >= records or end - start >= size:
                        yield JsonLines(path, line, start, end)
                        start, line, lines = end, line + lines, 0
                offset += len(block)
    except OSError:
        yield JsonLines(path, line, start, None)
        return
    if offset > start:
        yield JsonLines(path, line, start, None)


def _jsonl_gzip(path: str, records: int) -> Iterator[Shard]:
    try:
        with gzip.open(path, "rb") as handle:
            total = sum(1 for _ in handle)
    except (OSError, EOFError, ValueError):  # damaged: read whole, so the reader reports where
        yield JsonLines(path, 1)
        return
    for first in range(0, max(total, 1), records):
        yield JsonLines(
            path, first + 1, lines=min(records, total - first) if first + records < total else None
        )


def _parquet(path: str, records: int) -> Iterator[Shard]:
    from ..errors import BadInput
    from .parquet import row_groups

    try:
        groups = row_groups(path)
    except BadInput:
        yield Paths((path,))  # the whole-file reader reports what is wrong
        return
    first = 0
    for rows in groups:
        for start in range(0, rows, records):
            yield ParquetRows(path, first + start, first + min(start + records, rows))
        first += rows
    if not groups or first == 0:
        yield Paths((path,))


def _warc(path: str, records: int, size: int) -> Iterator[Shard]:
    try:
        index = warc_index(path)
    except Exception:  # warcio's ArchiveLoadFailed, OSError, a damaged gzip member
        index = []
    if not any(html for _, html in index):  # nothing, or damaged: the whole-file reader says why
        yield WarcRecords(path, 0, None, 0)
        return
    start, first, count = 0, 0, 0
    before = 0  # HTML responses before ``start``
    for offset, html in index:
        if count >= records or (count and offset - start >= size):
            yield WarcRecords(path, start, offset, before)
            start, before, count = offset, first, 0
        if html:
            first += 1
            count += 1
    yield WarcRecords(path, start, None, before)


# -- reading ----------------------------------------------------------------------------------


class _Window:
    """A binary stream cut off after byte ``stop`` or after ``lines`` whole lines."""

    def __init__(self, handle: Any, stop: int | None, lines: int | None, position: int) -> None:
        self.handle = handle
        self.left = None if stop is None else stop - position
        self.lines = lines

    def readline(self, size: int | None = -1, /) -> bytes:
        if self.lines is not None and self.lines <= 0:
            return b""
        limit = -1 if size is None else size
        if self.left is not None:
            if self.left <= 0:
                return b""
            limit = self.left if limit < 0 else min(limit, self.left)
        line: bytes = self.handle.readline(limit)
        if self.left is not None:
            self.left -= len(line)
        if self.lines is not None and line.endswith(b"\n"):
            self.lines -= 1
        return line


def _read_jsonl(shard: JsonLines, limits: Limits, overrides: Metadata | None) -> Iterator[Item]:
    from . import _GZIP_ERRORS, jsonl_stream

    name = shard.path
    opener: Any = gzip.open if name.lower().endswith(".gz") else open
    try:
        with opener(name, "rb") as handle:
            if opener is open:
                handle.seek(shard.start)
            else:
                _skip_lines(handle, shard.first_line - 1)
            window = _Window(handle, shard.stop, shard.lines, shard.start)
            for item in jsonl_stream(name, window, limits, first_line=shard.first_line):
                yield _apply(item, overrides)
    except _GZIP_ERRORS as err:  # broke off while skipping to the shard (the file changed since)
        from ..errors import BadInput

        where = f"{name}:{shard.first_line}"
        detail = f"the stream breaks off before line {shard.first_line} ({err})"
        yield Problem(where, "E004", f"{where}: {BadInput('E004', detail=detail)}")
    except OSError as err:
        from ..errors import BadInput

        yield Problem(name, "E010", f"{name}: {BadInput('E010', detail=err.strerror or err)}")


def _skip_lines(handle: Any, lines: int) -> None:
    for _ in range(lines):
        while True:
            chunk = handle.readline(_BLOCK)
            if not chunk or chunk.endswith(b"\n"):
                break
