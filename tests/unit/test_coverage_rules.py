"""Coverage formulas with plain numbers: zero and boundary cases included."""

from __future__ import annotations

import datetime as dt

import pytest

from qms.coverage.rules import coverage_from_events, gap_pct, rate_pct, year_points
from qms.units.model import EventType, Level, NewEvent, Standard, UnitRecord


def test_rate_rounds_to_two_decimals():
    assert rate_pct(65, 108) == 60.19


def test_rate_of_nothing_is_none_not_zero():
    assert rate_pct(0, 0) is None


def test_rate_zero_and_full():
    assert rate_pct(0, 5) == 0.0 and rate_pct(5, 5) == 100.0


def test_impossible_counts_raise():
    with pytest.raises(ValueError):
        rate_pct(6, 5)


@pytest.mark.parametrize("rate,target,gap", [(60.19, 80.0, 19.81), (80.0, 80.0, 0.0), (95.0, 80.0, 0.0), (None, 80.0, None), (50.0, None, None)])
def test_gap(rate, target, gap):
    assert gap_pct(rate, target) == gap


def test_year_points_cut_the_last_year_at_the_as_of_date():
    assert year_points(2015, dt.date(2017, 3, 4)) == [(2015, dt.date(2015, 12, 31)), (2016, dt.date(2016, 12, 31)), (2017, dt.date(2017, 3, 4))]


def _unit(code, level=Level.COMMUNE, **kw):
    return UnitRecord(code=code, name=f"Xã {code}", level=level, kind="xa", parent_code="105", **kw)


def _announce(code, day):
    d = dt.date.fromisoformat(day)
    return [
        NewEvent(unit_code=code, event_type=EventType.BUILD_STARTED, event_date=d - dt.timedelta(days=200)),
        NewEvent(unit_code=code, event_type=EventType.APPLIED, event_date=d - dt.timedelta(days=100)),
        NewEvent(unit_code=code, event_type=EventType.ANNOUNCED, event_date=d, decision_no="1/QĐ", standard=Standard.ISO_2008),
    ]


def test_reference_counts_every_level_with_zeros():
    counts = coverage_from_events([], [], dt.date(2016, 12, 31))
    assert set(counts) == {Level.DEPARTMENT, Level.DISTRICT, Level.COMMUNE}
    assert all(c.in_plan == 0 for c in counts.values())


def test_reference_counts_an_announcement_on_the_as_of_date():
    units = [_unit("03386"), _unit("03387")]
    counts = coverage_from_events(units, _announce("03386", "2016-12-31"), dt.date(2016, 12, 31))[Level.COMMUNE]
    assert (counts.in_plan, counts.announced, counts.not_started) == (2, 1, 1)


def test_reference_leaves_out_a_merged_unit_from_its_merger_date():
    units = [_unit("03386"), _unit("03397", valid_to=dt.date(2020, 1, 1))]
    assert coverage_from_events(units, [], dt.date(2019, 12, 31))[Level.COMMUNE].in_plan == 2
    assert coverage_from_events(units, [], dt.date(2020, 1, 1))[Level.COMMUNE].in_plan == 1


def test_reference_leaves_out_units_not_in_the_plan():
    units = [_unit("03386"), _unit("03387", in_plan=False)]
    assert coverage_from_events(units, [], dt.date(2019, 12, 31))[Level.COMMUNE].in_plan == 1


def test_sort_by_gap_then_rate_then_name():
    from qms.coverage.rules import sort_by_gap
    from qms.units.model import DistrictCoverage

    def row(name, rate, gap):
        return DistrictCoverage(district_code=name, district_name=name, in_plan=1, announced=0, rate_pct=rate, target_pct=50.0, gap_pct=gap)

    rows = [row("A", 90.0, 0.0), row("B", None, None), row("C", 60.0, 0.0), row("D", 40.0, 10.0)]
    assert [r.district_name for r in sort_by_gap(rows)] == ["D", "C", "A", "B"]
