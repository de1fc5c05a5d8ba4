"""Fetching pages over HTTP(S) with httpx: timeouts, retries with back-off, a user agent,
a concurrency limit and a size limit; any scheme but http and https is refused (``E011``)."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import httpx

from .. import __version__
from ..errors import BadInput

#: Statuses worth another try after a pause.
RETRY_STATUSES = (408, 425, 429, 500, 502, 503, 504)


@dataclass
class FetchOptions:
    """Limits of the fetcher (``newsgraph add --timeout/--retries/--max-bytes/--concurrency``)."""

    timeout: float = 20.0
    retries: int = 2
    backoff: float = 0.5  # seconds before the first retry; doubles each time
    max_backoff: float = 30.0
    max_bytes: int = 10_000_000
    concurrency: int = 4
    user_agent: str = f"newsgraph/{__version__} (news analysis; +https://pypi.org/project/newsgraph/)"


@dataclass
class Page:
    """A fetched response body with where it finally came from."""

    url: str
    status: int
    content_type: str
    body: bytes


def check_url(url: str) -> str:
    """``url`` if it is an absolute http or https URL with a host, else ``BadInput`` ``E011``."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https"):
        raise BadInput("E011", url=url, detail="only http and https URLs are fetched")
    if not parts.hostname:
        raise BadInput("E011", url=url, detail="it has no host")
    return url.strip()


class Fetcher:
    """One HTTP client shared by every fetch of a run (connections are reused)."""

    def __init__(
        self, options: FetchOptions | None = None, transport: httpx.BaseTransport | None = None
    ) -> None:
        self.options = options or FetchOptions()
        self.client = httpx.Client(
            timeout=self.options.timeout,
            follow_redirects=True,
            max_redirects=5,
            headers={"User-Agent": self.options.user_agent},
            transport=transport,
        )

    def close(self) -> None:
        self.client.close()

    def fetch(self, url: str) -> Page:
        """The page at ``url``; raises ``BadInput`` (E011, E012, E013) when it cannot be had."""
        check_url(url)
        tries = self.options.retries + 1
        for attempt in range(tries):
            try:
                return self._once(url)
            except httpx.TransportError as err:
                problem, wait = f"{type(err).__name__}: {err}", None
            except _Retry as retry:
                problem, wait = f"HTTP {retry.status}", retry.after
            if attempt + 1 < tries:
                pause = self.options.backoff * 2**attempt if wait is None else wait
                time.sleep(min(pause, self.options.max_backoff))
        raise BadInput("E012", url=url, detail=f"{problem} (after {tries} tries)")

    def _once(self, url: str) -> Page:
        with self.client.stream("GET", url) as response:
            final = str(response.url)
            if response.status_code in RETRY_STATUSES:
                raise _Retry(response.status_code, _retry_after(response.headers.get("retry-after")))
            if response.status_code >= 400:
                raise BadInput("E012", url=url, detail=f"HTTP {response.status_code}")
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > self.options.max_bytes:
                raise BadInput("E013", url=url, limit=self.options.max_bytes)
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > self.options.max_bytes:
                    raise BadInput("E013", url=url, limit=self.options.max_bytes)
            content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
            return Page(final, response.status_code, content_type, bytes(body))

    def fetch_many(self, urls: Iterable[str]) -> Iterator[tuple[str, Page | BadInput]]:
        """``(url, page or error)`` for each URL, in order, at most ``concurrency`` at a time."""

        def one(url: str) -> Page | BadInput:
            try:
                return self.fetch(url)
            except BadInput as err:
                return err

        urls = list(urls)
        with ThreadPoolExecutor(max_workers=max(1, self.options.concurrency)) as pool:
            yield from zip(urls, pool.map(one, urls), strict=True)


class _Retry(Exception):
    """A response worth another try (a status in ``RETRY_STATUSES``)."""

    def __init__(self, status: int, after: float | None) -> None:
        super().__init__(status)
        self.status = status
        self.after = after


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None
