"""Every write reads the account as it stands now (issue 14, defect 10).

A principal kept in a web session is a copy: an administrator may deactivate the account or
change its role or scope meanwhile.  These tests keep such a copy, change the account, and
check that the copy's next write is refused with nothing written; and that a bare name, which
once meant full rights, means none.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import pytest

from qms.accounts import store
from qms.accounts.rules import PermissionDenied, Principal, Role, system_principal
from qms.coverage.targets_store import list_targets, set_targets
from qms.kernel.db import open_database
from qms.kernel.settings import PROJECT_ROOT
from qms.units.events_store import record_event
from qms.units.model import EventType, Level, NewEvent, Target

TODAY = dt.date(2024, 1, 1)
LEAD = Principal(username="lead", role=Role.ADMIN)
OFFICER = Principal(username="iso.03386", role=Role.OFFICER, units=frozenset({"03386"}))
TARGET = [Target(level=Level.COMMUNE, year=2030, target_pct=90)]


def _log_size(db) -> int:
    return int(db.scalar("SELECT count(*) FROM change_log"))


def _build_started(code: str) -> NewEvent:
    return NewEvent(unit_code=code, event_type=EventType.BUILD_STARTED, event_date=dt.date(2023, 5, 2))


@pytest.fixture
def signed_in(demo_db, make_account):
    """The demo with two accounts whose principals a session would hold (as ``sign_in`` gave them)."""
    make_account(demo_db, LEAD)
    make_account(demo_db, OFFICER)
    return demo_db


def test_a_deactivated_account_is_refused_at_its_next_write(signed_in):
    session_copy = LEAD
    set_targets(signed_in, TARGET, actor=session_copy)                    # works while active
    store.set_active(signed_in, "lead", False, actor=system_principal("admin"))
    before, log = list_targets(signed_in), _log_size(signed_in)
    with pytest.raises(PermissionDenied, match="lead is deactivated"):
        set_targets(signed_in, [Target(level=Level.COMMUNE, year=2031, target_pct=95)], actor=session_copy)
    assert list_targets(signed_in) == before and _log_size(signed_in) == log


def test_a_demoted_administrator_has_the_new_role_at_once(signed_in):
    store.set_role(signed_in, "lead", Role.VIEWER, actor=system_principal("admin"))
    log = _log_size(signed_in)
    with pytest.raises(PermissionDenied, match=r"lead \(viewer\) may not set targets"):
        set_targets(signed_in, TARGET, actor=LEAD)          # the session still says administrator
    assert _log_size(signed_in) == log


def test_an_officer_moved_to_another_unit_writes_there_only(signed_in):
    store.set_role(signed_in, "iso.03386", Role.OFFICER, units=["03406"], actor=system_principal("admin"))
    events = signed_in.scalar("SELECT count(*) FROM qms_events")
    with pytest.raises(PermissionDenied, match="for unit 03386"):
        record_event(signed_in, _build_started("03386"), actor=OFFICER, today=TODAY)
    assert signed_in.scalar("SELECT count(*) FROM qms_events") == events
    assert record_event(signed_in, _build_started("03406"), actor=OFFICER, today=TODAY).recorded_by == "iso.03386"


def test_a_principal_without_an_account_is_refused(demo_db):
    log = _log_size(demo_db)
    with pytest.raises(PermissionDenied, match="no longer exists"):
        set_targets(demo_db, TARGET, actor=Principal(username="ghost", role=Role.ADMIN))
    assert _log_size(demo_db) == log


@pytest.mark.parametrize("name", ["admin", "system", "qms-cli"])
def test_a_bare_name_has_no_rights(demo_db, name):
    log = _log_size(demo_db)
    with pytest.raises(PermissionDenied, match="not the name"):
        set_targets(demo_db, TARGET, actor=name)
    assert _log_size(demo_db) == log


def test_the_system_acts_explicitly_and_is_recorded_by_its_name(demo_db):
    set_targets(demo_db, TARGET, actor=system_principal("qms-cli"))
    assert demo_db.scalar("SELECT actor FROM change_log ORDER BY id DESC LIMIT 1") == "qms-cli"


def test_role_change_is_logged_with_before_and_after(signed_in):
    store.set_role(signed_in, "iso.03386", Role.AUDITOR, districts=["105"], actor=LEAD)
    row = signed_in.dicts("SELECT actor, before, after FROM change_log WHERE entity = 'users' ORDER BY id DESC LIMIT 1")[0]
    assert row["actor"] == "lead" and '"officer"' in row["before"] and '"auditor"' in row["after"] and "105" in row["after"]


def test_only_an_administrator_changes_roles(signed_in):
    with pytest.raises(PermissionDenied):
        store.set_role(signed_in, "lead", Role.VIEWER, actor=OFFICER)
    assert {u.username: u.role for u in store.list_users(signed_in)}["lead"] is Role.ADMIN


def test_the_app_signs_a_deactivated_session_out(app):
    at = app(page="qms/coverage/targets_page.py", user=LEAD)
    assert at.title[0].value != "Đăng nhập"
    db = open_database(os.environ["QMS_DB"])  # the app's file, as another session (the administrator's) sees it
    try:
        store.set_active(db, "lead", False, actor=system_principal("admin"))
    finally:
        db.close()
    at.run()
    assert at.title[0].value == "Đăng nhập" and any("đã bị khóa" in w.value for w in at.warning)


def test_the_cli_deactivates_and_changes_roles(demo_path):
    def qms(*args):
        return subprocess.run([sys.executable, "-m", "qms.cli", "--db", str(demo_path), *args], capture_output=True,
                              text=True, cwd=PROJECT_ROOT, timeout=120)

    assert qms("users", "role", "--username", "lanhdao", "--role", "auditor", "--district", "105").returncode == 0
    assert qms("users", "deactivate", "--username", "lanhdao").returncode == 0
    listed = qms("users", "list", "--json")
    me = next(u for u in json.loads(listed.stdout) if u["username"] == "lanhdao")
    assert (me["role"], me["active"], me["districts"]) == ("auditor", False, ["105"])
    bad = qms("users", "role", "--username", "lanhdao", "--role", "officer")
    assert bad.returncode == 2 and bad.stderr.strip() == "qms: A unit ISO officer belongs to exactly one unit."
