"""Hardening of ``newsgraph analyze`` as a process: interrupts, workers, outputs, users.

These run the real command in subprocesses (signals, forked workers and user ids are
what is tested) on small articles, with the stages each case needs.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

pytestmark = pytest.mark.slow

CLI = [sys.executable, "-c", "from newsgraph.cli import main; main()"]
STORY = (
    "Officials in {city} said on Monday that the new bridge would open next year, according to a"
    " statement from the ministry.\n“It is finished,” the engineer, Amina Diallo, told reporters.\n"
    "Protesters gathered outside parliament on Tuesday, and police arrested 12 people, the mayor said.\n"
)
CITIES = ["Nairobi", "Accra", "Lima", "Quito", "Hanoi", "Oslo", "Riga", "Karachi", "Lagos", "Dhaka"]


def corpus(folder: Path, count: int, repeat: int = 1) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        path = folder / f"a{n:03d}.txt"
        path.write_text(STORY.format(city=CITIES[n % len(CITIES)]) * repeat)
        paths.append(str(path))
    return paths


def start(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*CLI, "analyze", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


def wait_for(condition: object, timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            pytest.fail("the run did not get going in time")
        time.sleep(0.2)


def gone(pids: list[int]) -> bool:
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                return False
        except psutil.NoSuchProcess:
            continue
    return True


@pytest.fixture(scope="module")
def articles(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    # Long enough per article that a run is still going when the signal comes.
    return corpus(tmp_path_factory.mktemp("corpus"), 60, repeat=12)


def test_sigterm_to_the_parent_of_two_workers(articles: list[str], tmp_path: Path) -> None:
    stdout = tmp_path / "stdout.json"
    with stdout.open("w") as sink:
        run = subprocess.Popen(
            [*CLI, "analyze", *articles, "--processes", "2", "-q", "--stages", "clean,parse,entities"],
            stdout=sink,
            stderr=subprocess.PIPE,
            text=True,
        )
        parent = psutil.Process(run.pid)
        wait_for(lambda: stdout.stat().st_size > 0 and len(parent.children()) == 2)
        workers = [p.pid for p in parent.children(recursive=True)]
        run.send_signal(signal.SIGTERM)
        _, err = run.communicate(timeout=120)
    assert run.returncode == 143, err
    assert "Traceback" not in err and "interrupted by SIGTERM" in err
    written = json.loads(stdout.read_text())  # a whole JSON array, however far it got
    assert 0 < len(written) < len(articles)
    assert [a["input"] for a in written] == articles[: len(written)]
    deadline = time.monotonic() + 10
    while not gone(workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert gone(workers), "worker processes outlived the run"


def test_sigint_with_out_writes_problems_and_drops_the_stale_file(
    articles: list[str], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "problems.jsonl").write_text('{"input": "old-run.txt", "code": "E001", "message": "stale"}\n')
    missing = str(tmp_path / "missing.txt")
    run = start(articles[0], missing, *articles[1:], "--out", str(out), "--stages", "clean,parse,entities")
    wait_for(lambda: len(list(out.glob("*.json"))) >= 2)
    run.send_signal(signal.SIGINT)
    _, err = run.communicate(timeout=120)
    assert run.returncode == 130, err
    assert "Traceback" not in err and "interrupted by SIGINT" in err
    problems = [json.loads(line) for line in (out / "problems.jsonl").read_text().splitlines()]
    assert [(p["input"], p["code"]) for p in problems] == [(missing, "E001")]
    for path in out.glob("*.json"):
        json.loads(path.read_text())  # each file written whole


def test_a_killed_worker_costs_no_article(tmp_path: Path) -> None:
    paths = corpus(tmp_path / "in", 24, repeat=6)
    stdout = tmp_path / "stdout.jsonl"
    with stdout.open("w") as sink:
        run = subprocess.Popen(
            [*CLI, "analyze", *paths, "-j", "2", "-q", "--format", "jsonl", "--stages", "clean,parse"],
            stdout=sink,
            stderr=subprocess.PIPE,
            text=True,
        )
        parent = psutil.Process(run.pid)
        wait_for(lambda: stdout.stat().st_size > 0 and len(parent.children()) == 2)
        parent.children()[0].kill()
        _, err = run.communicate(timeout=300)
    # The worker's articles were run again one by one; none of them was the cause.
    assert run.returncode == 0, err
    assert [json.loads(line)["input"] for line in stdout.read_text().splitlines()] == paths


def test_output_problems_are_coded_and_per_article(tmp_path: Path) -> None:
    (good,) = corpus(tmp_path / "in", 1)
    blocker = tmp_path / "file"
    blocker.write_text("")
    run = subprocess.run(
        [*CLI, "analyze", good, "--out", str(blocker / "sub"), "--stages", "clean"],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 1 and "E017" in run.stderr and "Traceback" not in run.stderr
    # --format jsonl --out: one JSON Lines file, not pretty .json files.
    out = tmp_path / "lines"
    other = tmp_path / "other.txt"
    other.write_text(STORY.format(city="Lima"))
    run = subprocess.run(
        [
            *CLI,
            "analyze",
            good,
            str(other),
            "--out",
            str(out),
            "--format",
            "jsonl",
            "-q",
            "--stages",
            "clean",
        ],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in out.iterdir()) == ["articles.jsonl", "problems.jsonl"]
    assert len((out / "articles.jsonl").read_text().splitlines()) == 2


def test_usage_mistakes_are_named(tmp_path: Path) -> None:
    (good,) = corpus(tmp_path / "in", 1)
    unknown = subprocess.run([*CLI, "analyze", good, "--stages", "clean,foo"], capture_output=True, text=True)
    assert unknown.returncode == 1 and "E108" in unknown.stderr and "'foo'" in unknown.stderr
    assert "defaults.toml" not in unknown.stderr
    many = subprocess.run(
        [*CLI, "analyze", good, "-j", "64", "-q", "--stages", "clean"], capture_output=True, text=True
    )
    assert many.returncode == 0 and "--processes 64 lowered to" in many.stderr
    week = subprocess.run(
        [*CLI, "analyze", good, "--published", "2024-W50", "--stages", "clean"],
        capture_output=True,
        text=True,
    )
    assert week.returncode == 2 and "E008" in week.stderr


def test_unsupported_language_is_a_coded_problem_and_the_rest_is_written(tmp_path: Path) -> None:
    (good,) = corpus(tmp_path / "in", 1)
    russian = tmp_path / "ru.txt"
    russian.write_text(
        "Официальные лица в Карачи заявили в понедельник, что наводнения вынудили тысячи семей"
        " покинуть свои дома, сообщает министерство.\n"
    )
    run = subprocess.run([*CLI, "analyze", str(russian), good, "-q"], capture_output=True, text=True)
    assert run.returncode == 1 and "E009" in run.stderr
    (written,) = json.loads(run.stdout)
    assert written["input"] == good and written["metadata"]["language"] == "en"


@pytest.fixture
def public_dir() -> Iterator[Path]:
    """A directory another user can read (pytest's own temporary tree is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="newsgraph-public-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_a_user_with_an_unwritable_home_and_someone_elses_cache(public_dir: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to run the command as user nobody (CI runs as root)")
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("setpriv (util-linux) is not installed")
    (story,) = corpus(public_dir / "in", 1)
    (public_dir / "in").chmod(0o755)
    home = public_dir / "home"  # owned by root: nobody cannot write there
    home.mkdir(mode=0o755)
    foreign = public_dir / "cache"  # a cache that belongs to root, its index unreadable to others
    foreign.mkdir(mode=0o755)
    from newsgraph.stages.places.gazetteer import source_version

    (foreign / f"gazetteer-{source_version()}.sqlite").write_bytes(b"root's, mode 0600")
    (foreign / f"gazetteer-{source_version()}.sqlite").chmod(0o600)
    env = {k: v for k, v in os.environ.items() if k not in {"XDG_CACHE_HOME"}}
    env.update(HOME=str(home), NEWSGRAPH_CACHE=str(foreign))
    run = subprocess.run(
        [setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups", *CLI, "analyze", story, "-q"],
        capture_output=True,
        text=True,
        env=env,
        cwd=public_dir,
    )
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    article = json.loads(run.stdout)
    assert any(p["name"] == "Nairobi" for p in article["places"])
