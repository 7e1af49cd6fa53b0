"""The scope commands, run through the CLI's entry point against real database files."""

from __future__ import annotations

import json

from scope_helpers import province_file, xlsx

from qms.cli import main


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


CATALOGUE = [["Mã TTHC", "Tên TTHC", "Lĩnh vực"], ["1.000001", "Đăng ký khai sinh", "Hộ tịch"], ["1.000002", "Đăng ký kết hôn", "Hộ tịch"]]


def test_scope_json_per_level(capsys, demo_path):
    code, out, _ = run(capsys, "--db", str(demo_path), "scope", "--as-of", "2021-12-31", "--json")
    data = json.loads(out)
    assert code == 0 and [r["level"] for r in data["levels"]] == ["department", "district", "commune"]
    assert all(u["complete"] is False for u in data["units"]) and data["overdue_updates"]


def test_scope_of_one_unit_lists_the_uncovered_tthc(capsys, demo_path):
    code, out, _ = run(capsys, "--db", str(demo_path), "scope", "--unit", "S12-01", "--as-of", "2021-12-31", "--json")
    data = json.loads(out)
    assert code == 0 and data["tthc_total"] == len(data["covered"]) + len(data["uncovered"]) > 0


def test_scope_of_an_unknown_unit_exits_2_with_one_sentence(capsys, demo_path):
    code, out, err = run(capsys, "--db", str(demo_path), "scope", "--unit", "NOPE")
    assert code == 2 and out == "" and err.strip() == "qms: --unit: there is no unit with code NOPE."


def test_import_tthc_from_xlsx_for_one_unit(capsys, tmp_path):
    db = province_file(tmp_path)
    f = tmp_path / "xa.xlsx"
    f.write_bytes(xlsx({"TTHC": CATALOGUE}))
    code, out, _ = run(capsys, "--db", str(db), "import-tthc", str(f), "--unit", "03386")
    assert code == 0 and "2 new catalogue entries" in out
    code, out, _ = run(capsys, "--db", str(db), "scope", "--unit", "03386", "--json")
    assert [t["code"] for t in json.loads(out)["uncovered"]] == ["1.000001", "1.000002"]


def test_dry_run_writes_nothing(capsys, tmp_path):
    db = province_file(tmp_path)
    f = tmp_path / "xa.xlsx"
    f.write_bytes(xlsx({"TTHC": CATALOGUE}))
    code, out, _ = run(capsys, "--db", str(db), "import-tthc", str(f), "--unit", "03386", "--dry-run", "--json")
    assert code == 0 and json.loads(out)["new_entries"] == 2 and json.loads(out)["imported"] is False
    code, out, _ = run(capsys, "--db", str(db), "scope", "--unit", "03386", "--json")
    assert json.loads(out)["tthc_total"] == 0


def test_a_bad_file_exits_2_naming_the_row(capsys, tmp_path):
    db = province_file(tmp_path)
    f = tmp_path / "xa.xlsx"
    f.write_bytes(xlsx({"TTHC": [*CATALOGUE, ["1.000003", None, None]]}))
    code, out, err = run(capsys, "--db", str(db), "import-tthc", str(f), "--unit", "03386")
    assert code == 2 and "xa.xlsx: 1 row refused, nothing was imported" in err and "sheet 'TTHC' line 4" in err


def test_a_bad_file_with_json_lists_every_problem(capsys, tmp_path):
    db = province_file(tmp_path)
    f = tmp_path / "xa.csv"
    f.write_text("Mã TTHC,Tên TTHC\n1.000001,Khai sinh\n,Kết hôn\n1.00/3,Khai tử\n", encoding="utf-8")
    code, out, _ = run(capsys, "--db", str(db), "import-tthc", str(f), "--unit", "03386", "--json")
    assert code == 2 and [p["where"] for p in json.loads(out)["problems"]] == ["line 3", "line 4"]


def test_import_processes_needs_the_catalogue_first(capsys, tmp_path):
    db = province_file(tmp_path)
    f = tmp_path / "qt.csv"
    f.write_text("Mã đơn vị,Mã quy trình,Tên quy trình,Mã TTHC,Ngày ban hành\n03386,QT-01,Quy trình,1.000001,01/02/2016\n",
                 encoding="utf-8")
    code, _, err = run(capsys, "--db", str(db), "import-processes", str(f))
    assert code == 2 and "not in the catalogue of unit 03386" in err


def test_a_missing_file_exits_2(capsys, tmp_path):
    code, _, err = run(capsys, "--db", str(province_file(tmp_path)), "import-tthc", str(tmp_path / "none.xlsx"))
    assert code == 2 and "no such file" in err


def test_export_writes_a_workbook_that_reimports_unchanged(capsys, demo_path, tmp_path):
    out_file = tmp_path / "out" / "qt.xlsx"
    code, _, _ = run(capsys, "--db", str(demo_path), "export-processes", str(out_file), "--unit", "S12-03")
    assert code == 0 and out_file.stat().st_size > 0
    code, out, _ = run(capsys, "--db", str(demo_path), "import-processes", str(out_file), "--dry-run", "--json")
    data = json.loads(out)
    assert code == 0 and data["new_versions"] == 0 and data["unchanged"] == data["rows"] > 0


def test_export_refuses_an_unknown_format(capsys, demo_path, tmp_path):
    code, _, err = run(capsys, "--db", str(demo_path), "export-tthc", str(tmp_path / "x.ods"))
    assert code == 2 and ".xlsx or .csv" in err
