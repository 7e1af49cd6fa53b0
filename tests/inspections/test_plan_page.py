"""AppTest of Kế hoạch kiểm tra on the demo province of today: propose, assign, approve, start,
minute (the checklist itself is filled through the store: the audits page has its own tests)."""

from __future__ import annotations

from qms.accounts.rules import Principal, Role, system_principal
from qms.audits import store as audits
from qms.audits.rules import AnswerInput, Result
from qms.inspections.queries import get_plan
from qms.kernel.clock import province_today
from qms.kernel.db import open_database

PAGE = "qms/inspections/page.py"
UNIT = "03388@2025-07-01"
SYSTEM = system_principal("tests")


def _plan(path):
    db = open_database(path)
    try:
        return get_plan(db, province_today().year, province_today())
    finally:
        db.close()


def _fill_and_submit(path, audit_id):
    db = open_database(path)
    try:
        view = audits.get_audit(db, audit_id)
        answers = [AnswerInput(item_ref=s.ref, result=Result.MINOR if n == 0 else Result.CONFORM,
                               note="Chưa niêm yết quyết định công bố" if n == 0 else None) for n, s in enumerate(view.specs)]
        version = audits.save_answers(db, audit_id, answers, expected_version=view.row_version, actor=SYSTEM).version
        audits.submit_audit(db, audit_id, expected_version=version, actor=SYSTEM)
    finally:
        db.close()


def ok(at):
    assert not at.exception and not at.error, [e.value for e in at.error] + [str(e) for e in at.exception]


def test_admin_proposes_assigns_approves_starts_and_minutes(app, tmp_path):
    at = app(page=PAGE, today=True)
    ok(at)
    assert "Chưa có kế hoạch kiểm tra" in at.info[0].value
    at.button(key="insp_propose").click().run()
    ok(at)
    assert at.success[0].value.startswith("Đã đề xuất")
    path = tmp_path / "app.duckdb"
    plan = _plan(path)
    row = [i.unit_code for i in plan.live].index(UNIT)
    at.session_state["insp_editor"] = {"edited_rows": {row: {"team": "tdc", "mode": "on_site"}}, "added_rows": [], "deleted_rows": []}
    at.button(key="insp_save").click().run()
    ok(at)
    assert at.success[0].value == "Đã lưu; kế hoạch ở phiên bản 0."
    at.text_input(key="insp_decision").input("15/QĐ-UBND")
    at.button(key="FormSubmitter:insp_approve_form-Phê duyệt kế hoạch").click().run()
    ok(at)
    assert at.success[0].value.startswith("Đã phê duyệt kế hoạch năm")
    item = next(i for i in _plan(path).items if i.unit_code == UNIT)
    at.selectbox(key="insp_item").set_value(item.id).run()
    at.button(key="insp_start").click().run()
    ok(at)
    audit_id = _plan(path).items[[i.id for i in _plan(path).items].index(item.id)].audit_id
    assert at.success[0].value == f"Đã mở phiếu kiểm tra #{audit_id}; điền trong trang Đánh giá."
    _fill_and_submit(path, audit_id)
    at.run()
    at.button(key="FormSubmitter:insp_minutes_form-Lập biên bản").click().run()
    ok(at)
    assert at.success[0].value.startswith("Đã lập biên bản; hạn báo cáo khắc phục")
    assert "Chưa niêm yết quyết định công bố" in at.dataframe[-1].value.to_string() or any(
        "Chưa niêm yết" in df.value.to_string() for df in at.dataframe)
    progress = {m.label: m.value for m in at.metric}
    assert progress["Đã kiểm tra"] == "1"


def test_viewer_sees_the_plan_read_only(app, tmp_path):
    at = app(page=PAGE, today=True)
    at.button(key="insp_propose").click().run()
    viewer = Principal(username="lanhdao", role=Role.VIEWER)
    at2 = app(page=PAGE, reuse=True, user=viewer)
    ok(at2)
    assert not [b for b in at2.button if b.key in ("insp_save", "insp_propose", "insp_start")]
    assert any("🔒" in (i.icon or "") or "chỉ xem" in i.value.lower() or "lanhdao" in i.value for i in at2.info)


def test_overview_shows_plan_progress_and_overdue_reports(app, tmp_path):
    import datetime as dt

    from qms.audits.checklists import load_templates
    from qms.inspections import minutes_store as inspection_minutes
    from qms.inspections import store as inspection_plans
    from qms.inspections.rules import ItemInput, MinutesInput, Mode
    from qms.kernel.settings import PROJECT_ROOT

    at = app(page="qms/overview/page.py", today=True)
    ok(at)
    assert not [s for s in at.subheader if s.value == "Kế hoạch kiểm tra"]  # no plan: nothing drawn
    today = province_today()
    year, signed = today.year, today - dt.timedelta(days=70)  # minutes signed 70 days ago: the report is overdue
    db = open_database(tmp_path / "app.duckdb")
    try:
        inspection_plans.propose_plan(db, year, actor=SYSTEM, today=today)
        inspection_plans.change_items(db, year, [ItemInput(unit_code=UNIT, mode=Mode.ON_SITE, month=signed.month, team=("tdc",))],
                                      actor=SYSTEM, today=today)
        inspection_plans.approve_plan(db, year, "15/QĐ-UBND", signed, actor=SYSTEM, today=today)
        item = next(i for i in get_plan(db, year, today).items if i.unit_code == UNIT)
        entry = load_templates(PROJECT_ROOT / "checklists").latest("inspection-circular26")
        audit_id = inspection_plans.start_planned_inspection(db, item.id, entry, actor=SYSTEM, audit_date=signed, today=today)
    finally:
        db.close()
    _fill_and_submit(tmp_path / "app.duckdb", audit_id)
    db = open_database(tmp_path / "app.duckdb")
    try:
        inspection_minutes.write_minutes(db, item.id, MinutesInput(signed_on=signed, scope="Toàn bộ HTQLCL"), actor=SYSTEM,
                                         today=today)
    finally:
        db.close()
    at = app(page="qms/overview/page.py", reuse=True)
    ok(at)
    assert [s for s in at.subheader if s.value == "Kế hoạch kiểm tra"]
    assert any(f"Kế hoạch kiểm tra năm {year}: 1/" in m.value and "1 báo cáo khắc phục quá hạn" in m.value for m in at.markdown)
    assert any("Chưa niêm yết quyết định công bố" in df.value.to_string() for df in at.dataframe)


def test_amendment_needs_its_reason_and_the_officer_reports_the_correction(app, tmp_path):
    from qms.audits.checklists import load_templates
    from qms.inspections import minutes_store as inspection_minutes
    from qms.inspections import store as inspection_plans
    from qms.inspections.rules import ItemInput, MinutesInput, Mode
    from qms.kernel.settings import PROJECT_ROOT

    at = app(page=PAGE, today=True)
    path = tmp_path / "app.duckdb"
    today = province_today()
    year = today.year
    db = open_database(path)
    try:
        inspection_plans.propose_plan(db, year, actor=SYSTEM, today=today)
        inspection_plans.change_items(db, year, [ItemInput(unit_code=UNIT, mode=Mode.ON_SITE, month=today.month, team=("tdc",))],
                                      actor=SYSTEM, today=today)
        inspection_plans.approve_plan(db, year, "15/QĐ-UBND", today, actor=SYSTEM, today=today)
        item = next(i for i in get_plan(db, year, today).items if i.unit_code == UNIT)
        entry = load_templates(PROJECT_ROOT / "checklists").latest("inspection-circular26")
        audit_id = inspection_plans.start_planned_inspection(db, item.id, entry, actor=SYSTEM, today=today)
    finally:
        db.close()
    _fill_and_submit(path, audit_id)
    db = open_database(path)
    try:
        inspection_minutes.write_minutes(db, item.id, MinutesInput(signed_on=today, scope="Toàn bộ HTQLCL"), actor=SYSTEM,
                                         today=today)
    finally:
        db.close()
    at.run()
    row = [i.unit_code for i in _plan(path).live].index(UNIT)
    at.session_state["insp_editor"] = {"edited_rows": {row: {"month": 12 if today.month != 12 else 11}}, "added_rows": [],
                                       "deleted_rows": []}
    at.button(key="insp_save").click().run()
    assert [e.value for e in at.error] == [f"Kế hoạch năm {year} đã được phê duyệt: thay đổi là một lần điều chỉnh và cần nêu "
                                           "lý do; chưa lưu gì."]
    at.text_input(key="insp_reason").input("Đơn vị đề nghị lùi thời gian").run()
    at.button(key="insp_save").click().run()
    ok(at)
    assert at.success[0].value == "Đã lưu; kế hoạch ở phiên bản 2."

    officer = Principal(username="iso.quyetthang", role=Role.OFFICER, units=frozenset({"03386", UNIT}))
    at = app(page=PAGE, reuse=True, user=officer)
    ok(at)
    assert not [b for b in at.button if b.key in ("insp_save", "insp_start")]
    at.text_area(key="insp_report_note").input("Đã niêm yết quyết định công bố tại trụ sở")
    at.button(key="FormSubmitter:insp_report_form-Ghi nhận báo cáo khắc phục").click().run()
    ok(at)
    assert at.success[0].value == "Đã ghi nhận báo cáo khắc phục."
    db = open_database(path)
    try:
        assert db.scalar("SELECT report_note FROM inspection_requests") == "Đã niêm yết quyết định công bố tại trụ sở"
    finally:
        db.close()
