"""The corpus facade: add articles to a store once, then query every fact across all of them.

>>> from newsgraph.core.corpus import Corpus
>>> corpus = Corpus(db="sqlite://")  # an in-memory store; a path or postgresql://... for real use
>>> corpus.stats()["articles"]
0

``add`` reads its sources in this process, skips articles already stored (same URL or
same normalised text), analyses the rest in ``jobs`` worker processes (each with one
loaded pipeline, forked from this one) and writes them from this process alone, in
batched transactions: an article and its facts are committed together or not at all,
so a run killed at any moment and started again ends with the same store.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

from .. import __version__
from ..corpus import claim_store
from ..errors import BadInput
from ..ingest import Limits
from ..ingest.sources import Fetcher, Known, iter_sources
from ..ingest.web import FetchOptions
from ..model import Article, Metadata, Problem
from ..settings import Settings
from ..store import Store, article_key, exporting, listing, queries
from . import Newsgraph, Result, available_cpus
from .linking import link_stored
from .workers import Workers

__all__ = ["AddSummary", "Corpus", "FetchOptions", "Fetcher"]


@dataclass
class AddSummary:
    """What one ``add`` run did."""

    added: int = 0
    reprocessed: int = 0
    present: int = 0
    failed: int = 0
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "reprocessed": self.reprocessed,
            "present": self.present,
            "failed": self.failed,
            "seconds": round(self.seconds, 3),
        }


class Corpus:
    """A store of analysed articles with the queries over it (the same names as the CLI)."""

    def __init__(
        self,
        db: str | None = None,
        *,
        newsgraph: Newsgraph | None = None,
        config: str | Path | None = None,
        profile: str | None = None,
        stages: list[str] | None = None,
        create: bool = True,
    ) -> None:
        self.store = Store.open(db, create=create)
        self._newsgraph = newsgraph
        self._settings = newsgraph.settings if newsgraph is not None else None
        self._config = config
        self._profile = profile
        self._stages = newsgraph.pipeline.names if newsgraph is not None else stages

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = Settings.load(self._config, profile=self._profile)
        return self._settings

    @property
    def newsgraph(self) -> Newsgraph:
        """The pipeline, loaded when there is something to analyse (queries never load it)."""
        if self._newsgraph is None:
            self._newsgraph = Newsgraph(self.settings, stages=self._stages)
        return self._newsgraph

    @property
    def pipeline_version(self) -> str:
        """The package version plus a digest of the settings and stages the pipeline runs."""
        stages = self._stages if self._stages is not None else self.settings.stage_names
        basis = json.dumps({"settings": self.settings.data, "stages": stages}, sort_keys=True, default=str)
        return f"{__version__}+{hashlib.sha256(basis.encode()).hexdigest()[:10]}"

    def _limits(self) -> Limits:
        ingest = self.settings.section("ingest")
        return Limits(
            max_chars=int(ingest.get("max_chars", Limits.max_chars)),
            min_chars=int(ingest.get("min_chars", Limits.min_chars)),
        )

    def close(self) -> None:
        self.store.close()

    # -- adding -----------------------------------------------------------------------------

    def add(
        self,
        sources: Iterable[str | Article],
        *,
        jobs: int = 1,
        reprocess: bool = False,
        overrides: Metadata | None = None,
        batch_size: int = 25,
        on_result: Callable[[str, Result], Any] | None = None,
        fetcher: Fetcher | None = None,
    ) -> AddSummary:
        """Read, analyse and store every article of ``sources`` not already stored.

        A source is a path, URL or feed (see ``iter_sources``), or an ``Article`` prepared
        but not analysed yet (text and metadata, as ``core.submitted.prepare`` makes one).

        ``reprocess``: articles stored by an older pipeline version are analysed again;
        with no sources, every such article in the store is. ``on_result(status, item)``
        is called per input with status ``added``, ``reprocessed``, ``present`` or ``failed``.
        """
        started = time.perf_counter()
        summary = AddSummary()
        version = self.pipeline_version
        sources = list(sources)
        if sources:
            prepared: list[Result | Known] = [s for s in sources if isinstance(s, Article)]
            items: Iterable[Result | Known] = chain(
                prepared,
                iter_sources(
                    [s for s in sources if isinstance(s, str)],
                    overrides=overrides,
                    limits=self._limits(),
                    fetcher=fetcher,
                    known=None if reprocess else self._has_url,
                ),
            )
        elif reprocess:
            items = self._stored_older(version)
        else:
            items = []
        targets: dict[int, tuple[str, str, bool]] = {}  # id(article) -> (article id, hash, replacing)

        def pending() -> Iterator[Result]:
            seen: set[str] = set()
            for item in items:
                if isinstance(item, Known):
                    summary.present += 1
                    if on_result is not None:
                        on_result("present", Problem(item.input, "", "already in the store"))
                    continue
                if isinstance(item, Problem):
                    yield item
                    continue
                if "\x00" in item.text:
                    yield Problem(item.input, "E203", str(BadInput("E203", input=item.input)))
                    continue
                article_id, digest = article_key(item)
                url = (item.metadata.url or "").strip() or None
                with self.store.read() as conn:
                    found = self.store.find(conn, url, digest)
                replacing = False
                if found is not None:
                    if not (reprocess and found.pipeline_version != version):
                        summary.present += 1
                        if on_result is not None:
                            on_result("present", item)
                        continue
                    article_id, replacing = found.id, True
                if article_id in seen or digest in seen or (url is not None and url in seen):
                    summary.present += 1
                    if on_result is not None:
                        on_result("present", item)
                    continue
                seen.update(x for x in (article_id, digest, url) if x is not None)
                targets[_key(item)] = (article_id, digest, replacing)
                yield item

        batch: list[tuple[Result, tuple[str, str, bool] | None]] = []
        last_commit = time.monotonic()
        # The model is loaded only once something needs analysing: a repeated run is quick.
        stream = pending()
        first = next(stream, None)
        results = () if first is None else self._analysed(chain([first], stream), jobs)
        for result in results:
            target = targets.pop(_key(result), None) if isinstance(result, Article) else None
            batch.append((result, target))
            if len(batch) >= batch_size or time.monotonic() - last_commit > 5.0:
                self._commit(batch, version, summary, on_result)
                batch, last_commit = [], time.monotonic()
        self._commit(batch, version, summary, on_result)
        summary.seconds = time.perf_counter() - started
        return summary

    def _analysed(self, items: Iterable[Result], jobs: int) -> Iterator[Result]:
        """The analysed ``items``, from ``jobs`` analysis processes, in input order.

        With one job and a second CPU, the one analysis process is a forked worker too, so
        that this process writes one batch while the next is analysed: the writer's time
        overlaps the analysis instead of adding to it (``analyze`` runs in-process).
        """
        if jobs == 1 and available_cpus() >= 2 and hasattr(os, "fork"):
            return Workers(self.newsgraph, 1).run(items)
        return self.newsgraph.analyze_many(items, processes=jobs)

    def _commit(
        self,
        batch: list[tuple[Result, tuple[str, str, bool] | None]],
        version: str,
        summary: AddSummary,
        on_result: Callable[[str, Result], Any] | None,
    ) -> None:
        if not batch:
            return
        statuses: list[tuple[str, Result]] = []
        with self.store.begin() as conn:
            for result, target in batch:
                if isinstance(result, Problem) or target is None:
                    problem = (
                        result
                        if isinstance(result, Problem)
                        else Problem(result.input, "E010", "analysed article lost its key")
                    )
                    self.store.record_problem(conn, problem, version)
                    statuses.append(("failed", problem))
                    continue
                article_id, digest, replacing = target
                if replacing or self.store.has_article(conn, article_id):
                    # (A new article has no claim rows: they commit with the article row.)
                    claim_store.delete_article(conn, article_id)
                self.store.write_article(conn, article_id, digest, result, version)
                self._link(conn, article_id, result)
                claim_store.add_article(conn, article_id, result)
                statuses.append(("reprocessed" if replacing else "added", result))
        for status, item in statuses:
            if status == "failed" and isinstance(item, Problem):
                summary.failed += 1
                summary.problems.append(item)
            elif status == "reprocessed":
                summary.reprocessed += 1
            else:
                summary.added += 1
            if on_result is not None:
                on_result(status, item)

    def _has_url(self, url: str) -> bool:
        from ..store import tables

        a = tables.articles
        with self.store.read() as conn:
            return (
                conn.execute(a.select().with_only_columns(a.c.id).where(a.c.url == url)).first() is not None
            )

    def _link(self, conn: Any, article_id: str, article: Article) -> None:
        """Cross-article entity linking, in the writer's transaction (LINKING-CONTRACT.md)."""
        link_stored(self.store, conn, article_id, article)

    def _stored_older(self, version: str) -> Iterator[Result]:
        """Stored articles of another pipeline version, as fresh inputs (text and metadata)."""
        from ..store import tables

        with self.store.read() as conn:
            ids = self.store.article_ids(conn, tables.articles.c.pipeline_version != version)
        for start in range(0, len(ids), 100):
            with self.store.read() as conn:
                stored = self.store.read_articles(conn, ids[start : start + 100])
            for article in stored:
                yield Article(text=article.text, input=article.input, metadata=article.metadata)

    # -- reading ----------------------------------------------------------------------------

    def article(self, article_id: str) -> Article | None:
        """One stored article, exactly as analysed."""
        with self.store.read() as conn:
            return self.store.read_article(conn, article_id)

    def locate(self, article: Article) -> str | None:
        """The id of the stored article with this one's URL or text, or None."""
        _, digest = article_key(article)
        with self.store.read() as conn:
            found = self.store.find(conn, (article.metadata.url or "").strip() or None, digest)
        return str(found.id) if found is not None else None

    def articles(self, **filters: Any) -> list[dict[str, Any]]:
        """Stored articles' metadata: ``since``, ``until``, ``outlet``, ``sort`` (``-added``,
        ``added``, ``-published``, ``published``), ``limit``, ``offset``."""
        with self.store.read() as conn:
            return listing.articles(conn, **filters)

    def places(self, **filters: Any) -> list[dict[str, Any]]:
        """Places across articles with mention and article counts: ``name``, ``country``,
        ``sort`` (``-articles``, ``name``), ``limit``, ``offset``."""
        with self.store.read() as conn:
            return listing.places(conn, **filters)

    def quotes(self, **filters: Any) -> list[dict[str, Any]]:
        """Attributions: ``speaker``, ``about``, ``source_type``, ``hedged``, ``since``, ``until``,
        ``outlet``, ``limit``, ``offset``."""
        with self.store.read() as conn:
            return queries.quotes(conn, **filters)

    def entities(self, **filters: Any) -> list[dict[str, Any]]:
        """Entities across articles by number of articles: ``type``, ``limit``, ``offset``."""
        with self.store.read() as conn:
            return queries.entities(conn, **filters)

    def entity(self, name: str, *, why: bool = False) -> list[dict[str, Any]]:
        """Everything known about the entities called ``name`` (by name or alias)."""
        with self.store.read() as conn:
            return queries.entity(conn, name, why=why)

    def events(self, **filters: Any) -> list[dict[str, Any]]:
        """Events: ``category``, ``actor``, ``place``, ``since``, ``until``, ``limit``, ``offset``."""
        with self.store.read() as conn:
            return queries.events(conn, **filters)

    def search(self, text: str, **options: Any) -> list[dict[str, Any]]:
        """Articles and attributions holding every word of ``text``, best first."""
        with self.store.read() as conn:
            return queries.search_records(conn, text, **options)

    def stats(self) -> dict[str, Any]:
        """Counts of articles, attributions, entities, events, problems and more."""
        with self.store.read() as conn:
            return queries.stats(conn)

    def problems(self, **options: Any) -> list[dict[str, Any]]:
        """Inputs that could not be added, with their code and reason."""
        with self.store.read() as conn:
            return queries.problems(conn, **options)

    def claims(self, **filters: Any) -> list[dict[str, Any]]:
        """Claim groups across articles, most independent origins first: ``about``, ``entity``,
        ``since``, ``until``, ``min_origins``, ``min_articles`` (default 2), ``contested``,
        ``limit``, ``offset``. Each group: ``id``, ``claims``, ``articles``, ``origins``,
        ``origin_ids``, ``contradictions``."""
        with self.store.read() as conn:
            return [g.to_dict() for g in claim_store.groups(conn, **filters)]

    def claim(self, group_id: str) -> dict[str, Any] | None:
        """One claim group with every claim, its source, hedge, origin and relation; None
        for an id that never named a group. The id of a merged group gives the group holding
        its claims now; an id whose claims were all deleted since (their articles removed or
        re-analysed) raises ``StoreError`` ``E206`` saying what happened."""
        with self.store.read() as conn:
            found = claim_store.group(conn, group_id)
            return found.to_dict() if found is not None else None

    def export(self, fmt: str, out: Any, **filters: Any) -> int:
        """Write articles (``jsonl``), flat tables (``csv``, ``parquet``) or PLOVER events.

        ``out`` is a text stream for ``jsonl``/``plover``, a directory for ``csv``/``parquet``.
        Returns the number of articles exported.
        """
        return exporting.export(self.store, fmt, out, **filters)


def _key(item: Result) -> int:
    """An article's identity while it travels to a worker and back (its input name + text)."""
    return hash((item.input, item.text)) if isinstance(item, Article) else hash(item.input)
