"""The server skeleton: the app starts over a real SQLite file, every response carries the CSP."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from fastapi.testclient import TestClient

from newsgraph.cli import cli
from newsgraph.cli.serve import is_loopback
from newsgraph.server import CSP, create_app


def test_dashboard_and_stats_over_an_empty_store(tmp_path: Path) -> None:
    client = TestClient(create_app(str(tmp_path / "store.db")))
    page = client.get("/")
    assert page.status_code == 200
    assert page.headers["content-security-policy"] == CSP
    assert "'unsafe-inline'" not in CSP
    assert client.get("/api/stats").json()["articles"] == 0
    assert client.get("/openapi.json").json()["info"]["title"] == "newsgraph"


def test_serve_refuses_a_public_address_without_a_token(tmp_path: Path) -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("example.org")
    result = CliRunner().invoke(
        cli, ["serve", "--db", str(tmp_path / "s.db"), "--host", "0.0.0.0"], env={"NEWSGRAPH_TOKEN": ""}
    )
    assert result.exit_code != 0
    assert "without a write token" in result.output
