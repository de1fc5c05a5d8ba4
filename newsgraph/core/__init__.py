"""The facade: build the pipeline from settings once, then analyse texts, files and streams.

>>> from newsgraph.core import Newsgraph
>>> ng = Newsgraph()
>>> article = ng.analyze_text("Officials said on Monday that talks would resume.", published="2024-12-12")
>>> article.to_dict()["schema_version"]
'1.0.0'
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from ..errors import BadInput, ConfigError
from ..ingest import Limits, count_inputs, iter_inputs, normalise_date, text_article
from ..model import Article, Metadata, Problem
from ..pipeline import Pipeline, StageSpec
from ..settings import Settings
from ..stages import FACTORIES

__all__ = ["Newsgraph", "Result", "count_inputs"]

Result = Article | Problem


class Newsgraph:
    """One configured pipeline. Building it loads the models; reuse it across articles."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        config: str | Path | None = None,
        profile: str | None = None,
        stages: list[str] | None = None,
    ) -> None:
        """``config``: a user settings file; ``profile``: ``"default"`` (most accurate) or
        ``"fast"`` (for bulk runs), or one the settings define; ``stages``: run only these."""
        if settings is not None and profile not in (None, settings.profile):
            raise ConfigError(
                "E105", path="Newsgraph(settings, profile)", detail="pass the profile to Settings.load"
            )
        self.settings = settings or Settings.load(config, profile=profile)
        names = stages if stages is not None else self.settings.stage_names
        specs = []
        for name in names:
            factory, options = self.settings.stage_options(name)
            specs.append(StageSpec(name, factory, options))
        self.pipeline = Pipeline.from_specs(specs, FACTORIES)
        ingest = self.settings.section("ingest")
        self.limits = Limits(
            max_chars=int(ingest.get("max_chars", Limits.max_chars)),
            min_chars=int(ingest.get("min_chars", Limits.min_chars)),
        )

    def analyze_text(
        self,
        text: str,
        *,
        input: str = "<text>",
        title: str | None = None,
        published: str | None = None,
        outlet: str | None = None,
        url: str | None = None,
        author: str | None = None,
    ) -> Article:
        """Analyse one text. Raises ``BadInput`` (with a code) when it cannot be analysed."""
        article = text_article(input, text, self.limits)
        article.metadata = Metadata(
            title=title,
            published=normalise_date(published) or published,
            outlet=outlet,
            url=url,
            author=author,
        )
        return self.analyze_article(article)

    def analyze_article(self, article: Article) -> Article:
        """Run the pipeline on one prepared article; raises ``BadInput`` for bad input."""
        result = self.pipeline(article)
        if isinstance(result, Problem):
            raise BadInput("E010", detail=result.message)
        return result

    def analyze_many(self, items: Iterable[Result], *, processes: int = 1) -> Iterator[Result]:
        """Analyse a stream lazily and in order; problems pass through, one never stops the rest.

        With ``processes > 1`` the articles are shared out, in chunks, among worker
        processes forked from this one (so the loaded models are shared copy-on-write);
        results still come back in input order, without their spaCy ``doc``.
        """
        if processes <= 1:
            return self.pipeline.pipe(items)
        return self._parallel(items, processes)

    def _parallel(self, items: Iterable[Result], processes: int) -> Iterator[Result]:
        global _WORKER
        os.environ["OPENBLAS_NUM_THREADS"] = "1"
        _WORKER = self
        context = multiprocessing.get_context("fork")
        chunk = max(1, int(self.settings.stage_options("parse")[1].get("batch_size", 32)) // 4)
        stream = iter(items)
        chunks = iter(lambda: list(islice(stream, chunk)), [])
        with context.Pool(processes) as pool:
            for results in pool.imap(_run_chunk, chunks):
                yield from results

    def analyze_paths(
        self,
        paths: Iterable[str],
        *,
        overrides: Metadata | None = None,
        on_input: Callable[[Result], Any] | None = None,
        processes: int = 1,
    ) -> Iterator[Result]:
        """Read and analyse files, directories, JSON Lines and ``-`` (standard input)."""
        inputs = iter_inputs(paths, overrides=overrides, limits=self.limits)
        if on_input is not None:
            inputs = _tap(inputs, on_input)
        return self.analyze_many(inputs, processes=processes)


#: The facade a forked worker uses (set in the parent just before the fork).
_WORKER: Newsgraph | None = None


def _run_chunk(items: list[Result]) -> list[Result]:
    if _WORKER is None:
        raise RuntimeError("newsgraph worker process started without a pipeline")
    results = list(_WORKER.pipeline.pipe(items))
    for result in results:
        if isinstance(result, Article):
            result.doc = None  # spaCy objects stay in the worker
    return results


def _tap(items: Iterator[Result], callback: Callable[[Result], Any]) -> Iterator[Result]:
    for item in items:
        callback(item)
        yield item
