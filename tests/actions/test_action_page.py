"""AppTest of the Hành động page on a copy of the demo: figures as of any date, filters, an
officer's own actions first, steps through the forms, a stale write refused with the input kept,
permissions, opening an action by hand, the due-days setting."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from qms.accounts.rules import Principal, Role
from qms.actions.queries import action_overview, get_action, list_actions
from qms.actions.rules import ActionSource, ActionStatus, Step
from qms.actions.steps import StepInput
from qms.actions.store import apply_step, internal_audit_due_days
from qms.kernel.clock import province_today
from qms.kernel.db import open_database
from qms.kernel.settings import PROJECT_ROOT

PAGE = str(PROJECT_ROOT / "qms" / "actions" / "page.py")
TODAY = province_today()
ADMIN = Principal(username="test-admin", role=Role.ADMIN)
OFFICER = Principal(username="iso.quyetthang", role=Role.OFFICER, units=frozenset({"03386"}))
AUDITOR = Principal(username="tdc", role=Role.AUDITOR, districts=frozenset({"105"}))
VIEWER = Principal(username="lanhdao", role=Role.VIEWER)


@pytest.fixture
def db_path(demo_file, tmp_path) -> Path:
    return Path(shutil.copyfile(demo_file, tmp_path / "app.duckdb"))


@pytest.fixture
def page(db_path, monkeypatch, account_in, show_tab):
    """``page(user, tab)`` -> the actions page run once, signed in as ``user``, on a demo copy,
    the tab ``tab`` open ("new", "settings"; the list by default: tabs compute only when open)."""

    def make(user: Principal = ADMIN, tab: str | None = None) -> AppTest:
        monkeypatch.setenv("QMS_DB", str(db_path))
        st.cache_resource.clear()
        at = AppTest.from_file(PAGE, default_timeout=60)
        at.session_state["principal"] = account_in(db_path, user)
        at.run()
        if tab is not None:
            show_tab(at, "act_tab", f"action.tab_{tab}")
        assert not at.exception, at.exception
        return at

    yield make
    st.cache_resource.clear()


@pytest.fixture
def store(db_path, make_account):
    """The same database file, as another user's session sees it (``ADMIN``'s account in it)."""
    database = open_database(db_path)
    make_account(database, ADMIN)
    yield database
    database.close()


def table(at: AppTest):
    found = [df.value for df in at.dataframe if "Hạn xử lý" in df.value.columns and "Đơn vị" in df.value.columns]
    assert len(found) == 1
    return found[0]


def metric(at: AppTest, label: str):
    return next(m.value for m in at.metric if m.label == label)


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, at.exception
    return at


def own_action(store, status: ActionStatus) -> int:
    return next(r.id for r in list_actions(store, as_of=TODAY, unit_code="03386").rows if r.status is status)


# -- figures and filters -------------------------------------------------------------------------

def test_page_shows_todays_figures_from_the_store(page, store):
    at = page()
    data = action_overview(store, TODAY)
    assert (metric(at, "Đang mở"), metric(at, "Quá hạn")) == (str(data.open), str(data.overdue))
    total = list_actions(store, as_of=TODAY).total
    assert total == data.total > 300  # the demo's ~1,000: the list sends the first 300 and says so
    assert len(table(at)) == 300 and f"Đang hiển thị 300 trong số {total} hành động" in " ".join(c.value for c in at.caption)


def test_overdue_on_30_june_2017_lists_what_the_overview_counts(page, store):
    at = page()
    at.date_input(key="act_as_of").set_value(dt.date(2017, 6, 30))
    at.toggle(key="act_f_overdue").set_value(True)
    run(at)
    expected = action_overview(store, dt.date(2017, 6, 30)).overdue
    rows = table(at)
    assert len(rows) == expected == int(metric(at, "Quá hạn")) > 0
    assert (rows["Quá hạn (ngày)"] > 0).all()


def test_status_and_district_filters(page):
    at = page()
    at.selectbox(key="act_f_district").set_value("105")
    at.selectbox(key="act_f_status").set_value(ActionStatus.RECURRED)
    run(at)
    rows = table(at)
    assert len(rows) > 0 and set(rows["Trạng thái"]) == {"Tái diễn (không hiệu quả)"}
    assert set(rows["Huyện"]) == {"Thành phố Lai Châu"}


def test_a_filter_matching_nothing_says_so(page):
    at = page()
    at.selectbox(key="act_f_unit").set_value("03386")
    at.selectbox(key="act_f_status").set_value(ActionStatus.RECURRED)
    run(at)
    assert [i.value for i in at.info] == ["Không có hành động nào phù hợp bộ lọc."]


def test_officer_sees_their_units_actions_first(page):
    at = page(OFFICER)
    rows = table(at)
    assert rows.iloc[0]["Đơn vị"] == "Phường Quyết Thắng" and rows.iloc[0]["Đơn vị tôi"] == "★"
    assert rows.iloc[len(rows) - 1]["Đơn vị tôi"] == ""


# -- steps through the page ----------------------------------------------------------------------

def test_officer_starts_their_open_action(page, store):
    action_id = own_action(store, ActionStatus.OPEN)
    at = page(OFFICER)
    assert at.selectbox(key="act_pick").value == action_id
    assert at.selectbox(key=f"act_step_{action_id}").options == ["Bắt đầu thực hiện", "Hủy (kèm lý do)"]
    at.text_area(key=f"act_{action_id}_start_cause").input("Chưa phân công người cập nhật sổ")
    at.button(key="act_submit").click()
    run(at)
    assert [s.value for s in at.success] == ["Đã ghi nhận: Bắt đầu thực hiện."]
    done = get_action(store, action_id)
    assert (done.status, done.root_cause, done.events[-1].actor) == (
        ActionStatus.IN_PROGRESS, "Chưa phân công người cập nhật sổ", "iso.quyetthang")


def test_marking_done_without_a_description_is_refused_and_saves_nothing(page, store):
    action_id = own_action(store, ActionStatus.OPEN)
    at = page(OFFICER)
    at.button(key="act_submit").click()
    run(at)
    at.selectbox(key=f"act_step_{action_id}").set_value(Step.DONE)
    run(at)
    version = get_action(store, action_id).row_version
    at.button(key="act_submit").click()
    run(at)
    assert [e.value for e in at.error] == [f"Hãy mô tả việc đã làm để đánh dấu hành động #{action_id} đã xong; chưa lưu gì."]
    assert get_action(store, action_id).row_version == version


def test_a_stale_write_is_refused_and_the_input_is_kept(page, store):
    action_id = own_action(store, ActionStatus.OPEN)
    at = page(OFFICER)
    at.selectbox(key=f"act_step_{action_id}").set_value(Step.CANCEL)
    run(at)
    # meanwhile, somebody else starts the same action
    apply_step(store, action_id, StepInput(step=Step.START, on_date=TODAY, owner_name="Lò Thị Mai"),
               expected_version=get_action(store, action_id).row_version, actor=ADMIN, today=TODAY)
    at.text_area(key=f"act_{action_id}_cancel_note").input("Trùng với hành động khác")
    at.button(key="act_submit").click()
    run(at)
    assert at.error[0].value.startswith(f"Hành động #{action_id} đã được thay đổi bởi test-admin sau khi bạn mở; chưa lưu gì.")
    assert at.text_area(key=f"act_{action_id}_cancel_note").value == "Trùng với hành động khác"
    assert get_action(store, action_id).status is ActionStatus.IN_PROGRESS
    at.button(key="act_reload").click()
    run(at)
    at.button(key="act_submit").click()
    run(at)
    assert get_action(store, action_id).status is ActionStatus.CANCELLED


def test_auditor_verifies_a_done_action_of_their_district(page, store):
    action_id = own_action(store, ActionStatus.DONE)
    at = page(AUDITOR)
    at.selectbox(key="act_f_unit").set_value("03386")
    run(at)
    at.selectbox(key="act_pick").set_value(action_id)
    run(at)
    # opened by hand: cancelling it is the unit's own business, not the auditor's
    assert at.selectbox(key=f"act_step_{action_id}").options == ["Xác minh: hiệu quả", "Xác minh: không hiệu quả (mở lại)"]
    assert at.text_input(key=f"act_{action_id}_verify_effective_verifier").value == "tdc"
    at.button(key="act_submit").click()
    run(at)
    verified = get_action(store, action_id)
    assert (verified.status, verified.verified_by, verified.verified_on) == (ActionStatus.VERIFIED, "tdc", TODAY)


def test_a_viewer_gets_no_step_and_cannot_open_actions_and_is_told_why(page):
    at = page(VIEWER)
    why = f"Chỉ xem: tài khoản {VIEWER.username} có quyền chỉ xem (lãnh đạo), không thay đổi được dữ liệu."
    assert "act_submit" not in [b.key for b in at.button]
    assert [i.value for i in at.info] == [why]  # the action shown has a next step, not for a viewer
    assert len(at.tabs) == 2
    at = page(VIEWER, tab="new")
    assert "act_new_submit" not in [b.key for b in at.button] and [i.value for i in at.info] == [why]


def test_an_inspector_verifying_outside_their_area_is_told_why(page, store):
    """The step exists (the action is done, awaiting verification) but not for this inspector:
    the page says the unit is outside their scope, not only that there is nothing to do."""
    action_id, unit = store.rows("SELECT a.id, a.unit_code FROM actions a JOIN units u ON u.code = a.unit_code"
                                 " WHERE a.status = 'done' AND u.level = 'commune' AND u.parent_code <> '105'"
                                 " ORDER BY a.id LIMIT 1")[0]
    inspector = Principal(username="tdc", role=Role.AUDITOR, units=frozenset({"S12-01"}), districts=frozenset({"105"}))
    at = page(inspector)
    at.selectbox(key="act_f_unit").set_value(unit)
    run(at)
    at.selectbox(key="act_pick").set_value(action_id)
    run(at)
    assert not [s for s in at.selectbox if s.key == f"act_step_{action_id}"]
    reasons = [i.value for i in at.info if i.value.startswith("Chỉ xem: ")]
    assert reasons and "không thuộc phạm vi được giao cho bạn (đơn vị S12-01 và các đơn vị thuộc huyện 105)" in reasons[0]
    assert "xác minh hành động" in reasons[0]


# -- opened by hand, settings --------------------------------------------------------------------

def test_officer_opens_an_action_by_hand_for_their_unit_only(page, store):
    at = page(OFFICER, tab="new")
    assert at.selectbox(key="act_new_unit").options == ["03386 — Phường Quyết Thắng"]
    before = store.scalar("SELECT count(*) FROM actions")
    at.selectbox(key="act_new_source").set_value(ActionSource.COMPLAINT)
    at.text_area(key="act_new_description").input("Người dân phản ánh trả kết quả chậm")
    at.button(key="act_new_submit").click()
    run(at)
    new_id = store.scalar("SELECT max(id) FROM actions")
    assert store.scalar("SELECT count(*) FROM actions") == before + 1
    assert [s.value for s in at.success] == [f"Đã mở hành động #{new_id}."]
    assert get_action(store, new_id).due_date == TODAY + dt.timedelta(days=internal_audit_due_days(store))


def test_a_due_date_before_the_origin_is_refused_and_nothing_is_opened(page, store):
    at = page(OFFICER, tab="new")
    before = store.scalar("SELECT count(*) FROM actions")
    at.text_area(key="act_new_description").input("Tự phát hiện sổ chưa cập nhật")
    at.date_input(key="act_new_due").set_value(TODAY - dt.timedelta(days=1))
    at.button(key="act_new_submit").click()
    run(at)
    assert "trước ngày phát hiện" in at.error[0].value
    assert store.scalar("SELECT count(*) FROM actions") == before
    assert at.text_area(key="act_new_description").value == "Tự phát hiện sổ chưa cập nhật"


def test_admin_changes_the_internal_audit_due_days(page, store):
    at = page(ADMIN, tab="settings")
    at.number_input(key="act_due_days").set_value(45)
    at.button(key="act_save_days").click()
    run(at)
    assert internal_audit_due_days(store) == 45 and [s.value for s in at.success] == ["Đã lưu: 45 ngày."]


def test_only_the_admin_has_the_settings_tab(page):
    assert len(page(ADMIN).tabs) == 3 and len(page(OFFICER).tabs) == 2


# -- the overview's widget -------------------------------------------------------------------------

def _overview_part():
    """What the integrator adds to the overview page, on its date picker's value."""
    import datetime as dt

    from qms.actions import widgets as action_widgets
    from qms.actions.queries import action_overview
    from qms.ui.context import db

    action_widgets.render_overview_actions(action_overview(db(), dt.date(2017, 6, 30)))


def test_overview_widget_shows_the_figures_and_the_districts(db_path, store, monkeypatch):
    monkeypatch.setenv("QMS_DB", str(db_path))
    st.cache_resource.clear()
    at = AppTest.from_function(_overview_part, default_timeout=60)
    at.session_state["principal"] = ADMIN
    run(at)
    data = action_overview(store, dt.date(2017, 6, 30))
    assert metric(at, "Quá hạn") == str(data.overdue) and metric(at, "Trung vị ngày đóng") == \
        f"{data.median_days_to_close:g} ngày"
    districts = next(df.value for df in at.dataframe if "Huyện" in df.value.columns)
    assert districts["Quá hạn"].sum() == data.overdue and "Các sở, ban, ngành" in set(districts["Huyện"])
    st.cache_resource.clear()


def test_overview_widget_on_an_empty_database_says_there_is_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("QMS_DB", str(tmp_path / "empty.duckdb"))
    st.cache_resource.clear()
    at = AppTest.from_function(_overview_part, default_timeout=60)
    run(at)
    assert [i.value for i in at.info] == ["Chưa có hành động nào tính đến ngày này."] and not at.metric
    st.cache_resource.clear()


def test_text_people_typed_is_shown_as_text_not_markdown(page, store):
    """A description carrying Markdown (an image the browser would fetch, a link) stays text."""
    from qms.actions.queries import get_action as read
    from qms.actions.rules import ActionType, NewAction
    from qms.actions.store import open_action

    crafted = "![x](http://example.org/a.png) [bấm](http://example.org)"
    action_id = open_action(store, NewAction(unit_code="03386", source=ActionSource.COMPLAINT, type=ActionType.CORRECTIVE,
                                             description=crafted, origin_date=TODAY), actor=ADMIN, today=TODAY)
    assert read(store, action_id).description == crafted
    at = page(OFFICER)
    at.selectbox(key="act_pick").set_value(action_id)
    run(at)
    facts = [m.value for m in at.markdown if "example.org" in m.value]
    assert facts and all("](" not in m and "\\!\\[x\\]" in m for m in facts)


def test_after_a_step_the_user_stays_on_the_action_they_worked_on(page, store):
    """Filtered to open actions, starting one takes it out of the list: the page used to show
    the list's first action instead (its step offered again); it stays on the one worked on
    until the user picks or filters anew."""
    at = page()
    at.selectbox(key="act_f_status").set_value(ActionStatus.OPEN)
    run(at)
    first, action_id = [r.id for r in list_actions(store, as_of=TODAY, status=ActionStatus.OPEN).rows][:2]
    at.selectbox(key="act_pick").set_value(action_id)
    run(at)
    at.selectbox(key=f"act_step_{action_id}").set_value(Step.START)
    run(at)
    at.text_input(key=f"act_{action_id}_start_owner").input("Nguyễn Văn A")
    at.button(key="act_submit").click()
    run(at)
    assert [s.value for s in at.success] == ["Đã ghi nhận: Bắt đầu thực hiện."]
    assert at.selectbox(key="act_pick").value == action_id and at.subheader[0].value.startswith(f"Hành động #{action_id} · ")
    assert at.selectbox(key="act_pick").options[0].endswith("vừa cập nhật, không còn khớp bộ lọc")
    assert get_action(store, action_id).status is ActionStatus.IN_PROGRESS
    at.selectbox(key="act_f_status").set_value(None)  # filtering anew: the list as it is
    run(at)
    assert not [o for o in at.selectbox(key="act_pick").options if o.endswith("không còn khớp bộ lọc")]
    assert first != action_id
