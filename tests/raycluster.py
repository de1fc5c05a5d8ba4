"""A two-node Ray cluster on this machine for the tests: ``ray start --head`` and ``ray start
--address`` (two raylets, one CPU each, a temporary folder and a token of their own), reached
at 127.0.0.1. Ray's servers listen on every interface of this machine and register its own
address (Ray has no loopback-only mode); nothing is reached beyond this machine.

Every process it starts is stopped by ``stop()`` by process id (the two ``ray start --block``
commands, then whatever they and their children left), never with ``ray stop``, which
would stop every Ray on the machine.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

STARTED = "Ray runtime started"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _die_with_parent() -> None:
    """In the child: SIGTERM when the test process dies, even by SIGKILL (Linux), so that
    ``ray start --block`` stops its node rather than outlive the tests."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class RayCluster:
    """A head node and a worker node; ``address`` is the head's ``127.0.0.1:PORT``."""

    def __init__(self, cpus_per_node: int = 1, object_store: int = 100 << 20, timeout: float = 180) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="ngray-"))  # short: Ray's socket paths have a limit
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.nodes: list[subprocess.Popen[bytes]] = []
        self.timeout = timeout
        self._seen: dict[int, psutil.Process] = {}
        # Its own token (Ray 2.60 authenticates every connection), not the user's ~/.ray one.
        self.token = secrets.token_hex(32)
        common = [
            "--node-ip-address=127.0.0.1",
            f"--num-cpus={cpus_per_node}",
            f"--object-store-memory={object_store}",
            "--disable-usage-stats",
            "--block",
        ]
        try:
            self._start(
                "head",
                [
                    "--head",
                    f"--port={self.port}",
                    f"--temp-dir={self.root / 'tmp'}",
                    "--include-dashboard=false",
                    f"--dashboard-port={free_port()}",
                    *self._ports(),
                    *common,
                ],
            )
            self._start("node", [f"--address={self.address}", *self._ports(), *common])
        except BaseException:
            self.stop()
            raise

    def env(self) -> dict[str, str]:
        """The environment of a driver process for this cluster."""
        return {
            **os.environ,
            "RAY_ADDRESS": self.address,
            "RAY_AUTH_MODE": "token",
            "RAY_AUTH_TOKEN": self.token,
        }

    @staticmethod
    def _ports() -> list[str]:
        return [
            f"--node-manager-port={free_port()}",
            f"--object-manager-port={free_port()}",
            f"--dashboard-agent-listen-port={free_port()}",
            f"--dashboard-agent-grpc-port={free_port()}",
            f"--metrics-export-port={free_port()}",
            f"--runtime-env-agent-port={free_port()}",
        ]

    def _start(self, name: str, args: list[str]) -> None:
        log = self.root / f"{name}.log"
        ray = Path(sys.executable).with_name("ray")
        with open(log, "wb") as out:
            process = subprocess.Popen(
                [str(ray), "start", *args],
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env=self.env(),
                preexec_fn=_die_with_parent,
            )
        self.nodes.append(process)
        deadline = time.monotonic() + self.timeout
        while STARTED not in log.read_text(errors="replace"):
            if process.poll() is not None:
                raise RuntimeError(f"ray start ({name}) exited with {process.returncode}:\n{log.read_text()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"ray start ({name}) did not start in {self.timeout}s:\n{log.read_text()}")
            time.sleep(0.5)
            self._remember()

    def _remember(self) -> None:
        """Note every process the ``ray start`` commands have started so far (to stop them all)."""
        for node in self.nodes:
            try:
                process = psutil.Process(node.pid)
                for p in [process, *process.children(recursive=True)]:
                    self._seen.setdefault(p.pid, p)
            except psutil.NoSuchProcess:
                continue

    def processes(self) -> list[psutil.Process]:
        """The cluster's processes still running (the ``ray start`` commands and their descendants)."""
        self._remember()
        running = []
        for p in self._seen.values():
            try:
                if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                    running.append(p)
            except psutil.NoSuchProcess:  # exited between the two questions
                continue
        return running

    def stop(self) -> None:
        """SIGTERM the ``ray start --block`` commands (they stop their nodes), then SIGKILL what is left."""
        self._remember()
        for node in reversed(self.nodes):
            if node.poll() is None:
                node.send_signal(signal.SIGTERM)
        for node in self.nodes:
            try:
                node.wait(timeout=30)
            except subprocess.TimeoutExpired:
                node.kill()
                node.wait()
        _, alive = psutil.wait_procs(list(self._seen.values()), timeout=10)
        for process in alive:
            with contextlib.suppress(psutil.NoSuchProcess):
                process.kill()
        psutil.wait_procs(alive, timeout=10)
        shutil.rmtree(self.root, ignore_errors=True)
