"""The parallel runner: forked worker processes, results in input order, nothing lost with one.

Each worker is forked from the process that loaded the pipeline (the models are shared
copy-on-write) and talks to it over its own pipe: the parent hands out chunks of
inputs and collects results, so it always knows which worker holds which inputs. A
worker that dies (killed, out of memory) costs only the article it was on: its chunk
is run again article by article in fresh workers, and the one article that kills a
worker again becomes a problem (E016).

Workers ignore SIGINT (a Ctrl-C reaches the whole process group; the parent decides)
and die with the parent (Linux ``PR_SET_PDEATHSIG``), so no worker outlives the run.
When the consumer stops early (an interrupt, an exception, or it closes the
iterator) the workers are terminated and reaped before control returns.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from multiprocessing import get_context
from multiprocessing.connection import Connection, wait
from typing import Any, Protocol

from ..errors import BadInput
from ..model import Article, Problem

Result = Article | Problem
#: Seconds a worker gets to exit after the last chunk (or after SIGTERM) before it is killed.
GRACE = 5.0


class ChunkRunner(Protocol):
    @property
    def batch_size(self) -> int: ...

    def analyze_chunk(self, chunk: list[Result]) -> list[Result]: ...


@dataclass
class _Task:
    chunk: int
    key: tuple[int, ...]
    items: list[Result]


class _Worker:
    def __init__(self, runner: ChunkRunner) -> None:
        self.conn, child = get_context("fork").Pipe()
        # Flush before forking, so that the child cannot write the parent's buffered output.
        sys.stdout.flush()
        sys.stderr.flush()
        self.process = get_context("fork").Process(target=_serve, args=(runner, child, os.getpid()))
        self.process.daemon = True
        self.process.start()
        child.close()
        self.task: _Task | None = None

    def give(self, task: _Task) -> None:
        self.task = task
        self.conn.send(task.items)

    def stop(self, now: bool) -> None:
        if not now:
            with contextlib.suppress(OSError, ValueError):
                self.conn.send(None)
            self.process.join(GRACE)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(GRACE)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


class Workers:
    """Runs ``runner.analyze_chunk`` over a stream in up to ``processes`` forked workers."""

    def __init__(self, runner: ChunkRunner, processes: int, chunk_size: int | None = None) -> None:
        self.runner = runner
        self.processes = processes
        self.chunk_size = chunk_size or max(1, runner.batch_size // 4)
        #: Chunks that may be analysed ahead of the oldest one not yet returned.
        self.ahead = 4 * processes

    def run(self, items: Iterable[Result]) -> Iterator[Result]:
        stream = iter(items)
        workers: list[_Worker] = []
        pending: dict[int, dict[tuple[int, ...], list[Result] | None]] = {}
        todo: deque[_Task] = deque()
        next_chunk = emitted = 0
        exhausted = finished = False

        def hand_out() -> None:
            """Give every idle worker (up to ``processes``) a task: retried pieces first,
            then new chunks from the stream, at most ``ahead`` chunks past the oldest one
            not yet emitted."""
            nonlocal next_chunk, exhausted
            while True:
                idle = next((w for w in workers if w.task is None), None)
                if idle is None and len(workers) >= self.processes:
                    return
                if not todo and not exhausted and next_chunk - emitted < self.ahead:
                    chunk = list(islice(stream, self.chunk_size))
                    if chunk:
                        pending[next_chunk] = {(0,): None}
                        todo.append(_Task(next_chunk, (0,), chunk))
                        next_chunk += 1
                    else:
                        exhausted = True
                if not todo:
                    return
                if idle is None:
                    idle = _Worker(self.runner)
                    workers.append(idle)
                task = todo.popleft()
                try:
                    idle.give(task)
                except OSError:  # it died while idle: nothing of its own is lost
                    workers.remove(idle)
                    idle.stop(now=True)
                    todo.appendleft(task)

        try:
            while True:
                hand_out()
                # Emit what is complete, in input order. The workers were given their next
                # chunks first, so they analyse while the consumer (the writer of `add`, the
                # output of `analyze`) handles these results instead of waiting for it.
                while emitted in pending and all(v is not None for v in pending[emitted].values()):
                    parts = pending.pop(emitted)
                    emitted += 1
                    for key in sorted(parts):
                        yield from parts[key] or []
                    hand_out()  # the window moved: a worker idle meanwhile gets a chunk
                busy = [w for w in workers if w.task is not None]
                if not busy:
                    break
                ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy]))
                for worker in busy:
                    if worker.conn not in ready and worker.process.sentinel not in ready:
                        continue
                    held = worker.task
                    if held is None:
                        continue
                    results = _receive(worker)
                    if results is None:  # the worker died with this task
                        workers.remove(worker)
                        worker.stop(now=True)
                        todo.extend(_lost(held, worker.process.exitcode, pending))
                        continue
                    pending[held.chunk][held.key] = results
                    worker.task = None
            finished = True
        finally:
            for worker in workers:
                worker.stop(now=not finished)


def _receive(worker: _Worker) -> list[Result] | None:
    try:
        if worker.conn.poll():
            results: list[Result] = worker.conn.recv()
            return results
    except (EOFError, OSError):
        return None
    return None  # only the sentinel was ready: the worker is gone


def _lost(
    task: _Task, exitcode: int | None, pending: dict[int, dict[tuple[int, ...], list[Result] | None]]
) -> list[_Task]:
    """What to do with the task of a worker that died: retry its articles one by one."""
    slots = pending[task.chunk]
    del slots[task.key]
    if len(task.items) == 1:
        item = task.items[0]
        if isinstance(item, Problem):
            slots[task.key] = [item]
        else:
            how = f"killed by signal {-exitcode}" if exitcode and exitcode < 0 else f"exit status {exitcode}"
            detail = f"the worker process analysing it died ({how}; out of memory?)"
            slots[task.key] = [
                Problem(item.input, "E016", f"{item.input}: {BadInput('E016', detail=detail)}")
            ]
        return []
    retries = []
    for n, item in enumerate(task.items):
        key = (*task.key, n)
        slots[key] = None
        retries.append(_Task(task.chunk, key, [item]))
    return retries


def _serve(runner: ChunkRunner, conn: Connection, parent: int) -> None:
    """A worker's loop: chunks in, results (without spaCy docs) out, until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent(parent)
    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    while True:
        try:
            items = conn.recv()
        except (EOFError, OSError):
            os._exit(0)
        if items is None:
            conn.close()
            os._exit(0)
        results = runner.analyze_chunk(items)
        for result in results:
            if isinstance(result, Article):
                result.doc = None  # spaCy objects stay in the worker
        try:
            conn.send(results)
        except (BrokenPipeError, EOFError):
            os._exit(0)
        except Exception as err:  # a result that cannot be pickled: report it, keep the worker
            conn.send([_unsendable(item, err) for item in items])


def _unsendable(item: Any, err: Exception) -> Result:
    if isinstance(item, Problem):
        return item
    detail = f"its result could not be passed back from the worker ({type(err).__name__}: {err})"
    return Problem(item.input, "E016", f"{item.input}: {BadInput('E016', detail=detail)}")


def _die_with_parent(parent: int) -> None:
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(0)
