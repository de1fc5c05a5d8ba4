"""Settings profiles (`--profile`, `Newsgraph(profile=...)`) and eval commands that score the
configured pipeline exactly as `analyze` runs it (`--config`, `--profile`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsgraph.cli import cli
from newsgraph.errors import ConfigError
from newsgraph.settings import Settings


def test_shipped_profiles_are_default_and_fast() -> None:
    assert {"default", "fast"} <= set(Settings.load().profiles)
    assert Settings.load().profile == "default"
    assert Settings.load(profile="fast").profile == "fast"


def test_profile_overrides_only_the_keys_it_names(tmp_path: Path) -> None:
    user = tmp_path / "user.toml"
    user.write_text("[profiles.quick.stages.places]\nscan = false\n", "utf-8")
    plain = Settings.load(user)
    quick = Settings.load(user, profile="quick")
    assert plain.stage_options("places")[1]["scan"] is True
    options = quick.stage_options("places")[1]
    assert options["scan"] is False
    assert options["demonyms"] is True  # untouched keys keep their values
    assert quick.stage_names == plain.stage_names


def test_profile_is_applied_after_the_user_file(tmp_path: Path) -> None:
    user = tmp_path / "user.toml"
    user.write_text(
        "[stages.times]\nresolve_relative = false\n"
        "[profiles.relative.stages.times]\nresolve_relative = true\n",
        "utf-8",
    )
    assert Settings.load(user).stage_options("times")[1]["resolve_relative"] is False
    assert Settings.load(user, profile="relative").stage_options("times")[1]["resolve_relative"] is True


def test_unknown_profile_is_a_coded_error_naming_the_known_ones() -> None:
    with pytest.raises(ConfigError) as info:
        Settings.load(profile="turbo")
    assert info.value.code == "E109"
    assert "turbo" in str(info.value) and "fast" in str(info.value)


def test_info_shows_the_profile() -> None:
    out = CliRunner().invoke(cli, ["info", "--profile", "fast"])
    assert out.exit_code == 0, out.output
    assert "profile: fast" in out.output
    bad = CliRunner().invoke(cli, ["info", "--profile", "turbo"])
    assert bad.exit_code != 0 and "E109" in bad.output and "Traceback" not in bad.output


@pytest.mark.slow
def test_facade_takes_a_profile(tmp_path: Path) -> None:
    from newsgraph.core import Newsgraph

    user = tmp_path / "user.toml"
    user.write_text('[profiles.lean.pipeline]\nstages = ["clean", "parse", "entities"]\n', "utf-8")
    ng = Newsgraph(config=user, profile="lean")
    assert ng.settings.profile == "lean"
    assert ng.pipeline.names == ["clean", "parse", "entities"]
    with pytest.raises(ConfigError):
        Newsgraph(Settings.load(), profile="fast")  # the profile belongs to Settings.load


# A TimeML document written for this test (not from any corpus); its name is one the
# fixed split lists put in the tune part, so that `eval times --part tune` scores it.
TML_NAME = "ABC19980108.1830.0711.tml"
TML = """<?xml version="1.0" ?>
<TimeML>
<DCT><TIMEX3 tid="t0" type="DATE" value="1998-01-08">19980108</TIMEX3></DCT>
<TEXT>
The council met on <TIMEX3 tid="t1" type="DATE" value="1998-01-05">Monday</TIMEX3> and will meet again
<TIMEX3 tid="t2" type="DATE" value="1998-03">in March</TIMEX3>, a spokeswoman said.
</TEXT>
</TimeML>
"""


@pytest.mark.slow
def test_eval_scores_the_configured_pipeline(tmp_path: Path) -> None:
    (tmp_path / "time").mkdir()
    (tmp_path / "time" / TML_NAME).write_text(TML, "utf-8")
    no_times = tmp_path / "no-times.toml"
    no_times.write_text('[pipeline]\nstages = ["clean", "parse", "entities", "places"]\n', "utf-8")
    args = ["eval", "times", "--data", str(tmp_path / "time"), "--part", "tune", "--json"]
    runner = CliRunner()
    full = runner.invoke(cli, args)
    assert full.exit_code == 0, full.output
    report = json.loads(full.output)
    assert report["documents"] == 1 and report["gold"] == 2
    assert report["profile"] == "default" and "times" in report["stages"]
    assert report["value_f1"] > 0  # the DCT reaches the pipeline as the publication date
    # The user's settings are what gets scored: without a times stage nothing is found.
    bare = runner.invoke(cli, [*args, "--config", str(no_times), "--profile", "fast"])
    assert bare.exit_code == 0, bare.output
    report = json.loads(bare.output)
    assert report["profile"] == "fast" and "times" not in report["stages"]
    assert report["predicted"] == 0 and str(no_times) in report["settings"]
    # Only the report part is scored by default: this tune-part document is not in it.
    report_part = runner.invoke(cli, [*args[:4], "--json"])
    assert json.loads(report_part.output)["documents"] == 0


def test_every_eval_takes_the_facade_the_cli_built() -> None:
    """`eval --config/--profile` hands its facade to each evaluation: none builds its own."""
    import importlib
    import inspect

    from newsgraph.cli.tools import EVALUATIONS

    for name, module in EVALUATIONS.items():
        params = inspect.signature(importlib.import_module(module).evaluate).parameters
        assert {"limit", "part", "ng"} <= set(params), f"eval {name} cannot take the configured facade"
