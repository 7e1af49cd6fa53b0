"""The one workbook reader (qms.kernel.workbook_reader, qms.kernel.xlsx_reader): values as Excel saved them,
and every limit and rule a refusal in one sentence naming the file and the place."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
import xlsx_parts as X

from qms.kernel.errors import QmsError
from qms.kernel.workbook_reader import ReadLimits, read_workbook


def rows(data: bytes, name: str = "t.xlsx", sheet: int = 0) -> list:
    return read_workbook(data, name).sheets[sheet].rows


def refusal(data: bytes, name: str = "t.xlsx", limits: ReadLimits | None = None) -> str:
    with pytest.raises(QmsError) as info:
        read_workbook(data, name, **({"limits": limits} if limits else {}))
    message = str(info.value)
    assert message.startswith(name) and "\n" not in message and info.value.vi
    return message


# -- values ---------------------------------------------------------------------------------------

def test_inline_and_shared_strings_numbers_booleans_and_errors():
    part = (f'<worksheet xmlns="{X.MAIN}"><sheetData><row r="1"><c r="A1" t="s"><v>1</v></c><c r="B1"><v>42</v></c>'
            '<c r="C1"><v>2.5</v></c><c r="D1" t="b"><v>1</v></c><c r="E1" t="e"><v>#N/A</v></c>'
            '<c r="G1" t="inlineStr"><is><r><t>Đăng </t></r><r><t>ký</t></r></is></c></row></sheetData></worksheet>')
    strings = (f'<sst xmlns="{X.MAIN}"><si><t>không dùng</t></si><si><r><t>Mã </t></r><r><t>TTHC</t></r>'
               '<rPh><t>phonetic</t></rPh></si></sst>')
    assert rows(X.workbook([("S", part)], shared_strings=strings)) == [(1, ["Mã TTHC", 42, 2.5, True, "#N/A", None, "Đăng ký"])]


def test_text_is_nfc_with_plain_spaces_and_stripped():
    data = X.workbook([("S", X.sheet([["Mã\u00a0TTHC", " Đăng ky\u0301 ", "   "]]))])
    assert rows(data) == [(1, ["Mã TTHC", "Đăng ký"])]


def test_excel_escapes_stand_for_their_characters():
    data = X.workbook([("S", X.sheet([["dòng 1_x000D_\ndòng 2", "_x005F_x0041_"]]))])
    assert rows(data) == [(1, ["dòng 1\r\ndòng 2", "_x0041_"])]


def test_dates_by_number_format_and_the_1904_system():
    part = (f'<worksheet xmlns="{X.MAIN}"><sheetData><row r="1"><c r="A1" s="1"><v>44260</v></c><c r="B1"><v>44260</v></c>'
            '<c r="C1" s="1"><v>44260.5</v></c><c r="D1" t="d"><v>2021-03-05T00:00:00</v></c></row></sheetData></worksheet>')
    assert rows(X.workbook([("S", part)], styles=X.date_styles())) == [
        (1, [dt.date(2021, 3, 5), 44260, dt.datetime(2021, 3, 5, 12), dt.date(2021, 3, 5)])]
    assert rows(X.workbook([("S", part)], styles=X.date_styles(), date1904=True))[0][1][0] == dt.date(2025, 3, 6)


def test_merged_ranges_fill_the_rows_the_sheet_holds_and_are_clamped_to_them():
    data = X.workbook([("S", X.sheet([["Tiêu đề"], ["a", "b"], ["c", "d"]], merges=["A1:XFD1", "B2:B3"]))])
    sheet = read_workbook(data, "t.xlsx").sheets[0]
    assert sheet.merges == ((1, 1, 1, 2), (2, 2, 3, 2))
    assert sheet.filled() == [(1, ["Tiêu đề", "Tiêu đề"]), (2, ["a", "b"]), (3, ["c", "b"])]


def test_hidden_sheets_are_not_read_and_are_named():
    data = X.workbook([("A", X.sheet([["x"]])), ("B", X.sheet([["y"]]))], hidden=["B"])
    book = read_workbook(data, "t.xlsx")
    assert [s.name for s in book.sheets] == ["A"] and book.hidden == ["B"]


def test_a_workbook_written_by_openpyxl_reads_as_openpyxl_reads_it():
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Mã TTHC", "Tên", "Ngày", "Số", "Có"])
    ws.append(["1.004946", "Đăng ký", dt.datetime(2020, 7, 16), 3.25, False])
    ws["C2"].number_format = "DD/MM/YYYY"
    ws.merge_cells("A4:C4")
    ws["A4"] = "I. LĨNH VỰC HỘ TỊCH"
    out = io.BytesIO()
    wb.save(out)
    assert rows(out.getvalue()) == [(1, ["Mã TTHC", "Tên", "Ngày", "Số", "Có"]), (2, ["1.004946", "Đăng ký", dt.date(2020, 7, 16), 3.25, False]),
                                    (4, ["I. LĨNH VỰC HỘ TỊCH"])]


# -- refusals -------------------------------------------------------------------------------------

def test_a_formula_without_a_saved_value_is_refused_naming_the_cell():
    data = X.workbook([("Danh mục", X.sheet([X.CATALOGUE_HEADER, ["03386", "1.000001", ("f", 'CONCAT("a","b")')]]))])
    assert "sheet 'Danh mục' cell C2 holds a formula without a saved value" in refusal(data)


def test_a_formula_with_its_saved_value_reads_the_value():
    part = f'<worksheet xmlns="{X.MAIN}"><sheetData><row r="1"><c r="A1" t="str"><f>"a"&amp;"b"</f><v>ab</v></c></row></sheetData></worksheet>'
    assert rows(X.workbook([("S", part)])) == [(1, ["ab"])]


@pytest.mark.parametrize("text", ["a\x00b", "\x1b[31mđỏ", "x_x0007_y", "form\x0cfeed"])
def test_a_control_character_is_refused_naming_the_cell(text):
    message = refusal(X.workbook([("S", X.sheet([["ok", text]]))]))
    assert "sheet 'S' cell B1 holds a control character (U+00" in message


def test_a_cell_longer_than_excel_allows_is_refused_inline_or_shared():
    long = "x" * 40_000
    assert "sheet 'S' cell A2 holds 40,000 characters; a cell holds at most 32,767" in refusal(X.workbook([("S", X.sheet([["h"], [long]]))]))
    part = f'<worksheet xmlns="{X.MAIN}"><sheetData><row r="3"><c r="B3" t="s"><v>0</v></c></row></sheetData></worksheet>'
    assert "cell B3 holds more than 32,767 characters" in refusal(X.workbook([("S", part)], shared_strings=X.shared([long * 6])))


def test_a_declared_dimension_over_the_limits_is_refused():
    data = X.workbook([("S", X.sheet([["a"]], dimension="A1:XFD1048576"))])
    assert "declares the range A1:XFD1048576" in refusal(data)


def test_a_value_far_out_is_refused_naming_its_cell():
    assert "cell XFD3" in refusal(X.workbook([("S", X.sheet([["a"]])[:-len("</sheetData></worksheet>")]
                                                + '<row r="3"><c r="XFD3"><v>1</v></c></row></sheetData></worksheet>')]))


def test_merged_ranges_over_the_limits_are_refused():
    assert "merges more than" in refusal(X.workbook([("S", X.sheet([["a"]], merges=["H1:XFD1048576"]))]))
    many = [f"A{r}:B{r}" for r in range(1, 10_002)]
    assert "at A10001:B10001" in refusal(X.workbook([("S", X.sheet([["a"]], merges=many))]))


def test_a_document_type_declaration_is_refused():
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
            f'<worksheet xmlns="{X.MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>')
    assert "document type declaration" in refusal(X.workbook([("S", bomb)]))


def test_zip_sizes_are_checked_before_any_part_is_read():
    zeros = X.workbook([("S", (b"\x00" * 1_048_576 for _ in range(300)))])  # 300 MB of zeros, 300 KB packed
    assert len(zeros) < 400_000 and "unpacks to 300.0 MB" in refusal(zeros)
    dense = X.workbook([("S", (b" " * 1_048_576 for _ in range(50)))])
    assert "times its packed size" in refusal(dense)
    assert "unpacks to 1.2 MB, more than the 1 MB" in refusal(X.workbook([("S", X.sheet([["x" * 2000]] * 600))]),
                                                   limits=ReadLimits(max_unpacked_bytes=1024 * 1024, max_ratio=10_000))


def test_a_damaged_zip_and_a_password_are_refused():
    assert "could not be read as an Excel .xlsx workbook" in refusal(b"PK\x03\x04 broken", "x.xlsx")
    good = X.workbook([("S", X.sheet([["a"]]))])
    damaged = bytearray(good)
    at = good.index(b"xl/worksheets/sheet1.xml") + 40
    damaged[at:at + 20] = b"\xff" * 20
    assert "could not be read" in refusal(bytes(damaged))


def test_file_size_and_kind():
    assert "larger than the 20 MB" in refusal(b"a,b\n" * 6_000_000, "big.csv")
    assert "old Excel .xls" in refusal(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "cu.xls")
    assert "only .xlsx and .csv" in refusal(b"%PDF-1.4", "scan.pdf")


# -- CSV --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_csv_with_any_line_ending(ending):
    text = ending.join(["Mã TTHC;Tên TTHC", "1.1;Đăng ký", '1.2;"Hai; dòng' + ending + 'nữa"']) + ending
    assert read_workbook(text.encode(), "a.csv").sheets[0].rows == [
        (1, ["Mã TTHC", "Tên TTHC"]), (2, ["1.1", "Đăng ký"]), (3, ["1.2", "Hai; dòng" + ending + "nữa"])]


def test_csv_refusals_name_the_line():
    assert "a.csv: line 3 is not valid CSV" in refusal('h1,h2\n1,2\n3,"unterminated\n'.encode(), "a.csv")
    assert "a.csv: line 2 holds a cell longer than 32,767" in refusal(("h\n" + "x" * 200_000 + "\n").encode(), "a.csv")
    assert "a.csv: line 2, column 1 holds 40,000 characters; a cell holds at most 32,767" in refusal(("h\n" + "x" * 40_000 + "\n").encode(), "a.csv")
    assert "a.csv: line 2, column 2 holds a control character (U+001B)" in refusal("h1,h2\n1,\x1b[2J\n".encode(), "a.csv")
    assert "is not UTF-8" in refusal("Tên".encode("utf-16"), "a.csv")


def test_csv_limits_on_rows_columns_and_cells():
    limits = ReadLimits(max_rows=3, max_columns=4, max_cells=10)
    assert "more than 3 lines" in refusal(b"a\nb\nc\nd\n", "a.csv", limits)
    assert "line 1 has 5 cells" in refusal(b"a,b,c,d,e\n", "a.csv", limits)
    assert "more than 10 cells" in refusal(b"a,b,c,d\na,b,c,d\na,b,c,d\n", "a.csv", limits)


def test_a_csv_cell_protected_against_formulas_reads_back_as_written():
    assert read_workbook("'=1+1,'-x,'plain\n".encode(), "a.csv").sheets[0].rows == [(1, ["=1+1", "-x", "'plain"])]


def test_zip_bytes_named_csv_are_read_as_a_workbook():
    data = X.workbook([("S", X.sheet([["a"]]))])
    assert zipfile.is_zipfile(io.BytesIO(data)) and read_workbook(data, "really.csv").sheets[0].rows == [(1, ["a"])]


def test_a_sheet_whose_part_is_missing_reads_empty():
    """Found by the fuzzing of damaged workbooks (a NameError in the reader)."""
    good = X.workbook([("A", X.sheet([["a"]])), ("B", X.sheet([["b"]]))])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename != "xl/worksheets/sheet2.xml":
                dst.writestr(info, src.read(info))
    assert [(s.name, s.rows) for s in read_workbook(out.getvalue(), "t.xlsx").sheets] == [("A", [(1, ["a"])]), ("B", [])]


@pytest.mark.parametrize("shift", [1, 70_000])
def test_a_damaged_zip_directory_offset_is_refused(shift):
    """Found by the fuzzing of damaged workbooks: a wrong "start of the central directory" in the
    zip's end record made zipfile seek before the file's start and raise ValueError."""
    data = bytearray(X.workbook([("S", X.sheet([["a"]]))]))
    end = data.rindex(b"PK\x05\x06")  # the end record: the directory's offset at +16
    offset = int.from_bytes(data[end + 16:end + 20], "little")
    data[end + 16:end + 20] = (offset + shift).to_bytes(4, "little")
    assert "could not be read" in refusal(bytes(data))
