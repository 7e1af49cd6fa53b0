"""Crash safety, quick variant: one writer of each kind killed with SIGKILL at a random moment,
then every invariant (qms/reliability/crash_checks.py).  The long run, 30 kills per kind:
``python -m qms.reliability.crash --trials 30`` (docs/reliability.md, "Crash safety")."""

from __future__ import annotations

import shutil
from pathlib import Path

from qms.accounts.rules import system_principal
from qms.kernel.db import open_database
from qms.reliability import crash
from qms.reliability.crash_checks import check_trial
from qms.reliability.crash_work import KINDS


def test_one_killed_writer_of_each_kind_leaves_every_invariant_holding(demo_file: Path, tmp_path: Path):
    report = crash.run(tuple(KINDS), trials=1, seed=14, workdir=tmp_path, base=demo_file)
    assert [s["kind"] for s in report.summary()] == list(KINDS)
    assert report.violations == 0, crash.render(report)
    assert all(t.killed for t in report.trials)   # each writer was killed while still writing


def test_the_checks_see_a_lost_write_and_a_write_without_its_log(demo_file: Path, tmp_path: Path):
    """The checks can fail: a claimed event that is not there, and an event whose change-log
    entry is gone (what a write committed by halves would leave)."""
    path = Path(shutil.copyfile(demo_file, tmp_path / "broken.duckdb"))
    db = open_database(path)
    try:
        event_id, unit = db.rows("SELECT id, unit_code FROM qms_events ORDER BY id LIMIT 1")[0]
        db.write(lambda cur: cur.execute("DELETE FROM change_log WHERE entity = 'qms_events' AND entity_key = ?",
                                         [f"{unit}#{event_id}"]))
    finally:
        db.close()
    violations = check_trial("events", path, tmp_path / "exports", [{"event": 10**9, "unit": unit}])
    assert "1 lifecycle event(s) have no change-log entry" in violations
    assert f"event #{10**9} of {unit} was committed but is missing" in violations


def test_the_checks_see_half_an_import_and_a_snapshot_without_manifest(demo_file: Path, tmp_path: Path):
    from qms.reliability.crash_work import unit_codes
    from qms.units.importer import parse_units_csv
    from qms.units.store import import_units

    path = Path(shutil.copyfile(demo_file, tmp_path / "half.duckdb"))
    db = open_database(path)
    try:   # a file's first 3 rows only: what a torn import would leave
        half = "gso_code,name,level,kind,parent_gso_code\n" + "".join(f"{c},Ban {c},department,so,12\n" for c in unit_codes(0)[:3])
        import_units(db, parse_units_csv(half), actor=system_principal("t"), source="crash-units-0.csv")
    finally:
        db.close()
    (tmp_path / "exports" / "2016-12-31_20240101T000000Z").mkdir(parents=True)
    violations = check_trial("import_units", path, tmp_path / "exports", [])
    assert any("crash-units-0.csv: 3 of its 40 rows are there (half an import)" in v for v in violations)
    assert "snapshot folder 2016-12-31_20240101T000000Z has no manifest" in violations
