"""Pure rules of the inspection year: ranking against a reference, share, independence, load,
status, amendments, the corrective report's due date, the minutes read back."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qms.inspections import rules
from qms.inspections.minutes import MinutesFacts, MinutesFinding, MinutesRequest, SectionResult, docx_text, minutes_docx
from qms.inspections.ranking import Reason, UnitRisk, onsite_needed, propose, rank
from qms.inspections.rules import ItemStatus, Member, PlanStatus
from qms.kernel.errors import ValidationError

YEAR = 2026


def reference_score(u: UnitRisk, year: int) -> tuple[int, set[str]]:
    """The module's table, written again from its docstring."""
    score, why = 0, set()
    if u.last_inspected_year is None:
        score += 5; why.add("never_inspected")
    elif year - u.last_inspected_year >= 3:
        score += min(year - u.last_inspected_year, 5); why.add("not_for_years")
    if u.recurring:
        score += min(2 * u.recurring, 6); why.add("recurring_nonconformities")
    if u.overdue_actions:
        score += min(u.overdue_actions, 5); why.add("overdue_actions")
    if u.announced and u.scope_pct is not None and u.scope_pct < 100:
        score += 3; why.add("scope_incomplete")
    if u.maintained_last_year is False:
        score += 3; why.add("not_maintained_last_year")
    if u.formed_on is not None and u.formed_on.year in (year - 1, year):
        score += 4; why.add("newly_formed")
    if u.legal_updates_overdue:
        score += min(u.legal_updates_overdue, 3); why.add("legal_update_overdue")
    return score, why


units = st.builds(
    UnitRisk,
    code=st.text("0123456789", min_size=5, max_size=5),
    last_inspected_year=st.none() | st.integers(2015, YEAR - 1),
    recurring=st.integers(0, 6), overdue_actions=st.integers(0, 9), announced=st.booleans(),
    scope_pct=st.none() | st.floats(0, 100), maintained_last_year=st.none() | st.booleans(),
    formed_on=st.none() | st.dates(dt.date(2015, 1, 1), dt.date(YEAR, 12, 31)),
    legal_updates_overdue=st.integers(0, 5))


@given(st.lists(units, max_size=30, unique_by=lambda u: u.code))
def test_ranking_matches_the_reference(us):
    ranked = rank(us, YEAR)
    assert [r.unit.code for r in ranked] == [u.code for u in sorted(us, key=lambda u: (-reference_score(u, YEAR)[0], u.code))]
    for r in ranked:
        assert (r.score, {x.value for x, _ in r.reasons}) == reference_score(r.unit, YEAR)


@given(st.lists(units, max_size=40, unique_by=lambda u: u.code), st.fractions(0, 1))
def test_proposal_meets_the_share_with_the_riskiest_on_site(us, share):
    items = propose(rank(us, YEAR), share)
    on_site = [i for i in items if i.mode == "on_site"]
    assert len(on_site) == onsite_needed(len(us), share)
    rules.check_onsite_share(len(on_site), len(items), share)  # never refuses its own proposal
    if on_site and len(on_site) < len(items):
        assert min(i.score for i in on_site) >= max(i.score for i in items if i.mode == "records")
    assert all(3 <= i.month <= 10 for i in items)


def test_empty_and_boundary_cases():
    assert rank([], YEAR) == [] and propose([], Fraction(1, 3)) == []
    assert onsite_needed(60, Fraction(1, 3)) == 20 and onsite_needed(61, Fraction(1, 3)) == 21
    fresh = UnitRisk("03388", last_inspected_year=YEAR - 2, formed_on=dt.date(2025, 7, 1))
    assert rank([fresh], YEAR)[0].reasons == ((Reason.NEWLY_FORMED, 2025),)
    stale = UnitRisk("03389", last_inspected_year=YEAR - 3)
    assert rank([stale], YEAR)[0].reasons == ((Reason.NOT_FOR_YEARS, 3),)


def test_onsite_share_refusal_names_the_rule():
    rules.check_onsite_share(20, 60, Fraction(1, 3))
    with pytest.raises(ValidationError, match="at least 20"):
        rules.check_onsite_share(19, 60, Fraction(1, 3))
    assert rules.parse_share("1/2") == Fraction(1, 2) and rules.parse_share("bad") == Fraction(1, 3)
    assert rules.parse_share(None) == Fraction(1, 3) and rules.parse_share("3") == Fraction(1, 3)


@pytest.mark.parametrize("signed,due", [
    (dt.date(2026, 12, 31), dt.date(2027, 2, 28)), (dt.date(2027, 12, 31), dt.date(2028, 2, 29)),
    (dt.date(2026, 6, 15), dt.date(2026, 8, 15)), (dt.date(2026, 8, 31), dt.date(2026, 10, 31)),
    (dt.date(2026, 7, 31), dt.date(2026, 9, 30)), (dt.date(2026, 11, 30), dt.date(2027, 1, 30))])
def test_report_due_two_calendar_months_later(signed, due):
    assert rules.report_due(signed) == due


def test_request_overdue_only_after_its_due_date_without_report():
    due = dt.date(2026, 2, 28)
    assert not rules.request_overdue(due, None, due)
    assert rules.request_overdue(due, None, due + dt.timedelta(days=1))
    assert not rules.request_overdue(due, dt.date(2026, 3, 5), dt.date(2026, 4, 1))


def test_independence():
    m = Member("kiemtra1", home_units=frozenset({"S12-01"}), audited_internally=frozenset({"03388"}))
    assert rules.independence_problem("03389", "Phường Tân Phong", m, YEAR) is None
    assert "belongs to" in str(rules.independence_problem("S12-01", "Sở Tài chính", m, YEAR))
    err = rules.independence_problem("03388", "Phường Đoàn Kết", m, YEAR)
    assert "audited Phường Đoàn Kết internally in 2026" in str(err) and "tính độc lập" in err.vi


def test_load_per_auditor_and_month():
    load = rules.load_by_month([(3, ("a", "b")), (3, ("a",)), (4, ("a",)), (3, ("a", "a"))])
    assert load == {("a", 3): 3, ("b", 3): 1, ("a", 4): 1}
    rules.check_load(load, 3)
    with pytest.raises(ValidationError, match="a would have 3 inspections in month 3; the limit is 2"):
        rules.check_load(load, 2)


def test_item_status():
    s = lambda month, today, **kw: rules.item_status(YEAR, month, today=today, **{"cancelled": False, "audit_status": None, **kw})
    assert s(5, dt.date(2026, 5, 31)) is ItemStatus.PLANNED
    assert s(5, dt.date(2026, 6, 1)) is ItemStatus.OVERDUE
    assert s(5, dt.date(2026, 5, 2), audit_status="draft") is ItemStatus.IN_PROGRESS
    assert s(5, dt.date(2026, 7, 2), audit_status="submitted") is ItemStatus.DONE
    assert s(5, dt.date(2026, 7, 2), audit_status="submitted", cancelled=True) is ItemStatus.CANCELLED


def test_amendments_need_a_reason_once_approved():
    assert rules.check_reason(PlanStatus.DRAFT, None, YEAR) is None
    with pytest.raises(ValidationError, match="amendment and needs its reason"):
        rules.check_reason(PlanStatus.APPROVED, "  ", YEAR)
    assert rules.check_reason(PlanStatus.APPROVED, "Đơn vị sáp nhập", YEAR) == "Đơn vị sáp nhập"
    today = dt.date(2026, 2, 1)
    with pytest.raises(ValidationError, match="already approved"):
        rules.check_approve(PlanStatus.APPROVED, YEAR, "12/QĐ-UBND", today, today, 1, 3, Fraction(1, 3))
    with pytest.raises(ValidationError, match="in the future"):
        rules.check_approve(PlanStatus.DRAFT, YEAR, "12/QĐ-UBND", today + dt.timedelta(days=1), today, 1, 3, Fraction(1, 3))
    rules.check_approve(PlanStatus.DRAFT, YEAR, "12/QĐ-UBND", today, today, 1, 3, Fraction(1, 3))


def test_minutes_docx_reads_back():
    facts = MinutesFacts(
        year=YEAR, unit_code="03388", unit_name="Phường Đoàn Kết", signed_on=dt.date(2026, 12, 31),
        inspected_on=dt.date(2026, 12, 30), mode="on_site", team=("Lò Thị Hoa", "Giàng A Páo"), scope="Toàn bộ HTQLCL",
        sections=(SectionResult("A", "Tiêu chuẩn", 10, 8, 2), SectionResult("B", "Quyết định 19", 0, 0, 0)),
        findings=(MinutesFinding("A.a.1", "4.3", "major", "Thiếu 3 TTHC trong phạm vi"),),
        requests=(MinutesRequest(1, "Bổ sung 3 TTHC vào phạm vi", dt.date(2027, 2, 28)),), plan_decision="12/QĐ-UBND")
    text = docx_text(minutes_docx(facts))
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "BIÊN BẢN KIỂM TRA",
                     "Phường Đoàn Kết (mã 03388)", "31/12/2026", "1. Lò Thị Hoa - Trưởng đoàn", "Toàn bộ HTQLCL",
                     "A | Tiêu chuẩn | 10 | 8 | 2 | 80.0", "Không phù hợp nặng | Thiếu 3 TTHC trong phạm vi",
                     "1 | Bổ sung 3 TTHC vào phạm vi | 28/02/2027", "TRƯỞNG ĐOÀN KIỂM TRA", "12/QĐ-UBND"):
        assert expected in text, expected


def test_minutes_of_text_stored_with_a_control_character_still_write():
    """A finding note stored before today's text rules may hold a control character, which
    python-docx refuses: the minutes drop it instead of failing every time the page shows them."""
    facts = MinutesFacts(
        year=YEAR, unit_code="03388", unit_name="Phường Đoàn\x0bKết", signed_on=dt.date(2026, 12, 31),
        inspected_on=dt.date(2026, 12, 30), mode="records", team=("Lò Thị Hoa",), scope="Hồ sơ",
        sections=(), findings=(MinutesFinding("A.a.1", "4.3", "minor", "Sổ\x07 theo dõi thiếu"),), requests=(), plan_decision=None)
    text = docx_text(minutes_docx(facts))
    assert "Phường ĐoànKết" in text and "Sổ theo dõi thiếu" in text
