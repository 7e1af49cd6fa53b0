"""Shared fixtures: real DuckDB files in tmp_path, the demo province, AppTest on the real app.

- ``db``: an empty, migrated database file.
- ``demo_db``: a private copy of a database holding the Lai Châu demo (loaded once per session
  into a template file, then copied: loading takes a second or two, copying milliseconds).
- ``app``: a factory for ``AppTest`` on ``streamlit_app.py`` with ``QMS_DB`` pointing at a
  private copy of the demo (or an empty database), the Streamlit resource cache cleared.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from qms.accounts import Principal, Role
from qms.settings import PROJECT_ROOT, load_settings
from qms.store.db import Database, open_database
from qms.store.demo import load_demo

ROOT = PROJECT_ROOT
#: The principal AppTests act as unless a test says otherwise.
TEST_ADMIN = Principal(username="test-admin", role=Role.ADMIN)
DEMO_DIR = ROOT / "data" / "demo"
#: The demo's last day in tests of the reformed province: its history after the 2025 reform
#: depends on the end date, so tests fix one and their figures never move with the calendar.
DEMO_UNTIL = dt.date(2026, 12, 3)
#: The features that predate the reform are tested on the demo as it was (2014-2021, 108/106
#: communes by district): ``demo_db`` and ``app``; ``today_db`` holds the reformed province.
PRE_REFORM_UNTIL = dt.date(2021, 12, 31)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(tmp_path / "qms.duckdb")
    yield database
    database.close()


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    database = open_database(path)
    load_demo(database, DEMO_DIR, until=PRE_REFORM_UNTIL)
    database.close()
    return path


@pytest.fixture(scope="session")
def today_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo province of today (history to DEMO_UNTIL, the 2025 merger and reform applied)."""
    path = tmp_path_factory.mktemp("today") / "today.duckdb"
    database = open_database(path)
    load_demo(database, DEMO_DIR, until=DEMO_UNTIL)
    database.close()
    return path


@pytest.fixture
def today_db(today_file: Path, tmp_path: Path) -> Iterator[Database]:
    database = open_database(copy_database(today_file, tmp_path / "today-copy.duckdb"))
    yield database
    database.close()


def copy_database(source: Path, target: Path) -> Path:
    shutil.copyfile(source, target)
    wal = source.with_name(source.name + ".wal")
    if wal.exists():  # pragma: no cover - a closed database has no WAL
        shutil.copyfile(wal, target.with_name(target.name + ".wal"))
    return target


@pytest.fixture
def demo_path(demo_file: Path, tmp_path: Path) -> Path:
    """A private copy of the demo database file (closed)."""
    return copy_database(demo_file, tmp_path / "demo-copy.duckdb")


@pytest.fixture
def demo_db(demo_path: Path) -> Iterator[Database]:
    database = open_database(demo_path)
    yield database
    database.close()


@pytest.fixture
def app(demo_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Iterator[Callable]:
    """``app(empty=False, page=None, user=ADMIN)`` -> an AppTest of the real router, run once.

    ``page`` is a path under the project (e.g. ``"qms/ui/pages/units.py"``) to switch to.
    The AppTest's database is ``tmp_path/app.duckdb``: a copy of the demo, or empty.
    ``user`` is the signed-in principal (put in the session as the sign-in form does; the
    sign-in itself is tested in tests/ui/test_sign_in.py); ``None`` for a signed-out session.
    """
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    path = tmp_path / "app.duckdb"

    def make(*, empty: bool = False, page: str | None = None, timeout: float = 30, user: Principal | None = TEST_ADMIN,
             today: bool = False) -> AppTest:
        if not empty:
            # ``today``: the reformed province (history to DEMO_UNTIL) instead of the pre-reform demo
            copy_database(request.getfixturevalue("today_file") if today else demo_file, path)
        monkeypatch.setenv("QMS_DB", str(path))
        st.cache_resource.clear()
        at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=timeout)
        if user is not None:
            at.session_state["principal"] = user
        at.run()
        if page:
            at.switch_page(page)
            at.run()
        return at

    yield make
    st.cache_resource.clear()


@pytest.fixture
def settings_for(tmp_path: Path):
    """Settings pointing at a database in tmp_path (for CLI tests)."""
    return load_settings(tmp_path / "cli.duckdb")
