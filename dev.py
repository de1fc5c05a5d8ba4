#!/usr/bin/env python3
"""Set up and run newsgraph from a fresh checkout, needing nothing but Python 3.11+.

    python3 dev.py demo      # create .venv, install newsgraph, analyse the bundled samples
    python3 dev.py test      # create .venv, install newsgraph[dev], run ruff, mypy and pytest
    python3 dev.py bench     # run the speed benchmark (benchmarks/pipeline.py)

Extra arguments after the command go to the tool it runs (e.g. ``python3 dev.py test -k ingest``).
The virtual environment is reused; it is reinstalled when pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("NEWSGRAPH_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def run(*args: str | Path) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], cwd=ROOT, check=True)


def setup(extra: str) -> None:
    """Create the venv and install the project (with an extra) unless already current."""
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs before anything checks the version
        sys.exit(f"newsgraph needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    if not (BIN / "python").exists():
        print(f"creating virtual environment in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = VENV / f".newsgraph-installed-{extra or 'base'}"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    target = f".[{extra}]" if extra else "."
    run(BIN / "python", "-m", "pip", "install", "--disable-pip-version-check", "-q", "-e", target)
    stamp.write_text(digest)


def web_assets() -> None:
    """The front-end packages of package.json from npm: the map's world outline (served) and
    axe-core (the browser tests' accessibility check, never served)."""
    wanted = ("world-atlas/countries-110m.json", "axe-core/axe.min.js")
    if all((ROOT / "node_modules" / path).exists() for path in wanted):
        return
    if shutil.which("npm") is None:
        print("npm not found: the map page will draw no world outline (see docs/web.md)", flush=True)
        return
    run("npm", "ci", "--no-audit", "--no-fund")


def main(argv: list[str]) -> int:
    command, rest = (argv[0], argv[1:]) if argv else ("help", [])
    env_note = "OPENBLAS_NUM_THREADS"
    os.environ.setdefault(env_note, "1")
    try:
        if command == "demo":
            setup("")
            web_assets()
            run(BIN / "newsgraph", "demo", *rest)
        elif command == "test":
            setup("dev")
            web_assets()
            run(BIN / "ruff", "check", "newsgraph", "tests", "benchmarks", "dev.py")
            run(BIN / "ruff", "format", "--check", "newsgraph", "tests", "benchmarks", "dev.py")
            run(BIN / "mypy", "newsgraph")
            run(BIN / "python", "-m", "pytest", "-q", *rest)
        elif command == "bench":
            setup("dev")
            run(BIN / "python", "benchmarks/pipeline.py", *rest)
        else:
            print(__doc__)
            return 0 if command in ("help", "-h", "--help") else 2
    except subprocess.CalledProcessError as err:
        return err.returncode or 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
