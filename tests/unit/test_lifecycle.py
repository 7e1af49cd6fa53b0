"""The lifecycle rules of Decision 19: sequences, dates, stage on a date."""

from __future__ import annotations

import datetime as dt

import pytest

from qms.kernel.errors import ValidationError
from qms.units.model import EventType as E
from qms.units.model import NewEvent, Stage, Standard
from qms.units.rules import check_history, maintenance_by_year, stage_on

TODAY = dt.date(2020, 6, 1)


def ev(kind: E, day: str, **kw) -> NewEvent:
    if kind in (E.ANNOUNCED, E.RE_ANNOUNCED):
        kw.setdefault("decision_no", "12/QĐ-UBND")
        kw.setdefault("standard", Standard.ISO_2008)
    if kind is E.STANDARD_CHANGED:
        kw.setdefault("standard", Standard.ISO_2015)
    return NewEvent(unit_code="03386", event_type=kind, event_date=dt.date.fromisoformat(day), **kw)


ROLLED_OUT = [
    ev(E.BUILD_STARTED, "2015-01-10"),
    ev(E.APPLIED, "2015-05-01"),
    ev(E.INTERNAL_AUDIT, "2015-07-01"),
    ev(E.MANAGEMENT_REVIEW, "2015-07-15"),
    ev(E.EFFECTIVENESS_CONFIRMED, "2015-07-20"),
    ev(E.ANNOUNCED, "2015-08-01"),
]


def test_full_rollout_is_accepted_step_by_step():
    history: list[NewEvent] = []
    for e in ROLLED_OUT:
        check_history(history, e, today=TODAY)
        history.append(e)


def test_announcing_without_applying_is_refused():
    with pytest.raises(ValidationError, match="had not applied"):
        check_history([ev(E.BUILD_STARTED, "2015-01-10")], ev(E.ANNOUNCED, "2015-03-01"), today=TODAY)


def test_announcing_a_unit_that_never_started_is_refused_in_vietnamese_too():
    with pytest.raises(ValidationError) as info:
        check_history([], ev(E.ANNOUNCED, "2015-03-01"), today=TODAY)
    assert "chưa áp dụng" in info.value.text("vi")


def test_reannouncement_before_any_announcement_is_refused():
    with pytest.raises(ValidationError, match="never been announced"):
        check_history(ROLLED_OUT[:5], ev(E.RE_ANNOUNCED, "2015-09-01"), today=TODAY)


def test_reannouncement_after_announcement_is_accepted():
    check_history(ROLLED_OUT, ev(E.RE_ANNOUNCED, "2016-09-01"), today=TODAY)


def test_date_in_the_future_is_refused():
    with pytest.raises(ValidationError, match="in the future"):
        check_history(ROLLED_OUT, ev(E.INTERNAL_AUDIT, "2020-06-02"), today=TODAY)


def test_today_itself_is_allowed():
    check_history(ROLLED_OUT, ev(E.INTERNAL_AUDIT, "2020-06-01"), today=TODAY)


def test_announcement_needs_a_decision_number():
    with pytest.raises(ValidationError, match="decision"):
        check_history(ROLLED_OUT[:5], ev(E.ANNOUNCED, "2015-08-01", decision_no=None), today=TODAY)


def test_iso_2015_cannot_be_announced_before_it_existed():
    with pytest.raises(ValidationError, match="2015 did not exist"):
        check_history(ROLLED_OUT[:5], ev(E.ANNOUNCED, "2015-08-01", standard=Standard.ISO_2015), today=TODAY)


def test_backdated_event_that_breaks_a_later_one_is_refused():
    """Withdrawing before the recorded announcement would make that announcement impossible."""
    with pytest.raises(ValidationError, match="would become impossible"):
        check_history(ROLLED_OUT, ev(E.WITHDRAWN, "2015-06-01"), today=TODAY)


def test_event_after_the_unit_ceased_to_exist_is_refused():
    with pytest.raises(ValidationError, match="no longer existed"):
        check_history([], ev(E.BUILD_STARTED, "2020-01-01"), today=TODAY, unit_valid_to=dt.date(2020, 1, 1))


def test_event_on_the_last_day_of_a_merged_unit_is_accepted():
    check_history([], ev(E.BUILD_STARTED, "2019-12-31"), today=TODAY, unit_valid_to=dt.date(2020, 1, 1))


def test_standard_change_to_the_same_version_is_refused():
    with pytest.raises(ValidationError, match="already followed"):
        check_history(ROLLED_OUT, ev(E.STANDARD_CHANGED, "2019-01-01", standard=Standard.ISO_2008), today=TODAY)


def test_building_twice_is_refused_but_allowed_after_withdrawal():
    with pytest.raises(ValidationError, match="already being built"):
        check_history(ROLLED_OUT, ev(E.BUILD_STARTED, "2016-01-01"), today=TODAY)
    withdrawn = [*ROLLED_OUT, ev(E.WITHDRAWN, "2016-01-01")]
    check_history(withdrawn, ev(E.BUILD_STARTED, "2016-02-01"), today=TODAY)


@pytest.mark.parametrize(
    "day,stage,since",
    [
        ("2015-01-09", Stage.NOT_STARTED, None),
        ("2015-01-10", Stage.BUILDING, "2015-01-10"),  # an event on the as-of date counts
        ("2015-07-31", Stage.APPLYING, "2015-05-01"),
        ("2015-08-01", Stage.ANNOUNCED, "2015-08-01"),
    ],
)
def test_stage_on_a_date(day, stage, since):
    got = stage_on(ROLLED_OUT, dt.date.fromisoformat(day))
    assert got == (stage, dt.date.fromisoformat(since) if since else None)


def test_withdrawal_returns_to_not_started():
    events = [*ROLLED_OUT, ev(E.WITHDRAWN, "2017-03-01")]
    assert stage_on(events, dt.date(2017, 3, 1)) == (Stage.NOT_STARTED, dt.date(2017, 3, 1))


def test_maintenance_by_year_reports_missing_reviews():
    events = [*ROLLED_OUT, ev(E.INTERNAL_AUDIT, "2016-05-01"), ev(E.INTERNAL_AUDIT, "2017-05-01"), ev(E.MANAGEMENT_REVIEW, "2017-06-01")]
    assert maintenance_by_year(events, dt.date(2017, 12, 31)) == [(2016, True, False), (2017, True, True)]


def test_maintenance_is_empty_before_announcement():
    assert maintenance_by_year(ROLLED_OUT[:5], dt.date(2017, 12, 31)) == []
