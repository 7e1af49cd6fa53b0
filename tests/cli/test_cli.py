"""The qms command, run as a user runs it (a subprocess of the installed console script's module)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from qms.cli import build_parser
from qms.kernel.settings import PROJECT_ROOT


def qms(*args: str, db: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "qms.cli", *(["--db", str(db)] if db else []), *args]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=PROJECT_ROOT, env=env, timeout=120)


def _commands() -> list[str]:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return sorted(sub.choices)


@pytest.mark.parametrize("command", _commands())
def test_every_command_has_help_and_is_in_the_readme(command):
    out = qms(command, "--help")
    assert out.returncode == 0 and "usage:" in out.stdout
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(rf"qms {re.escape(command)}\b", readme), f"`qms {command}` is not documented in README.md"


def test_coverage_json_matches_the_published_figure(demo_path):
    out = qms("coverage", "--level", "commune", "--as-of", "2016-12-31", "--json", db=demo_path)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert (data["announced"], data["in_plan"], data["rate_pct"]) == (65, 108, 60.19)


def test_coverage_by_district_lists_every_district(demo_path):
    data = json.loads(qms("coverage", "--level", "commune", "--as-of", "2021-12-31", "--by-district", "--json", db=demo_path).stdout)
    assert data["in_plan"] == 106 and len(data["by_district"]) == 8


def test_bad_date_is_one_sentence_and_exit_2(demo_path):
    out = qms("coverage", "--level", "commune", "--as-of", "31/12/2016", db=demo_path)
    assert out.returncode == 2
    assert out.stderr.strip() == "qms: --as-of: '31/12/2016' is not a date in the form YYYY-MM-DD."


def test_init_then_demo_then_demo_refuses(tmp_path):
    db = tmp_path / "new.duckdb"
    assert qms("init", db=db).returncode == 0
    first = qms("demo", db=db)
    assert first.returncode == 0 and "108 communes" in first.stdout
    again = qms("demo", db=db)
    assert again.returncode == 2 and "--force" in again.stderr
    assert qms("demo", "--if-empty", db=db).returncode == 0


def test_import_units_reports_bad_lines_and_imports_nothing(tmp_path):
    db = tmp_path / "u.duckdb"
    csv_file = tmp_path / "units.csv"
    csv_file.write_text(
        "gso_code,name,level,kind,parent_gso_code\n12,Tỉnh X,province,tinh,\n101,Huyện A,huyen,huyen,12\n", encoding="utf-8"
    )
    out = qms("import-units", str(csv_file), db=db)
    assert out.returncode == 2 and "units.csv: 1 row refused" in out.stderr and "line 3" in out.stderr
    csv_file.write_text("gso_code,name,level,kind,parent_gso_code\n12,Tỉnh X,province,tinh,\n101,Huyện A,district,huyen,12\n", encoding="utf-8")
    ok = qms("import-units", str(csv_file), "--json", db=db)
    assert json.loads(ok.stdout) == {"file": str(csv_file), "new": 2, "unchanged": 0}


def test_locked_database_is_one_sentence(demo_path):
    """While another process holds the file (the running app), a command says so and how to proceed."""
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); time.sleep(60)", str(demo_path)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        out = qms("coverage", "--level", "commune", db=demo_path)
        assert out.returncode == 2
        assert "in use by another process" in out.stderr and "stop the app" in out.stderr
        assert len(out.stderr.strip().splitlines()) == 1
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.parametrize("args", [
    ("annual-report", "--year", "2016", "--out", "{file}"),
    ("status-template", "--out", "{file}"),
    ("export-tthc", "{file}"),
    ("export-processes", "{file}"),
])
def test_a_file_writer_refuses_to_replace_a_file_without_force(demo_path, tmp_path, args):
    target = tmp_path / "kept.xlsx"
    target.write_bytes(b"the user's own file")
    argv = [a.format(file=target) for a in args]
    refused = qms(*argv, db=demo_path)
    assert refused.returncode == 2 and refused.stderr.strip().splitlines() == [
        f"qms: {'--out: ' if '--out' in argv else ''}{target} already exists; add --force to replace it."]
    assert target.read_bytes() == b"the user's own file"
    forced = qms(*argv, "--force", db=demo_path)
    assert forced.returncode == 0, forced.stderr
    assert target.read_bytes()[:2] == b"PK"   # an .xlsx now


def test_the_demo_prints_each_account_with_its_role_once(tmp_path):
    db = tmp_path / "demo.duckdb"
    out = qms("demo", db=db)
    assert out.returncode == 0, out.stderr
    lines = {line.split()[0]: line for line in out.stdout.splitlines() if line.startswith("  ")}
    assert set(lines) == {"admin", "tdc", "iso.quyetthang", "lanhdao"}
    assert lines["admin"].endswith("administrator") and lines["lanhdao"].endswith("viewer (leaders), read-only")
    # the inspector's area: two departments, two districts until 2025, the new communes formed from them since
    # (units formed on a reused code read as people say them, not as the key: 03388 from 01/07/2025)
    assert lines["tdc"].endswith("auditor / inspector (units S12-01, S12-02, 03388 (from 01/07/2025), 03408 (from 01/07/2025), "
                                 "03390 (from 01/07/2025), 03405 (from 01/07/2025), 03430 (from 01/07/2025), "
                                 "03424 (from 01/07/2025), 03394 (from 01/07/2025); districts 105, 106)")
    assert lines["iso.quyetthang"].endswith("unit ISO officer (units 03386, 03388 (from 01/07/2025))")
    assert "Đổi mật khẩu" in out.stdout
    again = qms("demo", "--force", db=db)  # existing accounts keep their passwords: nothing printed again
    assert again.returncode == 0 and "Demo accounts" not in again.stdout
