"""Journey 4: an improvement action worked to verified closure by two different people.

The demo's ISO officer of Phường Quyết Thắng (``iso.quyetthang``) takes an open action of their
own unit (``facts.officer_action``, read through the store before the app started), starts it
(naming the person responsible) and marks it done with what was done; the officer is offered no
verification.  The administrator then tries to record the person responsible as the verifier
-- refused with one sentence, the status unchanged -- and verifies it effective, dated, under
their own name.  Status, facts and history are read on the page after each step.  The action
is one no other journey reads.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .helpers import all_grid_rows, choose, choose_starting, click_button, fill, goto, grid, options, set_date, sign_in, wait_idle

pytestmark = pytest.mark.e2e

OWNER = "Nguyễn Thị Lan"
ROOT_CAUSE = "Cán bộ mới chưa được hướng dẫn cập nhật sổ theo dõi."
DONE = "Đã cập nhật sổ theo dõi hồ sơ và hướng dẫn lại cán bộ tiếp nhận."
VERIFICATION = "Kiểm tra 20 hồ sơ tháng này: sổ theo dõi đầy đủ."
VERIFIER = "admin"
STATUS = {"open": "Mới mở", "in_progress": "Đang thực hiện", "done": "Đã xong, chờ xác minh",
          "verified": "Đã xác minh: hiệu quả"}
START, MARK_DONE, VERIFY = "Bắt đầu thực hiện", "Đánh dấu đã xong", "Xác minh: hiệu quả"


def open_action(page: Page, action_id: int, unit: str) -> None:
    """On the actions page, narrow the list to the unit and open the action by its number."""
    goto(page, "actions")
    choose_starting(page, "act_f_unit", f"{unit} — ", search=unit)
    choose_starting(page, "act_pick", f"#{action_id} · ")
    expect(header(page, action_id)).to_be_visible()


def header(page: Page, action_id: int):
    return page.get_by_role("heading", name=re.compile(rf"^Hành động #{action_id} · "))


def expect_status(page: Page, action_id: int, status: str) -> None:
    """The action shown is still ``action_id`` and its facts line ends with ``status``."""
    expect(header(page, action_id)).to_be_visible()
    facts = page.get_by_test_id("stCaptionContainer").filter(has_text=re.compile(r"Hạn xử lý: \d{2}/\d{2}/\d{4}"))
    expect(facts).to_have_count(1)
    expect(facts).to_have_text(re.compile(rf"· {re.escape(status)}$"))


def step(page: Page, action_id: int, name: str) -> None:
    choose(page, f"act_step_{action_id}", name)


def history(page: Page, rows: int | None = None) -> list[list[str]]:
    """The history table's rows (``rows``: wait until it has that many).  The grid draws (and
    makes accessible) only the columns in view, and long notes push "Người ghi" past the
    edge: the window is widened while reading."""
    size = page.viewport_size
    page.set_viewport_size({"width": 2600, "height": size["height"]})
    try:
        table = grid(page, "Ngày", "Bước", "Từ", "Thành", "Hạn xử lý", "Ghi chú", "Người ghi")
        expect(table).to_have_count(1)
        return all_grid_rows(table, rows)
    finally:
        page.set_viewport_size(size)


def test_an_officer_finishes_an_action_and_another_user_verifies_it(browser_page, app_server):
    page = browser_page
    action_id, unit = app_server.facts.officer_action
    today = app_server.facts.today.strftime("%d/%m/%Y")
    a = action_id

    sign_in(page, app_server.base_url, *app_server.account("iso.quyetthang"))
    open_action(page, a, unit)
    expect_status(page, a, STATUS["open"])
    before = len(history(page))

    step(page, a, START)
    fill(page, f"act_{a}_start_owner", OWNER)
    fill(page, f"act_{a}_start_cause", ROOT_CAUSE)
    click_button(page, "Ghi nhận")
    expect(page.get_by_test_id("stAlert").filter(has_text=f"Đã ghi nhận: {START}.")).to_be_visible()
    expect_status(page, a, STATUS["in_progress"])
    expect(page.get_by_text(f"Người chịu trách nhiệm: {OWNER}")).to_be_visible()

    step(page, a, MARK_DONE)
    fill(page, f"act_{a}_done_note", DONE)
    click_button(page, "Ghi nhận")
    expect(page.get_by_test_id("stAlert").filter(has_text=f"Đã ghi nhận: {MARK_DONE}.")).to_be_visible()
    expect_status(page, a, STATUS["done"])
    expect(page.get_by_text(f"Việc đã làm: {DONE} ({today})")).to_be_visible()
    offered = options(page, f"act_step_{a}")  # the owner's unit may not verify its own action
    assert VERIFY not in offered and not [o for o in offered if o.startswith("Xác minh")], offered

    # A different person: the administrator, in a new session.
    sign_in(page, app_server.base_url, *app_server.admin)
    open_action(page, a, unit)
    expect_status(page, a, STATUS["done"])
    step(page, a, VERIFY)
    fill(page, f"act_{a}_verify_effective_verifier", OWNER)  # the person responsible verifying their own work
    fill(page, f"act_{a}_verify_effective_note", VERIFICATION)
    click_button(page, "Ghi nhận")
    refusal = f"Người xác minh hành động #{a} phải khác người chịu trách nhiệm ({OWNER}); chưa lưu gì."
    expect(page.get_by_test_id("stAlert").filter(has_text=refusal)).to_be_visible()
    expect_status(page, a, STATUS["done"])
    assert len(history(page, before + 2)) == before + 2

    fill(page, f"act_{a}_verify_effective_verifier", VERIFIER)
    set_date(page, f"act_{a}_verify_effective_date", app_server.facts.today)
    click_button(page, "Ghi nhận")
    expect(page.get_by_test_id("stAlert").filter(has_text=f"Đã ghi nhận: {VERIFY}.")).to_be_visible()
    expect_status(page, a, STATUS["verified"])
    expect(page.get_by_text(f"Xác minh: {VERIFIER}, {today} — {VERIFICATION}")).to_be_visible()
    expect(page.get_by_text("Bạn không có thao tác nào với hành động này ở trạng thái hiện tại.")).to_be_visible()

    rows = history(page, before + 3)
    # Ngày, Bước, Từ, Thành, Hạn xử lý, Ghi chú, Người ghi
    assert [(r[0], r[1], r[2], r[3], r[6]) for r in rows[-3:]] == [
        (today, START, STATUS["open"], STATUS["in_progress"], "iso.quyetthang"),
        (today, MARK_DONE, STATUS["in_progress"], STATUS["done"], "iso.quyetthang"),
        (today, VERIFY, STATUS["done"], STATUS["verified"], VERIFIER),
    ], rows
    wait_idle(page)
