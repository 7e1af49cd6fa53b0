"""The 'Báo cáo & xuất dữ liệu' page (AppTest on the page file) and the nightly snapshot."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from qms.accounts.rules import Principal, Role, system_principal
from qms.exports.schedule import ensure_nightly, has_snapshot_for, nightly_job
from qms.exports.settings_store import nightly_export_enabled, set_nightly_export
from qms.kernel.clock import province_today
from qms.kernel.db import open_database
from qms.kernel.settings import PROJECT_ROOT

from .conftest import ADMIN, VIEWER

PAGE = str(PROJECT_ROOT / "qms" / "exports" / "page.py")


@pytest.fixture
def page(demo_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, account_in):
    """``page(empty=False)`` -> the page run once against a private database and exports folder."""

    def make(*, empty: bool = False, user=ADMIN) -> AppTest:
        path = tmp_path / "app.duckdb"
        if not empty:
            shutil.copyfile(demo_file, path)
        monkeypatch.setenv("QMS_DB", str(path))
        monkeypatch.setenv("QMS_EXPORTS", str(tmp_path / "app-exports"))
        st.cache_resource.clear()
        at = AppTest.from_file(PAGE, default_timeout=60)
        at.session_state["principal"] = account_in(path, user) if not empty else user  # the router's gate puts it there
        at.run()
        return at

    yield make
    st.cache_resource.clear()


def _snapshot_from_page(at: AppTest, as_of: dt.date) -> Path:
    at.date_input(key="exports_as_of").set_value(as_of)
    at.button(key="exports_run").click()
    at.run()
    assert not at.exception and not at.error
    return Path(at.session_state["exports_last"])


def _hashes(folder: Path) -> dict[str, str]:
    return {e["name"]: e["sha256"] for e in json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["tables"]}


def test_the_page_writes_the_same_snapshot_as_the_cli(page, demo_path, tmp_path):
    at = page()
    folder = _snapshot_from_page(at, dt.date(2016, 12, 31))
    out = subprocess.run([sys.executable, "-m", "qms.cli", "--db", str(demo_path), "export", "--out", str(tmp_path / "cli"),
                          "--as-of", "2016-12-31", "--json"], capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=180)
    assert out.returncode == 0, out.stderr
    assert _hashes(folder) == _hashes(Path(json.loads(out.stdout)["path"]))


def test_the_page_reports_the_snapshot_and_offers_the_zip(page):
    at = page()
    folder = _snapshot_from_page(at, dt.date(2016, 12, 31))
    assert folder.parent.name == "app-exports" and folder.name.startswith("2016-12-31_")
    assert any(folder.name in s.value for s in at.success)
    tables = next(df.value for df in at.dataframe if "Bảng" in df.value.columns)
    assert list(tables["Bảng"])[:2] == ["units", "lifecycle_events"]


def test_the_page_shows_the_2016_indicators_with_what_would_raise_them(page):
    at = page()
    at.selectbox(key="exports_par_year").set_value(2016)
    at.run()
    table = next(df.value for df in at.dataframe if "Để tăng điểm" in df.value.columns)
    communes = table[table["Mã tiêu chí"] == "ISO-3"].iloc[0]
    assert communes["Đạt / tổng số"] == "65/108"
    assert communes["Để tăng điểm"] == "Thêm 11 đơn vị công bố → 0,5 điểm (từ 70 %)."  # Vietnamese numbers
    assert communes["Điểm / tối đa"] == "0,25 / 1"
    assert any("MẪU" in w.value for w in at.warning)


def test_the_page_lists_the_units_below_full_marks(page):
    at = page()
    at.selectbox(key="exports_par_year").set_value(2016)
    at.run()
    units = [df.value for df in at.dataframe if "Lý do" in df.value.columns]
    assert len(units[0]) == 43 and "Chưa triển khai" in set(units[0]["Lý do"])


def test_the_page_shows_the_annual_report(page):
    at = page()
    at.selectbox(key="exports_annual_year").set_value(2016)
    at.run()
    table = next(df.value for df in at.dataframe if "UBND cấp xã" in df.value.columns)  # a group per column
    communes = dict(zip(table["Chỉ số"], table["UBND cấp xã"]))
    assert (communes["Số đơn vị phải/có kế hoạch áp dụng"], communes["Đã công bố"]) == (108, 65)


def test_an_empty_database_shows_one_message(page):
    at = page(empty=True)
    assert [i.value for i in at.info] == ["Chưa có đơn vị nào. Hãy nạp dữ liệu mẫu (qms demo) hoặc nhập danh sách đơn vị."]
    assert not at.button


def test_switching_the_nightly_export_on_stores_it_and_writes_today(page, tmp_path):
    at = page()
    at.toggle(key="exports_nightly").set_value(True)
    at.run()
    assert not at.exception
    db = open_database(tmp_path / "app.duckdb")  # same process: DuckDB shares the open instance
    try:
        assert nightly_export_enabled(db)
    finally:
        db.close()
    assert nightly_job(tmp_path / "app-exports").wait(120).status == "written"   # written in the background
    assert has_snapshot_for(tmp_path / "app-exports", province_today())
    at.run()
    assert any("Bản xuất hằng ngày gần nhất" in c.value for c in at.caption)


def test_reruns_of_the_page_never_build_the_zip(page, monkeypatch):
    """The download's zip is built on the click, once per snapshot; a rerun (every widget
    change) builds none.  Observed by counting the zip files the standard library opens."""
    import zipfile

    at = page()
    _snapshot_from_page(at, dt.date(2016, 12, 31))
    opened: list[object] = []

    class Counting(zipfile.ZipFile):
        def __init__(self, *args, **kwargs):
            opened.append(args[0] if args else None)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(zipfile, "ZipFile", Counting)
    for year in (2020, 2019, 2018):
        at.selectbox(key="exports_par_year").set_value(year).run()
        assert not at.exception
    assert opened == [], f"{len(opened)} zip(s) built by {3} reruns"


def test_a_change_made_elsewhere_is_shown_not_overwritten(page, tmp_path):
    at = page()
    assert at.toggle(key="exports_nightly").value is False
    db = open_database(tmp_path / "app.duckdb")
    try:
        set_nightly_export(db, True, actor=system_principal("other-session"))
        at.run()
        assert at.toggle(key="exports_nightly").value is True and nightly_export_enabled(db)
    finally:
        db.close()


def test_a_viewer_sees_the_reports_but_cannot_export(page):
    at = page(user=VIEWER)
    assert not [b for b in at.button if b.key == "exports_run"] and at.toggle(key="exports_nightly").disabled
    assert any("UBND cấp xã" in df.value.columns for df in at.dataframe)


# --- ensure_nightly ----------------------------------------------------------------------------

TODAY = dt.date(2021, 12, 31)


def test_nightly_does_nothing_while_switched_off(demo_db, tmp_path):
    assert ensure_nightly(demo_db, tmp_path / "out", TODAY) is None and not (tmp_path / "out").exists()


def test_nightly_writes_todays_snapshot_once(demo_db, tmp_path):
    set_nightly_export(demo_db, True, actor=system_principal("tester"))
    first = ensure_nightly(demo_db, tmp_path / "out", TODAY)
    again = ensure_nightly(demo_db, tmp_path / "out", TODAY)
    assert first is not None and first.manifest["as_of"] == "2021-12-31" and again is None
    assert len(list((tmp_path / "out").iterdir())) == 1


def test_nightly_writes_again_the_next_day(demo_db, tmp_path):
    set_nightly_export(demo_db, True, actor=system_principal("tester"))
    ensure_nightly(demo_db, tmp_path / "out", TODAY)
    assert ensure_nightly(demo_db, tmp_path / "out", TODAY + dt.timedelta(days=1)) is not None


def test_a_partial_folder_does_not_count_as_todays_snapshot(tmp_path):
    (tmp_path / f".{TODAY.isoformat()}_20211231T000000Z.partial").mkdir()
    assert not has_snapshot_for(tmp_path, TODAY)


def test_nightly_skips_an_empty_database(db, tmp_path):
    set_nightly_export(db, True, actor=system_principal("tester"))
    assert ensure_nightly(db, tmp_path, TODAY) is None


def test_a_viewer_may_not_switch_the_nightly_export(db, make_account):
    from qms.accounts.rules import PermissionDenied

    make_account(db, Principal(username="lead", role=Role.ADMIN))
    make_account(db, VIEWER)
    with pytest.raises(PermissionDenied, match="may not export"):
        set_nightly_export(db, True, actor=VIEWER)
    assert not nightly_export_enabled(db)


def test_switching_the_setting_is_logged_once(db):
    assert set_nightly_export(db, True, actor=system_principal("tester")) is True
    assert set_nightly_export(db, True, actor=system_principal("tester")) is False
    assert db.scalar("SELECT count(*) FROM change_log WHERE entity = 'settings' AND entity_key = 'nightly_export'") == 1
