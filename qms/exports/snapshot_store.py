"""Reading a consistent picture of the database and copying query results to Parquet files.

The export writer (:mod:`qms.exports.snapshot`) never talks to DuckDB itself: it opens a
:func:`read_snapshot` (one read-only transaction, so every table of a snapshot sees the same
committed state even while the app keeps writing) and hands each table's SELECTs to
:func:`write_parquet`, which streams their rows from DuckDB as Arrow batches into one pyarrow
``ParquetWriter`` cut in fixed row groups: no extension, no network, and byte-identical files for
identical rows (checked by the tests).  A big table is read as several SELECTs over ascending key
ranges, each sorted in memory: one ``COPY (... ORDER BY ...)`` of millions of rows spilled its
sort to disk under the app's 512MB memory limit and took most of a national snapshot's time.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import queue
import re
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from qms.exports.registry import CHUNK_ROWS, ExportTable, SnapshotSource
from qms.kernel.errors import QmsError

_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")



def sha256_file(path: Path) -> str:
    """The SHA-256 of a file, read a megabyte at a time (snapshot files, checked by the roll-up and
    the roll-up database against their manifest)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()

def quote_ident(name: str) -> str:
    """A column or table name for SQL; only plain snake_case names are accepted."""
    if not _IDENT.match(name):
        raise ValueError(f"not a plain identifier: {name!r}")
    return f'"{name}"'


class SnapshotReader:
    """The read API of :class:`qms.kernel.db.Database` (``rows``, ``dicts``, ``scalar``) bound to
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
    """One read-only transaction on ``db`` (a :class:`~qms.kernel.db.Database`), rolled back at the end."""
    cur = db.cursor()
    try:
        cur.execute("BEGIN TRANSACTION READ ONLY")
        yield SnapshotReader(cur, db.path)
    finally:
        with contextlib.suppress(duckdb.Error):
            cur.execute("ROLLBACK")
        cur.close()


#: Rows per Parquet row group.  Every file is cut into groups of exactly this many rows (the
#: last one shorter), whatever the chunks the rows were read in, so the bytes depend only on
#: the rows (DuckDB's own COPY uses the same size).
ROW_GROUP_ROWS = 122_880


class ParquetSink:
    """Append Arrow tables to one Parquet file of a fixed schema, in row groups of
    :data:`ROW_GROUP_ROWS` rows whatever the sizes of the appended tables.

    The Parquet encoding runs in a background thread (pyarrow releases the GIL), so DuckDB can
    compute the next chunk while the previous one is compressed; the order of :meth:`append`
    calls is the order of the rows in the file.  :meth:`close` waits for the thread and raises
    what it raised.
    """

    def __init__(self, path: Path, schema: pa.Schema):
        self.schema = schema
        self.rows = 0
        self._writer = pq.ParquetWriter(str(path), schema, compression="snappy")
        self._pending: list[pa.Table] = []
        self._pending_rows = 0
        self._queue: queue.Queue = queue.Queue(maxsize=2)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="qms-parquet-sink", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            if self._error is None:
                try:
                    self._writer.write_table(item, row_group_size=ROW_GROUP_ROWS)
                except BaseException as e:  # noqa: BLE001 - handed to close()
                    self._error = e

    def append(self, table: pa.Table) -> None:
        if self._error is not None:
            raise self._error
        if table.num_rows == 0:
            return
        table = table.rename_columns(self.schema.names).cast(self.schema)
        self.rows += table.num_rows
        self._pending.append(table)
        self._pending_rows += table.num_rows
        if self._pending_rows >= ROW_GROUP_ROWS:
            whole = pa.concat_tables(self._pending)
            cut = (self._pending_rows // ROW_GROUP_ROWS) * ROW_GROUP_ROWS
            self._queue.put(whole.slice(0, cut).combine_chunks())
            rest = whole.slice(cut)
            self._pending, self._pending_rows = [rest], rest.num_rows

    def close(self) -> int:
        """Write the last rows, close the file, return the row count."""
        try:
            if self._error is None and self._pending_rows:
                self._queue.put(pa.concat_tables(self._pending).combine_chunks())
        finally:
            self._pending = []
            self._queue.put(None)
            self._thread.join()
            self._writer.close()
        if self._error is not None:
            raise self._error
        return self.rows


def write_parquet(reader: SnapshotReader, queries: Iterable[tuple[str, dict[str, Any]]], path: Path, schema: pa.Schema, *,
                  rows: pa.Table | None = None, rows_name: str = "qms_export_rows") -> int:
    """Write the results of ``queries`` (SELECTs with their bound parameters), one after the
    other, to the Parquet file ``path`` with exactly ``schema``; return the row count.

    A big table comes as several queries over disjoint, ascending key ranges, each ordering
    its own rows (a sort of a few hundred thousand rows in memory instead of one sort of
    millions spilling to disk); their concatenation is the ordered table.  ``rows``, when
    given, is an Arrow table visible to the queries as ``rows_name`` (figures computed by store functions in Python go
    through the same SELECT and writer as plain queries).  The file's bytes depend only on the
    rows and the pyarrow version (fixed row groups, see :class:`ParquetSink`).  A failing query
    raises :class:`QmsError`; the caller removes what was half written.
    """
    cur = reader._cur
    if rows is not None:
        cur.register(rows_name, rows)
    sink = ParquetSink(path, schema)
    try:
        for sql, params in queries:
            result = cur.sql(sql, params=params) if params else cur.sql(sql)
            for batch in result.to_arrow_reader(ROW_GROUP_ROWS):
                sink.append(pa.Table.from_batches([batch]))
    except duckdb.Error as e:
        with contextlib.suppress(BaseException):
            sink.close()
        raise QmsError(f"{path.name} could not be written: {e}") from e
    except BaseException:
        with contextlib.suppress(BaseException):
            sink.close()
        raise
    finally:
        if rows is not None:
            cur.unregister(rows_name)
    return sink.close()


def writer_version() -> str:
    """The pyarrow version encoding the files (the Parquet bytes depend on it)."""
    return pa.__version__


def engine_version() -> str:
    """The DuckDB version computing the rows (recorded in the manifest with :func:`writer_version`)."""
    return duckdb.__version__


ARROW_TYPES: dict[str, pa.DataType] = {
    "VARCHAR": pa.string(), "BOOLEAN": pa.bool_(), "INTEGER": pa.int32(), "BIGINT": pa.int64(),
    "DOUBLE": pa.float64(), "DATE": pa.date32(), "TIMESTAMP": pa.timestamp("us"),
}


def _schema(table: ExportTable) -> pa.Schema:
    return pa.schema([(c.name, ARROW_TYPES[c.type]) for c in table.columns])


def _select(table: ExportTable, inner: str, where: str = "") -> str:
    """The table's SELECT with its declared types, ordered by its key; ``where`` keeps one
    key range (a chunk, see :func:`_queries`)."""
    cols = ", ".join(f"CAST(src.{quote_ident(c.name)} AS {c.type}) AS {quote_ident(c.name)}" for c in table.columns)
    if where:
        inner = f"SELECT * FROM ({inner}) AS chunk WHERE {where}"
    order = ", ".join(quote_ident(k) for k in table.order_by)
    return f"SELECT {cols} FROM ({inner}) AS src ORDER BY {order}"


def _arrow_rows(table: ExportTable, rows: list[dict]) -> pa.Table:
    names = [c.name for c in table.columns]
    for row in rows:
        if set(row) != set(names):
            raise RuntimeError(f"export table {table.name!r}: a row has keys {sorted(row)}, expected {sorted(names)}")
    return pa.Table.from_pylist(rows, schema=_schema(table))


def chunk_bounds(keys: list[tuple], chunk_rows: int = CHUNK_ROWS) -> list:
    """Key values where a new chunk starts: ``keys`` are ``(key, rows)`` pairs (any order);
    a chunk is cut once it holds ``chunk_rows`` rows.  Empty: one chunk."""
    bounds, held = [], 0
    for key, n in sorted((k, n) for k, n in keys if k is not None):
        if held >= chunk_rows:
            bounds.append(key)
            held = 0
        held += n or 0
    return bounds


def _queries(table: ExportTable, src: SnapshotSource, params: dict) -> list[tuple[str, dict]]:
    """The SELECTs writing ``table``: one, or one per key range (ascending, disjoint, covering
    every value: the first from below, the last to above and NULL, so rows outside
    ``keys_sql``'s estimate are still written, in order)."""
    if table.chunk is None:
        return [(_select(table, table.sql), params)]
    column, keys_sql = table.chunk
    bounds = chunk_bounds(src.reader.rows(keys_sql, {k: v for k, v in params.items() if f"${k}" in keys_sql}))
    key = f"chunk.{quote_ident(column)}"
    out = []
    for i in range(len(bounds) + 1):
        where, p = [], dict(params)
        if i > 0:
            where.append(f"{key} >= $chunk_lo")
            p["chunk_lo"] = bounds[i - 1]
        if i < len(bounds):
            where.append(f"{key} < $chunk_hi")
            p["chunk_hi"] = bounds[i]
            cond = " AND ".join(where)
        else:  # the last range also takes NULL keys, which ORDER BY puts last
            cond = f"({' AND '.join(where)}) OR {key} IS NULL" if where else "TRUE"
        out.append((_select(table, table.sql, cond), p))
    return out


def write_table(table: ExportTable, src: SnapshotSource, path: Path) -> int:
    """Write one registry table of the snapshot ``src`` to the Parquet file ``path``: its SQL (in key
    chunks when it has a ``chunk``), or its computed rows; returns the rows written."""
    if table.sql is not None:
        params = {k: v for k, v in (("as_of", src.as_of), ("year_start", dt.date(src.as_of.year, 1, 1)))
                  if f"${k}" in table.sql}
        return write_parquet(src.reader, _queries(table, src, params), path, _schema(table))
    rows = _arrow_rows(table, table.rows(src))
    return write_parquet(src.reader, [(_select(table, "SELECT * FROM qms_export_rows"), {})], path, _schema(table),
                         rows=rows, rows_name="qms_export_rows")
