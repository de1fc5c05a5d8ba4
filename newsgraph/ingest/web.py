"""Fetching pages over HTTP(S) with httpx: timeouts, retries with back-off, a user agent,
a concurrency limit and a size limit; any scheme but http and https is refused (``E011``).

A fetcher built with ``FetchOptions(public_only=True)`` (the server's, for URLs anyone may
send) also refuses every host that resolves to a loopback, private, link-local, shared,
multicast or reserved address, at each hop of a redirect, and connects to the very address
it checked (no second lookup that a rebinding DNS server could answer differently).
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
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
    #: Refuse hosts that resolve to anything but public (global unicast) addresses.
    public_only: bool = False
    #: Hosts (as written in URLs) exempt from ``public_only``: a test server on 127.0.0.1,
    #: or an internal host an operator deliberately trusts.
    allow_hosts: frozenset[str] = field(default_factory=frozenset)


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
        if self.options.public_only:
            transport = PublicOnly(transport or httpx.HTTPTransport(), allow=self.options.allow_hosts)
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
            except _Refused as refused:
                raise BadInput("E011", url=refused.url, detail=refused.detail) from None
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


Resolver = Callable[[str, int], list[str]]


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (IPv4 and IPv6), as strings."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as err:
        raise httpx.ConnectError(f"cannot resolve {host}: {err}") from err
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def not_public(address: str) -> str | None:
    """Why ``address`` is not a public unicast address, or None when it is one."""
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for kind in ("loopback", "link_local", "unspecified", "multicast", "reserved", "private"):
        if getattr(ip, f"is_{kind}"):
            return f"a {kind.replace('_', '-')} address"
    if not ip.is_global:
        return "not a public address"
    return None


class PublicOnly(httpx.BaseTransport):
    """A transport that connects to public addresses only (see the module docstring).

    Each request (so each redirect hop) has its host resolved by ``resolver``; when any of
    the addresses is not public the request is refused, else it goes to the first address
    with the original ``Host`` header and TLS server name.
    """

    def __init__(
        self, inner: httpx.BaseTransport, *, allow: Iterable[str] = (), resolver: Resolver | None = None
    ) -> None:
        self.inner = inner
        self.allow = frozenset(h.lower() for h in allow)
        self.resolver = resolver or resolve

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        host = url.host.lower()
        if url.scheme not in ("http", "https"):
            raise _Refused(str(url), "only http and https URLs are fetched")
        if host in self.allow:
            return self.inner.handle_request(request)
        addresses = self.resolver(host, url.port or (443 if url.scheme == "https" else 80))
        if not addresses:
            raise httpx.ConnectError(f"{host} has no address")
        for address in addresses:
            why = not_public(address)
            if why is not None:
                said = (
                    f"{host} is {why}"
                    if address == host.strip("[]")
                    else f"{host} resolves to {address}, {why}"
                )
                raise _Refused(str(url), f"{said}; only public addresses are fetched")
        request.url = url.copy_with(host=addresses[0])
        if url.scheme == "https":
            request.extensions = {**request.extensions, "sni_hostname": url.host}
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


class _Refused(httpx.TransportError):
    """A request the public-only guard will not send: ``E011``, never retried."""

    def __init__(self, url: str, detail: str) -> None:
        super().__init__(f"{url}: {detail}")
        self.url = url
        self.detail = detail


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
