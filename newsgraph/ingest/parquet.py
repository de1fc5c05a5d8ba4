"""Parquet files (pyarrow): one article per row, with the fields of a JSON Lines record.

A row has ``text`` or ``html`` plus optional ``id``, ``url``, ``title``, ``published``,
``outlet``, ``author`` and ``language``, and is named ``FILE:ROW`` (1-based) or
``FILE:ID`` like a JSON Lines record. Date and time columns are read as ISO 8601 text.
Rows are read one row group at a time, so a large file never sits in memory whole;
``start``/``stop`` read a range of rows (a Ray task's share of the file).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..errors import BadInput
from ..model import Article, Problem
from . import Limits, record_article

PARQUET_EXTRA = "pip install 'newsgraph[parquet]'"


def parquet_rows(path: str | Path) -> int:
    """Rows in a Parquet file (from its footer), 0 when it cannot be read."""
    try:
        import pyarrow.parquet as pq

        return int(pq.ParquetFile(path).metadata.num_rows)
    except Exception:  # unreadable or no pyarrow: the reader reports it as a problem
        return 0


def row_groups(path: str | Path) -> list[int]:
    """The number of rows of each row group (raises ``BadInput`` E010 when unreadable)."""
    metadata = _open(str(path)).metadata
    return [metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)]


def parquet_articles(
    path: str, limits: Limits | None = None, *, start: int = 0, stop: int | None = None
) -> Iterator[Article | Problem]:
    """Articles from rows ``start`` to ``stop`` (all by default); a bad row or file is a Problem."""
    limits = limits or Limits()
    if not Path(path).is_file():
        yield Problem(path, "E001", str(BadInput("E001", path=path)))
        return
    try:
        handle = _open(path)
    except BadInput as err:
        yield Problem(path, err.code, f"{path}: {err}")
        return
    first = 0  # the index of the current row group's first row
    for group in range(handle.metadata.num_row_groups):
        size = handle.metadata.row_group(group).num_rows
        low, high = max(start, first), min(first + size, stop if stop is not None else first + size)
        if low < high:
            try:
                rows = handle.read_row_group(group).slice(low - first, high - low).to_pylist()
            except Exception as err:  # pyarrow raises its own error types for a damaged file
                detail = f"row group {group} could not be read ({type(err).__name__}: {err})"
                yield Problem(path, "E010", f"{path}: {BadInput('E010', detail=detail)}")
                return
            for offset, row in enumerate(rows):
                yield _row_article(f"{path}:{low + offset + 1}", row, limits)
        first += size
        if stop is not None and first >= stop:
            return


def _open(path: str) -> Any:
    try:
        import pyarrow.parquet as pq
    except ImportError as err:
        raise BadInput("E010", detail=f"reading Parquet needs pyarrow: {PARQUET_EXTRA}") from err
    try:
        return pq.ParquetFile(path)
    except Exception as err:  # pyarrow's ArrowInvalid and friends
        raise BadInput("E010", detail=f"not a readable Parquet file ({type(err).__name__}: {err})") from err


def _row_article(where: str, row: dict[str, Any], limits: Limits) -> Article | Problem:
    record = {k: v.isoformat() if isinstance(v, date | datetime) else v for k, v in row.items()}
    try:
        return record_article(where, record, limits)
    except BadInput as err:
        return Problem(where, err.code, f"{where}: {err}")
