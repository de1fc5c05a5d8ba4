"""A throwaway PostgreSQL server for the store tests: initdb + pg_ctl in a temporary folder.

As root (CI) the server runs as the ``postgres`` user, which initdb requires. When no
PostgreSQL binaries are found the tests skip, except under ``CI=true``, where they fail:
CI must run the store tests on both backends (``.ci/run`` installs the apt package).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest


def pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if found:
        return Path(found[0]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


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

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bindir / tool), *args]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
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
