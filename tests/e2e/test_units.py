"""Journeys 2 and 7 on the unit page: record a lifecycle, and be refused on bad input.

Each journey works on its own commune, picked from the fresh demo by stage (``app_server.facts``),
so the journeys do not depend on their order.  The one that announces a commune records it in
``changes`` (the overview journey reads today's total).
"""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from qms.units.model import Stage

from .helpers import alerts, choose, click_button, expect_grid_rows, fill, goto, grid, grid_row_count, grid_rows, metric, open_unit, reopen_unit, set_date

pytestmark = pytest.mark.e2e

NO_STANDARD = "Không áp dụng"
ISO_2015 = "TCVN ISO 9001:2015"


def record(page: Page, event: str, day: dt.date, *, decision: str = "", standard: str = NO_STANDARD) -> None:
    """Fill the "Ghi nhận sự kiện mới" form and press "Lưu sự kiện"."""
    expect(page.get_by_role("heading", name="Ghi nhận sự kiện mới")).to_be_visible()
    choose(page, "ev_type", event)
    set_date(page, "ev_date", day)
    fill(page, "ev_decision", decision)
    choose(page, "ev_standard", standard)
    click_button(page, "Lưu sự kiện")


def timeline(page: Page):
    return grid(page, "Ngày", "Sự kiện", "Số quyết định", "Tiêu chuẩn")


def test_recording_an_announcement_adds_a_commune_to_the_overview(page, app_server, changes):
    code = app_server.facts.commune(Stage.NOT_STARTED)
    today = app_server.facts.today
    announced, in_plan = map(int, metric(page, "Cấp xã")[0].split("/"))

    open_unit(page, code)
    expect(page.get_by_text("Đơn vị chưa có sự kiện nào.")).to_be_visible()
    steps = [
        ("Bắt đầu xây dựng", today - dt.timedelta(days=300), "", NO_STANDARD),
        ("Áp dụng", today - dt.timedelta(days=200), "", NO_STANDARD),
        ("Công bố", today - dt.timedelta(days=100), "45/QĐ-UBND", ISO_2015),
    ]
    for rows, (event, day, decision, standard) in enumerate(steps, start=1):
        record(page, event, day, decision=decision, standard=standard)
        expect(page.get_by_text("Đã lưu sự kiện.")).to_be_visible()
        expect_grid_rows(timeline(page), rows)
    changes.announced_communes += 1

    newest = grid_rows(timeline(page))[0]  # the timeline lists the newest event first
    assert newest[:4] == [(today - dt.timedelta(days=100)).strftime("%d/%m/%Y"), "Công bố", "45/QĐ-UBND", ISO_2015]
    expect(page.get_by_text("Tình trạng hôm nay: Đã công bố")).to_be_visible()

    goto(page)
    expect(page.get_by_test_id("stMetric").filter(has_text="Cấp xã").get_by_test_id("stMetricValue")).to_have_text(
        f"{announced + 1}/{in_plan}"
    )


def test_announcing_a_unit_that_never_applied_is_refused(page, app_server):
    code = app_server.facts.commune(Stage.BUILDING)
    open_unit(page, code)
    rows = grid_row_count(timeline(page))
    assert rows >= 1
    record(page, "Công bố", app_server.facts.today - dt.timedelta(days=10), decision="46/QĐ-UBND", standard=ISO_2015)
    error = page.get_by_test_id("stAlert").filter(has_text="chưa áp dụng")
    expect(error).to_be_visible()
    assert "Chưa lưu gì." in error.inner_text()
    assert "Đã lưu sự kiện." not in alerts(page)
    reopen_unit(page, code)
    expect_grid_rows(timeline(page), rows)
    expect(page.get_by_text("Tình trạng hôm nay: Đang xây dựng")).to_be_visible()


def test_an_announcement_without_decision_number_is_refused(page, app_server):
    code = app_server.facts.commune(Stage.APPLYING)
    open_unit(page, code)
    rows = grid_row_count(timeline(page))
    assert rows >= 2
    record(page, "Công bố", app_server.facts.today - dt.timedelta(days=10), decision="", standard=ISO_2015)
    error = page.get_by_test_id("stAlert").filter(has_text="số quyết định")
    expect(error).to_be_visible()
    assert "Đã lưu sự kiện." not in alerts(page)
    reopen_unit(page, code)
    expect_grid_rows(timeline(page), rows)
    expect(page.get_by_text("Tình trạng hôm nay: Đang áp dụng")).to_be_visible()
