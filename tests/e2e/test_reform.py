"""Journey across the 2025 reform, in a real Chromium.

On the demo as it was before the reforms, the administrator imports the Lai Châu crosswalk of
NQ 1670 through the page **Thay đổi địa giới**: a preview (coverage before and after on the
effective date, codes reused), then the confirmation; the same file again changes nothing.  On
the province of today (the demo loaded to a fixed end date) the overview shows the 38 communes
directly under the province and no district level; the date picker moved to 31/12/2016 brings
back the 8 districts and 65/108; a reused code found in the unit search opens today's ward, which
says what it was formed from, and the old ward of the same code is one click away."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from qms.kernel.settings import PROJECT_ROOT

from .conftest import _run_cli, free_port, local_page, server_command, start_server, stop_server
from .helpers import click_button, fill, goto, metric, search_units, set_date, sign_in, upload, wait_idle

pytestmark = pytest.mark.e2e

#: The demo's end date: its history after the reform depends on it, so the journey fixes it.
DEMO_UNTIL = "2026-12-03"


def _serve(tmp_path_factory: pytest.TempPathFactory, until: str) -> Iterator[tuple[str, str]]:
    """An app of its own on the demo loaded to ``until``: ``(base URL, admin password)``."""
    folder = tmp_path_factory.mktemp("reform")
    db_path = folder / "today.duckdb"
    _run_cli(db_path, "init")
    _run_cli(db_path, "demo", "--until", until)
    password = secrets.token_urlsafe(18)
    _run_cli(db_path, "users", "password", "--username", "admin", "--password-stdin", stdin=password + "\n")
    env = {**os.environ, "QMS_DB": str(db_path), "QMS_EXPORTS": str(folder / "exports"), "PYTHONUNBUFFERED": "1"}
    cmd = server_command(free_port(), folder / "egress.txt", "--server.headless", "true", "--server.address", "127.0.0.1",
                         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
                         "--server.runOnSave", "false")
    proc, base_url = start_server(cmd, env, folder / "streamlit.log")
    try:
        yield base_url, password
    finally:
        stop_server(proc)


@pytest.fixture(scope="module")
def today_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A second app, on the demo province of today, for this module only."""
    yield from _serve(tmp_path_factory, DEMO_UNTIL)


@pytest.fixture(scope="module")
def before_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A third app, on the demo as it was before the reforms, for the import journey."""
    yield from _serve(tmp_path_factory, "2021-12-31")


def _signed_in(browser, server):
    base_url, password = server
    with local_page(browser) as page:
        sign_in(page, base_url, "admin", password)
        yield page


@pytest.fixture
def today_page(browser, today_server):
    yield from _signed_in(browser, today_server)


@pytest.fixture
def before_page(browser, before_server):
    yield from _signed_in(browser, before_server)


def test_the_crosswalk_imports_through_the_page_with_a_preview_and_a_second_import_changes_nothing(before_page, tmp_path):
    page = before_page
    crosswalk = tmp_path / "nq1670.csv"  # a short name: the uploader shows it whole
    crosswalk.write_bytes((PROJECT_ROOT / "data" / "demo" / "lai_chau_2025_communes.csv").read_bytes())
    goto(page, "changes")
    expect(page.get_by_text("Chưa nhập thay đổi địa giới nào.")).to_be_visible()
    fill(page, "chg_act", "NQ 1670/NQ-UBTVQH15 (16/06/2025)")
    set_date(page, "chg_effective", dt.date(2025, 7, 1))
    upload(page, "chg_file", crosswalk)
    expect(page.get_by_text("104 đơn vị chấm dứt để hợp thành 36 đơn vị mới; 2 đơn vị tiếp tục; 8 đơn vị chấm dứt")).to_be_visible()
    expect(page.get_by_text("Tỷ lệ công bố vào ngày hiệu lực: trước → sau")).to_be_visible()
    click_button(page, "Xác nhận nhập")
    expect(page.get_by_text("Đã nhập NQ 1670/NQ-UBTVQH15 (16/06/2025): 36 đơn vị mới, 112 đơn vị chấm dứt.")).to_be_visible()
    expect(page.get_by_text("Chưa nhập thay đổi địa giới nào.")).to_have_count(0)
    # the same file again: recognised, nothing changes
    fill(page, "chg_act", "NQ 1670/NQ-UBTVQH15 (16/06/2025)")
    set_date(page, "chg_effective", dt.date(2025, 7, 1))
    upload(page, "chg_file", crosswalk)
    expect(page.get_by_text("đã được nhập trước đây; không có gì thay đổi")).to_be_visible()
    goto(page)
    set_date(page, "overview_as_of", dt.date(2025, 7, 1))
    assert metric(page, "Cấp xã")[0].endswith("/38")


def test_the_overview_shows_the_map_of_the_date_on_both_sides_of_the_reform(today_page):
    page = today_page
    set_date(page, "overview_as_of", dt.date(2026, 12, 3))
    value, _ = metric(page, "Cấp xã")
    assert value.endswith("/38")
    expect(page.get_by_test_id("stMetricLabel").get_by_text("Cấp huyện", exact=True)).to_have_count(0)
    expect(page.get_by_role("heading", name="Cấp xã trực thuộc tỉnh")).to_be_visible()

    set_date(page, "overview_as_of", dt.date(2016, 12, 31))
    assert metric(page, "Cấp xã")[0] == "65/108"
    assert metric(page, "Cấp huyện")[0] == "8/8"
    expect(page.get_by_role("heading", name="Cấp xã theo huyện")).to_be_visible()
    expect(page.get_by_role("heading", name="Cấp xã trực thuộc tỉnh")).to_have_count(0)

    set_date(page, "overview_as_of", dt.date(2025, 7, 1))
    assert metric(page, "Cấp xã")[0].endswith("/38")
    expect(page.get_by_test_id("stMetricLabel").get_by_text("Cấp huyện", exact=True)).to_have_count(0)


def test_a_reused_code_opens_todays_ward_and_its_predecessors_are_one_click_away(today_page):
    page = today_page
    goto(page, "units")
    search_units(page, "Đoàn Kết")
    expect(page.get_by_text("Hợp thành từ 5 đơn vị ngày 01/07/2025")).to_be_visible()
    expect(page.locator("h2").filter(has_text="Phường Đoàn Kết")).to_be_visible()
    # the old ward that bore 03388 is named, and its own page is one click away
    button = page.get_by_role("button", name="Phường Quyết Tiến (03388)")
    expect(button).to_be_visible()
    button.click()
    wait_idle(page)
    expect(page.locator("h2").filter(has_text="Phường Quyết Tiến")).to_be_visible()
    expect(page.get_by_text("Từ 01/07/2025 đơn vị này thuộc về: Phường Đoàn Kết (03388)")).to_be_visible()
