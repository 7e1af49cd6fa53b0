"""What a row implies: the lifecycle events, their (estimated) dates, and the comparison with the
recorded history that makes a second import write nothing.  Pure: plain values in, a plan out."""

from __future__ import annotations

import datetime as dt

from status_sheets import DIEN_BIEN_CSV, TODAY, status_sheet, workbook

from qms.status_import.plan import plan_import
from qms.status_import.sheet import UnitRef, parse_status_file
from qms.units.importer import parse_units_csv
from qms.units.model import EventType, NewEvent, Standard

E = EventType
D = dt.date


def _units() -> list[UnitRef]:
    records = [r for _, r in parse_units_csv(DIEN_BIEN_CSV)]
    names = {r.code: r.name for r in records}
    return [UnitRef(r.code, r.name, r.level, r.parent_code, names.get(r.parent_code), (r.name,), True) for r in records]


def _plan(*rows, histories=None, data: bytes | None = None):
    data = data or status_sheet(*rows)
    return plan_import(parse_status_file(data, "s.xlsx", today=TODAY), _units(), histories or {}, today=TODAY)


def _steps(plan, i=0):
    return [(e.event_type, e.event_date, e.date_estimated) for e in plan.outcomes[i].events]


def _history(plan) -> dict[str, list[NewEvent]]:
    out: dict[str, list[NewEvent]] = {}
    for e in plan.events:
        out.setdefault(e.unit_code, []).append(e)
    return out


ANNOUNCED_2017 = ["03124", None, None, "đã công bố", 2008, "12/QĐ-UBND", D(2017, 3, 15)]


def test_announced_row_implies_the_whole_lifecycle_estimated_on_the_announcement_date():
    plan = _plan(ANNOUNCED_2017)
    day = D(2017, 3, 15)
    assert _steps(plan) == [(E.BUILD_STARTED, day, True), (E.APPLIED, day, True), (E.INTERNAL_AUDIT, day, True),
                            (E.MANAGEMENT_REVIEW, day, True), (E.EFFECTIVENESS_CONFIRMED, day, True), (E.ANNOUNCED, day, False)]
    ann = plan.outcomes[0].events[-1]
    assert (ann.decision_no, ann.standard, ann.source) == ("12/QĐ-UBND", Standard.ISO_2008, "import")
    assert plan.outcomes[0].outcome == "new"


def test_an_audit_dated_before_the_announcement_is_real_and_moves_the_estimated_start():
    plan = _plan(["03124", None, None, "đã công bố", 2008, "12/QĐ", D(2017, 3, 15), None, D(2017, 1, 10)])
    assert _steps(plan)[:3] == [(E.BUILD_STARTED, D(2017, 1, 10), True), (E.APPLIED, D(2017, 1, 10), True),
                                (E.INTERNAL_AUDIT, D(2017, 1, 10), False)]
    assert (E.INTERNAL_AUDIT, D(2017, 3, 15), True) not in _steps(plan)


def test_an_audit_after_the_announcement_is_maintenance_and_the_pre_announcement_audit_is_estimated():
    plan = _plan(["03124", None, None, "đã công bố", 2008, "12/QĐ", D(2017, 3, 15), None, D(2023, 11, 2)])
    steps = _steps(plan)
    assert (E.INTERNAL_AUDIT, D(2017, 3, 15), True) in steps and (E.INTERNAL_AUDIT, D(2023, 11, 2), False) in steps


def test_undated_announcement_is_recorded_as_of_the_import_date_and_marked():
    plan = _plan(["03124", None, None, "đã công bố", 2015, "12/QĐ"])
    assert _steps(plan)[-1] == (E.ANNOUNCED, TODAY, True)


def test_applying_row_without_dates_is_recorded_as_of_the_import_date():
    plan = _plan(["03124", None, None, "đang áp dụng"])
    assert _steps(plan) == [(E.BUILD_STARTED, TODAY, True), (E.APPLIED, TODAY, True)]


def test_applying_row_starts_on_its_earliest_dated_fact():
    plan = _plan(["03124", None, None, "đang áp dụng", None, None, None, None, D(2023, 5, 4), D(2023, 2, 1)])
    assert _steps(plan) == [(E.BUILD_STARTED, D(2023, 2, 1), True), (E.APPLIED, D(2023, 2, 1), True),
                            (E.INTERNAL_AUDIT, D(2023, 5, 4), False), (E.MANAGEMENT_REVIEW, D(2023, 2, 1), False)]


def test_not_started_implies_nothing():
    plan = _plan(["03124", None, None, "chưa triển khai"])
    assert plan.outcomes[0].outcome == "unchanged" and not plan.events


def test_empty_status_row_is_skipped_without_error():
    plan = _plan(["03124", "Phường Noong Bua", "xã"])
    assert plan.outcomes[0].outcome == "unchanged" and not plan.issues


def test_re_announcement_after_an_announcement_before_2015_existed_takes_2008_then_2015():
    plan = _plan(["03124", None, None, "đã công bố", 2015, "1/QĐ; 9/QĐ", D(2015, 6, 1), D(2019, 8, 1)])
    ann, re_ann = plan.outcomes[0].events[-2:]
    assert (ann.event_type, ann.standard) == (E.ANNOUNCED, Standard.ISO_2008)
    assert (re_ann.event_type, re_ann.decision_no, re_ann.standard) == (E.RE_ANNOUNCED, "9/QĐ", Standard.ISO_2015)


def test_2015_without_a_re_announcement_before_2015_existed_is_refused():
    plan = _plan(["03124", None, None, "đã công bố", 2015, "1/QĐ", D(2015, 6, 1)])
    (issue,) = plan.issues
    assert issue.column == "Ngày công bố" and "2015" in issue.en and not plan.events


def test_announcement_without_decision_number_is_refused():
    plan = _plan(["03124", None, None, "đã công bố", 2008, None, D(2017, 3, 15)])
    (issue,) = plan.issues
    assert issue.column == "Số quyết định công bố" and plan.outcomes[0].outcome == "error"


def test_announcement_without_standard_is_refused():
    plan = _plan(["03124", None, None, "đã công bố", None, "1/QĐ", D(2017, 3, 15)])
    assert [i.column for i in plan.issues] == ["Tiêu chuẩn"]


def test_re_announcement_date_needs_its_decision_number():
    plan = _plan(["03124", None, None, "đã công bố", 2015, "1/QĐ", D(2016, 3, 15), D(2019, 1, 2)])
    assert [i.column for i in plan.issues] == ["Số quyết định công bố lại"]


def test_a_building_unit_cannot_carry_an_announcement_date():
    plan = _plan(["03124", None, None, "đang xây dựng", None, None, D(2017, 3, 15)])
    (issue,) = plan.issues
    assert issue.column == "Ngày công bố" and "đang xây dựng" in issue.vi


def test_same_rows_against_their_own_result_are_all_unchanged():
    rows = [ANNOUNCED_2017, ["03125", None, None, "đang áp dụng", None, None, None, None, D(2023, 5, 4)],
            ["D11-01", None, None, "đang xây dựng"], ["096", None, None, "đã công bố", 2015, "3/QĐ", None, None, None, D(2024, 1, 9)]]
    first = _plan(*rows)
    assert first.events and not first.issues
    second = _plan(*rows, histories=_history(first))
    assert [o.outcome for o in second.outcomes] == ["unchanged"] * 4 and not second.events


def test_a_later_sheet_adds_only_what_is_new():
    first = _plan(["03125", None, None, "đang áp dụng", None, None, None, None, D(2022, 5, 4)])
    later = _plan(["03125", None, None, "đã công bố", 2015, "4/QĐ", D(2023, 1, 20), None, D(2023, 11, 4)], histories=_history(first))
    assert later.outcomes[0].outcome == "changed"
    assert [e.event_type for e in later.events] == [E.MANAGEMENT_REVIEW, E.EFFECTIVENESS_CONFIRMED, E.ANNOUNCED, E.INTERNAL_AUDIT]


def test_a_lower_status_than_recorded_is_an_error_not_an_overwrite():
    first = _plan(ANNOUNCED_2017)
    plan = _plan(["03124", None, None, "đang xây dựng"], histories=_history(first))
    (issue,) = plan.issues
    assert (issue.row, issue.column) == (2, "Tình trạng") and "đã công bố" in issue.vi and not plan.events


def test_another_announcement_date_than_recorded_is_an_error():
    first = _plan(ANNOUNCED_2017)
    plan = _plan(["03124", None, None, "đã công bố", 2008, "12/QĐ-UBND", D(2017, 4, 1)], histories=_history(first))
    assert [i.column for i in plan.issues] == ["Ngày công bố"] and "15/03/2017" in plan.issues[0].en


def test_another_decision_than_recorded_is_an_error():
    first = _plan(ANNOUNCED_2017)
    plan = _plan(["03124", None, None, "đã công bố", 2008, "99/QĐ", D(2017, 3, 15)], histories=_history(first))
    assert [i.column for i in plan.issues] == ["Số quyết định công bố"]


def test_a_decision_number_differing_only_in_spaces_and_case_is_the_same():
    first = _plan(ANNOUNCED_2017)
    plan = _plan(["03124", None, None, "đã công bố", 2008, "12/qđ-ubnd ", D(2017, 3, 15)], histories=_history(first))
    assert not plan.issues and not plan.events


def test_a_changed_standard_without_re_announcement_is_an_error():
    first = _plan(ANNOUNCED_2017)
    plan = _plan(["03124", None, None, "đã công bố", 2015, "12/QĐ-UBND", D(2017, 3, 15)], histories=_history(first))
    assert [i.column for i in plan.issues] == ["Tiêu chuẩn"]


def test_a_latest_audit_older_than_the_recorded_one_is_an_error():
    first = _plan(["03125", None, None, "đang áp dụng", None, None, None, None, D(2023, 5, 4)])
    plan = _plan(["03125", None, None, "đang áp dụng", None, None, None, None, D(2022, 5, 4)], histories=_history(first))
    assert [i.column for i in plan.issues] == ["Ngày đánh giá nội bộ gần nhất"] and "04/05/2023" in plan.issues[0].en


def test_the_same_unit_twice_is_an_error_on_the_second_row():
    plan = _plan(["03124", None, None, "đang xây dựng"], [None, "Phường Noong Bua", None, "đang xây dựng"])
    assert [o.outcome for o in plan.outcomes] == ["new", "error"] and "row 2" in plan.issues[0].en


def test_note_goes_on_the_row_s_stage_event():
    plan = _plan(["03124", None, None, "đã công bố", 2008, "12/QĐ", D(2017, 3, 15), None, None, None, "phạm vi 45 TTHC"])
    assert [e.event_type for e in plan.events if e.scope_note] == [E.ANNOUNCED]


def test_events_sheet_rows_are_history_in_date_order_then_status_rows_compare_with_them():
    data = workbook({
        "Sự kiện": [["Mã đơn vị", "Loại sự kiện", "Ngày", "Số quyết định", "Tiêu chuẩn"],
                    ["03124", "công bố", D(2016, 6, 1), "5/QĐ", "2008"],
                    ["03124", "áp dụng", D(2016, 1, 4), None, None],
                    ["03124", "bắt đầu xây dựng", D(2015, 7, 1), None, None]],
        "Tình trạng": [["Mã đơn vị", "Tình trạng", "Tiêu chuẩn", "Số quyết định công bố", "Ngày công bố"],
                       ["03124", "đã công bố", 2008, "5/QĐ", D(2016, 6, 1)]],
    })
    plan = _plan(data=data)
    assert not plan.issues
    assert [e.event_type for e in plan.events] == [E.BUILD_STARTED, E.APPLIED, E.ANNOUNCED]
    assert [o.outcome for o in plan.outcomes] == ["new", "new", "new", "unchanged"]


def test_an_impossible_events_sheet_names_the_row_and_the_lifecycle_reason():
    data = workbook({"Sự kiện": [["Mã đơn vị", "Loại sự kiện", "Ngày"], ["03124", "áp dụng", D(2016, 1, 4)]]})
    plan = _plan(data=data)
    (issue,) = plan.issues
    assert (issue.row, issue.column) == (2, "Ngày") and "chưa bắt đầu xây dựng" in issue.vi


def test_digest_changes_with_what_would_be_written():
    # one upload planned twice (openpyxl stamps the save time into a file built again)
    data = status_sheet(ANNOUNCED_2017)
    a = _plan(data=data)
    b = _plan(["03124", None, None, "đã công bố", 2008, "12/QĐ-UBND", D(2017, 3, 16)])
    assert a.digest != b.digest and a.digest == _plan(data=data).digest


def test_an_announcement_dated_before_the_recorded_start_names_the_announcement_date():
    history = {"03124": [NewEvent(unit_code="03124", event_type=E.BUILD_STARTED, event_date=D(2019, 1, 7)),
                         NewEvent(unit_code="03124", event_type=E.APPLIED, event_date=D(2020, 1, 6))]}
    plan = _plan(["03124", None, None, "đã công bố", 2015, "3/QĐ", D(2019, 5, 2)], histories=history)
    (issue,) = plan.issues
    assert issue.column == "Ngày công bố" and "02/05/2019" in issue.en and not plan.events


def test_a_unit_that_no_longer_exists_cannot_start_today():
    units = [u if u.code != "03158" else UnitRef(u.code, u.name, u.level, u.parent_code, u.parent_name, u.names, False,
                                                 valid_to=D(2020, 1, 1)) for u in _units()]
    parsed = parse_status_file(status_sheet(["03158", None, None, "đang xây dựng"]), "s.xlsx", today=TODAY)
    plan = plan_import(parsed, units, {}, today=TODAY)
    (issue,) = plan.issues
    assert issue.column == "Tình trạng" and "01/01/2020" in issue.en
