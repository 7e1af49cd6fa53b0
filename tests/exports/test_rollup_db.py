"""The roll-up database (``qms rollup-db``) and the overview opened on it: provinces, then a
province's communes, every figure the sum of the provinces' own, the source snapshots named,
no page that writes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from qms.accounts.rules import system_principal
from qms.cli import main
from qms.coverage import queries as coverage
from qms.exports import indicators
from qms.exports import rollup_db_store as rollup_db
from qms.exports.rollup import rollup
from qms.kernel.db import open_database
from qms.kernel.errors import ValidationError
from qms.kernel.settings import PROJECT_ROOT
from qms.units.model import Level
from qms_testing import TEST_ADMIN, add_account_to

from .test_rollup import AS_OF, NOW, PROVINCES, _sql, three  # noqa: F401 - the module's fixture

ACTOR = system_principal("test-rollup-db")


@pytest.fixture(scope="module")
def national(three, tmp_path_factory) -> Path:  # noqa: F811
    return rollup(three, tmp_path_factory.mktemp("national"), methodology=indicators.load(), now=NOW).path


@pytest.fixture(scope="module")
def rollup_file(national, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("rollupdb") / "national.duckdb"
    rollup_db.build(path, national, actor=ACTOR)
    return path


def test_the_roll_up_database_figures_are_the_sum_of_the_provinces(rollup_file, national, three):  # noqa: F811
    db = open_database(rollup_file)
    try:
        rows = {r.level: r for r in coverage.by_level(db, AS_OF)}
        assert rollup_db.rollup_as_of(db) == AS_OF
        sources = rollup_db.sources(db)
    finally:
        db.close()
    own = {lv: (n, a, b, ap, nm) for lv, n, a, b, ap, nm in _sql(
        "SELECT level, sum(in_plan), sum(announced), sum(building), sum(applying), sum(not_maintained) "
        f"FROM read_parquet([{', '.join(repr(str(p / 'coverage_level.parquet')) for p in three)}]) GROUP BY 1")}
    for level in (Level.DEPARTMENT, Level.COMMUNE):
        r = rows[level]
        assert (r.in_plan, r.announced, r.building, r.applying, r.not_maintained) == own[level.value]
    assert [(s["province_code"], s["source_snapshot"]) for s in sources] == [(c, p.name) for c, p in zip(PROVINCES, three)]


def test_a_province_of_the_roll_up_shows_its_own_communes(rollup_file, three):  # noqa: F811
    db = open_database(rollup_file)
    try:
        data = coverage.overview(db, AS_OF)
    finally:
        db.close()
    assert [p.district_code for p in sorted(data.by_province, key=lambda p: p.district_code)] == list(PROVINCES)
    own_in_plan = _sql(f"SELECT in_plan, announced FROM '{three[1]}/coverage_level.parquet' WHERE level = 'commune'")[0]
    p91 = next(p for p in data.by_province if p.district_code == "91")
    assert (p91.in_plan, p91.announced) == own_in_plan
    communes = data.communes_in("91")
    assert len(communes) == own_in_plan[0] and all(c.code.startswith("91:") for c in communes)


def test_the_command_builds_it_once_and_refuses_a_province_snapshot(national, three, tmp_path, capsys):  # noqa: F811
    target = tmp_path / "n.duckdb"
    assert main(["rollup-db", str(national), "--db", str(target)]) == 0
    assert "3 provinces" in capsys.readouterr().out
    assert main(["rollup-db", str(national), "--db", str(target)]) == 2
    assert "already exists" in capsys.readouterr().err
    with pytest.raises(ValidationError, match="not a national roll-up"):
        rollup_db.build(tmp_path / "m.duckdb", three[0], actor=ACTOR)
    assert not (tmp_path / "m.duckdb").exists()


def test_the_overview_on_a_roll_up_shows_provinces_then_communes_and_no_page_that_writes(rollup_file, tmp_path, monkeypatch):
    import shutil

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    path = Path(shutil.copyfile(rollup_file, tmp_path / "app.duckdb"))
    add_account_to(path, TEST_ADMIN)
    monkeypatch.setenv("QMS_DB", str(path))
    st.cache_resource.clear()
    at = AppTest.from_file(str(PROJECT_ROOT / "streamlit_app.py"), default_timeout=60)
    at.session_state["principal"] = TEST_ADMIN
    at.run()
    assert not at.exception
    assert "Bản tổng hợp quốc gia: 3 tỉnh, số liệu tính đến ngày 30/06/2026" in at.info[0].value
    assert at.date_input(key="overview_as_of").value == AS_OF
    assert "Cấp xã theo tỉnh" in [h.value for h in at.subheader]
    picker = at.selectbox(key="overview_province")
    assert picker.label == "Xem các xã, phường của tỉnh" and sorted(picker.options) == sorted(
        ["Tỉnh Lai Châu", "Tỉnh Thử Nghiệm Một", "Tỉnh Thử Nghiệm Hai"])
    picker.select("92").run()
    assert "Cấp xã của Tỉnh Thử Nghiệm Hai" in [h.value for h in at.subheader]
    # AppTest does not look dataframes up by key: by their columns
    [communes] = [df.value for df in at.dataframe if "Giai đoạn" in df.value.columns and "Cấp" not in df.value.columns]
    codes = communes.iloc[:, 0].tolist()
    assert codes and all(c.startswith("92:") for c in codes)
    [sources] = [df.value for df in at.dataframe if "Mã tỉnh" in df.value.columns]
    assert sources["Mã tỉnh"].tolist() == list(PROVINCES)
    assert sources["Bản xuất nguồn"].tolist()[0].startswith("2026-06-30_")
    # only the overview: no page that writes is registered
    assert not at.exception
    st.cache_resource.clear()


def test_only_the_system_builds_a_roll_up_database(national, tmp_path):
    """The new database has no account: a person (even an administrator by name) is refused and
    no file is left; the CLI acts as the system."""
    from qms.accounts.rules import PermissionDenied, Principal, Role

    for actor in (Principal(username="an.admin", role=Role.ADMIN), Principal(username="a.viewer", role=Role.VIEWER)):
        with pytest.raises(PermissionDenied):
            rollup_db.build(tmp_path / "x.duckdb", national, actor=actor)
        assert not (tmp_path / "x.duckdb").exists()


def test_a_file_the_manifest_does_not_vouch_for_is_not_read(national, tmp_path):
    """units.parquet struck from the manifest (the file left in place): nothing checks it, so the
    database is not built from it."""
    import json
    import shutil

    copy = Path(shutil.copytree(national, tmp_path / "national"))
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    manifest["tables"] = [t for t in manifest["tables"] if t["file"] != "units.parquet"]
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ValidationError, match="lists no units.parquet"):
        rollup_db.build(tmp_path / "x.duckdb", copy, actor=ACTOR)
    assert not (tmp_path / "x.duckdb").exists()
