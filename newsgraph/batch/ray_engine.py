"""``newsgraph add --engine ray``: reading and analysis on a Ray cluster, writing beside the store.

Ray actors, not Ray Data: each actor loads one pipeline (seconds, several hundred MiB)
and keeps it for the run, and the driver talks to each actor twice per shard: ``read``
returns the keys of the shard's inputs, the driver decides (in input order, against the
store) what is new, then ``analyse`` runs just that on the actor that still holds the
shard's inputs. That conversation, results written in input order, and knowing which
actor holds which inputs when one dies are what ``map_batches`` hides (it retries whole
blocks on its own and hands results back in any order); Ray Data would also add pandas
and pyarrow to the extra for nothing.

When an actor dies (killed, out of memory, its node gone) its task is given to a new
actor: a shard being read is read again; a shard being analysed is analysed again
whole, then input by input, and the one input that kills its actor twice becomes a
problem (E016), as with local workers. Nothing is written twice: only the driver
writes, once per input, through ``Corpus``'s commit.

With a PostgreSQL store the actors may write instead (``writes="workers"``, opt-in: on a
few cores the driver writing is faster, docs/scale.md): an actor keeps what it analysed, and
when the shard's turn comes (input order: the shard before it is committed) the driver asks
that actor to commit it, on the actor's own connection, through the same ``Corpus`` commit.
The store is the same whichever process commits: nothing in the commit depends on the
process (its string hash seed, its caches) or on where transactions end
(``tests/test_linking_order.py``). The driver then only cuts,
decides and orders, and no result travels to it. An actor that dies before its turn
loses only what it kept: the shard is analysed again; one that dies while committing
leaves whole transactions behind, and the next attempt skips the articles they stored.
"""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ..core import Result
from ..core.corpus import AddSummary, Corpus, Fetcher
from ..core.sharded import Entry, Plan, Shard, ShardedAdd, ShardWorker, Status, entries
from ..errors import BadInput, ConfigError
from ..model import Metadata, Problem
from ..settings import Settings

__all__ = ["RAY_EXTRA", "WRITES", "ShardActor", "add", "import_ray"]

RAY_EXTRA = "pip install 'newsgraph[ray]'"
#: Actors that may die before any actor has finished a task (a cluster that cannot run newsgraph).
EARLY_DEATHS = 3
#: Object store of a Ray instance started here (results pass through it; they are small).
LOCAL_OBJECT_STORE = 256 << 20
#: Who writes the store: the driver (the default), or the actors (PostgreSQL only).
WRITES = ("driver", "workers")
#: Actors that may die while committing the same shard before the run stops (E505).
COMMIT_DEATHS = 3


def import_ray() -> Any:
    """The ``ray`` module, or ConfigError E501 naming the extra to install."""
    try:
        import ray
    except ImportError as err:
        raise ConfigError("E501", extra=RAY_EXTRA, detail=str(err)) from err
    return ray


class ShardActor:
    """A Ray actor: one ``ShardWorker`` (one loaded pipeline) for the whole run."""

    def __init__(
        self,
        settings: Settings,
        stages: list[str] | None,
        overrides: Metadata | None,
        db: str | None = None,
        version: str | None = None,
    ) -> None:
        self.worker = ShardWorker(settings, stages, overrides, db, version)

    def read(self, task: int, shard: Shard) -> list[Entry]:
        return self.worker.read(task, shard)

    def analyse(self, task: int, shard: Shard, indices: list[int]) -> list[Result]:
        return self.worker.analyse(task, shard, indices)

    def keep(self, task: int, shard: Shard, indices: list[int]) -> int:
        return self.worker.keep(task, shard, indices)

    def drop(self, task: int) -> None:
        self.worker.drop(task)

    def commit(self, task: int, plan: Plan, given: dict[int, Result], batch_size: int) -> list[Status]:
        return self.worker.commit(task, plan, given, batch_size)

    def pid(self) -> int:
        return os.getpid()

    def commit_cpu(self) -> float:
        """CPU seconds spent committing so far (benchmarks/ray_add.py)."""
        return self.worker.commit_cpu


def add(
    corpus: Corpus,
    sources: Iterable[str],
    *,
    address: str | None = None,
    actors: int | None = None,
    reprocess: bool = False,
    overrides: Metadata | None = None,
    batch_size: int = 25,
    shard_size: int = 64,
    on_result: Callable[[str, Result], Any] | None = None,
    fetcher: Fetcher | None = None,
    writes: str = "driver",
) -> AddSummary:
    """``Corpus.add`` with the sources read and analysed by Ray actors (one per CPU by default).

    ``address``: a running cluster (``ray start --head`` prints it; ``auto`` finds the local
    one); without it, one already initialised in this process is used, else a local Ray
    instance is started for the run. ``shard_size``: inputs per task. ``writes``: who
    writes the store, ``"driver"`` (this process) or ``"workers"`` (the actors, each on
    its own connection: PostgreSQL only, E504 otherwise); default: the driver (on a few
    cores the faster of the two; both leave a local ``add``'s store, docs/scale.md).
    """
    dialect = corpus.store.dialect
    if writes not in WRITES or (writes == "workers" and dialect != "postgresql"):
        raise ConfigError("E504", writes=writes, dialect=dialect)
    ray = import_ray()
    started = not ray.is_initialized()
    if started:
        options: dict[str, Any] = {
            "include_dashboard": False,
            "log_to_driver": False,
            "logging_level": logging.WARNING,
        }
        if address is None and not os.environ.get("RAY_ADDRESS"):  # a new instance, started here
            options["object_store_memory"] = LOCAL_OBJECT_STORE
        try:
            ray.init(address=address, **options)
        except (ConnectionError, RuntimeError, ValueError) as err:
            raise ConfigError("E502", address=address or "a local instance", detail=str(err)) from err
    driver = ShardedAdd(corpus, reprocess=reprocess, batch_size=batch_size, on_result=on_result)
    size = actors or max(1, int(ray.cluster_resources().get("CPU", 1)))
    db = corpus.store.engine.url.render_as_string(hide_password=False) if writes == "workers" else None
    run = _Run(ray, driver, size, overrides, db)
    try:
        return run.run(driver.shards(list(sources), records=shard_size, overrides=overrides, fetcher=fetcher))
    finally:
        run.stop()
        if started:
            ray.shutdown()


@dataclass(eq=False)
class _Actor:
    handle: Any
    #: The actor's process id (an ObjectRef, asked for before any task): which process is which.
    pid: Any = None
    #: Shards whose results it keeps for its commit (workers write): it takes no other work.
    keeps: set[int] = field(default_factory=set)


@dataclass(eq=False)
class _Task:
    number: int  # the shard's place in the input
    phase: str  # "read", "analyse" or "commit"
    indices: list[int] = field(default_factory=list)
    attempt: int = 1
    whole: bool = True  # all of the shard's chosen inputs, not one of them alone


@dataclass(eq=False)
class _Shard:
    shard: Shard
    found: list[Entry] | None = None
    plan: Plan | None = None
    results: dict[int, Result] = field(default_factory=dict)
    holder: _Actor | None = None  # the actor that read it and may still hold its inputs
    keeper: _Actor | None = None  # the actor that keeps the results of ``kept`` (workers write)
    kept: set[int] = field(default_factory=set)
    commit_deaths: int = 0

    @property
    def done(self) -> bool:
        return self.plan is not None and set(self.results) | self.kept == set(self.plan.indices)


class _Run:
    """The driver's loop: shards out to actors, keys and results back, decided and written in order."""

    def __init__(
        self, ray: Any, driver: ShardedAdd, size: int, overrides: Metadata | None, db: str | None = None
    ) -> None:
        self.ray = ray
        self.driver = driver
        self.size = size
        # BLAS reads its thread count when numpy loads, which a Ray worker process does
        # before it builds the actor: the variable must be in the process's environment.
        single_blas = {"env_vars": {"OPENBLAS_NUM_THREADS": "1"}}
        self.remote = ray.remote(num_cpus=1, max_restarts=0, max_task_retries=0, runtime_env=single_blas)(
            ShardActor
        )
        #: With a store URL, the actors write (``keep``, then ``commit`` in input order).
        self.db = db
        version = driver.version if db is not None else None
        self.arguments = (driver.settings, driver.stages, overrides, db, version)
        self.alive: list[_Actor] = []
        self.idle: list[_Actor] = []
        self.inflight: dict[Any, tuple[_Actor, _Task]] = {}
        self.queue: deque[_Task] = deque()
        self.shards: dict[int, _Shard] = {}
        self.decided = self.written = self.taken = 0
        self.committing = False
        self.early_deaths = 0
        self.finished_any = False

    def run(self, shards: Iterable[Shard]) -> AddSummary:
        stream = iter(shards)
        exhausted = False
        window = 2 * self.size + 2  # shards read ahead of the oldest one not yet written
        while True:
            self._decide()
            self._write()
            while not exhausted and self.taken - self.written < window and self._room() > 0:
                shard = next(stream, None)
                if shard is None:
                    exhausted = True
                    break
                self._take(shard)
                self._decide()
                self._write()
            self._dispatch()
            if not self.inflight:
                if exhausted and not self.queue and self.written == self.taken:
                    return self.driver.finish()
                if self.queue and not self._evict():  # no actor could be had: a bug
                    raise RuntimeError("tasks are waiting but no Ray actor can take them")
                continue
            ready, _ = self.ray.wait(list(self.inflight), num_returns=1)
            for ref in ready:
                self._collect(ref)

    def stop(self) -> None:
        for actor in self.alive:
            self.ray.kill(actor.handle)
        self.alive, self.idle, self.inflight = [], [], {}

    # -- the shards' progress -------------------------------------------------------------------

    def _take(self, shard: Shard) -> None:
        number = self.taken
        self.taken += 1
        self.shards[number] = state = _Shard(shard)
        items = getattr(shard, "items", None)
        if items is not None:  # read in the driver already (pages, feeds, stored articles)
            state.found = entries(items)
        else:
            self.queue.append(_Task(number, "read"))

    def _decide(self) -> None:
        while (state := self.shards.get(self.decided)) is not None and state.found is not None:
            state.plan = self.driver.decide(state.found)
            if state.plan.indices:
                self.queue.append(_Task(self.decided, "analyse", list(state.plan.indices)))
            self.decided += 1

    def _write(self) -> None:
        if self.db is not None:
            self._commit_next()
            return
        while (state := self.shards.get(self.written)) is not None and state.done:
            assert state.plan is not None
            self.driver.write(state.plan, [state.results[i] for i in state.plan.indices])
            del self.shards[self.written]
            self.written += 1

    def _commit_next(self) -> None:
        """Workers write: the next shard in input order, once analysed, is committed by the
        actor that keeps its results (else by any actor not busy), one commit at a time."""
        while not self.committing and (state := self.shards.get(self.written)) is not None and state.done:
            assert state.plan is not None
            if all(problem is None and target is None for problem, target in state.plan.steps):
                del self.shards[self.written]  # nothing to write: every input was present
                self.written += 1
                continue
            busy = {id(actor) for actor, _task in self.inflight.values()}
            if state.keeper is not None:
                actor = state.keeper
            elif self.idle:
                actor = self.idle.pop(0)
            elif len(self.alive) < self.size:
                actor = self._new_actor()
            else:  # a keeper waiting for its own turn has nothing in flight
                waiting = [a for a in self.alive if id(a) not in busy]
                if not waiting:
                    return  # every actor is busy: the next result frees one
                actor = waiting[0]
            if actor in self.idle:
                self.idle.remove(actor)
            ref = actor.handle.commit.remote(self.written, state.plan, state.results, self.driver.batch_size)
            self.inflight[ref] = (actor, _Task(self.written, "commit"))
            self.committing = True

    def _evict(self) -> bool:
        """Free the actor keeping the latest shard (its results are dropped, the shard analysed
        again) when every actor keeps a shard and a task waits. Not expected to happen: an
        earlier shard's task is always sent before a later one is kept."""
        keepers = [actor for actor in self.alive if actor.keeps]
        if not keepers:
            return False
        actor = max(keepers, key=lambda a: max(a.keeps))
        for number in sorted(actor.keeps):
            state = self.shards[number]
            state.keeper, lost, state.kept = None, sorted(state.kept), set()
            self.queue.append(_Task(number, "analyse", lost))
            actor.handle.drop.remote(number)
        actor.keeps.clear()
        self.idle.append(actor)
        return True

    def _room(self) -> int:
        """Actors that could start a new task now, beyond those the queue already claims."""
        return len(self.idle) + (self.size - len(self.alive)) - len(self.queue)

    def _new_actor(self) -> _Actor:
        handle = self.remote.remote(*self.arguments)
        actor = _Actor(handle, handle.pid.remote())
        self.alive.append(actor)
        return actor

    def _dispatch(self) -> None:
        while self.queue and (self.idle or len(self.alive) < self.size):
            task = self.queue.popleft()
            state = self.shards[task.number]
            holder = state.holder if task.phase == "analyse" and task.whole else None
            if holder is not None and holder in self.idle:
                actor = holder
                self.idle.remove(actor)
            elif self.idle:
                actor = self.idle.pop(0)
            else:
                actor = self._new_actor()
            if task.phase == "read":
                ref = actor.handle.read.remote(task.number, state.shard)
            elif self.db is not None and task.whole:
                ref = actor.handle.keep.remote(task.number, state.shard, task.indices)
            else:
                ref = actor.handle.analyse.remote(task.number, state.shard, task.indices)
            self.inflight[ref] = (actor, task)

    def _collect(self, ref: Any) -> None:
        actor, task = self.inflight.pop(ref)
        try:
            value = self.ray.get(ref)
        except self.ray.exceptions.RayActorError as err:
            self._died(actor, task, err)
            return
        except self.ray.exceptions.RayTaskError as err:  # the worker raised: a bug or a bad setting
            raise err.as_instanceof_cause() from None
        self.finished_any = True
        state = self.shards[task.number]
        if task.phase == "read":
            state.found, state.holder = value, actor
        elif task.phase == "commit":
            self.committing = False
            self.driver.written(value)
            if state.keeper is not None:
                state.keeper.keeps.discard(task.number)
            del self.shards[task.number]
            self.written += 1
        elif self.db is not None and task.whole:  # kept by the actor until its commit
            state.keeper = actor
            state.kept = set(task.indices)
            actor.keeps.add(task.number)
        else:
            state.results.update(zip(task.indices, value, strict=True))
        if not actor.keeps and actor not in self.idle:
            self.idle.append(actor)

    def _died(self, actor: _Actor, task: _Task, err: Exception) -> None:
        # Unreachable may not mean dead: make sure, so that its CPU goes to its successor.
        self.ray.kill(actor.handle)
        if actor in self.alive:
            self.alive.remove(actor)
        if actor in self.idle:
            self.idle.remove(actor)
        for number, state in self.shards.items():
            if state.holder is actor:
                state.holder = None
            if state.keeper is actor and number != task.number:  # what it kept is lost: analyse again
                state.keeper, lost, state.kept = None, sorted(state.kept), set()
                self.queue.appendleft(_Task(number, "analyse", lost))
        if not self.finished_any:
            self.early_deaths += 1
            if self.early_deaths >= EARLY_DEATHS:
                raise ConfigError("E503", count=self.early_deaths, detail=_first_line(err))
        state = self.shards[task.number]
        if task.phase == "commit":
            # Whole transactions may have committed; the next attempt skips their articles.
            self.committing = False
            state.commit_deaths += 1
            if state.commit_deaths >= COMMIT_DEATHS:
                name = _shard_name(state.shard)
                raise ConfigError("E505", count=state.commit_deaths, shard=name, detail=_first_line(err))
            if state.keeper is actor:
                state.keeper, lost, state.kept = None, sorted(state.kept), set()
                self.queue.appendleft(_Task(task.number, "analyse", lost))
            return
        if task.phase == "read":
            if task.attempt < 2:
                self.queue.appendleft(_Task(task.number, "read", attempt=task.attempt + 1))
                return
            name = _shard_name(state.shard)
            detail = "the Ray worker reading it died twice"
            state.found = [Problem(name, "E016", f"{name}: {BadInput('E016', detail=detail)}")]
            return
        if task.whole and task.attempt < 2:
            self.queue.appendleft(_Task(task.number, "analyse", task.indices, attempt=2))
        elif len(task.indices) > 1:
            self.queue.extendleft(
                _Task(task.number, "analyse", [i], whole=False) for i in reversed(task.indices)
            )
        elif task.attempt < 2:
            self.queue.appendleft(_Task(task.number, "analyse", task.indices, attempt=2, whole=False))
        else:
            (index,) = task.indices
            assert state.found is not None
            name = state.found[index].input
            detail = f"the Ray worker analysing it died twice ({_first_line(err)})"
            state.results[index] = Problem(name, "E016", f"{name}: {BadInput('E016', detail=detail)}")


def _first_line(err: Exception) -> str:
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    return (lines[0] if lines else type(err).__name__)[:300]


def _shard_name(shard: Shard) -> str:
    path = getattr(shard, "path", None)
    if path is not None:
        return f"{path}@{getattr(shard, 'start', 0)}"
    paths = getattr(shard, "paths", ())
    return str(paths[0]) if paths else "<shard>"
