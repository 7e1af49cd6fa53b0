"""The demo province's scope, and the overview's SQL figures against the per-unit detail."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from qms.scope import queries as S
from qms.scope.model import UpdateState
from qms.units.model import COVERAGE_LEVELS, Level

END_2021 = dt.date(2021, 12, 31)


def test_departments_hold_tens_of_tthc_and_communes_their_common_ones(demo_db):
    rows = S.scope_by_unit(demo_db, END_2021, incomplete_only=False)
    depts = [r.tthc_total for r in rows if r.level is Level.DEPARTMENT]
    communes = [r.tthc_total for r in rows if r.level is Level.COMMUNE]
    assert len(depts) == 20 and sum(1 for n in depts if n >= 10) >= 10 and min(depts) >= 3
    assert len(communes) == 106 and 25 <= min(communes) and max(communes) <= 45


def test_the_demo_has_gaps_overdue_updates_and_reannouncements(demo_db):
    data = S.scope_overview(demo_db, END_2021)
    assert data.has_catalogue and data.announced_incomplete > 0
    assert 0 < data.overdue_updates < 30 and data.reannounce_due > 0


def test_processes_of_units_that_never_started_do_not_exist(demo_db):
    never = demo_db.rows("""SELECT u.code FROM units u WHERE u.level = 'commune'
                            AND NOT EXISTS (SELECT 1 FROM qms_events e WHERE e.unit_code = u.code)""")
    assert never
    assert demo_db.scalar("SELECT count(*) FROM process_versions WHERE list_contains(?, unit_code)", [[c for (c,) in never]]) == 0


@pytest.mark.parametrize("as_of", [dt.date(2016, 12, 31), dt.date(2020, 10, 16), dt.date(2020, 10, 17), END_2021])
def test_overview_figures_equal_the_sum_of_the_per_unit_detail(demo_db, as_of):
    overview = {r.level: r for r in S.scope_overview(demo_db, as_of).levels}
    units = S.scope_by_unit(demo_db, as_of, incomplete_only=False)
    overdue = Counter(o.unit_code for o in S.update_obligations(demo_db, as_of, states=(UpdateState.OVERDUE,)))
    for level in COVERAGE_LEVELS:
        mine = [u for u in units if u.level is level]
        row = overview[level]
        assert row.units == len(mine)
        assert row.tthc_total == sum(u.tthc_total for u in mine) and row.tthc_covered == sum(u.tthc_covered for u in mine)
        assert row.incomplete == sum(1 for u in mine if u.complete is False)
        assert row.announced_incomplete == sum(1 for u in mine if u.complete is False and u.announced)
        assert row.overdue_updates == sum(overdue[u.unit_code] for u in mine)


def test_unit_detail_agrees_with_its_row(demo_db):
    for row in S.scope_by_unit(demo_db, END_2021, level=Level.DISTRICT, incomplete_only=False):
        unit = S.unit_scope(demo_db, row.unit_code, END_2021)
        assert (unit.tthc_total, len(unit.covered)) == (row.tthc_total, row.tthc_covered)


def test_the_826_change_is_taken_in_by_most_communes_on_time(demo_db):
    rows = [o for o in S.update_obligations(demo_db, END_2021) if o.document_no == "826/QĐ-UBND"]
    states = Counter(o.state for o in rows)
    assert states[UpdateState.DONE] > 10 * states[UpdateState.OVERDUE] > 0
