"""A unit's own change history: its record, lifecycle events, catalogue and processes, and
nothing of another unit (even one whose code starts with the same digits)."""

from __future__ import annotations

import datetime as dt

from qms.accounts.rules import system_principal
from qms.changelog.store import unit_log
from qms.units.events_store import record_event
from qms.units.model import EventType, NewEvent
from qms.units.store import rename_unit


def _commune_without_events(db) -> str:
    return db.scalar("SELECT code FROM units u WHERE level = 'commune' AND valid_to IS NULL AND NOT EXISTS"
                     " (SELECT 1 FROM qms_events e WHERE e.unit_code = u.code) ORDER BY code LIMIT 1")


def test_a_units_log_holds_its_events_and_renames_with_their_authors(demo_db):
    code = _commune_without_events(demo_db)
    record_event(demo_db, NewEvent(unit_code=code, event_type=EventType.BUILD_STARTED, event_date=dt.date(2024, 2, 1)),
                 actor=system_principal("officer-a"), today=dt.date(2024, 3, 1))
    rename_unit(demo_db, code, "Xã Tên Mới", on=dt.date(2024, 2, 15), actor=system_principal("lead"))
    log = unit_log(demo_db, code)
    assert [(e["entity"], e["action"], e["actor"]) for e in log[:2]] == [
        ("units", "rename", "lead"), ("qms_events", "insert", "officer-a")]
    assert '"build_started"' in log[1]["after"] and "2024-02-01" in log[1]["after"]
    assert all(e["entity_key"] == code or e["entity_key"].startswith((f"{code}#", f"{code}/")) for e in log)


def test_another_units_writes_are_not_in_the_log(demo_db):
    code = _commune_without_events(demo_db)
    before = unit_log(demo_db, code)
    # a unit whose code extends this one's would match a careless prefix test
    demo_db.write(lambda cur: cur.execute(
        "INSERT INTO change_log (actor, action, entity, entity_key) VALUES ('x', 'insert', 'qms_events', ?)", [f"{code}9#1"]))
    other = demo_db.scalar("SELECT code FROM units WHERE level = 'commune' AND code <> ? ORDER BY code LIMIT 1", [code])
    rename_unit(demo_db, other, "Xã Khác", on=dt.date(2024, 2, 15), actor=system_principal("lead"))
    assert unit_log(demo_db, code) == before
    assert unit_log(demo_db, other)[0]["entity_key"] == other
