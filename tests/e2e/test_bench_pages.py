"""The browser page benchmark (tests/e2e/bench_pages.py), run once quickly on the demo so that
the command the README and docs/performance.md name keeps working.  It asserts what the script
reports, never how fast: figures are the benchmark's to print."""

from __future__ import annotations

import math

import pytest

from .bench_pages import PAGES, measure, table

pytestmark = pytest.mark.e2e


def test_the_page_benchmark_measures_each_page_it_is_given(demo_file, browser, tmp_path):
    db_path = demo_file  # a closed file (the journeys' database is held open by their server)
    pages = [p for p in PAGES if p[1] in ("units", "processes", "overview")]
    figures = measure(db_path, 2, pages, tmp_path, browser)  # the session's browser: one sync Playwright per thread
    rows = [f.row() for f in figures]
    assert [r["page"] for r in rows] == ["units", "processes", "overview"]
    for r in rows:
        assert 0 < r["first_s"] < math.inf and 0 < r["warm_min_s"] <= r["warm_median_s"] <= r["warm_max_s"] < math.inf, r
        assert r["max_bytes"] > 1_000, r  # each view brought the page's elements over the websocket
        assert r["server_cpu_median_s"] > 0, r
    printed = table(rows)
    assert printed.count("\n") == len(rows) + 1 and "overview" in printed
