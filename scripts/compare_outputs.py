"""Check that a change leaves ``analyze`` output byte-identical: write it once, compare later.

Usage::

    .venv/bin/python scripts/compare_outputs.py write FILE [--profile P] [--config TOML] [--limit N]
    .venv/bin/python scripts/compare_outputs.py check FILE [--profile P] [--config TOML] [--limit N]

Analyses the bundled samples (``newsgraph/samples/*.txt``) and the first ``--limit`` PolNeAR
dev texts (``../shared/data/polnear/dev/text``, default 20; ``--limit 0`` for none, ``-1``
for all) with ``Newsgraph(profile=P)`` and writes each article's ``to_dict()`` as one JSON
line. ``check`` analyses the same texts again and names every article whose JSON differs
(and the first differing top-level field), exiting 1 when any does. Speed changes meant to
keep the output identical are checked this way before and after a rebase, or in one
checkout by writing with a settings file that turns the change off (``--config``, e.g.
``[stages.parse]`` ``rule_tables = false``) and checking without it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "newsgraph" / "samples"
POLNEAR_DEV = ROOT.parent / "shared" / "data" / "polnear" / "dev" / "text"


def texts(limit: int) -> list[tuple[str, str]]:
    files = sorted(SAMPLES.glob("*.txt"))
    if limit and POLNEAR_DEV.is_dir():
        dev = sorted(POLNEAR_DEV.glob("*.txt"))
        files += dev if limit < 0 else dev[:limit]
    elif limit:
        print(f"note: {POLNEAR_DEV} not found; samples only", file=sys.stderr)
    return [(f.name, f.read_text(encoding="utf-8")) for f in files]


def analyse(profile: str, limit: int, config: Path | None = None) -> dict[str, str]:
    sys.path.insert(0, str(ROOT))
    from newsgraph.core import Newsgraph
    from newsgraph.model import Article

    ng = Newsgraph(config=config, profile=profile)
    items = [Article(text=text, input=name) for name, text in texts(limit)]
    out: dict[str, str] = {}
    for result in ng.analyze_many(items):
        out[result.input] = json.dumps(result.to_dict(), sort_keys=True, ensure_ascii=False)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("write", "check"))
    parser.add_argument("file", type=Path)
    parser.add_argument("--profile", default="default")
    parser.add_argument("--config", type=Path, default=None, help="a settings file (TOML)")
    parser.add_argument("--limit", type=int, default=20)
    args = parser.parse_args(argv)
    now = analyse(args.profile, args.limit, args.config)
    if args.action == "write":
        args.file.write_text("".join(json.dumps([k, v]) + "\n" for k, v in now.items()), "utf-8")
        print(f"wrote {len(now)} articles to {args.file}")
        return 0
    before = dict(json.loads(line) for line in args.file.read_text("utf-8").splitlines())
    differ = 0
    for name in sorted(set(before) | set(now)):
        if before.get(name) == now.get(name):
            continue
        differ += 1
        if name not in before or name not in now:
            print(f"{name}: only {'before' if name in before else 'now'}")
            continue
        old, new = json.loads(before[name]), json.loads(now[name])
        fields = [k for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)]
        print(f"{name}: differs in {', '.join(fields)}")
    print(f"{len(now)} articles, {differ} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
