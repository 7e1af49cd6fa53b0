"""Prototype 2 (data model): derived stage spans, so coverage never scans the event history.

Implemented since by migration 008 and :mod:`qms.units.spans_store` (which the app's coverage reads);
this prototype stays as an independent cross-check the benchmark compares on every check date.
It was the proposal for that migration (built here only inside the benchmark database, in tables
prefixed ``proto_``): two tables derived from ``qms_events`` and rewritten, for the
units a write touches, inside that write's transaction by
:func:`qms.units.events_store.record_events_in` (:func:`refresh` is that step):

- ``unit_stage_spans(unit_code, stage, valid_from, valid_to)``: each unit's stage over time,
  one row per stage change (the last stage-moving event of a day wins, by id);
- ``unit_year_maintenance(unit_code, year, maintained_on, first_announced)``: the day in each
  year by which both an internal audit and a management review had been held.

Status on a date is still derived from the events (these rows are a pure function of them, and
rebuilt from them); coverage on a date becomes a range lookup over ~3 rows per unit instead of a
``GROUP BY`` over every event ever recorded, so its cost stops growing with the years of history.
"""

from __future__ import annotations

import datetime as dt

from qms.bench.prototype import GROUPED_SQL, MOVING_TYPES, results
from qms.coverage import rules
from qms.coverage.queries import TREND_SQL
from qms.coverage.targets_store import list_targets
from qms.units.model import COVERAGE_LEVELS, DistrictCoverage, LevelCoverage, TrendPoint
from qms.units.stage_sql import STAGE_CASE

DDL = """
CREATE TABLE IF NOT EXISTS proto_unit_stage_spans (
    unit_code VARCHAR NOT NULL, stage TINYINT NOT NULL, valid_from DATE NOT NULL, valid_to DATE
);
CREATE TABLE IF NOT EXISTS proto_unit_year_maintenance (
    unit_code VARCHAR NOT NULL, year INTEGER NOT NULL, maintained_on DATE NOT NULL
);
CREATE TABLE IF NOT EXISTS proto_unit_first_announced (unit_code VARCHAR PRIMARY KEY, first_announced DATE NOT NULL);
"""

_SPANS_SQL = f"""
WITH day_stage AS (
    SELECT unit_code, event_date, arg_max({STAGE_CASE}, id) AS stage FROM qms_events
    WHERE event_type IN ({MOVING_TYPES}) AND list_contains($codes, unit_code) GROUP BY unit_code, event_date
), changes AS (
    SELECT *, lag(stage) OVER (PARTITION BY unit_code ORDER BY event_date) AS before FROM day_stage
), kept AS (SELECT * FROM changes WHERE before IS NULL OR before <> stage)
SELECT unit_code, stage, event_date, lead(event_date) OVER (PARTITION BY unit_code ORDER BY event_date) FROM kept
"""

_MAINTENANCE_SQL = """
SELECT unit_code, year(event_date), greatest(min(event_date) FILTER (WHERE event_type = 'internal_audit'),
                                            min(event_date) FILTER (WHERE event_type = 'management_review'))
FROM qms_events WHERE event_type IN ('internal_audit', 'management_review') AND list_contains($codes, unit_code)
GROUP BY unit_code, year(event_date)
HAVING bool_or(event_type = 'internal_audit') AND bool_or(event_type = 'management_review')
"""

_FIRST_SQL = """
SELECT unit_code, min(event_date) FROM qms_events WHERE event_type = 'announced' AND list_contains($codes, unit_code)
GROUP BY unit_code
"""


def refresh(cur, codes: list[str]) -> None:
    """Rewrite the derived rows of ``codes`` from their events (what a write would do for the
    units it touched, inside its transaction)."""
    params = {"codes": codes}
    for table, sql in (("proto_unit_stage_spans", _SPANS_SQL), ("proto_unit_year_maintenance", _MAINTENANCE_SQL),
                       ("proto_unit_first_announced", _FIRST_SQL)):
        cur.execute(f"DELETE FROM {table} WHERE list_contains($codes, unit_code)", params)  # noqa: S608 - fixed names
        cur.execute(f"INSERT INTO {table} {sql}", params)  # noqa: S608


def build(cur) -> dict[str, int]:
    """Create and fill the derived tables for every unit (the migration's backfill)."""
    cur.execute(DDL)
    codes = [r[0] for r in cur.execute("SELECT DISTINCT unit_code FROM qms_events").fetchall()]
    refresh(cur, codes)
    return {t: cur.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]  # noqa: S608
            for t in ("proto_unit_stage_spans", "proto_unit_year_maintenance", "proto_unit_first_announced")}


_SQL = f"""
WITH e AS (
    SELECT s.unit_code, s.stage, f.first_announced, m.unit_code IS NOT NULL AS maintained
    FROM proto_unit_stage_spans s
    LEFT JOIN proto_unit_first_announced f ON f.unit_code = s.unit_code
    LEFT JOIN proto_unit_year_maintenance m
           ON m.unit_code = s.unit_code AND m.year = year($as_of) AND m.maintained_on <= $as_of
    WHERE s.valid_from <= $as_of AND (s.valid_to IS NULL OR s.valid_to > $as_of)
), {GROUPED_SQL}
"""


#: The store's trend query (qms.coverage.queries) over the prototype's own spans table.
_TREND_SQL = TREND_SQL.replace(" unit_stage_spans ", " proto_unit_stage_spans ")
if _TREND_SQL == TREND_SQL:  # pragma: no cover - a guard against a silent comparison of the store with itself
    raise RuntimeError("the store's trend query no longer reads unit_stage_spans")


def trend(db, as_of: dt.date, first_year: int = 2014) -> list[TrendPoint]:
    """The same as :func:`qms.coverage.queries.trend`, from the derived spans (a range join of
    the year-end dates to ~3 spans per unit instead of to every stage-moving event)."""
    points = rules.year_points(first_year, as_of)
    if not points:
        return []
    counts = {(r[0], r[1]): (r[2], r[3]) for r in db.rows(_TREND_SQL, {"years": [y for y, _ in points],
                                                                        "days": [d for _, d in points]})}
    targets = list_targets(db)
    return [
        TrendPoint(level=level, year=y, in_plan=counts.get((y, level.value), (0, 0))[0],
                   announced=counts.get((y, level.value), (0, 0))[1],
                   rate_pct=rules.rate_pct(counts.get((y, level.value), (0, 0))[1], counts.get((y, level.value), (0, 0))[0]),
                   target_pct=rules.target_lookup(targets, level, y))
        for y, _ in points for level in COVERAGE_LEVELS
    ]


def coverage_on(db, as_of: dt.date) -> tuple[list[LevelCoverage], list[DistrictCoverage]]:
    """``by_level`` and ``by_district`` (communes per district) from the derived tables."""
    return results(db.rows(_SQL, {"as_of": as_of, "year_start": dt.date(as_of.year, 1, 1)}), db, as_of)
