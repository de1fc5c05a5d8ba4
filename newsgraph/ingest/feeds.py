"""RSS and Atom feeds (feedparser): each entry's linked page is fetched and read as an article,
with the entry's title, date and author filling what the page does not give."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import BadInput

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json")
FEED_SUFFIXES = (".rss", ".atom", ".xml")


@dataclass
class Entry:
    """One feed entry: the page it links to and what the feed says about it."""

    link: str
    title: str | None
    published: str | None
    author: str | None


@dataclass
class Feed:
    title: str | None
    entries: list[Entry]


def looks_like_feed(content_type: str, body: bytes) -> bool:
    """A feed by its content type, or (served as generic XML or text) by its first element."""
    if content_type in FEED_TYPES:
        return True
    if content_type and "xml" not in content_type and content_type != "text/plain":
        return False
    head = body[:2048].lstrip().lower()
    if head.startswith(b"<?xml"):
        head = head[head.find(b"?>") + 2 :].lstrip()
        while head.startswith(b"<!--"):
            head = head[head.find(b"-->") + 3 :].lstrip()
    return head.startswith((b"<rss", b"<feed", b"<rdf:rdf"))


def parse_feed(source: str, body: bytes) -> Feed:
    """The feed's title and entries that link to a page; ``BadInput`` ``E014`` if it is not a feed."""
    import feedparser

    parsed: Any = feedparser.parse(body)
    if parsed.get("bozo") and not parsed.get("entries"):
        raise BadInput("E014", source=source, detail=str(parsed.get("bozo_exception", "not a feed")))
    if not parsed.get("version") and not parsed.get("entries"):
        raise BadInput("E014", source=source, detail="no RSS or Atom elements found")
    entries = []
    for item in parsed.get("entries", []):
        link = item.get("link")
        if not link:
            continue
        published = item.get("published_parsed") or item.get("updated_parsed")
        entries.append(
            Entry(
                link=link,
                title=item.get("title") or None,
                published=f"{published.tm_year:04d}-{published.tm_mon:02d}-{published.tm_mday:02d}"
                if published
                else None,
                author=item.get("author") or None,
            )
        )
    return Feed(title=parsed.get("feed", {}).get("title") or None, entries=entries)
