"""Journey 8: the app makes no request outside this machine, neither the browser nor the server.

Every browser test is checked at teardown by the ``page`` fixture (conftest.py): the browser's
requests, and the server process's own look-ups and connections (tests/e2e/egress.py).  This
journey visits every page on purpose, starts the app a second time exactly as ``make run``
does (the project's ``.streamlit/config.toml``, only the port chosen), and shows that each
recorder and filter behind those checks does catch a foreign host (so a silent pass is not a
broken check).
"""

from __future__ import annotations

import os
import subprocess
import sys
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from . import egress
from .conftest import ROOT, free_port, server_command, start_server, stop_server
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


def test_the_server_recorder_catches_a_lookup_of_the_process(tmp_path):
    """The chain behind the server check: a process run under tests/e2e/egress.py that looks a
    name up and connects outside is recorded (before either is attempted: no network needed)."""
    (tmp_path / "reaches_out.py").write_text(
        "import socket\n"
        "for call in (lambda: socket.getaddrinfo('checkip.amazonaws.com', 80),\n"
        "             lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).connect(('192.0.2.1', 1)),\n"
        "             lambda: socket.getaddrinfo('localhost', 80)):\n"
        "    try:\n"
        "        call()\n"
        "    except OSError:\n"
        "        pass\n", encoding="utf-8")
    record = tmp_path / "egress.txt"
    done = subprocess.run([sys.executable, str(ROOT / "tests" / "e2e" / "egress.py"), str(record), "-m", "reaches_out"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert egress.outside_calls(record) == ["socket.getaddrinfo checkip.amazonaws.com", "socket.connect 192.0.2.1"]


def test_the_app_started_as_make_run_does_looks_nothing_up_outside(tmp_path, app_server):
    """``make run`` starts ``streamlit run streamlit_app.py`` with the project's config alone:
    Streamlit then looks up the machine's external IP (checkip.amazonaws.com) unless the config
    names the address people use.  The session's server passes ``--server.address``, which
    hides that, so this starts one more exactly as shipped (on an empty database)."""
    record, log = tmp_path / "egress.txt", tmp_path / "streamlit.log"
    env = {**os.environ, "QMS_DB": str(tmp_path / "empty.duckdb"), "QMS_EXPORTS": str(tmp_path / "exports"),
           "PYTHONUNBUFFERED": "1"}
    proc, _ = start_server(server_command(free_port(), record), env, log)
    stop_server(proc)
    output = log.read_text(encoding="utf-8", errors="replace")
    assert "You can now view your Streamlit app" in output, output
    assert egress.outside_calls(record) == [], output
    assert "external IP" not in output and "External URL" not in output, output
    assert egress.outside_calls(app_server.egress_path) == []  # nor did the session's server, so far
