"""Benchmark of the scope queries at national scale (a script, not a test: it prints figures).

    .venv/bin/python tests/scope/bench_scope.py [--communes 10000] [--db PATH]

Builds a synthetic country in a fresh DuckDB file with plain SQL: ~1,200 departments, ~700
districts, ``--communes`` communes, their TTHC catalogues (~1.5 million entries), one process per
group of three TTHC, most re-issued once (~2.5 million process-TTHC links), lifecycle events and
50 legal changes; then times the reads the overview, the Quy trình page and the CLI make.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

from qms.kernel.db import open_database
from qms.scope import queries as S
from qms.scope.model import UpdateState
from qms.units.model import Level


def build(db, communes: int) -> None:
    districts, departments = max(1, communes // 14), max(1, communes // 8)

    def run(cur):
        cur.execute("""
            INSERT INTO units (code, level, kind, parent_code)
            SELECT 'P', 'province', 'tinh', NULL
            UNION ALL SELECT 'D' || i, 'department', 'so', 'P' FROM range(?) t(i)
            UNION ALL SELECT 'H' || i, 'district', 'huyen', 'P' FROM range(?) t(i)
            UNION ALL SELECT 'X' || i, 'commune', 'xa', 'H' || (i % ?) FROM range(?) t(i)
        """, [departments, districts, districts, communes])
        cur.execute("INSERT INTO unit_names SELECT code, 'Đơn vị ' || code, DATE '1900-01-01' FROM units")
        cur.execute("INSERT INTO tthc (code, name, recorded_by) SELECT printf('1.%06d', i), 'Thủ tục ' || i, 'bench' FROM range(3000) t(i)")
        # catalogues: communes 120 common TTHC, districts 250, departments 100 of their own
        cur.execute("""
            INSERT INTO unit_tthc (unit_code, tthc_code, valid_from, recorded_by)
            SELECT u.code, printf('1.%06d', CASE u.level WHEN 'commune' THEN k WHEN 'district' THEN 200 + k
                                              ELSE 500 + (hash(u.code) % 20) * 100 + k END), DATE '2015-01-01', 'bench'
            FROM units u JOIN range(250) r(k)
              ON k < CASE u.level WHEN 'commune' THEN 120 WHEN 'district' THEN 250 WHEN 'department' THEN 100 ELSE 0 END
        """)
        # one process per group of 3 TTHC, issued in 2016; 5% of groups never get one (gaps);
        # 60% re-issued in 2020 (TCVN ISO 9001:2015)
        cur.execute("""
            CREATE TEMP TABLE g AS
            SELECT unit_code, 'QT-' || (row_number() OVER (PARTITION BY unit_code ORDER BY tthc_code) - 1) // 3 AS code, tthc_code
            FROM unit_tthc
        """)
        cur.execute("""
            CREATE TEMP TABLE p AS SELECT DISTINCT unit_code, code FROM g WHERE hash(unit_code || code) % 20 <> 0
        """)
        cur.execute("""
            INSERT INTO process_versions (unit_code, code, version_no, title, status, issue_no, issued_on, status_on, recorded_by)
            SELECT unit_code, code, 1, 'Quy trình ' || code, 'issued', '01', DATE '2016-01-01', DATE '2016-01-01', 'bench' FROM p
            UNION ALL
            SELECT unit_code, code, 2, 'Quy trình ' || code, 'issued', '02', DATE '2020-06-01', DATE '2020-06-01', 'bench'
            FROM p WHERE hash(code || unit_code) % 10 < 6
        """)
        cur.execute("""
            INSERT INTO process_tthc
            SELECT v.id, v.unit_code, v.code, g.tthc_code FROM process_versions v JOIN g USING (unit_code, code)
        """)
        cur.execute("""
            INSERT INTO qms_events (unit_code, event_type, event_date, decision_no, standard, recorded_by)
            SELECT code, e, d, CASE WHEN e = 'announced' THEN '1/QĐ' END, CASE WHEN e = 'announced' THEN '2008' END, 'bench'
            FROM units JOIN (VALUES ('build_started', DATE '2015-03-01'), ('applied', DATE '2015-09-01'),
                                    ('announced', DATE '2016-03-01')) ev(e, d) ON hash(code) % 5 <> 0
            WHERE level <> 'province'
        """)
        cur.execute("""
            INSERT INTO legal_changes (document_no, effective_on, update_due_on, recorded_by)
            SELECT i || '/QĐ-UBND', DATE '2019-01-01' + INTERVAL (i * 20) DAY, DATE '2019-04-01' + INTERVAL (i * 20) DAY, 'bench'
            FROM range(50) t(i)
        """)
        cur.execute("""
            INSERT INTO legal_change_items SELECT c.id, printf('1.%06d', (c.id * 37 + k) % 3000), 'amended', NULL
            FROM legal_changes c JOIN range(20) r(k) ON true
        """)

    db.write(run)


def timed(label: str, fn, repeat: int = 3):
    """Best of ``repeat`` runs: wall time, and CPU time of the process (all DuckDB threads), which
    a busy machine disturbs less."""
    best, best_cpu = None, None
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        result = fn()
        elapsed, used = time.perf_counter() - start, time.process_time() - cpu
        best = elapsed if best is None else min(best, elapsed)
        best_cpu = used if best_cpu is None else min(best_cpu, used)
    print(f"  {label:<58} {best * 1000:8.0f} ms wall {best_cpu * 1000:8.0f} ms cpu")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--communes", type=int, default=10_000)
    parser.add_argument("--db", help="database file (default: a temporary one)")
    args = parser.parse_args()
    path = Path(args.db) if args.db else Path(tempfile.mkdtemp()) / "bench.duckdb"
    db = open_database(path)
    start = time.perf_counter()
    build(db, args.communes)
    print(f"built {path} in {time.perf_counter() - start:.1f} s:")
    for table in ("units", "unit_tthc", "process_versions", "process_tthc", "legal_change_items"):
        print(f"  {table:<20} {db.scalar(f'SELECT count(*) FROM {table}'):>10,}")
    as_of = dt.date(2021, 12, 31)
    print(f"reads as of {as_of} (best of 3):")
    overview = timed("scope_overview (overview page, per level)", lambda: S.scope_overview(db, as_of))
    timed("scope_by_district (communes per district)", lambda: S.scope_by_district(db, as_of))
    rows = timed("scope_by_unit(level=commune, incomplete only)", lambda: S.scope_by_unit(db, as_of, level=Level.COMMUNE, incomplete_only=True))
    timed("unit_scope (one commune: processes, covered, uncovered)", lambda: S.unit_scope(db, "X17", as_of))
    overdue = timed("update_obligations(overdue, whole country)", lambda: S.update_obligations(db, as_of, states=(UpdateState.OVERDUE,)))
    timed("list_legal_changes", lambda: S.list_legal_changes(db, as_of))
    print(f"figures: {overview.incomplete} units incomplete, {overview.overdue_updates} overdue updates, "
          f"{len(rows)} incomplete communes listed, {len(overdue)} overdue rows")
    db.close()


if __name__ == "__main__":
    main()
