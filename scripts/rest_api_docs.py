"""Regenerate the generated parts of ``docs/rest-api.md`` from the app and a real run.

    .venv/bin/python scripts/rest_api_docs.py [--store FILE]

1. The endpoint reference: every operation of ``/openapi.json`` with its parameters
   (``tests/test_server_api.py`` fails when the docs drift from the spec).
2. Examples: real requests against a store of the bundled samples (built with the real
   pipeline into ``--store`` when that file does not exist yet), the responses shortened
   (lists cut to two items, long strings cut) and written between the markers.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "rest-api.md"


def endpoint_reference(spec: dict[str, Any]) -> str:
    """A Markdown section per operation: method, path, summary, parameters, statuses."""
    out: list[str] = []
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            out.append(f"### `{method.upper()} {path}`\n")
            doc = (op.get("description") or op.get("summary") or "").strip()
            if doc:
                out.append(" ".join(doc.split()) + "\n")
            params = op.get("parameters", [])
            if params:
                out.append("| parameter | in | type | description |")
                out.append("|---|---|---|---|")
                for p in params:
                    out.append(
                        f"| `{p['name']}`{' (required)' if p.get('required') else ''} | {p['in']} "
                        f"| {_type(p.get('schema', {}))} | {' '.join(p.get('description', '').split())} |"
                    )
                out.append("")
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            if body:
                out.append(f"Body: `{body.get('$ref', '').rsplit('/', 1)[-1] or 'JSON'}` (JSON).\n")
            statuses = ", ".join(sorted(op.get("responses", {})))
            out.append(f"Responses: {statuses}.\n")
    return "\n".join(out).rstrip() + "\n"


def _type(schema: dict[str, Any]) -> str:
    if "anyOf" in schema:
        return " or ".join(_type(s) for s in schema["anyOf"] if s.get("type") != "null")
    if "enum" in schema:
        return " / ".join(f"`{v}`" for v in schema["enum"])
    kind = str(schema.get("type", "any"))
    bounds = [
        f"{name} {schema[key]}"
        for key, name in (("minimum", ">="), ("maximum", "<="), ("maxLength", "max length"))
        if key in schema
    ]
    default = f", default `{json.dumps(schema['default'])}`" if "default" in schema else ""
    return kind + (f" ({', '.join(bounds)})" if bounds else "") + default


def shorten(value: Any, depth: int = 0, key: str = "") -> Any:
    """Lists cut to two items at the top, one below; long strings cut (not messages)."""
    if isinstance(value, list):
        keep = 2 if depth < 2 else 1
        kept = [shorten(v, depth + 1) for v in value[:keep]]
        return kept + ([f"... {len(value) - keep} more"] if len(value) > keep else [])
    if isinstance(value, dict):
        return {k: shorten(v, depth + 1, k) for k, v in value.items()}
    if isinstance(value, str) and len(value) > 80 and key != "message":
        return value[:77] + "..."
    return value


EXAMPLES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/api/articles?limit=2", None),
    ("GET", "/api/attributions?hedged=true&limit=1", None),
    ("GET", "/api/entities?type=PERSON&limit=2", None),
    ("GET", "/api/entities/Maria%20Keller", None),
    ("GET", "/api/claims?limit=1", None),
    ("GET", "/api/events?category=AGREE&limit=1", None),
    ("GET", "/api/places?limit=2", None),
    ("GET", "/api/search?q=grain%20port&limit=2", None),
    ("GET", "/api/stats", None),
    (
        "POST",
        "/api/analyze",
        {"text": "The minister said on Monday that the bridge would reopen.", "published": "2025-04-02"},
    ),
    ("GET", "/api/articles?limit=0", None),
    ("GET", "/api/articles?cursor=bm9wZQ", None),
    ("DELETE", "/api/stats", None),
    ("POST", "/api/analyze", {"url": "http://127.0.0.1:8000/admin"}),
    ("POST", "/api/articles", {"text": "Officials said the port would reopen."}),
]


def examples(client: Any) -> str:
    out = []
    for method, url, body in EXAMPLES:
        headers = {}
        if method == "POST" and url == "/api/articles":
            headers = {"Authorization": "Bearer wrong"}
        response = client.request(method, url, json=body, headers=headers)
        shown = f"{method} {url}" + (f"\n{json.dumps(body, ensure_ascii=False)}" if body else "")
        if headers:
            shown += "\n(Authorization: Bearer wrong)"
        payload = json.dumps(shorten(response.json()), indent=2, ensure_ascii=False)
        out.append(f"```text\n{shown}\n```\n\n{response.status_code}:\n\n```json\n{payload}\n```\n")
    return "\n".join(out)


def replace_between(text: str, name: str, body: str) -> str:
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    head, _, rest = text.partition(start)
    _, _, tail = rest.partition(end)
    return f"{head}{start}\n{body}{end}{tail}"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--store", help="a samples store (built here when missing)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "tests"))
    from fastapi.testclient import TestClient
    from test_corpus_add import samples

    from newsgraph.core.corpus import Corpus
    from newsgraph.server import ServerOptions, create_app

    with tempfile.TemporaryDirectory(prefix="newsgraph-rest-docs-") as name:
        store = Path(args.store) if args.store else Path(name) / "samples.db"
        if not store.exists():
            corpus = Corpus(db=str(store))
            corpus.add([str(samples(Path(name), copies=2))])
            corpus.close()
        corpus = Corpus(db=str(store))
        app = create_app(corpus=corpus, options=ServerOptions(db=str(store), token="s3cret"))
        client = TestClient(app, raise_server_exceptions=False)
        text = DOC.read_text("utf-8")
        text = replace_between(text, "endpoints", endpoint_reference(client.get("/openapi.json").json()))
        text = replace_between(text, "examples", examples(client))
        DOC.write_text(text, "utf-8")
        corpus.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
