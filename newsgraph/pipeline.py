"""The pipeline: stages built from settings, checked once, run over a stream of articles.

A stage is any object with ``name``, ``requires``, ``provides`` and
``__call__(article) -> article``; it may also offer ``pipe(articles)`` to batch.
Stages are made by factories found in a registry under versioned names
(``newsgraph.parse.v1``); only the factory table knows the stage modules.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from .errors import BadInput, ConfigError
from .model import Article, Problem

#: What an article has before any stage ran (filled by ingest).
INGESTED = frozenset({"text", "metadata"})


@runtime_checkable
class Stage(Protocol):
    name: str
    requires: tuple[str, ...]
    provides: tuple[str, ...]

    def __call__(self, article: Article) -> Article: ...


class BaseStage:
    """Convenience base: per-article ``__call__``, and a ``pipe`` that keeps bad input apart."""

    name = "stage"
    requires: tuple[str, ...] = ()
    provides: tuple[str, ...] = ()

    def __call__(self, article: Article) -> Article:  # pragma: no cover - abstract
        raise NotImplementedError

    def pipe(self, articles: Iterable[Article | Problem]) -> Iterator[Article | Problem]:
        for item in articles:
            yield item if isinstance(item, Problem) else run_one(self, item)


def run_one(stage: Stage, article: Article) -> Article | Problem:
    """Run one stage on one article, turning ``BadInput`` into a ``Problem``."""
    try:
        out = stage(article)
    except BadInput as err:
        return Problem(article.input, err.code, f"{article.input}: {err} (in stage {stage.name})")
    if not isinstance(out, Article):
        raise ConfigError("E104", stage=stage.name, type_name=type(out).__name__)
    out.provided.update(stage.provides)
    return out


@dataclass
class StageSpec:
    name: str
    factory: str
    options: dict[str, Any]


Factory = Callable[..., Stage]


def resolve_factory(registry: Mapping[str, str], stage: str, factory: str) -> Factory:
    """Import the factory named ``factory`` (``"module:function"`` in the registry)."""
    target = registry.get(factory)
    if target is None:
        raise ConfigError("E101", factory=factory, stage=stage, known=", ".join(sorted(registry)))
    module_name, _, attr = target.partition(":")
    module = importlib.import_module(module_name)
    made: Factory = getattr(module, attr)
    return made


class Pipeline:
    """An ordered list of stages, validated when built (before any article is read)."""

    def __init__(self, stages: list[Stage]) -> None:
        self.stages = stages
        self._check()

    @classmethod
    def from_specs(cls, specs: list[StageSpec], registry: Mapping[str, str]) -> Pipeline:
        stages: list[Stage] = []
        for spec in specs:
            factory = resolve_factory(registry, spec.name, spec.factory)
            try:
                stage = factory(**spec.options)
            except TypeError as err:
                raise ConfigError("E103", stage=spec.name, detail=str(err)) from err
            stage.name = spec.name
            stages.append(stage)
        return cls(stages)

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.stages]

    def _check(self) -> None:
        have = set(INGESTED)
        for stage in self.stages:
            if not isinstance(stage, Stage):
                raise ConfigError("E103", stage=getattr(stage, "name", stage), detail="not a stage")
            missing = [r for r in stage.requires if r not in have]
            if missing:
                raise ConfigError(
                    "E102", stage=stage.name, missing=", ".join(missing), order=" -> ".join(self.names)
                )
            have.update(stage.provides)

    def __call__(self, article: Article) -> Article | Problem:
        """Analyse one article; a ``Problem`` when its input is bad."""
        return next(iter(self.pipe([article])))

    def pipe(self, articles: Iterable[Article | Problem]) -> Iterator[Article | Problem]:
        """Analyse a stream lazily, in order; problems pass through untouched."""
        stream: Iterable[Article | Problem] = articles
        for stage in self.stages:
            stream = _stage_pipe(stage, stream)
        return iter(stream)


def _stage_pipe(stage: Stage, items: Iterable[Article | Problem]) -> Iterator[Article | Problem]:
    piper = getattr(stage, "pipe", None)
    if piper is not None:
        for out in piper(items):
            if isinstance(out, Article):
                out.provided.update(stage.provides)
            elif not isinstance(out, Problem):
                raise ConfigError("E104", stage=stage.name, type_name=type(out).__name__)
            yield out
        return
    for item in items:
        yield item if isinstance(item, Problem) else run_one(stage, item)
