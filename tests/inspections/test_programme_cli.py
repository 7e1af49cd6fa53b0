"""``qms programme``: propose, show, export, as a user runs it."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import openpyxl

from qms.kernel.settings import PROJECT_ROOT


def qms(*args, db):
    return subprocess.run([sys.executable, "-m", "qms.cli", "--db", str(db), *args], capture_output=True, text=True,
                          cwd=PROJECT_ROOT, timeout=120)


def test_propose_show_export(today_file, tmp_path):
    db = tmp_path / "cli.duckdb"
    db.write_bytes(today_file.read_bytes())
    missing = qms("programme", "show", "--year", "2027", db=db)
    assert missing.returncode == 2
    assert missing.stderr.strip() == ("qms: --year: there is no inspection plan for 2027; "
                                      "run 'qms programme propose --year 2027' first.")
    proposed = qms("programme", "propose", "--year", "2027", "--json", db=db)
    assert proposed.returncode == 0, proposed.stderr
    plan = json.loads(proposed.stdout)
    on_site = sum(i["mode"] == "on_site" for i in plan["items"])
    assert plan["status"] == "draft" and len(plan["items"]) > 30 and on_site * 3 >= len(plan["items"])
    assert {i["month"] for i in plan["items"]} <= set(range(3, 11))  # a future year: March to October
    assert all(i["reasons"] for i in plan["items"][:5])
    result = json.loads(qms("programme", "show", "--year", "2027", "--json", db=db).stdout)["result"]
    assert result == {"units_inspected": 0, "on_site": 0, "on_records": 0, "requests": 0, "requests_closed_on_time": 0,
                      "findings": {"major": 0, "minor": 0, "observation": 0}}
    shown = qms("programme", "show", "--year", "2027", db=db)
    assert shown.returncode == 0 and f"2027 plan, draft: {len(plan['items'])} inspections, {on_site} on site" in shown.stdout
    out = qms("programme", "export", "--year", "2027", "--out", str(tmp_path / "out"), db=db)
    assert out.returncode == 0, out.stderr
    book = openpyxl.load_workbook(io.BytesIO((tmp_path / "out" / "ke-hoach-kiem-tra-2027.xlsx").read_bytes()), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][:7] == ("STT", "Cơ quan được kiểm tra", "Mã đơn vị", "Đơn vị/đoàn kiểm tra", "Thời gian dự kiến",
                           "Hình thức kiểm tra", "Kinh phí")
    assert len(rows) == len(plan["items"]) + 1
    again = qms("programme", "export", "--year", "2027", "--out", str(tmp_path / "out"), db=db)
    assert again.returncode == 2 and "exists; add --force to replace it." in again.stderr
    assert qms("programme", "export", "--year", "2027", "--out", str(tmp_path / "out"), "--force", db=db).returncode == 0
