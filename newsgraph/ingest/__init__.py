"""Ingest: turn files, standard input and JSON Lines records into ``Article`` records.

Plain text is decoded (encoding detected, not assumed) and kept exactly, so
offsets match the file character for character. HTML goes through trafilatura
for the article text and its metadata. Every unusable input becomes a coded
``Problem`` naming the input, and the other inputs go on.
"""

from __future__ import annotations

import gzip
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO

from ..errors import BadInput
from ..model import Article, Metadata, Problem

TEXT_SUFFIXES = (".txt", ".text", ".md")
HTML_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson")
SUPPORTED = TEXT_SUFFIXES + HTML_SUFFIXES + JSONL_SUFFIXES + (".txt.gz",)
METADATA_KEYS = tuple(f.name for f in fields(Metadata))
_PREFERRED = ("cp1252", "latin_1", "iso8859_15")
#: An HTML page whose extracted text has fewer words than this has no article (navigation only).
MIN_HTML_WORDS = 5


@dataclass
class Limits:
    """Size limits from the ``[ingest]`` settings."""

    max_chars: int = 2_000_000
    min_chars: int = 1


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
            yield _guard("<stdin>", lambda s=stream: [text_article("<stdin>", s.read(), limits)], overrides)
            continue
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and _suffix(p) in SUPPORTED)
            if not found:
                yield Problem(raw, "E001", f"[E001] Directory {raw} holds no supported input files")
            for child in found:
                yield from _one_path(child, overrides, limits)
        else:
            yield from _one_path(path, overrides, limits)


def _one_path(path: Path, overrides: Metadata | None, limits: Limits) -> Iterator[Article | Problem]:
    name = str(path)
    if not path.exists():
        yield Problem(name, "E001", str(BadInput("E001", path=name)))
        return
    suffix = _suffix(path)
    if suffix in JSONL_SUFFIXES:
        try:
            raw = _read_bytes(path, limits)
        except BadInput as err:
            yield Problem(name, err.code, f"{name}: {err}")
            return
        for item in jsonl_articles(name, raw, limits):
            yield _apply(item, overrides)
        return
    if suffix in HTML_SUFFIXES:
        yield _guard(name, lambda: [html_article(name, _read_bytes(path, limits), limits)], overrides)
    else:
        yield _guard(name, lambda: [text_article(name, _read_bytes(path, limits), limits)], overrides)


def _guard(name: str, make: Any, overrides: Metadata | None) -> Article | Problem:
    try:
        article: Article = make()[0]
    except BadInput as err:
        return Problem(name, err.code, f"{name}: {err}")
    except OSError as err:
        return Problem(name, "E010", f"{name}: {BadInput('E010', detail=err.strerror or err)}")
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
    budget = limits.max_chars * 4 + 1024
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rb") as handle:
            data: bytes = handle.read(budget + 1)
    except (gzip.BadGzipFile, EOFError) as err:
        raise BadInput("E004", detail=f"not a valid gzip file ({err})") from err
    if len(data) > budget:
        raise BadInput("E006", size=f"more than {budget // 4}", limit=limits.max_chars)
    return data


def decode(data: bytes) -> str:
    """Decode bytes to text: UTF-8 (with or without BOM) first, else the detected encoding."""
    if not data.strip():
        raise BadInput("E002")
    head = data[:8192]
    if b"\x00" in head and not (head.startswith((b"\xff\xfe", b"\xfe\xff"))):
        raise BadInput("E003", detail="it contains NUL bytes")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        utf8_error = err
    else:
        if not text.strip():
            raise BadInput("E002")
        return text
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data))
    best = matches[0] if matches else None
    # Among equally plausible single-byte readings, the Western default is by far the most
    # common for news text; charset-normalizer's order between ties is arbitrary.
    for match in matches:
        if best is not None and match.encoding in _PREFERRED and match.chaos <= best.chaos:
            best = match
            break
    if best is None:
        raise BadInput(
            "E004",
            detail=f"not UTF-8 ({utf8_error.reason} at byte {utf8_error.start}) and no other encoding fits",
        )
    text = str(best)
    if not text.strip():
        raise BadInput("E002")
    if _control_ratio(text) > 0.05:
        raise BadInput("E003", detail=f"{_control_ratio(text):.0%} control characters as {best.encoding}")
    return text


def _control_ratio(text: str) -> float:
    sample = text[:20000]
    if not sample:
        return 0.0
    bad = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f")
    return bad / len(sample)


def _check_text(text: str, limits: Limits) -> str:
    if len(text.strip()) < limits.min_chars:
        raise BadInput("E002")
    if len(text) > limits.max_chars:
        raise BadInput("E006", size=len(text), limit=limits.max_chars)
    if _control_ratio(text) > 0.05:
        raise BadInput("E003", detail="too many control characters")
    return text


def text_article(name: str, data: bytes | str, limits: Limits | None = None) -> Article:
    """An article from plain text, kept exactly as decoded."""
    text = data if isinstance(data, str) else decode(data)
    return Article(text=_check_text(text, limits or Limits()), input=name)


def html_article(
    name: str, data: bytes | str, limits: Limits | None = None, url: str | None = None
) -> Article:
    """An article from an HTML page: text and metadata through trafilatura."""
    html = data if isinstance(data, str) else decode(data)
    import trafilatura

    doc = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=False
    )
    text = getattr(doc, "text", None) if doc is not None else None
    if not text or len(text.split()) < MIN_HTML_WORDS:
        raise BadInput("E005")
    meta = Metadata(
        title=getattr(doc, "title", None),
        published=normalise_date(getattr(doc, "date", None)),
        outlet=getattr(doc, "sitename", None),
        url=getattr(doc, "url", None) or url,
        author=getattr(doc, "author", None),
        language=getattr(doc, "language", None),
    )
    return Article(text=_check_text(text, limits or Limits()), input=name, metadata=meta)


def jsonl_articles(name: str, data: bytes, limits: Limits | None = None) -> Iterator[Article | Problem]:
    """One article per JSON Lines record with ``text`` or ``html`` (plus optional metadata)."""
    limits = limits or Limits()
    try:
        text = decode(data)
    except BadInput as err:
        yield Problem(name, err.code, f"{name}: {err}")
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{name}:{number}"
        try:
            yield record_article(where, json.loads(line), limits)
        except json.JSONDecodeError as err:
            yield Problem(
                where, "E007", f"{where}: {BadInput('E007', detail=f'{err.msg} at column {err.colno}')}"
            )
        except BadInput as err:
            yield Problem(where, err.code, f"{where}: {err}")


def record_article(where: str, record: Any, limits: Limits | None = None) -> Article:
    """An article from one decoded JSON record."""
    if not isinstance(record, dict):
        raise BadInput("E007", detail=f"expected an object, got {type(record).__name__}")
    for key in ("text", "html", "url", "title", "published", "outlet", "author", "id"):
        if key in record and record[key] is not None and not isinstance(record[key], str):
            raise BadInput("E007", detail=f"field {key!r} must be a string")
    if isinstance(record.get("text"), str) and record["text"].strip():
        article = text_article(where, record["text"], limits)
    elif isinstance(record.get("html"), str) and record["html"].strip():
        article = html_article(where, record["html"], limits, url=record.get("url"))
    else:
        raise BadInput("E007", detail="needs a non-empty 'text' or 'html' field")
    if record.get("id"):
        article.input = f"{where.rsplit(':', 1)[0]}:{record['id']}"
    given = {k: record.get(k) for k in ("url", "title", "outlet", "author") if record.get(k)}
    if record.get("published"):
        given["published"] = normalise_date(record["published"]) or record["published"]
    article.metadata = replace(article.metadata, **given)
    return article


def normalise_date(value: str | None) -> str | None:
    """An ISO 8601 date or date-time string for ``value``, or None if it is not one."""
    if not value:
        return None
    text = value.strip()
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        pass
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
