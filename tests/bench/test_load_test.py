"""The load test's quick variant: the real app on localhost, one person signing in over Streamlit's
websocket and viewing the overview for a second, and one person saving through the store while
another reads.  Checks that it works and counts; never its times (the script prints those)."""

from __future__ import annotations

import shutil

from qms.bench import load_test


def test_one_person_views_pages_over_the_websocket_and_one_saves(demo_file, tmp_path):
    db = tmp_path / "load.duckdb"
    shutil.copyfile(demo_file, tmp_path / "source.duckdb")
    load_test.prepare(tmp_path / "source.duckdb", db)
    [step] = load_test.page_views(db, [1], 1)
    assert step["errors"] == [] and step["views"] >= 1 and step["p95_s"] is not None
    saved = load_test.saves(db, 1, 1)
    assert saved["errors"] == [] and saved["saves"] >= 1 and saved["overview_reads_per_s"] > 0
