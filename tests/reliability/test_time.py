"""Time is the province's, and stored moments are UTC, whatever the server's zone (issue 14,
defect 12).

The server's zone is the process's ``TZ``, which Python and DuckDB read when the process
starts; so each check runs a child process under a foreign ``TZ`` and compares with what the
parent computes from the province's zone.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import textwrap
from zoneinfo import ZoneInfo

import pytest

from qms.kernel.clock import DEFAULT_TIMEZONE, local_time, province_today, utc_from_local
from qms.kernel.errors import QmsError
from qms.kernel.settings import PROJECT_ROOT, load_settings

VIETNAM = ZoneInfo(DEFAULT_TIMEZONE)
#: UTC+14 and UTC-11: at any moment one of them is on another date than Vietnam (UTC+7).
FAR_ZONES = ("Pacific/Kiritimati", "Pacific/Pago_Pago")


def _zone_on_another_date() -> str:
    vietnam_today = dt.datetime.now(VIETNAM).date()
    return next(z for z in FAR_ZONES if dt.datetime.now(ZoneInfo(z)).date() != vietnam_today)


def _child(script: str, tz: str, extra_env: dict[str, str] | None = None, args: list[str] = ()) -> dict:
    env = {"TZ": tz, "PATH": "/usr/bin:/bin", "HOME": "/tmp", **(extra_env or {})}
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(script), *args], capture_output=True, text=True,
                         cwd=PROJECT_ROOT, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


_WRITE = """
    import datetime as dt, json, sys
    from qms.accounts.rules import system_principal
    from qms.kernel.clock import province_today
    from qms.units.model import EventType, Level, NewEvent, Target
    from qms.kernel.db import open_database
    from qms.units.events_store import record_event
    from qms.coverage.targets_store import set_targets
    from qms.units.store import import_units
    from qms.units.importer import parse_units_csv

    path, day = sys.argv[1], dt.date.fromisoformat(sys.argv[2])
    db = open_database(path)
    who = system_principal("tz-test")
    units = "gso_code,name,level,kind,parent_gso_code\\n12,Tỉnh X,province,tinh,\\n00001,Xã Y,commune,xa,12\\n"
    import_units(db, parse_units_csv(units), actor=who)
    before = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    # dated today in the province: accepted only if "today" is the province's, not the server's
    record_event(db, NewEvent(unit_code="00001", event_type=EventType.BUILD_STARTED, event_date=day), actor=who)
    set_targets(db, [Target(level=Level.COMMUNE, year=2030, target_pct=90)], actor=who)
    after = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    stored = [r[0].isoformat() for r in db.rows(
        "SELECT changed_at FROM change_log UNION ALL SELECT recorded_at FROM qms_events UNION ALL SELECT updated_at FROM targets")]
    print(json.dumps({"today": province_today().isoformat(), "server_today": dt.date.today().isoformat(),
                      "before": before.isoformat(), "after": after.isoformat(), "stored": stored}))
"""


def test_today_and_stored_moments_under_a_foreign_server_zone(tmp_path):
    zone = _zone_on_another_date()
    vietnam_today = dt.datetime.now(VIETNAM).date()
    got = _child(_WRITE, zone, args=[str(tmp_path / "tz.duckdb"), vietnam_today.isoformat()])
    assert got["server_today"] != vietnam_today.isoformat()          # the child's server really is on another date
    assert got["today"] == vietnam_today.isoformat()                 # ... and qms's today is the province's
    before, after = dt.datetime.fromisoformat(got["before"]), dt.datetime.fromisoformat(got["after"])
    for stored in map(dt.datetime.fromisoformat, got["stored"]):
        assert before - dt.timedelta(seconds=1) <= stored <= after + dt.timedelta(seconds=1), (
            f"stored {stored} is not UTC (written between {before} and {after} UTC, server zone {zone})")


def test_qms_tz_sets_the_province(tmp_path):
    got = _child("""
        import json
        from qms.kernel.clock import province_today
        print(json.dumps({"today": province_today().isoformat()}))
    """, "UTC", {"QMS_TZ": "America/Los_Angeles"})
    assert got["today"] == dt.datetime.now(ZoneInfo("America/Los_Angeles")).date().isoformat()


def test_a_bad_qms_tz_is_one_sentence():
    with pytest.raises(QmsError, match=r"^QMS_TZ: 'Mars/Olympus' is not a time zone name such as Asia/Ho_Chi_Minh\.$"):
        load_settings(env={"QMS_TZ": "Mars/Olympus"})
    with pytest.raises(QmsError, match="QMS_TZ"):
        province_today({"QMS_TZ": "../../etc/passwd"})
    out = subprocess.run([sys.executable, "-m", "qms.cli", "coverage", "--level", "commune"], capture_output=True, text=True,
                         cwd=PROJECT_ROOT, env={"QMS_TZ": "Mars/Olympus", "PATH": "/usr/bin:/bin"}, timeout=120)
    assert out.returncode == 2 and out.stderr.strip().splitlines() == [
        "qms: QMS_TZ: 'Mars/Olympus' is not a time zone name such as Asia/Ho_Chi_Minh."]


def test_stored_moments_are_shown_in_the_province_s_time():
    assert local_time(dt.datetime(2024, 12, 31, 17, 30)).strftime("%d/%m/%Y %H:%M") == "01/01/2025 00:30"
    assert utc_from_local(dt.date(2025, 1, 1), dt.time(0, 30)) == dt.datetime(2024, 12, 31, 17, 30)
    assert local_time(None) is None
