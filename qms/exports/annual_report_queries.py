"""Counts of the yearly provincial report to the Ministry (Decision 19, Annex II style).

Per group (provincial departments, sub-departments, district committees, commune committees)
on a year's last day (or an earlier as-of date for the current year): how many must or plan to
run a QMS, how many ever started building it, ever applied it, have it announced, re-announced it
during the year, and were inspected on records / on site during the year.

Inspections are counted from the ``audits`` table (kinds ``inspection_records`` and
``inspection_site``) once that feature's migration has created it; before that the counts are 0
and :attr:`AnnualCounts.inspections_recorded` is False, so the report says so in a note.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from qms.coverage.queries import STAGE_ON_SQL
from qms.kernel.clock import province_today
from qms.units.stage_sql import ANNOUNCED
from qms.units.store import EXISTS_ON_SQL

#: Report groups in the report's order.
GROUPS: tuple[str, ...] = ("departments", "sub_departments", "districts", "communes")

#: Department-level kinds reported as sub-departments; every other department-level kind
#: (sở, ban, văn phòng, thanh tra, ...) is a department.
SUB_DEPARTMENT_KINDS: tuple[str, ...] = ("chi_cuc",)

#: Columns of ``audits`` that may hold an audit's date, the first found is used (migration 002
#: names it ``audit_date``).  The audits feature owns that table: the report only reads it.
AUDIT_DATE_COLUMNS: tuple[str, ...] = ("audit_date", "held_on", "started_on", "created_at")
INSPECTION_KINDS = {"records": "inspection_records", "site": "inspection_site"}
#: The counted columns, in the report's order.
COUNT_FIELDS: tuple[str, ...] = ("in_plan", "built", "applied", "announced", "re_announced", "inspected_records", "inspected_site")


@dataclass(frozen=True)
class GroupCounts:
    group: str
    in_plan: int
    built: int
    applied: int
    announced: int
    re_announced: int
    inspected_records: int
    inspected_site: int


@dataclass(frozen=True)
class AnnualCounts:
    year: int
    as_of: dt.date
    groups: list[GroupCounts]
    inspections_recorded: bool

    def total(self) -> GroupCounts:
        """The sum of every group (the report's last line)."""
        return GroupCounts("total", *(sum(getattr(g, f) for g in self.groups) for f in COUNT_FIELDS))


_GROUP_CASE = (
    "CASE WHEN u.level = 'department' AND list_contains($sub_kinds, u.kind) THEN 'sub_departments' "
    "WHEN u.level = 'department' THEN 'departments' WHEN u.level = 'district' THEN 'districts' ELSE 'communes' END"
)


def _inspection_source(db) -> tuple[str, str | None] | None:
    """``(date column, status column or None)`` of an ``audits`` table usable for inspections."""
    tables = {r[0] for r in db.rows("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'")}
    if "audits" not in tables:
        return None
    cols = {r[0] for r in db.rows(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' AND table_name = 'audits'")}
    if not {"unit_code", "kind"} <= cols:
        return None
    date_col = next((c for c in AUDIT_DATE_COLUMNS if c in cols), None)
    if date_col is None:
        return None
    return date_col, ("status" if "status" in cols else None)


def annual_counts(db, year: int, *, today: dt.date | None = None) -> AnnualCounts:
    """The report's counts for ``year``, every group present (zeros included).

    ``as_of`` is 31 December of ``year``, or ``today`` when the year is not over.
    """
    today = today or province_today()
    as_of = min(dt.date(year, 12, 31), today)
    start = dt.date(year, 1, 1)
    source = _inspection_source(db)
    inspections = "SELECT NULL::VARCHAR AS unit_code, false AS records, false AS site WHERE false"
    if source is not None:
        date_col, status_col = source
        status = f"AND a.{status_col} <> 'draft'" if status_col else ""
        inspections = f"""
            SELECT a.unit_code, bool_or(a.kind = '{INSPECTION_KINDS['records']}') AS records,
                   bool_or(a.kind = '{INSPECTION_KINDS['site']}') AS site
            FROM audits a
            WHERE CAST(a.{date_col} AS DATE) BETWEEN $start AND $as_of {status}
            GROUP BY a.unit_code
        """
    sql = f"""
        WITH u AS (
            SELECT u.code, {_GROUP_CASE} AS grp FROM units u
            WHERE u.in_plan AND u.level IN ('department', 'district', 'commune') AND {EXISTS_ON_SQL}
        ),
        s AS ({STAGE_ON_SQL}),
        ev AS (
            SELECT unit_code, bool_or(event_type = 'build_started') AS built, bool_or(event_type = 'applied') AS applied,
                   bool_or(event_type = 're_announced' AND event_date >= $start) AS re_announced
            FROM qms_events WHERE event_date <= $as_of GROUP BY unit_code
        ),
        i AS ({inspections})
        SELECT u.grp, count(*), count(*) FILTER (WHERE ev.built), count(*) FILTER (WHERE ev.applied),
               count(*) FILTER (WHERE s.stage = {ANNOUNCED}), count(*) FILTER (WHERE ev.re_announced),
               count(*) FILTER (WHERE i.records), count(*) FILTER (WHERE i.site)
        FROM u LEFT JOIN s ON s.unit_code = u.code LEFT JOIN ev ON ev.unit_code = u.code LEFT JOIN i ON i.unit_code = u.code
        GROUP BY u.grp
    """
    params = {"as_of": as_of, "start": start, "sub_kinds": list(SUB_DEPARTMENT_KINDS)}
    found = {r[0]: r[1:] for r in db.rows(sql, params)}
    groups = [GroupCounts(g, *found.get(g, (0,) * 7)) for g in GROUPS]
    return AnnualCounts(year=year, as_of=as_of, groups=groups, inspections_recorded=source is not None)
