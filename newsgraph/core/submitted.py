"""Articles sent over the network (the server's ``/api/analyze`` and ``/api/articles``): plain
text, an HTML page, or a URL fetched from public addresses only.

>>> from newsgraph.core.submitted import prepare
>>> prepare(text="Officials said on Monday that talks would resume.", title="Talks").metadata.title
'Talks'
"""

from __future__ import annotations

from collections.abc import Iterable

from ..errors import BadInput
from ..ingest import Limits, html_article, looks_like_html, normalise_date, text_article
from ..ingest.web import Fetcher, FetchOptions, check_url
from ..model import Article, Metadata
from ..settings import Settings

__all__ = ["FetchOptions", "Fetcher", "prepare", "public_fetcher"]


def public_fetcher(
    *, max_bytes: int, timeout: float = 15.0, allow_hosts: Iterable[str] = (), retries: int = 0
) -> Fetcher:
    """A fetcher for URLs anyone may send: http(s) only, public addresses only (at every
    redirect), at most ``max_bytes``; ``allow_hosts`` are exempt from the address check."""
    return Fetcher(
        FetchOptions(
            timeout=timeout,
            retries=retries,
            max_bytes=max_bytes,
            concurrency=2,
            public_only=True,
            allow_hosts=frozenset(allow_hosts),
        )
    )


def prepare(
    *,
    text: str | None = None,
    html: str | None = None,
    url: str | None = None,
    title: str | None = None,
    published: str | None = None,
    outlet: str | None = None,
    author: str | None = None,
    settings: Settings | None = None,
    fetcher: Fetcher | None = None,
) -> Article:
    """The article to analyse from exactly one of ``text``, ``html`` or ``url``.

    ``text`` that looks like a web page is read as HTML, like ``newsgraph analyze`` does. A
    ``url`` with ``text`` or ``html`` names where that content came from (nothing is
    fetched); a ``url`` alone is fetched with ``fetcher``. Metadata given here wins over
    what the page says; ``settings`` give the size limits (``[ingest]``). Raises
    ``BadInput`` with the code of what was wrong.
    """
    ingest = settings.section("ingest") if settings is not None else {}
    limits = Limits(
        max_chars=int(ingest.get("max_chars", Limits.max_chars)),
        min_chars=int(ingest.get("min_chars", Limits.min_chars)),
    )
    if text is not None and html is not None:
        raise BadInput("E401", detail="send one of text or html, not both")
    if url is not None:
        url = check_url(url)
    if html is not None or (text is not None and looks_like_html(text)):
        article = html_article(url or "<html>", html if html is not None else text or "", limits, url=url)
    elif text is not None:
        article = text_article(url or "<text>", text, limits)
    elif url is not None:
        if fetcher is None:
            raise BadInput("E011", url=url, detail="this server does not fetch URLs")
        page = fetcher.fetch(url)
        if page.content_type.startswith("text/plain"):
            article = text_article(url, page.body, limits)
            article.metadata.url = page.url
        else:
            article = html_article(url, page.body, limits, url=page.url)
    else:
        raise BadInput("E401", detail="send one of text, html or url")
    given = Metadata(
        title=title, published=normalise_date(published) or published, outlet=outlet, url=url, author=author
    )
    for name in ("title", "published", "outlet", "url", "author"):
        value = getattr(given, name)
        if value:
            setattr(article.metadata, name, value)
    return article
