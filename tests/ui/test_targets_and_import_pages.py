"""AppTest of the targets grid and the unit-list import."""

from __future__ import annotations

from qms.kernel.db import open_database

TARGETS = "qms/coverage/targets_page.py"
IMPORT = "qms/units/import_page.py"


def _scalar(path, sql, params=()):
    db = open_database(path)
    try:
        return db.scalar(sql, list(params))
    finally:
        db.close()


def test_editing_a_target_saves_it_as_the_provinces_own(app, tmp_path):
    at = app(page=TARGETS)
    rows = _scalar(tmp_path / "app.duckdb", "SELECT count(DISTINCT year) FROM targets")
    row_2017 = 2017 - 2015  # the demo's targets start in 2015, one row per year
    at.session_state["targets_editor"] = {"edited_rows": {row_2017: {"commune": 85.0}}, "added_rows": [], "deleted_rows": []}
    at.button(key="targets_save").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.success[0].value.startswith("Đã lưu chỉ tiêu.")
    path = tmp_path / "app.duckdb"
    assert _scalar(path, "SELECT target_pct FROM targets WHERE level = 'commune' AND year = 2017") == 85.0
    assert _scalar(path, "SELECT is_sample FROM targets WHERE level = 'commune' AND year = 2017") is False
    assert _scalar(path, "SELECT is_sample FROM targets WHERE level = 'district' AND year = 2017") is True
    assert rows == _scalar(path, "SELECT count(DISTINCT year) FROM targets")


def test_a_saved_target_appears_in_the_pages_change_history_with_its_author(app):
    at = app(page=TARGETS)
    before = [df.value for df in at.dataframe if "Mã bản ghi" in df.value.columns]
    at.session_state["targets_editor"] = {"edited_rows": {2: {"commune": 85.0}}, "added_rows": [], "deleted_rows": []}
    at.button(key="targets_save").click().run()
    log = [df.value for df in at.dataframe if "Mã bản ghi" in df.value.columns][0]
    assert len(log) == (len(before[0]) if before else 0) + 1
    newest = log.iloc[0]
    assert (newest["Người thực hiện"], newest["Thao tác"], newest["Đối tượng"]) == ("test-admin", "Sửa", "Chỉ tiêu")
    assert "Chỉ tiêu (%): 85" in newest["Sau"] and "Số liệu mẫu: Không" in newest["Sau"]  # labelled, not JSON


def test_duplicate_year_is_refused_and_nothing_changes(app, tmp_path):
    at = app(page=TARGETS)
    path = tmp_path / "app.duckdb"
    before = _scalar(path, "SELECT count(*) FROM change_log")
    at.session_state["targets_editor"] = {"edited_rows": {}, "added_rows": [{"year": 2016, "commune": 10.0}], "deleted_rows": []}
    at.button(key="targets_save").click().run()
    assert len(at.error) == 1 and "2016" in at.error[0].value
    assert _scalar(path, "SELECT count(*) FROM change_log") == before


def test_empty_database_offers_the_demo(app, tmp_path):
    at = app(empty=True, page=IMPORT)
    at.button(key="import_demo").click().run()
    assert not at.exception
    assert at.success[0].value.startswith("Đã nạp 137 đơn vị")
    # the 108 communes of 2017-2020 and the 36 new ones of 01/07/2025 (two continue): the demo of today
    assert _scalar(tmp_path / "app.duckdb", "SELECT count(*) FROM units WHERE level = 'commune'") == 108 + 36


def test_demo_button_is_not_offered_when_data_exists(app):
    at = app(page=IMPORT)
    assert not [b for b in at.button if b.key == "import_demo"]


def test_unit_csv_with_a_bad_line_is_refused_whole(app, tmp_path):
    at = app(page=IMPORT)
    path = tmp_path / "app.duckdb"
    before = _scalar(path, "SELECT count(*) FROM units")
    csv = "gso_code,name,level,kind,parent_gso_code\n03999,Xã Mới,commune,xa,105\n04000,Xã Lỗi,xa,xa,105\n".encode()
    at.file_uploader(key="import_units_file").set_value(("new.csv", csv, "text/csv")).run()
    at.button(key="import_units_run").click().run()
    assert len(at.error) == 1 and "new.csv" in at.error[0].value
    problems = [df.value for df in at.dataframe if "Lỗi" in df.value.columns][0]
    assert list(problems.iloc[:, 0]) == ["line 3"] and problems.iloc[0, 1].startswith("cấp 'xa' không phải một trong")
    assert _scalar(path, "SELECT count(*) FROM units") == before


def test_unit_csv_reasons_read_in_the_users_language(app):
    """Each refused line's reason in Vietnamese on a Vietnamese screen, English on an English one."""
    csv = ("gso_code,name,level,kind,parent_gso_code,valid_from,in_plan\n"
           "3999,Xã Mới,commune,xa,105,,\n04000,Xã Lỗi,commune,xa,105,31/02/2020,\n04001,Xã Khác,commune,xa,105,,maybe\n").encode()
    reasons = {}
    for lang in ("vi", "en"):
        at = app(page=IMPORT)
        at.session_state["lang"] = lang
        at.run()
        at.file_uploader(key="import_units_file").set_value(("new.csv", csv, "text/csv")).run()
        at.button(key="import_units_run").click().run()
        table = next(df.value for df in at.dataframe if df.value.shape[0] == 3)
        reasons[lang] = list(table.iloc[:, 1])
    assert reasons["vi"] == ["mã thống kê cấp commune có 5 chữ số, không phải '3999' (nếu bảng tính đã bỏ số 0 ở đầu thì mã là 03999)",
                             "valid_from: '31/02/2020' không phải ngày (cần dạng dd/mm/yyyy)",
                             "in_plan 'maybe' không phải có (yes) hoặc không (no)"]
    assert reasons["en"] == ["a commune GSO code has 5 digits, not '3999' (if a spreadsheet dropped a leading zero, it is 03999)",
                             "valid_from: '31/02/2020' is not a date (expected dd/mm/yyyy)", "in_plan 'maybe' is not yes or no"]


def test_unit_csv_import_adds_units(app, tmp_path):
    at = app(page=IMPORT)
    csv = "gso_code,name,level,kind,parent_gso_code\n03999,Xã Mới,commune,xa,105\n".encode()
    at.file_uploader(key="import_units_file").set_value(("new.csv", csv, "text/csv")).run()
    at.button(key="import_units_run").click().run()
    assert at.success[0].value == "Đã nhập: 1 đơn vị mới, 0 không đổi."
    assert _scalar(tmp_path / "app.duckdb", "SELECT count(*) FROM units WHERE code = '03999'") == 1
