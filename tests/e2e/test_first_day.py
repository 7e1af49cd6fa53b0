"""Journey 9: a first day with each demo account, as issue 15 found it, kept fixed.

Each test signs in with one of the demo's accounts (this session's passwords) and does what
hurt a new user: an inspector opening a draft outside their scope, the administrator working an
action through a filtered list, a viewer meeting forms they cannot use, people landing on the
province instead of their unit, English and raw data on Vietnamese screens, tables and charts on
a 1366x768 laptop, and a password changed and reset while the app runs.  The records come from
``app_server.facts`` (read through the store before the app started) and are ones no other
journey uses.  The password test runs last: it gives the viewer a new password.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .helpers import (
    alerts,
    choose,
    choose_starting,
    click_button,
    fill,
    goto,
    grid,
    grid_rows,
    open_tab,
    open_url,
    settled_grid_rows,
    sign_in,
    wait_idle,
    widget,
)

pytestmark = pytest.mark.e2e

LAPTOP = {"width": 1366, "height": 768}
READ_ONLY = "Chỉ xem: "


def read_only_notes(page: Page) -> list[str]:
    return [a.replace("🔒", "").strip() for a in alerts(page) if READ_ONLY in a]


# -- 1. an inspector in an audit they may not edit ------------------------------------------------

def test_an_audit_outside_the_inspectors_scope_is_read_only_and_every_way_out_works(browser_page, app_server):
    page = browser_page
    audit_id, unit = app_server.facts.foreign_draft
    sign_in(page, app_server.base_url, *app_server.account("tdc"))

    def open_it() -> None:
        goto(page, "audits")
        choose(page, "aud_f_status", "Nháp")
        choose_starting(page, "aud_pick", f"#{audit_id} · ")
        click_button(page, "Mở")
        expect(page.get_by_role("heading", name=f"Phiếu #{audit_id}: {unit}")).to_be_visible()

    open_it()
    progress = page.get_by_text(re.compile(r"^Đã trả lời \d+/\d+ mục$"))
    answered = progress.inner_text()
    notes = read_only_notes(page)
    assert len(notes) == 1 and unit in notes[0] and "không thuộc phạm vi được giao cho bạn" in notes[0], notes
    answers = page.get_by_test_id("stMain").get_by_role("radio")
    expect(answers.first).to_be_disabled()
    assert not [b for b in answers.all() if b.is_enabled()], "an answer button is live"
    expect(page.get_by_role("button", name="Nộp phiếu đánh giá")).to_have_count(0)
    expect(page.get_by_role("button", name="Lưu nháp")).to_have_count(0)

    click_button(page, "Tải lại bản mới nhất")  # works, and changes nothing
    expect(page.get_by_role("heading", name=f"Phiếu #{audit_id}: {unit}")).to_be_visible()
    assert progress.inner_text() == answered and not [a for a in alerts(page) if "không có quyền" in a]

    goto(page, "audits")  # the sidebar's Đánh giá: the list, not the same audit
    expect(page.get_by_role("heading", name=re.compile(r"^Phiếu #"))).to_have_count(0)
    expect(page.get_by_role("tab", name="Danh sách phiếu đánh giá")).to_be_visible()

    open_it()
    click_button(page, "← Danh sách phiếu")
    expect(page.get_by_role("heading", name=re.compile(r"^Phiếu #"))).to_have_count(0)
    expect(page.get_by_role("tab", name="Danh sách phiếu đánh giá")).to_be_visible()


# -- 2. the actions page keeps the action worked on ---------------------------------------------

def test_after_a_step_the_administrator_stays_on_the_action(page, app_server):
    action_id, unit = app_server.facts.open_action
    goto(page, "actions")
    choose(page, "act_f_status", "Mới mở")
    choose_starting(page, "act_pick", f"#{action_id} · ", search=f"#{action_id} ")
    choose(page, f"act_step_{action_id}", "Bắt đầu thực hiện")
    fill(page, f"act_{action_id}_start_owner", "Nguyễn Văn Bình")
    click_button(page, "Ghi nhận")
    expect(page.get_by_test_id("stAlert").filter(has_text="Đã ghi nhận: Bắt đầu thực hiện.")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(rf"^Hành động #{action_id} · "))).to_be_visible()
    facts = page.get_by_test_id("stCaptionContainer").filter(has_text=re.compile(r"Hạn xử lý: \d{2}/\d{2}/\d{4}"))
    expect(facts).to_have_text(re.compile(r"· Đang thực hiện$"))
    expect(widget(page, "act_pick").get_by_role("combobox")).to_have_value(re.compile(rf"^#{action_id} · "))


# -- 3. read-only roles are not handed forms ----------------------------------------------------

def test_a_viewer_gets_no_form_only_the_reason(browser_page, app_server):
    page = browser_page
    sign_in(page, app_server.base_url, *app_server.account("lanhdao"))
    why = "Chỉ xem: tài khoản lanhdao có quyền chỉ xem (lãnh đạo), không thay đổi được dữ liệu."

    goto(page, "units")
    expect(page.get_by_role("heading", name="Ghi nhận sự kiện mới")).to_be_visible()
    expect(page.get_by_role("button", name="Lưu sự kiện")).to_have_count(0)
    assert read_only_notes(page) == [why]

    goto(page, "targets")
    expect(page.get_by_role("button", name="Lưu chỉ tiêu")).to_have_count(0)
    expect(grid(page, "Năm", "Cấp xã")).to_have_count(1)
    assert read_only_notes(page) == [why]

    goto(page, "import")
    expect(page.get_by_test_id("stFileUploader")).to_have_count(0)
    assert read_only_notes(page) == [why]

    goto(page, "actions")
    open_tab(page, "Mở hành động mới")
    expect(page.get_by_role("button", name="Mở hành động")).to_have_count(0)


def test_an_inspector_verifying_outside_their_area_is_told_why(browser_page, app_server):
    page = browser_page
    action_id, unit = app_server.facts.foreign_done_action
    sign_in(page, app_server.base_url, *app_server.account("tdc"))
    goto(page, "actions")
    choose_starting(page, "act_f_unit", f"{unit} — ", search=unit)
    choose_starting(page, "act_pick", f"#{action_id} · ")
    expect(widget(page, f"act_step_{action_id}")).to_have_count(0)
    notes = [n for n in read_only_notes(page) if "xác minh hành động" in n]  # (the new-action tab has its own)
    assert len(notes) == 1 and "không thuộc phạm vi được giao cho bạn (đơn vị S12-01, S12-02" in notes[0], notes
    expect(page.get_by_text("Bạn không có thao tác nào với hành động này")).to_have_count(0)


# -- 5. people land on their own unit -----------------------------------------------------------

@pytest.mark.parametrize("account,landing", [("iso.quyetthang", "03386"), ("tdc", "S12-01"), ("lanhdao", None)])
def test_the_units_page_opens_on_the_persons_own_unit(browser_page, app_server, account, landing):
    page = browser_page
    sign_in(page, app_server.base_url, *app_server.account(account))
    goto(page, "units")
    caption = page.get_by_text(re.compile(r"^Mã: \S+ · Cấp: "))
    expect(caption).to_be_visible()
    if landing:
        expect(caption).to_contain_text(f"Mã: {landing} · ")
    expect(caption).not_to_contain_text("Cấp tỉnh")  # never the province, which has no lifecycle of its own


# -- 6. Vietnamese screens without English or raw data -------------------------------------------

def test_vietnamese_screens_show_no_english_or_raw_data(page, app_server):
    expect(page.get_by_test_id("stMetric").filter(has_text="Cấp xã").get_by_test_id("stMetricDelta")).to_contain_text(
        re.compile(r"^\d+,\d{2} % · chỉ tiêu \d+ %"))

    goto(page, "import")  # the uploader: no "Upload", no "200MB per file • CSV"
    uploader = page.get_by_test_id("stFileUploader")
    expect(uploader).to_have_count(1)
    text = uploader.inner_text()
    assert "Upload" not in text and "200MB" not in text and "per file" not in text, text
    button_text = uploader.get_by_role("button").locator('[data-testid="stMarkdownContainer"]').evaluate(
        "e => getComputedStyle(e, '::after').content")
    assert button_text == '"Chọn tệp"', button_text
    expect(page.get_by_text(re.compile(r"^Kéo thả tệp vào đây hoặc bấm Chọn tệp · \.csv · tối đa \d+ MB$"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"in_plan"))).to_be_visible()  # the columns the file may have

    goto(page, "audits")  # drafts have no score yet: a dash, not "None"
    choose(page, "aud_f_status", "Nháp")
    drafts = grid(page, "Số phiếu", "Điểm (%)")
    expect(drafts).to_have_count(1)
    rows = settled_grid_rows(drafts, lambda rows: {r[4] for r in rows} == {"Nháp"}, "only drafts")
    scores = {r[6] for r in rows}
    assert scores == {"–"}, scores

    goto(page, "change-log")  # before/after labelled, dates day first, no JSON
    table = grid(page, "Thời điểm", "Sau")
    expect(table).to_have_count(1)
    rows = grid_rows(table)
    after = [r[-1] for r in rows]
    assert after and not [a for a in after if '{"' in a or re.search(r"\d{4}-\d{2}-\d{2}", a)], after[:5]

    goto(page, "units")  # a commune with the demo's history: its source reads in Vietnamese
    fill_search = widget(page, "units_search").locator("input")
    fill_search.fill(app_server.facts.officer_action[1])
    fill_search.press("Enter")
    wait_idle(page)
    events = grid(page, "Ngày", "Sự kiện", "Nguồn")
    expect(events).to_have_count(1)
    sources = {r[5] for r in grid_rows(events)}
    assert sources and sources <= {"Dữ liệu mẫu", "Nhập trên ứng dụng", "Nhập từ tệp", "Từ phiếu đánh giá"}, sources


# -- 7. a 1366x768 laptop: tables fit, labels whole, legends, no console warnings -----------------

_OVERFLOW = """els => els.filter(e => e.offsetParent !== null).map(e => {
  const s = e.querySelector('.dvn-scroller');
  const heads = [...e.querySelectorAll('th[role="columnheader"]')].map(h => h.textContent);
  return [heads.slice(0, 3).join(' | '), s ? s.scrollWidth - s.clientWidth : 0];
})"""
_CUT_LABELS = """els => els.filter(e => e.offsetParent !== null).map(e => e.querySelector('p') || e)
  .filter(p => p.scrollWidth > p.clientWidth + 1).map(p => p.textContent)"""


def clipped_tables(page: Page) -> list[tuple[str, int]]:
    for table in page.get_by_test_id("stDataFrame").all():
        if table.is_visible():
            table.scroll_into_view_if_needed()
    wait_idle(page)
    return [(heads, over) for heads, over in page.get_by_test_id("stDataFrame").evaluate_all(_OVERFLOW) if over > 1]


def test_a_laptop_screen_shows_whole_tables_labels_and_legends_and_no_console_warning(browser_page, app_server):
    page = browser_page
    page.set_viewport_size(LAPTOP)
    console: list[str] = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}") if m.type in ("warning", "error") else None)
    sign_in(page, app_server.base_url, *app_server.admin)
    goto(page, "units")
    goto(page)  # the overview, drawn in full
    expect(page.get_by_test_id("stVegaLiteChart")).to_have_count(3)
    assert clipped_tables(page) == []
    cut = page.get_by_test_id("stMetricLabel").evaluate_all(_CUT_LABELS)
    assert cut == [], cut
    trend = page.get_by_test_id("stVegaLiteChart").filter(has=page.locator("[aria-label*=\"titled 'Năm'\"]"))
    legends = trend.locator('[aria-label*="legend"]').evaluate_all("els => els.map(e => e.getAttribute('aria-label'))")
    assert any("strokeDash" in l and "Đã công bố" in l and "Chỉ tiêu (%)" in l for l in legends), legends
    bars = page.get_by_test_id("stVegaLiteChart").filter(has=page.locator("[aria-label*=\"titled 'Huyện'\"]"))
    assert bars.locator('[aria-label*="legend"]').evaluate_all("els => els.map(e => e.getAttribute('aria-label'))")
    assert console == [], console

    goto(page, "actions")
    cut = page.get_by_test_id("stMetricLabel").evaluate_all(_CUT_LABELS)
    assert cut == [], cut  # "Trung vị số ngày đ…"
    for path, tabs in (("actions", ()), ("processes", ("Phạm vi theo cấp", "Theo đơn vị", "Văn bản pháp luật")), ("reports", ()),
                       ("audits", ("Danh sách phiếu đánh giá", "Phát hiện")), ("change-log", ())):
        goto(page, path)
        for tab in tabs or (None,):
            if tab:
                open_tab(page, tab)
            assert clipped_tables(page) == [], (path, tab)
    assert console == [], console


# -- 4. passwords changed while the app holds the database (runs last: the viewer's changes) -------

def test_a_reset_password_is_shown_once_changed_at_sign_in_and_changed_again_from_the_sidebar(browser_page, app_server):
    page = browser_page
    sign_in(page, app_server.base_url, *app_server.admin)
    goto(page, "users")
    choose(page, "users_toggle_pick", "lanhdao")
    click_button(page, "Đặt lại mật khẩu")
    expect(page.get_by_test_id("stAlert").filter(has_text="Mật khẩu dùng một lần của lanhdao")).to_be_visible()
    one_time = page.get_by_test_id("stCode").inner_text().strip()
    assert len(one_time) >= 10

    open_url(page, app_server.base_url)  # the viewer signs in with it: a new password first, nothing else
    fill(page, "sign_in_username", "lanhdao")
    fill(page, "sign_in_password", one_time)
    click_button(page, "Đăng nhập")
    expect(page.locator("h1").first).to_have_text("Đổi mật khẩu trước khi làm việc")
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
    own = "mật khẩu riêng của lãnh đạo"
    fill(page, "password_forced_current", one_time)
    fill(page, "password_forced_new", own)
    fill(page, "password_forced_again", own)
    click_button(page, "Lưu mật khẩu mới")
    expect(page.locator("h1").first).to_have_text("Tổng quan")

    sidebar = page.get_by_test_id("stSidebar")  # and again, from the sidebar, asking the current one
    sidebar.get_by_text("Đổi mật khẩu", exact=True).click()
    newer = "mật khẩu mới hơn nữa 2026"
    fill(page, "password_change_current", own)
    fill(page, "password_change_new", newer)
    fill(page, "password_change_again", newer)
    click_button(page, "Lưu mật khẩu mới")
    expect(sidebar.get_by_text("Đã đổi mật khẩu.")).to_be_visible()
    app_server.passwords["lanhdao"] = newer
    sign_in(page, app_server.base_url, "lanhdao", newer)
    expect(page.locator("h1").first).to_have_text("Tổng quan")
