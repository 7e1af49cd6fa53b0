"""The data version the overview's cache keys on (issue 14, defect 11).

It used to be ``max(change_log.id)``: ids come from a sequence when a row is inserted, so a
write that took id 10 and committed after one that took id 11 left the maximum unchanged, and
the overview served its cached figures without that write until the next one.  These tests make
exactly that interleaving with two real write transactions through ``Database.write``.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from qms.accounts.rules import system_principal
from qms.coverage import queries as coverage
from qms.kernel.errors import QmsError
from qms.units.events_store import record_events_in
from qms.units.model import EventType, Level, NewEvent

TODAY = dt.date(2021, 12, 31)
WRITER = system_principal("officer")


def _event(code: str) -> NewEvent:
    return NewEvent(unit_code=code, event_type=EventType.BUILD_STARTED, event_date=dt.date(2021, 6, 1))


def _not_started_communes(db) -> list[str]:
    return [c for (c,) in db.rows(
        f"""SELECT u.code FROM units u LEFT JOIN ({coverage.STAGE_ON_SQL}) s ON s.unit_code = u.code
            WHERE u.level = 'commune' AND u.valid_to IS NULL AND s.unit_code IS NULL ORDER BY u.code""",
        {"as_of": TODAY})]


def _communes_building(db) -> int:
    return next(r.building for r in coverage.by_level(db, TODAY) if r.level is Level.COMMUNE)


def test_a_write_committed_after_a_later_one_moves_the_version(demo_db):
    first, second = _not_started_communes(demo_db)[:2]
    logged = threading.Event()      # the slow writer has written its rows (and taken its change-log id)
    release = threading.Event()     # the slow writer may commit
    errors: list[BaseException] = []

    def slow_writer() -> None:
        def run(cur):
            record_events_in(cur, [_event(first)], actor=WRITER, today=TODAY)
            logged.set()
            assert release.wait(30)

        try:
            demo_db.write(run)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)
            logged.set()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    assert logged.wait(30)
    demo_db.write(lambda cur: record_events_in(cur, [_event(second)], actor=WRITER, today=TODAY))   # a later id, committed first
    seen_version, seen_building = demo_db.data_version(), _communes_building(demo_db)  # what a page run caches
    release.set()
    thread.join(30)
    assert not errors, errors
    assert _communes_building(demo_db) == seen_building + 1            # the slow write is in the data ...
    assert demo_db.data_version() != seen_version, "the cache key did not move when the earlier write committed"


def test_every_committed_write_moves_the_version_and_a_refused_one_does_not(demo_db):
    before = demo_db.data_version()
    code = _not_started_communes(demo_db)[0]
    demo_db.write(lambda cur: record_events_in(cur, [_event(code)], actor=WRITER, today=TODAY))
    after = demo_db.data_version()
    assert after == before + 1
    with pytest.raises(QmsError):  # the same event again: refused by the lifecycle rule, rolled back
        demo_db.write(lambda cur: record_events_in(cur, [_event(code)], actor=WRITER, today=TODAY))
    assert demo_db.data_version() == after
