"""The tests' PostgreSQL server dies with the test process, even one killed by SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from postgres import pg_bin

HERE = Path(__file__).resolve().parent

# A test process of its own: starts a cluster, says where it is, and waits to be killed.
CHILD = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
from postgres import Cluster
cluster = Cluster()
print(json.dumps({"port": cluster.port, "root": str(cluster.root)}), flush=True)
time.sleep(600)
"""


def _accepts(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1.0)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _wait(condition, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return bool(condition())


def _need_postgres() -> None:
    if pg_bin() is None:
        message = "PostgreSQL is not installed (apt-get install postgresql)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + "; CI must test the PostgreSQL store")
        pytest.skip(message)


def test_server_stops_when_the_test_process_is_killed() -> None:
    _need_postgres()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(HERE)], stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        assert child.stdout is not None
        started = json.loads(child.stdout.readline())
        port, root = int(started["port"]), Path(started["root"])
        assert _accepts(port), "the server did not start"
        assert (root / "data" / "postmaster.pid").exists()
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        assert _wait(lambda: not _accepts(port), 60), "the server outlived the killed test process"
        assert _wait(lambda: not root.exists(), 30), f"{root} was left behind"
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


def test_stop_leaves_no_watcher() -> None:
    """A normal stop ends the watcher too (it must not linger and stop anything later)."""
    from postgres import Cluster

    _need_postgres()
    cluster = Cluster()
    port, root = cluster.port, cluster.root
    assert _accepts(port)
    cluster.stop()
    assert cluster.watcher.poll() == 0
    assert not _accepts(port)
    assert not root.exists()
