"""Journey 7 on the sign-in form: a wrong password lets nobody in and says so.

It signs in as the demo's read-only leader (``lanhdao``), never as ``admin``: failed attempts
are counted per user name and slow that user's next sign-ins down, and every other journey
signs in as ``admin``.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .helpers import click_button, fill, open_url

pytestmark = pytest.mark.e2e


def test_a_wrong_password_is_refused(browser_page, app_server):
    page = browser_page
    open_url(page, app_server.base_url)
    expect(page.locator("h1").first).to_have_text("Đăng nhập")
    fill(page, "sign_in_username", "lanhdao")
    fill(page, "sign_in_password", "not-the-password")
    click_button(page, "Đăng nhập")
    expect(page.get_by_test_id("stAlert").filter(has_text="Sai tên đăng nhập hoặc mật khẩu.")).to_be_visible()
    expect(page.locator("h1").first).to_have_text("Đăng nhập")
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
    expect(page.get_by_test_id("stMetric")).to_have_count(0)


def test_a_link_to_a_record_survives_the_sign_in(browser_page, app_server):
    """A colleague's link (here to a unit) opened signed out: after the sign-in the app shows
    that record, not the overview."""
    page = browser_page
    open_url(page, f"{app_server.base_url}/units?unit=S12-11")
    expect(page.locator("h1").first).to_have_text("Đăng nhập")
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)  # nothing of the app before signing in
    username, password = app_server.account("admin")
    fill(page, "sign_in_username", username)
    fill(page, "sign_in_password", password)
    click_button(page, "Đăng nhập")
    expect(page.get_by_role("heading", name="Sở Khoa học và Công nghệ")).to_be_visible()
    assert "/units" in page.url and "unit=S12-11" in page.url
