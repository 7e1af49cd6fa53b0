"""The snapshot on both sides of the 2025 reform (schema 3): unit keys and official codes,
parents per period, the acts and their links, coverage on the geography of the as-of date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from qms.accounts.rules import system_principal
from qms.exports import indicators
from qms.exports.snapshot import write_snapshot

ADMIN = system_principal("test-admin")


def read(folder: Path, table: str, sql: str) -> list[tuple]:
    con = duckdb.connect()
    try:
        return con.execute(sql.replace(" FROM t", f" FROM read_parquet('{folder / (table + '.parquet')}')", 1)).fetchall()
    finally:
        con.close()


def test_the_snapshot_of_today_keeps_two_units_apart_that_share_a_code(today_db, tmp_path):
    snap = write_snapshot(today_db, tmp_path / "out", dt.date(2026, 12, 3), methodology=indicators.load(), actor=ADMIN)
    folder = Path(snap.path)
    rows = read(folder, "units", "SELECT code, gso_code, name, parent_code, valid_to FROM t WHERE gso_code = '03388' ORDER BY code")
    assert rows == [("03388", "03388", "Phường Quyết Tiến", "105", dt.date(2025, 7, 1)),
                    ("03388@2025-07-01", "03388", "Phường Đoàn Kết", "12", None)]
    # Mù Cả continued: under its district until 30/06/2025, under the province since
    assert read(folder, "unit_parents", "SELECT parent_code, valid_from, valid_to FROM t WHERE unit_code = '03451' ORDER BY valid_from NULLS FIRST") == [
        ("107", None, dt.date(2025, 7, 1)), ("12", dt.date(2025, 7, 1), None)]
    acts = read(folder, "admin_changes", "SELECT act, effective_date FROM t ORDER BY change_id")
    assert [a[1] for a in acts] == [dt.date(2020, 1, 1), dt.date(2025, 3, 1), dt.date(2025, 7, 1)]
    assert read(folder, "unit_links", "SELECT count(*) FROM t WHERE new_code = '03388@2025-07-01'") == [(5,)]
    assert read(folder, "coverage_district", "SELECT count(*) FROM t") == [(0,)]
    assert read(folder, "coverage_level", "SELECT in_plan FROM t WHERE level = 'commune'") == [(38,)]
    # nothing of the old unit hangs on the new key: the new ward's events are its own, from its first day
    assert read(folder, "lifecycle_events", "SELECT count(*) FROM t WHERE unit_code = '03388@2025-07-01'"
                " AND event_date < DATE '2025-07-01'") == [(0,)]
    assert read(folder, "lifecycle_events", "SELECT count(*) FROM t WHERE unit_code = '03388'"
                " AND event_date >= DATE '2025-07-01'") == [(0,)]
    # the units behind each criterion are named by their key too (units.code), never by a reused code
    keys = {r[0] for r in read(folder, "units", "SELECT code FROM t")}
    below = [r[0] for r in read(folder, "indicator_units", "SELECT unit_code FROM t")]
    assert below and set(below) <= keys and any("@" in code for code in below), below[:5]


def test_a_snapshot_of_the_eve_of_the_reform_shows_the_districts_and_not_the_later_act(today_db, tmp_path):
    snap = write_snapshot(today_db, tmp_path / "out", dt.date(2025, 6, 30), methodology=indicators.load(), actor=ADMIN)
    folder = Path(snap.path)
    assert read(folder, "coverage_district", "SELECT count(*) FROM t") == [(8,)]
    assert read(folder, "coverage_level", "SELECT in_plan FROM t WHERE level = 'commune'") == [(106,)]
    assert read(folder, "admin_changes", "SELECT count(*) FROM t") == [(2,)]
    assert read(folder, "units", "SELECT count(*) FROM t WHERE code LIKE '%@%'") == [(0,)]
