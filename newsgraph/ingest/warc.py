"""WARC files (warcio): every successful HTML response record becomes an article named by its URL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import BadInput
from ..model import Article, Problem
from . import Limits, html_article

WARC_SUFFIXES = (".warc", ".warc.gz")


def is_warc(path: str) -> bool:
    return path.lower().endswith(WARC_SUFFIXES)


def warc_articles(
    path: str, limits: Limits | None = None, *, start: int = 0, stop: int | None = None, first: int = 0
) -> Iterator[Article | Problem]:
    """Articles from the HTML responses of a WARC file; a bad record or file is a Problem.

    ``start``/``stop``: read only the records that begin in this byte range (record
    offsets from ``warc_index``); ``first``: how many HTML responses come before ``start``
    (a record without a target URI is named ``PATH#N`` by its place in the whole file).
    """
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    if not Path(path).is_file():
        yield Problem(path, "E001", str(BadInput("E001", path=path)))
        return
    found = first
    try:
        with open(path, "rb") as handle:
            handle.seek(start)
            records = ArchiveIterator(handle)
            for record in records:
                html = _is_html_response(record)
                # warcio knows a record's offset only once its content is read: read it first.
                body = record.content_stream().read() if html else b""
                if stop is not None and records.get_record_offset() >= stop:
                    break
                if not html:
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI") or f"{path}#{found}"
                found += 1
                try:
                    yield html_article(url, body, limits, url=url)
                except BadInput as err:
                    yield Problem(url, err.code, f"{url}: {err}")
    except (ArchiveLoadFailed, OSError, ValueError) as err:
        yield Problem(path, "E015", str(BadInput("E015", source=path, detail=str(err))))
        return
    if found == first and start == 0 and stop is None:
        yield Problem(path, "E015", str(BadInput("E015", source=path, detail="no HTML response records")))


def warc_index(path: str) -> list[tuple[int, bool]]:
    """``(offset, is an HTML response)`` of every record, reading headers only.

    Raises ``OSError``/``ValueError``/warcio's ``ArchiveLoadFailed`` on a damaged file.
    """
    from warcio.archiveiterator import ArchiveIterator

    index = []
    with open(path, "rb") as handle:
        records = ArchiveIterator(handle)
        for record in records:
            index.append((records.get_record_offset(), _is_html_response(record)))
    return index


def _is_html_response(record: Any) -> bool:
    if record.rec_type != "response" or record.http_headers is None:
        return False
    content_type = (record.http_headers.get_header("Content-Type") or "").lower()
    return bool(record.http_headers.get_statuscode() == "200" and "html" in content_type)
