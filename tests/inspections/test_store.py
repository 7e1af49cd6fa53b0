"""The inspection year on the demo province of today: propose, assign, approve, amend, start,
submit, minute, follow up (a real DuckDB file)."""

from __future__ import annotations

import datetime as dt

import pytest

from qms.accounts.rules import PermissionDenied, Principal, Role, system_principal
from qms.audits import store as audits
from qms.audits.checklists import load_templates
from qms.audits.rules import AnswerInput, Result
from qms.inspections import minutes_store as minutes
from qms.inspections import queries
from qms.inspections import store as plans
from qms.inspections.minutes import docx_text, minutes_docx
from qms.inspections.rules import ItemInput, ItemStatus, MinutesInput, Mode, PlanStatus
from qms.kernel.errors import ValidationError
from qms.kernel.settings import PROJECT_ROOT

TODAY = dt.date(2026, 12, 3)  # the demo of today ends here (tests/conftest.py DEMO_UNTIL)
YEAR = TODAY.year
SYSTEM = system_principal("tests")
ADMIN = Principal(username="admin", role=Role.ADMIN)
UNIT = "03388@2025-07-01"  # Phường Đoàn Kết, formed 01/07/2025, in the demo inspector's scope


def tdc(db) -> Principal:
    from qms.accounts.principals_store import account_principal
    cur = db.cursor()
    try:
        return account_principal(cur, "tdc")
    finally:
        cur.close()


def template():
    return load_templates(PROJECT_ROOT / "checklists").latest("inspection-circular26")


def approved(db) -> queries.PlanView:
    plans.propose_plan(db, YEAR, actor=ADMIN, today=TODAY)
    plans.change_items(db, YEAR, [ItemInput(unit_code=UNIT, mode=Mode.ON_SITE, month=12, team=("tdc",))], actor=ADMIN, today=TODAY)
    plans.approve_plan(db, YEAR, "15/QĐ-UBND", TODAY, actor=ADMIN, today=TODAY)
    return queries.get_plan(db, YEAR, TODAY)


def test_proposal_ranks_every_unit_with_reasons_and_meets_the_share(today_db):
    n = plans.propose_plan(today_db, YEAR, actor=ADMIN, today=TODAY)
    plan = queries.get_plan(today_db, YEAR, TODAY)
    assert n == len(plan.items) > 30 and plan.status is PlanStatus.DRAFT and plan.version == 0
    on_site = sum(i.mode == "on_site" for i in plan.items)
    assert on_site * 3 >= n and (on_site - 1) * 3 < n
    assert all(i.month == 12 for i in plan.items)  # proposed on 03/12: the rest of the year
    ours = next(i for i in plan.items if i.unit_code == UNIT)
    assert {r.value for r, _ in ours.reasons} >= {"never_inspected", "newly_formed"}
    assert plan.progress()[ItemStatus.PLANNED] == n
    # a draft is proposed again freely; the same facts give the same plan
    assert plans.propose_plan(today_db, YEAR, actor=ADMIN, today=TODAY) == n


def test_approval_then_amendments_are_versioned_with_their_reason(today_db):
    plan = approved(today_db)
    assert (plan.status, plan.version, plan.decision_no) == (PlanStatus.APPROVED, 1, "15/QĐ-UBND")
    change = [ItemInput(unit_code=UNIT, mode=Mode.ON_SITE, month=12, team=("tdc", "admin"))]
    with pytest.raises(ValidationError, match="needs its reason"):
        plans.change_items(today_db, YEAR, change, actor=ADMIN, today=TODAY)
    assert plans.change_items(today_db, YEAR, change, reason="Bổ sung trưởng phòng vào đoàn", actor=ADMIN, today=TODAY) == 2
    other = next(i for i in plan.items if i.unit_code != UNIT and i.mode == "records")
    assert plans.change_items(today_db, YEAR, [ItemInput(unit_code=other.unit_code, mode=Mode.RECORDS, month=12, cancel=True)],
                              reason="Đơn vị đã được thanh tra chuyên đề", actor=ADMIN, today=TODAY) == 3
    versions = queries.plan_versions(today_db, YEAR)
    assert [(v["version"], v["kind"]) for v in versions] == [(1, "approval"), (2, "amendment"), (3, "amendment")]
    assert versions[2]["reason"] == "Đơn vị đã được thanh tra chuyên đề" and versions[2]["items"] == versions[0]["items"] - 1
    plan = queries.get_plan(today_db, YEAR, TODAY)
    assert plan.progress()[ItemStatus.CANCELLED] == 1
    with pytest.raises(ValidationError, match="already approved"):
        plans.approve_plan(today_db, YEAR, "16/QĐ-UBND", TODAY, actor=ADMIN, today=TODAY)
    with pytest.raises(ValidationError, match="already approved"):
        plans.propose_plan(today_db, YEAR, actor=ADMIN, today=TODAY)
    # the on-site share holds through amendments
    site = [i for i in plan.live if i.mode == "on_site"]
    with pytest.raises(ValidationError, match="province's share"):
        plans.change_items(today_db, YEAR, [ItemInput(unit_code=i.unit_code, mode=Mode.RECORDS, month=12) for i in site],
                           reason="Chuyển sang kiểm tra hồ sơ", actor=ADMIN, today=TODAY)


def test_team_rules_refuse_in_one_sentence(today_db):
    plans.propose_plan(today_db, YEAR, actor=ADMIN, today=TODAY)
    with pytest.raises(ValidationError, match="iso.quyetthang belongs to Phường Đoàn Kết"):
        plans.change_items(today_db, YEAR, [ItemInput(unit_code=UNIT, mode=Mode.ON_SITE, month=12, team=("iso.quyetthang",))],
                           actor=ADMIN, today=TODAY)
    with pytest.raises(ValidationError, match="lanhdao is not an active auditor"):
        plans.change_items(today_db, YEAR, [ItemInput(unit_code=UNIT, mode=Mode.ON_SITE, month=12, team=("lanhdao",))],
                           actor=ADMIN, today=TODAY)
    # an internal audit of the unit this year by the inspector
    internal = next(i.unit_code for i in queries.get_plan(today_db, YEAR, TODAY).items if i.unit_code.startswith("S12-"))
    today_db.write(lambda cur: cur.execute(
        "INSERT INTO audits (unit_code, template_id, template_version, template_hash, standard, item_count, kind, auditor,"
        " audit_date, created_by) VALUES (?, 't', 1, 'h', '2015', 1, 'internal_audit', 'Chi cục TĐC', ?, 'tdc')",
        [internal, dt.date(YEAR, 3, 2)]))
    with pytest.raises(ValidationError, match=f"tdc audited .* internally in {YEAR}"):
        plans.change_items(today_db, YEAR, [ItemInput(unit_code=internal, mode=Mode.ON_SITE, month=12, team=("tdc",))],
                           actor=ADMIN, today=TODAY)
    live = [i for i in queries.get_plan(today_db, YEAR, TODAY).items if i.unit_code != internal][:7]
    with pytest.raises(ValidationError, match="tdc would have 7 inspections in month 12; the limit is 6"):
        plans.change_items(today_db, YEAR, [ItemInput(unit_code=i.unit_code, mode=Mode(i.mode), month=12, team=("tdc",))
                                            for i in live], actor=ADMIN, today=TODAY)
    plans.change_items(today_db, YEAR, [ItemInput(unit_code=i.unit_code, mode=Mode(i.mode), month=12, team=("tdc",))
                                        for i in live[:6]], actor=ADMIN, today=TODAY)
    plan = queries.get_plan(today_db, YEAR, TODAY)
    assert {"auditor": "tdc", "month": 12, "inspections": 6} in queries.load_table(plan)
    with pytest.raises(PermissionDenied):
        plans.propose_plan(today_db, YEAR, actor=tdc(today_db), today=TODAY)


def test_planned_inspection_to_minutes_and_follow_up(today_db):
    plan = approved(today_db)
    item = next(i for i in plan.items if i.unit_code == UNIT)
    other = next(i for i in plan.items if i.unit_code != UNIT)
    inspector = tdc(today_db)
    with pytest.raises(ValidationError, match="no team yet"):
        plans.start_planned_inspection(today_db, other.id, template(), actor=ADMIN, today=TODAY)
    audit_id = plans.start_planned_inspection(today_db, item.id, template(), actor=inspector, today=TODAY)
    with pytest.raises(ValidationError, match="already started"):
        plans.start_planned_inspection(today_db, item.id, template(), actor=inspector, today=TODAY)
    assert queries.get_plan(today_db, YEAR, TODAY).progress()[ItemStatus.IN_PROGRESS] == 1
    view = audits.get_audit(today_db, audit_id)
    assert (view.kind.value, view.auditor, view.template_id) == ("inspection_site", "Chi cục TĐC (thanh tra)", "inspection-circular26")
    answers = [AnswerInput(item_ref=s.ref, result=Result.MAJOR if n == 0 else Result.CONFORM,
                           note="Phạm vi thiếu 3 TTHC" if n == 0 else None) for n, s in enumerate(view.specs)]
    version = audits.save_answers(today_db, audit_id, answers, expected_version=view.row_version, actor=inspector).version
    with pytest.raises(ValidationError, match="no submitted checklist"):
        minutes.write_minutes(today_db, item.id, MinutesInput(signed_on=TODAY, scope="Toàn bộ HTQLCL"), actor=inspector, today=TODAY)
    audits.submit_audit(today_db, audit_id, expected_version=version, actor=inspector, today=TODAY)
    assert queries.get_plan(today_db, YEAR, TODAY).progress()[ItemStatus.DONE] == 1
    mid = minutes.write_minutes(today_db, item.id, MinutesInput(signed_on=TODAY, scope="Toàn bộ HTQLCL"), actor=inspector,
                                today=TODAY)
    facts = minutes.minutes_facts(today_db, mid)
    assert facts.requests[0].text == "Phạm vi thiếu 3 TTHC" and facts.requests[0].due_on == dt.date(2027, 2, 3)
    assert [s.ref for s in facts.sections] == ["A", "B"] and sum(s.nonconform for s in facts.sections) == 1
    text = docx_text(minutes_docx(facts))
    assert "BIÊN BẢN KIỂM TRA" in text and "Phường Đoàn Kết" in text and "03/02/2027" in text and "15/QĐ-UBND" in text
    # follow-up: overdue after the due date, not once reported
    later = dt.date(2027, 2, 4)
    assert [r.unit_code for r in queries.overdue_requests(today_db, later)] == [UNIT]
    assert queries.overdue_requests(today_db, dt.date(2027, 2, 3)) == []
    request_id = minutes.requests_of(today_db, mid)[0]["id"]
    with pytest.raises(PermissionDenied):
        minutes.record_corrective_report(today_db, request_id, later, "Đã bổ sung", actor=inspector, today=later)
    officer = Principal(username="iso.quyetthang", role=Role.OFFICER, units=frozenset({"03386", UNIT}))
    minutes.record_corrective_report(today_db, request_id, later, "Đã bổ sung 3 TTHC", actor=officer, today=later)
    with pytest.raises(ValidationError, match="already has its report"):
        minutes.record_corrective_report(today_db, request_id, later, "Lần hai", actor=officer, today=later)
    assert queries.overdue_requests(today_db, later) == []
    result = queries.year_result(today_db, YEAR)
    assert result["findings"]["major"] >= 1 and result["requests"] == 1 and result["requests_closed_on_time"] == 0


def test_snapshot_tables_of_the_year(today_db, tmp_path):
    import pyarrow.parquet as pq

    from qms.exports import indicators
    from qms.exports.snapshot import write_snapshot

    plan = approved(today_db)
    item = next(i for i in plan.items if i.unit_code == UNIT)
    inspector = tdc(today_db)
    day = dt.date(2026, 9, 1)
    audit_id = plans.start_planned_inspection(today_db, item.id, template(), actor=inspector, audit_date=day, today=TODAY)
    view = audits.get_audit(today_db, audit_id)
    answers = [AnswerInput(item_ref=s.ref, result=Result.MINOR if n == 0 else Result.CONFORM,
                           note="Thiếu hồ sơ" if n == 0 else None) for n, s in enumerate(view.specs)]
    version = audits.save_answers(today_db, audit_id, answers, expected_version=view.row_version, actor=inspector).version
    audits.submit_audit(today_db, audit_id, expected_version=version, actor=inspector, today=TODAY)
    minutes.write_minutes(today_db, item.id, MinutesInput(signed_on=day, scope="Toàn bộ HTQLCL"), actor=inspector, today=TODAY)
    # the store stamps the submission with the real clock: a snapshot dated before that day rightly
    # sees the inspection not yet done, so the snapshot is dated the submission's day when later than TODAY
    as_of = max(TODAY, audits.get_audit(today_db, audit_id).submitted_at.date())
    folder = tmp_path / "snap"
    write_snapshot(today_db, folder, as_of, methodology=indicators.load(), actor=SYSTEM)
    found = next(p for p in folder.rglob("inspection_plans.parquet"))
    read = lambda name: pq.read_table(found.with_name(f"{name}.parquet")).to_pylist()  # noqa: E731
    assert read("inspection_plans") == [{"year": YEAR, "status": "approved", "version": 1, "decision_no": "15/QĐ-UBND",
                                         "approved_on": TODAY, "amendments": 0}]
    items = read("inspection_plan_items")
    ours = next(r for r in items if r["unit_code"] == UNIT)
    assert (ours["status"], ours["team"], ours["audit_id"]) == ("done", "tdc", audit_id)
    assert len(items) == len(plan.items) and {r["status"] for r in items} == {"done", "planned"}
    # the snapshot's status is the page's (qms.inspections.rules.item_status), item by item
    shown = queries.get_plan(today_db, YEAR, as_of)
    assert {r["item_id"]: r["status"] for r in items} == {i.id: i.status.value for i in shown.items}
    # a checklist reopened is in progress again, in the snapshot as on the page (it kept its submitted_at)
    audits.reopen_audit(today_db, audit_id, "Bổ sung bằng chứng", actor=ADMIN)  # the demo's administrator
    write_snapshot(today_db, tmp_path / "again", as_of, methodology=indicators.load(), actor=SYSTEM)
    again = pq.read_table(next((tmp_path / "again").rglob("inspection_plan_items.parquet"))).to_pylist()
    reopened = {i.id: i.status.value for i in queries.get_plan(today_db, YEAR, as_of).items}
    assert {r["item_id"]: r["status"] for r in again} == reopened and reopened[item.id] != "done"
    sections = read("inspection_minutes")
    assert [s["section_ref"] for s in sections] == ["A", "B"] and sum(s["nonconform"] for s in sections) == 1
    requests = read("inspection_requests")
    assert [(r["text"], r["due_on"], r["overdue"]) for r in requests] == [("Thiếu hồ sơ", dt.date(2026, 11, 1), True)]
