"""Prototype 1 (queries only): coverage per level and per district from one query.

Not used by the app: :mod:`qms.coverage.queries` is the integrator's; this proves a gain with
numbers.  The real :func:`~qms.coverage.queries.by_level` and
:func:`~qms.coverage.queries.by_district` each scan the events to find every unit's stage
(``by_level`` three times: stage, first announcement, maintenance), order events by a
``(event_date, id)`` struct, and read the targets twice.  :func:`coverage_on` computes both
results with one query: one pass over ``qms_events`` (stage, first announcement and this year's
maintenance in one ``GROUP BY``), an integer ordering key, one join to the units, and
``GROUPING SETS`` for the per-level and per-district counts; the targets are read once.  The
benchmark checks its figures equal the real functions' and the baseline's on every check date.
"""

from __future__ import annotations

import datetime as dt

from qms.coverage.queries import districts_from_rows, levels_from_rows
from qms.coverage.targets_store import list_targets
from qms.units.model import DistrictCoverage, Level, LevelCoverage
from qms.units.rules import STAGE_AFTER
from qms.units.stage_sql import ANNOUNCED, APPLYING, BUILDING, NOT_STARTED, STAGE_CASE
from qms.units.store import EXISTS_ON_SQL, NAME_ON_SQL

MOVING_TYPES = ", ".join(f"'{ev.value}'" for ev in STAGE_AFTER)

#: Units counted on $as_of with their stage and "not maintained" flag -> the two result sets.
#: Expects a CTE ``e(unit_code, stage, first_announced, maintained)`` defined before it.
GROUPED_SQL = f"""
u AS (
    SELECT u.code, u.level, u.parent_code, coalesce(e.stage, {NOT_STARTED}) AS stage,
           coalesce(e.stage = {ANNOUNCED} AND e.first_announced < $year_start AND NOT coalesce(e.maintained, false), false) AS not_maintained
    FROM units u LEFT JOIN e ON e.unit_code = u.code
    WHERE u.in_plan AND u.level IN ('department', 'district', 'commune') AND {EXISTS_ON_SQL}
), g AS (
    SELECT level, CASE WHEN level = 'commune' THEN parent_code END AS district_code, GROUPING(district_code) AS per_level,
           count(*) AS in_plan, count(*) FILTER (WHERE stage = {ANNOUNCED}) AS announced, count(*) FILTER (WHERE stage = {BUILDING}) AS building,
           count(*) FILTER (WHERE stage = {APPLYING}) AS applying, count(*) FILTER (WHERE stage = {NOT_STARTED}) AS not_started,
           count(*) FILTER (WHERE not_maintained) AS not_maintained
    FROM u GROUP BY GROUPING SETS ((level), (level, district_code))
), d AS (
    SELECT u.code, n.name FROM units u JOIN ({NAME_ON_SQL}) n ON n.code = u.code
    WHERE u.level = 'district' AND {EXISTS_ON_SQL}
)
SELECT 'level' AS kind, level AS code, NULL AS name, in_plan, announced, building, applying, not_started, not_maintained
FROM g WHERE per_level = 1
UNION ALL
SELECT 'district', d.code, d.name, coalesce(g.in_plan, 0), coalesce(g.announced, 0), 0, 0, 0, 0
FROM d LEFT JOIN g ON g.per_level = 0 AND g.level = 'commune' AND g.district_code = d.code
"""

_SQL = f"""
WITH e AS (
    SELECT unit_code,
           arg_max({STAGE_CASE}, date_diff('day', DATE '1900-01-01', event_date) * 1099511627776 + id)
               FILTER (WHERE event_type IN ({MOVING_TYPES})) AS stage,
           min(event_date) FILTER (WHERE event_type = 'announced') AS first_announced,
           bool_or(event_type = 'internal_audit' AND event_date >= $year_start)
             AND bool_or(event_type = 'management_review' AND event_date >= $year_start) AS maintained
    FROM qms_events WHERE event_date <= $as_of
    GROUP BY unit_code
), {GROUPED_SQL}
"""


def results(rows: list[tuple], db, as_of: dt.date) -> tuple[list[LevelCoverage], list[DistrictCoverage]]:
    """Rows of :data:`GROUPED_SQL` -> the same models ``by_level`` and ``by_district`` return
    (the store's own conversion: only the query differs)."""
    targets = list_targets(db)
    return levels_from_rows(rows, targets, as_of), districts_from_rows(rows, targets, as_of, Level.COMMUNE)


def coverage_on(db, as_of: dt.date) -> tuple[list[LevelCoverage], list[DistrictCoverage]]:
    """The same two results as ``by_level(db, as_of)`` and ``by_district(db, as_of)`` (communes
    per district), from one query over the events."""
    return results(db.rows(_SQL, {"as_of": as_of, "year_start": dt.date(as_of.year, 1, 1)}), db, as_of)
