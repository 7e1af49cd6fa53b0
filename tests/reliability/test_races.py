"""Races, quick variant: two writers at once on one audit item, one action, one unit's events and
one sign-in name, 15 rounds each.  The long run, 200 rounds each:
``python -m qms.reliability.races --rounds 200`` (docs/reliability.md, "Races")."""

from __future__ import annotations

import shutil
from pathlib import Path

from qms.accounts.rules import system_principal
from qms.coverage.targets_store import list_targets, set_targets
from qms.kernel.db import open_database
from qms.reliability import races
from qms.units.model import Level, Target


def test_two_writers_never_both_win(demo_file: Path, tmp_path: Path):
    results = races.run(tuple(races.RACES), rounds=15, workdir=tmp_path, base=demo_file)
    assert [f.race for f in results] == list(races.RACES)
    assert all(f.rounds == 15 for f in results)
    assert sum(len(f.violations) for f in results) == 0, races.render(results)
    assert all(f.one_winner >= 1 for f in results)   # the races were real: someone won


def test_the_judge_sees_a_silent_overwrite(demo_file: Path, tmp_path: Path):
    """The harness can fail: targets are saved last-writer-wins (the grid sends no version), so
    two administrators saving one year's target one after the other from the same screen are both
    told 'saved'.  (Run one after the other, not in two threads: released together, DuckDB may
    refuse one of the two overlapping transactions, which is no overwrite, and the test would
    depend on the machine's load.)"""
    db = open_database(shutil.copyfile(demo_file, tmp_path / "targets.duckdb"))
    try:
        figures = races.RaceFigures("targets")
        values = (70.0, 90.0)
        a, b = [(True, set_targets(db, [Target(level=Level.COMMUNE, year=2031, target_pct=v)], actor=system_principal("lead")))
                for v in values]
        held = next(t.target_pct for t in list_targets(db) if t.year == 2031 and t.level is Level.COMMUNE)
        races._judge(figures, 0, a, b, stands=lambda i: held == values[i], what="target")
    finally:
        db.close()
    assert figures.violations == ["round 0: both writers were told 'target saved'; one was silently overwritten"]
