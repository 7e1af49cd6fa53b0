from __future__ import annotations

import pytest

from qms.coverage.targets import from_grid, grid
from qms.kernel.errors import ValidationError
from qms.units.model import Level, Target

PREVIOUS = [Target(level=Level.COMMUNE, year=2016, target_pct=50, is_sample=True), Target(level=Level.DISTRICT, year=2016, target_pct=100, is_sample=True)]


def test_grid_has_one_row_per_year_with_every_level():
    assert grid(PREVIOUS) == [{"year": 2016, "department": None, "district": 100, "commune": 50, "sample": True}]


def test_unchanged_value_stays_a_sample_and_changed_one_does_not():
    rows = [{"year": 2016, "department": None, "district": 100, "commune": 60}]
    got = {(t.level, t.year): t for t in from_grid(rows, PREVIOUS)}
    assert got[(Level.DISTRICT, 2016)].is_sample is True
    assert got[(Level.COMMUNE, 2016)].is_sample is False and got[(Level.COMMUNE, 2016)].target_pct == 60


def test_value_over_100_is_refused_naming_year_and_level():
    with pytest.raises(ValidationError, match="commune in 2017"):
        from_grid([{"year": 2017, "commune": 120}])


def test_duplicate_year_is_refused():
    with pytest.raises(ValidationError, match="appears twice"):
        from_grid([{"year": 2017, "commune": 10}, {"year": 2017, "commune": 20}])


def test_blank_rows_are_ignored():
    assert from_grid([{"year": None, "commune": 10}]) == []
