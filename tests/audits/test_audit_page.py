"""AppTest of the Đánh giá page: list, start, fill item by item, reload, conflict, submit, lock, reopen."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from qms.accounts.rules import Principal, Role, system_principal
from qms.audits.rules import AnswerInput, AuditKind, Result
from qms.audits.store import get_audit, save_answers
from qms.kernel.db import open_database
from qms.kernel.settings import PROJECT_ROOT

PAGE = str(PROJECT_ROOT / "qms" / "audits" / "page.py")
R = Result


@pytest.fixture
def db_path(demo_file, tmp_path) -> Path:
    return Path(shutil.copyfile(demo_file, tmp_path / "app.duckdb"))


@pytest.fixture
def page(db_path, monkeypatch, account_in, show_tab):
    """``page(audit=None, checklists=None, tab=None)`` -> the audits page run once against a demo
    copy; ``tab`` ("new", "findings") opens that tab of the list (tabs compute only when open)."""

    def make(audit: int | None = None, checklists: Path | None = None, path: Path | None = None,
             user: Principal = Principal(username="auditor1", role=Role.ADMIN), tab: str | None = None) -> AppTest:
        monkeypatch.setenv("QMS_DB", str(path or db_path))
        if checklists:
            monkeypatch.setenv("QMS_CHECKLISTS", str(checklists))
        st.cache_resource.clear()
        at = AppTest.from_file(PAGE, default_timeout=60)
        # signed in, as the router's gate ensures
        at.session_state["principal"] = account_in(path or db_path, user)
        if audit is not None:
            at.query_params["audit"] = str(audit)
        at.run()
        if tab is not None:
            show_tab(at, "aud_tab", f"audit.tab_{tab}")
        assert not at.exception, at.exception
        return at

    yield make
    st.cache_resource.clear()


@pytest.fixture
def store(db_path):
    database = open_database(db_path)
    yield database
    database.close()


def _draft_2015(store) -> int:
    """The demo's 2015 internal audit of a commune, in progress (some items answered)."""
    return store.scalar("SELECT id FROM audits WHERE status = 'draft' AND year(audit_date) = 2015 AND answered > 0"
                        " ORDER BY id LIMIT 1")


def _table(at, column: str):
    found = [df.value for df in at.dataframe if column in df.value.columns]
    assert len(found) == 1
    return found[0]


def _all_sections(at) -> AppTest:
    at.selectbox(key="aud_section").set_value("*").run()
    return at


def _first_unanswered(at) -> str:
    return next(w.key for w in at.segmented_control if w.value is None)


def _click(at, key: str, value) -> AppTest:
    at.segmented_control(key=key).set_value(value).run()
    assert not at.exception, at.exception
    return at


def _ref(key: str) -> str:
    return key.split("_r_", 1)[1]


# -- list, start, broken templates ------------------------------------------------------------

def test_list_shows_the_newest_audits_with_a_caption_and_filters_by_status(page, store):
    at = page()
    total = store.scalar("SELECT count(*) FROM audits")
    assert total > 200  # the demo's 332: more than the page sends at once
    listed = _table(at, "Tiến độ")
    newest = [r[0] for r in store.rows("SELECT id FROM audits ORDER BY audit_date DESC, id DESC LIMIT 200")]
    assert list(listed["Số phiếu"]) == newest
    assert any("Hiện 200 dòng mới nhất" in c.value for c in at.caption)
    at.selectbox(key="aud_f_status").set_value(next(s for s in at.selectbox(key="aud_f_status").options if s == "Nháp")).run()
    drafts = _table(at, "Tiến độ")
    assert set(drafts["Trạng thái"]) == {"Nháp"} and len(drafts) == store.scalar("SELECT count(*) FROM audits WHERE status = 'draft'")


def test_empty_database_shows_one_info(page, tmp_path):
    at = page(path=tmp_path / "empty.duckdb")
    assert [i.value for i in at.info] == ["Chưa có đơn vị nào. Hãy nạp dữ liệu mẫu (qms demo) hoặc nhập danh sách đơn vị."]


def test_broken_template_is_reported_with_its_location_and_the_page_still_starts(page, tmp_path):
    folder = tmp_path / "checklists"
    folder.mkdir()
    for path in (PROJECT_ROOT / "checklists").glob("*.yaml"):
        shutil.copyfile(path, folder / path.name)
    (folder / "broken.yaml").write_text("id: broken\nversion: 1\nstandard: iso9001_2015\nlevels: [commune]\nsections: []\n"
                                        "title: {vi: Hỏng}\nextra_key: 1\n", encoding="utf-8")
    at = page(checklists=folder, tab="new")
    assert len(at.warning) == 1 and "broken.yaml: " in at.warning[0].value and "extra_key" in at.warning[0].value
    assert len(at.selectbox(key="aud_new_template").options) == 3


def test_starting_an_audit_opens_its_form(page, store):
    at = page(tab="new")
    at.selectbox(key="aud_new_unit").set_value("105")
    at.selectbox(key="aud_new_kind").set_value(AuditKind.SELF_ASSESSMENT)
    at.text_input(key="aud_new_auditor").set_value("Tòng Văn Hùng")
    at.date_input(key="aud_new_date").set_value(dt.date(2021, 3, 1))
    at.get("form_submit_button")[0].click().run()
    assert not at.exception and not at.error
    new_id = store.scalar("SELECT max(id) FROM audits")
    assert at.query_params["audit"] == str(new_id)
    assert at.header[0].value.startswith(f"Phiếu #{new_id}: ") and len(at.segmented_control) > 0


def test_refused_start_shows_the_rule_and_stays_on_the_list(page, store):
    at = page(tab="new")
    never = store.scalar("SELECT code FROM units u WHERE level = 'commune' AND NOT EXISTS "
                         "(SELECT 1 FROM qms_events e WHERE e.unit_code = u.code) ORDER BY code LIMIT 1")
    at.selectbox(key="aud_new_unit").set_value(never)
    at.text_input(key="aud_new_auditor").set_value("A")
    at.date_input(key="aud_new_date").set_value(dt.date(2021, 3, 1))
    at.get("form_submit_button")[0].click().run()
    assert len(at.error) == 1 and "chưa áp dụng HTQLCL" in at.error[0].value and "audit" not in at.query_params


# -- filling ----------------------------------------------------------------------------------

def test_one_click_saves_the_answer(page, store):
    audit_id = _draft_2015(store)
    at = page(audit=audit_id)
    key = _first_unanswered(at)
    before = get_audit(store, audit_id).answered
    _click(at, key, R.CONFORM)
    saved = get_audit(store, audit_id)
    assert saved.answers[_ref(key)].result is R.CONFORM and saved.answered == before + 1
    assert "Đã lưu lúc" in " ".join(c.value for c in at.caption)


def test_opening_a_draft_goes_to_the_first_section_with_unanswered_items(page, store):
    audit_id = _draft_2015(store)
    view = get_audit(store, audit_id)
    first_open = next(s.section_ref for s in view.specs if s.ref not in view.answers)
    at = page(audit=audit_id)
    assert at.selectbox(key="aud_section").value == first_open
    assert any(w.value is None for w in at.segmented_control)


def test_item_shows_question_clause_and_guidance(page, store):
    at = page(audit=_draft_2015(store))
    at.selectbox(key="aud_section").set_value("c4").run()
    text = " ".join(m.value for m in at.markdown)
    assert "**c4-01** · Điều 4.1" in text and "?" in text
    assert at.segmented_control[0].options == ["Phù hợp", "Không phù hợp nhẹ", "Không phù hợp nặng", "Điểm lưu ý", "Không áp dụng"]


def test_answers_survive_a_reload(page, store):
    audit_id = _draft_2015(store)
    at = page(audit=audit_id)
    key = _first_unanswered(at)
    _click(at, key, R.OBSERVATION)
    at.text_area(key=key.replace("_r_", "_n_")).set_value("Nên cập nhật danh mục").run()
    again = page(audit=audit_id)  # a new session: what a browser reload gives
    _all_sections(again)
    assert again.segmented_control(key=key).value is R.OBSERVATION
    assert again.text_area(key=key.replace("_r_", "_n_")).value == "Nên cập nhật danh mục"


def test_section_filter_and_only_unanswered(page, store):
    audit_id = _draft_2015(store)
    at = page(audit=audit_id)
    at.selectbox(key="aud_section").set_value("c5").run()
    assert {_ref(w.key)[:3] for w in at.segmented_control} == {"c5-"}
    at.selectbox(key="aud_section").set_value("*").run()
    at.toggle(key="aud_only_open").set_value(True).run()
    unanswered = {s.ref for s in get_audit(store, audit_id).specs} - set(get_audit(store, audit_id).answers)
    assert {_ref(w.key) for w in at.segmented_control} == unanswered


def test_next_section_saves_and_moves_on(page, store):
    audit_id = _draft_2015(store)
    at = page(audit=audit_id)
    first = at.selectbox(key="aud_section").value
    at.button(key="aud_next").click().run()
    assert at.selectbox(key="aud_section").value != first and not at.exception


def test_progress_bar_counts_answered_items(page, store):
    audit_id = _draft_2015(store)
    view = get_audit(store, audit_id)
    at = page(audit=audit_id)
    assert at.get("progress")[0].proto.text == f"Đã trả lời {view.answered}/{view.item_count} mục"


# -- the conflict path ------------------------------------------------------------------------

def test_later_save_over_newer_answers_is_refused_and_the_input_stays(page, store):
    audit_id = _draft_2015(store)
    at = page(audit=audit_id)  # this auditor opened the audit
    key = _first_unanswered(at)
    ref = _ref(key)
    other = get_audit(store, audit_id)  # another auditor saves the same item meanwhile
    save_answers(store, audit_id, [AnswerInput(item_ref=ref, result=R.CONFORM)], expected_version=other.row_version,
                 actor=system_principal("Vàng Thị Mai"))
    _click(at, key, R.MAJOR)
    assert len(at.error) == 1 and ref in at.error[0].value and "Vàng Thị Mai" in at.error[0].value
    assert "chưa lưu gì" in at.error[0].value
    assert at.segmented_control(key=key).value is R.MAJOR  # the auditor's input is still on screen
    assert get_audit(store, audit_id).answers[ref].result is R.CONFORM
    at.button(key="aud_apply_mine").click().run()  # reload the latest, then apply mine knowingly
    assert not at.error and get_audit(store, audit_id).answers[ref].result is R.MAJOR


def test_dropping_my_answers_after_a_conflict_shows_the_saved_ones(page, store):
    audit_id = _draft_2015(store)
    at = page(audit=audit_id)
    key = _first_unanswered(at)
    other = get_audit(store, audit_id)
    save_answers(store, audit_id, [AnswerInput(item_ref=_ref(key), result=R.CONFORM)], expected_version=other.row_version,
                 actor=system_principal("B"))
    _click(at, key, R.MINOR)
    at.button(key="aud_take_theirs").click().run()
    assert at.segmented_control(key=key).value is R.CONFORM and not at.error


def test_answers_saved_by_another_auditor_on_other_items_appear_after_my_save(page, store):
    audit_id = _draft_2015(store)
    at = _all_sections(page(audit=audit_id))
    mine, theirs = [w.key for w in at.segmented_control if w.value is None][:2]
    other = get_audit(store, audit_id)
    save_answers(store, audit_id, [AnswerInput(item_ref=_ref(theirs), result=R.NOT_APPLICABLE)],
                 expected_version=other.row_version, actor=system_principal("B"))
    _click(at, mine, R.CONFORM)
    assert not at.error and at.segmented_control(key=theirs).value is R.NOT_APPLICABLE


# -- submit, lock, reopen ---------------------------------------------------------------------

def _fill_everything(at, store, audit_id, *, finding: str | None = None) -> None:
    """Answer every unanswered item, section by section; ``finding``: one item graded minor with a note."""
    at.selectbox(key="aud_section").set_value("*").run()
    todo = [w.key for w in at.segmented_control if w.value is None]
    for key in todo:
        at.segmented_control(key=key).set_value(R.MINOR if _ref(key) == finding else R.CONFORM)
    if finding:
        at.text_area(key=f"aud_{audit_id}_n_{finding}").set_value("Thiếu phiếu kiểm soát quá trình")
    at.run()
    assert not at.exception and not at.error


def test_fill_reload_finish_and_submit_updates_score_findings_and_lifecycle(page, store):
    """The walk-through: a demo commune's 2015 internal audit, filled, reloaded, finished, submitted."""
    audit_id = _draft_2015(store)
    code = get_audit(store, audit_id).unit_code
    at = _all_sections(page(audit=audit_id))
    for _ in range(3):  # item by item: one click each
        _click(at, _first_unanswered(at), R.CONFORM)
    at.button(key="aud_save").click().run()
    at = _all_sections(page(audit=audit_id))  # reload
    finding = _ref(_first_unanswered(at))
    _fill_everything(at, store, audit_id, finding=finding)
    at.button(key="aud_submit").click().run()
    assert not at.error, [e.value for e in at.error]
    assert at.success[0].value.startswith("Đã nộp. Điểm: ") and "Đánh giá nội bộ' năm 2015" in at.success[0].value
    view = get_audit(store, audit_id)
    assert at.metric[0].value == f"{view.score_pct:.2f}".replace(".", ",") + " %"  # a Vietnamese number
    findings = _table(at, "Mã phát hiện")
    assert finding in set(findings["Mục"]) and "Không phù hợp nhẹ" in set(findings["Mức độ"])
    assert store.rows("SELECT source FROM qms_events WHERE unit_code = ? AND event_type = 'internal_audit'"
                      " AND year(event_date) = 2015", [code]) == [("audit",)]


def test_submit_with_items_missing_is_refused_with_the_count(page, store):
    audit_id = _draft_2015(store)
    at = page(audit=audit_id)
    at.button(key="aud_submit").click().run()
    missing = get_audit(store, audit_id).item_count - get_audit(store, audit_id).answered
    assert len(at.error) == 1 and f"còn {missing} mục chưa trả lời" in at.error[0].value


def test_a_submitted_audit_is_locked_and_reopened_only_with_a_reason(page, store):
    audit_id = store.scalar("SELECT id FROM audits WHERE status = 'submitted' ORDER BY id LIMIT 1")
    at = page(audit=audit_id)
    assert all(w.disabled for w in at.segmented_control) and "bị khóa" in at.info[0].value
    assert not [b for b in at.button if b.key == "aud_submit"]
    at.button(key="aud_reopen").click().run()
    assert len(at.error) == 1 and "lý do" in at.error[0].value
    at.text_area(key="aud_reopen_reason").set_value("Nhập nhầm kết quả mục c4-01")
    at.button(key="aud_reopen").click().run()
    assert at.success[0].value.startswith("Đã mở lại") and not any(w.disabled for w in at.segmented_control)
    assert get_audit(store, audit_id).status.value == "draft"


def test_bad_and_unknown_audit_numbers_are_one_message(page):
    assert "không hợp lệ" in page(audit="abc").error[0].value  # type: ignore[arg-type]
    assert page(audit=999999).error[0].value == "Không có phiếu đánh giá #999999."


def test_an_answer_stays_on_screen_after_leaving_its_section_and_coming_back(page, store):
    audit_id = _draft_2015(store)
    at = page(audit=audit_id)
    here = at.selectbox(key="aud_section").value
    key = _first_unanswered(at)
    _click(at, key, R.MINOR)
    at.button(key="aud_next").click().run()
    assert key not in [w.key for w in at.segmented_control]
    at.selectbox(key="aud_section").set_value(here).run()
    assert at.segmented_control(key=key).value is R.MINOR


# -- the widgets other pages call (units page, overview) --------------------------------------

def _unit_history_script(code: str) -> None:
    from qms.audits import widgets as audit_widgets
    from qms.audits.findings_store import unit_audits, unit_findings
    from qms.ui.context import db

    audit_widgets.unit_audit_history(unit_audits(db(), code), unit_findings(db(), code))


def _overview_heatmap_script(day: str) -> None:
    import datetime as dt

    from qms.audits import widgets as audit_widgets
    from qms.audits.findings_store import findings_heatmap
    from qms.ui.context import db

    audit_widgets.findings_heatmap(findings_heatmap(db(), dt.date.fromisoformat(day)))


def _run_script(fn, arg, db_path, monkeypatch) -> AppTest:
    monkeypatch.setenv("QMS_DB", str(db_path))
    st.cache_resource.clear()
    at = AppTest.from_function(fn, args=(arg,), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def test_unit_history_shows_each_audit_with_its_score(db_path, store, monkeypatch):
    code = store.scalar("SELECT unit_code FROM audits WHERE status = 'closed' ORDER BY id LIMIT 1")
    at = _run_script(_unit_history_script, code, db_path, monkeypatch)
    audits = _table(at, "Tiến độ")
    assert len(audits) == store.scalar("SELECT count(*) FROM audits WHERE unit_code = ?", [code])
    assert audits["Điểm (%)"].notna().any() and at.subheader[0].value == "Đánh giá và kiểm tra"


def test_unit_history_of_a_unit_without_audits_is_one_info(db_path, store, monkeypatch):
    code = store.scalar("SELECT code FROM units u WHERE NOT EXISTS (SELECT 1 FROM audits a WHERE a.unit_code = u.code)"
                        " ORDER BY code LIMIT 1")
    at = _run_script(_unit_history_script, code, db_path, monkeypatch)
    assert [i.value for i in at.info] == ["Đơn vị chưa có phiếu đánh giá nào."]


def test_overview_heatmap_is_drawn_and_empty_before_any_finding(db_path, monkeypatch):
    at = _run_script(_overview_heatmap_script, "2021-12-31", db_path, monkeypatch)
    assert len(at.get("vega_lite_chart")) == 1 and not at.info
    early = _run_script(_overview_heatmap_script, "2014-12-31", db_path, monkeypatch)
    assert [i.value for i in early.info] == ["Chưa có phát hiện nào đến ngày này."]


def test_an_audit_outside_the_inspectors_scope_is_read_only_from_the_start(page, store):
    """No live answer buttons (each click used to be refused while the progress count rose), no
    save or submit, one line saying why; section moves and "Tải lại bản mới nhất" still work."""
    audit_id = _draft_2015(store)
    unit, parent = store.rows("SELECT a.unit_code, u.parent_code FROM audits a JOIN units u ON u.code = a.unit_code"
                              " WHERE a.id = ?", [audit_id])[0]
    other = store.scalar("SELECT min(code) FROM units WHERE level = 'district' AND code <> ?", [parent])
    inspector = Principal(username="tdc", role=Role.AUDITOR, units=frozenset({"S12-01"}), districts=frozenset({other}))
    at = page(audit=audit_id, user=inspector)
    answered = at.get("progress")[0].proto.text
    assert at.segmented_control and all(w.disabled for w in at.segmented_control)
    assert all(w.disabled for w in at.text_area if w.key.startswith(f"aud_{audit_id}_"))
    assert not [b for b in at.button if b.key in ("aud_save", "aud_submit")]
    assert len(at.info) == 1 and at.info[0].value.startswith("Chỉ xem: ") and "S12-01" in at.info[0].value
    at.button(key="aud_next").click().run()
    at.button(key="aud_reload").click().run()
    assert not at.exception and not at.error and at.get("progress")[0].proto.text == answered
    at.button(key="aud_back").click().run()
    assert "audit" not in at.query_params and not at.segmented_control  # back on the list


def test_an_inspector_may_start_audits_only_of_their_units(page, store):
    inspector = Principal(username="tdc", role=Role.AUDITOR, units=frozenset({"S12-01", "S12-02"}))
    at = page(user=inspector, tab="new")
    assert at.selectbox(key="aud_new_unit").options == ["S12-01 — " + store.scalar(
        "SELECT name FROM unit_names WHERE code = 'S12-01' ORDER BY valid_from DESC LIMIT 1"), "S12-02 — " + store.scalar(
        "SELECT name FROM unit_names WHERE code = 'S12-02' ORDER BY valid_from DESC LIMIT 1")]
    viewer = page(user=Principal(username="lanhdao", role=Role.VIEWER), tab="new")
    assert not [s for s in viewer.selectbox if s.key == "aud_new_unit"]
    assert any(i.value.startswith("Chỉ xem: tài khoản lanhdao") for i in viewer.info)


def test_the_lists_address_with_an_audit_number_leads_to_the_audits_own(app, store):
    """``/audits?audit=ID`` (links and bookmarks from before the audit had its own address) opens
    ``/audit?audit=ID``: on the list's address the sidebar's Đánh giá would keep the audit open."""
    audit_id = _draft_2015(store)
    at = app()
    at.query_params["audit"] = str(audit_id)
    at.switch_page("qms/audits/page.py").run()
    assert not at.exception, at.exception
    assert at.session_state["page_url"] == "audit" and at.query_params["audit"] == str(audit_id)
    assert at.header[0].value.startswith(f"Phiếu #{audit_id}: ")
