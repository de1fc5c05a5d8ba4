"""The facade: build the pipeline from settings once, then analyse texts, files and streams.

>>> from newsgraph.core import Newsgraph
>>> ng = Newsgraph()
>>> article = ng.analyze_text("Officials said on Monday that talks would resume.", published="2024-12-12")
>>> article.to_dict()["schema_version"]
'1.0.0'
"""

from __future__ import annotations

import copy
import os
import sys
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
from .workers import Workers as _Workers

__all__ = ["Newsgraph", "Result", "available_cpus", "count_inputs", "normalise_date"]

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
        known = sorted(self.settings.data.get("stages", {}))
        for name in names:
            if name not in known:
                raise ConfigError("E108", stage=name, known=", ".join(known))
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
            language=article.metadata.language,
        )
        return self.analyze_article(article)

    def analyze_article(self, article: Article) -> Article:
        """Run the pipeline on one prepared article; raises ``BadInput`` for bad input."""
        (result,) = self.analyze_chunk([article])
        if isinstance(result, Problem):
            raise BadInput.recorded(result.code, result.message)
        return result

    def analyze_many(self, items: Iterable[Result], *, processes: int = 1) -> Iterator[Result]:
        """Analyse a stream lazily and in order; problems pass through, one never stops the rest.

        An article that makes a stage fail unexpectedly becomes a ``Problem`` (E016) of its
        own: its batch is run again article by article, from copies taken before the run.
        With ``processes > 1`` (capped at the CPUs available) the articles are shared out, in
        chunks, among worker processes forked from this one (so the loaded models are shared
        copy-on-write); results still come back in input order, without their spaCy ``doc``.
        A worker that dies (out of memory, killed) costs only the article it was on.
        """
        processes = min(processes, available_cpus())
        if processes <= 1:
            return self._isolated(items)
        return _Workers(self, processes).run(items)

    def _isolated(self, items: Iterable[Result]) -> Iterator[Result]:
        stream = iter(items)
        while chunk := list(islice(stream, self.batch_size)):
            yield from self.analyze_chunk(chunk)

    def analyze_chunk(self, chunk: list[Result]) -> list[Result]:
        """Analyse a list of inputs; one that fails unexpectedly is a problem, the rest go on."""
        copies = copy.deepcopy(chunk)
        try:
            return list(self.pipeline.pipe(chunk))
        except ConfigError:
            raise
        except Exception:
            if len(chunk) == 1:
                return [_failure(copies[0], sys.exc_info()[1])]
        results: list[Result] = []
        for item in copies:
            try:
                results.extend(self.pipeline.pipe([item]))
            except ConfigError:
                raise
            except Exception as err:
                results.append(_failure(item, err))
        return results

    @property
    def batch_size(self) -> int:
        return max(1, int(self.settings.stage_options("parse")[1].get("batch_size", 32)))

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


def available_cpus() -> int:
    """The CPUs this process may run on (its affinity mask where the system has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _failure(item: Result, err: BaseException | None) -> Result:
    if isinstance(item, Problem):
        return item
    where = _where(err)
    detail = f"{type(err).__name__}: {err}"[:300] + (f" at {where}" if where else "")
    return Problem(item.input, "E016", f"{item.input}: {BadInput('E016', detail=detail)}")


def _where(err: BaseException | None) -> str:
    tb = err.__traceback__ if err is not None else None
    last = None
    while tb is not None:
        last = tb
        tb = tb.tb_next
    if last is None:
        return ""
    code = last.tb_frame.f_code
    return f"{Path(code.co_filename).name}:{last.tb_lineno} in {code.co_name}"


def _tap(items: Iterator[Result], callback: Callable[[Result], Any]) -> Iterator[Result]:
    for item in items:
        callback(item)
        yield item
