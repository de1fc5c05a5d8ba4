"""Settings: the shipped ``defaults.toml`` merged with a user file and a profile, built once at the edge.

Order of merging: ``defaults.toml``, then the user file, then the chosen profile's
``[profiles.NAME]`` table (from either file), then programmatic overrides. A profile
table holds the same tables as the top level (``[profiles.fast.stages.attributions]``)
and overrides only the keys it names.
"""

from __future__ import annotations

import copy
import os
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import ConfigError

#: Where a user settings file is looked for when none is given explicitly.
ENV_VAR = "NEWSGRAPH_CONFIG"
LOCAL_FILE = "newsgraph.toml"
#: The profile used when none is chosen: the most accurate configuration.
DEFAULT_PROFILE = "default"


@dataclass
class Settings:
    """The merged settings tree, with the file it came from for messages."""

    data: dict[str, Any]
    sources: list[str] = field(default_factory=list)
    #: The profile applied (``[profiles.NAME]``).
    profile: str = DEFAULT_PROFILE

    @classmethod
    def load(
        cls,
        path: str | Path | None = None,
        overrides: dict[str, Any] | None = None,
        *,
        profile: str | None = None,
    ) -> Settings:
        """Defaults, then the user file (``path``, ``$NEWSGRAPH_CONFIG`` or ``./newsgraph.toml``),
        then the tables of ``profile`` (default: ``"default"``), then ``overrides``."""
        data = _read_toml_text(resources.files("newsgraph").joinpath("defaults.toml").read_text("utf-8"))
        sources = ["newsgraph/defaults.toml"]
        user = Path(path) if path else _implicit_user_file()
        if user is not None:
            if not user.is_file():
                raise ConfigError("E105", path=user, detail="file not found")
            try:
                merge(data, _read_toml_text(user.read_text("utf-8")))
            except ConfigError as err:
                raise ConfigError("E105", path=user, detail=err.values.get("detail", str(err))) from err
            sources.append(str(user))
        name = profile or DEFAULT_PROFILE
        profiles = data.get("profiles", {})
        if not isinstance(profiles, dict) or not isinstance(profiles.get(name), dict):
            known = ", ".join(sorted(profiles)) if isinstance(profiles, dict) else "none"
            raise ConfigError("E109", profile=name, known=known, path=" + ".join(sources))
        merge(data, {k: v for k, v in profiles[name].items() if k != "profiles"})
        if overrides:
            merge(data, overrides)
        settings = cls(data, sources, name)
        settings.validate()
        return settings

    @property
    def profiles(self) -> list[str]:
        """The names of the profiles defined in the files read."""
        return sorted(self.data.get("profiles", {}))

    def section(self, name: str) -> dict[str, Any]:
        value = self.data.get(name, {})
        return dict(value) if isinstance(value, dict) else {}

    @property
    def stage_names(self) -> list[str]:
        names = self.data.get("pipeline", {}).get("stages", [])
        return [str(n) for n in names]

    def stage_options(self, name: str) -> tuple[str, dict[str, Any]]:
        """The factory name and the options (only this stage's) of stage ``name``."""
        table = dict(self.data.get("stages", {}).get(name, {}))
        factory = table.pop("factory", None)
        if factory is None:
            raise ConfigError("E105", path=self.sources[-1], detail=f"[stages.{name}] has no factory")
        return str(factory), table

    def validate(self) -> None:
        stages = self.data.get("pipeline", {}).get("stages")
        if not isinstance(stages, list) or not all(isinstance(s, str) for s in stages):
            raise ConfigError("E105", path=self.sources[-1], detail="pipeline.stages must be a list of names")
        for name in stages:
            if name not in self.data.get("stages", {}):
                raise ConfigError("E105", path=self.sources[-1], detail=f"no [stages.{name}] table")
        limit = self.section("ingest").get("max_chars")
        if not isinstance(limit, int) or limit < 1:
            raise ConfigError(
                "E105", path=self.sources[-1], detail="ingest.max_chars must be a positive integer"
            )


def merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Merge ``extra`` into ``base`` table by table (lists and values replace)."""
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merge(base[key], value)
        else:
            base[key] = copy.deepcopy(value)
    return base


def _read_toml_text(text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError("E105", path="<toml>", detail=str(err)) from err


def _implicit_user_file() -> Path | None:
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    local = Path.cwd() / LOCAL_FILE
    return local if local.is_file() else None
