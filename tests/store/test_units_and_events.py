"""Store round trips for units, events and targets, and the refusals that write nothing."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from qms.accounts.rules import system_principal
from qms.changelog import store as changelog
from qms.coverage import queries as coverage
from qms.coverage.targets_store import list_targets, set_targets
from qms.kernel.errors import ConflictError, ImportRowError, NotFound, ValidationError
from qms.units.events_store import record_event, unit_events
from qms.units.importer import parse_units_csv
from qms.units.model import EventType, Level, NewEvent, Standard, Target
from qms.units.store import get_unit, import_units, list_units, rename_unit

CSV = """gso_code,name,level,kind,parent_gso_code,valid_from,valid_to
12,Tỉnh Lai Châu,province,tinh,,,
105,Thành phố Lai Châu,district,thanh_pho,12,,
03386,Phường Quyết Thắng,commune,phuong,105,,
03397,Xã Sùng Phài,commune,xa,105,,2020-01-01
"""
TODAY = dt.date(2021, 6, 1)


@pytest.fixture
def units_db(db):
    import_units(db, parse_units_csv(CSV), actor=system_principal("tester"))
    return db


def _event(kind, day, code="03386", **kw):
    if kind in (EventType.ANNOUNCED, EventType.RE_ANNOUNCED):
        kw.setdefault("decision_no", "5/QĐ-UBND")
        kw.setdefault("standard", Standard.ISO_2008)
    return NewEvent(unit_code=code, event_type=kind, event_date=dt.date.fromisoformat(day), **kw)


def test_import_then_list_round_trip(units_db):
    units = list_units(units_db, as_of=TODAY)
    assert [u.code for u in units] == ["12", "105", "03386"]  # 03397 is gone by 2021
    assert get_unit(units_db, "03386", as_of=TODAY).parent_name == "Thành phố Lai Châu"


def test_reimporting_the_same_file_changes_nothing(units_db):
    summary = import_units(units_db, parse_units_csv(CSV), actor=system_principal("tester"))
    assert (summary.new, summary.unchanged) == (0, 4)


def test_import_with_one_conflicting_row_writes_nothing(units_db):
    text = CSV.replace("Phường Quyết Thắng", "Phường Khác") + "03387,Phường Tân Phong,commune,phuong,105,,\n"
    with pytest.raises(ImportRowError) as info:
        import_units(units_db, parse_units_csv(text), actor=system_principal("tester"))
    assert info.value.problems[0][0] == "line 4" and "already exists with other data" in info.value.problems[0][1]
    assert not [u for u in list_units(units_db, as_of=TODAY) if u.code == "03387"]


def test_unknown_parent_is_named(db):
    with pytest.raises(ImportRowError, match="parent code 999"):
        import_units(db, parse_units_csv("gso_code,name,level,kind,parent_gso_code\n03386,P,commune,phuong,999\n"), actor=system_principal("t"))


def test_rename_keeps_the_old_name_for_earlier_dates(units_db):
    rename_unit(units_db, "03386", "Phường Mới", on=dt.date(2020, 1, 1), actor=system_principal("t"))
    assert get_unit(units_db, "03386", as_of=dt.date(2019, 12, 31)).name == "Phường Quyết Thắng"
    assert get_unit(units_db, "03386", as_of=dt.date(2020, 1, 1)).name == "Phường Mới"


def test_record_event_round_trip_and_log(units_db):
    saved = record_event(units_db, _event(EventType.BUILD_STARTED, "2016-03-01"), actor=system_principal("officer"), today=TODAY)
    assert unit_events(units_db, "03386") == [saved]
    assert saved.recorded_by == "officer"
    log = changelog.entries(units_db, entity="qms_events")
    assert log[0]["actor"] == "officer" and log[0]["entity_key"] == f"03386#{saved.id}"


def test_refused_event_writes_nothing(units_db):
    before = units_db.scalar("SELECT count(*) FROM change_log")
    with pytest.raises(ValidationError):
        record_event(units_db, _event(EventType.ANNOUNCED, "2016-03-01"), actor=system_principal("t"), today=TODAY)
    assert unit_events(units_db, "03386") == []
    assert units_db.scalar("SELECT count(*) FROM change_log") == before


def test_event_for_unknown_unit_is_refused(units_db):
    with pytest.raises(NotFound, match="no unit with code 99999"):
        record_event(units_db, _event(EventType.BUILD_STARTED, "2016-03-01", code="99999"), actor=system_principal("t"), today=TODAY)


def test_event_after_merger_is_refused(units_db):
    with pytest.raises(ValidationError, match="no longer existed"):
        record_event(units_db, _event(EventType.BUILD_STARTED, "2020-01-01", code="03397"), actor=system_principal("t"), today=TODAY)


def test_targets_round_trip_and_only_changes_are_logged(db):
    targets = [Target(level=Level.COMMUNE, year=2017, target_pct=80.0)]
    assert set_targets(db, targets, actor=system_principal("lead")) == 1
    assert set_targets(db, targets, actor=system_principal("lead")) == 0
    assert list_targets(db) == targets
    assert len(changelog.entries(db, entity="targets")) == 1


def test_concurrent_writers_on_one_unit_cannot_both_pass_the_rule(units_db):
    """Two announcements of the same applied unit at once: exactly one is recorded."""
    for kind, day in ((EventType.BUILD_STARTED, "2016-01-01"), (EventType.APPLIED, "2016-05-01")):
        record_event(units_db, _event(kind, day), actor=system_principal("t"), today=TODAY)
    results: list[str] = []

    def announce():
        try:
            record_event(units_db, _event(EventType.ANNOUNCED, "2016-09-01"), actor=system_principal("t"), today=TODAY)
            results.append("saved")
        except (ValidationError, ConflictError) as e:
            results.append(type(e).__name__)

    threads = [threading.Thread(target=announce) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(results).count("saved") == 1
    assert sum(1 for e in unit_events(units_db, "03386") if e.event_type is EventType.ANNOUNCED) == 1


def test_stage_of_uses_the_as_of_date(units_db):
    record_event(units_db, _event(EventType.BUILD_STARTED, "2016-01-01"), actor=system_principal("t"), today=TODAY)
    assert coverage.stage_of(units_db, "03386", dt.date(2015, 12, 31))[0].value == "not_started"
    assert coverage.stage_of(units_db, "03386", dt.date(2016, 1, 1))[0].value == "building"
