"""A throwaway PostgreSQL server for the store tests: initdb + pg_ctl in a temporary folder.

As root (CI) the server runs as the ``postgres`` user, which initdb requires. When no
PostgreSQL binaries are found the tests skip, except under ``CI=true``, where they fail:
CI must run the store tests on both backends (``.ci/run`` installs the apt package).

The server dies with the test process: ``pg_ctl`` detaches the server from its caller, so
a small watcher process (in a session of its own, so that a signal to the test's process
group does not reach it) holds the read end of a pipe whose only writer is the test
process. When the test process ends in any way, SIGKILL included, the pipe reads EOF and
the watcher stops the server (``pg_ctl stop -m immediate``) and removes its folder;
``stop()`` tells it first that nothing is left to do.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest


def pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if found:
        return Path(found[0]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


#: The watcher: reads its pipe until EOF (the test process is gone: stop the server and
#: remove its folder) or a ``x`` (stopped normally: nothing to do).
_WATCHER = """
import os, shutil, subprocess, sys
fd, root, stop = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
while True:
    try:
        data = os.read(fd, 1)
    except InterruptedError:
        continue
    except OSError:
        data = b""
    if data == b"x":
        sys.exit(0)
    if not data:
        break
subprocess.run(stop, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
shutil.rmtree(root, ignore_errors=True)
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Cluster:
    """A running server on 127.0.0.1; ``url(db)`` names a database on it."""

    def __init__(self) -> None:
        bindir = pg_bin()
        if bindir is None:
            message = "PostgreSQL is not installed (apt-get install postgresql)"
            if os.environ.get("CI") == "true":
                pytest.fail(message + "; CI must test the PostgreSQL store")
            pytest.skip(message)
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="newsgraph-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.user = "postgres" if os.geteuid() == 0 else None
        if self.user:
            shutil.chown(self.root, self.user)
            self.root.chmod(0o700)
        self._watch()
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.root / "log"),
            "-w",
            "-o",
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off",
            "start",
        )
        self.count = 0

    def _command(self, tool: str, *args: str) -> list[str]:
        command = [str(self.bindir / tool), *args]
        return ["runuser", "-u", self.user, "--", *command] if self.user else command

    def _watch(self) -> None:
        """Start the watcher that stops the server when this process ends (module docstring)."""
        read, self._alive = os.pipe()  # both ends close on exec: only this process writes
        stop = self._command("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        self.watcher = subprocess.Popen(
            [sys.executable, "-c", _WATCHER, str(read), str(self.root), *stop],
            pass_fds=(read,),
            start_new_session=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(read)

    def _run(self, tool: str, *args: str) -> None:
        command = self._command(tool, *args)
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"{tool} failed: {result.stdout}\n{result.stderr}")

    def new_database(self) -> str:
        """A fresh empty database's URL."""
        import psycopg

        self.count += 1
        name = f"newsgraph_{self.count}"
        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True
        ) as c:
            c.execute(f"CREATE DATABASE {name}")
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)
        os.write(self._alive, b"x")  # stopped: the watcher has nothing left to do
        os.close(self._alive)
        self.watcher.wait()
