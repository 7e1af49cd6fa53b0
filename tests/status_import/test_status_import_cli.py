"""`qms import-status` and `qms status-template`, run as a user runs them."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from status_sheets import DIEN_BIEN_CSV, load_units, status_sheet

from qms.kernel.db import open_database
from qms.kernel.settings import PROJECT_ROOT

SHEET = [["03124", None, None, "đã công bố", 2008, "7/QĐ-UBND", "11/11/2016"], ["03125", None, None, "đang xây dựng"]]


def qms(*args: str, db: Path) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "qms.cli", "--db", str(db), *args]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=120)


@pytest.fixture
def province(tmp_path: Path) -> Path:
    path = tmp_path / "cli.duckdb"
    db = open_database(path)
    load_units(db, DIEN_BIEN_CSV)
    db.close()
    return path


def _events(path: Path) -> int:
    db = open_database(path)
    try:
        return int(db.scalar("SELECT count(*) FROM qms_events"))
    finally:
        db.close()


@pytest.mark.parametrize("command", ["import-status", "status-template"])
def test_help(command, province):
    out = qms(command, "--help", db=province)
    assert out.returncode == 0 and "usage:" in out.stdout


def test_dry_run_json_writes_nothing(province, tmp_path):
    (tmp_path / "s.xlsx").write_bytes(status_sheet(*SHEET))
    out = qms("import-status", str(tmp_path / "s.xlsx"), "--dry-run", "--json", db=province)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["written"] is False and data["counts"]["new"] == 2 and data["events"] == 7
    commune = next(c for c in data["coverage"] if c["level"] == "commune")
    assert (commune["announced_before"], commune["announced_after"]) == (0, 1)
    assert _events(province) == 0


def test_import_writes_then_a_second_run_writes_nothing(province, tmp_path):
    (tmp_path / "s.xlsx").write_bytes(status_sheet(*SHEET))
    first = qms("import-status", str(tmp_path / "s.xlsx"), db=province)
    assert first.returncode == 0, first.stderr
    assert "7 events written" in first.stdout and _events(province) == 7
    second = qms("import-status", str(tmp_path / "s.xlsx"), db=province)
    assert second.returncode == 0 and "nothing to write" in second.stdout and _events(province) == 7


def test_a_bad_row_exits_2_with_one_sentence_naming_sheet_row_column(province, tmp_path):
    (tmp_path / "s.xlsx").write_bytes(status_sheet(*SHEET, ["03151", None, None, "hoàn thành"]))
    out = qms("import-status", str(tmp_path / "s.xlsx"), db=province)
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and "row 4" in out.stderr and "'Tình trạng'" in out.stderr and "đã công bố" in out.stderr
    assert _events(province) == 0


def test_missing_file_exits_2(province, tmp_path):
    out = qms("import-status", str(tmp_path / "nope.xlsx"), db=province)
    assert out.returncode == 2 and "no such file" in out.stderr


def test_status_template_writes_the_province_s_units(province, tmp_path):
    out = qms("status-template", "--out", str(tmp_path / "mau.xlsx"), db=province)
    assert out.returncode == 0, out.stderr
    wb = openpyxl.load_workbook(io.BytesIO((tmp_path / "mau.xlsx").read_bytes()))
    assert wb["Tình trạng ISO"].max_row == 11


def test_status_template_refuses_another_extension(province, tmp_path):
    out = qms("status-template", "--out", str(tmp_path / "mau.csv"), db=province)
    assert out.returncode == 2 and ".xlsx" in out.stderr
