"""Importing real .xlsx/.csv files into the database: all or nothing, unknowns reported, not invented."""

from __future__ import annotations

import datetime as dt

import pytest
from scope_helpers import xlsx

from qms.accounts.rules import system_principal
from qms.changelog import store as changelog
from qms.kernel.errors import ImportRowError
from qms.scope import queries as S
from qms.scope.files_store import FileKind, export_file, import_file, preview_file

D = dt.date
TODAY = D(2030, 1, 1)

CATALOGUE = [
    ["DANH MỤC THỦ TỤC HÀNH CHÍNH (kèm theo Quyết định số 826/QĐ-UBND)", None, None, None, None, None],
    ["Mã đơn vị", "MÃ TTHC", "TÊN THỦ TỤC HÀNH CHÍNH", "Lĩnh vực", "Thời gian hiệu lực", None],
    [None, None, None, None, "Từ ngày", "Đến ngày"],
    ["03386", "1.000001", "Đăng ký khai sinh", "Hộ tịch", "01/01/2015", None],
    ["03386", "1.000002", "Đăng ký kết hôn", "Hộ tịch", dt.datetime(2015, 1, 1), None],
    ["Sở Tư pháp", "2.000001", "Cấp phiếu lý lịch tư pháp", "Lý lịch tư pháp", "01/01/2015", None],
]
MERGES = ["A1:F1", "A2:A3", "B2:B3", "C2:C3", "D2:D3", "E2:F2"]


def catalogue_file(rows=CATALOGUE) -> bytes:
    return xlsx({"Danh mục": rows}, {"Danh mục": MERGES})


def load_catalogue(db):
    return import_file(db, FileKind.CATALOGUE, catalogue_file(), "dm.xlsx", actor=system_principal("test"), today=TODAY)


def count(db, table: str) -> int:
    return db.scalar(f"SELECT count(*) FROM {table}")


def test_a_catalogue_with_merged_vietnamese_headers_imports_with_units_by_code_or_name(province):
    summary = load_catalogue(province)
    assert (summary.rows, summary.units, summary.new_entries, summary.new_tthc) == (3, 2, 3, 3)
    assert [t.code for t in S.unit_scope(province, "S12-03", D(2016, 1, 1)).uncovered] == ["2.000001"]


def test_reimporting_the_same_file_changes_nothing(province):
    load_catalogue(province)
    again = load_catalogue(province)
    assert (again.new_entries, again.unchanged) == (0, 3) and count(province, "unit_tthc") == 3


def test_unknown_units_are_reported_with_sheet_and_line_and_nothing_is_written(province):
    rows = [*CATALOGUE, ["99999", "1.000003", "Đăng ký khai tử", "Hộ tịch", None, None],
            ["3386", "1.000004", "Đăng ký giám hộ", "Hộ tịch", None, None]]
    with pytest.raises(ImportRowError) as info:
        import_file(province, FileKind.CATALOGUE, catalogue_file(rows), "dm.xlsx", actor=system_principal("test"), today=TODAY)
    problems = dict(info.value.problems)
    assert problems["sheet 'Danh mục' line 7"] == "unit '99999' is not in the unit list"
    assert "it is 03386" in problems["sheet 'Danh mục' line 8"]  # the leading zero a spreadsheet dropped
    assert problems["sheet 'Danh mục' line 7"].vi == "đơn vị '99999' không có trong danh sách đơn vị"  # and in Vietnamese
    assert "đơn vị '99999' không có trong danh sách đơn vị" in info.value.text("vi")
    assert count(province, "unit_tthc") == 0 and count(province, "tthc") == 0 and count(province, "units") == 5


def test_row_problems_and_database_problems_come_together_in_file_order(province):
    rows = [*CATALOGUE, ["99999", "1.000003", "Đăng ký khai tử", "Hộ tịch", None, None],
            ["03386", "1.0/4", "Đăng ký giám hộ", "Hộ tịch", None, None],
            ["88888", "1.000005", "Đăng ký nhận cha, mẹ, con", "Hộ tịch", None, None]]
    with pytest.raises(ImportRowError) as info:
        preview_file(province, FileKind.CATALOGUE, catalogue_file(rows), "dm.xlsx", today=TODAY)
    assert [w for w, _ in info.value.problems] == [f"sheet 'Danh mục' line {n}" for n in (7, 8, 9)]


def test_a_tthc_named_two_ways_in_one_file_is_refused(province):
    rows = [*CATALOGUE, ["03387", "1.000001", "Đăng ký khai tử", "Hộ tịch", None, None]]
    with pytest.raises(ImportRowError, match="named 'Đăng ký khai tử' here but 'Đăng ký khai sinh'"):
        import_file(province, FileKind.CATALOGUE, catalogue_file(rows), "dm.xlsx", actor=system_principal("test"), today=TODAY)


def test_an_end_date_given_later_ends_the_entry_and_is_logged(province):
    load_catalogue(province)
    rows = [*CATALOGUE[:3], ["03386", "1.000001", "Đăng ký khai sinh", "Hộ tịch", "01/01/2015", "01/07/2020"]]
    summary = import_file(province, FileKind.CATALOGUE, catalogue_file(rows), "dm2.xlsx", actor=system_principal("test"), today=TODAY)
    assert summary.ended == 1
    assert S.unit_scope(province, "03386", D(2020, 7, 1)).tthc_total == 1
    (entry,) = changelog.entries(province, entity="unit_tthc", key="03386/1.000001")
    assert entry["action"] == "update" and '"valid_to": null' in entry["before"]


def test_an_overlapping_period_is_refused(province):
    load_catalogue(province)
    rows = [*CATALOGUE[:3], ["03386", "1.000001", "Đăng ký khai sinh", "Hộ tịch", "01/01/2018", None]]
    with pytest.raises(ImportRowError, match="overlapping period"):
        import_file(province, FileKind.CATALOGUE, catalogue_file(rows), "dm3.xlsx", actor=system_principal("test"), today=TODAY)


def test_a_changed_tthc_name_is_updated_and_logged_not_silently(province):
    load_catalogue(province)
    rows = [*CATALOGUE[:3], ["03386", "1.000001", "Đăng ký khai sinh (sửa đổi)", "Hộ tịch", "01/01/2015", None]]
    summary = import_file(province, FileKind.CATALOGUE, catalogue_file(rows), "dm4.xlsx", actor=system_principal("test"), today=TODAY)
    assert summary.renamed_tthc == 1
    (entry,) = changelog.entries(province, entity="tthc", key="1.000001")
    assert "Đăng ký khai sinh (sửa đổi)" in entry["after"] and "Đăng ký khai sinh" in entry["before"]


def test_a_preview_checks_like_the_import_and_writes_nothing(province):
    preview = preview_file(province, FileKind.CATALOGUE, catalogue_file(), "dm.xlsx", today=TODAY)
    assert preview.summary.new_entries == 3 and preview.table.sheets == ["Danh mục"]
    assert count(province, "unit_tthc") == 0


PROCESS_HEADER = ["Mã đơn vị", "Mã quy trình", "Tên quy trình", "Mã TTHC", "Lần ban hành", "Ngày ban hành", "Trạng thái", "Ngày thu hồi"]


def process_file(*rows) -> bytes:
    return xlsx({"Quy trình": [PROCESS_HEADER, *rows]})


def test_processes_import_and_cover_the_catalogue(province):
    load_catalogue(province)
    data = process_file(["03386", "QT-01", "Quy trình hộ tịch", "1.000001; 1.000002", "01", "01/02/2016", "Đã ban hành", None],
                        ["03386", "QT-01", "Quy trình hộ tịch", "1.000001; 1.000002", "01", "01/02/2016", "Đã thu hồi", "01/01/2020"])
    summary = import_file(province, FileKind.PROCESSES, data, "qt.xlsx", actor=system_principal("test"), today=TODAY)
    assert (summary.new_versions, summary.processes) == (2, 1)
    assert S.unit_scope(province, "03386", D(2019, 12, 31)).uncovered == ()
    assert len(S.unit_scope(province, "03386", D(2020, 1, 1)).uncovered) == 2


def test_unknown_tthc_codes_and_units_in_processes_are_reported_not_invented(province):
    load_catalogue(province)
    data = process_file(["03386", "QT-01", "Quy trình", "1.000001; 1.999999", "01", "01/02/2016", None, None],
                        ["03386", "QT-02", "Quy trình", "2.000001", "01", "01/02/2016", None, None],
                        ["Phường Không Có", "QT-03", "Quy trình", "1.000001", "01", "01/02/2016", None, None])
    with pytest.raises(ImportRowError) as info:
        import_file(province, FileKind.PROCESSES, data, "qt.xlsx", actor=system_principal("test"), today=TODAY)
    problems = dict(info.value.problems)
    assert "TTHC 1.999999 is not in the catalogue of unit 03386" in problems["sheet 'Quy trình' line 2"]
    assert "TTHC 2.000001 is not in the catalogue of unit 03386" in problems["sheet 'Quy trình' line 3"]
    assert "not in the unit list" in problems["sheet 'Quy trình' line 4"]
    assert count(province, "process_versions") == 0 and count(province, "tthc") == 3


def test_withdrawing_a_process_never_issued_is_refused_by_the_import(province):
    load_catalogue(province)
    data = process_file(["03386", "QT-09", "Quy trình", "1.000001", "01", "01/02/2016", "Đã thu hồi", "01/01/2020"])
    with pytest.raises(ImportRowError, match="not in force"):
        import_file(province, FileKind.PROCESSES, data, "qt.xlsx", actor=system_principal("test"), today=TODAY)


def test_a_recorded_version_is_never_overwritten(province):
    load_catalogue(province)
    import_file(province, FileKind.PROCESSES, process_file(["03386", "QT-01", "Quy trình A", "1.000001", "01", "01/02/2016", None, None]),
                "a.xlsx", actor=system_principal("test"), today=TODAY)
    with pytest.raises(ImportRowError, match="already recorded with other content"):
        import_file(province, FileKind.PROCESSES, process_file(["03386", "QT-01", "Quy trình B", "1.000002", "01", "01/02/2016", None, None]),
                    "b.xlsx", actor=system_principal("test"), today=TODAY)


@pytest.mark.parametrize("kind", list(FileKind))
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_an_export_reimports_unchanged(demo_db, kind, fmt):
    data = export_file(demo_db, kind, fmt, "S12-03")
    summary = preview_file(demo_db, kind, data, f"export.{fmt}").summary
    assert summary.rows > 5 and summary.unchanged == summary.rows


def test_a_list_without_dates_naming_tthc_already_handled_changes_nothing(province):
    load_catalogue(province)
    rows = [["Mã đơn vị", "Mã TTHC", "Tên TTHC"], ["03386", "1.000001", "Đăng ký khai sinh"]]
    summary = import_file(province, FileKind.CATALOGUE, xlsx({"S": rows}), "nodates.xlsx", actor=system_principal("test"), today=TODAY)
    assert (summary.unchanged, summary.new_entries) == (1, 0) and count(province, "unit_tthc") == 3
