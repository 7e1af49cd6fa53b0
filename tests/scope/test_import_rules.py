"""One rule set for the four importers (issue 14, defects 5, 6, 8): the same file problem gets the
same answer from ``import-units``, ``import-tthc``, ``import-processes`` and ``import-status`` —
one sentence naming the file and the place, exit 2, nothing written; never a traceback."""

from __future__ import annotations

import io

import openpyxl
import pytest

from qms.cli import main
from qms.kernel.db import open_database

#: Per importer: the command, its header and a good data row (for the province below).
IMPORTERS = {
    "units": ("import-units", ["gso_code", "name", "level", "kind", "parent_gso_code"], ["03390", "Xã Mới", "commune", "xa", "105"]),
    "tthc": ("import-tthc", ["Mã đơn vị", "Mã TTHC", "Tên TTHC"], ["03386", "1.000009", "Đăng ký kết hôn"]),
    "processes": ("import-processes", ["Mã đơn vị", "Mã quy trình", "Tên quy trình", "Mã TTHC", "Ngày ban hành"],
                  ["03386", "QT-01", "Quy trình khai sinh", "1.000001", "01/03/2021"]),
    "status": ("import-status", ["Mã đơn vị", "Tình trạng", "Ghi chú"], ["03386", "đang xây dựng", "ghi chú"]),
}
#: The column of the good row where a text cell can be spoiled (1-based).
TEXT_COLUMN = {"units": 2, "tthc": 3, "processes": 3, "status": 3}


@pytest.fixture
def province(province_path, tmp_path, capsys):
    """A database file with the test province and one TTHC in unit 03386's catalogue."""
    path = province_path
    catalogue = tmp_path / "catalogue.csv"
    catalogue.write_text("Mã đơn vị,Mã TTHC,Tên TTHC\n03386,1.000001,Đăng ký khai sinh\n", encoding="utf-8")
    assert main(["--db", str(path), "import-tthc", str(catalogue)]) == 0
    capsys.readouterr()
    return path


def log_count(path) -> int:
    db = open_database(path)
    try:
        return int(db.scalar("SELECT count(*) FROM change_log"))
    finally:
        db.close()


def csv_text(rows, ending: str = "\n") -> str:
    def cell(v: str) -> str:
        return '"' + v.replace('"', '""') + '"' if any(c in v for c in ',"\r\n') else v

    return ending.join(",".join(cell(v) for v in row) for row in rows) + ending


def xlsx_bytes(rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run(capsys, province, kind: str, name: str, data: bytes) -> tuple[int, str]:
    path = province.parent / name
    path.write_bytes(data)
    code = main(["--db", str(province), IMPORTERS[kind][0], str(path)])
    out = capsys.readouterr()
    return code, (out.out + out.err).strip()


def refused(capsys, province, kind: str, name: str, data: bytes) -> str:
    """Run the import, check it was refused in one sentence naming the file, with nothing written."""
    before = log_count(province)
    code, said = run(capsys, province, kind, name, data)
    assert code == 2 and said.startswith(f"qms: {name}") and "\n" not in said, said
    assert log_count(province) == before
    return said


def kinds():
    return pytest.mark.parametrize("kind", list(IMPORTERS))


@kinds()
def test_cr_only_line_endings_are_read(capsys, province, kind):
    _, header, row = IMPORTERS[kind]
    code, said = run(capsys, province, kind, "mac.csv", csv_text([header, row], "\r").encode())
    assert code == 0, said


@kinds()
def test_a_cell_over_the_csv_field_limit_is_one_sentence(capsys, province, kind):
    _, header, row = IMPORTERS[kind]
    spoiled = list(row)
    spoiled[TEXT_COLUMN[kind] - 1] = "x" * 140_000
    said = refused(capsys, province, kind, "long.csv", csv_text([header, spoiled]).encode())
    assert "line 2" in said and "32,767" in said


@kinds()
@pytest.mark.parametrize("bad", ["nul\x00here", "\x1b[31mđỏ\x1b[0m"])
def test_a_control_character_is_refused_naming_line_and_column(capsys, province, kind, bad):
    _, header, row = IMPORTERS[kind]
    spoiled = list(row)
    spoiled[TEXT_COLUMN[kind] - 1] = bad
    said = refused(capsys, province, kind, "ctl.csv", csv_text([header, spoiled]).encode())
    assert f"line 2, column {TEXT_COLUMN[kind]} holds a control character" in said


@kinds()
def test_a_trailing_unterminated_quote_is_refused_naming_the_line(capsys, province, kind):
    _, header, row = IMPORTERS[kind]
    data = csv_text([header, row]) + ",".join(row[:-1]) + ',"never closed\n'
    said = refused(capsys, province, kind, "quote.csv", data.encode())
    assert "line 3 is not valid CSV" in said


@kinds()
def test_a_formula_without_its_saved_value_is_refused_naming_the_cell(capsys, province, kind):
    _, header, row = IMPORTERS[kind]
    spoiled = list(row)
    spoiled[TEXT_COLUMN[kind] - 1] = '=CONCAT("Quy ","trình")'  # openpyxl saves it without a value, as a script would
    said = refused(capsys, province, kind, "formula.xlsx", xlsx_bytes([header, spoiled]))
    assert f"cell {'ABC'[TEXT_COLUMN[kind] - 1]}2 holds a formula without a saved value" in said


@pytest.mark.parametrize("kind", ["units", "tthc", "processes"])
def test_a_column_named_twice_is_refused(capsys, province, kind):
    _, header, row = IMPORTERS[kind]
    col = TEXT_COLUMN[kind] - 1
    said = refused(capsys, province, kind, "twice.csv", csv_text([header + [header[col]], row + ["khác"]]).encode())
    letters = "ABCDEF"
    assert f"columns {letters[col]} and {letters[len(header)]} are both read as" in said


def test_a_status_csv_with_only_its_header_is_refused(capsys, province):
    said = refused(capsys, province, "status", "empty.csv", "Mã đơn vị,Tình trạng\n".encode())
    assert "has a header but no row to import" in said


@pytest.mark.parametrize("kind,column", [("tthc", "Hiệu lực từ"), ("units", "valid_from")])
@pytest.mark.parametrize("value,shown", [("01/01/1900", "01/01/1900"), ("31/12/9999", "31/12/9999"), (1, "01/01/1900"),
                                         ("1999-12-31", "31/12/1999")])
def test_dates_outside_the_window_are_refused_by_every_importer(capsys, province, kind, column, value, shown):
    _, header, row = IMPORTERS[kind]
    said = refused(capsys, province, kind, "dates.xlsx", xlsx_bytes([header + [column], row + [value]]))
    assert "line 2" in said and shown in said


def test_dates_inside_the_window_are_accepted(capsys, province):
    _, header, row = IMPORTERS["tthc"]
    code, said = run(capsys, province, "tthc", "ok.csv", csv_text([header + ["Hiệu lực từ"], row + ["01/01/2000"]]).encode())
    assert code == 0, said
