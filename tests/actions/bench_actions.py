"""Benchmark (a script, not a test): the actions figures and list at national scale.

    .venv/bin/python tests/actions/bench_actions.py [--actions 300000] [--db PATH]

Loads the Lai Châu demo into a fresh database, then adds ``--actions`` synthetic actions spread
over its units (2015-2021) with about four history rows each (open, start, done, verified; a
share left open, in progress, done or cancelled), and times what the page, the overview and the
CLI ask: :func:`action_overview` on two dates, :func:`list_actions` unfiltered (first 2000 rows),
for one unit, overdue only, and one step written through :func:`apply_step`.  Prints the
figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from qms.accounts.rules import system_principal
from qms.actions.queries import action_overview, get_action, list_actions
from qms.actions.rules import Step
from qms.actions.steps import StepInput
from qms.actions.store import apply_step
from qms.demo.store import load_demo
from qms.kernel.clock import province_today
from qms.kernel.db import open_database
from qms.kernel.settings import PROJECT_ROOT


def fill(db, n: int) -> None:
    """``n`` actions (ids above the demo's) and their histories, in a few set-based statements."""
    cur = db.cursor()
    try:
        cur.execute("BEGIN")
        cur.execute("""
            CREATE TEMP TABLE u AS SELECT row_number() OVER (ORDER BY code) - 1 AS i, code FROM units
            WHERE level IN ('department', 'district', 'commune')""")
        units = cur.execute("SELECT count(*) FROM u").fetchall()[0][0]
        cur.execute(f"""
            CREATE TEMP TABLE s AS
            SELECT 1000000 + r AS id, (SELECT code FROM u WHERE u.i = r % {units}) AS unit_code,
                   DATE '2015-01-01' + CAST(hash(r) % 2555 AS INTEGER) AS opened_on, hash(r * 7) % 100 AS fate
            FROM range({n}) t(r)""")
        cur.execute("""
            INSERT INTO actions (id, unit_code, source, type, description, owner_name, owner_unit_code, opened_on, due_date,
                                 status, created_by)
            SELECT id, unit_code, 'internal_audit', 'corrective', 'Hành động thử', 'Người thử', unit_code, opened_on,
                   opened_on + 30,
                   CASE WHEN fate < 5 THEN 'open' WHEN fate < 12 THEN 'in_progress' WHEN fate < 17 THEN 'done'
                        WHEN fate < 20 THEN 'cancelled' ELSE 'verified' END, 'bench'
            FROM s""")
        steps = [("open", None, "open", 0, 0), ("start", "open", "in_progress", 5, 5),
                 ("done", "in_progress", "done", 12, 25), ("verify_effective", "done", "verified", 20, 55),
                 ("cancel", "open", "cancelled", -1, 10)]
        for step, before, after, min_fate, days in steps:
            where = "fate >= 17 AND fate < 20" if step == "cancel" else f"fate >= {min_fate} AND NOT (fate >= 17 AND fate < 20)"
            if step == "open":
                where = "TRUE"
            cur.execute(f"""
                INSERT INTO action_events (action_id, step, from_status, to_status, on_date, due_date, actor)
                SELECT id, '{step}', {'NULL' if before is None else repr(before)}, '{after}', opened_on + {days},
                       opened_on + 30, 'bench' FROM s WHERE {where} ORDER BY id""")
        cur.execute("COMMIT")
    finally:
        cur.close()


def timed(label: str, fn, repeat: int = 5) -> None:
    fn()  # warm
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    print(f"{label:<48} median {statistics.median(times) * 1000:8.1f} ms   max {max(times) * 1000:8.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=300_000)
    parser.add_argument("--db", help="database file (default: a temporary one)")
    args = parser.parse_args()
    path = Path(args.db) if args.db else Path(tempfile.mkdtemp()) / "bench-actions.duckdb"
    db = open_database(path)
    t = time.perf_counter()
    load_demo(db, PROJECT_ROOT / "data" / "demo")
    fill(db, args.actions)
    print(f"built {db.scalar('SELECT count(*) FROM actions')} actions, "
          f"{db.scalar('SELECT count(*) FROM action_events')} history rows in {time.perf_counter() - t:.1f} s")
    timed("action_overview on 30/06/2017", lambda: action_overview(db, dt.date(2017, 6, 30)))
    timed("action_overview on 31/12/2021", lambda: action_overview(db, dt.date(2021, 12, 31)))
    timed("list_actions, no filter (first 2000)", lambda: list_actions(db, as_of=dt.date(2021, 12, 31)))
    timed("list_actions, one unit", lambda: list_actions(db, as_of=dt.date(2021, 12, 31), unit_code="03386"))
    timed("list_actions, overdue only", lambda: list_actions(db, as_of=dt.date(2021, 12, 31), overdue_only=True))
    target = db.scalar("SELECT min(id) FROM actions WHERE status = 'open' AND id >= 1000000")

    def one_step():
        detail = get_action(db, target)
        kind = Step.START if detail.status.value == "open" else Step.CANCEL
        apply_step(db, target, StepInput(step=kind, on_date=province_today(), owner_name="Người thử", note="thử"),
                   expected_version=detail.row_version, actor=system_principal("bench"))

    timed("get_action + apply_step (one step)", one_step, repeat=1)
    db.close()


if __name__ == "__main__":
    main()
