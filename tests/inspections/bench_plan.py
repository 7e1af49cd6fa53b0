"""Benchmark (a script, not a test): a country's inspection year on the national bench database.

    .venv/bin/qms bench --scale national --workdir /tmp/bench --runs 1 --quiet   # once: builds the database
    .venv/bin/python tests/inspections/bench_plan.py /tmp/bench/<file>.duckdb [--year 2026] [--runs 3]

Copies the database, then times :func:`qms.inspections.store.propose_plan` (risk facts of
every unit, ranking, one insert per item), :func:`qms.inspections.queries.get_plan` (what
the page reads) and :func:`qms.inspections.queries.overdue_requests`.  Prints the figures;
asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from qms.accounts.rules import system_principal
from qms.inspections.queries import get_plan, overdue_requests
from qms.inspections.store import propose_plan
from qms.kernel.db import open_database


def timed(fn, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "plan.duckdb"
        shutil.copyfile(args.db, path)
        db = open_database(path)
        try:
            today = dt.date(args.year, 1, 15)
            t, n = timed(lambda: propose_plan(db, args.year, actor=system_principal("bench"), today=today), args.runs)
            print(f"propose_plan: {n} inspections, median {t:.2f} s over {args.runs} runs")
            t, plan = timed(lambda: get_plan(db, args.year, today), args.runs)
            print(f"get_plan: {len(plan.items)} items, median {t:.2f} s")
            t, overdue = timed(lambda: overdue_requests(db, today), args.runs)
            print(f"overdue_requests: {len(overdue)} rows, median {t * 1000:.1f} ms")
        finally:
            db.close()


if __name__ == "__main__":
    main()
