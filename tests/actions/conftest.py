"""Fixtures of the action tests: a small province in a real DuckDB file, audits submitted through
the real store path, and the submit hook applied as the integrator will apply it."""

from __future__ import annotations

import datetime as dt

import pytest
from action_world import ADMIN, AUDITOR, CSV, ISO2008, OFFICER, OTHER_AUDITOR, OTHER_OFFICER, TODAY, VIEWER, events

from qms.accounts.rules import system_principal
from qms.actions.store import create_actions_for_audit_in
from qms.audits.checklists import LoadedTemplates, load_templates
from qms.audits.rules import AnswerInput, AuditKind, NewAudit, Result
from qms.audits.store import get_audit, save_answers, start_audit, submit_audit
from qms.kernel.settings import PROJECT_ROOT
from qms.units.events_store import record_events_in
from qms.units.importer import parse_units_csv
from qms.units.store import import_units


@pytest.fixture(scope="session")
def shipped() -> LoadedTemplates:
    return load_templates(PROJECT_ROOT / "checklists")


@pytest.fixture
def world(db, make_account):
    """An empty migrated database holding six units, each applying its QMS since 2014, and the
    accounts of the principals in ``action_world``."""
    import_units(db, parse_units_csv(CSV), actor=system_principal("tester"))
    db.write(lambda cur: record_events_in(cur, events(), actor=system_principal("tester"), today=TODAY))
    for principal in (ADMIN, OFFICER, OTHER_OFFICER, AUDITOR, OTHER_AUDITOR, VIEWER):
        make_account(db, principal)
    return db


@pytest.fixture
def audit(world, shipped):
    """``audit(unit, day, {item_ref: Result}, kind=..., template=...)`` -> the id of an audit
    submitted through the store (every other item conforming), then the submit hook's call
    (:func:`create_actions_for_audit_in`), or with ``hook=False`` its findings left without actions."""

    def make(unit: str, day: str, found: dict[str, Result], kind=AuditKind.INTERNAL_AUDIT, template=ISO2008,
             hook: bool = True) -> int:
        entry = shipped.latest(template)
        new = NewAudit(unit_code=unit, template_id=template, kind=kind, auditor="Lò Văn Minh",
                       audit_date=dt.date.fromisoformat(day))
        audit_id = start_audit(world, new, entry, actor=system_principal("tester"), today=TODAY)
        view = get_audit(world, audit_id)
        answers = [AnswerInput(item_ref=s.ref, result=found.get(s.ref, Result.CONFORM),
                               note=f"Phát hiện tại mục {s.ref}" if s.ref in found else None) for s in view.specs]
        saved = save_answers(world, audit_id, answers, expected_version=view.row_version, actor=system_principal("tester"))
        submit_audit(world, audit_id, expected_version=saved.version, actor=system_principal("tester"), today=TODAY)
        if hook:  # idempotent: a no-op once submit_audit itself makes this call
            world.write(lambda cur: create_actions_for_audit_in(cur, audit_id, actor=system_principal("tester"), today=TODAY))
        else:     # findings filed before actions existed (a database from before the upgrade)
            world.write(lambda cur: [cur.execute(
                "DELETE FROM action_events WHERE action_id IN (SELECT id FROM actions WHERE audit_id = ?)", [audit_id]),
                cur.execute("DELETE FROM actions WHERE audit_id = ?", [audit_id])])
        return audit_id

    return make
