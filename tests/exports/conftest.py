"""Fixtures of the export tests: one demo snapshot as of 31/12/2016, written once per session."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from qms.accounts.rules import Principal, Role, system_principal
from qms.exports import indicators
from qms.exports.snapshot import Snapshot, write_snapshot
from qms.kernel.db import open_database

AS_OF_2016 = dt.date(2016, 12, 31)
FIXED_NOW = dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
#: Snapshots are written as the system, as the CLI and the nightly job write them.
ADMIN = system_principal("test-admin")
VIEWER = Principal(username="test-viewer", role=Role.VIEWER)


@pytest.fixture(scope="session")
def methodology():
    """The shipped sample methodology and its SHA-256."""
    return indicators.load()


@pytest.fixture(scope="session")
def demo_snapshot(demo_file: Path, tmp_path_factory: pytest.TempPathFactory, methodology) -> Snapshot:
    """A snapshot of the demo as of 31/12/2016 (read-only: tests must not change its files)."""
    folder = tmp_path_factory.mktemp("snapshot")
    db_path = shutil.copyfile(demo_file, folder / "demo.duckdb")
    db = open_database(db_path)
    try:
        return write_snapshot(db, folder / "exports", AS_OF_2016, methodology=methodology, actor=ADMIN, now=FIXED_NOW)
    finally:
        db.close()


AS_OF_2021 = dt.date(2021, 12, 31)


@pytest.fixture(scope="session")
def demo_snapshot_2021(demo_file: Path, tmp_path_factory: pytest.TempPathFactory, methodology) -> Snapshot:
    """A snapshot of the demo as of 31/12/2021 (after the merger of communes and the legal changes)."""
    folder = tmp_path_factory.mktemp("snapshot2021")
    db_path = shutil.copyfile(demo_file, folder / "demo.duckdb")
    db = open_database(db_path)
    try:
        return write_snapshot(db, folder / "exports", AS_OF_2021, methodology=methodology, actor=ADMIN, now=FIXED_NOW)
    finally:
        db.close()


def parquet_rows(path: Path, sql: str = "SELECT * FROM t") -> list[tuple]:
    """``sql`` over the Parquet file ``path`` visible as ``t`` (an in-memory DuckDB)."""
    import duckdb

    con = duckdb.connect()
    try:
        con.execute(f"CREATE VIEW t AS SELECT * FROM read_parquet('{path}')")
        return con.execute(sql).fetchall()
    finally:
        con.close()
