"""``qms export``, ``qms indicators`` and ``qms annual-report`` run as a user runs them."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import openpyxl

from qms.kernel.settings import PROJECT_ROOT


def qms(*args: str, db: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "qms.cli", "--db", str(db), *args], capture_output=True, text=True,
                          cwd=PROJECT_ROOT, timeout=180)


def test_export_writes_the_2016_snapshot_with_65_of_108_communes(demo_path, tmp_path):
    out = qms("export", "--out", str(tmp_path / "exports"), "--as-of", "2016-12-31", "--json", db=demo_path)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    folder = Path(result["path"])
    con = duckdb.connect()
    try:
        row = con.execute(f"SELECT numerator, denominator FROM read_parquet('{folder / 'indicators.parquet'}')"
                          " WHERE level = 'commune' AND measure = 'announced_rate'").fetchall()
    finally:
        con.close()
    assert row == [(65, 108)] and result["manifest"]["as_of"] == "2016-12-31"
    for entry in result["manifest"]["tables"]:
        assert hashlib.sha256((folder / entry["file"]).read_bytes()).hexdigest() == entry["sha256"]


def test_export_prints_one_summary_line_and_the_sample_note(demo_path, tmp_path):
    out = qms("export", "--out", str(tmp_path), "--as-of", "2016-12-31", db=demo_path)
    assert out.returncode == 0 and out.stdout.startswith("Snapshot as of 2016-12-31 written to ")
    assert "SAMPLE methodology" in out.stdout


def test_export_refuses_a_bad_date_in_one_sentence(demo_path, tmp_path):
    out = qms("export", "--out", str(tmp_path / "out"), "--as-of", "31/12/2016", db=demo_path)
    assert out.returncode == 2 and out.stderr.strip() == "qms: --as-of: '31/12/2016' is not a date in the form YYYY-MM-DD."
    assert not (tmp_path / "out").exists()


def test_export_refuses_a_future_date(demo_path, tmp_path):
    out = qms("export", "--out", str(tmp_path), "--as-of", "2999-01-01", db=demo_path)
    assert out.returncode == 2 and "in the future" in out.stderr


def test_export_refuses_an_out_path_that_is_a_file(demo_path, tmp_path):
    target = tmp_path / "file.txt"
    target.write_text("x")
    out = qms("export", "--out", str(target), db=demo_path)
    assert out.returncode == 2 and "is a file, not a folder" in out.stderr


def test_export_refuses_a_broken_methodology_naming_the_field(demo_path, tmp_path):
    bad = tmp_path / "m.yaml"
    bad.write_text("id: x\nversion: 1\nsample: true\ntitle: {vi: Thử}\ncriteria: []\n", encoding="utf-8")
    out = qms("export", "--out", str(tmp_path / "out"), "--methodology", str(bad), db=demo_path)
    assert out.returncode == 2 and "criteria" in out.stderr and not (tmp_path / "out").exists()


def test_export_while_the_app_holds_the_database_names_the_export_page(demo_path, tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); sys.stdin.read()",
         str(demo_path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        out = qms("export", "--out", str(tmp_path / "out"), db=demo_path)
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "in use by another process" in lines[0] and "Báo cáo & xuất dữ liệu" in lines[0]


def test_indicators_json_scores_the_commune_criterion(demo_path):
    out = qms("indicators", "--year", "2016", "--json", db=demo_path)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    communes = next(i for i in data["indicators"] if i["level"] == "commune" and i["measure"] == "announced_rate")
    assert (communes["numerator"], communes["denominator"], communes["units_to_next_band"]) == (65, 108, 11)
    assert len(communes["units_below"]) == 43 and data["methodology"]["sample"] is True


def test_indicators_refuses_a_year_not_started(demo_path):
    out = qms("indicators", "--year", "2999", db=demo_path)
    assert out.returncode == 2 and "--year: 2999 has not started yet" in out.stderr


def test_annual_report_writes_the_xlsx(demo_path, tmp_path):
    target = tmp_path / "report-2016.xlsx"
    out = qms("annual-report", "--year", "2016", "--out", str(target), db=demo_path)
    assert out.returncode == 0, out.stderr
    sheet = openpyxl.load_workbook(io.BytesIO(target.read_bytes())).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert ["UBND cấp xã", 108] == next(r for r in values if r[1] == "UBND cấp xã")[1:3]


def test_annual_report_refuses_another_suffix(demo_path, tmp_path):
    out = qms("annual-report", "--year", "2016", "--out", str(tmp_path / "r.csv"), db=demo_path)
    assert out.returncode == 2 and "must end in .xlsx" in out.stderr
