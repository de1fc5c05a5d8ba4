"""``newsgraph add --engine ray --address`` on a real two-node Ray cluster (``ray start --head``
and ``ray start --address``, two raylets on this machine, one CPU each), run as a command:
its PostgreSQL store, written by the actors on their own connections, equals a local
``add``'s; and a driver killed with SIGKILL mid-run, run again, ends with the same store.

These start processes of their own (a cluster, drivers): 2-3 minutes on the shared
2-core machine. They run in CI; ``-m "not ray_cluster"`` leaves them out locally.
"""

from __future__ import annotations

import io
import json
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_ray import tables

from newsgraph.core import Newsgraph
from newsgraph.core.corpus import Corpus

pytestmark = [pytest.mark.slow, pytest.mark.ray_cluster]

COPIES = 4  # 4 x the 3 bundled samples: 12 articles


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    pytest.importorskip("ray", reason="Ray is in the dev extra: pip install -e '.[dev]'")
    sys.path.insert(0, str(Path(__file__).parent))
    from raycluster import RayCluster

    started = RayCluster()
    try:
        code = (
            "import ray; ray.init(); "
            "print(sorted(n['Resources'].get('CPU', 0) for n in ray.nodes() if n['Alive']))"
        )
        found = subprocess.run(
            [sys.executable, "-c", code], env=started.env(), capture_output=True, text=True, timeout=300
        )
        assert found.stdout.strip().endswith("[1.0, 1.0]"), found.stdout + found.stderr[-2000:]
        yield started
    finally:
        started.stop()
    assert not started.processes(), "the cluster's processes outlived stop()"


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from test_ray import jsonl

    return jsonl(tmp_path_factory.mktemp("inputs") / "articles.jsonl", COPIES)


@pytest.fixture(scope="module")
def local(inputs: Path, newsgraph: Newsgraph, tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    """The uninterrupted reference: a local ``add`` of the same file into SQLite."""
    corpus = Corpus(db=str(tmp_path_factory.mktemp("local") / "local.db"), newsgraph=newsgraph)
    assert corpus.add([str(inputs)]).added == 3 * COPIES
    return corpus


def exported(corpus: Corpus) -> list[dict[str, Any]]:
    out = io.StringIO()
    corpus.export("jsonl", out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def command(cluster: Any, db: str, inputs: Path) -> list[str]:
    return [
        str(Path(sys.executable).with_name("newsgraph")),
        "add",
        "--engine",
        "ray",
        "--address",
        cluster.address,
        "--jobs",
        "2",  # one actor per node: each node has one CPU
        "--shard-size",
        "2",
        "--batch",
        "1",
        "--db",
        db,
        str(inputs),
    ]


def summary(stderr: str) -> tuple[int, int, int]:
    found = re.search(r"added (\d+), reprocessed \d+, already present (\d+), failed (\d+)", stderr)
    assert found, stderr[-3000:]
    return int(found[1]), int(found[2]), int(found[3])


def test_two_nodes_write_postgresql_as_a_local_add_does(
    cluster: Any, inputs: Path, local: Corpus, postgres: Any, newsgraph: Newsgraph
) -> None:
    db = postgres.new_database()
    run = subprocess.run(
        command(cluster, db, inputs), env=cluster.env(), capture_output=True, text=True, timeout=900
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert summary(run.stderr) == (3 * COPIES, 0, 0)
    stored = Corpus(db=db, newsgraph=newsgraph)
    assert exported(stored) == exported(local)
    assert tables(stored) == tables(local)
    assert stored.stats() == local.stats()
    again = subprocess.run(
        command(cluster, db, inputs), env=cluster.env(), capture_output=True, text=True, timeout=900
    )
    assert again.returncode == 0 and summary(again.stderr) == (0, 3 * COPIES, 0), again.stderr[-3000:]


def test_a_driver_killed_mid_run_then_run_again_stores_what_an_uninterrupted_run_does(
    cluster: Any, inputs: Path, local: Corpus, postgres: Any, newsgraph: Newsgraph
) -> None:
    db = postgres.new_database()
    stored = Corpus(db=db, newsgraph=newsgraph)  # created and migrated before the run starts
    total = 3 * COPIES
    driver = subprocess.Popen(
        command(cluster, db, inputs),
        env=cluster.env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 900
        count = 0
        while driver.poll() is None and time.monotonic() < deadline:
            count = stored.stats()["articles"]
            if count >= 3:
                break
            time.sleep(0.2)
        assert driver.poll() is None, "the run ended before it could be killed"
        driver.send_signal(signal.SIGKILL)
        driver.wait(timeout=60)
    finally:
        if driver.poll() is None:
            driver.kill()
            driver.wait()
    at_kill = stored.stats()["articles"]
    assert 3 <= at_kill < total, f"killed with {at_kill} of {total} stored: not mid-run"

    # The driver's actors belong to its Ray job: they go with it.
    deadline = time.monotonic() + 120
    while any("ShardActor" in line for line in _command_lines(cluster)) and time.monotonic() < deadline:
        time.sleep(1)
    assert not any("ShardActor" in line for line in _command_lines(cluster))

    again = subprocess.run(
        command(cluster, db, inputs), env=cluster.env(), capture_output=True, text=True, timeout=900
    )
    assert again.returncode == 0, again.stderr[-3000:]
    added, present, failed = summary(again.stderr)
    assert (added + present, failed) == (total, 0)
    assert present >= at_kill  # what was committed before the kill stays, and is not stored again
    assert stored.stats() == local.stats()
    assert exported(stored) == exported(local)
    assert tables(stored) == tables(local)


def _command_lines(cluster: Any) -> list[str]:
    """The command lines of the cluster's live processes, each read once: a process
    that exits between the listing and the read is simply not there."""
    import psutil

    found = []
    for process in cluster.processes():
        try:
            found.append(" ".join(process.cmdline()))
        except psutil.Error:
            continue
    return found
