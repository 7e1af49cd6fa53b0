"""Coverage on a date, computed in SQL over small aggregates.

Every query here reads the derived stage spans of :mod:`qms.units.spans_store` (migration 008: a few
rows per unit, rewritten from the events by every write that records one) instead of scanning
the whole event history, so its cost does not grow with the years recorded; pages never pull
the event table into Python to count it.
"""

from __future__ import annotations

import datetime as dt

from qms.coverage import rules
from qms.coverage.targets_store import list_targets
from qms.units.model import COVERAGE_LEVELS, DistrictCoverage, Level, LevelCoverage, PendingUnit, Stage, TrendPoint
from qms.units.rules import DECISION_19_IN_FORCE, STAGE_ORDER
from qms.units.spans_store import STAGE_ON_SQL  # noqa: F401 - re-exported: other stores' queries use them
from qms.units.stage_sql import ANNOUNCED, APPLYING, BUILDING, NOT_STARTED
from qms.units.store import EXISTS_ON_SQL, NAME_ON_SQL, PARENT_ON_SQL

_STAGE_BY_NUMBER = {n: s for s, n in STAGE_ORDER.items()}

IN_PLAN_SQL = f"""
    SELECT u.code, u.level, u.parent_code FROM units u
    WHERE u.in_plan AND u.level IN ('department', 'district', 'commune') AND {EXISTS_ON_SQL}
"""

#: Each unit counted on $as_of (in the plan, existing, at a coverage level) with its stage (a
#: range lookup in the spans) and whether it missed this year's maintenance.
_UNITS_CTE = f"""
e AS (
    SELECT s.unit_code, s.stage, f.first_announced, m.unit_code IS NOT NULL AS maintained
    FROM unit_stage_spans s
    LEFT JOIN unit_first_announced f ON f.unit_code = s.unit_code
    LEFT JOIN unit_year_maintenance m ON m.unit_code = s.unit_code AND m.year = year($as_of) AND m.maintained_on <= $as_of
    WHERE s.valid_from <= $as_of AND (s.valid_to IS NULL OR s.valid_to > $as_of)
), u AS (
    SELECT u.code, u.level, u.parent_code, coalesce(e.stage, {NOT_STARTED}) AS stage,
           coalesce(e.stage = {ANNOUNCED} AND e.first_announced < make_date(year($as_of), 1, 1) AND NOT e.maintained, false)
               AS not_maintained
    FROM units u LEFT JOIN e ON e.unit_code = u.code
    WHERE u.in_plan AND u.level IN ('department', 'district', 'commune') AND {EXISTS_ON_SQL}
)"""

_COUNTS = f"""count(*) AS in_plan, count(*) FILTER (WHERE stage = {ANNOUNCED}) AS announced, count(*) FILTER (WHERE stage = {BUILDING}) AS building,
           count(*) FILTER (WHERE stage = {APPLYING}) AS applying, count(*) FILTER (WHERE stage = {NOT_STARTED}) AS not_started,
           count(*) FILTER (WHERE not_maintained) AS not_maintained"""

#: Districts existing on $as_of with their name on that day.
_DISTRICTS_CTE = f"""
d AS (
    SELECT u.code, n.name FROM units u JOIN ({NAME_ON_SQL}) n ON n.code = u.code
    WHERE u.level = 'district' AND {EXISTS_ON_SQL}
)"""

_LEVELS_SQL = f"WITH {_UNITS_CTE} SELECT 'level', level, NULL, {_COUNTS} FROM u GROUP BY level"

#: Per district: units of level $dlevel by parent, with only what that needs (no maintenance).
_DISTRICT_ROWS_SQL = f"""
WITH s AS ({STAGE_ON_SQL}), g AS (
    SELECT u.parent_code AS district_code, count(*) AS in_plan, count(*) FILTER (WHERE s.stage = {ANNOUNCED}) AS announced
    FROM units u LEFT JOIN s ON s.unit_code = u.code
    WHERE u.in_plan AND u.level = $dlevel AND {EXISTS_ON_SQL}
    GROUP BY u.parent_code
), {_DISTRICTS_CTE}
SELECT 'district', d.code, d.name, coalesce(g.in_plan, 0), coalesce(g.announced, 0)
FROM d LEFT JOIN g ON g.district_code = d.code
"""

#: Both results in one query: one pass over the units and the spans; ``GROUPING SETS`` gives the
#: counts per level and per district (units of level $dlevel grouped by parent).
_COVERAGE_SQL = f"""
WITH {_UNITS_CTE}, g AS (
    SELECT level, CASE WHEN level = $dlevel THEN parent_code END AS district_code, GROUPING(district_code) AS per_level,
           {_COUNTS}
    FROM u GROUP BY GROUPING SETS ((level), (level, district_code))
), {_DISTRICTS_CTE}
SELECT 'level' AS kind, level AS code, NULL AS name, in_plan, announced, building, applying, not_started, not_maintained
FROM g WHERE per_level = 1
UNION ALL
SELECT 'district', d.code, d.name, coalesce(g.in_plan, 0), coalesce(g.announced, 0), 0, 0, 0, 0
FROM d LEFT JOIN g ON g.per_level = 0 AND g.level = $dlevel AND g.district_code = d.code
"""


def levels_from_rows(rows: list[tuple], targets, as_of: dt.date) -> list[LevelCoverage]:
    """The ``'level'`` rows of a coverage query (kind, level, name, six counts) as models, every
    coverage level present (zeros when it has no row), with rate, target and gap."""
    counts = {r[1]: r[3:] for r in rows if r[0] == "level"}
    levels = []
    for lv in COVERAGE_LEVELS:
        in_plan, announced, building, applying, not_started, not_maintained = counts.get(lv.value, (0, 0, 0, 0, 0, 0))
        rate = rules.rate_pct(announced, in_plan)
        target = rules.target_lookup(targets, lv, as_of.year)
        levels.append(LevelCoverage(
            level=lv, as_of=as_of, in_plan=in_plan, announced=announced, building=building, applying=applying,
            never_started=not_started, not_maintained=not_maintained, rate_pct=rate, target_pct=target,
            gap_pct=rules.gap_pct(rate, target),
        ))
    return levels


def districts_from_rows(rows: list[tuple], targets, as_of: dt.date, level: Level) -> list[DistrictCoverage]:
    """The ``'district'`` rows of a coverage query as models, largest gap first."""
    target = rules.target_lookup(targets, level, as_of.year)
    districts = []
    for _, code, name, in_plan, announced, *_ in (r for r in rows if r[0] == "district"):
        rate = rules.rate_pct(announced, in_plan)
        districts.append(DistrictCoverage(district_code=code, district_name=name, in_plan=in_plan, announced=announced,
                                          rate_pct=rate, target_pct=target, gap_pct=rules.gap_pct(rate, target)))
    # By code first: districts of the same name in different provinces then keep one order.
    return rules.sort_by_gap(sorted(districts, key=lambda d: d.district_code))


def coverage_on(db, as_of: dt.date, level: Level = Level.COMMUNE) -> tuple[list[LevelCoverage], list[DistrictCoverage]]:
    """:func:`by_level` and :func:`by_district` (units of ``level`` per district) from one query
    and one read of the targets: what the overview shows."""
    rows = db.rows(_COVERAGE_SQL, {"as_of": as_of, "dlevel": level.value})
    targets = list_targets(db)
    return levels_from_rows(rows, targets, as_of), districts_from_rows(rows, targets, as_of, level)


def has_districts(db, as_of: dt.date) -> bool:
    """Whether any district-level unit exists on ``as_of`` (none since 01/07/2025)."""
    return bool(db.scalar(f"SELECT count(*) FROM units u WHERE u.level = 'district' AND {EXISTS_ON_SQL.replace('$as_of', '?')}",
                          [as_of, as_of]))


def levels_on(db, as_of: dt.date) -> list[Level]:
    """The coverage levels that have units on ``as_of`` (no district level after the 2025 reform)."""
    present = {r[0] for r in db.rows(
        f"SELECT DISTINCT u.level FROM units u WHERE {EXISTS_ON_SQL}", {"as_of": as_of})}
    return [lv for lv in COVERAGE_LEVELS if lv.value in present]


def by_level(db, as_of: dt.date) -> list[LevelCoverage]:
    """One row per coverage level (departments, districts, communes), zeros included.

    ``not_maintained``: announced before 1 January of the as-of year, yet without both an
    internal audit and a management review between that day and the as-of date (Decision 19
    Art. 4.4b: at least once a year).
    """
    return levels_from_rows(db.rows(_LEVELS_SQL, {"as_of": as_of}), list_targets(db), as_of)


def by_district(db, as_of: dt.date, level: Level = Level.COMMUNE) -> list[DistrictCoverage]:
    """Units of ``level`` grouped by their district (parent), largest gap first; every district
    that exists on the date is listed, even one with no unit of that level."""
    return districts_from_rows(db.rows(_DISTRICT_ROWS_SQL, {"as_of": as_of, "dlevel": level.value}), list_targets(db), as_of, level)


TREND_SQL = f"""
WITH years AS (SELECT unnest($years) AS y, unnest($days) AS d),
u AS (
    SELECT y.y, u.code, u.level FROM years y JOIN units u
      ON u.in_plan AND u.level IN ('department', 'district', 'commune')
     AND (u.valid_from IS NULL OR u.valid_from <= y.d) AND (u.valid_to IS NULL OR u.valid_to > y.d)
),
s AS (
    SELECT y.y, s.unit_code FROM years y JOIN unit_stage_spans s
      ON s.stage = {ANNOUNCED} AND s.valid_from <= y.d AND (s.valid_to IS NULL OR s.valid_to > y.d)
)
SELECT u.y, u.level, count(*), count(s.unit_code) FROM u LEFT JOIN s ON s.y = u.y AND s.unit_code = u.code GROUP BY u.y, u.level
"""


def trend(db, as_of: dt.date, first_year: int = 2014) -> list[TrendPoint]:
    """Rate per level at the end of each year from ``first_year`` to the as-of year (the last
    point is the as-of date itself), with each year's target; every level every year.  A range
    join of the year-end dates to the stage spans."""
    points = rules.year_points(first_year, as_of)
    if not points:
        return []
    counts = {(r[0], r[1]): (r[2], r[3])
              for r in db.rows(TREND_SQL, {"years": [y for y, _ in points], "days": [d for _, d in points]})}
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


#: The restated series: each unit existing on $as_of with every ancestor it was formed from
#: (through ``unit_links``, chains followed, weights multiplied), and, at each year-end, the
#: weighted share of those ancestors that existed and had announced that day.
RESTATED_SQL = f"""
WITH RECURSIVE today AS (
    SELECT u.code, u.level FROM units u
    WHERE u.in_plan AND u.level IN ('department', 'commune') AND {EXISTS_ON_SQL}
), anc(unit, ancestor, weight, depth) AS (
    SELECT code, code, 1.0::DOUBLE, 0 FROM today
    UNION ALL
    SELECT a.unit, l.old_code, a.weight * l.weight, a.depth + 1 FROM anc a JOIN unit_links l ON l.new_code = a.ancestor
    WHERE a.depth < 20
), years AS (SELECT unnest($years) AS y, unnest($days) AS d),
x AS (
    SELECT y.y, a.unit, sum(a.weight * CASE WHEN s.stage = {ANNOUNCED} THEN 1 ELSE 0 END) / sum(a.weight) AS share
    FROM years y JOIN anc a ON TRUE
    JOIN units au ON au.code = a.ancestor
     AND (au.valid_from IS NULL OR au.valid_from <= y.d) AND (au.valid_to IS NULL OR au.valid_to > y.d)
    LEFT JOIN unit_stage_spans s ON s.unit_code = a.ancestor AND s.valid_from <= y.d AND (s.valid_to IS NULL OR s.valid_to > y.d)
    GROUP BY y.y, a.unit
)
SELECT y.y, t.level, count(*) AS units, coalesce(sum(x.share), 0) AS announced_share
FROM years y JOIN today t ON TRUE LEFT JOIN x ON x.y = y.y AND x.unit = t.code
GROUP BY y.y, t.level
"""


def restated_trend(db, as_of: dt.date, first_year: int = 2014) -> list[TrendPoint]:
    """The trend restated on the units of ``as_of`` (departments and communes): at each year-end,
    each of today's units counts by the weighted share of the units it was formed from that had
    announced on that day (itself, where it already existed; a split ancestor by its link's
    weight); the rate is the sum over today's units, in percent of their number.  So "how far
    were we in 2016 on today's map" has an answer: today's 38 Lai Châu communes in 2016.
    ``announced`` is that sum rounded down to whole units."""
    points = rules.year_points(first_year, as_of)
    if not points or not db.scalar("SELECT count(*) FROM unit_links"):
        return []
    rows = db.rows(RESTATED_SQL, {"as_of": as_of, "years": [y for y, _ in points], "days": [d for _, d in points]})
    targets = list_targets(db)
    by = {(y, lv): (n, share) for y, lv, n, share in rows}
    out = []
    for y, _ in points:
        for level in (Level.DEPARTMENT, Level.COMMUNE):
            if (y, level.value) not in by:
                continue
            n, share = by[(y, level.value)]
            out.append(TrendPoint(level=level, year=y, in_plan=n, announced=int(share),
                                  rate_pct=round(100.0 * share / n, 2) if n else None,
                                  target_pct=rules.target_lookup(targets, level, y)))
    return out


def not_announced(db, as_of: dt.date, level: Level | None = None) -> list[PendingUnit]:
    """Units in the plan and existing on ``as_of`` that have not announced, with their stage and
    the day they entered it; a unit that never started counts from the later of its creation and
    the day Decision 19 took effect.  Longest-waiting first within each level."""
    sql = f"""
        WITH u AS ({IN_PLAN_SQL}), s AS ({STAGE_ON_SQL})
        SELECT coalesce(uu.gso_code, u.code), n.name, u.level, CASE WHEN pu.level = 'district' THEN u.parent_code END,
               CASE WHEN pu.level = 'district' THEN pn.name END, coalesce(s.stage, {NOT_STARTED}),
               coalesce(s.since, greatest(coalesce(uu.valid_from, $d19), $d19)) AS since, u.code
        FROM u JOIN units uu ON uu.code = u.code
        LEFT JOIN s ON s.unit_code = u.code
        JOIN ({NAME_ON_SQL}) n ON n.code = u.code
        LEFT JOIN units pu ON pu.code = u.parent_code
        LEFT JOIN ({NAME_ON_SQL}) pn ON pn.code = u.parent_code
        WHERE coalesce(s.stage, {NOT_STARTED}) < {ANNOUNCED} {"AND u.level = $level" if level else ""}
        ORDER BY CASE u.level WHEN 'department' THEN 1 WHEN 'district' THEN 2 ELSE 3 END, coalesce(s.stage, {NOT_STARTED}), since, u.code
    """
    params: dict = {"as_of": as_of, "d19": DECISION_19_IN_FORCE}
    if level:
        params["level"] = level.value
    out = []
    for code, name, lv, parent, parent_name, stage_no, since, key in db.rows(sql, params):
        is_district_child = Level(lv) is Level.COMMUNE
        days = (as_of - since).days if since and since <= as_of else 0
        out.append(PendingUnit(
            code=code, name=name, level=lv, district_code=parent if is_district_child else None,
            district_name=parent_name if is_district_child else None, stage=_STAGE_BY_NUMBER[stage_no],
            stage_since=since, days_in_stage=days, key=key,
        ))
    return out


def communes_without_district(db, as_of: dt.date) -> list[PendingUnit]:
    """The communes existing on ``as_of`` that belong to no district (the two-level government
    since 01/07/2025), each with its stage and the day it entered it, least advanced first."""
    return [unit for unit, _ in _communes_without_district(db, as_of)]


def _communes_without_district(db, as_of: dt.date) -> list[tuple[PendingUnit, str | None]]:
    rows = db.rows(f"""
        WITH s AS ({STAGE_ON_SQL})
        SELECT coalesce(u.gso_code, u.code), n.name, coalesce(s.stage, {NOT_STARTED}), coalesce(s.since, u.valid_from, $d19), p.parent_code
        FROM units u JOIN ({NAME_ON_SQL}) n ON n.code = u.code
        JOIN ({PARENT_ON_SQL}) p ON p.code = u.code LEFT JOIN units pu ON pu.code = p.parent_code
        LEFT JOIN s ON s.unit_code = u.code
        WHERE u.level = 'commune' AND u.in_plan AND {EXISTS_ON_SQL} AND coalesce(pu.level, 'province') <> 'district'
        ORDER BY coalesce(s.stage, {NOT_STARTED}), n.name""", {"as_of": as_of, "d19": DECISION_19_IN_FORCE})
    return [(PendingUnit(code=c, name=n, level=Level.COMMUNE, district_code=None, district_name=None,
                         stage=_STAGE_BY_NUMBER[st], stage_since=since, days_in_stage=max(0, (as_of - since).days)), province)
            for c, n, st, since, province in rows]


def stage_of(db, unit_code: str, as_of: dt.date) -> tuple[Stage, dt.date | None]:
    """One unit's stage on a date (the same SQL the overview counts with)."""
    rows = db.rows(f"SELECT stage, since FROM ({STAGE_ON_SQL}) WHERE unit_code = $code", {"as_of": as_of, "code": unit_code})
    if not rows:
        return Stage.NOT_STARTED, None
    return _STAGE_BY_NUMBER[rows[0][0]], rows[0][1]


#: Above this many districts the overview groups communes by province first (a national database).
PROVINCE_GROUPING_ABOVE = 100


def many_districts(db, as_of: dt.date) -> bool:
    """More districts exist on ``as_of`` than a page can show one row each (a national database):
    pages then group by province (:data:`PROVINCE_GROUPING_ABOVE`)."""
    return db.scalar(f"SELECT count(*) FROM units u WHERE u.level = 'district' AND {EXISTS_ON_SQL}",
                     {"as_of": as_of}) > PROVINCE_GROUPING_ABOVE

#: Communes per province on $as_of, whether under a district (the province is the district's
#: parent) or directly under the province (the two-level government from 01/07/2025); parents as
#: on the date (a commune moved by an administrative change counts where it is).
_PROVINCE_SQL = f"""
WITH {_UNITS_CTE}, par AS ({PARENT_ON_SQL}), cp AS (
    SELECT u.stage, CASE WHEN pu.level = 'province' THEN pu.code ELSE gp.parent_code END AS province
    FROM u JOIN par p ON p.code = u.code LEFT JOIN units pu ON pu.code = p.parent_code
    LEFT JOIN par gp ON gp.code = p.parent_code
    WHERE u.level = 'commune'
), g AS (
    SELECT province, count(*) AS in_plan, count(*) FILTER (WHERE stage = {ANNOUNCED}) AS announced FROM cp GROUP BY province
), p AS (
    SELECT u.code, n.name FROM units u JOIN ({NAME_ON_SQL}) n ON n.code = u.code
    WHERE u.level = 'province' AND {EXISTS_ON_SQL}
)
SELECT 'district', p.code, p.name, coalesce(g.in_plan, 0), coalesce(g.announced, 0) FROM p LEFT JOIN g ON g.province = p.code
"""


def by_province(db, as_of: dt.date) -> list[DistrictCoverage]:
    """Communes grouped by province (through their district), largest gap first; every province
    existing on the date is listed.  Rows are :class:`DistrictCoverage` whose ``district_code`` and
    ``district_name`` are the province's (the overview's first level at national scale)."""
    return districts_from_rows(db.rows(_PROVINCE_SQL, {"as_of": as_of}), list_targets(db), as_of, Level.COMMUNE)


class Overview:
    """Everything the overview page shows for one date, read in one call.

    With more than :data:`PROVINCE_GROUPING_ABOVE` districts, ``by_province`` holds the communes
    per province and :meth:`districts_in` a province's districts (the page drills down);
    otherwise ``by_province`` is empty and the page lists every district.
    """

    def __init__(self, db, as_of: dt.date):
        self.as_of = as_of
        self.has_units = bool(db.scalar("SELECT count(*) FROM units"))
        self.by_level, self.by_district = coverage_on(db, as_of) if self.has_units else ([], [])
        #: The levels that exist on the date: no district level from 01/07/2025.
        self.levels = levels_on(db, as_of) if self.has_units else []
        self.by_level = [row for row in self.by_level if row.level in self.levels]
        #: Communes under the province directly (no districts on the date): each with its stage.
        placed = _communes_without_district(db, as_of) if self.has_units and Level.DISTRICT not in self.levels else []
        self.communes = [unit for unit, _ in placed]
        self.trend = trend(db, as_of) if self.has_units else []
        #: The same years restated on the units of the date (empty when no unit was ever formed by a change).
        self.restated = restated_trend(db, as_of) if self.has_units else []
        self.pending = not_announced(db, as_of) if self.has_units else []
        self.sample_targets = bool(db.scalar("SELECT count(*) FROM targets WHERE is_sample AND year = ?", [as_of.year]))
        self.by_province: list[DistrictCoverage] = []
        self._province_of: dict[str, str | None] = {}
        self._communes_of: dict[str, list[PendingUnit]] = {}
        if len(self.by_district) > PROVINCE_GROUPING_ABOVE:
            self.by_province = by_province(db, as_of)
            self._province_of = dict(db.rows("SELECT code, parent_code FROM units WHERE level = 'district'"))
        elif self.communes and db.scalar(
                f"SELECT count(*) FROM units u WHERE u.level = 'province' AND {EXISTS_ON_SQL}", {"as_of": as_of}) > 1:
            # the country after 2025: thousands of communes directly under 34 provinces
            self.by_province = by_province(db, as_of)
            self._province_of = dict(db.rows("SELECT code, parent_code FROM units WHERE level = 'district'"))
            for unit, province in placed:
                self._communes_of.setdefault(province, []).append(unit)

    def districts_in(self, province_code: str) -> list[DistrictCoverage]:
        """The districts of one province (rows of ``by_district``, same order)."""
        return [d for d in self.by_district if self._province_of.get(d.district_code) == province_code]

    def areas_in(self, province_code: str) -> set[str]:
        """The row codes of one province in per-district figures (actions, findings): its
        districts, past ones included, and the province itself (its communes since 2025)."""
        return {d for d, p in self._province_of.items() if p == province_code} | {province_code}

    def communes_in(self, province_code: str) -> list[PendingUnit]:
        """The communes directly under one province (a national database after 2025)."""
        return self._communes_of.get(province_code, [])


def overview(db, as_of: dt.date) -> Overview:
    return Overview(db, as_of)
