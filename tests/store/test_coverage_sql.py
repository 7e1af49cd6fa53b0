"""Coverage in SQL agrees with the record-by-record reference, on the demo province."""

from __future__ import annotations

import datetime as dt

import pytest

from qms.coverage import queries as coverage
from qms.coverage.rules import coverage_from_events
from qms.units.model import COVERAGE_LEVELS, Level, NewEvent, UnitRecord


def _records(db):
    units = [
        UnitRecord(code=r[0], name="x", level=r[1], kind=r[2], parent_code=r[3], valid_from=r[4], valid_to=r[5], in_plan=r[6])
        for r in db.rows("SELECT code, level, kind, parent_code, valid_from, valid_to, in_plan FROM units")
    ]
    events = [
        NewEvent(unit_code=r[0], event_type=r[1], event_date=r[2], decision_no=r[3], standard=r[4])
        for r in db.rows("SELECT unit_code, event_type, event_date, decision_no, standard FROM qms_events ORDER BY event_date, id")
    ]
    return units, events


def test_demo_is_calibrated_to_the_published_2016_figure(demo_db):
    commune = next(r for r in coverage.by_level(demo_db, dt.date(2016, 12, 31)) if r.level is Level.COMMUNE)
    assert (commune.announced, commune.in_plan, commune.rate_pct) == (65, 108, 60.19)


def test_2021_denominator_is_the_106_communes_of_2021(demo_db):
    commune = next(r for r in coverage.by_level(demo_db, dt.date(2021, 12, 31)) if r.level is Level.COMMUNE)
    assert commune.in_plan == 106


def test_departments_and_districts_all_announced_by_2016_but_some_not_maintained(demo_db):
    rows = {r.level: r for r in coverage.by_level(demo_db, dt.date(2016, 12, 31))}
    for level in (Level.DEPARTMENT, Level.DISTRICT):
        assert rows[level].announced == rows[level].in_plan > 0
    assert rows[Level.DEPARTMENT].not_maintained > 0


@pytest.mark.parametrize("day", ["2014-05-18", "2015-06-30", "2016-12-31", "2017-01-01", "2019-12-31", "2020-01-01", "2021-12-31"])
def test_sql_matches_reference(demo_db, day):
    as_of = dt.date.fromisoformat(day)
    units, events = _records(demo_db)
    expected = coverage_from_events(units, events, as_of)
    for row in coverage.by_level(demo_db, as_of):
        ref = expected[row.level]
        assert (row.in_plan, row.announced, row.building, row.applying, row.never_started) == (
            ref.in_plan, ref.announced, ref.building, ref.applying, ref.not_started
        ), row.level


def test_district_rows_add_up_to_the_commune_level(demo_db):
    as_of = dt.date(2018, 6, 30)
    districts = coverage.by_district(demo_db, as_of)
    commune = next(r for r in coverage.by_level(demo_db, as_of) if r.level is Level.COMMUNE)
    assert len(districts) == 8
    assert sum(d.in_plan for d in districts) == commune.in_plan
    assert sum(d.announced for d in districts) == commune.announced


def test_trend_has_every_level_every_year_and_ends_on_the_as_of_date(demo_db):
    points = coverage.trend(demo_db, dt.date(2016, 12, 31))
    assert [(p.year, p.level) for p in points] == [(y, lv) for y in (2014, 2015, 2016) for lv in COVERAGE_LEVELS]
    last = next(p for p in points if p.year == 2016 and p.level is Level.COMMUNE)
    assert (last.announced, last.in_plan, last.target_pct) == (65, 108, 50.0)


def test_pending_units_are_the_not_announced_ones(demo_db):
    pending = coverage.not_announced(demo_db, dt.date(2016, 12, 31))
    assert len(pending) == 108 - 65
    assert all(p.days_in_stage >= 0 for p in pending)
    never = [p for p in pending if p.stage.value == "not_started"]
    assert never and all(p.stage_since == dt.date(2014, 5, 18) for p in never)


def test_empty_database_gives_zero_rows_for_every_level(db):
    rows = coverage.by_level(db, dt.date(2016, 12, 31))
    assert [(r.level, r.in_plan, r.rate_pct) for r in rows] == [(lv, 0, None) for lv in COVERAGE_LEVELS]
