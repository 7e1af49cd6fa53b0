"""Catalogue and process files read into records: every bad row named with sheet, line, reason."""

from __future__ import annotations

import datetime as dt

import pytest
from scope_helpers import xlsx

from qms.kernel.errors import ImportRowError, QmsError, ValidationError
from qms.scope.importer import (
    field_from_section,
    legal_change_from_form,
    read_catalogue,
    read_processes,
    tthc_code,
    tthc_codes,
    tthc_level,
)
from qms.scope.model import ChangeEffect, ProcessStatus

TODAY = dt.date(2022, 1, 1)


@pytest.mark.parametrize("value,code", [
    ("1.004946", "1.004946"),
    (1.004946, "1.004946"),
    (1.00494, "1.004940"),      # Excel dropped the trailing zero of 1.004940
    ("1,004946", "1.004946"),   # a Vietnamese locale's decimal comma
    (" T-LCU-283740-TT ", "T-LCU-283740-TT"),
])
def test_tthc_code_from_a_cell(value, code):
    assert tthc_code(value) == code


@pytest.mark.parametrize("value", ["", None, "1.00/4946", "mã số"])
def test_tthc_code_refuses_what_is_not_a_code(value):
    with pytest.raises(ValueError):
        tthc_code(value)


def test_several_codes_in_one_cell():
    assert tthc_codes("1.000001; 1.000002,1.000003\n2.000004") == ("1.000001", "1.000002", "1.000003", "2.000004")


@pytest.mark.parametrize("text,level", [("Cấp xã", "commune"), ("CAP HUYEN", "district"), ("tỉnh", "province"),
                                        ("Cấp tỉnh, Cấp huyện", "Cấp tỉnh, Cấp huyện"), (None, None)])
def test_tthc_level(text, level):
    assert tthc_level(text) == level


def test_field_from_a_section_heading():
    assert field_from_section("I. LĨNH VỰC HỘ TỊCH") == "Hộ tịch"
    assert field_from_section("2) Lĩnh vực Chứng thực") == "Chứng thực"
    assert field_from_section(None) is None


def test_catalogue_with_vietnamese_merged_headers_reads_whole():
    rows = [
        ["DANH MỤC TTHC CỦA UBND PHƯỜNG QUYẾT THẮNG", None, None, None, None],
        ["STT", "Mã TTHC", "Tên thủ tục hành chính", "Cấp thực hiện", "Ngày hiệu lực"],
        ["I. LĨNH VỰC HỘ TỊCH", None, None, None, None],
        [1, 1.001193, "Đăng ký khai sinh", "Cấp xã", "16/07/2020"],
        [2, "1.000894", "Đăng ký kết hôn", "Cấp xã", dt.datetime(2020, 7, 16)],
    ]
    parsed = read_catalogue(xlsx({"TTHC": rows}, {"TTHC": ["A1:E1", "A3:E3"]}), "xa.xlsx", default_unit="03386")
    assert [(w, e.unit_code, e.code, e.field, e.level, e.valid_from) for w, e in parsed.records] == [
        ("sheet 'TTHC' line 4", "03386", "1.001193", "Hộ tịch", "commune", dt.date(2020, 7, 16)),
        ("sheet 'TTHC' line 5", "03386", "1.000894", "Hộ tịch", "commune", dt.date(2020, 7, 16)),
    ]


def test_every_bad_catalogue_row_is_named_with_its_reason():
    rows = [["Mã đơn vị", "Mã TTHC", "Tên TTHC", "Hiệu lực từ", "Hết hiệu lực từ"],
            ["03386", "1.001193", "Đăng ký khai sinh", "01/01/2020", None],
            ["03386", "1.00/1", "Kết hôn", None, None],
            [None, "1.000003", "Khai tử", None, None],
            ["03386", "1.000004", None, None, None],
            ["03386", "1.000005", "Giám hộ", "32/01/2020", None],
            ["03386", "1.000006", "Nhận cha mẹ con", "01/01/2021", "01/01/2020"]]
    parsed = read_catalogue(xlsx({"DM": rows}), "dm.xlsx")
    problems = dict(parsed.problems)
    assert [w for w, _ in parsed.records] == ["sheet 'DM' line 2"]
    assert set(problems) == {f"sheet 'DM' line {n}" for n in (3, 4, 5, 6, 7)}
    assert "not a TTHC code" in problems["sheet 'DM' line 3"]
    assert "no unit" in problems["sheet 'DM' line 4"]
    assert "name" in problems["sheet 'DM' line 5"]
    assert "Hiệu lực từ" in problems["sheet 'DM' line 6"]
    assert "valid_to" in problems["sheet 'DM' line 7"]


def test_parse_catalogue_refuses_the_whole_table_when_one_row_is_bad():
    from qms.kernel.spreadsheets import read_table
    from qms.scope.importer import CATALOGUE_COLUMNS, parse_catalogue

    table = read_table("Mã TTHC,Tên TTHC\n1.000001,Khai sinh\n1.000002,\n".encode(), "t.csv", CATALOGUE_COLUMNS)
    with pytest.raises(ImportRowError) as info:
        parse_catalogue(table, default_unit="03386")
    assert [w for w, _ in info.value.problems] == ["line 3"]


def test_a_header_without_data_is_refused():
    with pytest.raises(QmsError, match="no TTHC row"):
        read_catalogue("Mã TTHC,Tên TTHC\n".encode(), "empty.csv", default_unit="03386")


def test_process_rows_one_per_tthc_are_merged_into_one_version():
    rows = [["Mã đơn vị", "Mã quy trình", "Tên quy trình", "Mã TTHC", "Lần ban hành", "Ngày ban hành", "Trạng thái"],
            ["03386", "QT-01", "Quy trình hộ tịch", "1.000001", "01", "01/02/2016", "Đã ban hành"],
            [None, None, None, "1.000002", None, None, None]]
    # the process cells are merged over both rows, as officers lay such lists out
    merges = ["A2:A3", "B2:B3", "C2:C3", "E2:E3", "F2:F3", "G2:G3"]
    parsed = read_processes(xlsx({"QT": rows}, {"QT": merges}), "qt.xlsx", today=TODAY)
    ((where, v),) = parsed.records
    assert where == "sheet 'QT' line 2" and v.tthc_codes == ("1.000001", "1.000002")
    assert (v.status, v.issued_on, v.status_on) == (ProcessStatus.ISSUED, dt.date(2016, 2, 1), dt.date(2016, 2, 1))


def test_rows_of_one_version_that_disagree_are_refused():
    text = ("Mã đơn vị,Mã quy trình,Tên quy trình,Mã TTHC,Ngày ban hành\n"
            "03386,QT-01,Quy trình A,1.000001,01/02/2016\n03386,QT-01,Quy trình B,1.000002,01/02/2016\n")
    assert read_processes(text.encode(), "qt.csv", today=TODAY).problems == [
        ("line 3", "the same process version as line 2 but with another title")]


@pytest.mark.parametrize("status,extra,expected", [
    ("Dự thảo", {}, (ProcessStatus.DRAFT, None, TODAY)),
    ("da thu hoi", {"Ngày thu hồi": "01/03/2020"}, (ProcessStatus.WITHDRAWN, dt.date(2016, 2, 1), dt.date(2020, 3, 1))),
    (None, {}, (ProcessStatus.ISSUED, dt.date(2016, 2, 1), dt.date(2016, 2, 1))),
])
def test_process_status_words(status, extra, expected):
    header = ["Mã đơn vị", "Mã quy trình", "Tên quy trình", "Mã TTHC", "Ngày ban hành", "Trạng thái", *extra]
    row = ["03386", "QT-01", "Quy trình", "1.000001", "01/02/2016", status, *extra.values()]
    ((_, v),) = read_processes(xlsx({"QT": [header, row]}), "s.xlsx", today=TODAY).records
    assert (v.status, v.issued_on, v.status_on) == expected


def test_a_withdrawn_process_without_its_date_and_an_unknown_status_are_named():
    text = ("Mã đơn vị,Mã quy trình,Tên quy trình,Mã TTHC,Ngày ban hành,Trạng thái\n"
            "03386,QT-01,Quy trình,1.000001,01/02/2016,Đã thu hồi\n03386,QT-02,Quy trình,1.000002,01/02/2016,lưu trữ\n"
            "03386,QT-03,Quy trình,,01/02/2016,\n")
    problems = dict(read_processes(text.encode(), "p.csv", today=TODAY).problems)
    assert "Ngày thu hồi" in problems["line 2"] and "lưu trữ" in problems["line 3"] and "no TTHC code" in problems["line 4"]


def test_legal_change_form_builds_items_per_effect():
    change = legal_change_from_form(document_no=" 12/QĐ-UBND ", title="", signed_on=None, effective_on=dt.date(2021, 1, 1),
                                    amended="1.000001; 1.000002", added="1.000009", removed="", unit_codes=["03386"],
                                    new_name="Thủ tục mới")
    assert change.document_no == "12/QĐ-UBND" and change.title is None
    assert [(i.tthc_code, i.effect, i.unit_codes, i.tthc_name) for i in change.items] == [
        ("1.000001", ChangeEffect.AMENDED, (), None), ("1.000002", ChangeEffect.AMENDED, (), None),
        ("1.000009", ChangeEffect.ADDED, ("03386",), "Thủ tục mới")]


def test_legal_change_form_without_any_code_is_refused():
    with pytest.raises(ValidationError, match="at least one TTHC"):
        legal_change_from_form(document_no="1/QĐ", title=None, signed_on=None, effective_on=dt.date(2021, 1, 1),
                               amended=" ", added="", removed="", unit_codes=[])


def test_legal_change_form_adding_without_units_names_the_field():
    with pytest.raises(ValidationError, match="name the units"):
        legal_change_from_form(document_no="1/QĐ", title=None, signed_on=None, effective_on=dt.date(2021, 1, 1),
                               amended="", added="1.000009", removed="", unit_codes=[])
