"""Sources cut into shards for Ray workers read back exactly as ``iter_sources`` reads them whole."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsgraph.ingest import Limits
from newsgraph.ingest.shards import Inline, JsonLines, ParquetRows, Paths, WarcRecords, read_shard, split
from newsgraph.ingest.sources import iter_sources
from newsgraph.model import Metadata

PAGE = "<html><head><title>{title}</title></head><body><article><p>{body}</p></article></body></html>"


def flat(items: Any) -> list[dict[str, Any]]:
    """Items as comparable records (an article's input, text and metadata; a problem's fields)."""
    out = []
    for item in items:
        if hasattr(item, "text"):
            meta = vars(item.metadata)
            out.append({"input": item.input, "text": item.text, "meta": meta, "warnings": item.warnings})
        else:
            out.append(vars(item))
    return out


def sharded(sources: list[str], **options: Any) -> list[dict[str, Any]]:
    overrides = options.pop("overrides", None)
    shards = list(split(sources, overrides=overrides, **options))
    return flat(item for shard in shards for item in read_shard(shard, overrides=overrides))


def _record(n: int, text: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"text": text or f"Officials said on day {n} that the talks would resume soon.", **extra}


def _jsonl(path: Path, lines: list[str]) -> Path:
    data = "".join(line + "\n" for line in lines).encode()
    if path.name.endswith(".gz"):
        path.write_bytes(gzip.compress(data))
    else:
        path.write_bytes(data)
    return path


def _warc(path: Path, records: list[tuple[str, str, bytes]]) -> Path:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=path.name.endswith(".gz"))
        for url, kind, body in records:
            headers = StatusAndHeaders("200 OK", [("Content-Type", kind)], protocol="HTTP/1.1")
            payload = io.BytesIO(body)
            record = writer.create_warc_record(url, "response", payload=payload, http_headers=headers)
            writer.write_record(record)
    return path


@pytest.mark.parametrize("name", ["a.jsonl", "a.jsonl.gz"])
def test_a_json_lines_file_is_cut_on_line_boundaries_and_reads_back_the_same(
    tmp_path: Path, name: str
) -> None:
    lines = [json.dumps(_record(n, id=f"r{n}" if n % 3 else None)) for n in range(10)]
    lines[4] = "{not json"
    lines[6] = ""  # a blank line still counts for the line numbers of the records after it
    path = _jsonl(tmp_path / name, lines)
    whole = flat(iter_sources([str(path)]))
    shards = list(split([str(path)], records=3))
    assert len(shards) == 4 and all(isinstance(s, JsonLines) for s in shards)
    assert sharded([str(path)], records=3) == whole
    assert sharded([str(path)], records=1000, size=200) == whole  # cut by bytes instead


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    texts=st.lists(st.text(min_size=0, max_size=40), min_size=0, max_size=12),
    records=st.integers(1, 5),
    size=st.integers(1, 300),
    trailing=st.booleans(),
)
def test_any_json_lines_file_reads_back_the_same_however_it_is_cut(
    tmp_path: Path, texts: list[str], records: int, size: int, trailing: bool
) -> None:
    path = tmp_path / "h.jsonl"
    body = "\n".join(json.dumps({"text": t}) if t.strip() else t for t in texts)
    path.write_text(body + ("\n" if trailing else ""), encoding="utf-8", errors="surrogatepass")
    assert sharded([str(path)], records=records, size=size) == flat(iter_sources([str(path)]))


def test_a_record_over_the_size_limit_is_the_same_problem_in_a_shard(tmp_path: Path) -> None:
    big = "word " * 400
    path = _jsonl(tmp_path / "big.jsonl", [json.dumps(_record(1)), json.dumps(_record(2, big)), "{}"])
    limits = Limits(max_chars=200)
    whole = flat(iter_sources([str(path)], limits=limits))
    shards = list(split([str(path)], records=1))
    got = flat(item for shard in shards for item in read_shard(shard, limits=limits))
    assert got == whole and [r.get("code") for r in got] == [None, "E006", "E007"]


def test_a_parquet_file_is_cut_into_row_ranges_within_its_row_groups(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    rows = [_record(n, id=f"p{n}", published=f"2024-05-0{n % 9 + 1}") for n in range(7)]
    rows[2]["text"] = ""  # a row without text is a problem of its own
    path = tmp_path / "a.parquet"
    pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=4)
    whole = flat(iter_sources([str(path)]))
    assert len(whole) == 7 and whole[2]["code"] == "E007" and whole[0]["input"].endswith("a.parquet:p0")
    shards = list(split([str(path)], records=3))
    assert [(s.start, s.stop) for s in shards if isinstance(s, ParquetRows)] == [(0, 3), (3, 4), (4, 7)]
    assert sharded([str(path)], records=3) == whole


def test_a_warc_file_is_cut_between_records_and_names_them_as_read_whole(tmp_path: Path) -> None:
    records = []
    for n in range(7):
        page = PAGE.format(title=f"Page {n}", body=f"Archived report number {n} about the harbour strike.")
        records.append((f"https://example.org/{n}", "text/html", page.encode()))
        if n == 3:
            records.append(("https://example.org/logo.png", "image/png", b"\x89PNG"))
    for name in ("crawl.warc.gz", "crawl.warc"):
        path = _warc(tmp_path / name, records)
        whole = flat(iter_sources([str(path)]))
        shards = list(split([str(path)], records=2))
        assert len(shards) == 4 and all(isinstance(s, WarcRecords) for s in shards)
        assert sharded([str(path)], records=2) == whole and len(whole) == 7
        assert sharded([str(path)], records=100, size=1) == whole  # one record per shard


def test_a_damaged_warc_file_is_left_whole_and_reported_as_when_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "bad.warc.gz"
    path.write_bytes(b"not a warc file at all")
    assert [type(s) for s in split([str(path)])] == [WarcRecords]
    got = sharded([str(path)])
    assert got == flat(iter_sources([str(path)])) and got[0]["code"] == "E015"


def test_folders_of_small_files_are_gathered_into_shards_with_metadata_overrides(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(5):
        (folder / f"{n}.txt").write_text(f"Officials said on day {n} that the port would reopen.")
    (folder / "page.html").write_text(PAGE.format(title="A page", body="Ministers said talks would go on."))
    _jsonl(folder / "more.jsonl", [json.dumps(_record(n)) for n in range(3)])
    (folder / "empty.txt").write_text("  ")
    (tmp_path / "nothing").mkdir()
    sources = [str(folder), str(tmp_path / "missing.txt"), str(tmp_path / "nothing")]
    overrides = Metadata(outlet="Wire", published="2024-06-01")
    whole = flat(iter_sources(sources, overrides=overrides))
    shards = list(split(sources, records=2, overrides=overrides))
    assert {type(s) for s in shards} == {Paths, JsonLines, Inline}
    assert sharded(sources, records=2, overrides=overrides) == whole
    assert whole[0]["meta"]["outlet"] == "Wire"
