"""Fixtures of the scope tests: a small province in an empty migrated database."""

from __future__ import annotations

import pytest
from scope_helpers import UNITS, province_file

from qms.accounts.rules import system_principal
from qms.units.store import import_units


@pytest.fixture
def province(db):
    """An empty migrated database with a province, a department, a district and two communes."""
    import_units(db, list(enumerate(UNITS, start=2)), actor=system_principal("test"))
    return db


@pytest.fixture
def province_path(tmp_path):
    """A closed database file holding the test province (for the CLI and AppTest)."""
    return province_file(tmp_path)
