"""A bounded load test of one app process on localhost: ``python -m qms.bench.load_test``.

Prints figures; never a test's pass/fail on time (docs/scale-out.md quotes them).

- **Page views, over the network**: the real app (``streamlit run streamlit_app.py``) is started
  on a free localhost port on a copy of a database (default: a fresh demo as of today).  Each
  simulated person opens Streamlit's own websocket (``/_stcore/stream``, the protobuf messages
  the browser sends), signs in through the sign-in form, then views the overview again and again
  (a page run each: what a browser's refresh or a widget change costs the server) in a closed
  loop.  A view's time is from the request to the server's "script finished" message.  Steps of
  1, 2, 4, 8... people (``--users``), each for ``--seconds``; per step: views per second, median
  and p95.  Rendering in the browser is not counted (it runs on the person's machine).
- **Saves, in the app's process model**: DuckDB lets one process hold the file, so saves cannot
  come from a second process; ``--saves`` people record lifecycle events through the store
  function the units page calls (:func:`qms.units.events_store.record_event`), in threads of this
  process while as many threads read the overview's figures, on a second copy of the database:
  saves per second, median and p95.  Same engine, same single writer, same GIL as the app.

Layer note: as :mod:`qms.bench.render`, this door imports no Streamlit at module level
(``tests/test_layers.py``); the wire messages (``streamlit.proto``) are imported lazily, by name,
when a page view is sent, so ``import qms.bench`` and the CLI load no UI library.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import datetime as dt
import importlib
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from qms.accounts.rules import Principal, Role, system_principal
from qms.kernel.settings import PROJECT_ROOT
from qms.units.stage_sql import APPLYING

USER, PASSWORD = "load.test", "mật khẩu tải thử 1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(source: Path | None, target: Path) -> None:
    """``target``: a copy of ``source`` (or a new demo), with the load test's account."""
    from qms.accounts import store as accounts
    from qms.demo.store import load_demo
    from qms.kernel.db import open_database

    if source:
        shutil.copyfile(source, target)
    db = open_database(target)
    try:
        if not source:
            load_demo(db, PROJECT_ROOT / "data" / "demo")
        if USER not in {u.username for u in accounts.list_users(db)}:
            accounts.create_user(db, username=USER, display_name="Load test", role=Role.ADMIN, password=PASSWORD,
                                 actor=system_principal("load-test"))
    finally:
        db.close()


def _p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(round(0.95 * len(values))) - 1)] if values else float("nan")


# --- page views over the websocket -------------------------------------------------------------

def _proto(name: str):
    """Streamlit's wire message module ``streamlit.proto.<name>`` (imported lazily, see the layer note)."""
    return importlib.import_module(f"streamlit.proto.{name}")


class Session:
    """One browser tab as the server sees it: a websocket speaking Streamlit's protobuf messages."""

    def __init__(self, port: int):
        self.url = f"ws://127.0.0.1:{port}/_stcore/stream"
        self.ws = None
        self.widgets: dict[str, str] = {}

    async def open(self) -> None:
        import websockets

        self.ws = await websockets.connect(self.url, subprotocols=["streamlit"], max_size=None, open_timeout=30)

    async def run(self, states: list | None = None) -> float:
        """Ask for a page run (with ``states``), wait for its end; the seconds it took."""
        BackMsg = _proto("BackMsg_pb2").BackMsg  # noqa: N806 - the message class
        ForwardMsg = _proto("ForwardMsg_pb2").ForwardMsg  # noqa: N806

        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.page_script_hash = ""
        for state in states or []:
            msg.rerun_script.widget_states.widgets.append(state)
        t0 = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        while True:
            fwd = ForwardMsg()
            fwd.ParseFromString(await self.ws.recv())
            kind = fwd.WhichOneof("type")
            if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                el = fwd.delta.new_element
                which = el.WhichOneof("type")
                if which in ("text_input", "button"):
                    widget = getattr(el, which)
                    name = widget.id.rsplit("-", 1)[-1] if which == "text_input" else (
                        "submit" if widget.is_form_submitter else widget.id)
                    self.widgets[name] = widget.id
            elif kind == "script_finished":
                return time.perf_counter() - t0

    async def sign_in(self) -> None:
        WidgetState = _proto("WidgetStates_pb2").WidgetState  # noqa: N806 - the message class

        await self.run()
        if "sign_in_username" not in self.widgets:
            raise RuntimeError("the sign-in form did not appear")
        states = []
        for key, value in (("sign_in_username", USER), ("sign_in_password", PASSWORD)):
            s = WidgetState(id=self.widgets[key])
            s.string_value = value
            states.append(s)
        submit = WidgetState(id=self.widgets["submit"])
        submit.trigger_value = True
        states.append(submit)
        await self.run(states)

    async def close(self) -> None:
        await self.ws.close()


async def _signed_in(port: int) -> Session:
    s = Session(port)
    await s.open()
    await s.sign_in()
    await s.run()  # the session's first overview run builds its charts: not a steady view
    return s


async def _person(s: Session, until: float, times: list[float], errors: list[str]) -> None:
    try:
        while time.perf_counter() < until:
            times.append(await s.run())
    except Exception as e:  # noqa: BLE001 - counted and reported
        errors.append(f"{type(e).__name__}: {e}")
    finally:
        await s.close()


async def _step(port: int, users: int, seconds: float) -> dict:
    """``users`` people signed in first (one after the other: signing in hashes a password on
    purpose slowly), then all viewing pages at once for ``seconds``."""
    times: list[float] = []
    errors: list[str] = []
    sessions = [await _signed_in(port) for _ in range(users)]
    t0 = time.perf_counter()
    await asyncio.gather(*(_person(s, t0 + seconds, times, errors) for s in sessions))
    wall = time.perf_counter() - t0
    return {"users": users, "views": len(times), "views_per_s": round(len(times) / wall, 2),
            "median_s": round(statistics.median(times), 3) if times else None,
            "p95_s": round(_p95(times), 3) if times else None, "errors": errors[:3]}


def _run(coroutine):
    """``asyncio.run`` in a thread of its own: the caller's thread may already run an event loop
    (the browser suite's Playwright, in the same test session), where ``asyncio.run`` refuses."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def page_views(db_path: Path, users: list[int], seconds: float) -> list[dict]:
    port = _free_port()
    env = dict(os.environ, QMS_DB=str(db_path))
    cmd = [sys.executable, "-m", "streamlit", "run", str(PROJECT_ROOT / "streamlit_app.py"), "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none",
           "--browser.gatherUsageStats", "false"]
    server = subprocess.Popen(cmd, env=env, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read()
                break
            except OSError:
                if time.time() > deadline or server.poll() is not None:
                    raise RuntimeError("the app did not start: " + (server.stderr.read(2000).decode() if server.poll() is not None else "timeout"))
                time.sleep(0.3)
        _run(_step(port, 1, min(seconds, 3)))  # warm the caches once
        return [_run(_step(port, n, seconds)) for n in users]
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()


# --- saves in the app's process model ----------------------------------------------------------

def saves(db_path: Path, writers: int, seconds: float) -> dict:
    from qms.coverage import queries as coverage
    from qms.kernel.clock import province_today
    from qms.kernel.db import open_database
    from qms.units import events_store as events
    from qms.units.model import EventType, NewEvent

    db = open_database(db_path)
    try:
        today = province_today()
        # units applying or announced for 60 days at least: a management review in the last 30 days is valid
        units = [r[0] for r in db.rows(
            "SELECT s.unit_code FROM unit_stage_spans s JOIN units u ON u.code = s.unit_code "
            f"WHERE s.valid_to IS NULL AND s.stage >= {APPLYING} AND s.valid_from <= ? AND u.valid_to IS NULL ORDER BY 1",
            [today - dt.timedelta(days=60)])]
        actor = Principal(username=USER, role=Role.ADMIN)
        times: list[float] = []
        reads: list[float] = []
        errors: list[str] = []
        until = time.perf_counter() + seconds

        def writer(i: int) -> None:
            n = 0
            while time.perf_counter() < until:
                unit = units[(i * 7919 + n) % len(units)]
                t0 = time.perf_counter()
                try:
                    events.record_event(db, NewEvent(unit_code=unit, event_type=EventType.MANAGEMENT_REVIEW,
                                                     event_date=today - dt.timedelta(days=n % 30)), actor=actor, today=today)
                    times.append(time.perf_counter() - t0)
                except Exception as e:  # noqa: BLE001 - counted and reported
                    errors.append(f"{type(e).__name__}: {e}")
                n += 1

        def reader() -> None:
            while time.perf_counter() < until:
                t0 = time.perf_counter()
                coverage.overview(db, today)
                reads.append(time.perf_counter() - t0)

        threads = [threading.Thread(target=writer, args=(i,)) for i in range(writers)]
        threads += [threading.Thread(target=reader) for _ in range(writers)]
        t0 = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        wall = time.perf_counter() - t0
    finally:
        db.close()
    return {"writers": writers, "readers": writers, "saves": len(times), "saves_per_s": round(len(times) / wall, 2),
            "save_median_s": round(statistics.median(times), 3) if times else None,
            "save_p95_s": round(_p95(times), 3) if times else None,
            "overview_reads_per_s": round(len(reads) / wall, 2),
            "read_p95_s": round(_p95(reads), 3) if reads else None, "errors": sorted(set(errors))[:3]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qms.bench.load_test", description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="database to copy (default: a new demo as of today)")
    parser.add_argument("--users", default="1,2,4,8", help="people viewing pages at once, per step (default 1,2,4,8)")
    parser.add_argument("--seconds", type=float, default=10, help="length of each step (default 10)")
    parser.add_argument("--saves", default="1,2,4", help="people saving at once, per step (default 1,2,4)")
    args = parser.parse_args(argv)
    users = [int(x) for x in args.users.split(",") if x]
    writers = [int(x) for x in args.saves.split(",") if x]
    with tempfile.TemporaryDirectory(prefix="qms-load-") as tmp:
        views_db, saves_db = Path(tmp) / "views.duckdb", Path(tmp) / "saves.duckdb"
        prepare(args.db, views_db)
        shutil.copyfile(views_db, saves_db)
        print(f"database: {args.db or 'the demo as of today'} ({views_db.stat().st_size / 1e6:.1f} MB); "
              f"machine: {os.cpu_count()} cores")
        print("page views over localhost (overview page runs after signing in):")
        print(f"  {'people':>6} {'views':>6} {'views/s':>8} {'median s':>9} {'p95 s':>7}  p95 <= 2 s")
        for r in page_views(views_db, users, args.seconds):
            ok = r["p95_s"] is not None and r["p95_s"] <= 2
            print(f"  {r['users']:>6} {r['views']:>6} {r['views_per_s']:>8} {r['median_s']!s:>9} {r['p95_s']!s:>7}  "
                  f"{'yes' if ok else 'NO'}" + (f"  errors: {r['errors']}" if r["errors"] else ""))
        print("saves (lifecycle events through the store, with as many threads reading the overview's figures):")
        print(f"  {'people':>6} {'saves':>6} {'saves/s':>8} {'median s':>9} {'p95 s':>7} {'reads/s':>8} {'read p95 s':>10}")
        for n in writers:
            r = saves(saves_db, n, args.seconds)
            print(f"  {r['writers']:>6} {r['saves']:>6} {r['saves_per_s']:>8} {r['save_median_s']!s:>9} {r['save_p95_s']!s:>7} "
                  f"{r['overview_reads_per_s']:>8} {r['read_p95_s']!s:>10}" + (f"  errors: {r['errors']}" if r["errors"] else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
