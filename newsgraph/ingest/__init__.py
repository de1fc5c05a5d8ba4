"""Ingest: turn files, standard input and JSON Lines records into ``Article`` records.

Plain text is decoded (encoding detected, not assumed) and kept exactly, so
offsets match the file character for character. HTML goes through trafilatura
for the article text and its metadata. Every unusable input becomes a coded
``Problem`` naming the input, and the other inputs go on.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from ..errors import BadInput
from ..model import Article, Metadata, Problem
from .decoding import control_ratio, decode, decode_with_warnings
from .language import declared_language, detect_language

TEXT_SUFFIXES = (".txt", ".text", ".md")
HTML_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson")
PARQUET_SUFFIXES = (".parquet",)
SUPPORTED = TEXT_SUFFIXES + HTML_SUFFIXES + JSONL_SUFFIXES + PARQUET_SUFFIXES + (".txt.gz",)
METADATA_KEYS = tuple(f.name for f in fields(Metadata))
#: An HTML page whose extracted text has fewer words than this has no article (navigation only).
MIN_HTML_WORDS = 5
#: lxml gives up on trees deeper than 255 elements; a deeper page is flattened and read again.
MAX_HTML_DEPTH = 200
#: Bytes read at a time while skipping the rest of an over-long JSON Lines record.
_SKIP_BYTES = 1 << 20
_GZIP_ERRORS = (gzip.BadGzipFile, EOFError, zlib.error)

__all__ = [
    "Limits",
    "count_inputs",
    "decode",
    "decode_with_warnings",
    "detect_language",
    "directory_files",
    "html_article",
    "iter_inputs",
    "jsonl_articles",
    "jsonl_stream",
    "looks_like_html",
    "normalise_date",
    "record_article",
    "text_article",
]


class Lines(Protocol):
    """A binary stream read line by line (a file, a gzip file, ``BytesIO``)."""

    def readline(self, size: int | None = -1, /) -> bytes: ...


@dataclass
class Limits:
    """Size limits from the ``[ingest]`` settings."""

    max_chars: int = 2_000_000
    min_chars: int = 1

    @property
    def max_bytes(self) -> int:
        """Bytes read for one input (or one JSON Lines record) before it is over the limit."""
        return self.max_chars * 4 + 1024


def iter_inputs(
    paths: Iterable[str],
    *,
    overrides: Metadata | None = None,
    limits: Limits | None = None,
    stdin: BinaryIO | None = None,
) -> Iterator[Article | Problem]:
    """Articles (or problems) for each path; a directory yields its supported files, sorted."""
    limits = limits or Limits()
    for raw in paths:
        if raw == "-":
            stream = stdin if stdin is not None else sys.stdin.buffer
            yield _guard("<stdin>", lambda s=stream: _stdin_article(s, limits), overrides)
            continue
        path = Path(raw)
        if path.is_dir():
            found = directory_files(raw)
            if isinstance(found, Problem):
                yield found
                continue
            for child in found:
                yield from _one_path(child, overrides, limits)
        else:
            yield from _one_path(path, overrides, limits)


def directory_files(raw: str) -> list[Path] | Problem:
    """The supported files under a directory, sorted: the order ``iter_inputs`` reads them in."""
    try:
        found = sorted(p for p in Path(raw).rglob("*") if p.is_file() and _suffix(p) in SUPPORTED)
    except OSError as err:
        return Problem(raw, "E010", f"{raw}: {BadInput('E010', detail=err.strerror or err)}")
    if not found:
        return Problem(raw, "E001", f"[E001] Directory {raw} holds no supported input files")
    return found


def _stdin_article(stream: BinaryIO, limits: Limits) -> Article:
    data = stream.read(limits.max_bytes + 1)
    if len(data) > limits.max_bytes:
        raise BadInput("E006", size=f"more than {limits.max_bytes // 4}", limit=limits.max_chars)
    # Markup piped in is a page, not text to analyse character by character.
    if looks_like_html(data):
        return html_article("<stdin>", data, limits)
    return text_article("<stdin>", data, limits)


def _one_path(path: Path, overrides: Metadata | None, limits: Limits) -> Iterator[Article | Problem]:
    name = str(path)
    if not path.exists():
        yield Problem(name, "E001", str(BadInput("E001", path=name)))
        return
    suffix = _suffix(path)
    if suffix in JSONL_SUFFIXES:
        opener = gzip.open if path.name.lower().endswith(".gz") else open
        try:
            with opener(path, "rb") as handle:
                for item in jsonl_stream(name, handle, limits):
                    yield _apply(item, overrides)
        except OSError as err:
            yield Problem(name, "E010", f"{name}: {BadInput('E010', detail=err.strerror or err)}")
        return
    if suffix in PARQUET_SUFFIXES:
        from .parquet import parquet_articles

        for item in parquet_articles(name, limits):
            yield _apply(item, overrides)
        return
    if suffix in HTML_SUFFIXES:
        yield _guard(name, lambda: html_article(name, _read_bytes(path, limits), limits), overrides)
    else:
        yield _guard(name, lambda: text_article(name, _read_bytes(path, limits), limits), overrides)


def _guard(name: str, make: Any, overrides: Metadata | None) -> Article | Problem:
    try:
        article: Article = make()
    except BadInput as err:
        return Problem(name, err.code, f"{name}: {err}")
    except OSError as err:
        return Problem(name, "E010", f"{name}: {BadInput('E010', detail=err.strerror or err)}")
    except RecursionError:
        return Problem(name, "E005", f"{name}: {BadInput('E005')} (nested too deeply)")
    return _apply(article, overrides)


def _apply(item: Article | Problem, overrides: Metadata | None) -> Article | Problem:
    if isinstance(item, Article) and overrides is not None:
        for key in METADATA_KEYS:
            value = getattr(overrides, key)
            if value is not None:
                setattr(item.metadata, key, value)
    return item


def _suffix(path: Path) -> str:
    name = path.name.lower()
    for suffix in sorted(SUPPORTED, key=len, reverse=True):
        if name.endswith(suffix):
            return suffix
    return path.suffix.lower()


def _read_bytes(path: Path, limits: Limits) -> bytes:
    # A byte budget well above the character limit stops a huge file before decoding it.
    budget = limits.max_bytes
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rb") as handle:
            data: bytes = handle.read(budget + 1)
    except _GZIP_ERRORS as err:
        raise BadInput("E004", detail=f"not a valid gzip file ({err})") from err
    if len(data) > budget:
        raise BadInput("E006", size=f"more than {budget // 4}", limit=limits.max_chars)
    return data


def _check_text(text: str, limits: Limits) -> str:
    if len(text.strip()) < limits.min_chars:
        raise BadInput("E002")
    if len(text) > limits.max_chars:
        raise BadInput("E006", size=len(text), limit=limits.max_chars)
    if "\x00" in text:
        raise BadInput("E003", detail=f"it contains NUL characters (first at character {text.index(chr(0))})")
    ratio = control_ratio(text)
    if ratio > 0.05:
        raise BadInput("E003", detail=f"{ratio:.0%} control characters")
    return text


_SURROGATE = re.compile("[\ud800-\udfff]")


def without_surrogates(text: str) -> str:
    """``text`` with each lone surrogate (from a JSON escape) as U+FFFD: same length, encodable."""
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def text_article(name: str, data: bytes | str, limits: Limits | None = None) -> Article:
    """An article from plain text, kept exactly as decoded, with its language when it is clear."""
    text, warnings = (data, []) if isinstance(data, str) else decode_with_warnings(data)
    if _SURROGATE.search(text):
        text = without_surrogates(text)
        warnings.append("lone UTF-16 surrogates replaced by U+FFFD")
    article = Article(text=_check_text(text, limits or Limits()), input=name, warnings=warnings)
    article.metadata.language = detect_language(text)
    return article


_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html\b|\?xml)", re.IGNORECASE | re.DOTALL)
_HTML_TAGS = re.compile(rb"<(html|head|body|article|p|div)\b[^>]*>", re.IGNORECASE)


def looks_like_html(data: bytes | str) -> bool:
    """True for a web page (starts with a doctype or ``<html>``, or with a tag and has body tags)."""
    head = data[:4096]
    raw = head.encode("utf-8", "replace") if isinstance(head, str) else head
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    if _HTML_START.match(raw):
        return True
    return raw.lstrip().startswith(b"<") and len(_HTML_TAGS.findall(raw)) >= 2


# Bare text right before a paragraph or heading (a headline without its own element) would be
# glued by the extractor to the paragraph's first words: give it a paragraph of its own.
_BARE_TEXT = re.compile(r">(\s*[^\s<>][^<>]*)(?=<(?:p|h[1-6]|ul|ol|table|blockquote|figure)\b)", re.I)
_WRAPPERS = re.compile(r"</?(?:div|span|section|font|center)\b[^>]*>", re.IGNORECASE)
_OPEN_TAG = re.compile(r"<(/?)([A-Za-z][\w:-]*)[^>]*?(/?)>")
_VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    ]
)


def html_article(
    name: str, data: bytes | str, limits: Limits | None = None, url: str | None = None
) -> Article:
    """An article from an HTML page: text and metadata through trafilatura."""
    limits = limits or Limits()
    html, warnings = (data, []) if isinstance(data, str) else decode_with_warnings(data)
    html = _BARE_TEXT.sub(r"><p>\1</p>", html)
    doc = _extract(html, url)
    text = getattr(doc, "text", None) if doc is not None else None
    if (not text or len(text.split()) < MIN_HTML_WORDS) and _depth(html) > MAX_HTML_DEPTH:
        # The parser stops at a fixed depth; without the layout wrappers the text is in reach.
        doc = _extract(_WRAPPERS.sub("", html), url)
        text = getattr(doc, "text", None) if doc is not None else None
    if not text or len(text.split()) < MIN_HTML_WORDS:
        raise BadInput("E005")
    meta = Metadata(
        title=getattr(doc, "title", None),
        published=normalise_date(getattr(doc, "date", None)),
        outlet=getattr(doc, "sitename", None),
        url=getattr(doc, "url", None) or url,
        author=getattr(doc, "author", None),
        language=detect_language(text) or declared_language(html) or getattr(doc, "language", None),
    )
    if _SURROGATE.search(text):
        text = without_surrogates(text)
        warnings.append("lone UTF-16 surrogates replaced by U+FFFD")
    return Article(text=_check_text(text, limits), input=name, metadata=meta, warnings=warnings)


def _extract(html: str, url: str | None) -> Any:
    import trafilatura

    return trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=False
    )


def _depth(html: str) -> int:
    """The deepest element nesting of the page (a rough count: void elements are skipped)."""
    depth = deepest = 0
    for match in _OPEN_TAG.finditer(html):
        closing, tag, self_closing = match.groups()
        if self_closing or tag.lower() in _VOID:
            continue
        depth = max(0, depth - 1) if closing else depth + 1
        deepest = max(deepest, depth)
        if deepest > MAX_HTML_DEPTH:
            break
    return deepest


def jsonl_articles(name: str, data: bytes, limits: Limits | None = None) -> Iterator[Article | Problem]:
    """One article per JSON Lines record with ``text`` or ``html`` (plus optional metadata)."""
    import io

    yield from jsonl_stream(name, io.BytesIO(data), limits)


def jsonl_stream(
    name: str, handle: Lines, limits: Limits | None = None, *, first_line: int = 1
) -> Iterator[Article | Problem]:
    """Records of a JSON Lines stream, read line by line: the size limit is per record.

    A record over the limit, or one that is not valid, is a problem of its own
    (``NAME:LINE``); a stream that breaks off (a truncated gzip file) keeps the records
    before the break and adds one problem naming the line where it broke. ``first_line``:
    the number of the stream's first line in its file (a stream that starts part-way).
    """
    limits = limits or Limits()
    budget = limits.max_bytes
    number = first_line - 1
    while True:
        number += 1
        where = f"{name}:{number}"
        try:
            line = handle.readline(budget + 1)
            if not line:
                return
            if len(line) > budget and not line.endswith(b"\n"):
                _skip_line(handle)
                over = BadInput("E006", size=f"more than {budget // 4}", limit=limits.max_chars)
                yield Problem(where, "E006", f"{where}: {over}")
                continue
        except _GZIP_ERRORS as err:
            detail = f"the stream breaks off at line {number} ({err})"
            yield Problem(where, "E004", f"{where}: {BadInput('E004', detail=detail)}")
            return
        except OSError as err:
            yield Problem(where, "E010", f"{where}: {BadInput('E010', detail=err.strerror or err)}")
            return
        if not line.strip():
            continue
        yield _record(where, line, limits)


def _skip_line(handle: Lines) -> None:
    while True:
        chunk = handle.readline(_SKIP_BYTES)
        if not chunk or chunk.endswith(b"\n"):
            return


def _record(where: str, line: bytes, limits: Limits) -> Article | Problem:
    try:
        text, warnings = decode_with_warnings(line.rstrip(b"\r\n"))
        article = record_article(where, json.loads(text), limits)
    except json.JSONDecodeError as err:
        detail = f"{err.msg.removesuffix(' at')} at column {err.colno}"
        return Problem(where, "E007", f"{where}: {BadInput('E007', detail=detail)}")
    except RecursionError:
        return Problem(where, "E007", f"{where}: {BadInput('E007', detail='nested too deeply')}")
    except ValueError as err:  # e.g. an integer of more than 4,300 digits
        return Problem(where, "E007", f"{where}: {BadInput('E007', detail=str(err))}")
    except BadInput as err:
        return Problem(where, err.code, f"{where}: {err}")
    article.warnings[:0] = warnings
    return article


_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")
_RECORD_STRINGS = ("text", "html", "url", "title", "published", "outlet", "author", "language")


def record_article(where: str, record: Any, limits: Limits | None = None) -> Article:
    """An article from one decoded JSON record (a numeric ``id`` is taken as its digits)."""
    if not isinstance(record, dict):
        raise BadInput("E007", detail=f"expected an object, got {type(record).__name__}")
    for key in _RECORD_STRINGS:
        if key in record and record[key] is not None and not isinstance(record[key], str):
            raise BadInput("E007", detail=f"field {key!r} must be a string")
        if isinstance(record.get(key), str):
            record[key] = without_surrogates(record[key])
    if record.get("language") and not _LANGUAGE_TAG.fullmatch(record["language"]):
        raise BadInput(
            "E007", detail=f"field 'language' is not a language code such as 'en': {record['language']!r}"
        )
    record_id = record.get("id")
    if isinstance(record_id, bool) or not isinstance(record_id, str | int | None):
        raise BadInput("E007", detail="field 'id' must be a string or an integer")
    if isinstance(record.get("text"), str) and record["text"].strip():
        article = text_article(where, record["text"], limits)
    elif isinstance(record.get("html"), str) and record["html"].strip():
        article = html_article(where, record["html"], limits, url=record.get("url"))
    else:
        raise BadInput("E007", detail="needs a non-empty 'text' or 'html' field")
    if record_id is not None and str(record_id).strip():
        article.input = f"{where.rsplit(':', 1)[0]}:{without_surrogates(str(record_id))}"
    given = {k: record.get(k) for k in ("url", "title", "outlet", "author", "language") if record.get(k)}
    if record.get("published"):
        given["published"] = normalise_date(record["published"]) or record["published"]
    article.metadata = replace(article.metadata, **given)
    return article


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def normalise_date(value: str | None) -> str | None:
    """An ISO 8601 calendar date or date-time string for ``value``, or None if it is not one.

    Only the extended calendar form (``2024-12-12``, ``2024-12-12T10:00:00Z``) is a date
    here; Python also reads week dates (``2024-W50``) and basic forms, which a feed's
    ``published`` field never means.
    """
    if not value:
        return None
    text = value.strip()
    if not _ISO_DATE.match(text):
        return None
    if len(text) == 10:
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            return None
    if text[10] not in "T ":
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).isoformat()
    except ValueError:
        return None


def count_inputs(paths: Iterable[str]) -> int:
    """How many articles ``iter_inputs`` will yield, for a progress bar (JSON Lines: one per line)."""
    count = 0
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            count += sum(1 for p in path.rglob("*") if p.is_file() and _suffix(p) in SUPPORTED)
        elif path.is_file() and _suffix(path) in JSONL_SUFFIXES:
            count += max(1, _count_lines(path))
        elif path.is_file() and _suffix(path) in PARQUET_SUFFIXES:
            from .parquet import parquet_rows

            count += max(1, parquet_rows(path))
        else:
            count += 1
    return count


def _count_lines(path: Path) -> int:
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rb") as handle:
            return sum(1 for line in handle if line.strip())
    except (OSError, EOFError):
        return 1
