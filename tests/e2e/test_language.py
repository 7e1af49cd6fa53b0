"""The language switch: Vietnamese by default, English on request, figures unchanged."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .helpers import metric, wait_idle, widget

pytestmark = pytest.mark.e2e


def test_english_switch_shows_the_overview_in_english(page, app_server):
    expect(page.locator("h1").first).to_have_text("Tổng quan")
    communes = metric(page, "Cấp xã")[0]
    widget(page, "lang").get_by_text("English", exact=True).click()
    wait_idle(page)
    expect(page.locator("h1").first).to_have_text("Overview")
    expect(page.get_by_role("heading", name="Announced rate per level")).to_be_visible()
    assert metric(page, "Communes")[0] == communes
