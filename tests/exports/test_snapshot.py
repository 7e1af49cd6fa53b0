"""Parquet snapshots of the demo: figures, manifest, schema read back with DuckDB, determinism,
atomicity, and tables that appear only when their source tables exist."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from pathlib import Path

import duckdb
import pytest

from qms.coverage.queries import by_district, by_level
from qms.exports.registry import SCHEMA_VERSION, Column, ExportTable, default_registry
from qms.exports.snapshot import MANIFEST, list_snapshots, verify, write_snapshot, zip_bytes
from qms.units.model import Level

from .conftest import ADMIN, AS_OF_2016, FIXED_NOW, VIEWER


def _rows(path: Path, sql: str = "SELECT * FROM t") -> list[tuple]:
    con = duckdb.connect()
    try:
        con.execute(f"CREATE VIEW t AS SELECT * FROM read_parquet('{path}')")
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _describe(path: Path) -> list[tuple[str, str]]:
    con = duckdb.connect()
    try:
        return [(r[0], r[1]) for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{path}')").fetchall()]
    finally:
        con.close()


def _hashes(snapshot) -> dict[str, str]:
    return {e["name"]: e["sha256"] for e in snapshot.manifest["tables"]}


# --- the done-when figures ---------------------------------------------------------------------

def test_indicators_show_65_of_108_communes_announced(demo_snapshot):
    rows = _rows(demo_snapshot.path / "indicators.parquet",
                 "SELECT numerator, denominator, rate_pct FROM t WHERE level = 'commune' AND measure = 'announced_rate'")
    assert rows == [(65, 108, 60.19)]


def test_indicator_units_list_the_43_communes_keeping_the_commune_rate_down(demo_snapshot):
    rows = _rows(demo_snapshot.path / "indicator_units.parquet", "SELECT count(*) FROM t WHERE criterion_code = 'ISO-3'")
    assert rows == [(43,)]


def test_criteria_at_full_marks_list_no_unit(demo_snapshot):
    full = _rows(demo_snapshot.path / "indicators.parquet", "SELECT criterion_code FROM t WHERE points = max_points")
    listed = {r[0] for r in _rows(demo_snapshot.path / "indicator_units.parquet", "SELECT DISTINCT criterion_code FROM t")}
    assert full and not ({r[0] for r in full} & listed)


def test_manifest_hashes_match_the_files(demo_snapshot):
    for entry in demo_snapshot.manifest["tables"]:
        digest = hashlib.sha256((demo_snapshot.path / entry["file"]).read_bytes()).hexdigest()
        assert digest == entry["sha256"], entry["file"]


def test_manifest_row_counts_match_the_files(demo_snapshot):
    for entry in demo_snapshot.manifest["tables"]:
        assert _rows(demo_snapshot.path / entry["file"], "SELECT count(*) FROM t") == [(entry["rows"],)], entry["file"]


def test_manifest_states_version_date_methodology_and_templates(demo_snapshot):
    m = json.loads((demo_snapshot.path / MANIFEST).read_text(encoding="utf-8"))
    assert (m["schema_version"], m["as_of"], m["generated_at"]) == (SCHEMA_VERSION, "2016-12-31", "2025-01-02T03:04:05Z")
    assert m["methodology"]["sample"] is True
    assert {t["id"] for t in m["checklist_templates"]} >= {"internal-audit-iso9001-2015", "inspection-circular26"}


def test_the_folder_is_named_by_as_of_date_and_generation_time(demo_snapshot):
    assert demo_snapshot.path.name == "2016-12-31_20250102T030405Z"


def test_verify_finds_a_changed_file(demo_snapshot, tmp_path):
    copy = tmp_path / demo_snapshot.path.name
    copy.mkdir()
    for f in demo_snapshot.path.iterdir():
        (copy / f.name).write_bytes(f.read_bytes())
    assert verify(copy) == []
    (copy / "units.parquet").write_bytes(b"tampered")
    assert verify(copy) == ["units.parquet: SHA-256 differs from the manifest"]


# --- schema ------------------------------------------------------------------------------------

def test_every_registered_table_is_written(demo_snapshot):
    written = [e["name"] for e in demo_snapshot.manifest["tables"]]
    assert written == [t.name for t in default_registry().tables] and demo_snapshot.manifest["skipped_tables"] == []


@pytest.mark.parametrize("table", default_registry().tables, ids=lambda t: t.name)
def test_each_file_reads_back_with_the_declared_names_and_types(demo_snapshot, table):
    assert _describe(demo_snapshot.path / table.file_name) == [(c.name, c.type) for c in table.columns]


@pytest.mark.parametrize("table", default_registry().tables, ids=lambda t: t.name)
def test_each_file_is_ordered_by_its_unique_key(demo_snapshot, table):
    keys = ", ".join(table.order_by)
    path = demo_snapshot.path / table.file_name
    in_file = _rows(path, f"SELECT {keys} FROM t")
    assert in_file == sorted(in_file, key=lambda r: tuple((v is not None, v) for v in r))
    assert len(set(in_file)) == len(in_file)


def test_an_empty_database_writes_every_file_with_the_declared_types(db, tmp_path, methodology):
    snap = write_snapshot(db, tmp_path / "out", AS_OF_2016, methodology=methodology, actor=ADMIN, now=FIXED_NOW)
    for table in default_registry().tables:
        assert _describe(snap.path / table.file_name) == [(c.name, c.type) for c in table.columns], table.name
    assert snap.rows("units") == 0 and snap.rows("coverage_level") == 3


# --- the snapshot agrees with the overview -----------------------------------------------------

def test_coverage_level_is_the_overview_figures(demo_snapshot, demo_db):
    in_file = _rows(demo_snapshot.path / "coverage_level.parquet",
                    "SELECT level, in_plan, announced, never_started, not_maintained, rate_pct, target_pct FROM t")
    expected = sorted((r.level.value, r.in_plan, r.announced, r.never_started, r.not_maintained, r.rate_pct, r.target_pct)
                      for r in by_level(demo_db, AS_OF_2016))
    assert in_file == expected


def test_coverage_district_is_the_overview_figures_in_gap_order(demo_snapshot, demo_db):
    in_file = _rows(demo_snapshot.path / "coverage_district.parquet", "SELECT district_code, announced FROM t ORDER BY gap_rank")
    assert in_file == [(d.district_code, d.announced) for d in by_district(demo_db, AS_OF_2016, Level.COMMUNE)]


def test_unit_status_counts_agree_with_the_overview(demo_snapshot, demo_db):
    in_file = dict((r[0], r[1:]) for r in _rows(
        demo_snapshot.path / "unit_status.parquet",
        "SELECT level, count(*) FILTER (stage = 'announced'), count(*) FILTER (stage = 'not_started'),"
        " count(*) FILTER (maintenance_due AND NOT maintained_this_year) FROM t WHERE in_plan GROUP BY level"))
    for row in by_level(demo_db, AS_OF_2016):
        assert in_file[row.level.value] == (row.announced, row.never_started, row.not_maintained), row.level


def test_units_carry_the_name_of_the_as_of_date(demo_path, tmp_path, methodology):
    from qms.kernel.db import open_database

    db = open_database(demo_path)
    try:
        old = write_snapshot(db, tmp_path / "a", AS_OF_2016, methodology=methodology, actor=ADMIN)
        new = write_snapshot(db, tmp_path / "b", dt.date(2021, 12, 31), methodology=methodology, actor=ADMIN)
    finally:
        db.close()
    sql = "SELECT name FROM t WHERE code = '03403'"
    assert _rows(old.path / "units.parquet", sql) != _rows(new.path / "units.parquet", sql) == [("Xã Sùng Phài",)]


def test_merged_communes_leave_the_status_table_after_the_merger(demo_path, tmp_path, methodology):
    from qms.kernel.db import open_database

    db = open_database(demo_path)
    try:
        snap = write_snapshot(db, tmp_path / "out", dt.date(2021, 12, 31), methodology=methodology, actor=ADMIN)
    finally:
        db.close()
    communes = _rows(snap.path / "unit_status.parquet", "SELECT count(*) FROM t WHERE level = 'commune'")
    gone = _rows(snap.path / "units.parquet", "SELECT count(*) FROM t WHERE level = 'commune' AND NOT exists_on_as_of")
    assert (communes, gone) == ([(106,)], [(2,)])


def test_events_after_the_as_of_date_are_left_out(demo_snapshot):
    assert _rows(demo_snapshot.path / "lifecycle_events.parquet", "SELECT max(event_date) FROM t")[0][0] <= AS_OF_2016


# --- determinism and atomicity -----------------------------------------------------------------

def test_two_snapshots_of_the_same_data_have_the_same_file_hashes(demo_db, tmp_path, methodology):
    first = write_snapshot(demo_db, tmp_path / "out", AS_OF_2016, methodology=methodology, actor=ADMIN, now=FIXED_NOW)
    second = write_snapshot(demo_db, tmp_path / "out", AS_OF_2016, methodology=methodology, actor=ADMIN, now=FIXED_NOW)
    assert first.path != second.path and second.path.name.endswith("-2")
    assert _hashes(first) == _hashes(second)


def test_the_same_data_in_another_database_file_gives_the_same_hashes(demo_snapshot, demo_db, tmp_path, methodology):
    again = write_snapshot(demo_db, tmp_path / "out", AS_OF_2016, methodology=methodology, actor=ADMIN)
    assert _hashes(again) == _hashes(demo_snapshot)


def _bad_table() -> ExportTable:
    return ExportTable(name="zz_broken", meaning="A table whose query fails.", label_vi="Bảng lỗi",
                       columns=(Column("code", "VARCHAR", "a column", "Mã"),), order_by=("code",),
                       sql="SELECT no_such_column AS code FROM units")


def test_a_failing_table_leaves_no_snapshot_folder(demo_db, tmp_path, methodology):
    from qms.kernel.errors import QmsError

    out = tmp_path / "out"
    with pytest.raises(QmsError, match="zz_broken"):
        write_snapshot(demo_db, out, AS_OF_2016, methodology=methodology, actor=ADMIN, registry=default_registry().with_table(_bad_table()))
    assert list(out.iterdir()) == []


def test_a_table_whose_source_is_missing_is_skipped_and_listed(demo_db, tmp_path, methodology):
    later = ExportTable(name="zz_later", meaning="A table of a feature not installed.", label_vi="Bảng sau",
                        columns=(Column("code", "VARCHAR", "a column", "Mã"),), order_by=("code",),
                        sql="SELECT code FROM no_such_table", requires=("no_such_table",))
    snap = write_snapshot(demo_db, tmp_path / "out", AS_OF_2016, methodology=methodology, actor=ADMIN,
                          registry=default_registry().with_table(later))
    assert snap.manifest["skipped_tables"] == [{"name": "zz_later", "requires": ["no_such_table"]}]
    assert not (snap.path / "zz_later.parquet").exists()


def test_progress_reports_every_table_then_the_manifest(demo_db, tmp_path, methodology):
    seen = []
    write_snapshot(demo_db, tmp_path / "out", AS_OF_2016, methodology=methodology, actor=ADMIN, progress=lambda d, n, name: seen.append((d, name)))
    names = [t.name for t in default_registry().tables]
    assert seen == [*enumerate(names), (len(names), MANIFEST)]


# --- zip and listing ---------------------------------------------------------------------------

def test_the_zip_holds_the_folder_and_is_the_same_every_time(demo_snapshot):
    data = zip_bytes(demo_snapshot.path)
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert f"{demo_snapshot.name}/{MANIFEST}" in names and f"{demo_snapshot.name}/indicators.parquet" in names
    assert zip_bytes(demo_snapshot.path) == data


def test_listing_skips_partial_folders(tmp_path, demo_snapshot):
    (tmp_path / ".2016-12-31_x.partial").mkdir()
    assert list_snapshots(tmp_path) == []
    assert [s.name for s in list_snapshots(demo_snapshot.path.parent)] == [demo_snapshot.name]


def test_an_unwritable_folder_is_one_sentence(demo_db, tmp_path, methodology):
    from qms.kernel.errors import QmsError

    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(QmsError, match="could not be written in"):
        write_snapshot(demo_db, blocker / "out", AS_OF_2016, methodology=methodology, actor=ADMIN)


def test_a_viewer_may_not_write_a_snapshot(demo_db, tmp_path, methodology, make_account):
    from qms.accounts.rules import PermissionDenied

    make_account(demo_db, VIEWER)
    with pytest.raises(PermissionDenied, match="may not export"):
        write_snapshot(demo_db, tmp_path / "out", AS_OF_2016, methodology=methodology, actor=VIEWER)
    assert not (tmp_path / "out").exists()
