"""The load test's page views, quick: the real app on localhost, one person signing in over
Streamlit's own websocket (the protobuf messages a browser sends) and viewing the overview for a
second.  Checks that it works and counts; never its times (``python -m qms.bench.load_test``
prints those, docs/scale-out.md)."""

from __future__ import annotations

import shutil

import pytest

from qms.bench import load_test

pytestmark = pytest.mark.e2e


def test_one_person_views_pages_over_the_websocket(demo_file, tmp_path):
    db = tmp_path / "load.duckdb"
    shutil.copyfile(demo_file, tmp_path / "source.duckdb")
    load_test.prepare(tmp_path / "source.duckdb", db)
    [step] = load_test.page_views(db, [1], 1)
    assert step["errors"] == [] and step["views"] >= 1 and step["p95_s"] is not None
