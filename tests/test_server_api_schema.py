"""Schemathesis against ``/openapi.json``, in process, over a copy of the samples store.

Bounded: ``EXAMPLES`` generated requests per operation (about 200 in all). Every response
must be no server error (5xx), have a status and content type the spec lists, and a body
that conforms to the spec's schema (the error shape included). URLs sent to the analyse
and add endpoints never leave the machine: the resolver is replaced by one that answers a
documentation address, which the public-address guard refuses (E011).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from newsgraph.core.corpus import Corpus
from newsgraph.ingest import web
from newsgraph.server import ServerOptions, create_app

pytestmark = pytest.mark.slow

EXAMPLES = 14  # per operation; 15 operations


@pytest.fixture(scope="module")
def api_schema(samples_store: Path, newsgraph: Any, tmp_path_factory: Any) -> Any:
    path = tmp_path_factory.mktemp("schemathesis") / "store.db"
    shutil.copy(samples_store, path)
    corpus = Corpus(db=str(path), newsgraph=newsgraph)
    app = create_app(corpus=corpus, options=ServerOptions(db=str(path), max_body=200_000))
    return schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture(autouse=True)
def no_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(web, "resolve", lambda host, port: ["192.0.2.1"])


CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


def test_the_api_conforms_to_its_openapi_spec(api_schema: Any) -> None:
    # Schemathesis' own pytest plugin does not run under this pytest; its strategies do.
    failures: dict[str, str] = {}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 14

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            case.validate_response(case.call(), checks=CHECKS)

        try:
            run()
        except Exception as err:  # collect every operation's first failure, then report them all
            failures[operation.label] = f"{type(err).__name__}: {err}"[:2000]
    assert not failures, "\n\n".join(f"{label}\n{detail}" for label, detail in failures.items())
