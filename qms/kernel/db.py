"""The one door to DuckDB: opening the file, cursors, and write transactions.

A :class:`Database` holds one DuckDB connection (the app keeps it for the life of the
process; the CLI for one command).  Every call takes its own cursor from it, so pages running
in different threads never share cursor state.  Writes go through :meth:`Database.write`, which
runs a function inside one transaction and retries it when DuckDB reports a write-write
conflict (DuckDB is optimistic: two writers on one row make the second one fail), and which
moves the data version (:meth:`Database.data_version`) inside that same transaction.
"""

from __future__ import annotations

import contextlib
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from qms.kernel.errors import ConflictError, DatabaseLocked, QmsError
from qms.kernel.settings import check_memory_limit, memory_limit_from_env

T = TypeVar("T")

#: How often a write that lost a race is tried again before the user is told.
WRITE_ATTEMPTS = 3


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc)
    return "lock" in text.lower() and ("Could not set lock" in text or "Conflicting lock" in text)


def _is_conflict(exc: Exception) -> bool:
    return isinstance(exc, duckdb.TransactionException) or "Conflict" in str(exc)


class Database:
    """An open, migrated qms database.

    Use :func:`open_database`; do not build one directly.  ``path`` is ``":memory:"`` for a
    throw-away database (benchmarks build one this way).
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, path: str):
        self._con = con
        self.path = path
        #: Differs for every opening: caches keyed on it never outlive the connection they read.
        self.token = uuid.uuid4().hex
        #: Whether the schema has ``data_writes`` (migration 011); None until first asked.
        self._stamps: bool | None = None

    def data_version(self) -> int:
        """A number that changes exactly when a write commits: how many write transactions have
        committed (:meth:`write` adds one row to ``data_writes`` in each).  Cached reads key on
        it, so they can never serve a figure older than the last committed write.

        Not ``max(change_log.id)``: ids come from a sequence when a row is inserted, so a
        transaction holding id 10 that commits after one holding id 11 leaves the maximum at 11
        and a cache keyed on it stale until the next write.  A count moves on every commit."""
        if self._stamping():
            return int(self.scalar("SELECT count(*) FROM data_writes"))
        return int(self.scalar("SELECT coalesce(max(id), 0) FROM change_log") or 0)  # a database before 011

    def _stamping(self) -> bool:
        if self._stamps is None:
            self._stamps = bool(self.scalar(
                "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() AND table_name = 'data_writes'"))
        return self._stamps

    def schema_changed(self) -> None:
        """Forget what is known of the schema (the migrations call it after applying)."""
        self._stamps = None

    # -- reads -----------------------------------------------------------------------------
    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A fresh cursor on the shared connection (one per call; never shared across threads)."""
        return self._con.cursor()

    def rows(self, sql: str, params: list[Any] | tuple[Any, ...] | dict[str, Any] = ()) -> list[tuple]:
        """Run a read query with bound parameters and return all rows."""
        cur = self.cursor()
        try:
            return cur.execute(sql, params).fetchall()
        except duckdb.Error as e:  # pragma: no cover - a bug in our SQL, not user input
            raise QmsError(f"The database could not answer a query: {e}") from e
        finally:
            cur.close()

    def dicts(self, sql: str, params: list[Any] | tuple[Any, ...] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        """Like :meth:`rows`, each row as a dict keyed by column name."""
        cur = self.cursor()
        try:
            cur.execute(sql, params)
            names = [d[0] for d in cur.description]
            return [dict(zip(names, row)) for row in cur.fetchall()]
        except duckdb.Error as e:  # pragma: no cover
            raise QmsError(f"The database could not answer a query: {e}") from e
        finally:
            cur.close()

    def scalar(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> Any:
        rows = self.rows(sql, params)
        return rows[0][0] if rows else None

    # -- writes ----------------------------------------------------------------------------
    def write(self, fn: Callable[[duckdb.DuckDBPyConnection], T], *, attempts: int = WRITE_ATTEMPTS) -> T:
        """Run ``fn(cursor)`` in one transaction; commit, or roll back everything on error.

        A DuckDB write-write conflict is retried up to ``attempts`` times (``fn`` must therefore
        read what its rule needs inside the transaction, never before it); after that the
        caller gets a :class:`ConflictError` and nothing was written.  A :class:`QmsError`
        raised by ``fn`` (a refused rule) rolls back and propagates unchanged.  Every committed
        transaction adds its row to ``data_writes`` (the data version), in the transaction.
        """
        last: Exception | None = None
        stamp = self._stamping()
        for attempt in range(attempts):
            cur = self.cursor()
            try:
                cur.execute("BEGIN TRANSACTION")
                result = fn(cur)
                if stamp:
                    cur.execute("INSERT INTO data_writes DEFAULT VALUES")
                cur.execute("COMMIT")
                return result
            except QmsError:
                _rollback(cur)
                raise
            except duckdb.Error as e:
                _rollback(cur)
                if _is_conflict(e):
                    last = e
                    time.sleep(0.02 * (attempt + 1))
                    continue
                raise QmsError(f"The database refused the change: {e}") from e
            except BaseException:
                _rollback(cur)
                raise
            finally:
                cur.close()
        raise ConflictError(
            "Someone else changed the same record at the same moment; nothing was saved. "
            "Your input is kept: check it and save again."
        ) from last

    def close(self) -> None:
        self._con.close()


def _rollback(cur: duckdb.DuckDBPyConnection) -> None:
    with contextlib.suppress(duckdb.Error):
        cur.execute("ROLLBACK")


def spill_directory(path: str | Path) -> Path:
    """Where DuckDB writes what does not fit in its memory limit: ``<db file>.tmp`` next to the
    database (DuckDB's own choice for a file), or a folder under the system temporary folder for
    ``:memory:``.  DuckDB creates it when it first spills and removes its files afterwards."""
    path_str = str(path)
    if path_str == ":memory:":
        return Path(tempfile.gettempdir()) / "qms-duckdb-spill"
    return Path(path_str + ".tmp")


def connect(path: str | Path, *, read_only: bool = False, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """Open the DuckDB file, creating its folder; turn a held lock into one clear sentence.

    ``memory_limit`` (default: ``QMS_MEMORY_LIMIT`` or 512MB, :func:`qms.kernel.settings.memory_limit_from_env`)
    caps DuckDB's buffers; larger sorts and joins spill to :func:`spill_directory`.  Without it
    DuckDB takes up to 80% of the RAM (a national snapshot held 1.8 GB).
    """
    path_str = str(path)
    try:
        limit = check_memory_limit(memory_limit) if memory_limit else memory_limit_from_env()
    except ValueError as e:
        raise QmsError(f"QMS_MEMORY_LIMIT: {e}.", vi=f"QMS_MEMORY_LIMIT không hợp lệ: {e}.") from e
    if path_str != ":memory:":
        Path(path_str).parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(path_str, read_only=read_only)
    except duckdb.Error as e:
        if _is_lock_error(e):
            raise DatabaseLocked(
                f"The database {path_str} is in use by another process (usually the running qms app); "
                "stop the app first, or do this from the app's pages (exports: the 'Báo cáo & xuất dữ liệu' page)."
            ) from e
        raise QmsError(f"Cannot open the database {path_str}: {e}") from e
    con.execute("SET enable_progress_bar = false")
    # Timestamps are stored in UTC whatever the server's zone: current_timestamp defaults and
    # TIMESTAMPTZ casts follow this setting (every cursor of the connection inherits it).
    con.execute("SET GLOBAL TimeZone = 'UTC'")
    con.execute(f"SET memory_limit = '{limit}'")  # validated above: SET memory_limit takes no bound parameter
    spill = str(spill_directory(path_str))
    # A second connection to a file already open in this process shares its DuckDB instance,
    # whose spill folder cannot be set again once something spilled: set it only when it differs.
    if con.execute("SELECT current_setting('temp_directory')").fetchall()[0][0] != spill:
        con.execute("SET temp_directory = ?", [spill])
    return con


def open_database(path: str | Path, *, migrate: bool = True, memory_limit: str | None = None) -> Database:
    """Open (creating if needed) and migrate the database at ``path`` (``memory_limit``: see :func:`connect`)."""
    from qms.kernel import migrations

    con = connect(path, memory_limit=memory_limit)
    db = Database(con, str(path))
    if migrate:
        migrations.apply(db)
    return db


@contextlib.contextmanager
def opened(path: str | Path) -> Iterator[Database]:
    """Open, migrate, yield, close: for the CLI and scripts."""
    db = open_database(path)
    try:
        yield db
    finally:
        db.close()


class InTransaction:
    """The read doors of :class:`Database` (``rows``, ``scalar``, ``cursor``) bound to the open
    transaction's cursor: a write reads its facts through the same query functions the pages use
    and sees what it wrote a moment before, not yet committed."""

    def __init__(self, cur):
        self._cur = cur

    def rows(self, sql: str, params=()) -> list[tuple]:
        return self._cur.execute(sql, params).fetchall()

    def scalar(self, sql: str, params=()):
        rows = self.rows(sql, params)
        return rows[0][0] if rows else None

    def cursor(self):
        return self._cur

