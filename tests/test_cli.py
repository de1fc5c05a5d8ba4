"""The command line, run in-process through click's runner on real files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsgraph.cli import cli
from newsgraph.cli.analyze import output_stem

pytestmark = pytest.mark.slow

STORY = "Officials in Nairobi said on Monday that the new railway would open next year.\n"


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


def test_analyze_one_file_prints_one_json_document(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "rail.txt"
    path.write_text(STORY)
    result = runner.invoke(cli, ["analyze", str(path), "--published", "2025-01-08", "--outlet", "The Star"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["text"] == STORY
    assert data["metadata"]["published"] == "2025-01-08" and data["metadata"]["outlet"] == "The Star"


def test_analyze_with_out_writes_one_file_per_input_and_reports_failures(
    runner: CliRunner, tmp_path: Path
) -> None:
    (tmp_path / "a.txt").write_text(STORY)
    (tmp_path / "b.txt").write_text(STORY.replace("Nairobi", "Mombasa"))
    (tmp_path / "empty.txt").write_text("")
    out = tmp_path / "out"
    args = [
        "analyze",
        str(tmp_path / "a.txt"),
        str(tmp_path / "empty.txt"),
        str(tmp_path / "missing.txt"),
        str(tmp_path / "b.txt"),
        "--out",
        str(out),
    ]
    result = runner.invoke(cli, args)
    assert result.exit_code == 1
    assert sorted(p.name for p in out.iterdir()) == ["a.json", "b.json", "problems.jsonl"]
    assert "Mombasa" in json.loads((out / "b.json").read_text())["text"]
    problems = [json.loads(line) for line in (out / "problems.jsonl").read_text().splitlines()]
    assert [p["code"] for p in problems] == ["E002", "E001"]
    assert "analysed 2 article(s)" in result.stderr and "2 failed" in result.stderr
    assert "progress:" in result.stderr


def test_several_inputs_to_stdout_are_a_json_array_or_json_lines(runner: CliRunner, tmp_path: Path) -> None:
    paths = []
    for n in range(2):
        p = tmp_path / f"s{n}.txt"
        p.write_text(STORY)
        paths.append(str(p))
    as_json = runner.invoke(cli, ["analyze", *paths, "-q"])
    assert as_json.exit_code == 0 and len(json.loads(as_json.stdout)) == 2
    as_lines = runner.invoke(cli, ["analyze", *paths, "--format", "jsonl", "-q"])
    assert [json.loads(line)["input"] for line in as_lines.stdout.splitlines()] == paths


def test_text_format_is_a_readable_report(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "rail.txt"
    path.write_text(STORY + "Sign up to our newsletter for the top stories in your inbox.\n")
    result = runner.invoke(cli, ["analyze", str(path), "--format", "text"])
    assert result.exit_code == 0
    assert f"== {path} ==" in result.stdout and "newsletter" in result.stdout


def test_bad_published_date_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "rail.txt"
    path.write_text(STORY)
    result = runner.invoke(cli, ["analyze", str(path), "--published", "12/12/2024"])
    assert result.exit_code == 2 and "E008" in result.output


def test_demo_analyses_the_bundled_samples(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["demo"])
    assert result.exit_code == 0, result.output
    assert result.stdout.count("== ") == 3
    assert "Removed (boilerplate" in result.stdout


def test_schema_and_info_commands(runner: CliRunner) -> None:
    schema = json.loads(runner.invoke(cli, ["schema"]).stdout)
    assert schema["properties"]["schema_version"]["const"]
    info = runner.invoke(cli, ["info"])
    assert info.exit_code == 0 and "newsgraph.parse.v1" in info.stdout


def test_config_errors_are_one_line_not_a_traceback(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[pipeline]\nstages = ["nosuch"]\n')
    result = runner.invoke(cli, ["analyze", "x.txt", "--config", str(bad)])
    assert result.exit_code == 1 and "E105" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(
    ("name", "stem"),
    [("data/a.txt", "a"), ("feeds/day.jsonl:7", "day-7"), ("x/page.html.gz", "page"), ("<stdin>", "stdin")],
)
def test_output_names_follow_the_input_stem(name: str, stem: str) -> None:
    assert output_stem(name) == stem


def test_parallel_run_gives_the_same_output_in_the_same_order(runner: CliRunner, tmp_path: Path) -> None:
    cities = ["Nairobi", "Accra", "Lima", "Quito", "Hanoi", "Oslo", "Riga"]
    paths = []
    for n, city in enumerate(cities):
        p = tmp_path / f"c{n}.txt"
        p.write_text(STORY.replace("Nairobi", city))
        paths.append(str(p))
    paths.insert(3, str(tmp_path / "missing.txt"))
    serial = runner.invoke(cli, ["analyze", *paths, "--format", "jsonl", "-q"])
    parallel = runner.invoke(cli, ["analyze", *paths, "--format", "jsonl", "-q", "--processes", "2"])
    assert serial.exit_code == parallel.exit_code == 1
    assert parallel.stdout == serial.stdout
    assert [json.loads(line)["input"] for line in parallel.stdout.splitlines()] == [
        p for p in paths if "missing" not in p
    ]
