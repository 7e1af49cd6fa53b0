"""Fixtures of the scope tests: a small province in an empty migrated database."""

from __future__ import annotations

import pytest
from scope_helpers import UNITS

from qms.store.units import import_units
from qms.accounts import system_principal


@pytest.fixture
def province(db):
    """An empty migrated database with a province, a department, a district and two communes."""
    import_units(db, list(enumerate(UNITS, start=2)), actor=system_principal("test"))
    return db
