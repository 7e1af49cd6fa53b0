"""Journey 8: the app makes no request outside this machine.

Every browser test is checked at teardown by the ``page`` fixture (conftest.py); this journey
visits every page on purpose, and the first two tests show that the recorder and the filter
behind that check do catch a foreign host (so a silent pass is not a broken check).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from .helpers import foreign, goto, is_local, record_requests

pytestmark = pytest.mark.e2e

PAGES = {"": "Tổng quan", "units": "Đơn vị", "targets": "Chỉ tiêu", "import": "Nhập dữ liệu"}  # at least these


def test_the_host_filter_flags_every_foreign_url():
    urls = [
        "http://127.0.0.1:8501/_stcore/health",
        "ws://127.0.0.1:8501/_stcore/stream",
        "http://localhost:8501/static/js/index.js",
        "http://[::1]:8501/",
        "data:image/png;base64,AAAA",
        "blob:http://127.0.0.1:8501/5f0c",
        "about:blank",
        "https://fonts.googleapis.com/css2?family=Source+Sans",
        "http://localhost.example.com/",
        "http://127.0.0.1.nip.io/",
        "wss://cdn.example.org/socket",
        "https://fonts.googleapis.com/css2?family=Source+Sans",
        "file:///etc/passwd",
    ]
    assert foreign(urls) == [
        "https://fonts.googleapis.com/css2?family=Source+Sans",
        "http://localhost.example.com/",
        "http://127.0.0.1.nip.io/",
        "wss://cdn.example.org/socket",
        "file:///etc/passwd",
    ]
    assert is_local("http://127.0.0.1:1/") and not is_local("https://example.com/")


def test_the_recorder_catches_a_foreign_request_of_the_page(browser):
    """The chain the ``page`` fixture relies on, with a page that does reach out (the request
    is aborted by a route before it leaves; 192.0.2.1 is a documentation-only address)."""
    seen: list[str] = []
    context = browser.new_context()
    try:
        context.route("http://192.0.2.1/**", lambda route: route.abort())
        record_requests(context, seen)
        page = context.new_page()
        page.set_content('<img src="http://192.0.2.1/pixel.png">')
        expect(page.locator("img")).to_be_attached()
        page.wait_for_load_state("load")
    finally:
        context.close()
    assert foreign(seen) == ["http://192.0.2.1/pixel.png"]


def test_every_page_stays_on_this_machine(page, app_server, seen_urls):
    """The sign-in, then every page of the administrator's sidebar (pages added later
    included), each drawn in full; the sign-in's own requests are in ``seen_urls`` too."""
    links = page.get_by_test_id("stSidebarNav").get_by_role("link")
    pages = dict(zip(links.all_inner_texts(), (link.get_attribute("href") for link in links.all())))
    assert set(PAGES.values()) <= set(pages), pages
    for title, href in pages.items():
        assert is_local(href), href
        goto(page, urlsplit(href).path)
        if title in PAGES.values():
            expect(page.locator("h1").first).to_have_text(title)
    assert any(u.startswith("ws://127.0.0.1:") and u.endswith("/_stcore/stream") for u in seen_urls), seen_urls[:5]
    assert len(seen_urls) > 20  # the recorder saw the app's own files
    assert foreign(seen_urls) == []
