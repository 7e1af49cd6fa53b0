"""Fixtures of the status import tests (helpers live in status_sheets.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from status_sheets import DIEN_BIEN_CSV, load_units

from qms.accounts.rules import Principal, Role
from qms.kernel.db import Database, open_database
from qms.kernel.settings import PROJECT_ROOT
from qms.units.importer import decode


@pytest.fixture
def dien_bien(db: Database) -> Database:
    """An empty database holding only the second province's units (no events)."""
    load_units(db, DIEN_BIEN_CSV, "dien_bien.csv")
    return db


@pytest.fixture
def lai_chau_units(db: Database) -> Database:
    """Lai Châu's 137 units without any lifecycle event: the province's first day."""
    source = PROJECT_ROOT / "data" / "demo" / "lai_chau_units.csv"
    load_units(db, decode(source.read_bytes(), source.name), source.name)
    return db


@pytest.fixture
def page_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_account) -> Iterator[Path]:
    """A database file for AppTest of the page: Điện Biên's units, the administrator ``lead``'s
    account, QMS_DB pointing at it."""
    import streamlit as st

    path = tmp_path / "page.duckdb"
    database = open_database(path)
    load_units(database, DIEN_BIEN_CSV, "dien_bien.csv")
    make_account(database, Principal(username="lead", role=Role.ADMIN))
    database.close()
    monkeypatch.setenv("QMS_DB", str(path))
    st.cache_resource.clear()
    yield path
    st.cache_resource.clear()
