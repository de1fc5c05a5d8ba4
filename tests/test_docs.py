"""Docs that fail the tests when they drift: every CLI command's help is in docs/cli.md.

Regenerate the generated part with ``NEWSGRAPH_UPDATE_DOCS=1 pytest tests/test_docs.py``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import click
from click.testing import CliRunner

from newsgraph.cli import cli
from newsgraph.errors import Codes

ROOT = Path(__file__).resolve().parents[1]
CLI_DOC = ROOT / "docs" / "cli.md"
BEGIN, END = "<!-- help:begin -->", "<!-- help:end -->"


def generated_help() -> str:
    runner = CliRunner()
    parts = []
    group = cli
    assert isinstance(group, click.Group)
    for name in [None, *sorted(group.commands)]:
        args = [name, "--help"] if name else ["--help"]
        out = runner.invoke(cli, args, prog_name="newsgraph", terminal_width=100).output
        title = f"newsgraph {name}" if name else "newsgraph"
        parts.append(f"### `{title}`\n\n```text\n{out.rstrip()}\n```\n")
    return "\n".join(parts)


def test_cli_reference_matches_the_commands() -> None:
    text = CLI_DOC.read_text("utf-8")
    block = f"{BEGIN}\n{generated_help()}{END}"
    current = re.search(re.escape(BEGIN) + ".*?" + re.escape(END), text, re.S)
    assert current, "docs/cli.md lacks the generated help block"
    if os.environ.get("NEWSGRAPH_UPDATE_DOCS"):
        CLI_DOC.write_text(text.replace(current.group(), block), "utf-8")
        text = CLI_DOC.read_text("utf-8")
    assert block in text, "docs/cli.md is out of date: NEWSGRAPH_UPDATE_DOCS=1 pytest tests/test_docs.py"


def test_every_error_code_is_documented() -> None:
    text = CLI_DOC.read_text("utf-8")
    for code in (c for c in vars(Codes) if re.fullmatch(r"E\d{3}", c)):
        assert f"`{code}`" in text, f"docs/cli.md does not list error {code}"
