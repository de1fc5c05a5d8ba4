"""The import layering of DESIGN.md, checked on the source: a lower layer never imports a higher one."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "newsgraph"

# layer -> the newsgraph layers it may import (besides itself).
ALLOWED: dict[str, set[str]] = {
    "model": set(),
    "errors": set(),
    "pipeline": {"model", "errors"},
    "stages": {"model", "errors", "pipeline"},
    "store": {"model", "errors"},
    "corpus": {"model", "errors", "store"},
    "ingest": {"model", "errors"},
    "settings": {"errors"},
    "schema": {"model"},
    "report": {"model"},
    "core": {"model", "errors", "pipeline", "stages", "store", "corpus", "ingest", "settings"},
    "evaluation": {"core", "model", "errors", "pipeline", "stages", "ingest", "settings", "corpus"},
    "training": {
        "core",
        "model",
        "errors",
        "pipeline",
        "stages",
        "ingest",
        "settings",
        "evaluation",
        "corpus",
    },
    "cli": {
        "core",
        "model",
        "errors",
        "settings",
        "report",
        "schema",
        "evaluation",
        "training",
        "server",
        "batch",
    },
    "server": {"core", "model", "errors", "settings", "report", "schema"},
    "batch": {"core", "model", "errors", "settings"},
    "__init__": set(),
}
STDLIB_ONLY = {"model", "errors", "pipeline", "settings", "schema", "report"}


def layer_of(module: str) -> str:
    """``newsgraph.stages.places.index`` -> ``stages``; ``newsgraph`` -> ``__init__``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def module_name(path: Path, root: Path = PACKAGE) -> str:
    rel = path.relative_to(root.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imports_of(path: Path, root: Path = PACKAGE) -> list[str]:
    """Absolute names of every module imported by ``path`` (relative imports resolved)."""
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = parts[: len(parts) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
                if node.module is None:
                    # ``from . import x``: x is a submodule, or a name defined in the package.
                    base_dir = root.parent.joinpath(*target.split("."))
                    for alias in node.names:
                        is_module = (base_dir / f"{alias.name}.py").exists() or (
                            base_dir / alias.name
                        ).is_dir()
                        found.append(f"{target}.{alias.name}" if is_module else target)
                else:
                    found.append(target)
            elif node.module:
                found.append(node.module)
    return found


def violations(path: Path, root: Path = PACKAGE) -> list[str]:
    """Every import in ``path`` that breaks the layering, as readable messages."""
    me = module_name(path, root)
    layer = layer_of(me)
    if layer not in ALLOWED:
        return [f"{me}: module outside the known layers; add it to DESIGN and this test"]
    found = []
    for target in imports_of(path, root):
        top = target.split(".")[0]
        if top == "newsgraph":
            other = layer_of(target)
            if other == layer:
                # A stage may use its own sub-package, never another stage.
                if layer == "stages" and me != "newsgraph.stages":
                    mine, theirs = me.split(".")[:3], target.split(".")[:3]
                    if len(theirs) == 3 and mine != theirs:
                        found.append(f"{me} imports another stage: {target}")
            elif other != "__init__" and other not in ALLOWED[layer]:
                found.append(f"{me} ({layer}) must not import {target} ({other})")
        elif layer in STDLIB_ONLY and top not in sys.stdlib_module_names and top != "__future__":
            found.append(f"{me} ({layer}) must use the standard library only, imports {target}")
    return found


SOURCES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_imports_respect_layers(path: Path) -> None:
    assert violations(path) == []


def test_checker_reports_upward_and_cross_stage_imports(tmp_path: Path) -> None:
    root = tmp_path / "newsgraph"
    (root / "stages" / "places").mkdir(parents=True)
    (root / "model.py").write_text("import json\nfrom .store import Store\nimport numpy\n")
    (root / "stages" / "places" / "index.py").write_text(
        "from ...model import Place\nfrom ..times import parse\nfrom . import gazetteer\n"
    )
    assert violations(root / "model.py", root) == [
        "newsgraph.model (model) must not import newsgraph.store (store)",
        "newsgraph.model (model) must use the standard library only, imports numpy",
    ]
    assert violations(root / "stages" / "places" / "index.py", root) == [
        "newsgraph.stages.places.index imports another stage: newsgraph.stages.times"
    ]
