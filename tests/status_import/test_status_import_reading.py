"""Reading status sheets: headers found by meaning, cells read into typed values, every
problem located by sheet, row and column.  Pure: bytes in, parsed rows out."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from status_sheets import STATUS_HEADER, TODAY, status_sheet, workbook

from qms.kernel.errors import QmsError
from qms.status_import.sheet import parse_status_file
from qms.units.model import EventType, Level, Stage, Standard


def _rows(data: bytes, name: str = "sheet.xlsx"):
    return parse_status_file(data, name, today=TODAY)


def test_headers_are_recognised_in_any_order_case_and_diacritics_ignored():
    header = ["TINH TRANG", "ma don vi", "Ngay Cong Bo", "so quyet dinh cong bo", "TIÊU CHUẨN"]
    parsed = _rows(status_sheet(["Đã công bố", "03124", "15/03/2017", "12/QĐ-UBND", "2008"], header=header))
    (row,) = parsed.rows
    assert row.values == {"status": Stage.ANNOUNCED, "code": "03124", "announced_on": dt.date(2017, 3, 15),
                          "decision_no": "12/QĐ-UBND", "standard": Standard.ISO_2008}


def test_extra_columns_are_ignored_and_reported():
    parsed = _rows(status_sheet(["1", "03124", "đang xây dựng", "x"], header=["STT", "Mã đơn vị", "Tình trạng", "Người phụ trách"]))
    assert parsed.sheets[0].ignored_columns == ("STT", "Người phụ trách")
    assert parsed.rows[0].values == {"code": "03124", "status": Stage.BUILDING}


def test_header_below_title_rows_and_merged_two_row_header():
    rows = [
        ["DANH SÁCH ĐƠN VỊ ÁP DỤNG HTQLCL THEO TCVN ISO 9001 - TỈNH ĐIỆN BIÊN"],
        [],
        ["Mã đơn vị", "Tên đơn vị", "Tình trạng", "Công bố", None, "Công bố lại", None],
        [None, None, None, "Số quyết định", "Ngày", "Số quyết định", "Ngày"],
        ["D11-01", "Sở Tư pháp", "đã công bố", "5/QĐ-STP", dt.datetime(2016, 5, 2), "9/QĐ-STP", dt.datetime(2019, 8, 1)],
    ]
    merges = {"Tỉnh": ["A1:G1", "A3:A4", "B3:B4", "C3:C4", "D3:E3", "F3:G3"]}
    parsed = _rows(workbook({"Tỉnh": rows}, merges=merges))
    assert parsed.sheets[0].header_rows == (3, 4)
    (row,) = parsed.rows
    assert row.row == 5
    assert row.values["decision_no"] == "5/QĐ-STP" and row.values["announced_on"] == dt.date(2016, 5, 2)
    assert row.values["re_decision_no"] == "9/QĐ-STP" and row.values["re_announced_on"] == dt.date(2019, 8, 1)
    assert not row.issues


def test_real_excel_dates_and_text_dates_read_the_same():
    parsed = _rows(status_sheet(
        ["03124", None, None, "đã công bố", 2015, "1/QĐ", dt.datetime(2018, 4, 9)],
        ["03125", None, None, "đã công bố", 2015, "2/QĐ", "09/04/2018"],
        ["03151", None, None, "đã công bố", 2015, "3/QĐ", "2018-04-09"],
    ))
    assert {r.values["announced_on"] for r in parsed.rows} == {dt.date(2018, 4, 9)}


def test_nfd_text_arrives_as_nfc():
    nfd = unicodedata.normalize("NFD", "Phường Noong Bua")
    parsed = _rows(status_sheet([None, nfd, None, unicodedata.normalize("NFD", "đang áp dụng")]))
    row = parsed.rows[0]
    assert row.values["name"] == unicodedata.normalize("NFC", "Phường Noong Bua") and row.stage is Stage.APPLYING


def test_unreadable_date_names_sheet_row_column_and_the_expected_form():
    parsed = _rows(status_sheet(["03124", None, None, "đã công bố", 2015, "1/QĐ", "31/02/2018"]))
    (issue,) = parsed.rows[0].issues
    assert (issue.sheet, issue.row, issue.column) == ("Tình trạng", 2, "Ngày công bố")
    assert "dd/mm/yyyy" in issue.en and "dd/mm/yyyy" in issue.vi


def test_future_date_is_refused():
    tomorrow = TODAY + dt.timedelta(days=1)
    parsed = _rows(status_sheet(["03124", None, None, "đang áp dụng", None, None, None, None, tomorrow]))
    (issue,) = parsed.rows[0].issues
    assert issue.column == "Ngày đánh giá nội bộ gần nhất" and "future" in issue.en


def test_today_is_not_the_future():
    parsed = _rows(status_sheet(["03124", None, None, "đang áp dụng", None, None, None, None, TODAY]))
    assert not parsed.rows[0].issues and parsed.rows[0].values["audit_on"] == TODAY


def test_unknown_status_word_lists_the_accepted_ones():
    parsed = _rows(status_sheet(["03124", None, None, "hoàn thành"]))
    (issue,) = parsed.rows[0].issues
    assert issue.column == "Tình trạng"
    for word in ("chưa triển khai", "đang xây dựng", "đang áp dụng", "đã công bố"):
        assert word in issue.vi


def test_status_words_without_diacritics_are_accepted():
    parsed = _rows(status_sheet(["03124", None, None, "DA CONG BO", "TCVN ISO 9001:2015", "1/QĐ", "01/01/2019"]))
    assert parsed.rows[0].stage is Stage.ANNOUNCED and parsed.rows[0].values["standard"] is Standard.ISO_2015


def test_level_words():
    parsed = _rows(status_sheet(["D11-01", None, "tỉnh/sở", "đang xây dựng"], ["094", None, "Huyện", "đang xây dựng"],
                                ["03124", None, "xã", "đang xây dựng"], ["03125", None, "thôn", "đang xây dựng"]))
    assert [r.values.get("level") for r in parsed.rows] == [Level.DEPARTMENT, Level.DISTRICT, Level.COMMUNE, None]
    assert "tỉnh/sở, huyện, xã" in parsed.rows[3].issues[0].vi


def test_two_decision_numbers_in_one_cell_split_into_announcement_and_re_announcement():
    parsed = _rows(status_sheet(["03124", None, None, "đã công bố", 2015, "1/QĐ-UBND; 7/QĐ-UBND"]))
    assert (parsed.rows[0].values["decision_no"], parsed.rows[0].values["re_decision_no"]) == ("1/QĐ-UBND", "7/QĐ-UBND")


def test_numbering_row_under_the_header_and_empty_rows_are_skipped():
    parsed = _rows(workbook({"S": [STATUS_HEADER[:4], ["(1)", "(2)", "(3)", "(4)"], [], ["03124", None, None, "đang xây dựng"]]}))
    assert [r.row for r in parsed.rows] == [4]


def test_csv_with_semicolons_and_a_byte_order_mark():
    text = "\ufeffMã đơn vị;Tình trạng;Ngày đánh giá nội bộ gần nhất\n03124;đang áp dụng;02/03/2020\n"
    parsed = parse_status_file(text.encode("utf-8"), "trang_thai.csv", today=TODAY)
    assert parsed.sheets[0].name == "trang_thai.csv"
    assert parsed.rows[0].row == 2 and parsed.rows[0].values["audit_on"] == dt.date(2020, 3, 2)


def test_events_sheet_is_recognised():
    data = workbook({"Sự kiện": [["Mã đơn vị", "Loại sự kiện", "Ngày", "Số quyết định", "Tiêu chuẩn"],
                                 ["03124", "Công bố", dt.datetime(2017, 1, 5), "3/QĐ", "2008"]]})
    parsed = _rows(data)
    assert parsed.sheets[0].kind == "events"
    assert parsed.rows[0].values["event_type"] is EventType.ANNOUNCED


def test_guide_and_hidden_sheets_are_not_read():
    data = workbook({"Tình trạng": [STATUS_HEADER[:4], ["03124", None, None, "đang xây dựng"]],
                     "Hướng dẫn": [["Cột", "Ý nghĩa"], ["Mã đơn vị", "mã"], ["Tình trạng", "tình trạng"]],
                     "Cũ": [STATUS_HEADER[:4], ["03125", None, None, "đang xây dựng"]]}, hidden=["Cũ"])
    parsed = _rows(data)
    assert [(s.name, s.kind) for s in parsed.sheets] == [("Tình trạng", "status"), ("Hướng dẫn", None)]
    assert parsed.hidden_sheets == ["Cũ"] and len(parsed.rows) == 1


def test_a_file_without_any_recognisable_sheet_is_refused_in_one_sentence():
    with pytest.raises(QmsError) as info:
        _rows(workbook({"Data": [["a", "b"], [1, 2]]}), "data.xlsx")
    assert "Tình trạng" in str(info.value) and "'Data'" in str(info.value) and info.value.vi


def test_an_old_xls_file_is_refused():
    with pytest.raises(QmsError, match="xlsx"):
        _rows(b"\xd0\xcf\x11\xe0 not a zip", "cu.xlsx")


def test_a_column_twice_is_an_issue():
    parsed = _rows(status_sheet(["03124", "đang xây dựng", "đang áp dụng"], header=["Mã đơn vị", "Tình trạng", "Trạng thái"]))
    (issue,) = parsed.issues
    assert "Tình trạng" in issue.en and issue.row == 1
