"""Journey: the Ministry opens the national roll-up of three provinces in the browser.

Everything is made with the real CLI: three demo provinces (the demo under three province codes),
one snapshot each (``qms export``), the national snapshot (``qms rollup``), the roll-up database
(``qms rollup-db``) and its administrator (``qms users add``); then the app on that database, in
Chromium: the banner, the national figures, communes per province, one province's communes, the
source snapshots, and no page that writes.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

from qms.bench.rollup_bench import rekey_province
from qms.kernel.db import open_database
from qms.kernel.labels import t

from .conftest import ROOT, free_port, local_page, server_command, start_server, stop_server
from .helpers import choose, click_button, fill, metric, open_url

pytestmark = pytest.mark.e2e

AS_OF = "2026-06-30"
PROVINCES = {"12": None, "91": "Tỉnh Thử Nghiệm Một", "92": "Tỉnh Thử Nghiệm Hai"}


def _cli(*args: str, db: Path | None = None, stdin: str | None = None) -> str:
    cmd = [sys.executable, "-m", "qms.cli", *(["--db", str(db)] if db else []), *args]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300, input=stdin)
    assert done.returncode == 0, f"qms {' '.join(args)}: {done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def rollup_server(tmp_path_factory):
    work = tmp_path_factory.mktemp("rollup-e2e")
    snapshots = []
    for code, name in PROVINCES.items():
        db = work / f"p{code}.duckdb"
        _cli("demo", "--until", AS_OF, db=db)
        if name:
            database = open_database(db)
            try:
                rekey_province(database, "12", code, name)
            finally:
                database.close()
        snapshots.append(json.loads(_cli("export", "--out", str(work / "exports" / code), "--as-of", AS_OF, "--json", db=db))["path"])
    national = json.loads(_cli("rollup", *snapshots, "--out", str(work / "national"), "--json"))["path"]
    national_db = work / "national.duckdb"
    _cli("rollup-db", national, "--db", str(national_db))
    password = secrets.token_urlsafe(12)
    _cli("users", "add", "--username", "bo.noivu", "--role", "admin", "--password-stdin", db=national_db,
         stdin=f"{password}\n")
    server_dir = work / "server"
    server_dir.mkdir()
    env = {**os.environ, "QMS_DB": str(national_db), "QMS_EXPORTS": str(server_dir / "exports"), "PYTHONUNBUFFERED": "1"}
    cmd = server_command(free_port(), server_dir / "egress.txt", "--server.headless", "true", "--server.address", "127.0.0.1",
                         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none", "--server.runOnSave", "false")
    proc, base_url = start_server(cmd, env, server_dir / "streamlit.log")
    try:
        yield base_url, ("bo.noivu", password), [Path(s).name for s in snapshots]
    finally:
        stop_server(proc)


def test_the_national_overview_shows_provinces_then_a_provinces_communes(browser, rollup_server):
    base_url, (user, password), snapshot_names = rollup_server
    with local_page(browser) as page:
        # signing in as the harness's sign_in does, but a single page has no sidebar navigation to wait for
        open_url(page, base_url)
        fill(page, "sign_in_username", user)
        fill(page, "sign_in_password", password)
        click_button(page, "Đăng nhập")
        expect(page.locator("h1").first).to_have_text(t("page.overview"))
        expect(page.get_by_text("Bản tổng hợp quốc gia: 3 tỉnh, số liệu tính đến ngày 30/06/2026")).to_be_visible()
        # the same cards, summed: 3 x the demo's 19 departments and 38 communes of 30/06/2026
        assert metric(page, "Sở, ban, ngành")[0].endswith("/57")
        assert metric(page, "Cấp xã")[0].endswith("/114")
        expect(page.get_by_role("heading", name="Cấp xã theo tỉnh")).to_be_visible()
        choose(page, "overview_province", "Tỉnh Thử Nghiệm Hai")
        expect(page.get_by_role("heading", name="Cấp xã của Tỉnh Thử Nghiệm Hai")).to_be_visible()
        # the sources: each province's snapshot by name
        page.get_by_text("Nguồn số liệu: bản xuất của từng tỉnh").click()
        for name in snapshot_names:
            expect(page.get_by_text(name).first).to_be_attached()
        # no page that writes: the overview alone, so Streamlit draws no navigation at all
        expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
