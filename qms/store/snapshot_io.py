"""Reading a consistent picture of the database and copying query results to Parquet files.

The export writer (:mod:`qms.exports.snapshot`) never talks to DuckDB itself: it opens a
:func:`read_snapshot` (one read-only transaction, so every table of a snapshot sees the same
committed state even while the app keeps writing) and hands each table's SELECT to
:func:`copy_to_parquet`, which runs DuckDB's own ``COPY (...) TO ... (FORMAT parquet)``: no
extension, no network, and byte-identical files for identical rows (checked by the tests).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from qms.errors import QmsError

_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")


def quote_ident(name: str) -> str:
    """A column or table name for SQL; only plain snake_case names are accepted."""
    if not _IDENT.match(name):
        raise ValueError(f"not a plain identifier: {name!r}")
    return f'"{name}"'


class SnapshotReader:
    """The read API of :class:`qms.store.db.Database` (``rows``, ``dicts``, ``scalar``) bound to
    one open read-only transaction, so that store functions written for a ``Database`` (the
    coverage queries, the targets) read the same state as every other table of the snapshot.

    Not thread-safe: one snapshot is written by one thread.
    """

    def __init__(self, cur: duckdb.DuckDBPyConnection, path: str):
        self._cur = cur
        self.path = path

    def rows(self, sql: str, params: list | tuple | dict = ()) -> list[tuple]:
        try:
            return self._cur.execute(sql, params).fetchall()
        except duckdb.Error as e:
            raise QmsError(f"The database could not answer a query: {e}") from e

    def dicts(self, sql: str, params: list | tuple | dict = ()) -> list[dict[str, Any]]:
        try:
            self._cur.execute(sql, params)
            names = [d[0] for d in self._cur.description]
            return [dict(zip(names, row)) for row in self._cur.fetchall()]
        except duckdb.Error as e:
            raise QmsError(f"The database could not answer a query: {e}") from e

    def scalar(self, sql: str, params: list | tuple = ()) -> Any:
        rows = self.rows(sql, params)
        return rows[0][0] if rows else None

    def tables(self) -> set[str]:
        """Names of the base tables of the database (features add theirs by migration)."""
        return {r[0] for r in self.rows(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_type = 'BASE TABLE'")}

    def columns(self, table: str) -> set[str]:
        return {r[0] for r in self.rows(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' AND table_name = ?", [table])}


@contextlib.contextmanager
def read_snapshot(db) -> Iterator[SnapshotReader]:
    """One read-only transaction on ``db`` (a :class:`~qms.store.db.Database`), rolled back at the end."""
    cur = db.cursor()
    try:
        cur.execute("BEGIN TRANSACTION READ ONLY")
        yield SnapshotReader(cur, db.path)
    finally:
        with contextlib.suppress(duckdb.Error):
            cur.execute("ROLLBACK")
        cur.close()


def _literal_path(path: Path) -> str:
    # COPY takes the file name as a literal, not a parameter; the folder is ours (never user text
    # beyond the exports folder), and quotes are doubled.
    return "'" + str(path).replace("'", "''") + "'"


def copy_to_parquet(reader: SnapshotReader, select_sql: str, params: dict[str, Any], path: Path, *,
                    rows: pa.Table | None = None, rows_name: str = "qms_export_rows") -> int:
    """Write the result of ``select_sql`` to the Parquet file ``path``; return the row count.

    ``rows``, when given, is an Arrow table visible to ``select_sql`` as ``rows_name`` (figures
    computed by store functions in Python, such as the coverage rows, go through DuckDB the same
    way as plain queries, so every file is written by the same writer).  A failing query raises
    :class:`QmsError`; the caller removes what was half written.
    """
    cur = reader._cur
    if rows is not None:
        cur.register(rows_name, rows)
    try:
        result = cur.execute(f"COPY ({select_sql}) TO {_literal_path(path)} (FORMAT parquet)", params).fetchall()
        return int(result[0][0]) if result else 0
    except duckdb.Error as e:
        raise QmsError(f"{path.name} could not be written: {e}") from e
    finally:
        if rows is not None:
            cur.unregister(rows_name)


def engine_version() -> str:
    """The DuckDB version writing the files (the Parquet bytes depend on it)."""
    return duckdb.__version__
