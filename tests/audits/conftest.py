"""Fixtures of the audit tests: a small province in a real DuckDB file, the shipped checklists."""

from __future__ import annotations

import datetime as dt

import pytest
from audit_world import CSV, ISO2008, TODAY, events

from qms.accounts.rules import system_principal
from qms.audits.checklists import LoadedTemplates, load_templates
from qms.audits.rules import AuditKind, NewAudit
from qms.audits.store import start_audit
from qms.kernel.settings import PROJECT_ROOT
from qms.units.events_store import record_events_in
from qms.units.importer import parse_units_csv
from qms.units.store import import_units


@pytest.fixture(scope="session")
def shipped() -> LoadedTemplates:
    return load_templates(PROJECT_ROOT / "checklists")


@pytest.fixture
def world(db):
    """An empty migrated database holding five units and a short lifecycle history."""
    import_units(db, parse_units_csv(CSV), actor=system_principal("tester"))
    db.write(lambda cur: record_events_in(cur, events(), actor=system_principal("tester"), today=TODAY))
    return db


@pytest.fixture
def start(world, shipped):
    """``start(unit, template, kind, day)`` -> a new draft audit's id in ``world``."""

    def make(unit="03386", template=ISO2008, kind=AuditKind.INTERNAL_AUDIT, day="2015-06-10", auditor="Lò Văn Minh"):
        new = NewAudit(unit_code=unit, template_id=template, kind=kind, auditor=auditor, audit_date=dt.date.fromisoformat(day))
        return start_audit(world, new, shipped.latest(template), actor=system_principal("tester"), today=TODAY)

    return make
