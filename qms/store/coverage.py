"""Coverage on a date, computed in SQL over small aggregates.

Every query here reads the few stage-moving events of each unit (build started, applied,
announced, re-announced, withdrawn) and returns one row per level, district or year: pages
never pull the event table into Python to count it.
"""

from __future__ import annotations

import datetime as dt

from qms import coverage as rules
from qms.lifecycle import DECISION_19_IN_FORCE, STAGE_AFTER, STAGE_ORDER
from qms.models import COVERAGE_LEVELS, DistrictCoverage, Level, LevelCoverage, PendingUnit, Stage, TrendPoint
from qms.store.targets import list_targets
from qms.store.units import EXISTS_ON_SQL, NAME_ON_SQL

#: event_type -> stage number, generated from the domain's table so SQL and Python agree.
STAGE_CASE = "CASE event_type " + " ".join(
    f"WHEN '{ev.value}' THEN {STAGE_ORDER[stage]}" for ev, stage in STAGE_AFTER.items()
) + " END"

_STAGE_BY_NUMBER = {n: s for s, n in STAGE_ORDER.items()}

#: Each unit's stage on $as_of: the stage of its latest stage-moving event dated on or before it.
STAGE_ON_SQL = f"""
    SELECT unit_code, arg_max(stage, (event_date, id)) AS stage, max(event_date) AS since
    FROM (SELECT unit_code, event_date, id, {STAGE_CASE} AS stage FROM qms_events WHERE event_date <= $as_of)
    WHERE stage IS NOT NULL
    GROUP BY unit_code
"""

IN_PLAN_SQL = f"""
    SELECT u.code, u.level, u.parent_code FROM units u
    WHERE u.in_plan AND u.level IN ('department', 'district', 'commune') AND {EXISTS_ON_SQL}
"""


def by_level(db, as_of: dt.date) -> list[LevelCoverage]:
    """One row per coverage level (departments, districts, communes), zeros included.

    ``not_maintained``: announced before 1 January of the as-of year, yet without both an
    internal audit and a management review between that day and the as-of date (Decision 19
    Art. 4.4b: at least once a year).
    """
    sql = f"""
        WITH u AS ({IN_PLAN_SQL}),
        s AS ({STAGE_ON_SQL}),
        first_ann AS (
            SELECT unit_code, min(event_date) AS first_announced FROM qms_events
            WHERE event_type = 'announced' AND event_date <= $as_of GROUP BY unit_code
        ),
        maint AS (
            SELECT unit_code,
                   bool_or(event_type = 'internal_audit') AND bool_or(event_type = 'management_review') AS ok
            FROM qms_events
            WHERE event_date BETWEEN make_date(year($as_of), 1, 1) AND $as_of
              AND event_type IN ('internal_audit', 'management_review')
            GROUP BY unit_code
        )
        SELECT u.level,
               count(*) AS in_plan,
               count(*) FILTER (WHERE s.stage = 3) AS announced,
               count(*) FILTER (WHERE s.stage = 1) AS building,
               count(*) FILTER (WHERE s.stage = 2) AS applying,
               count(*) FILTER (WHERE coalesce(s.stage, 0) = 0) AS not_started,
               count(*) FILTER (WHERE s.stage = 3 AND f.first_announced < make_date(year($as_of), 1, 1)
                                 AND NOT coalesce(m.ok, false)) AS not_maintained
        FROM u
        LEFT JOIN s ON s.unit_code = u.code
        LEFT JOIN first_ann f ON f.unit_code = u.code
        LEFT JOIN maint m ON m.unit_code = u.code
        GROUP BY u.level
    """
    counts = {r[0]: r[1:] for r in db.rows(sql, {"as_of": as_of})}
    targets = list_targets(db)
    out = []
    for level in COVERAGE_LEVELS:
        in_plan, announced, building, applying, not_started, not_maintained = counts.get(level.value, (0, 0, 0, 0, 0, 0))
        rate = rules.rate_pct(announced, in_plan)
        target = rules.target_lookup(targets, level, as_of.year)
        out.append(LevelCoverage(
            level=level, as_of=as_of, in_plan=in_plan, announced=announced, building=building, applying=applying,
            never_started=not_started, not_maintained=not_maintained, rate_pct=rate, target_pct=target,
            gap_pct=rules.gap_pct(rate, target),
        ))
    return out


def by_district(db, as_of: dt.date, level: Level = Level.COMMUNE) -> list[DistrictCoverage]:
    """Units of ``level`` grouped by their district (parent), largest gap first; every district
    that exists on the date is listed, even one with no unit of that level."""
    sql = f"""
        WITH u AS ({IN_PLAN_SQL} AND u.level = $level),
        s AS ({STAGE_ON_SQL}),
        d AS (SELECT u.code FROM units u WHERE u.level = 'district' AND {EXISTS_ON_SQL}),
        agg AS (
            SELECT u.parent_code AS district_code, count(*) AS in_plan, count(*) FILTER (WHERE s.stage = 3) AS announced
            FROM u LEFT JOIN s ON s.unit_code = u.code GROUP BY u.parent_code
        )
        SELECT d.code, n.name, coalesce(agg.in_plan, 0), coalesce(agg.announced, 0)
        FROM d LEFT JOIN agg ON agg.district_code = d.code
        JOIN ({NAME_ON_SQL}) n ON n.code = d.code
    """
    target = rules.target_lookup(list_targets(db), level, as_of.year)
    rows = []
    for code, name, in_plan, announced in db.rows(sql, {"as_of": as_of, "level": level.value}):
        rate = rules.rate_pct(announced, in_plan)
        rows.append(DistrictCoverage(
            district_code=code, district_name=name, in_plan=in_plan, announced=announced, rate_pct=rate,
            target_pct=target, gap_pct=rules.gap_pct(rate, target),
        ))
    return rules.sort_by_gap(rows)


def trend(db, as_of: dt.date, first_year: int = 2014) -> list[TrendPoint]:
    """Rate per level at the end of each year from ``first_year`` to the as-of year (the last
    point is the as-of date itself), with each year's target; every level every year."""
    points = rules.year_points(first_year, as_of)
    if not points:
        return []
    sql = f"""
        WITH years AS (SELECT * FROM (VALUES {", ".join("(?, ?::DATE)" for _ in points)}) t(y, d)),
        u AS (
            SELECT y.y, u.code, u.level FROM years y JOIN units u
              ON u.in_plan AND u.level IN ('department', 'district', 'commune')
             AND (u.valid_from IS NULL OR u.valid_from <= y.d) AND (u.valid_to IS NULL OR u.valid_to > y.d)
        ),
        e AS (SELECT unit_code, event_date, id, {STAGE_CASE} AS stage FROM qms_events WHERE event_type IN
              ({", ".join(f"'{ev.value}'" for ev in STAGE_AFTER)})),
        s AS (
            SELECT y.y, e.unit_code, arg_max(e.stage, (e.event_date, e.id)) AS stage
            FROM years y JOIN e ON e.event_date <= y.d GROUP BY y.y, e.unit_code
        )
        SELECT u.y, u.level, count(*), count(*) FILTER (WHERE s.stage = 3)
        FROM u LEFT JOIN s ON s.y = u.y AND s.unit_code = u.code
        GROUP BY u.y, u.level
    """
    params: list = []
    for y, d in points:
        params += [y, d]
    counts = {(r[0], r[1]): (r[2], r[3]) for r in db.rows(sql, params)}
    targets = list_targets(db)
    out = []
    for y, _ in points:
        for level in COVERAGE_LEVELS:
            in_plan, announced = counts.get((y, level.value), (0, 0))
            out.append(TrendPoint(
                level=level, year=y, in_plan=in_plan, announced=announced,
                rate_pct=rules.rate_pct(announced, in_plan), target_pct=rules.target_lookup(targets, level, y),
            ))
    return out


def not_announced(db, as_of: dt.date, level: Level | None = None) -> list[PendingUnit]:
    """Units in the plan and existing on ``as_of`` that have not announced, with their stage and
    the day they entered it; a unit that never started counts from the later of its creation and
    the day Decision 19 took effect.  Longest-waiting first within each level."""
    sql = f"""
        WITH u AS ({IN_PLAN_SQL}), s AS ({STAGE_ON_SQL})
        SELECT u.code, n.name, u.level, u.parent_code, pn.name, coalesce(s.stage, 0),
               coalesce(s.since, greatest(coalesce(uu.valid_from, $d19), $d19)) AS since
        FROM u JOIN units uu ON uu.code = u.code
        LEFT JOIN s ON s.unit_code = u.code
        JOIN ({NAME_ON_SQL}) n ON n.code = u.code
        LEFT JOIN ({NAME_ON_SQL}) pn ON pn.code = u.parent_code
        WHERE coalesce(s.stage, 0) < 3 {"AND u.level = $level" if level else ""}
        ORDER BY CASE u.level WHEN 'department' THEN 1 WHEN 'district' THEN 2 ELSE 3 END, coalesce(s.stage, 0), since, u.code
    """
    params: dict = {"as_of": as_of, "d19": DECISION_19_IN_FORCE}
    if level:
        params["level"] = level.value
    out = []
    for code, name, lv, parent, parent_name, stage_no, since in db.rows(sql, params):
        is_district_child = Level(lv) is Level.COMMUNE
        days = (as_of - since).days if since and since <= as_of else 0
        out.append(PendingUnit(
            code=code, name=name, level=lv, district_code=parent if is_district_child else None,
            district_name=parent_name if is_district_child else None, stage=_STAGE_BY_NUMBER[stage_no],
            stage_since=since, days_in_stage=days,
        ))
    return out


def stage_of(db, unit_code: str, as_of: dt.date) -> tuple[Stage, dt.date | None]:
    """One unit's stage on a date (the same SQL the overview counts with)."""
    rows = db.rows(f"SELECT stage, since FROM ({STAGE_ON_SQL}) WHERE unit_code = $code", {"as_of": as_of, "code": unit_code})
    if not rows:
        return Stage.NOT_STARTED, None
    return _STAGE_BY_NUMBER[rows[0][0]], rows[0][1]


class Overview:
    """Everything the overview page shows for one date, read in one call."""

    def __init__(self, db, as_of: dt.date):
        self.as_of = as_of
        self.has_units = bool(db.scalar("SELECT count(*) FROM units"))
        self.by_level = by_level(db, as_of) if self.has_units else []
        self.by_district = by_district(db, as_of) if self.has_units else []
        self.trend = trend(db, as_of) if self.has_units else []
        self.pending = not_announced(db, as_of) if self.has_units else []
        self.sample_targets = bool(db.scalar("SELECT count(*) FROM targets WHERE is_sample AND year = ?", [as_of.year]))


def overview(db, as_of: dt.date) -> Overview:
    return Overview(db, as_of)
