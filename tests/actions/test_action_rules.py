"""The pure rules of improvement actions: transition table, step requirements, due dates,
overdue on boundary dates, status on a past date, recurrence and the figures."""

from __future__ import annotations

import datetime as dt
from itertools import product

import pytest

from qms.accounts.rules import Operation
from qms.actions.rules import (
    ActionSource,
    ActionStatus,
    HistoryPoint,
    KeyedAction,
    NewAction,
    Step,
    add_months,
    check_due_date,
    check_due_days,
    default_due_date,
    district_of,
    is_overdue,
    median_days,
    recurrence_key,
    recurrence_rate,
    recurrences,
    status_on,
)
from qms.actions.steps import (
    ActionEdit,
    ActionState,
    StepInput,
    allowed_steps,
    check_current,
    editable,
    next_status,
    operation_for,
    operation_for_edit,
    plan_edit,
    plan_step,
    same_person,
    status_moves,
)
from qms.kernel.errors import ConflictError, ValidationError

S = ActionStatus
D = dt.date
TODAY = D(2022, 6, 1)

# -- the transition table ------------------------------------------------------------------------

#: (status, step) -> the status it leads to; every pair not listed is refused.
EXPECTED = {
    (S.OPEN, Step.START): S.IN_PROGRESS,
    (S.IN_PROGRESS, Step.DONE): S.DONE,
    (S.DONE, Step.VERIFY_EFFECTIVE): S.VERIFIED,
    (S.DONE, Step.VERIFY_NOT_EFFECTIVE): S.OPEN,
    (S.OPEN, Step.CANCEL): S.CANCELLED,
    (S.IN_PROGRESS, Step.CANCEL): S.CANCELLED,
    (S.DONE, Step.CANCEL): S.CANCELLED,
    (S.OPEN, Step.EDIT): S.OPEN,
    (S.IN_PROGRESS, Step.EDIT): S.IN_PROGRESS,
    (S.DONE, Step.EDIT): S.DONE,
    (S.VERIFIED, Step.RECUR): S.RECURRED,
    (S.OPEN, Step.RECUR): S.OPEN,
    (S.IN_PROGRESS, Step.RECUR): S.IN_PROGRESS,
    (S.DONE, Step.RECUR): S.DONE,
}
TABLE_STEPS = [s for s in Step if s is not Step.OPEN]


@pytest.mark.parametrize("status,step", list(product(S, TABLE_STEPS)), ids=lambda v: v.value)
def test_every_status_and_step(status, step):
    if (status, step) in EXPECTED:
        assert next_status(7, status, step) is EXPECTED[(status, step)]
    else:
        with pytest.raises(ValidationError, match="Action #7"):
            next_status(7, status, step)


@pytest.mark.parametrize("source,target", list(product(S, S)), ids=lambda v: v.value)
def test_every_from_to_pair_of_statuses(source, target):
    """The moves the table allows, and no other: a verified action never goes back to work,
    cancelled and recurred actions are final, nothing skips straight to verified."""
    allowed = {(S.OPEN, S.IN_PROGRESS), (S.IN_PROGRESS, S.DONE), (S.DONE, S.VERIFIED), (S.DONE, S.OPEN),
               (S.OPEN, S.CANCELLED), (S.IN_PROGRESS, S.CANCELLED), (S.DONE, S.CANCELLED), (S.VERIFIED, S.RECURRED)}
    assert ((source, target) in status_moves()) == ((source, target) in allowed)


def test_illegal_move_names_status_and_what_is_possible_in_both_languages():
    with pytest.raises(ValidationError) as info:
        next_status(12, S.OPEN, Step.DONE)
    assert str(info.value) == ("Action #12 is open: it cannot be marked done (possible now: started, cancelled); "
                               "nothing was saved.")
    assert "chưa lưu gì" in info.value.text("vi") and "Hành động #12" in info.value.text("vi")


def test_final_statuses_offer_no_step():
    assert allowed_steps(S.VERIFIED) == [] and allowed_steps(S.CANCELLED) == [] and allowed_steps(S.RECURRED) == []


def test_recurred_action_cannot_be_offered_an_effective_verdict():
    assert Step.VERIFY_EFFECTIVE in allowed_steps(S.DONE)
    assert Step.VERIFY_EFFECTIVE not in allowed_steps(S.DONE, recurred=True)


def test_only_unfinished_actions_are_editable():
    assert [s for s in S if editable(s)] == [S.OPEN, S.IN_PROGRESS, S.DONE]


# -- what a step needs ---------------------------------------------------------------------------

def state(status=S.OPEN, **kw) -> ActionState:
    values = dict(id=5, status=status, opened_on=D(2022, 1, 10), due_date=D(2022, 2, 9), last_on=D(2022, 1, 20),
                  owner_name="Lò Văn Minh", has_finding=True)
    return ActionState(**{**values, **kw})


def step(kind: Step, on=D(2022, 3, 1), **kw) -> StepInput:
    return StepInput(step=kind, on_date=on, **kw)


def test_start_needs_an_owner():
    with pytest.raises(ValidationError, match="Name the person responsible for action #5"):
        plan_step(state(owner_name=None), step(Step.START), today=TODAY)


def test_start_takes_the_owner_given():
    change = plan_step(state(owner_name=None), step(Step.START, owner_name="Tòng Thị Lan"), today=TODAY)
    assert change.to_status is S.IN_PROGRESS and change.columns["owner_name"] == "Tòng Thị Lan"


def test_done_needs_a_description_of_what_was_done():
    with pytest.raises(ValidationError, match="Describe what was done"):
        plan_step(state(S.IN_PROGRESS), step(Step.DONE, note="   "), today=TODAY)


def test_done_records_description_and_date():
    change = plan_step(state(S.IN_PROGRESS), step(Step.DONE, note="Đã bổ sung hồ sơ"), today=TODAY)
    assert change.columns == {"done_description": "Đã bổ sung hồ sơ", "done_on": D(2022, 3, 1)}


@pytest.mark.parametrize("verifier", ["Lò Văn Minh", "lo van  minh", "LÒ VĂN MINH"])
def test_verifier_must_not_be_the_owner(verifier):
    with pytest.raises(ValidationError, match="someone other than its owner"):
        plan_step(state(S.DONE), step(Step.VERIFY_EFFECTIVE, verifier=verifier), today=TODAY)


def test_verification_needs_a_verifier():
    with pytest.raises(ValidationError, match="Name who verified action #5"):
        plan_step(state(S.DONE), step(Step.VERIFY_EFFECTIVE), today=TODAY)


def test_verification_by_another_person_closes_the_action():
    change = plan_step(state(S.DONE), step(Step.VERIFY_EFFECTIVE, verifier="Giàng A Páo"), today=TODAY)
    assert change.to_status is S.VERIFIED and change.columns["verified_on"] == D(2022, 3, 1)


def test_not_effective_needs_a_reason_and_reopens_with_a_new_due_date():
    with pytest.raises(ValidationError, match="Say why action #5 was not effective"):
        plan_step(state(S.DONE), step(Step.VERIFY_NOT_EFFECTIVE, verifier="Giàng A Páo"), today=TODAY)
    change = plan_step(state(S.DONE), step(Step.VERIFY_NOT_EFFECTIVE, verifier="Giàng A Páo", note="Vẫn thiếu hồ sơ",
                                           new_due_date=D(2022, 4, 1)), today=TODAY)
    assert change.to_status is S.OPEN and change.due_date == D(2022, 4, 1)


def test_new_due_date_before_the_verification_is_refused():
    with pytest.raises(ValidationError, match="new due date 28/02/2022 is before the verification"):
        plan_step(state(S.DONE), step(Step.VERIFY_NOT_EFFECTIVE, verifier="B", note="x", new_due_date=D(2022, 2, 28)),
                  today=TODAY)


def test_recurred_action_cannot_be_verified_effective():
    with pytest.raises(ValidationError, match="recurred"):
        plan_step(state(S.DONE, recurred=True), step(Step.VERIFY_EFFECTIVE, verifier="B"), today=TODAY)


def test_cancel_needs_a_reason():
    with pytest.raises(ValidationError, match="Give the reason for cancelling action #5"):
        plan_step(state(), step(Step.CANCEL), today=TODAY)
    assert plan_step(state(), step(Step.CANCEL, note="Trùng"), today=TODAY).columns["cancel_reason"] == "Trùng"


def test_a_step_in_the_future_is_refused():
    with pytest.raises(ValidationError, match="in the future"):
        plan_step(state(), step(Step.START, on=TODAY + dt.timedelta(days=1)), today=TODAY)


def test_a_step_dated_before_the_last_change_is_refused_and_the_same_day_is_accepted():
    with pytest.raises(ValidationError, match="before its last change \\(20/01/2022\\)"):
        plan_step(state(), step(Step.START, on=D(2022, 1, 19)), today=TODAY)
    assert plan_step(state(), step(Step.START, on=D(2022, 1, 20)), today=TODAY).on_date == D(2022, 1, 20)


def test_an_illegal_step_is_refused_before_its_fields_are_checked():
    with pytest.raises(ValidationError, match="cannot be verified effective"):
        plan_step(state(S.OPEN), step(Step.VERIFY_EFFECTIVE), today=TODAY)


def test_system_steps_are_not_a_persons():
    with pytest.raises(ValueError):
        plan_step(state(S.VERIFIED), step(Step.RECUR), today=TODAY)


def test_edit_refuses_a_due_date_before_the_origin():
    with pytest.raises(ValidationError, match="due date 09/01/2022 of action #5 is before the finding \\(10/01/2022\\)"):
        plan_edit(state(), ActionEdit(due_date=D(2022, 1, 9)), today=TODAY)


def test_edit_with_nothing_to_change_is_refused():
    with pytest.raises(ValidationError, match="no change"):
        plan_edit(state(), ActionEdit(), today=TODAY)


def test_edit_of_a_finished_action_is_refused():
    with pytest.raises(ValidationError, match="is verified"):
        plan_edit(state(S.VERIFIED), ActionEdit(owner_name="X"), today=TODAY)


def test_same_person_ignores_case_accents_and_spacing_but_not_other_names():
    assert same_person("Đỗ Thị Hoa", " do thi   hoa ")
    assert not same_person("Đỗ Thị Hoa", "Đỗ Thị Hà") and not same_person(None, "A")


def test_stale_version_is_refused_with_who_changed_it():
    check_current(3, 4, 4)
    with pytest.raises(ConflictError, match="Action #3 was changed by tdc after you opened it; nothing was saved"):
        check_current(3, 4, 5, "tdc")


@pytest.mark.parametrize("kind,has_finding,op", [
    (Step.START, True, Operation.ACTION_WRITE), (Step.DONE, True, Operation.ACTION_WRITE),
    (Step.VERIFY_EFFECTIVE, True, Operation.ACTION_VERIFY), (Step.VERIFY_NOT_EFFECTIVE, False, Operation.ACTION_VERIFY),
    (Step.CANCEL, True, Operation.ACTION_VERIFY), (Step.CANCEL, False, Operation.ACTION_WRITE),
])
def test_operation_each_step_needs(kind, has_finding, op):
    assert operation_for(kind, has_finding) is op


def test_moving_a_findings_deadline_is_the_auditors_call():
    assert operation_for_edit(ActionEdit(due_date=D(2022, 5, 1)), True) is Operation.ACTION_VERIFY
    assert operation_for_edit(ActionEdit(due_date=D(2022, 5, 1)), False) is Operation.ACTION_WRITE
    assert operation_for_edit(ActionEdit(owner_name="A"), True) is Operation.ACTION_WRITE


# -- due dates -----------------------------------------------------------------------------------

@pytest.mark.parametrize("origin,due", [
    (D(2017, 4, 10), D(2017, 6, 10)),
    (D(2016, 12, 31), D(2017, 2, 28)),    # clamped to the month's end
    (D(2015, 12, 31), D(2016, 2, 29)),    # leap year
    (D(2017, 11, 30), D(2018, 1, 30)),    # across the year
    (D(2017, 8, 31), D(2017, 10, 31)),
    (D(2017, 7, 31), D(2017, 9, 30)),
])
def test_inspection_issues_are_due_two_months_after_the_minutes(origin, due):
    assert default_due_date(ActionSource.INSPECTION, origin, 30) == due


@pytest.mark.parametrize("days", [1, 30, 45, 365])
def test_other_sources_are_due_after_the_configured_days(days):
    for source in (ActionSource.INTERNAL_AUDIT, ActionSource.COMPLAINT, ActionSource.SELF_DETECTED):
        assert default_due_date(source, D(2017, 12, 20), days) == D(2017, 12, 20) + dt.timedelta(days=days)


def test_add_months_by_zero_and_twelve():
    assert add_months(D(2020, 2, 29), 0) == D(2020, 2, 29) and add_months(D(2020, 2, 29), 12) == D(2021, 2, 28)


@pytest.mark.parametrize("days", [0, 366, -5])
def test_due_days_out_of_range_are_refused(days):
    with pytest.raises(ValidationError, match="from 1 to 365"):
        check_due_days(days)


def test_due_date_before_the_finding_is_refused_and_on_the_day_accepted():
    check_due_date(D(2017, 5, 1), D(2017, 5, 1))
    with pytest.raises(ValidationError, match="before the finding"):
        check_due_date(D(2017, 4, 30), D(2017, 5, 1))


def test_manual_action_cannot_claim_to_come_from_an_internal_audit():
    with pytest.raises(ValueError, match="opened from its finding"):
        NewAction(unit_code="03386", source=ActionSource.INTERNAL_AUDIT, type="corrective", description="x",
                  origin_date=D(2017, 1, 1))


# -- overdue and status on a date ----------------------------------------------------------------

DUE = D(2017, 6, 30)


@pytest.mark.parametrize("day,expected", [(D(2017, 6, 29), False), (DUE, False), (D(2017, 7, 1), True)])
def test_overdue_starts_the_day_after_the_due_date(day, expected):
    assert is_overdue(S.OPEN, DUE, day) is expected
    assert is_overdue(S.IN_PROGRESS, DUE, day) is expected


@pytest.mark.parametrize("status", [S.DONE, S.VERIFIED, S.RECURRED, S.CANCELLED, None])
def test_finished_or_absent_actions_are_never_overdue(status):
    assert not is_overdue(status, DUE, D(2030, 1, 1))


HISTORY = [HistoryPoint(D(2017, 3, 1), S.OPEN, D(2017, 3, 31)), HistoryPoint(D(2017, 3, 5), S.IN_PROGRESS, D(2017, 3, 31)),
           HistoryPoint(D(2017, 4, 20), S.DONE, D(2017, 3, 31)), HistoryPoint(D(2017, 5, 10), S.OPEN, D(2017, 6, 9)),
           HistoryPoint(D(2017, 5, 10), S.IN_PROGRESS, D(2017, 6, 9))]


@pytest.mark.parametrize("day,expected", [
    (D(2017, 2, 28), None),
    (D(2017, 3, 1), (S.OPEN, D(2017, 3, 31))),
    (D(2017, 4, 1), (S.IN_PROGRESS, D(2017, 3, 31))),
    (D(2017, 5, 9), (S.DONE, D(2017, 3, 31))),
    (D(2017, 5, 10), (S.IN_PROGRESS, D(2017, 6, 9))),   # two steps that day: the later one counts
])
def test_status_on_a_date_replays_the_history(day, expected):
    assert status_on(HISTORY, day) == expected


def test_reopened_action_is_overdue_by_its_new_due_date_only():
    late = status_on(HISTORY, D(2017, 4, 1))
    assert is_overdue(*late, D(2017, 4, 1))
    again = status_on(HISTORY, D(2017, 6, 9))
    assert not is_overdue(*again, D(2017, 6, 9)) and is_overdue(*status_on(HISTORY, D(2017, 6, 10)), D(2017, 6, 10))


# -- recurrence ----------------------------------------------------------------------------------

def test_recurrence_key_is_unit_standard_and_clause_or_the_item():
    assert recurrence_key("03386", "2008", "8.2.2", "c8-03") == "03386|2008|8.2.2"
    assert recurrence_key("03386", None, None, "B.c.2") == "03386|item|B.c.2"
    assert recurrence_key("03386", "2015", "8.2.2", "x") != recurrence_key("03386", "2008", "8.2.2", "x")


def k(id_, key, day, status=S.VERIFIED, recurred=False, finding=True):
    return KeyedAction(id_, key, day, id_ * 10 if finding else None, status, recurred)


def test_a_later_finding_of_the_same_clause_marks_the_earlier_action():
    marks = recurrences([k(1, "u|2008|8.2.2", D(2016, 5, 1)), k(2, "u|2008|8.2.2", D(2017, 5, 1), S.OPEN)])
    assert list(marks) == [1] and marks[1].finding_id == 20


def test_each_earlier_action_is_marked_by_the_next_later_finding():
    marks = recurrences([k(1, "a", D(2016, 5, 1)), k(2, "a", D(2017, 5, 1)), k(3, "a", D(2018, 5, 1), S.OPEN)])
    assert {e: later.id for e, later in marks.items()} == {1: 2, 2: 3}


@pytest.mark.parametrize("actions", [
    [k(1, "a", D(2016, 5, 1)), k(2, "b", D(2017, 5, 1))],                     # another clause or unit
    [k(1, "a", D(2016, 5, 1)), k(2, "a", D(2016, 5, 1))],                     # the same audit day
    [k(1, "a", D(2016, 5, 1), S.CANCELLED), k(2, "a", D(2017, 5, 1))],        # cancelled earlier action
    [k(1, "a", D(2016, 5, 1), recurred=True), k(2, "a", D(2017, 5, 1))],      # already marked
    [k(1, "a", D(2016, 5, 1)), k(2, "a", D(2017, 5, 1), finding=False)],      # the later one is no finding
    [],
])
def test_no_recurrence(actions):
    assert recurrences(actions) == {}


# -- figures -------------------------------------------------------------------------------------

def test_median_days():
    assert median_days([]) is None and median_days([10]) == 10.0 and median_days([3, 10, 40, 90]) == 25.0


@pytest.mark.parametrize("recurred,closed,rate", [(0, 0, None), (0, 5, 0.0), (1, 3, 33.33), (4, 4, 100.0)])
def test_recurrence_rate(recurred, closed, rate):
    assert recurrence_rate(recurred, closed) == rate


def test_impossible_recurrence_counts_are_a_bug():
    with pytest.raises(ValueError):
        recurrence_rate(3, 2)


@pytest.mark.parametrize("level,code,parent,district", [("commune", "03386", "105", "105"), ("district", "105", "12", "105"),
                                                        ("department", "S01", "12", None), ("province", "12", None, None)])
def test_district_of_a_unit(level, code, parent, district):
    assert district_of(level, code, parent) == district
