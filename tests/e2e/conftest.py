"""The browser-test harness: one real app per session, one fresh browser context per test.

Session
- ``e2e_demo``: a fresh temporary database made by the real CLI (``qms init``, ``qms demo``, then
  ``qms users password`` gives each demo account a journey signs in with -- ``admin``, the
  inspector ``tdc``, the ISO officer ``iso.quyetthang`` -- a password of this session's own) and
  what the journeys need to know about it, read through the store *before* the app opens the
  file (DuckDB lets one process hold it): :class:`DemoFacts`.
- ``app_server``: ``streamlit run streamlit_app.py`` on a free port of 127.0.0.1 with
  ``QMS_DB`` pointing at that database and ``QMS_EXPORTS`` at a temporary folder (snapshots
  never land in the project tree), started once; waits (bounded) for ``/_stcore/health``,
  else fails with the server's output.  Its process group is killed at the end.  It runs under
  :mod:`egress` (tests/e2e/egress.py), which notes every outside look-up or connection the
  server process makes.
- ``changes``: what the journeys changed in the shared database (:class:`SessionChanges`), so
  that a journey's expected figures hold whatever ran before it.
- ``browser``: Debian's Chromium through Playwright (never a downloaded browser); a missing
  ``chromium`` fails every browser test with one sentence saying what to install.

Per test
- ``browser_page``: a new browser context (a new Streamlit session: sign-in, language, widgets,
  flashes start fresh) recording every request and websocket it opens; at teardown any URL
  outside 127.0.0.1/localhost fails the test (see :func:`helpers.foreign`).
- ``page``: that page signed in as the administrator, showing the overview.  Move inside the
  app with :func:`helpers.goto` (sidebar links): loading a URL starts a signed-out session.
- On a failure the hook below saves ``test-artifacts/<test>.png`` (full page) and ``.txt``
  (the page's text) and prints both paths with the server log's.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from qms.accounts.rules import Role
from qms.accounts.store import list_users
from qms.actions.queries import list_actions
from qms.actions.rules import ActionStatus
from qms.audits.findings_store import list_audits
from qms.audits.rules import AuditStatus
from qms.coverage.queries import by_district, not_announced
from qms.kernel.clock import province_today
from qms.kernel.db import open_database
from qms.kernel.settings import PROJECT_ROOT
from qms.scope.queries import scope_by_unit
from qms.units.model import Level, Stage
from qms.units.store import count_units, list_units

from . import egress
from .helpers import TIMEOUT_MS, artifact_name, foreign, record_requests, save_artifacts, sign_in

ROOT = PROJECT_ROOT
ARTIFACTS = ROOT / "test-artifacts"
#: Chromium's switches for a sandbox-less container without GPU, network chatter or updates.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
STARTUP_SECONDS = 60
VIEWPORT = {"width": 1400, "height": 1000}
CONTEXT_OPTIONS = {"viewport": VIEWPORT, "locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh"}


@dataclass(frozen=True)
class DemoFacts:
    """Facts of the fresh demo database, read through the store before the app starts."""

    today: dt.date
    #: Communes not announced today, by stage (codes in the store's order).
    pending_communes: dict[Stage, list[str]]
    #: ``(district name, announced, in plan)`` per district for communes on 31/12/2016.
    districts_2016: list[tuple[str, int, int]]
    #: Every unit the database holds (gone ones included): the rows of a snapshot's units table.
    unit_count: int = 0
    #: Districts existing today: the rows of a snapshot's per-district coverage table.
    district_count: int = 0
    #: ``(code, name)`` of a unit the inspector ``tdc`` may audit, with no audit in progress, that
    #: no other journey touches (not the officer's unit, not a unit some journey picks by stage).
    audit_unit: tuple[str, str] = ("", "")
    #: ``(action id, unit code)`` of an open improvement action of the ISO officer's unit
    #: (one that follows an audit finding when the demo has one).
    officer_action: tuple[int, str] = (0, "")
    #: ``(code, name, TTHC in its catalogue)`` of departments whose scope is complete today and that
    #: no account's scope names: the catalogue-import journeys each take one.
    complete_departments: list[tuple[str, str, int]] = field(default_factory=list)
    #: Audits of every status the database holds: the rows of a snapshot's audits table.
    audit_count: int = 0
    #: ``(audit id, unit name)`` of a draft audit of a unit outside the inspector ``tdc``'s scope.
    foreign_draft: tuple[int, str] = (0, "")
    #: ``(action id, unit code)`` of an open action outside the officer's unit (the administrator starts it).
    open_action: tuple[int, str] = (0, "")
    #: ``(action id, unit code)`` of an action done and awaiting verification, outside ``tdc``'s scope.
    foreign_done_action: tuple[int, str] = (0, "")

    def commune(self, stage: Stage, index: int = 0) -> str:
        codes = self.pending_communes.get(stage, [])
        if len(codes) <= index:
            raise AssertionError(f"the demo has fewer than {index + 1} communes in stage {stage.value}: {codes}")
        return codes[index]


@dataclass
class SessionChanges:
    """What the journeys changed in the shared database, for journeys that read totals."""

    #: Communes a journey announced (dated today or earlier): today's commune count grows by this.
    announced_communes: int = 0
    #: Departments whose complete scope a journey made incomplete (TTHC imported, no process yet).
    incomplete_departments: int = 0
    #: Audits a journey started (they are rows of a snapshot's audits table).
    audits_started: int = 0


@dataclass(frozen=True)
class AppServer:
    base_url: str
    db_path: Path
    log_path: Path
    facts: DemoFacts = field(repr=False)
    #: The demo administrator's user name and this session's password for it (never printed).
    admin: tuple[str, str] = field(repr=False)
    #: This session's password of every demo account a journey signs in with (never printed).
    passwords: dict[str, str] = field(default_factory=dict, repr=False)
    #: Where the server process notes each outside look-up or connection (tests/e2e/egress.py).
    egress_path: Path = Path()

    def account(self, username: str) -> tuple[str, str]:
        """``(username, password)`` of a demo account the session set a password for."""
        return username, self.passwords[username]


def _run_cli(db_path: Path, *args: str, stdin: str | None = None) -> None:
    done = subprocess.run([sys.executable, "-m", "qms.cli", "--db", str(db_path), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, input=stdin)
    if done.returncode != 0:
        pytest.fail(f"`qms {' '.join(args)}` failed ({done.returncode}): {done.stderr or done.stdout}", pytrace=False)


#: Demo accounts the journeys sign in with; each gets a password of this session's own.
ACCOUNTS = ("admin", "tdc", "iso.quyetthang", "lanhdao")
AUDITOR, OFFICER, VIEWER = "tdc", "iso.quyetthang", "lanhdao"


def _read_facts(db_path: Path, today: dt.date) -> DemoFacts:
    db = open_database(db_path)
    try:
        pending: dict[Stage, list[str]] = {}
        for unit in not_announced(db, today, Level.COMMUNE):
            pending.setdefault(unit.stage, []).append(unit.code)
        districts = [(d.district_name, d.announced, d.in_plan) for d in by_district(db, dt.date(2016, 12, 31))]
        units = list_units(db, as_of=today, include_gone=True)
        users = {u.username: u for u in list_users(db)}
        auditor, officer = users[AUDITOR], users[OFFICER]
        assert auditor.role is Role.AUDITOR and officer.role is Role.OFFICER and len(officer.units) == 1, (auditor, officer)
        pending_codes = {code for codes in pending.values() for code in codes}
        busy = {a.unit_code for a in list_audits(db, status=AuditStatus.DRAFT)}
        audit_unit = next(((u.code, u.name) for u in units
                           if (u.code in auditor.units or (u.level is Level.COMMUNE and u.parent_code in auditor.districts))
                           and u.valid_to is None and u.code not in busy | pending_codes | set(officer.units)), None)
        assert audit_unit is not None, "the demo gives the inspector no unit free of a draft audit"
        open_actions = list_actions(db, as_of=today, unit_code=officer.units[0], status=ActionStatus.OPEN).rows
        assert open_actions, f"the demo has no open action of the officer's unit {officer.units[0]}"
        action = sorted(open_actions, key=lambda a: (a.finding_id is None, a.id))[0]
        scoped = {c for u in users.values() for c in u.units}
        departments = [(r.unit_code, r.unit_name, r.tthc_total) for r in scope_by_unit(db, today, level=Level.DEPARTMENT)
                       if r.complete and r.tthc_total and r.unit_code not in scoped]
        in_scope = {u.code for u in units if u.code in auditor.units or u.parent_code in auditor.districts}
        foreign = next(a for a in list_audits(db, status=AuditStatus.DRAFT) if a.unit_code not in in_scope)
        others = [a for a in list_actions(db, as_of=today, status=ActionStatus.OPEN).rows
                  if a.unit_code not in officer.units and a.id != action.id]
        done = [a for a in list_actions(db, as_of=today, status=ActionStatus.DONE).rows if a.unit_code not in in_scope]
        assert others and done, "the demo lacks an open action outside the officer's unit or a done one outside tdc's scope"
        facts = DemoFacts(
            today=today, pending_communes=pending, districts_2016=districts, unit_count=count_units(db),
            district_count=sum(1 for u in units if u.level is Level.DISTRICT and u.valid_to is None),
            audit_unit=audit_unit, officer_action=(action.id, action.unit_code), complete_departments=departments,
            audit_count=len(list_audits(db, limit=1_000_000)), foreign_draft=(foreign.id, foreign.unit_name),
            open_action=(others[-1].id, others[-1].unit_code), foreign_done_action=(done[0].id, done[0].unit_code),
        )
    finally:
        db.close()
    return facts


@pytest.fixture(scope="session")
def e2e_demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoFacts, dict[str, str]]:
    """A fresh database holding the demo province, made with the real CLI."""
    db_path = tmp_path_factory.mktemp("e2e") / "qms.duckdb"
    _run_cli(db_path, "init")
    _run_cli(db_path, "demo", "--until", "2021-12-31")  # the province before the reforms; prints random one-time passwords; those the journeys use are replaced below
    passwords = {username: secrets.token_urlsafe(18) for username in ACCOUNTS}
    for username, password in passwords.items():
        _run_cli(db_path, "users", "password", "--username", username, "--password-stdin", stdin=password + "\n")
    return db_path, _read_facts(db_path, province_today()), passwords


@contextlib.contextmanager
def local_page(browser) -> Iterator:
    """A page in a fresh browser context of the suite's options (signed out); on leaving, the
    context is closed and every URL it requested must have stayed on this machine."""
    context = browser.new_context(**CONTEXT_OPTIONS)
    context.set_default_timeout(TIMEOUT_MS)
    seen: list[str] = []
    record_requests(context, seen)
    try:
        yield context.new_page()
    finally:
        context.close()
    outside = foreign(seen)
    assert not outside, f"requests outside localhost: {outside[:10]}"


def server_command(port: int, egress_path: Path, *options: str) -> list[str]:
    """``streamlit run streamlit_app.py`` on ``port`` under the egress recorder, with ``options``."""
    return [sys.executable, str(ROOT / "tests" / "e2e" / "egress.py"), str(egress_path), "-m", "streamlit", "run",
            "streamlit_app.py", "--server.port", str(port), *options]


def start_server(cmd: list[str], env: dict[str, str], log_path: Path) -> tuple[subprocess.Popen, str]:
    """Start ``cmd`` in its own process group, output to ``log_path``; wait (bounded) for its
    health check on 127.0.0.1; return the process and its base URL, or fail with its output."""
    port = cmd[cmd.index("--server.port") + 1]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_SECONDS
    while not _healthy(f"{base_url}/_stcore/health"):
        if proc.poll() is not None or time.monotonic() > deadline:
            why = f"exited with status {proc.returncode}" if proc.poll() is not None else f"did not answer within {STARTUP_SECONDS} s"
            output = log_path.read_text(encoding="utf-8", errors="replace")[-4000:]
            stop_server(proc)
            pytest.fail(f"the app server {why}; its output:\n{output}", pytrace=False)
        time.sleep(0.2)
    return proc, base_url


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy
    try:
        with opener.open(url, timeout=2) as answer:
            return answer.status == 200 and answer.read().strip() == b"ok"
    except OSError:
        return False


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    except ProcessLookupError:  # pragma: no cover - ended meanwhile
        pass


@pytest.fixture(scope="session")
def app_server(e2e_demo, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """The real app on a free local port, once for the whole session."""
    db_path, facts, passwords = e2e_demo
    server_dir = tmp_path_factory.mktemp("server")
    log_path, egress_path = server_dir / "streamlit.log", server_dir / "egress.txt"
    env = {**os.environ, "QMS_DB": str(db_path), "QMS_EXPORTS": str(server_dir / "exports"), "PYTHONUNBUFFERED": "1"}
    cmd = server_command(free_port(), egress_path, "--server.headless", "true", "--server.address", "127.0.0.1",
                         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
                         "--server.runOnSave", "false")
    proc, base_url = start_server(cmd, env, log_path)
    try:
        yield AppServer(base_url=base_url, db_path=db_path, log_path=log_path, facts=facts,
                        admin=("admin", passwords["admin"]), passwords=passwords, egress_path=egress_path)
    finally:
        stop_server(proc)


@pytest.fixture(scope="session")
def changes() -> SessionChanges:
    return SessionChanges()


@pytest.fixture(scope="session")
def browser() -> Iterator:
    """Debian's Chromium, launched once; never a browser downloaded by Playwright."""
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("The browser tests need Debian's Chromium, which is not installed: run `apt-get install chromium`.",
                    pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def seen_urls() -> list[str]:
    """Every URL the test's browser context requested (http, websocket), in order."""
    return []


@pytest.fixture
def browser_page(browser, app_server: AppServer, seen_urls: list[str]) -> Iterator:
    """A fresh context and page (signed out); every URL it requests must stay on this machine."""
    context = browser.new_context(**CONTEXT_OPTIONS)
    context.set_default_timeout(TIMEOUT_MS)
    server_calls_before = egress.line_count(app_server.egress_path)
    record_requests(context, seen_urls)
    page = context.new_page()  # fires the context's "page" event too: its websockets are recorded
    try:
        yield page
    finally:
        context.close()
    outside = foreign(seen_urls)
    if outside:
        pytest.fail(f"the page made {len(outside)} request(s) outside localhost: {', '.join(outside[:10])}", pytrace=False)
    server_calls = egress.outside_calls(app_server.egress_path, server_calls_before)
    if server_calls:
        pytest.fail(f"the app server reached outside this machine: {', '.join(server_calls[:10])}", pytrace=False)


@pytest.fixture
def page(browser_page, app_server: AppServer):
    """A fresh page signed in as the demo administrator, on the overview."""
    sign_in(browser_page, app_server.base_url, *app_server.admin)
    return browser_page


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """On a failed browser test: save the screenshot and page text, print where they are."""
    report = yield
    if report.failed and report.when in ("setup", "call"):
        page = getattr(item, "funcargs", {}).get("browser_page")
        if page is not None and not page.is_closed():
            png, txt = save_artifacts(page, artifact_name(item.name), ARTIFACTS)
            server = item.funcargs.get("app_server")
            lines = [f"screenshot: {png}", f"page text: {txt}"]
            if server is not None:
                lines.append(f"server log: {server.log_path}")
            report.sections.append(("e2e artifacts", "\n".join(lines)))
            reporter = item.config.pluginmanager.get_plugin("terminalreporter")
            if reporter is not None:
                reporter.write_line("")
                for line in lines:
                    reporter.write_line(f"[e2e] {item.name}: {line}")
    return report
