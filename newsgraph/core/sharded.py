"""``add`` with reading and analysis done elsewhere (Ray workers), deciding and writing here.

Two halves, one per side of the cluster:

* ``ShardWorker`` runs in a worker with one loaded pipeline: ``read`` reads a shard of
  the sources (``newsgraph.ingest.shards``) and returns each input's key (id, content
  hash, URL) or its problem; ``analyse`` analyses the inputs the driver asked for.
* ``ShardedAdd`` runs in the driver, beside the store: shard after shard, in input
  order, it decides what to analyse exactly as ``Corpus.add`` does (skip what is stored
  or seen earlier in the run), and writes the results in input order through
  ``Corpus``'s own commit (article, facts, entity linking, claim grouping in one
  transaction per batch). The store ends up as a local ``add`` of the same sources
  leaves it, and a run killed at any moment and started again ends with the same store.

With a PostgreSQL store the worker can write instead (``ShardWorker(db=...)``): it keeps
what it analysed (``keep``) and, when the driver says it is the shard's turn, writes it
through the same ``Corpus`` commit on its own connection (``commit``), skipping an
article an earlier attempt of the same run already stored; the driver only decides and
orders. Turns follow input order, so the store is still the one a local ``add`` leaves.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ..ingest.shards import Inline, Shard, read_shard, split
from ..ingest.sources import Known
from ..model import Article, Metadata, Problem
from ..settings import Settings
from ..store import article_key, tables
from . import Newsgraph, Result
from .corpus import AddSummary, Corpus, Fetcher

__all__ = ["Entry", "Key", "Plan", "Shard", "ShardWorker", "ShardedAdd", "Status", "entries"]


@dataclass(frozen=True)
class Key:
    """What the driver needs to know of an article before it is analysed."""

    input: str
    article_id: str
    digest: str
    url: str | None
    nul: bool


Entry = Key | Problem | Known


def entries(items: list[Article | Problem | Known]) -> list[Entry]:
    """Each read item as the driver sees it: a key, or the problem or known page it is."""
    found: list[Entry] = []
    for item in items:
        if isinstance(item, Article):
            article_id, digest = article_key(item)
            url = (item.metadata.url or "").strip() or None
            found.append(Key(item.input, article_id, digest, url, "\x00" in item.text))
        else:
            found.append(item)
    return found


#: What a worker's commit reports per input: the status ``Corpus.add`` gives it, and the
#: problem, or the article without its analysis (its input and metadata: the rest stays in the worker).
Status = tuple[str, Result]


class ShardWorker:
    """One loaded pipeline reading shards and analysing what the driver asks for.

    ``db`` and ``version`` (the driver's store URL and pipeline version): this worker may
    also write (``keep`` then ``commit``).
    """

    def __init__(
        self,
        settings: Settings,
        stages: list[str] | None,
        overrides: Metadata | None,
        db: str | None = None,
        version: str | None = None,
    ) -> None:
        self.newsgraph = Newsgraph(settings, stages=stages)
        self.overrides = overrides
        self.db = db
        self.version = version
        self._corpus: Corpus | None = None
        self._held: tuple[int, list[Article | Problem | Known]] | None = None
        self._kept: dict[int, dict[int, Result]] = {}
        #: CPU seconds this worker spent in ``commit`` (the part of a run that goes in turn).
        self.commit_cpu = 0.0
        if db is not None:  # opened and warmed up here, not in the first commit (commits go in turn)
            self._corpus = Corpus(db=db, newsgraph=self.newsgraph)
            _warm_up()

    def read(self, task: int, shard: Shard) -> list[Entry]:
        """The shard's entries; its items are kept for the ``analyse`` call that follows."""
        items = self._items(shard)
        self._held = (task, items)
        return entries(items)

    def analyse(self, task: int, shard: Shard, indices: list[int]) -> list[Result]:
        """The results for items ``indices`` of the shard, in that order, without spaCy docs."""
        held, self._held = self._held, None
        items = held[1] if held is not None and held[0] == task else self._items(shard)
        chosen: list[Result] = []
        for index in indices:
            item = items[index]
            if isinstance(item, Known):  # the driver never asks for one; a changed file might
                raise TypeError(f"input {index} of task {task} is not an article")
            chosen.append(item)
        results = list(self.newsgraph.analyze_many(chosen))
        for result in results:
            if isinstance(result, Article):
                result.doc = None  # spaCy objects stay in the worker
        return results

    def keep(self, task: int, shard: Shard, indices: list[int]) -> int:
        """``analyse``, the results kept here for ``commit``; the number of results."""
        results = self.analyse(task, shard, indices)
        self._kept[task] = dict(zip(indices, results, strict=True))
        _embed_claims(results)
        return len(results)

    def drop(self, task: int) -> None:
        """Forget what was kept for ``task`` (the driver gave its commit to another worker)."""
        self._kept.pop(task, None)

    def commit(self, task: int, plan: Plan, given: dict[int, Result], batch_size: int) -> list[Status]:
        """Write the shard's plan (problems and results, in input order) into the store, in
        transactions of ``batch_size`` inputs, with the results kept for ``task`` or ``given``.

        An article already stored under its target id by this pipeline version was written
        by an earlier attempt of this commit (its worker died after committing part of it):
        it is not written again, and is reported as that attempt would have reported it.
        """
        if self.db is None or self.version is None:
            raise RuntimeError("this worker was not given a store to write to")
        started = time.process_time()
        try:
            return self._commit(task, plan, given, batch_size)
        finally:
            self.commit_cpu += time.process_time() - started

    def _commit(self, task: int, plan: Plan, given: dict[int, Result], batch_size: int) -> list[Status]:
        assert self.db is not None and self.version is not None
        if self._corpus is None:
            self._corpus = Corpus(db=self.db, newsgraph=self.newsgraph)
        corpus, version = self._corpus, self.version
        results = {**self._kept.pop(task, {}), **given}
        statuses: list[Status] = []
        summary = AddSummary()

        def report(status: str, item: Result) -> None:
            statuses.append((status, item if isinstance(item, Problem) else _bare(item)))

        steps = list(enumerate(plan.steps))
        for start in range(0, len(steps), batch_size):
            batch: list[tuple[Result, tuple[str, str, bool] | None]] = []
            for index, (problem, target) in steps[start : start + batch_size]:
                if problem is not None:
                    batch.append((problem, None))
                elif target is not None:
                    result = results[index]
                    batch.append((result, target if isinstance(result, Article) else None))
            done = _stored(corpus, [t[0] for _r, t in batch if t is not None], version)
            pending: list[tuple[Result, tuple[str, str, bool] | None]] = []
            for result, target in batch:
                if target is not None and target[0] in done:
                    if pending:
                        corpus._commit(pending, version, summary, report)
                        pending = []
                    report("reprocessed" if target[2] else "added", result)
                else:
                    pending.append((result, target))
            corpus._commit(pending, version, summary, report)
        return statuses

    def close(self) -> None:
        if self._corpus is not None:
            self._corpus.close()
            self._corpus = None

    def _items(self, shard: Shard) -> list[Article | Problem | Known]:
        return list(read_shard(shard, limits=self.newsgraph.limits, overrides=self.overrides))


def _warm_up() -> None:
    """Load what claim grouping loads on first use (the sentence embedder, MinHash), here
    where actors start in parallel rather than in the first commit, which runs in turn."""
    from ..corpus import origins, stance

    stance.embedder()
    origins.fingerprint("The minister said on Monday that the talks would resume.")


def _embed_claims(results: list[Result]) -> None:
    """Embed the articles' claims now, while other actors commit: claim grouping, in this
    actor's turn, finds them in its process's cache (the same vectors, computed earlier)."""
    from ..corpus.claims import ClaimGrouper, MemoryClaimState, article_claims

    texts = [
        claim.text
        for result in results
        if isinstance(result, Article)
        for claim in article_claims("", result)
        if claim.kind == "attribution"
    ]
    ClaimGrouper(MemoryClaimState()).vectors(texts)


def _bare(result: Result) -> Result:
    """An article without its analysis (what a driver needs to report it)."""
    if isinstance(result, Article):
        return Article(text="", input=result.input, metadata=result.metadata)
    return result


def _stored(corpus: Corpus, article_ids: list[str], version: str) -> set[str]:
    """Which of ``article_ids`` the store holds, analysed by pipeline ``version``."""
    if not article_ids:
        return set()
    a = tables.articles
    query = (
        a.select().with_only_columns(a.c.id).where(a.c.id.in_(article_ids), a.c.pipeline_version == version)
    )
    with corpus.store.read() as conn:
        return {row.id for row in conn.execute(query)}


@dataclass
class Plan:
    """The driver's decision for one shard: per entry, a problem to record, nothing (present),
    or the store target of an article to analyse; ``indices``: the entries to analyse."""

    steps: list[tuple[Problem | None, tuple[str, str, bool] | None]]
    indices: list[int]


class ShardedAdd:
    """The driver's half of a sharded ``add``: decide in input order, write in input order."""

    def __init__(
        self,
        corpus: Corpus,
        *,
        reprocess: bool = False,
        batch_size: int = 25,
        on_result: Callable[[str, Result], Any] | None = None,
    ) -> None:
        self.corpus = corpus
        self.reprocess = reprocess
        self.batch_size = batch_size
        self.on_result = on_result
        self.version = corpus.pipeline_version
        self.summary = AddSummary()
        self._started = time.perf_counter()
        self._seen: set[str] = set()
        self._batch: list[tuple[Result, tuple[str, str, bool] | None]] = []
        self._last_commit = time.monotonic()

    @property
    def settings(self) -> Settings:
        return self.corpus.settings

    @property
    def stages(self) -> list[str] | None:
        return self.corpus._stages

    def shards(
        self,
        sources: list[str],
        *,
        records: int = 64,
        overrides: Metadata | None = None,
        fetcher: Fetcher | None = None,
    ) -> Iterator[Shard]:
        """The shards of ``sources`` (with none and ``reprocess``, the stored older articles)."""
        if sources:
            known = None if self.reprocess else self.corpus._has_url
            limits = self.corpus._limits()
            yield from split(
                sources, records=records, limits=limits, overrides=overrides, fetcher=fetcher, known=known
            )
        elif self.reprocess:
            chunk: list[Article | Problem | Known] = []
            for item in self.corpus._stored_older(self.version):
                chunk.append(item)
                if len(chunk) >= records:
                    yield Inline(chunk)
                    chunk = []
            if chunk:
                yield Inline(chunk)

    def decide(self, found: list[Entry]) -> Plan:
        """What to do with each entry of the next shard (``Corpus.add``'s rules, in its order)."""
        plan = Plan([], [])
        for index, entry in enumerate(found):
            if isinstance(entry, Known):
                self._present(Problem(entry.input, "", "already in the store"))
                plan.steps.append((None, None))
                continue
            if isinstance(entry, Problem):
                plan.steps.append((entry, None))
                continue
            if entry.nul:
                from ..errors import BadInput

                problem = Problem(entry.input, "E203", str(BadInput("E203", input=entry.input)))
                plan.steps.append((problem, None))
                continue
            article_id, digest, url = entry.article_id, entry.digest, entry.url
            store = self.corpus.store
            with store.read() as conn:
                stored = store.find(conn, url, digest)
            replacing = False
            if stored is not None:
                if not (self.reprocess and stored.pipeline_version != self.version):
                    self._present(Problem(entry.input, "", "already in the store"))
                    plan.steps.append((None, None))
                    continue
                article_id, replacing = stored.id, True
            if article_id in self._seen or digest in self._seen or (url is not None and url in self._seen):
                self._present(Problem(entry.input, "", "already in the store"))
                plan.steps.append((None, None))
                continue
            self._seen.update(x for x in (article_id, digest, url) if x is not None)
            plan.steps.append((None, (article_id, digest, replacing)))
            plan.indices.append(index)
        return plan

    def write(self, plan: Plan, results: list[Result]) -> None:
        """Store a shard's results (``results[k]`` for ``plan.indices[k]``), in input order."""
        by_index = dict(zip(plan.indices, results, strict=True))
        for index, (problem, target) in enumerate(plan.steps):
            if problem is not None:
                self._batch.append((problem, None))
            elif target is not None:
                result = by_index[index]
                self._batch.append((result, target if isinstance(result, Article) else None))
            if len(self._batch) >= self.batch_size or time.monotonic() - self._last_commit > 5.0:
                self._flush()

    def written(self, statuses: list[Status]) -> None:
        """Count what a worker's ``commit`` wrote, as ``Corpus``'s commit counts its own."""
        for status, item in statuses:
            if status == "failed" and isinstance(item, Problem):
                self.summary.failed += 1
                self.summary.problems.append(item)
            elif status == "reprocessed":
                self.summary.reprocessed += 1
            else:
                self.summary.added += 1
            if self.on_result is not None:
                self.on_result(status, item)

    def finish(self) -> AddSummary:
        """Commit what is left; the run's summary."""
        self._flush()
        self.summary.seconds = time.perf_counter() - self._started
        return self.summary

    def _flush(self) -> None:
        self.corpus._commit(self._batch, self.version, self.summary, self.on_result)
        self._batch, self._last_commit = [], time.monotonic()

    def _present(self, item: Result) -> None:
        self.summary.present += 1
        if self.on_result is not None:
            self.on_result("present", item)
