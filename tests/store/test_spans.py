"""Derived stage spans (migration 008, qms/units/spans_store.py): the rows every write keeps equal a
full rebuild from the events, whatever the order the events were recorded in."""

from __future__ import annotations

import datetime as dt

import pytest
from test_units_and_events import CSV, TODAY  # the same four units, one merged away on 01/01/2020

from qms.accounts.rules import system_principal
from qms.coverage import queries as coverage
from qms.kernel.migrations import MIGRATIONS_DIR
from qms.units import spans_store as spans
from qms.units.events_store import record_event
from qms.units.importer import parse_units_csv
from qms.units.model import EventType, NewEvent, Stage, Standard
from qms.units.store import import_units


def _event(kind, day, code="03386"):
    kw = {}
    if kind in (EventType.ANNOUNCED, EventType.RE_ANNOUNCED):
        kw = {"decision_no": "5/QĐ-UBND", "standard": Standard.ISO_2008}
    return NewEvent(unit_code=code, event_type=kind, event_date=dt.date.fromisoformat(day), **kw)


def _kept_and_rebuilt(db) -> tuple[dict, dict]:
    """(rows as the writes left them, rows of a full rebuild); the rebuild is rolled back."""
    cur = db.cursor()
    try:
        kept = spans.contents(cur)
        cur.execute("BEGIN TRANSACTION")
        spans.rebuild(cur)
        rebuilt = spans.contents(cur)
        cur.execute("ROLLBACK")
    finally:
        cur.close()
    return kept, rebuilt


@pytest.fixture
def history_db(db):
    import_units(db, parse_units_csv(CSV), actor=system_principal("tester"))
    for e in (
        _event(EventType.BUILD_STARTED, "2016-03-01"), _event(EventType.APPLIED, "2017-01-10"),
        _event(EventType.INTERNAL_AUDIT, "2017-05-01"), _event(EventType.MANAGEMENT_REVIEW, "2017-06-01"),
        _event(EventType.ANNOUNCED, "2017-09-01"), _event(EventType.RE_ANNOUNCED, "2020-02-01"),
    ):
        record_event(db, e, actor=system_principal("officer"), today=TODAY)
    return db


def test_fresh_database_has_empty_spans(db):
    kept, rebuilt = _kept_and_rebuilt(db)
    assert kept == rebuilt == {t: [] for t in spans.TABLES}


def test_spans_after_writes_equal_a_rebuild(history_db):
    kept, rebuilt = _kept_and_rebuilt(history_db)
    assert kept == rebuilt
    assert [r[1:4] for r in kept["unit_stage_spans"]] == [
        (1, dt.date(2016, 3, 1), dt.date(2017, 1, 10)), (2, dt.date(2017, 1, 10), dt.date(2017, 9, 1)),
        (3, dt.date(2017, 9, 1), dt.date(2020, 2, 1)), (3, dt.date(2020, 2, 1), None),
    ]


def test_backdated_event_in_the_middle_of_history_splits_the_span(history_db):
    record_event(history_db, _event(EventType.RE_ANNOUNCED, "2018-10-01"), actor=system_principal("officer"), today=TODAY)
    record_event(history_db, _event(EventType.INTERNAL_AUDIT, "2018-03-01"), actor=system_principal("officer"), today=TODAY)
    record_event(history_db, _event(EventType.MANAGEMENT_REVIEW, "2018-04-01"), actor=system_principal("officer"), today=TODAY)
    kept, rebuilt = _kept_and_rebuilt(history_db)
    assert kept == rebuilt
    assert (3, dt.date(2017, 9, 1), dt.date(2018, 10, 1)) in [r[1:4] for r in kept["unit_stage_spans"]]
    assert ("03386", 2018, dt.date(2018, 4, 1)) in kept["unit_year_maintenance"]
    assert coverage.stage_of(history_db, "03386", dt.date(2019, 1, 1)) == (Stage.ANNOUNCED, dt.date(2018, 10, 1))


def test_event_of_a_merged_unit_is_kept_and_only_that_unit_is_rewritten(history_db):
    before = _kept_and_rebuilt(history_db)[0]
    record_event(history_db, _event(EventType.BUILD_STARTED, "2016-05-01", code="03397"), actor=system_principal("officer"), today=TODAY)
    record_event(history_db, _event(EventType.APPLIED, "2018-05-01", code="03397"), actor=system_principal("officer"), today=TODAY)
    kept, rebuilt = _kept_and_rebuilt(history_db)
    assert kept == rebuilt
    assert [r for r in kept["unit_stage_spans"] if r[0] == "03386"] == before["unit_stage_spans"]
    assert [r[1:4] for r in kept["unit_stage_spans"] if r[0] == "03397"] == [
        (1, dt.date(2016, 5, 1), dt.date(2018, 5, 1)), (2, dt.date(2018, 5, 1), None)]
    # merged away on 01/01/2020: counted in 2019, not after
    communes = {c.level.value: c for c in coverage.by_level(history_db, dt.date(2019, 6, 1))}["commune"]
    assert (communes.in_plan, communes.applying) == (2, 1)
    communes = {c.level.value: c for c in coverage.by_level(history_db, dt.date(2020, 6, 1))}["commune"]
    assert (communes.in_plan, communes.applying) == (1, 0)


def test_refused_event_leaves_the_spans_untouched(history_db):
    before = _kept_and_rebuilt(history_db)[0]
    with pytest.raises(Exception):  # noqa: B017 - the rule's own error; what matters is that nothing changed
        record_event(history_db, _event(EventType.BUILD_STARTED, "2030-01-01"), actor=system_principal("officer"), today=TODAY)
    assert _kept_and_rebuilt(history_db)[0] == before


def test_demo_spans_equal_a_rebuild(demo_db):
    kept, rebuilt = _kept_and_rebuilt(demo_db)
    assert kept == rebuilt
    assert len(kept["unit_stage_spans"]) > 100


def test_migration_backfill_equals_a_rebuild(demo_db):
    """The INSERTs of 008 (the backfill of a database that had events before it) give the rows
    :func:`qms.units.spans_store.rebuild` gives."""
    sql = (MIGRATIONS_DIR / "008_stage_spans.sql").read_text(encoding="utf-8")
    inserts = [s.strip() for s in sql.split(";") if s.strip().startswith("INSERT")]
    assert len(inserts) == len(spans.TABLES)
    cur = demo_db.cursor()
    try:
        cur.execute("BEGIN TRANSACTION")
        for table in spans.TABLES:
            cur.execute(f"DELETE FROM {table}")  # noqa: S608
        for statement in inserts:
            # 008 ran on the table before 010 added the `inherited` column (default false)
            cur.execute(statement.replace("INSERT INTO unit_stage_spans WITH",
                                          "INSERT INTO unit_stage_spans (unit_code, stage, valid_from, valid_to) WITH"))
        backfilled = spans.contents(cur)
        cur.execute("ROLLBACK")
    finally:
        cur.close()
    assert backfilled == _kept_and_rebuilt(demo_db)[1]
