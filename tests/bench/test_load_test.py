"""The load test's saves, quick: one person saving through the store while another reads the
overview's figures, for a second.  Checks that it works and counts; never its times (the script
prints those).  The page views over the websocket need the running app: tests/e2e/test_load.py."""

from __future__ import annotations

import shutil

from qms.bench import load_test


def test_one_person_saves_while_another_reads(demo_file, tmp_path):
    db = tmp_path / "load.duckdb"
    shutil.copyfile(demo_file, tmp_path / "source.duckdb")
    load_test.prepare(tmp_path / "source.duckdb", db)
    saved = load_test.saves(db, 1, 1)
    assert saved["errors"] == [] and saved["saves"] >= 1 and saved["overview_reads_per_s"] > 0
