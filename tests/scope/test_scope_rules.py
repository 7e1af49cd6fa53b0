"""Pure scope rules: the 3-month rule's calendar, update states, completeness, process history."""

from __future__ import annotations

import datetime as dt

import pytest

from qms.kernel.errors import ValidationError
from qms.scope import rules as scope
from qms.scope.model import LegalChangeInput, LegalChangeItem, ProcessStatus, ProcessVersionInput, UpdateState

D = dt.date


def version(status: str, on: D, *, issue_no: str | None = None, issued_on: D | None = None, codes=("1.000001",)) -> ProcessVersionInput:
    if status == "issued":
        issued_on = on
    return ProcessVersionInput(unit_code="03386", code="QT-01", title="Quy trình", tthc_codes=codes, status=status,
                               issue_no=issue_no, issued_on=issued_on, status_on=on)


@pytest.mark.parametrize("effective,due", [
    (D(2021, 11, 30), D(2022, 2, 28)),   # clamped to the end of February
    (D(2023, 11, 30), D(2024, 2, 29)),   # leap year
    (D(2021, 8, 31), D(2021, 11, 30)),   # 31 -> 30
    (D(2021, 12, 31), D(2022, 3, 31)),   # across the year
    (D(2020, 7, 16), D(2020, 10, 16)),   # plain
])
def test_update_due_is_three_calendar_months_clamped(effective, due):
    assert scope.update_due(effective) == due


def test_add_months_zero_is_the_same_day():
    assert scope.add_months(D(2024, 2, 29), 0) == D(2024, 2, 29)


def test_the_due_date_itself_is_not_overdue():
    assert scope.update_state(effective_on=D(2021, 11, 30), as_of=D(2022, 2, 28), reissued_on=None) is UpdateState.PENDING


def test_the_day_after_the_due_date_is_overdue():
    assert scope.update_state(effective_on=D(2021, 11, 30), as_of=D(2022, 3, 1), reissued_on=None) is UpdateState.OVERDUE


def test_a_reissue_on_the_effective_date_takes_the_change_in():
    assert scope.update_state(effective_on=D(2021, 6, 1), as_of=D(2022, 1, 1), reissued_on=D(2021, 6, 1)) is UpdateState.DONE


def test_a_reissue_the_day_before_the_effective_date_does_not():
    state = scope.update_state(effective_on=D(2021, 6, 1), as_of=D(2022, 1, 1), reissued_on=D(2021, 5, 31))
    assert state is UpdateState.OVERDUE


def test_a_reissue_after_the_as_of_date_does_not_count_yet():
    state = scope.update_state(effective_on=D(2021, 6, 1), as_of=D(2021, 10, 1), reissued_on=D(2021, 11, 1))
    assert state is UpdateState.OVERDUE


def test_a_late_reissue_clears_the_overdue_state():
    state = scope.update_state(effective_on=D(2021, 6, 1), as_of=D(2021, 12, 1), reissued_on=D(2021, 11, 1))
    assert state is UpdateState.DONE


def test_a_withdrawn_process_has_nothing_left_to_update():
    state = scope.update_state(effective_on=D(2021, 6, 1), as_of=D(2022, 1, 1), reissued_on=None, withdrawn_on=D(2021, 7, 1))
    assert state is UpdateState.DROPPED


def test_a_withdrawal_after_the_as_of_date_leaves_it_overdue():
    state = scope.update_state(effective_on=D(2021, 6, 1), as_of=D(2021, 12, 1), reissued_on=None, withdrawn_on=D(2022, 1, 1))
    assert state is UpdateState.OVERDUE


def test_rate_of_an_empty_catalogue_is_unknown_not_zero():
    assert scope.scope_rate(0, 0) is None and scope.scope_complete(0, 0) is None


def test_complete_only_when_every_tthc_is_covered():
    assert scope.scope_complete(3, 3) is True and scope.scope_complete(2, 3) is False and scope.scope_rate(2, 3) == 66.67


def test_impossible_counts_are_refused():
    with pytest.raises(ValueError):
        scope.scope_complete(4, 3)


@pytest.mark.parametrize("announced,changed,due", [
    (D(2019, 1, 1), D(2019, 7, 1), True),
    (D(2019, 7, 1), D(2019, 7, 1), False),   # announced the day the change took effect: covers it
    (D(2019, 8, 1), D(2019, 7, 1), False),
    (None, D(2019, 7, 1), False),            # never announced: nothing to re-announce
    (D(2019, 1, 1), None, False),
])
def test_reannouncement_due(announced, changed, due):
    assert scope.reannouncement_due(announced_on=announced, scope_changed_on=changed) is due


def test_a_draft_revision_leaves_the_issued_version_in_force():
    history = [version("issued", D(2016, 1, 1), issue_no="01"), version("draft", D(2020, 1, 1))]
    assert scope.in_force(history, D(2021, 1, 1)) is ProcessStatus.ISSUED


def test_in_force_before_the_first_issue_is_none():
    assert scope.in_force([version("issued", D(2016, 1, 1))], D(2015, 12, 31)) is None


def test_withdrawn_from_its_date():
    history = [version("issued", D(2016, 1, 1)), version("withdrawn", D(2020, 1, 1), issued_on=D(2016, 1, 1))]
    assert scope.in_force(history, D(2019, 12, 31)) is ProcessStatus.ISSUED
    assert scope.in_force(history, D(2020, 1, 1)) is ProcessStatus.WITHDRAWN


def test_withdrawing_a_process_never_issued_is_refused():
    with pytest.raises(ValidationError, match="not in force"):
        scope.check_process_version([version("draft", D(2016, 1, 1))], version("withdrawn", D(2017, 1, 1)), today=D(2022, 1, 1))


def test_withdrawing_twice_is_refused():
    history = [version("issued", D(2016, 1, 1)), version("withdrawn", D(2018, 1, 1))]
    with pytest.raises(ValidationError):
        scope.check_process_version(history, version("withdrawn", D(2019, 1, 1)), today=D(2022, 1, 1))


def test_a_back_dated_withdrawal_that_breaks_a_recorded_one_is_refused():
    history = [version("issued", D(2016, 1, 1)), version("withdrawn", D(2020, 1, 1))]
    with pytest.raises(ValidationError, match="would become impossible"):
        scope.check_process_version(history, version("withdrawn", D(2018, 1, 1)), today=D(2022, 1, 1))


def test_reissue_after_a_withdrawal_is_allowed():
    history = [version("issued", D(2016, 1, 1), issue_no="01"), version("withdrawn", D(2018, 1, 1))]
    scope.check_process_version(history, version("issued", D(2019, 1, 1), issue_no="02"), today=D(2022, 1, 1))


def test_an_issue_number_used_by_another_issue_is_refused():
    history = [version("issued", D(2016, 1, 1), issue_no="01")]
    with pytest.raises(ValidationError, match="issue 01"):
        scope.check_process_version(history, version("issued", D(2019, 1, 1), issue_no="01"), today=D(2022, 1, 1))


def test_a_future_date_is_refused():
    with pytest.raises(ValidationError, match="future"):
        scope.check_process_version([], version("issued", D(2022, 1, 2)), today=D(2022, 1, 1))


def test_an_issued_version_needs_its_issue_date():
    with pytest.raises(ValueError, match="issue date"):
        ProcessVersionInput(unit_code="x", code="QT", title="t", tthc_codes=("1.000001",), status="issued")


def test_a_draft_has_no_issue_date():
    with pytest.raises(ValueError, match="draft has no issue date"):
        ProcessVersionInput(unit_code="x", code="QT", title="t", tthc_codes=("1.000001",), status="draft",
                            issued_on=D(2020, 1, 1), status_on=D(2020, 1, 1))


def test_tthc_codes_are_stripped_merged_and_sorted():
    v = version("issued", D(2020, 1, 1), codes=(" 1.000002", "1.000001", "1.000002 "))
    assert v.tthc_codes == ("1.000001", "1.000002")


def test_a_legal_change_adding_tthc_must_name_units():
    with pytest.raises(ValueError, match="name the units"):
        LegalChangeItem(tthc_code="1.000001", effect="added")


def test_a_legal_change_cannot_take_effect_before_it_is_signed():
    with pytest.raises(ValueError, match="signed"):
        LegalChangeInput(document_no="1/QĐ", signed_on=D(2021, 2, 1), effective_on=D(2021, 1, 1),
                         items=(LegalChangeItem(tthc_code="1.000001", effect="amended"),))
