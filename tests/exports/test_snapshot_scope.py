"""The scope tables of the snapshot: processes in force and the catalogue on the as-of date, the
Quy trình page's own figures per unit, legal changes and the 3-month rule."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from qms.exports.registry import Registry
from qms.exports.snapshot import write_snapshot
from qms.scope import snapshot_queries as tables_scope
from qms.scope.model import ProcessVersionInput, UpdateState
from qms.scope.processes_store import save_process_version
from qms.scope.queries import list_legal_changes, scope_by_unit, scope_overview, update_obligations
from qms.scope.rules import update_due

from .conftest import ADMIN, AS_OF_2016, AS_OF_2021, FIXED_NOW, parquet_rows

SCOPE_TABLES = [t.name for t in tables_scope.TABLES]


def _scope_snapshot(db, tmp_path, as_of, methodology):
    return write_snapshot(db, tmp_path / str(as_of), as_of, methodology=methodology, actor=ADMIN, now=FIXED_NOW,
                          registry=Registry(tables_scope.TABLES))


# --- rows on the demo ----------------------------------------------------------------------------

def test_the_2016_demo_rows(demo_snapshot):
    assert [demo_snapshot.rows(n) for n in SCOPE_TABLES] == [1285, 2995, 4648, 136, 0, 0, 0]


def test_the_2021_demo_rows(demo_snapshot_2021):
    assert [demo_snapshot_2021.rows(n) for n in SCOPE_TABLES] == [1977, 4513, 4679, 134, 5, 119, 283]


# --- processes and their TTHC --------------------------------------------------------------------

def _revised_process(db) -> tuple[str, str, int, int]:
    """A process issued before 31/12/2016 and issued again after it: (unit, code, old id, new id)."""
    return db.rows("""
        SELECT unit_code, code, arg_max(id, status_on) FILTER (WHERE status_on <= $d),
               arg_max(id, status_on) FILTER (WHERE status_on <= $e)
        FROM process_versions WHERE status = 'issued' GROUP BY unit_code, code
        HAVING count(*) FILTER (WHERE status_on <= $d) > 0 AND count(*) FILTER (WHERE status_on > $d) > 0
           AND count(*) FILTER (WHERE status <> 'issued') = 0
        ORDER BY unit_code, code LIMIT 1""", {"d": AS_OF_2016, "e": AS_OF_2021})[0]


def test_a_revised_process_shows_the_version_in_force_on_each_date(demo_snapshot, demo_snapshot_2021, demo_db):
    unit, code, old, new = _revised_process(demo_db)
    sql = f"SELECT version_id FROM t WHERE unit_code = '{unit}' AND code = '{code}'"
    assert (parquet_rows(demo_snapshot.path / "processes.parquet", sql),
            parquet_rows(demo_snapshot_2021.path / "processes.parquet", sql)) == ([(old,)], [(new,)])


def test_a_later_draft_leaves_the_issued_version_in_force(demo_db, tmp_path, methodology):
    unit, code, title, version_id = demo_db.rows(
        "SELECT unit_code, code, title, id FROM process_versions WHERE status = 'issued' AND status_on < DATE '2021-06-01'"
        " ORDER BY id DESC LIMIT 1")[0]
    tthc = [r[0] for r in demo_db.rows("SELECT tthc_code FROM process_tthc WHERE version_id = ?", [version_id])]
    save_process_version(demo_db, ProcessVersionInput(unit_code=unit, code=code, title=title, tthc_codes=tthc, status="draft",
                                                      status_on=dt.date(2021, 6, 1)), actor=ADMIN, today=AS_OF_2021)
    snap = _scope_snapshot(demo_db, tmp_path, AS_OF_2021, methodology)
    sql = f"SELECT version_id, status FROM t WHERE unit_code = '{unit}' AND code = '{code}'"
    assert parquet_rows(snap.path / "processes.parquet", sql) == [(version_id, "issued")]


def test_no_process_version_takes_effect_after_the_date(demo_snapshot):
    assert parquet_rows(demo_snapshot.path / "processes.parquet", "SELECT max(status_on) FROM t")[0][0] <= AS_OF_2016


def test_withdrawn_processes_are_listed_as_withdrawn(demo_snapshot_2021, demo_db):
    expected = demo_db.rows("""SELECT count(*) FROM (SELECT unit_code, code, arg_max(status, (status_on, id)) AS s
                               FROM process_versions WHERE status <> 'draft' AND status_on <= ? GROUP BY ALL) WHERE s = 'withdrawn'""",
                            [AS_OF_2021])
    assert parquet_rows(demo_snapshot_2021.path / "processes.parquet", "SELECT count(*) FROM t WHERE status = 'withdrawn'") == expected
    assert expected[0][0] > 0


def test_process_tthc_links_only_the_versions_in_force(demo_snapshot_2021):
    path = demo_snapshot_2021.path
    versions = dict(parquet_rows(path / "processes.parquet", "SELECT version_id, tthc_count FROM t"))
    links = Counter(r[0] for r in parquet_rows(path / "process_tthc.parquet", "SELECT version_id FROM t"))
    assert set(links) <= set(versions) and sum(links.values()) == sum(versions.values())


# --- catalogue and completeness ------------------------------------------------------------------

def test_the_catalogue_holds_the_entries_valid_on_the_date(demo_snapshot_2021, demo_db):
    expected = demo_db.rows("SELECT count(*) FROM unit_tthc WHERE (valid_from IS NULL OR valid_from <= $d)"
                            " AND (valid_to IS NULL OR valid_to > $d)", {"d": AS_OF_2021})
    assert parquet_rows(demo_snapshot_2021.path / "unit_tthc.parquet", "SELECT count(*) FROM t") == expected


def _entries_on(db, tmp_path, day, methodology) -> set[int]:
    snap = _scope_snapshot(db, tmp_path, day, methodology)
    return {r[0] for r in parquet_rows(snap.path / "unit_tthc.parquet", "SELECT entry_id FROM t")}


def test_an_entry_is_out_of_the_catalogue_on_its_valid_to_date(demo_db, tmp_path, methodology):
    entry, day = demo_db.rows("SELECT id, valid_to FROM unit_tthc WHERE valid_to IS NOT NULL ORDER BY id LIMIT 1")[0]
    assert (entry in _entries_on(demo_db, tmp_path, day - dt.timedelta(days=1), methodology),
            entry in _entries_on(demo_db, tmp_path, day, methodology)) == (True, False)


def test_an_entry_is_in_the_catalogue_from_its_valid_from_date(demo_db, tmp_path, methodology):
    entry, day = demo_db.rows("SELECT id, valid_from FROM unit_tthc WHERE valid_from > DATE '2015-01-01' ORDER BY id LIMIT 1")[0]
    assert (entry in _entries_on(demo_db, tmp_path, day - dt.timedelta(days=1), methodology),
            entry in _entries_on(demo_db, tmp_path, day, methodology)) == (False, True)


def test_scope_unit_is_the_pages_row_of_every_unit(demo_snapshot_2021, demo_db):
    in_file = parquet_rows(demo_snapshot_2021.path / "scope_unit.parquet",
                           "SELECT unit_code, tthc_total, tthc_covered, rate_pct, complete, announced FROM t")
    expected = sorted((r.unit_code, r.tthc_total, r.tthc_covered, r.rate_pct, r.complete, r.announced)
                      for r in scope_by_unit(demo_db, AS_OF_2021))
    assert in_file == expected


@pytest.mark.parametrize("as_of", [AS_OF_2016, AS_OF_2021], ids=str)
def test_scope_unit_adds_up_to_the_overview_figures(demo_snapshot, demo_snapshot_2021, demo_db, as_of):
    snap = demo_snapshot if as_of == AS_OF_2016 else demo_snapshot_2021
    in_file = parquet_rows(snap.path / "scope_unit.parquet", """
        SELECT level, count(*), count(complete), count(*) FILTER (complete), count(*) FILTER (NOT complete),
               count(*) FILTER (announced_incomplete), sum(tthc_total), sum(tthc_covered), sum(overdue_updates),
               count(*) FILTER (reannounce_due)
        FROM t GROUP BY level ORDER BY level""")
    overview = sorted((lv.level.value, lv.units, lv.with_catalogue, lv.complete, lv.incomplete, lv.announced_incomplete,
                       lv.tthc_total, lv.tthc_covered, lv.overdue_updates, lv.reannounce_due)
                      for lv in scope_overview(demo_db, as_of).levels)
    assert in_file == overview


def test_the_catalogue_entries_add_up_to_each_units_totals(demo_snapshot_2021):
    path = demo_snapshot_2021.path
    per_unit = dict((r[0], r[1:]) for r in parquet_rows(path / "unit_tthc.parquet",
                                                        "SELECT unit_code, count(*), count(*) FILTER (covered) FROM t GROUP BY 1"))
    for code, total, covered in parquet_rows(path / "scope_unit.parquet", "SELECT unit_code, tthc_total, tthc_covered FROM t"):
        assert per_unit.get(code, (0, 0)) == (total, covered), code


def test_a_unit_without_catalogue_has_no_rate_rather_than_zero(demo_db, tmp_path, methodology):
    code = demo_db.rows("SELECT unit_code FROM unit_tthc ORDER BY unit_code LIMIT 1")[0][0]
    demo_db.write(lambda cur: cur.execute("DELETE FROM unit_tthc WHERE unit_code = ?", [code]))
    snap = _scope_snapshot(demo_db, tmp_path, AS_OF_2021, methodology)
    row = parquet_rows(snap.path / "scope_unit.parquet", f"SELECT tthc_total, rate_pct, complete FROM t WHERE unit_code = '{code}'")
    assert row == [(0, None, None)]


# --- legal changes and the 3-month rule ----------------------------------------------------------

def test_legal_changes_carry_the_pages_figures(demo_snapshot_2021, demo_db):
    in_file = parquet_rows(demo_snapshot_2021.path / "legal_changes.parquet",
                           "SELECT change_id, update_due_on, tthc, processes, overdue FROM t")
    expected = sorted((c.id, c.due_on, c.tthc, c.processes, c.overdue) for c in list_legal_changes(demo_db, AS_OF_2021))
    assert in_file == expected


def test_the_due_date_is_three_months_after_the_effective_date(demo_snapshot_2021):
    rows = parquet_rows(demo_snapshot_2021.path / "legal_changes.parquet", "SELECT effective_on, update_due_on FROM t")
    assert rows and all(due == update_due(eff) for eff, due in rows)


def test_a_change_signed_but_not_yet_effective_is_listed_and_obliges_nothing(demo_db, tmp_path, methodology):
    change_id, signed, effective = demo_db.rows(
        "SELECT id, signed_on, effective_on FROM legal_changes WHERE signed_on < effective_on ORDER BY id DESC LIMIT 1")[0]
    snap = _scope_snapshot(demo_db, tmp_path, effective - dt.timedelta(days=1), methodology)
    row = parquet_rows(snap.path / "legal_changes.parquet", f"SELECT in_effect, processes FROM t WHERE change_id = {change_id}")
    items = parquet_rows(snap.path / "legal_change_items.parquet", f"SELECT count(*) FROM t WHERE change_id = {change_id}")
    assert signed <= effective - dt.timedelta(days=1) and row == [(False, 0)] and items[0][0] > 0


def test_a_change_signed_after_the_date_is_left_out(demo_db, tmp_path, methodology):
    change_id, signed = demo_db.rows("SELECT id, signed_on FROM legal_changes ORDER BY id DESC LIMIT 1")[0]
    snap = _scope_snapshot(demo_db, tmp_path, signed - dt.timedelta(days=1), methodology)
    sql = f"SELECT count(*) FROM t WHERE change_id = {change_id}"
    assert [parquet_rows(snap.path / f"{n}.parquet", sql) for n in ("legal_changes", "legal_change_items")] == [[(0,)], [(0,)]]


def test_scope_updates_are_the_obligations_with_their_state(demo_snapshot_2021, demo_db):
    in_file = parquet_rows(demo_snapshot_2021.path / "scope_updates.parquet",
                           "SELECT change_id, unit_code, process_code, update_due_on, reissued_on, state FROM t")
    expected = sorted((u.change_id, u.unit_code, u.process_code, u.due_on, u.reissued_on, u.state.value)
                      for u in update_obligations(demo_db, AS_OF_2021))
    assert in_file == expected and {r[-1] for r in in_file} >= {UpdateState.DONE.value, UpdateState.OVERDUE.value}


def test_overdue_updates_per_unit_match_the_scope_updates(demo_snapshot_2021):
    path = demo_snapshot_2021.path
    overdue = dict(parquet_rows(path / "scope_updates.parquet", "SELECT unit_code, count(*) FROM t WHERE state = 'overdue' GROUP BY 1"))
    per_unit = dict(parquet_rows(path / "scope_unit.parquet", "SELECT unit_code, overdue_updates FROM t WHERE overdue_updates > 0"))
    assert per_unit == overdue and per_unit


# --- schema and determinism ----------------------------------------------------------------------

@pytest.mark.parametrize("table", tables_scope.TABLES, ids=lambda t: t.name)
def test_the_2021_file_reads_back_with_the_declared_schema(demo_snapshot_2021, table):
    described = parquet_rows(demo_snapshot_2021.path / table.file_name, "SELECT column_name, column_type FROM (DESCRIBE t)")
    assert described == [(c.name, c.type) for c in table.columns]


@pytest.mark.parametrize("table", tables_scope.TABLES, ids=lambda t: t.name)
def test_the_2021_file_is_ordered_by_its_unique_key(demo_snapshot_2021, table):
    keys = parquet_rows(demo_snapshot_2021.path / table.file_name, f"SELECT {', '.join(table.order_by)} FROM t")
    assert keys == sorted(keys, key=lambda r: tuple((v is not None, v) for v in r))
    assert len(set(keys)) == len(keys) > 0


def test_the_scope_files_are_the_same_bytes_from_another_copy_of_the_data(demo_snapshot_2021, demo_db, tmp_path, methodology):
    again = _scope_snapshot(demo_db, tmp_path, AS_OF_2021, methodology)
    first = {e["name"]: e["sha256"] for e in demo_snapshot_2021.manifest["tables"] if e["name"] in SCOPE_TABLES}
    assert {e["name"]: e["sha256"] for e in again.manifest["tables"]} == first
