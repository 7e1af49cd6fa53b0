"""Improvement actions: the list, one action with its history, and the overview's figures, all
as of any date.

Status on a date is replayed from ``action_events``: the last step dated on or before that day
(steps are never dated before the previous one, so recorded order is date order), with the due
date in force after it.  An action is overdue on a day when it is still open or in progress then
and its due date is *before* that day (:func:`qms.actions.rules.is_overdue`, written here in SQL).
The overview's figures are a few aggregates over two narrow tables, never rows shipped to Python:
at national scale there are some 300,000 actions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from qms.actions import rules
from qms.actions.rules import ActionSource, ActionStatus, ActionType, Step
from qms.actions.views import DEPARTMENTS_ROW, ActionDetail, ActionEvent, ActionOverview, ActionSummary, DistrictActions
from qms.kernel.clock import province_today
from qms.kernel.errors import NotFound
from qms.units.store import NAME_ON_SQL

#: The row a unit's actions count to in per-district figures (same rows as the findings heatmap).
DISTRICT_SQL = (f"CASE WHEN u.level = 'commune' THEN u.parent_code WHEN u.level = 'district' THEN u.code"
                f" ELSE '{DEPARTMENTS_ROW}' END")

#: Status and due date of every action on $as_of (actions opened later are absent).
STATUS_ON_SQL = """
    SELECT action_id, arg_max(to_status, id) AS status_on, arg_max(due_date, id) AS due_on,
           min(on_date) FILTER (WHERE step = 'verify_effective') AS verified_on,
           bool_or(step = 'recur') AS recurred
    FROM action_events WHERE on_date <= $as_of GROUP BY action_id
"""
_WORKING = "('open', 'in_progress')"
assert {s.value for s in rules.WORKING} == {"open", "in_progress"}


@dataclass(frozen=True)
class ActionList:
    """Up to ``limit`` rows, and how many matched in all."""

    rows: list[ActionSummary]
    total: int


def list_actions(db, *, as_of: dt.date, unit_code: str | None = None, district_code: str | None = None,
                 status: ActionStatus | None = None, source: ActionSource | None = None, overdue_only: bool = False,
                 first_units: Collection[str] = (), limit: int = 2000) -> ActionList:
    """Actions that exist on ``as_of``, filtered by unit, district (:data:`DEPARTMENTS_ROW` for
    the departments), status *on that date*, source, overdue on that date.

    Order: the unfinished actions of ``first_units`` (an officer's own unit) first, then
    overdue ones (longest overdue first), then the rest still being worked by due date, then
    the finished ones, newest first.
    """
    status_on = STATUS_ON_SQL
    if unit_code is not None:  # replay only that unit's histories (national scale: 1% of the rows)
        status_on = status_on.replace("WHERE on_date <= $as_of",
                                      "WHERE on_date <= $as_of AND action_id IN (SELECT id FROM actions WHERE unit_code = $unit)")
    sql = f"""
        WITH s AS ({status_on}),
        r AS (
            SELECT a.*, u.level, {DISTRICT_SQL} AS district_code, s.status_on, s.due_on,
                   s.status_on IN {_WORKING} AND s.due_on < $as_of AS overdue
            FROM actions a JOIN s ON s.action_id = a.id JOIN units u ON u.code = a.unit_code
        )
        SELECT r.id, r.unit_code, n.name, CASE WHEN r.district_code = '{DEPARTMENTS_ROW}' THEN NULL ELSE r.district_code END,
               dn.name, r.source, r.type, r.description, r.owner_name, r.opened_on, r.due_date, r.status, r.status_on,
               r.due_on, r.overdue, CASE WHEN r.overdue THEN $as_of - r.due_on ELSE 0 END,
               r.recurred_on IS NOT NULL AND r.recurred_on <= $as_of, f.grade, r.standard, r.clause, r.audit_id,
               r.finding_id, r.row_version, list_contains($first, r.unit_code), count(*) OVER ()
        FROM r
        JOIN ({NAME_ON_SQL}) n ON n.code = r.unit_code
        LEFT JOIN ({NAME_ON_SQL}) dn ON dn.code = r.district_code
        LEFT JOIN findings f ON f.id = r.finding_id
        WHERE ($unit IS NULL OR r.unit_code = $unit) AND ($district IS NULL OR r.district_code = $district)
          AND ($status IS NULL OR r.status_on = $status) AND ($source IS NULL OR r.source = $source)
          AND (NOT $overdue_only OR r.overdue)
        ORDER BY list_contains($first, r.unit_code) AND r.status_on IN ('open', 'in_progress', 'done') DESC,
                 r.overdue DESC, r.status_on IN {_WORKING} DESC, r.status_on = 'done' DESC,
                 CASE WHEN r.status_on IN ('open', 'in_progress', 'done') THEN r.due_on END ASC,
                 r.opened_on DESC, r.id DESC
        LIMIT $limit
    """
    params = {"as_of": as_of, "unit": unit_code, "district": district_code, "status": status.value if status else None,
              "source": source.value if source else None, "overdue_only": overdue_only, "first": sorted(first_units),
              "limit": limit}
    rows = db.rows(sql, params)
    out = [ActionSummary(
        id=r[0], unit_code=r[1], unit_name=r[2], district_code=r[3], district_name=r[4] if r[3] else None,
        source=ActionSource(r[5]), type=ActionType(r[6]), description=r[7], owner_name=r[8], opened_on=r[9], due_date=r[10],
        status=ActionStatus(r[11]), status_on=ActionStatus(r[12]), due_on=r[13], overdue=bool(r[14]), days_overdue=int(r[15]),
        recurred=bool(r[16]), grade=r[17], standard=r[18], clause=r[19], audit_id=r[20], finding_id=r[21], row_version=r[22],
        own_unit=bool(r[23])) for r in rows]
    return ActionList(out, int(rows[0][24]) if rows else 0)


def count_actions(db) -> int:
    return int(db.scalar("SELECT count(*) FROM actions"))


def get_action(db, action_id: int) -> ActionDetail:
    """One action with its finding, its units' names (today's) and its whole history."""
    params = {"id": action_id, "as_of": province_today()}
    rows = db.rows(f"""
        SELECT a.id, a.unit_code, n.name, CASE WHEN {DISTRICT_SQL} = '{DEPARTMENTS_ROW}' THEN NULL ELSE {DISTRICT_SQL} END,
               a.finding_id, a.audit_id, f.audit_kind, a.item_ref, a.standard, a.clause, f.grade, f.note, a.source, a.type,
               a.description, a.root_cause, a.owner_name, a.owner_unit_code, o.name, a.opened_on, a.due_date, a.status,
               a.done_description, a.done_on, a.verified_by, a.verified_on, a.verification_note, a.not_effective_count,
               a.cancel_reason, a.cancelled_on, a.recurred_by_finding_id, a.recurred_on, a.row_version, a.created_by
        FROM actions a JOIN units u ON u.code = a.unit_code
        JOIN ({NAME_ON_SQL}) n ON n.code = a.unit_code
        LEFT JOIN ({NAME_ON_SQL}) o ON o.code = a.owner_unit_code
        LEFT JOIN findings f ON f.id = a.finding_id
        WHERE a.id = $id""", params)
    if not rows:
        raise NotFound(f"There is no action #{action_id}.", vi=f"Không có hành động #{action_id}.")
    r = rows[0]
    events = tuple(ActionEvent(e[0], Step(e[1]), ActionStatus(e[2]) if e[2] else None, ActionStatus(e[3]), e[4], e[5], e[6],
                               e[7], e[8]) for e in db.rows(
        "SELECT id, step, from_status, to_status, on_date, due_date, note, actor, recorded_at FROM action_events"
        " WHERE action_id = ? ORDER BY id", [action_id]))
    return ActionDetail(*r[:12], ActionSource(r[12]), ActionType(r[13]), *r[14:21], ActionStatus(r[21]), *r[22:], events=events)


def action_for_finding(db, finding_id: int) -> int | None:
    """The id of the action a finding created, if any."""
    return db.scalar("SELECT min(id) FROM actions WHERE finding_id = ?", [finding_id])


def action_overview(db, as_of: dt.date) -> ActionOverview:
    """The overview's figures on ``as_of``: open (open or in progress), overdue, awaiting
    verification, verified effective, recurred, cancelled; the median days from opening to an
    effective verification (of those verified on or before the date); the recurrence rate
    (recurred among those verified effective); and the same per district, worst first."""
    sql = f"""
        WITH s AS ({STATUS_ON_SQL}),
        r AS (
            SELECT {DISTRICT_SQL} AS row_code, s.status_on, s.due_on, s.verified_on, s.recurred, a.opened_on
            FROM s JOIN actions a ON a.id = s.action_id JOIN units u ON u.code = a.unit_code
        ),
        g AS (
            SELECT row_code, grouping(row_code) AS is_total, count(*) AS total,
                   count(*) FILTER (WHERE status_on IN {_WORKING}) AS open,
                   count(*) FILTER (WHERE status_on IN {_WORKING} AND due_on < $as_of) AS overdue,
                   count(*) FILTER (WHERE status_on = 'done') AS awaiting,
                   count(*) FILTER (WHERE verified_on IS NOT NULL) AS verified,
                   count(*) FILTER (WHERE verified_on IS NOT NULL AND recurred) AS recurred,
                   count(*) FILTER (WHERE status_on = 'cancelled') AS cancelled,
                   median(verified_on - opened_on) FILTER (WHERE verified_on IS NOT NULL) AS median_days
            FROM r GROUP BY GROUPING SETS ((row_code), ())
        )
        SELECT g.*, n.name FROM g LEFT JOIN ({NAME_ON_SQL}) n ON n.code = g.row_code
        ORDER BY g.is_total DESC, g.overdue DESC, g.open DESC, g.row_code = '{DEPARTMENTS_ROW}', n.name
    """
    rows = db.rows(sql, {"as_of": as_of})
    total = next((r for r in rows if r[1]), None)
    districts = tuple(DistrictActions(r[0], None if r[0] == DEPARTMENTS_ROW else r[10], r[3], r[4], r[5], r[6],
                                      None if r[9] is None else round(float(r[9]), 1)) for r in rows if not r[1])
    if total is None:
        return ActionOverview(as_of, 0, 0, 0, 0, 0, 0, 0, None, None, ())
    return ActionOverview(
        as_of=as_of, total=total[2], open=total[3], overdue=total[4], awaiting_verification=total[5], verified=total[6],
        recurred=total[7], cancelled=total[8], median_days_to_close=None if total[9] is None else round(float(total[9]), 1),
        recurrence_rate_pct=rules.recurrence_rate(total[7], total[6]), by_district=districts)
