"""Shared fixtures: real DuckDB files in tmp_path, the demo province, AppTest on the real app.

- ``db``: an empty, migrated database file.
- ``demo_db``: a private copy of a database holding the Lai Châu demo (loaded once per session
  into a template file, then copied: loading takes a second or two, copying milliseconds).
- ``app``: a factory for ``AppTest`` on ``streamlit_app.py`` with ``QMS_DB`` pointing at a
  private copy of the demo (or an empty database), the Streamlit resource cache cleared, and
  the signed-in user's account present (every write reads the account: ``add_account``).
- ``system``: :func:`qms.accounts.rules.system_principal` under a test's name, for writes that set
  up a test (the CLI's rights; a plain name has none).
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from qms.accounts import store as account_store
from qms.accounts.rules import Principal, Role, system_principal
from qms.demo.store import load_demo
from qms.kernel.db import Database, open_database
from qms.kernel.settings import PROJECT_ROOT, load_settings
from qms_testing import TEST_ADMIN, TEST_PASSWORD, add_account, add_account_to, copy_database  # noqa: F401

ROOT = PROJECT_ROOT
#: The principal AppTests act as unless a test says otherwise.
DEMO_DIR = ROOT / "data" / "demo"
#: The demo's last day in tests of the reformed province: its history after the 2025 reform
#: depends on the end date, so tests fix one and their figures never move with the calendar.
DEMO_UNTIL = dt.date(2026, 12, 3)
#: The features that predate the reform are tested on the demo as it was (2014-2021, 108/106
#: communes by district): ``demo_db`` and ``app``; ``today_db`` holds the reformed province.
PRE_REFORM_UNTIL = dt.date(2021, 12, 31)
system = system_principal


def _show_tab(at, tabs_key: str, label_key: str):
    """Open the tab labelled ``label_key`` of the page's ``st.tabs(key=tabs_key)``: the pages'
    tabs compute only when open (``on_change="rerun"``), as a click in the browser would."""
    from qms.kernel.labels import t

    lang = at.session_state["lang"] if "lang" in at.session_state else "vi"
    at.session_state[tabs_key] = t(label_key, lang)
    return at.run()


@pytest.fixture
def show_tab() -> Callable:
    """``show_tab(at, "scope_tab", "scope.tab_unit")``: that tab opened, the page run again."""
    return _show_tab


@pytest.fixture
def make_account() -> Callable[..., Principal]:
    """:func:`add_account`, for tests whose principals act on a database of their own."""
    return add_account


@pytest.fixture
def account_in() -> Callable[[Path, Principal], Principal]:
    """:func:`add_account_to`: the signed-in user of a page test made an account of its file."""
    return add_account_to


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

    ``page`` is a path under the project (e.g. ``"qms/units/page.py"``) to switch to.
    The AppTest's database is ``tmp_path/app.duckdb`` (``app-2.duckdb``... for a test's further
    apps): a copy of the demo, or empty.
    ``today=True``: a copy of the province of today (the 2025 reform applied) instead;
    ``reuse=True``: the database of the test's previous app, as that app left it.
    ``user`` is the signed-in principal (put in the session as the sign-in form does; the
    sign-in itself is tested in tests/ui/test_sign_in.py); ``None`` for a signed-out session.
    """
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    made = []

    def make(*, empty: bool = False, page: str | None = None, timeout: float = 30, user: Principal | None = TEST_ADMIN,
             today: bool = False, reuse: bool = False) -> AppTest:
        if reuse and made:  # the same database as the test's previous app (what it wrote is there)
            path = made[-1]
            empty = True
        else:
            # a new file for each app of a test: an earlier AppTest may still hold its connection
            path = tmp_path / ("app.duckdb" if not made else f"app-{len(made) + 1}.duckdb")
            made.append(path)
        st.cache_resource.clear()
        if not empty:
            # ``today``: the reformed province (history to DEMO_UNTIL) instead of the pre-reform demo
            copy_database(request.getfixturevalue("today_file") if today else demo_file, path)
        if user is not None:
            add_account_to(path, user)
        monkeypatch.setenv("QMS_DB", str(path))
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
