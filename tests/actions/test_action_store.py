"""Actions in a real DuckDB file: created from submitted audits, worked through the steps, locked
optimistically, refused whole, permitted by role, recurred, and counted as of any date."""

from __future__ import annotations

import datetime as dt

import pytest
from action_world import ADMIN, AUDITOR, INSPECTION, OFFICER, OTHER_AUDITOR, OTHER_OFFICER, TODAY, VIEWER, action_of

from qms.accounts.rules import PermissionDenied, system_principal
from qms.actions.queries import action_overview, get_action, list_actions
from qms.actions.rules import ActionSource, ActionStatus, ActionType, NewAction, Step
from qms.actions.steps import ActionEdit, StepInput
from qms.actions.store import (
    apply_step,
    create_actions_for_audit_in,
    create_actions_for_findings,
    edit_action,
    ensure_actions_for_findings,
    internal_audit_due_days,
    open_action,
    set_internal_audit_due_days,
)
from qms.audits.rules import AuditKind, Result
from qms.audits.store import get_audit, reopen_audit, save_answers, submit_audit
from qms.changelog import store as changelog
from qms.kernel.errors import ConflictError, NotFound, ValidationError

S = ActionStatus
D = dt.date
R = Result


def go(db, action_id, kind: Step, on: str, who=ADMIN, **kw) -> int:
    """Apply one step with the version stored now (a fresh page)."""
    version = get_action(db, action_id).row_version
    return apply_step(db, action_id, StepInput(step=kind, on_date=D.fromisoformat(on), **kw), expected_version=version,
                      actor=who, today=TODAY)


def close(db, action_id, owner="Tòng Thị Lan", verifier="Giàng A Páo", start="2016-05-10", done="2016-05-30",
          checked="2016-06-15") -> None:
    go(db, action_id, Step.START, start, owner_name=owner)
    go(db, action_id, Step.DONE, done, note="Đã bổ sung hồ sơ")
    go(db, action_id, Step.VERIFY_EFFECTIVE, checked, verifier=verifier)


# -- created from findings -----------------------------------------------------------------------

def test_every_major_or_minor_finding_creates_one_action_and_observations_none(world, audit):
    audit_id = audit("03386", "2016-05-01", {"c4-01": R.MAJOR, "c4-03": R.MINOR, "c4-04": R.OBSERVATION})
    rows = world.rows("SELECT f.item_ref, a.source, a.type, a.status, a.clause FROM actions a JOIN findings f"
                      " ON f.id = a.finding_id WHERE a.audit_id = ? ORDER BY f.item_ref", [audit_id])
    assert rows == [("c4-01", "internal_audit", "corrective", "open", "4.1"), ("c4-03", "internal_audit", "corrective", "open", "4.2.1")]


def test_internal_audit_actions_are_due_after_the_configured_days(world, audit):
    audit_id = audit("03386", "2016-05-01", {"c4-01": R.MINOR})
    assert get_action(world, action_of(world, audit_id, "c4-01")).due_date == D(2016, 5, 31)


def test_changed_due_days_apply_to_actions_opened_afterwards(world, audit):
    assert internal_audit_due_days(world) == 30
    assert set_internal_audit_due_days(world, 45, actor=ADMIN)
    audit_id = audit("03386", "2016-05-01", {"c4-01": R.MINOR})
    assert get_action(world, action_of(world, audit_id, "c4-01")).due_date == D(2016, 6, 15)


def test_only_an_admin_changes_the_due_days(world):
    with pytest.raises(PermissionDenied):
        set_internal_audit_due_days(world, 45, actor=OFFICER)
    with pytest.raises(ValidationError, match="from 1 to 365"):
        set_internal_audit_due_days(world, 0, actor=ADMIN)
    assert internal_audit_due_days(world) == 30


def test_inspection_actions_are_due_two_months_after_the_minutes_clamped(world, audit):
    audit_id = audit("03386", "2016-12-31", {"A.a.1": R.MINOR}, kind=AuditKind.INSPECTION_SITE, template=INSPECTION)
    action = get_action(world, action_of(world, audit_id, "A.a.1"))
    assert (action.source, action.due_date) == (ActionSource.INSPECTION, D(2017, 2, 28))


def test_create_for_given_findings_skips_observations_and_those_not_given(world, audit):
    audit_id = audit("03386", "2016-05-01", {"c4-01": R.MINOR, "c4-03": R.MAJOR, "c4-04": R.OBSERVATION}, hook=False)
    ids = dict(world.rows("SELECT item_ref, id FROM findings WHERE audit_id = ?", [audit_id]))
    made = world.write(lambda cur: create_actions_for_findings(cur, [ids["c4-01"], ids["c4-04"]], actor=system_principal("tester"), today=TODAY))
    assert len(made.created) == 1 and world.rows("SELECT finding_id FROM actions") == [(ids["c4-01"],)]


def test_creating_twice_creates_nothing_more(world, audit):
    audit_id = audit("03386", "2016-05-01", {"c4-01": R.MINOR})
    again = world.write(lambda cur: create_actions_for_audit_in(cur, audit_id, actor=system_principal("tester"), today=TODAY))
    assert again.created == [] and world.scalar("SELECT count(*) FROM actions") == 1
    assert ensure_actions_for_findings(world, actor=system_principal("cli"), today=TODAY).created == []


def test_sync_catches_up_findings_submitted_without_the_hook(world, audit):
    audit("03386", "2016-05-01", {"c4-01": R.MINOR, "c4-03": R.MAJOR}, hook=False)
    assert world.scalar("SELECT count(*) FROM actions") == 0
    made = ensure_actions_for_findings(world, actor=system_principal("cli"), today=TODAY)
    assert len(made.created) == 2 and world.scalar("SELECT count(*) FROM action_events WHERE step = 'open'") == 2


def test_a_viewer_cannot_sync(world, audit):
    audit("03386", "2016-05-01", {"c4-01": R.MINOR}, hook=False)
    with pytest.raises(PermissionDenied):
        ensure_actions_for_findings(world, actor=VIEWER, today=TODAY)
    assert world.scalar("SELECT count(*) FROM actions") == 0


def test_the_submitting_auditor_may_file_the_actions(world, audit):
    audit_id = audit("03386", "2016-05-01", {"c4-01": R.MINOR}, hook=False)
    made = world.write(lambda cur: create_actions_for_audit_in(cur, audit_id, actor=AUDITOR, today=TODAY))
    assert len(made.created) == 1
    assert world.scalar("SELECT created_by FROM actions") == "tdc"


def test_a_resubmitted_audit_without_the_finding_cancels_its_open_action(world, audit):
    audit_id = audit("03386", "2016-05-01", {"c4-01": R.MINOR, "c4-03": R.MINOR})
    reopen_audit(world, audit_id, "Sửa kết quả mục c4-03", actor=ADMIN)
    view = get_audit(world, audit_id)
    from qms.audits.rules import AnswerInput

    saved = save_answers(world, audit_id, [AnswerInput(item_ref="c4-03", result=R.CONFORM)],
                         expected_version=view.row_version, actor=system_principal("tester"))
    submit_audit(world, audit_id, expected_version=saved.version, actor=system_principal("tester"), today=TODAY)
    world.write(lambda cur: create_actions_for_audit_in(cur, audit_id, actor=system_principal("tester"), today=TODAY))
    gone = get_action(world, action_of(world, audit_id, "c4-03"))
    assert gone.status is S.CANCELLED and "rút lại" in gone.cancel_reason and gone.events[-1].step is Step.CANCEL
    assert get_action(world, action_of(world, audit_id, "c4-01")).status is S.OPEN


# -- recurrence ----------------------------------------------------------------------------------

def test_the_same_clause_found_again_marks_the_verified_action_recurred(world, audit):
    first = action_of(world, audit("03386", "2016-05-01", {"c4-01": R.MINOR}), "c4-01")
    close(world, first)
    later_audit = audit("03386", "2017-05-02", {"c4-02": R.MAJOR})   # another item citing clause 4.1
    earlier = get_action(world, first)
    assert earlier.status is S.RECURRED
    assert earlier.recurred_by_finding_id == world.scalar("SELECT id FROM findings WHERE audit_id = ?", [later_audit])
    assert earlier.recurred_on == D(2017, 5, 2) and earlier.events[-1].step is Step.RECUR


def test_an_unfinished_action_is_flagged_and_can_no_longer_be_verified_effective(world, audit):
    first = action_of(world, audit("03386", "2016-05-01", {"c4-01": R.MINOR}), "c4-01")
    go(world, first, Step.START, "2016-05-10", owner_name="Tòng Thị Lan")
    go(world, first, Step.DONE, "2016-06-01", note="Đã làm")
    audit("03386", "2017-05-02", {"c4-01": R.MINOR})
    assert get_action(world, first).status is S.DONE and get_action(world, first).recurred
    with pytest.raises(ValidationError, match="recurred"):
        go(world, first, Step.VERIFY_EFFECTIVE, "2017-05-10", verifier="Giàng A Páo")


@pytest.mark.parametrize("unit,clause_item", [("03430", "c4-01"), ("03386", "c4-03")])
def test_another_unit_or_another_clause_is_no_recurrence(world, audit, unit, clause_item):
    first = action_of(world, audit("03386", "2016-05-01", {"c4-01": R.MINOR}), "c4-01")
    close(world, first)
    audit(unit, "2017-05-02", {clause_item: R.MINOR})
    assert get_action(world, first).status is S.VERIFIED


def test_recurrence_rate_counts_recurred_among_verified(world, audit):
    one = action_of(world, audit("03386", "2016-05-01", {"c4-01": R.MINOR, "c4-03": R.MINOR}), "c4-01")
    two = world.scalar("SELECT id FROM actions WHERE id <> ?", [one])
    close(world, one)
    close(world, two)
    audit("03386", "2017-05-02", {"c4-01": R.MINOR})
    assert action_overview(world, D(2017, 5, 1)).recurrence_rate_pct == 0.0
    after = action_overview(world, D(2017, 5, 2))
    assert (after.verified, after.recurred, after.recurrence_rate_pct) == (2, 1, 50.0)


# -- steps, locking, all or nothing --------------------------------------------------------------

@pytest.fixture
def one(world, audit) -> int:
    """An open action of commune 03386 (district 105) found on 01/05/2016, due 31/05/2016."""
    return action_of(world, audit("03386", "2016-05-01", {"c4-01": R.MINOR}), "c4-01")


def test_a_finding_is_worked_done_and_verified_by_another_person(world, one):
    go(world, one, Step.START, "2016-05-03", who=OFFICER, owner_name="Tòng Thị Lan", root_cause="Cán bộ mới")
    go(world, one, Step.DONE, "2016-05-20", who=OFFICER, note="Đã hướng dẫn lại")
    go(world, one, Step.VERIFY_EFFECTIVE, "2016-06-02", who=AUDITOR, verifier="Giàng A Páo", note="Đã kiểm tra")
    a = get_action(world, one)
    assert (a.status, a.owner_name, a.done_on, a.verified_by, a.verified_on) == (
        S.VERIFIED, "Tòng Thị Lan", D(2016, 5, 20), "Giàng A Páo", D(2016, 6, 2))
    assert [e.step for e in a.events] == [Step.OPEN, Step.START, Step.DONE, Step.VERIFY_EFFECTIVE]
    assert [e.actor for e in a.events[1:]] == ["iso.quyetthang", "iso.quyetthang", "tdc"]


def test_every_step_is_in_the_change_log_under_the_signed_in_user(world, one):
    go(world, one, Step.START, "2016-05-03", who=OFFICER, owner_name="Tòng Thị Lan")
    entry = changelog.entries(world, entity="actions", key=f"action#{one}")[0]
    assert (entry["actor"], entry["action"]) == ("iso.quyetthang", "start")


def test_not_effective_reopens_with_a_new_due_date_and_counts(world, one):
    go(world, one, Step.START, "2016-05-03", owner_name="Tòng Thị Lan")
    go(world, one, Step.DONE, "2016-05-20", note="Đã làm")
    go(world, one, Step.VERIFY_NOT_EFFECTIVE, "2016-06-02", who=AUDITOR, verifier="Giàng A Páo", note="Vẫn thiếu",
       new_due_date=D(2016, 7, 2))
    a = get_action(world, one)
    assert (a.status, a.due_date, a.not_effective_count) == (S.OPEN, D(2016, 7, 2), 1)


def test_a_stale_write_is_refused_and_nothing_is_saved(world, one):
    loaded = get_action(world, one).row_version
    apply_step(world, one, StepInput(step=Step.START, on_date=D(2016, 5, 3), owner_name="A"), expected_version=loaded,
               actor=OFFICER, today=TODAY)
    with pytest.raises(ConflictError, match=f"Action #{one} was changed by iso.quyetthang after you opened it") as info:
        apply_step(world, one, StepInput(step=Step.CANCEL, on_date=D(2016, 5, 4), note="Trùng"), expected_version=loaded,
                   actor=ADMIN, today=TODAY)
    assert "sau khi bạn mở" in info.value.text("vi")
    a = get_action(world, one)
    assert a.status is S.IN_PROGRESS and a.cancel_reason is None and len(a.events) == 2


def test_a_refused_step_saves_nothing_half(world, one):
    before = (get_action(world, one), world.scalar("SELECT count(*) FROM change_log"))
    with pytest.raises(ValidationError, match="Name the person responsible"):
        go(world, one, Step.START, "2016-05-03")
    assert (get_action(world, one), world.scalar("SELECT count(*) FROM change_log")) == before


def test_the_version_grows_with_each_step(world, one):
    v1 = get_action(world, one).row_version
    v2 = go(world, one, Step.START, "2016-05-03", owner_name="A")
    assert v2 == v1 + 1 == get_action(world, one).row_version


def test_unknown_action_is_one_sentence(world):
    with pytest.raises(NotFound, match="There is no action #999"):
        apply_step(world, 999, StepInput(step=Step.START, on_date=D(2016, 5, 3)), expected_version=1, actor=ADMIN,
                   today=TODAY)


def test_edit_changes_owner_and_records_the_due_date_in_the_history(world, one):
    edit_action(world, one, ActionEdit(owner_name="Lò Thị Mai", due_date=D(2016, 6, 30)),
                expected_version=get_action(world, one).row_version, actor=ADMIN, today=D(2016, 5, 10))
    a = get_action(world, one)
    assert (a.owner_name, a.due_date, a.events[-1].step, a.events[-1].due_date) == (
        "Lò Thị Mai", D(2016, 6, 30), Step.EDIT, D(2016, 6, 30))


# -- opened by hand ------------------------------------------------------------------------------

def new(**kw) -> NewAction:
    values = dict(unit_code="03386", source=ActionSource.COMPLAINT, type=ActionType.CORRECTIVE,
                  description="Người dân phản ánh trả kết quả chậm", origin_date=D(2021, 3, 1))
    return NewAction(**{**values, **kw})


def test_manual_action_gets_the_default_due_date_for_its_source(world):
    complaint = get_action(world, open_action(world, new(), actor=OFFICER, today=TODAY))
    issue = get_action(world, open_action(world, new(source=ActionSource.INSPECTION), actor=OFFICER, today=TODAY))
    assert (complaint.due_date, issue.due_date) == (D(2021, 3, 31), D(2021, 5, 1))
    assert complaint.finding_id is None and complaint.events[0].step is Step.OPEN


def test_manual_action_due_before_the_origin_is_refused_and_nothing_saved(world):
    with pytest.raises(ValidationError, match="due date 28/02/2021 of the action is before the finding \\(01/03/2021\\)"):
        open_action(world, new(due_date=D(2021, 2, 28)), actor=OFFICER, today=TODAY)
    assert world.scalar("SELECT count(*) FROM actions") == 0 and world.scalar("SELECT count(*) FROM action_events") == 0


def test_manual_action_in_the_future_or_of_an_unknown_unit_is_refused(world):
    with pytest.raises(ValidationError, match="in the future"):
        open_action(world, new(origin_date=TODAY + dt.timedelta(days=1)), actor=ADMIN, today=TODAY)
    with pytest.raises(NotFound, match="no unit with code 99999"):
        open_action(world, new(unit_code="99999"), actor=ADMIN, today=TODAY)


# -- who may do what -----------------------------------------------------------------------------

def test_officer_of_another_unit_is_refused(world, one):
    with pytest.raises(PermissionDenied, match="iso.binhlu \\(officer\\) may not action write for unit 03386"):
        go(world, one, Step.START, "2016-05-03", who=OTHER_OFFICER, owner_name="A")
    with pytest.raises(PermissionDenied):
        open_action(world, new(), actor=OTHER_OFFICER, today=TODAY)


def test_officer_cannot_verify_nor_cancel_a_finding(world, one):
    go(world, one, Step.START, "2016-05-03", who=OFFICER, owner_name="A")
    go(world, one, Step.DONE, "2016-05-04", who=OFFICER, note="x")
    with pytest.raises(PermissionDenied):
        go(world, one, Step.VERIFY_EFFECTIVE, "2016-05-05", who=OFFICER, verifier="B")
    with pytest.raises(PermissionDenied):
        go(world, one, Step.CANCEL, "2016-05-05", who=OFFICER, note="Không cần")


def test_officer_cancels_an_action_their_unit_opened_by_hand(world):
    action_id = open_action(world, new(), actor=OFFICER, today=TODAY)
    go(world, action_id, Step.CANCEL, "2021-03-02", who=OFFICER, note="Trùng với hành động khác")
    assert get_action(world, action_id).status is S.CANCELLED


def test_auditor_of_the_district_verifies_and_one_of_another_district_is_refused(world, one):
    go(world, one, Step.START, "2016-05-03", owner_name="A")
    go(world, one, Step.DONE, "2016-05-04", note="x")
    with pytest.raises(PermissionDenied):
        go(world, one, Step.VERIFY_EFFECTIVE, "2016-05-05", who=OTHER_AUDITOR, verifier="B")
    go(world, one, Step.VERIFY_EFFECTIVE, "2016-05-05", who=AUDITOR, verifier="B")
    assert get_action(world, one).status is S.VERIFIED


def test_auditor_does_not_work_the_action(world, one):
    with pytest.raises(PermissionDenied):
        go(world, one, Step.START, "2016-05-03", who=AUDITOR, owner_name="A")


@pytest.mark.parametrize("kind,kw", [(Step.START, {"owner_name": "A"}), (Step.CANCEL, {"note": "x"})])
def test_viewer_changes_nothing(world, one, kind, kw):
    with pytest.raises(PermissionDenied):
        go(world, one, kind, "2016-05-03", who=VIEWER, **kw)


def test_officer_cannot_move_a_findings_deadline_but_may_name_its_owner(world, one):
    version = get_action(world, one).row_version
    with pytest.raises(PermissionDenied):
        edit_action(world, one, ActionEdit(due_date=D(2016, 12, 31)), expected_version=version, actor=OFFICER, today=TODAY)
    edit_action(world, one, ActionEdit(owner_name="Tòng Thị Lan"), expected_version=version, actor=OFFICER, today=TODAY)
    assert get_action(world, one).owner_name == "Tòng Thị Lan"


# -- as of a date --------------------------------------------------------------------------------

def test_overdue_on_the_due_date_is_not_and_the_day_after_is(world, one):
    assert action_overview(world, D(2016, 5, 31)).overdue == 0
    assert action_overview(world, D(2016, 6, 1)).overdue == 1
    assert [a.id for a in list_actions(world, as_of=D(2016, 6, 1), overdue_only=True).rows] == [one]
    assert list_actions(world, as_of=D(2016, 5, 31), overdue_only=True).rows == []


def test_status_on_a_past_date_comes_from_the_history(world, one):
    go(world, one, Step.START, "2016-05-03", owner_name="A")
    go(world, one, Step.DONE, "2016-06-10", note="x")
    assert list_actions(world, as_of=D(2016, 6, 5)).rows[0].status_on is S.IN_PROGRESS
    assert action_overview(world, D(2016, 6, 5)).overdue == 1
    assert action_overview(world, D(2016, 6, 10)).overdue == 0
    assert list_actions(world, as_of=D(2016, 4, 30)).total == 0  # not opened yet


def test_median_days_to_close_counts_closed_actions_by_the_date(world, one):
    close(world, one, start="2016-05-03", done="2016-05-10", checked="2016-05-21")   # 20 days after 01/05
    assert action_overview(world, D(2016, 5, 20)).median_days_to_close is None
    assert action_overview(world, D(2016, 5, 21)).median_days_to_close == 20.0


def test_overview_counts_per_district_and_departments(world, audit):
    audit("03386", "2016-05-01", {"c4-01": R.MINOR})
    audit("S01", "2016-05-01", {"c4-01": R.MINOR, "c4-03": R.MINOR})
    rows = {d.row_code: (d.open, d.overdue) for d in action_overview(world, D(2016, 7, 1)).by_district}
    assert rows == {"*departments": (2, 2), "105": (1, 1)}


def test_officer_sees_their_units_unfinished_actions_first(world, audit):
    audit("S01", "2016-04-01", {"c4-01": R.MINOR})
    audit("03386", "2016-05-01", {"c4-01": R.MINOR})
    rows = list_actions(world, as_of=D(2016, 7, 1), first_units={"03386"}).rows
    assert [r.unit_code for r in rows] == ["03386", "S01"] and rows[0].own_unit
    assert [r.unit_code for r in list_actions(world, as_of=D(2016, 7, 1)).rows] == ["S01", "03386"]  # longest overdue first


def test_empty_database_has_no_figures(world):
    data = action_overview(world, TODAY)
    assert (data.total, data.by_district, data.median_days_to_close, data.recurrence_rate_pct) == (0, (), None, None)
