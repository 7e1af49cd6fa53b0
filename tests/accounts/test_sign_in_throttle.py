"""The sign-in throttle under load, on a real DuckDB file with real threads (issue 14, defect 4).

The app serves every browser session from threads of one process (a DuckDB file is held by one
process), so simultaneous sign-ins are threads sharing the app's connection, as here.
"""

from __future__ import annotations

import datetime as dt
import statistics
import threading
import time

import pytest

from qms.accounts import rules as accounts
from qms.accounts import store
from qms.accounts.rules import Principal, Role
from qms.kernel.errors import QmsError

T0 = dt.datetime(2024, 3, 1, 2, 0, 0)   # UTC
PASSWORD = "mật khẩu đúng 2024"
LEAD = Principal(username="lead", role=Role.ADMIN)


@pytest.fixture
def accounts_db(db, make_account):
    make_account(db, LEAD, password=PASSWORD)
    return db


def _attempts(db, username: str) -> dict[str, int]:
    rows = db.rows("SELECT coalesce(reason, 'ok'), count(*) FROM sign_in_attempts WHERE username = ? GROUP BY ALL", [username])
    return dict(rows)


def _try(db, username: str, password: str, now: dt.datetime) -> str:
    try:
        store.sign_in(db, username, password, now=now)
    except QmsError as e:
        return "throttled" if "Too many" in str(e) else "refused"
    return "ok"


def test_forty_simultaneous_wrong_passwords_are_not_all_checked(accounts_db):
    barrier = threading.Barrier(40)
    outcomes: list[str] = []

    def attempt() -> None:
        barrier.wait()
        outcomes.append(_try(accounts_db, "lead", "đoán mò 123456", T0))

    threads = [threading.Thread(target=attempt) for _ in range(40)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    checked = _attempts(accounts_db, "lead").get("bad password or name", 0)
    assert checked == accounts.FREE_FAILURES, f"{checked} of 40 simultaneous wrong passwords were checked"
    assert sorted(outcomes) == ["refused"] * accounts.FREE_FAILURES + ["throttled"] * (40 - accounts.FREE_FAILURES)


def test_the_fourth_attempt_waits_as_the_readme_says(accounts_db):
    for i in range(accounts.FREE_FAILURES):
        assert _try(accounts_db, "lead", "sai rồi 12345", T0 + dt.timedelta(seconds=i)) == "refused"
    third = T0 + dt.timedelta(seconds=accounts.FREE_FAILURES - 1)
    assert _try(accounts_db, "lead", PASSWORD, third + dt.timedelta(seconds=1)) == "throttled"   # waiting starts after 3
    assert _try(accounts_db, "lead", "sai lần 4 123", third + dt.timedelta(seconds=2)) == "refused"  # 2 s later: checked
    fourth = third + dt.timedelta(seconds=2)
    assert _try(accounts_db, "lead", PASSWORD, fourth + dt.timedelta(seconds=3)) == "throttled"  # now 4 s
    assert _try(accounts_db, "lead", PASSWORD, fourth + dt.timedelta(seconds=4)) == "ok"
    assert _try(accounts_db, "lead", "sai sau khi vào", fourth + dt.timedelta(seconds=5)) == "refused"  # count cleared
    assert _try(accounts_db, "lead", PASSWORD, fourth + dt.timedelta(seconds=5)) == "ok"


def test_refused_attempts_during_the_wait_do_not_lengthen_it(accounts_db):
    for _ in range(accounts.FREE_FAILURES):
        _try(accounts_db, "lead", "sai rồi 12345", T0)
    for tenth in range(1, 20):   # hammering every 0.1 s during the 2 s wait, even with the right password
        assert _try(accounts_db, "lead", PASSWORD, T0 + dt.timedelta(milliseconds=100 * tenth)) == "throttled"
    assert _try(accounts_db, "lead", PASSWORD, T0 + dt.timedelta(seconds=2)) == "ok"


def test_the_count_is_forgotten_after_the_window(accounts_db):
    for i in range(6):
        _try(accounts_db, "lead", "sai rồi 12345", T0 + dt.timedelta(seconds=10 * i))
    last = T0 + dt.timedelta(seconds=50)
    assert _try(accounts_db, "lead", PASSWORD, last + dt.timedelta(seconds=10)) == "throttled"  # 16 s after the 6th
    later = last + accounts.FAILURE_WINDOW + dt.timedelta(seconds=1)
    # forgotten: two more wrong passwords in a row are both checked (the 6 before would make them wait)
    assert [_try(accounts_db, "lead", "sai rồi 12345", later) for _ in range(2)] == ["refused", "refused"]


def _median_seconds(db, names: list[str], start: dt.datetime) -> float:
    """Median time of one wrong sign-in per name, each an hour apart (never throttled)."""
    seconds = []
    for i, name in enumerate(names):
        t0 = time.perf_counter()
        assert _try(db, name, "không phải mật khẩu", start + dt.timedelta(hours=i)) == "refused"
        seconds.append(time.perf_counter() - t0)
    return statistics.median(seconds)


def test_an_unknown_name_is_answered_as_slowly_as_a_known_one(accounts_db, make_account):
    make_account(accounts_db, Principal(username="former", role=Role.VIEWER), password=PASSWORD)
    store.set_active(accounts_db, "former", False, actor=accounts.system_principal("admin"))
    accounts.unknown_account_hash()  # computed once per process, before timing (as after the app's first refusal)
    # Interleaved, one of each kind in turn, so that a busy machine slows the three alike: the
    # difference it must show is the password hash (tens of ms), not the machine's load.
    samples: dict[str, list[float]] = {"known": [], "unknown": [], "inactive": []}
    for i in range(9):
        for kind, name in (("known", "lead"), ("unknown", f"khong-co-{i}"), ("inactive", "former")):
            samples[kind].append(_median_seconds(accounts_db, [name], T0 + dt.timedelta(days=i, hours=len(samples[kind]))))
    known, unknown, inactive = (statistics.median(samples[k]) for k in ("known", "unknown", "inactive"))
    assert unknown >= 0.5 * known and inactive >= 0.5 * known, (
        f"known {known * 1000:.1f} ms, unknown {unknown * 1000:.1f} ms, deactivated {inactive * 1000:.1f} ms")
