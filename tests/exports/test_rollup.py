"""``qms rollup``: real snapshots written by the real writer from demo databases, rolled up.

Three demo-like provinces are the demo of today under three province codes (the province unit
re-keyed in a copy of the database before the snapshot is written).  Bad sources are made from
real snapshots by the change a test names (a byte changed, a hash edited, a table removed, the
schema taken back to version 2 as docs/exports.md documents it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from qms.bench.rollup_bench import rekey_province
from qms.cli import main
from qms.exports import indicators
from qms.exports.registry import SCHEMA_VERSION
from qms.exports.rollup import rollup
from qms.exports.snapshot import snapshot_zip, write_snapshot
from qms.kernel.db import open_database
from qms.kernel.errors import ValidationError
from qms_testing import copy_database

from .conftest import ADMIN

AS_OF = dt.date(2026, 6, 30)
NOW = dt.datetime(2026, 7, 1, 1, 0, 0, tzinfo=dt.UTC)
PROVINCES = {"12": None, "91": "Tỉnh Thử Nghiệm Một", "92": "Tỉnh Thử Nghiệm Hai"}


def province_snapshot(source: Path, folder: Path, code: str, name: str | None, *, as_of=AS_OF, now=NOW, change=None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    db = open_database(copy_database(source, folder / "p.duckdb"))
    try:
        if name:
            rekey_province(db, "12", code, name)
        if change:
            change(db)
        snap = write_snapshot(db, folder / "out", as_of, methodology=indicators.load(), actor=ADMIN, now=now)
    finally:
        db.close()
    return snap.path


@pytest.fixture(scope="module")
def three(today_file: Path, tmp_path_factory) -> list[Path]:
    base = tmp_path_factory.mktemp("provinces")
    return [province_snapshot(today_file, base / code, code, name) for code, name in PROVINCES.items()]


def _copy(snapshot: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copies" / snapshot.parent.parent.name / snapshot.name
    shutil.copytree(snapshot, target)
    return target


def _rehash(folder: Path, manifest: dict) -> None:
    for entry in manifest["tables"]:
        entry["sha256"] = hashlib.sha256((folder / entry["file"]).read_bytes()).hexdigest()
        entry["rows"] = pq.read_metadata(folder / entry["file"]).num_rows
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def _sql(sql: str) -> list[tuple]:
    import duckdb

    con = duckdb.connect()
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _roll(paths, tmp_path, **kw):
    return rollup(paths, tmp_path / "national", methodology=indicators.load(), now=NOW, **kw)


def test_three_provinces_roll_up_into_one_snapshot_naming_each_source(three, tmp_path):
    result = _roll(three, tmp_path)
    m = result.manifest
    assert m["format"] == "qms-rollup" and m["as_of"] == AS_OF.isoformat()
    assert [s["province_code"] for s in m["sources"]] == ["12", "91", "92"]
    for source, snap in zip(m["sources"], three):
        assert source["snapshot"] == snap.name
        assert source["manifest_sha256"] == hashlib.sha256((snap / "manifest.json").read_bytes()).hexdigest()
    assert m["refused"] == [] and m["superseded"] == []
    for entry in m["tables"]:
        assert hashlib.sha256((result.path / entry["file"]).read_bytes()).hexdigest() == entry["sha256"]
    assert not list(result.path.parent.glob(".*.partial"))


def test_the_national_figures_are_the_sum_of_the_provinces_own(three, tmp_path):
    result = _roll(three, tmp_path)
    provinces = ", ".join(f"'{p}/coverage_level.parquet'" for p in three)
    own = _sql(f"SELECT level, sum(in_plan), sum(announced), sum(not_maintained) FROM read_parquet([{provinces}]) GROUP BY 1 ORDER BY 1")
    national = _sql(f"SELECT level, sum(in_plan), sum(announced), sum(not_maintained) FROM '{result.path}/coverage_level.parquet' "
                    "GROUP BY 1 ORDER BY 1")
    assert national == own and sum(r[1] for r in own) > 0
    for table in ("units", "lifecycle_events", "unit_status", "audits", "actions"):
        rows = sum(pq.read_metadata(p / f"{table}.parquet").num_rows for p in three)
        assert pq.read_metadata(result.path / f"{table}.parquet").num_rows == rows, table
    per = _sql(f"SELECT province_code, count(*) FROM '{result.path}/units.parquet' GROUP BY 1 ORDER BY 1")
    assert per == [(code, pq.read_metadata(p / "units.parquet").num_rows) for code, p in zip(PROVINCES, three)]


def test_par_scores_per_province_are_each_provinces_own_indicators(three, tmp_path):
    result = _roll(three, tmp_path)
    for code, snap in zip(PROVINCES, three):
        own = _sql(f"SELECT criterion_code, numerator, denominator, points FROM '{snap}/indicators.parquet' ORDER BY 1")
        scored = _sql(f"SELECT criterion_code, numerator, denominator, points FROM '{result.path}/par_scores.parquet' "
                      f"WHERE province_code = '{code}' ORDER BY 1")
        assert scored == own
        own_units = _sql(f"SELECT criterion_code, unit_code FROM '{snap}/indicator_units.parquet' ORDER BY 1, 2")
        units = _sql(f"SELECT criterion_code, unit_code FROM '{result.path}/par_score_units.parquet' "
                     f"WHERE province_code = '{code}' ORDER BY 1, 2")
        assert units == own_units and units
    from openpyxl import load_workbook

    book = load_workbook(result.path / "par_scores.xlsx", read_only=True)
    assert book.sheetnames == ["Tổng điểm", "Điểm theo tiêu chí", "Đơn vị chưa đạt"]
    assert [r[0] for r in book["Tổng điểm"].iter_rows(min_row=2, values_only=True)] == list(PROVINCES)


def test_the_same_sources_give_the_same_files(three, tmp_path):
    a = _roll(three, tmp_path / "a").manifest
    b = rollup(three, tmp_path / "b", methodology=indicators.load(), now=NOW + dt.timedelta(hours=1)).manifest
    assert [(t["file"], t["sha256"]) for t in a["tables"]] == [(t["file"], t["sha256"]) for t in b["tables"]]


def test_a_tampered_file_is_refused_naming_it_and_the_others_roll_up(three, tmp_path):
    bad = _copy(three[1], tmp_path)
    path = bad / "units.parquet"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    result = _roll([three[0], bad, three[2]], tmp_path)
    assert [s["province_code"] for s in result.manifest["sources"]] == ["12", "92"]
    [refused] = result.manifest["refused"]
    assert refused["reason"] == (f"{bad}: refused: units.parquet does not match the SHA-256 in its manifest "
                                 "(changed after it was written).")
    with pytest.raises(ValidationError, match="units.parquet does not match the SHA-256"):
        rollup([three[0], bad], tmp_path / "strict", methodology=indicators.load(), strict=True)
    assert not (tmp_path / "strict").exists() or not any((tmp_path / "strict").iterdir())


def test_a_wrong_hash_in_the_manifest_is_refused(three, tmp_path):
    bad = _copy(three[2], tmp_path)
    manifest = json.loads((bad / "manifest.json").read_text(encoding="utf-8"))
    entry = next(t for t in manifest["tables"] if t["name"] == "coverage_level")
    entry["sha256"] = "0" * 64
    (bad / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    result = _roll([three[0], bad], tmp_path)
    assert "coverage_level.parquet does not match the SHA-256" in result.manifest["refused"][0]["reason"]
    assert [s["province_code"] for s in result.manifest["sources"]] == ["12"]


def test_a_missing_table_is_refused(three, tmp_path):
    bad = _copy(three[1], tmp_path)
    manifest = json.loads((bad / "manifest.json").read_text(encoding="utf-8"))
    manifest["tables"] = [t for t in manifest["tables"] if t["name"] != "unit_status"]
    (bad / "unit_status.parquet").unlink()
    (bad / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    result = _roll([bad, three[0]], tmp_path)
    assert result.manifest["refused"][0]["reason"] == (
        f"{bad}: refused: table unit_status of schema version {SCHEMA_VERSION} is neither in the snapshot nor listed as skipped.")
    # a file deleted but still listed is named too
    gone = _copy(three[2], tmp_path)
    (gone / "audits.parquet").unlink()
    result = _roll([gone, three[0]], tmp_path / "2")
    assert "audits.parquet is listed in the manifest but missing" in result.manifest["refused"][0]["reason"]


FOUNDATION = {"units", "lifecycle_events", "unit_status", "coverage_level", "coverage_district", "indicators", "indicator_units"}


def _as_version(folder: Path, version: int) -> None:
    """The snapshot as schema version 3, 2 or 1 documents it: version 3 without the inspection
    and evidence tables, version 2 also without units.gso_code and the change tables, version 1
    the foundation tables only."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    gone = {"inspection_plans", "inspection_plan_items", "inspection_minutes", "inspection_requests", "audit_evidence"}
    if version <= 2:
        gone |= {"unit_parents", "admin_changes", "unit_links"}
    if version == 1:
        gone = {t["name"] for t in manifest["tables"]} - FOUNDATION
    for name in gone:
        (folder / f"{name}.parquet").unlink(missing_ok=True)  # (a table the demo has no rows for may be absent)
    manifest["tables"] = [t for t in manifest["tables"] if t["name"] not in gone]
    if version <= 2:
        units = pq.read_table(folder / "units.parquet")
        pq.write_table(units.drop_columns(["gso_code"]), folder / "units.parquet")
    manifest["schema_version"] = version
    _rehash(folder, manifest)


def _as_version_2(folder: Path) -> None:
    _as_version(folder, 2)


def test_a_schema_3_snapshot_is_read_without_the_tables_it_did_not_have(three, tmp_path):
    old = _copy(three[1], tmp_path)
    _as_version(old, 3)
    result = _roll([three[0], old], tmp_path)
    assert [s["schema_version"] for s in result.manifest["sources"]] == [SCHEMA_VERSION, 3] and result.manifest["refused"] == []
    assert _sql(f"SELECT count(*) FROM '{result.path}/units.parquet' WHERE province_code = '91'")[0][0] == \
        pq.read_metadata(old / "units.parquet").num_rows


def test_a_schema_1_snapshot_contributes_its_foundation_tables(three, tmp_path):
    old = _copy(three[2], tmp_path)
    _as_version(old, 1)
    result = _roll([three[0], old], tmp_path)
    assert [s["schema_version"] for s in result.manifest["sources"]] == [SCHEMA_VERSION, 1] and result.manifest["refused"] == []
    assert _sql(f"SELECT DISTINCT province_code FROM '{result.path}/audits.parquet'") == [("12",)]
    assert _sql(f"SELECT count(*) FROM '{result.path}/units.parquet' WHERE province_code = '92'")[0][0] == \
        pq.read_metadata(old / "units.parquet").num_rows


def test_an_older_schema_version_is_read_through_its_documented_schema(three, tmp_path):
    old = _copy(three[1], tmp_path)
    _as_version_2(old)
    result = _roll([three[0], old, three[2]], tmp_path)
    m = result.manifest
    assert [s["schema_version"] for s in m["sources"]] == [SCHEMA_VERSION, 2, SCHEMA_VERSION] and m["refused"] == []
    assert ("tables it did not have: admin_changes, audit_evidence, inspection_minutes, inspection_plan_items, inspection_plans, "
            "inspection_requests, unit_links, unit_parents") in m["sources"][1]["notes"][0]
    rows = _sql(f"SELECT count(*), count(*) FILTER (WHERE gso_code = code) FROM '{result.path}/units.parquet' "
                "WHERE province_code = '91'")
    assert rows[0][0] == rows[0][1] > 0
    assert _sql(f"SELECT DISTINCT province_code FROM '{result.path}/unit_links.parquet' ORDER BY 1") in ([], [("12",), ("92",)])
    # a version-2 snapshot still carrying a version-3 column is not what it says it is
    liar = _copy(three[2], tmp_path)
    manifest = json.loads((liar / "manifest.json").read_text(encoding="utf-8"))
    newer = ("unit_parents", "admin_changes", "unit_links", "inspection_plans", "inspection_plan_items", "inspection_minutes",
             "inspection_requests", "audit_evidence")
    for name in newer:
        (liar / f"{name}.parquet").unlink(missing_ok=True)
    manifest["tables"] = [t for t in manifest["tables"] if t["name"] not in newer]
    manifest["schema_version"] = 2
    _rehash(liar, manifest)
    result = _roll([three[0], liar], tmp_path / "liar")
    assert "units.parquet: column gso_code is not in schema version 2" in result.manifest["refused"][0]["reason"]


def test_the_manifest_names_the_province_and_a_disagreeing_one_is_refused(three, tmp_path):
    assert json.loads((three[1] / "manifest.json").read_text(encoding="utf-8"))["province"] == {
        "code": "91", "name": "Tỉnh Thử Nghiệm Một"}
    bad = _copy(three[1], tmp_path)
    manifest = json.loads((bad / "manifest.json").read_text(encoding="utf-8"))
    manifest["province"] = {"code": "92", "name": "Tỉnh Thử Nghiệm Hai"}
    (bad / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    result = _roll([three[0], bad], tmp_path)
    assert result.manifest["refused"][0]["reason"] == (
        f"{bad}: refused: the manifest names province 92 but units.parquet's province is 91.")


def test_a_newer_schema_version_is_refused(three, tmp_path):
    new = _copy(three[1], tmp_path)
    manifest = json.loads((new / "manifest.json").read_text(encoding="utf-8"))
    manifest["schema_version"] = 99
    (new / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    result = _roll([three[0], new], tmp_path)
    assert "schema version 99 is written by a newer qms" in result.manifest["refused"][0]["reason"]


def test_two_snapshots_of_one_province_the_newest_for_the_date_wins(today_file, three, tmp_path):
    later = province_snapshot(today_file, tmp_path / "later", "91", PROVINCES["91"], now=NOW + dt.timedelta(days=2))
    result = _roll([three[0], three[1], later], tmp_path)
    m = result.manifest
    assert [s["snapshot"] for s in m["sources"]] == [three[0].name, later.name]
    [superseded] = m["superseded"]
    assert superseded["snapshot"] == three[1].name and superseded["by"] == later.name
    assert superseded["reason"].startswith(f"{three[1]}: province 91 has a newer snapshot for 2026-06-30: {later.name}")
    # another date is left out, not mixed in
    earlier = province_snapshot(today_file, tmp_path / "earlier", "92", PROVINCES["92"], as_of=dt.date(2025, 12, 31))
    result = _roll([three[0], earlier], tmp_path / "2")
    assert [s["province_code"] for s in result.manifest["sources"]] == ["12"]
    assert result.manifest["other_dates"] == [{"path": str(earlier), "as_of": "2025-12-31"}]


def _no_communes_after_reform(db) -> None:
    cur = db.cursor()
    cur.execute("DELETE FROM units WHERE level = 'commune' AND (valid_to IS NULL OR valid_to > DATE '2025-07-01')")
    cur.close()


def test_a_province_with_no_communes_after_the_reform_rolls_up_with_the_commune_criteria_not_applicable(
        today_file, three, tmp_path):
    empty = province_snapshot(today_file, tmp_path / "empty", "93", "Tỉnh Không Xã", change=_no_communes_after_reform)
    result = _roll([three[0], empty], tmp_path)
    assert [s["province_code"] for s in result.manifest["sources"]] == ["12", "93"]
    communes = _sql(f"SELECT in_plan, announced FROM '{result.path}/coverage_level.parquet' "
                    "WHERE province_code = '93' AND level = 'commune'")
    assert communes == [(0, 0)]
    scores = _sql(f"SELECT denominator, points FROM '{result.path}/par_scores.parquet' WHERE province_code = '93' "
                  "AND level = 'commune'")
    assert scores and all(r == (0, None) for r in scores)


@pytest.mark.parametrize("damage", ["broken", "encrypted", "method"])
def test_a_damaged_province_zip_is_refused_and_the_others_roll_up(three, tmp_path, damage):
    """One province's zip that the zipfile module cannot unpack (zlib, RuntimeError,
    NotImplementedError) is refused naming it; it never stops the whole roll-up."""
    from qms_testing import damaged_zips

    folder = three[2]
    members = {f"{folder.name}/{p.name}": p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}
    bad = tmp_path / "92.zip"
    bad.write_bytes(damaged_zips(members)[damage])
    result = _roll([three[0], three[1], bad], tmp_path)
    (refused,) = result.manifest["refused"]
    assert str(bad) in refused["reason"] and "not a readable zip" in refused["reason"], refused
    assert len(result.manifest["sources"]) == 2


def test_a_table_larger_than_a_province_holds_is_refused_before_it_is_read(three, tmp_path, monkeypatch):
    """A province's Parquet file says in its footer how large it unpacks: a file claiming more
    than one province's table could hold is refused (the manifest, written by the same sender,
    vouches for nothing)."""
    from qms.exports import rollup as rollup_module

    units = pq.read_metadata(three[1] / "audit_answers.parquet").num_rows
    monkeypatch.setattr(rollup_module, "MAX_TABLE_ROWS", units - 1)
    with pytest.raises(ValidationError, match=re.escape(f"refused: audit_answers.parquet holds {units:,} rows")) as err:
        _roll(three[1:2], tmp_path)
    assert "more than one province's table can" in str(err.value)


def test_a_snapshot_zip_is_read_like_its_folder(three, tmp_path):
    zipped = tmp_path / "zips"
    zipped.mkdir()
    for snap in three:
        shutil.copyfile(snapshot_zip(snap), zipped / f"{snap.parent.parent.name}.zip")
    from_zips = _roll([zipped], tmp_path / "z").manifest
    from_folders = _roll(three, tmp_path / "f").manifest
    assert [(t["file"], t["sha256"]) for t in from_zips["tables"]] == [(t["file"], t["sha256"]) for t in from_folders["tables"]]


def test_a_zip_that_is_not_a_snapshot_is_refused_in_one_sentence(three, tmp_path):
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip")
    result = _roll([three[0], junk], tmp_path)
    assert result.manifest["refused"][0]["reason"].startswith(f"{junk}: refused: not a readable zip")


def test_the_command_prints_the_sources_and_the_refusals(three, tmp_path, capsys):
    bad = _copy(three[2], tmp_path)
    (bad / "findings.parquet").write_bytes(b"changed")
    assert main(["rollup", str(three[0]), str(three[1]), str(bad), "--out", str(tmp_path / "n"), "--as-of", "2026-06-30"]) == 0
    out = capsys.readouterr().out
    assert "2 provinces (12, 91)" in out and f"{bad}: refused: findings.parquet does not match" in out
    assert main(["rollup", str(bad), "--out", str(tmp_path / "n2"), "--strict"]) == 2
    assert "findings.parquet does not match" in capsys.readouterr().err
    assert main(["rollup", str(tmp_path / "nowhere"), "--out", str(tmp_path / "n3")]) == 2
    assert "no such file or folder" in capsys.readouterr().err
