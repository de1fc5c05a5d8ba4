"""The writer's hot statements on the driver's cursor (sqlite3 or psycopg), in the caller's transaction.

Through SQLAlchemy Core each small statement cost several times its run time in building
the expression, its cache key, compiling and result set-up: at 10,000 stored articles the
writer spent more CPU on that than SQLite spent running its statements. The statements
here are plain SQL with ``:name`` parameters (sqlite3's style, turned into ``%(name)s``
for psycopg), run on the DBAPI connection under the SQLAlchemy ``Connection``, so they
join its transaction. Values are passed as they are (text, numbers, booleans, None), as
SQLAlchemy passes them for the column types these tables use.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

__all__ = ["execute", "insert", "rows", "sql"]

_PARAM = re.compile(r"(?<![:\w]):(\w+)")


@lru_cache(maxsize=512)
def _pyformat(text: str) -> str:
    return _PARAM.sub(r"%(\1)s", text)


def sql(conn: Connection, text: str) -> str:
    """``text`` (``:name`` parameters) in the connection's driver's parameter style."""
    return text if conn.dialect.name == "sqlite" else _pyformat(text)


def _cursor(conn: Connection) -> Any:
    return conn.connection.driver_connection.cursor()  # type: ignore[union-attr]


def execute(conn: Connection, text: str, params: Mapping[str, Any] | Sequence[Mapping[str, Any]] = ()) -> Any:
    """Run one statement (a list of parameter sets: ``executemany``); returns the cursor."""
    cursor = _cursor(conn)
    if isinstance(params, Mapping):
        cursor.execute(sql(conn, text), params)
    elif params:
        cursor.executemany(sql(conn, text), params)
    else:
        cursor.execute(sql(conn, text))
    return cursor


def rows(conn: Connection, text: str, params: Mapping[str, Any] | None = None) -> list[Any]:
    """The rows (tuples) a query returns."""
    return list(execute(conn, text, params or {}).fetchall())


@lru_cache(maxsize=256)
def _insert_sql(dialect: str, table: str, columns: tuple[str, ...]) -> str:
    quote = _quoter(dialect)
    names = ", ".join(quote(c) for c in columns)
    marks = ", ".join((f":{c}" if dialect == "sqlite" else f"%({c})s") for c in columns)
    return f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})"


def _quoter(dialect: str) -> Any:
    from sqlalchemy.dialects import postgresql, sqlite

    module: Any = sqlite if dialect == "sqlite" else postgresql
    return module.dialect().identifier_preparer.quote


def insert(conn: Connection, table: sa.Table, items: Iterable[Mapping[str, Any]]) -> None:
    """``INSERT`` the rows ``items`` (every row with the first row's keys) into ``table``."""
    batch = list(items)
    if not batch:
        return
    columns = tuple(batch[0])
    dialect = conn.dialect.name
    text = _insert_sql(dialect, table.name, columns)
    _cursor(conn).executemany(text, batch)
