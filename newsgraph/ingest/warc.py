"""WARC files (warcio): every successful HTML response record becomes an article named by its URL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..errors import BadInput
from ..model import Article, Problem
from . import Limits, html_article

WARC_SUFFIXES = (".warc", ".warc.gz")


def is_warc(path: str) -> bool:
    return path.lower().endswith(WARC_SUFFIXES)


def warc_articles(path: str, limits: Limits | None = None) -> Iterator[Article | Problem]:
    """Articles from the HTML responses of a WARC file; a bad record or file is a Problem."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    if not Path(path).is_file():
        yield Problem(path, "E001", str(BadInput("E001", path=path)))
        return
    found = 0
    try:
        with open(path, "rb") as handle:
            for record in ArchiveIterator(handle):
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                status = record.http_headers.get_statuscode()
                content_type = (record.http_headers.get_header("Content-Type") or "").lower()
                if status != "200" or "html" not in content_type:
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI") or f"{path}#{found}"
                found += 1
                try:
                    body = record.content_stream().read()
                    yield html_article(url, body, limits, url=url)
                except BadInput as err:
                    yield Problem(url, err.code, f"{url}: {err}")
    except (ArchiveLoadFailed, OSError, ValueError) as err:
        yield Problem(path, "E015", str(BadInput("E015", source=path, detail=str(err))))
        return
    if not found:
        yield Problem(path, "E015", str(BadInput("E015", source=path, detail="no HTML response records")))
