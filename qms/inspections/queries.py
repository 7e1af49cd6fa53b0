"""Reads of the inspection year: the risk facts a proposal ranks, the plan with each item's
status, progress, load per auditor and month, versions, and the overdue corrective reports.

Every read is a few small SQL aggregates (one row per unit or per item); statuses are decided by
:mod:`qms.inspections.rules` on the dates SQL found.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction

from qms.inspections import rules
from qms.inspections.ranking import Reason, UnitRisk
from qms.inspections.rules import ItemStatus, Member, PlanStatus
from qms.scope.queries import scope_unit_facts
from qms.units.store import NAME_ON_SQL


def setting_in(cur, key: str) -> str | None:
    rows = cur.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchall()
    return rows[0][0] if rows else None


def onsite_share_in(cur) -> Fraction:
    """The province's on-site share (setting ``inspection_onsite_share``; default 1/3)."""
    return rules.parse_share(setting_in(cur, rules.ONSITE_SHARE_SETTING))


def max_load_in(cur) -> int:
    """Inspections an auditor may have in one month (setting ``inspection_max_per_auditor_month``; default 6)."""
    value = setting_in(cur, rules.MAX_LOAD_SETTING)
    return int(value) if value and value.isdigit() and int(value) > 0 else rules.DEFAULT_MAX_LOAD


def onsite_share(db) -> Fraction:
    cur = db.cursor()
    try:
        return onsite_share_in(cur)
    finally:
        cur.close()


def planning_day(year: int, today: dt.date) -> dt.date:
    """The day a year's plan is proposed on: today, or the year's last day for a past year."""
    return min(today, dt.date(year, 12, 31))


def risk_facts(db, year: int, today: dt.date) -> list[UnitRisk]:
    """What the ranking needs, for every unit in the plan that exists on :func:`planning_day`."""
    as_of = planning_day(year, today)
    last = dict(db.rows("SELECT unit_code, max(year(audit_date)) FROM audits WHERE kind IN ('inspection_records',"
                        " 'inspection_site') AND status <> 'draft' AND audit_date <= $as_of GROUP BY unit_code", {"as_of": as_of}))
    recurring = dict(db.rows("SELECT unit_code, count(*) FROM actions WHERE recurred_on IS NOT NULL AND recurred_on <= $as_of"
                             " GROUP BY unit_code", {"as_of": as_of}))
    overdue = dict(db.rows("SELECT unit_code, count(*) FROM actions WHERE status IN ('open', 'in_progress')"
                           " AND due_date < $as_of GROUP BY unit_code", {"as_of": as_of}))
    maintained = dict(db.rows(
        "SELECT f.unit_code, m.unit_code IS NOT NULL FROM unit_first_announced f LEFT JOIN unit_year_maintenance m"
        " ON m.unit_code = f.unit_code AND m.year = $y - 1 WHERE f.first_announced < make_date($y - 1, 1, 1)", {"y": year}))
    formed = dict(db.rows("SELECT code, valid_from FROM units WHERE valid_from IS NOT NULL", []))
    out = []
    for code, name, level, _district, announced, total, covered, overdue_updates, *_ in scope_unit_facts(db, as_of):
        if level not in ("department", "district", "commune"):
            continue
        out.append(UnitRisk(
            code=code, name=name, level=level, last_inspected_year=last.get(code), recurring=recurring.get(code, 0),
            overdue_actions=overdue.get(code, 0), announced=bool(announced),
            scope_pct=(100 * covered / total) if total else None, maintained_last_year=maintained.get(code),
            formed_on=formed.get(code), legal_updates_overdue=overdue_updates or 0))
    return out


@dataclass(frozen=True)
class PlanItemView:
    id: int
    unit_code: str
    unit_name: str
    mode: str
    month: int
    team: tuple[str, ...]            # user names, the leader first
    team_names: tuple[str, ...]      # display names
    risk_score: int
    reasons: tuple[tuple[Reason, int], ...]
    audit_id: int | None
    audit_status: str | None
    minutes_id: int | None
    cancelled: bool
    cancel_reason: str | None
    status: ItemStatus


@dataclass(frozen=True)
class PlanView:
    id: int
    year: int
    status: PlanStatus
    version: int
    decision_no: str | None
    approved_on: dt.date | None
    items: list[PlanItemView] = field(default_factory=list)

    @property
    def live(self) -> list[PlanItemView]:
        return [i for i in self.items if not i.cancelled]

    def progress(self) -> dict[ItemStatus, int]:
        """Items per status, every status present (zeros included)."""
        counts = Counter(i.status for i in self.items)
        return {s: counts.get(s, 0) for s in ItemStatus}


def _items(db, plan_id: int, year: int, today: dt.date) -> list[PlanItemView]:
    rows = db.rows(f"""
        WITH n AS ({NAME_ON_SQL}), t AS (
            SELECT m.item_id, list(m.username ORDER BY m.position) AS users,
                   list(coalesce(u.display_name, m.username) ORDER BY m.position) AS names
            FROM inspection_team_members m LEFT JOIN users u ON u.username = m.username GROUP BY m.item_id)
        SELECT i.id, i.unit_code, coalesce(n.name, i.unit_code), i.mode, i.month, t.users, t.names, i.risk_score, i.reasons,
               i.audit_id, a.status, mi.id, i.cancelled_in IS NOT NULL, i.cancel_reason
        FROM inspection_plan_items i LEFT JOIN n ON n.code = i.unit_code LEFT JOIN t ON t.item_id = i.id
        LEFT JOIN audits a ON a.id = i.audit_id LEFT JOIN inspection_minutes mi ON mi.item_id = i.id
        WHERE i.plan_id = $plan ORDER BY i.month, i.risk_score DESC, i.unit_code""",
                   {"plan": plan_id, "as_of": dt.date(year, 12, 31)})
    out = []
    for (iid, code, name, mode, month, users, names, score, reasons, audit_id, audit_status, minutes_id, cancelled,
         cancel_reason) in rows:
        parsed = tuple((Reason(r), int(f)) for r, f in json.loads(reasons)) if reasons else ()
        out.append(PlanItemView(iid, code, name, mode, month, tuple(users or ()), tuple(names or ()), score, parsed, audit_id,
                                audit_status, minutes_id, cancelled, cancel_reason,
                                rules.item_status(year, month, cancelled=cancelled, audit_status=audit_status, today=today)))
    return out


def get_plan(db, year: int, today: dt.date) -> PlanView | None:
    """The year's plan with its items and their status on ``today``; None when there is none."""
    rows = db.rows("SELECT id, status, version, decision_no, approved_on FROM inspection_plans WHERE year = ?", [year])
    if not rows:
        return None
    pid, status, version, decision, approved = rows[0]
    return PlanView(pid, year, PlanStatus(status), version, decision, approved, _items(db, pid, year, today))


def load_table(plan: PlanView) -> list[dict]:
    """Inspections per auditor and month of the plan's live items, by auditor then month."""
    load = rules.load_by_month((i.month, i.team) for i in plan.live)
    return [{"auditor": who, "month": month, "inspections": n} for (who, month), n in sorted(load.items())]


def plan_versions(db, year: int) -> list[dict]:
    """The approval and every amendment, oldest first: version, kind, date, decision, reason, who."""
    return db.dicts(
        "SELECT v.version, v.kind, v.decided_on, v.decision_no, v.reason, v.recorded_by, json_array_length(v.items) AS items"
        " FROM inspection_plan_versions v JOIN inspection_plans p ON p.id = v.plan_id WHERE p.year = ? ORDER BY v.version",
        [year])


def members(cur, usernames, year: int) -> dict[str, Member]:
    """Independence facts of accounts: the units they belong to (an officer's unit) and those they
    audited internally in ``year`` (as the auditor who started or submitted the audit)."""
    names = sorted(set(usernames))
    if not names:
        return {}
    home = cur.execute("SELECT s.username, list(s.code) FROM user_scopes s JOIN users u USING (username)"
                       " WHERE s.scope_kind = 'unit' AND u.role = 'officer' AND list_contains(?, s.username)"
                       " GROUP BY s.username", [names]).fetchall()
    audited = cur.execute("SELECT who, list(DISTINCT unit_code) FROM (SELECT unit_code, unnest([created_by, submitted_by]) AS who"
                          " FROM audits WHERE kind = 'internal_audit' AND year(audit_date) = ?) WHERE list_contains(?, who)"
                          " GROUP BY who", [year, names]).fetchall()
    h, a = dict(home), dict(audited)
    return {n: Member(n, frozenset(h.get(n, ())), frozenset(a.get(n, ()))) for n in names}


@dataclass(frozen=True)
class OverdueRequest:
    request_id: int
    unit_code: str
    unit_name: str
    text: str
    due_on: dt.date
    signed_on: dt.date


def overdue_requests(db, today: dt.date) -> list[OverdueRequest]:
    """Requests of minutes signed by ``today`` whose corrective report had not come by then, past
    their due date, oldest due first (``today`` may be a past date: the overview of that day)."""
    rows = db.rows(f"""
        WITH n AS ({NAME_ON_SQL})
        SELECT r.id, r.unit_code, coalesce(n.name, r.unit_code), r.text, r.due_on, m.signed_on
        FROM inspection_requests r JOIN inspection_minutes m ON m.id = r.minutes_id LEFT JOIN n ON n.code = r.unit_code
        WHERE (r.reported_on IS NULL OR r.reported_on > $as_of) AND m.signed_on <= $as_of AND r.due_on < $as_of
        ORDER BY r.due_on, r.id""", {"as_of": today})
    return [OverdueRequest(*r) for r in rows]


def year_result(db, year: int) -> dict:
    """The year's result for the annual report: units inspected (on records / on site), findings
    by grade, requests and those closed on time."""
    row = db.rows("""
        SELECT count(DISTINCT a.unit_code), count(DISTINCT a.unit_code) FILTER (WHERE a.kind = 'inspection_site'),
               count(DISTINCT a.unit_code) FILTER (WHERE a.kind = 'inspection_records')
        FROM audits a WHERE a.kind IN ('inspection_records', 'inspection_site') AND a.status <> 'draft'
          AND year(a.audit_date) = ?""", [year])[0]
    grades = dict(db.rows("SELECT grade, count(*) FROM findings WHERE retracted_at IS NULL AND audit_kind LIKE 'inspection%'"
                          " AND year(found_on) = ? GROUP BY grade", [year]))
    req = db.rows("SELECT count(*), count(*) FILTER (WHERE reported_on <= due_on) FROM inspection_requests r"
                  " JOIN inspection_minutes m ON m.id = r.minutes_id WHERE year(m.signed_on) = ?", [year])[0]
    return {"units_inspected": row[0], "on_site": row[1], "on_records": row[2],
            "findings": {g: grades.get(g, 0) for g in ("major", "minor", "observation")},
            "requests": req[0], "requests_closed_on_time": req[1]}
