"""``newsgraph add`` sources: everything ``analyze`` reads, plus URLs, RSS/Atom feeds and WARC files.

A source that is an http(s) URL is fetched: a feed yields the pages it links to, a page
is read as HTML. A local ``.rss``/``.atom``/``.xml`` file is a feed whose pages are
fetched. ``.warc``/``.warc.gz`` files yield their HTML responses. Anything else goes to
``iter_inputs``. A page whose URL ``known(url)`` says is stored already is not fetched:
it comes out as ``Known``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import BadInput
from ..model import Article, Metadata, Problem
from . import Limits, _apply, html_article, iter_inputs
from .feeds import FEED_SUFFIXES, Feed, looks_like_feed, parse_feed
from .warc import is_warc, warc_articles
from .web import Fetcher, check_url

__all__ = ["Fetcher", "Known", "iter_sources"]


@dataclass
class Known:
    """A page not fetched because the store already holds its URL."""

    input: str


Item = Article | Problem | Known


def is_url(source: str) -> bool:
    return "://" in source and not Path(source).exists()


def iter_sources(
    sources: Iterable[str],
    *,
    overrides: Metadata | None = None,
    limits: Limits | None = None,
    fetcher: Fetcher | None = None,
    known: Callable[[str], bool] | None = None,
) -> Iterator[Item]:
    """Articles, problems and known pages from each source, in order."""
    limits = limits or Limits()
    own = fetcher is None
    client: Fetcher | None = fetcher

    def get() -> Fetcher:
        nonlocal client
        if client is None:
            client = Fetcher()
        return client

    try:
        for source in sources:
            if is_url(source):
                yield from _url_source(source, get, limits, overrides, known)
            elif is_warc(source):
                for item in warc_articles(source, limits):
                    yield _apply(item, overrides)
            elif source.lower().endswith(FEED_SUFFIXES) and Path(source).is_file():
                try:
                    feed = parse_feed(source, Path(source).read_bytes())
                except BadInput as err:
                    yield Problem(source, err.code, f"{source}: {err}")
                    continue
                yield from _feed_pages(feed, get, limits, overrides, known)
            else:
                yield from iter_inputs([source], overrides=overrides, limits=limits)
    finally:
        if own and client is not None:
            client.close()


def _url_source(
    url: str,
    get: Callable[[], Fetcher],
    limits: Limits,
    overrides: Metadata | None,
    known: Callable[[str], bool] | None,
) -> Iterator[Item]:
    try:
        check_url(url)
    except BadInput as err:
        yield Problem(url, err.code, str(err))
        return
    try:
        page = get().fetch(url)
    except BadInput as err:
        yield Problem(url, err.code, str(err))
        return
    if looks_like_feed(page.content_type, page.body):
        try:
            feed = parse_feed(url, page.body)
        except BadInput as err:
            yield Problem(url, err.code, str(err))
            return
        yield from _feed_pages(feed, get, limits, overrides, known)
        return
    if known is not None and known(url):
        yield Known(url)
        return
    yield _page_article(url, page.body, page.url, limits, overrides, None)


def _feed_pages(
    feed: Feed,
    get: Callable[[], Fetcher],
    limits: Limits,
    overrides: Metadata | None,
    known: Callable[[str], bool] | None,
) -> Iterator[Item]:
    wanted = []
    for entry in feed.entries:
        if known is not None and known(entry.link):
            yield Known(entry.link)
        else:
            wanted.append(entry)
    by_link = {e.link: e for e in wanted}
    for link, result in get().fetch_many(e.link for e in wanted):
        if isinstance(result, BadInput):
            yield Problem(link, result.code, str(result))
            continue
        entry = by_link[link]
        feed_meta = Metadata(
            title=entry.title, published=entry.published, author=entry.author, outlet=feed.title
        )
        yield _page_article(link, result.body, link, limits, overrides, feed_meta)


def _page_article(
    name: str, body: bytes, url: str, limits: Limits, overrides: Metadata | None, feed_meta: Metadata | None
) -> Article | Problem:
    try:
        article = html_article(name, body, limits, url=url)
    except BadInput as err:
        return Problem(name, err.code, f"{name}: {err}")
    # The URL that was asked for names the article (a page's canonical link may differ per fetch).
    article.metadata = replace(article.metadata, url=name)
    if feed_meta is not None:
        for key in ("title", "published", "author", "outlet"):
            if getattr(article.metadata, key) is None and getattr(feed_meta, key) is not None:
                setattr(article.metadata, key, getattr(feed_meta, key))
    result: Article | Problem = _apply(article, overrides)
    return result
