"""Rendering the overview page, measured through Streamlit's own test harness (AppTest).

``AppTest.from_file("streamlit_app.py")`` runs the real router and the real overview page in
this process, against the benchmark database (``QMS_DB`` points at it for the duration; the
previous value is put back).  The first run (cold: imports, connection) and the run after setting
the date (the first at that date: every read computed, then cached by data version, see
:mod:`qms.ui.cached`) are timed apart; then ``runs`` warm re-runs, the figure, each reading the
data version and serving the cached reads as a user's next interactions do.

Layer note: :mod:`qms.bench` is a door, not UI code, and must not import Streamlit at module
level (``tests/test_layers.py``); the harness is imported here, lazily, by name, only when this
step runs, so ``import qms.bench`` and the CLI load no UI library.  Nothing here renders for a
user: it drives the pages the way the test suite does.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import importlib.util
import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path

from qms.kernel.settings import PROJECT_ROOT

ROUTER = PROJECT_ROOT / "streamlit_app.py"


@contextlib.contextmanager
def _environment(db_path: Path, extra: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in ("QMS_DB", *extra)}
    os.environ["QMS_DB"] = str(db_path)
    os.environ.update(extra)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class _DropBareModeWarnings(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.ERROR


#: Loggers that warn on every run outside ``streamlit run`` (AppTest formats widget values in the
#: main thread, where there is no script context): noise in a benchmark's output.
_BARE_MODE_LOGGERS = ("streamlit.runtime.scriptrunner_utils.script_run_context", "streamlit.runtime.state.session_state_proxy")


@contextlib.contextmanager
def _quiet_bare_mode_warnings() -> Iterator[None]:
    drop = _DropBareModeWarnings()
    for name in _BARE_MODE_LOGGERS:
        logging.getLogger(name).addFilter(drop)
    try:
        yield
    finally:
        for name in _BARE_MODE_LOGGERS:
            logging.getLogger(name).removeFilter(drop)


def render_available() -> str | None:
    """Why the overview cannot be rendered here, or None."""
    if not ROUTER.is_file():
        return f"not available: {ROUTER} is not here (qms is installed without its project folder)"
    if importlib.util.find_spec("streamlit") is None:  # pragma: no cover - a dependency
        return "not available: streamlit is not installed"
    return None


def viewer_account(db):
    """A read-only account ``bench`` in the benchmark database, put in the session as the
    sign-in form does (the router reads the account on every run); None before the accounts
    feature, when nothing is needed."""
    try:
        accounts = importlib.import_module("qms.accounts.rules")
        store = importlib.import_module("qms.accounts.store")
    except ImportError:
        return None
    viewer = accounts.Principal(username="bench", role=accounts.Role.VIEWER)
    existing = {u.username for u in store.list_users(db)}
    if viewer.username in existing or not hasattr(accounts, "system_principal"):
        return viewer
    for name, role in (("bench-admin", accounts.Role.ADMIN), (viewer.username, viewer.role)):  # the first must be an admin
        if name not in existing:
            store.create_user(db, username=name, display_name="benchmark", role=role, password=accounts.new_password(),
                              actor=accounts.system_principal("bench"))
    return viewer


def render_overview(db_path: Path, as_of: dt.date, runs: int, *, exports_dir: Path, viewer=None, timeout: float = 300) -> dict:
    """Render the overview ``runs`` times (warm) on ``as_of``; return the seconds of each run,
    the cold first run, and what the page showed (metric label -> value) to check the figures.

    ``QMS_EXPORTS`` points at ``exports_dir`` meanwhile: the app may write its nightly snapshot
    on a run, and it must go to the benchmark's folder, not the project's."""
    st = importlib.import_module("streamlit")
    testing = importlib.import_module("streamlit.testing.v1")
    env = {"QMS_ACTOR": "bench", "QMS_EXPORTS": str(exports_dir)}
    with _environment(db_path, env), _quiet_bare_mode_warnings():
        st.cache_resource.clear()
        st.cache_data.clear()
        try:
            at = testing.AppTest.from_file(str(ROUTER), default_timeout=timeout)
            if viewer is not None:
                at.session_state["principal"] = viewer
            t0 = time.perf_counter()
            at.run()
            cold = time.perf_counter() - t0
            _raise_on_exception(at)
            at.date_input(key="overview_as_of").set_value(as_of)
            t0 = time.perf_counter()
            at.run()
            first = time.perf_counter() - t0
            _raise_on_exception(at)
            seconds = []
            for _ in range(runs):
                t0 = time.perf_counter()
                at.run()
                seconds.append(time.perf_counter() - t0)
                _raise_on_exception(at)
            shown = {m.label: m.value for m in at.metric}
            tables = [len(df.value) for df in at.dataframe]
        finally:
            st.cache_resource.clear()
            st.cache_data.clear()
    return {"seconds": seconds, "cold_seconds": cold, "first_at_date_seconds": first, "metrics": shown, "table_rows": tables}


def _raise_on_exception(at) -> None:
    if at.exception:
        # Streamlit redacts the message shown on the page; the stack trace keeps the real one.
        trace = [line.strip() for line in at.exception[0].stack_trace if line.strip()]
        raise RuntimeError(f"the overview page raised: {trace[-1] if trace else at.exception[0].message}")
