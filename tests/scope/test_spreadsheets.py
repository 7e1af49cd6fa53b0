"""Reading real spreadsheets: headers found under title rows, merged, in Vietnamese; dates; CSV."""

from __future__ import annotations

import datetime as dt

import pytest
from scope_helpers import xlsx

from qms.kernel.errors import QmsError
from qms.kernel.spreadsheet_writing import write_csv, write_xlsx
from qms.kernel.spreadsheets import Column, cell_date, cell_text, fold, read_table

COLUMNS = (
    Column("code", "Mã TTHC", ("ma thu tuc",), required=True),
    Column("name", "Tên TTHC", ("tên thủ tục hành chính",), required=True),
    Column("field", "Lĩnh vực"),
    Column("valid_from", "Hiệu lực từ", ("thời gian hiệu lực từ ngày", "từ ngày")),
    Column("valid_to", "Hết hiệu lực từ", ("thời gian hiệu lực đến ngày", "đến ngày")),
)


def test_fold_ignores_case_diacritics_marks_and_spaces():
    assert fold("  MÃ  TTHC (*) ") == "ma tthc" == fold("ma tthc")
    assert fold("Đơn vị") == "don vi"
    assert fold("Từ ngày (dd/mm/yyyy)", drop_brackets=True) == "tu ngay"


def test_plain_header_on_the_first_row():
    data = xlsx({"TTHC": [["Mã TTHC", "Tên TTHC"], ["1.004946", "Đăng ký khai sinh"]]})
    table = read_table(data, "a.xlsx", COLUMNS)
    assert [(r.where, r.values["code"], r.values["name"]) for r in table.rows] == [
        ("sheet 'TTHC' line 2", "1.004946", "Đăng ký khai sinh")]


def test_header_under_title_rows_with_two_level_merged_cells_and_vietnamese_without_diacritics():
    rows = [
        ["DANH MỤC THỦ TỤC HÀNH CHÍNH THUỘC THẨM QUYỀN GIẢI QUYẾT CỦA UBND CẤP XÃ", None, None, None, None, None],
        [None, None, None, None, None, None],
        ["STT", "MA THU TUC", "TÊN THỦ TỤC HÀNH CHÍNH", "Lĩnh vực", "Thời gian hiệu lực", None],
        [None, None, None, None, "Từ ngày", "Đến ngày"],
        ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)"],
        ["I. LĨNH VỰC HỘ TỊCH", None, None, None, None, None],
        [1, "1.001193", "Đăng ký khai sinh", "Hộ tịch", dt.datetime(2020, 7, 16), None],
        [2, "1.000894", "Đăng ký kết hôn", None, "01/03/2021", "31/12/2023"],
    ]
    merges = ["A1:F1", "A3:A4", "B3:B4", "C3:C4", "D3:D4", "E3:F3", "A6:F6", "D7:D8"]
    table = read_table(xlsx({"Danh mục": rows}, {"Danh mục": merges}), "ds.xlsx", COLUMNS)
    assert table.header_lines == {"Danh mục": 4}
    assert [r.line for r in table.rows] == [7, 8]
    first, second = table.rows
    assert first.values["valid_from"] == dt.date(2020, 7, 16) and first.section == "I. LĨNH VỰC HỘ TỊCH"
    assert second.values["field"] == "Hộ tịch"  # a merged data cell repeats on every row it spans
    assert cell_date(second.values["valid_from"]) == dt.date(2021, 3, 1) and cell_date(second.values["valid_to"]) == dt.date(2023, 12, 31)
    assert "STT" in table.ignored_headers


def test_every_sheet_with_the_header_is_read_and_others_skipped():
    data = xlsx({
        "Hướng dẫn": [["Điền danh mục vào các trang sau"]],
        "Sở": [["Mã TTHC", "Tên TTHC"], ["2.000001", "Cấp phiếu lý lịch tư pháp"]],
        "Xã": [["Mã TTHC", "Tên TTHC"], ["1.001193", "Đăng ký khai sinh"]],
    })
    table = read_table(data, "b.xlsx", COLUMNS)
    assert table.sheets == ["Sở", "Xã"] and table.skipped_sheets == ["Hướng dẫn"]
    assert [r.where for r in table.rows] == ["sheet 'Sở' line 2", "sheet 'Xã' line 2"]


def test_one_sheet_can_be_chosen_and_a_missing_one_is_named():
    data = xlsx({"A": [["Mã TTHC", "Tên TTHC"], ["1", "x"]], "B": [["Mã TTHC", "Tên TTHC"], ["2", "y"]]})
    assert [r.values["code"] for r in read_table(data, "c.xlsx", COLUMNS, sheet="B").rows] == ["2"]
    with pytest.raises(QmsError, match="no sheet named 'C'"):
        read_table(data, "c.xlsx", COLUMNS, sheet="C")


def test_no_header_names_the_columns_looked_for():
    with pytest.raises(QmsError, match="'Mã TTHC', 'Tên TTHC'"):
        read_table(xlsx({"S": [["Mã", "Tên"], ["1", "x"]]}), "d.xlsx", COLUMNS)


def test_a_repeated_header_and_empty_rows_are_skipped():
    data = xlsx({"S": [["Mã TTHC", "Tên TTHC"], ["1.1", "a"], [None, None], ["Mã TTHC", "Tên TTHC"], ["1.2", "b"]]})
    assert [r.line for r in read_table(data, "e.xlsx", COLUMNS).rows] == [2, 5]


def test_csv_with_semicolons_and_a_byte_order_mark():
    data = "\ufeffMã TTHC;Tên TTHC;Lĩnh vực\n1.004946;Đăng ký khai sinh, lưu động;Hộ tịch\n".encode()
    (row,) = read_table(data, "f.csv", COLUMNS).rows
    assert row.where == "line 2" and row.values["name"] == "Đăng ký khai sinh, lưu động" and row.values["field"] == "Hộ tịch"


def test_csv_text_is_nfc_normalised():
    data = "Mã TTHC,Tên TTHC\n1.1,Đăng ky\u0301\n".encode()
    assert read_table(data, "g.csv", COLUMNS).rows[0].values["name"] == "Đăng ký"


def test_a_csv_that_is_not_utf8_is_refused_with_its_name():
    with pytest.raises(QmsError, match="h.csv is not UTF-8"):
        read_table("Mã TTHC,Tên TTHC\n".encode("utf-16"), "h.csv", COLUMNS)


def test_an_old_xls_file_is_refused():
    with pytest.raises(QmsError, match="save it as .xlsx"):
        read_table(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old.xls", COLUMNS)


def test_a_damaged_xlsx_is_refused():
    with pytest.raises(QmsError, match="could not be read"):
        read_table(b"PK\x03\x04 not really a zip", "bad.xlsx", COLUMNS)


@pytest.mark.parametrize("value,day", [
    ("05/03/2021", dt.date(2021, 3, 5)),
    ("5/3/2021", dt.date(2021, 3, 5)),
    ("2021-03-05", dt.date(2021, 3, 5)),
    ("05.03.2021", dt.date(2021, 3, 5)),
    ("ngày 05 tháng 3 năm 2021", dt.date(2021, 3, 5)),
    (44260, dt.date(2021, 3, 5)),          # an Excel serial number whose date format was lost
    (dt.datetime(2021, 3, 5), dt.date(2021, 3, 5)),
    (None, None),
    ("  ", None),
])
def test_cell_date(value, day):
    assert cell_date(value) == day


@pytest.mark.parametrize("value", ["31/02/2021", "03/2021", "soon", 1e9])
def test_cell_date_refuses_what_is_not_a_date(value):
    with pytest.raises(ValueError, match="not a date"):
        cell_date(value)


def test_cell_text_drops_the_float_zero():
    assert cell_text(3386.0) == "3386" and cell_text(" a ") == "a" and cell_text("") is None


def test_written_workbook_reads_back_with_real_dates():
    data = write_xlsx([("Danh mục", ["Mã TTHC", "Tên TTHC", "Hiệu lực từ"], [["1.004940", "Khai sinh", dt.date(2021, 3, 5)]])])
    (row,) = read_table(data, "w.xlsx", COLUMNS).rows
    assert row.values == {"code": "1.004940", "name": "Khai sinh", "field": None, "valid_from": dt.date(2021, 3, 5), "valid_to": None}


def test_written_csv_uses_iso_dates_and_a_byte_order_mark():
    data = write_csv(["Mã TTHC", "Hiệu lực từ"], [["1.1", dt.date(2021, 3, 5)], ["1.2", None]])
    assert data.startswith("\ufeff".encode()) and data.decode("utf-8-sig") == "Mã TTHC,Hiệu lực từ\n1.1,2021-03-05\n1.2,\n"
