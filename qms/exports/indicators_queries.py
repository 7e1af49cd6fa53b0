"""Numerators and denominators of the PAR-index measures, and the units that hold a rate down.

The counts come from :func:`qms.coverage.queries.by_level` and the announced-rate shortfall from
:func:`qms.coverage.queries.not_announced`, so an indicator can never disagree with the overview.
The only SQL of its own here lists the announced units that did not hold both an internal audit
and a management review this year: it is the same condition as ``by_level``'s
``not_maintained`` count (the tests check that the two agree).

``db`` is a :class:`~qms.kernel.db.Database` or a :class:`~qms.exports.snapshot_store.SnapshotReader`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from qms.coverage.queries import IN_PLAN_SQL, STAGE_ON_SQL, by_level, not_announced
from qms.units.model import Level
from qms.units.stage_sql import ANNOUNCED
from qms.units.store import NAME_ON_SQL


@dataclass(frozen=True)
class MeasureCount:
    numerator: int
    denominator: int


@dataclass(frozen=True)
class ShortUnit:
    """A unit that does not meet a measure on the date.

    ``reason``: for ``announced_rate`` the unit's stage (``not_started``, ``building``,
    ``applying``); for ``maintained_rate`` what is missing this year (``no_internal_audit``,
    ``no_management_review``, ``no_audit_no_review``).
    """

    code: str
    name: str
    level: Level
    district_code: str | None
    district_name: str | None
    reason: str


def measure_counts(db, as_of: dt.date) -> dict[tuple[str, Level], MeasureCount]:
    """``(measure, level) -> (numerator, denominator)`` for every measure and coverage level.

    - ``announced_rate``: announced / in plan (the overview's figures);
    - ``maintained_rate``: (announced - not maintained) / announced.
    """
    out: dict[tuple[str, Level], MeasureCount] = {}
    for row in by_level(db, as_of):
        out[("announced_rate", row.level)] = MeasureCount(row.announced, row.in_plan)
        out[("maintained_rate", row.level)] = MeasureCount(row.announced - row.not_maintained, row.announced)
    return out


_NOT_MAINTAINED_SQL = f"""
    WITH u AS ({IN_PLAN_SQL} AND u.level = $level),
    s AS ({STAGE_ON_SQL}),
    first_ann AS (
        SELECT unit_code, min(event_date) AS first_announced FROM qms_events
        WHERE event_type = 'announced' AND event_date <= $as_of GROUP BY unit_code
    ),
    m AS (
        SELECT unit_code, bool_or(event_type = 'internal_audit') AS audit, bool_or(event_type = 'management_review') AS review
        FROM qms_events
        WHERE event_date BETWEEN make_date(year($as_of), 1, 1) AND $as_of
          AND event_type IN ('internal_audit', 'management_review')
        GROUP BY unit_code
    )
    SELECT u.code, n.name, u.level, u.parent_code, pn.name, coalesce(m.audit, false), coalesce(m.review, false)
    FROM u
    JOIN s ON s.unit_code = u.code
    JOIN first_ann f ON f.unit_code = u.code
    LEFT JOIN m ON m.unit_code = u.code
    JOIN ({NAME_ON_SQL}) n ON n.code = u.code
    LEFT JOIN ({NAME_ON_SQL}) pn ON pn.code = u.parent_code
    WHERE s.stage = {ANNOUNCED} AND f.first_announced < make_date(year($as_of), 1, 1)
      AND NOT (coalesce(m.audit, false) AND coalesce(m.review, false))
    ORDER BY u.code
"""


def short_units(db, as_of: dt.date, measure: str, level: Level) -> list[ShortUnit]:
    """The units of ``level`` that do not meet ``measure`` on ``as_of``, by code."""
    if measure == "announced_rate":
        return sorted(
            (ShortUnit(p.key or p.code, p.name, p.level, p.district_code, p.district_name, p.stage.value)
             for p in not_announced(db, as_of, level)),  # by key: a reused code may also name an ended unit
            key=lambda u: u.code,
        )
    if measure == "maintained_rate":
        out = []
        for code, name, lv, parent, parent_name, audit, review in db.rows(_NOT_MAINTAINED_SQL, {"as_of": as_of, "level": level.value}):
            reason = "no_audit_no_review" if not (audit or review) else ("no_internal_audit" if not audit else "no_management_review")
            commune = Level(lv) is Level.COMMUNE
            out.append(ShortUnit(code, name, Level(lv), parent if commune else None, parent_name if commune else None, reason))
        return out
    raise ValueError(f"unknown measure {measure!r}")
