"""Writes of the inspection plan: propose a draft, change items, approve, amend, start a planned
inspection's checklist.

Each write is one transaction (:meth:`Database.write`): it authorises the actor, reads what the
rule needs, asks :mod:`qms.inspections.rules`, writes and appends to the change log.  Planning is
the administrator's (``plan_inspections``); starting a planned inspection is the team's (an
auditor of the team whose scope covers the unit, or an administrator).

Versions: a draft changes freely (version 0, each change logged); approval makes version 1; each
later change is an amendment with a reason that raises the version and keeps the items as they
stood after it in ``inspection_plan_versions``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

import pyarrow as pa

from qms.accounts.principals_store import authorize, current
from qms.accounts.rules import Operation, Principal, Role
from qms.audits.checklists import TemplateEntry
from qms.audits.findings_store import registered
from qms.audits.rules import AuditKind, NewAudit
from qms.audits.store import start_audit_in
from qms.changelog import store as changelog
from qms.inspections import rules
from qms.inspections.queries import max_load_in, members, onsite_share_in, risk_facts
from qms.inspections.ranking import PLAN_MONTHS, propose, rank
from qms.inspections.rules import ItemInput, Mode, PlanStatus
from qms.kernel.clock import province_today
from qms.kernel.db import InTransaction
from qms.kernel.errors import NotFound, ValidationError
from qms.units.store import NAME_ON_SQL

_ITEM_SCHEMA = pa.schema([("unit_code", pa.string()), ("mode", pa.string()), ("month", pa.int32()), ("risk_score", pa.int32()),
                          ("reasons", pa.string())])


def _plan(cur, year: int, *, create_by: str | None = None) -> tuple[int, PlanStatus, int]:
    rows = cur.execute("SELECT id, status, version FROM inspection_plans WHERE year = ?", [year]).fetchall()
    if rows:
        return rows[0][0], PlanStatus(rows[0][1]), rows[0][2]
    if create_by is None:
        raise NotFound(f"There is no inspection plan for {year}; propose one first.",
                       vi=f"Chưa có kế hoạch kiểm tra năm {year}; hãy lập đề xuất trước.")
    (pid,) = cur.execute("INSERT INTO inspection_plans (year, created_by) VALUES (?, ?) RETURNING id",
                         [year, create_by]).fetchall()[0]
    return pid, PlanStatus.DRAFT, 0


def _live_items(cur, plan_id: int) -> list[dict]:
    rows = cur.execute(
        "SELECT i.unit_code, i.mode, i.month, coalesce(list(m.username ORDER BY m.position)"
        " FILTER (WHERE m.username IS NOT NULL), []) FROM inspection_plan_items i"
        " LEFT JOIN inspection_team_members m ON m.item_id = i.id WHERE i.plan_id = ? AND i.cancelled_in IS NULL"
        " GROUP BY i.id, i.unit_code, i.mode, i.month ORDER BY i.unit_code", [plan_id]).fetchall()
    return [{"unit_code": u, "mode": m, "month": mo, "team": list(t)} for u, m, mo, t in rows]


def months_left(year: int, today: dt.date) -> list[int]:
    """The months a proposal uses: the usual March-October for a future (or past) year; for the
    current year those not yet begun, or the rest of the year when they have all begun."""
    if year != today.year:
        return list(PLAN_MONTHS)
    return [m for m in PLAN_MONTHS if m >= today.month] or list(range(today.month, 13))


def _check_year(year: int) -> None:
    if not 2014 <= year <= 2100:
        raise ValidationError(f"year: {year} is not a plan year (2014-2100).", vi=f"Năm {year} không hợp lệ (2014-2100).")


def propose_plan(db, year: int, *, actor: Principal, today: dt.date | None = None) -> int:
    """Draft the year's plan from the risk ranking (every unit in the plan on records, the riskiest
    on site up to the province's share, months riskiest first); returns the number of items.
    A draft's items are replaced; an approved plan is refused (amend it instead)."""
    _check_year(year)
    today = today or province_today()

    def run(cur) -> int:
        who = authorize(cur, actor, Operation.PLAN_INSPECTIONS)
        pid, status, _ = _plan(cur, year, create_by=who.username)
        if status is PlanStatus.APPROVED:
            raise ValidationError(f"The {year} plan is already approved; change it by an amendment with a reason.",
                                  vi=f"Kế hoạch năm {year} đã được phê duyệt; muốn thay đổi hãy điều chỉnh kèm lý do.")
        proposed = propose(rank(risk_facts(InTransaction(cur), year, today), year), onsite_share_in(cur), months_left(year, today))
        cur.execute("DELETE FROM inspection_team_members WHERE item_id IN (SELECT id FROM inspection_plan_items WHERE plan_id = ?)",
                    [pid])
        cur.execute("DELETE FROM inspection_plan_items WHERE plan_id = ?", [pid])
        rows = pa.Table.from_pylist([
            {"unit_code": p.unit_code, "mode": p.mode, "month": p.month, "risk_score": p.score,
             "reasons": json.dumps([[r.value, f] for r, f in p.reasons])} for p in proposed], schema=_ITEM_SCHEMA)
        with registered(cur, "qms_proposed_items", rows):  # one statement, whatever the size of the country
            cur.execute("INSERT INTO inspection_plan_items (plan_id, unit_code, mode, month, risk_score, reasons)"
                        " SELECT ?, unit_code, mode, month, risk_score, reasons::JSON FROM qms_proposed_items", [pid])
        changelog.append(cur, actor=who.username, action="propose", entity="inspection_plans", key=str(year),
                         after={"items": len(proposed), "on_site": sum(p.mode == "on_site" for p in proposed)})
        return len(proposed)

    return db.write(run)


def _unit_name(cur, code: str, year: int) -> str:
    rows = cur.execute(f"SELECT name FROM ({NAME_ON_SQL}) WHERE code = $code",
                       {"code": code, "as_of": dt.date(year, 12, 31)}).fetchall()
    if not rows:
        raise NotFound(f"There is no unit with code {code}; nothing was saved.", vi=f"Không có đơn vị mã {code}; chưa lưu gì.")
    return rows[0][0]


#: Who may sit on a team: inspectors, administrators, and other units' ISO officers as experts
#: (an officer never on their own unit's team: independence).
TEAM_ROLES = (Role.ADMIN.value, Role.AUDITOR.value, Role.OFFICER.value)


def _check_team(cur, item: ItemInput, year: int) -> None:
    if len(set(item.team)) != len(item.team):
        raise ValidationError(f"{item.unit_code}: a person is twice in the team.", vi=f"{item.unit_code}: một người có tên hai lần trong đoàn.")
    known = dict(cur.execute("SELECT username, role FROM users WHERE active AND list_contains(?, username)",
                             [list(item.team)]).fetchall())
    for name in item.team:
        if known.get(name) not in TEAM_ROLES:
            raise ValidationError(f"{name} is not an active auditor, officer or administrator account and cannot join an inspection team.",
                                  vi=f"{name} không phải tài khoản đang hoạt động (kiểm tra viên, thư ký ISO, quản trị) nên không thể tham gia đoàn.")
    facts = members(cur, item.team, year)
    name = _unit_name(cur, item.unit_code, year)
    for who in item.team:
        problem = rules.independence_problem(item.unit_code, name, facts[who], year)
        if problem is not None:
            raise problem


def change_items(db, year: int, items: Sequence[ItemInput], *, reason: str | None = None, actor: Principal,
                 today: dt.date | None = None) -> int:
    """Add, change (mode, month, team) or cancel items of the year's plan; returns the plan's version.

    A draft changes freely.  An approved plan changes only by an amendment: ``reason`` required,
    the version raised, the items as they stand after it kept.  Refused whole, one sentence: a
    team member who is not an auditor, or not independent of the unit; an auditor above the
    monthly limit; an approved plan falling below the on-site share; a cancelled item changed."""
    _check_year(year)
    today = today or province_today()

    def run(cur) -> int:
        who = authorize(cur, actor, Operation.PLAN_INSPECTIONS)
        pid, status, version = _plan(cur, year, create_by=who.username)
        why = rules.check_reason(status, reason, year)
        before = _live_items(cur, pid)
        for item in items:
            existing = cur.execute("SELECT id, cancelled_in FROM inspection_plan_items WHERE plan_id = ? AND unit_code = ?",
                                   [pid, item.unit_code]).fetchall()
            if existing and existing[0][1] is not None:
                raise ValidationError(f"{item.unit_code}: the inspection was cancelled in version {existing[0][1]}; nothing was saved.",
                                      vi=f"{item.unit_code}: cuộc kiểm tra đã hủy ở lần điều chỉnh {existing[0][1]}; chưa lưu gì.")
            if item.cancel:
                if not existing:
                    raise NotFound(f"{item.unit_code} is not in the {year} plan.", vi=f"{item.unit_code} không có trong kế hoạch năm {year}.")
                cur.execute("UPDATE inspection_plan_items SET cancelled_in = ?, cancel_reason = ? WHERE id = ?",
                            [version + 1 if status is PlanStatus.APPROVED else 0, why, existing[0][0]])
                continue
            _check_team(cur, item, year)
            if existing:
                iid = existing[0][0]
                cur.execute("UPDATE inspection_plan_items SET mode = ?, month = ? WHERE id = ?", [item.mode.value, item.month, iid])
            else:
                _unit_name(cur, item.unit_code, year)
                (iid,) = cur.execute("INSERT INTO inspection_plan_items (plan_id, unit_code, mode, month, added_in)"
                                     " VALUES (?, ?, ?, ?, ?) RETURNING id",
                                     [pid, item.unit_code, item.mode.value, item.month,
                                      version + 1 if status is PlanStatus.APPROVED else 0]).fetchall()[0]
            cur.execute("DELETE FROM inspection_team_members WHERE item_id = ?", [iid])
            for pos, name in enumerate(item.team):
                cur.execute("INSERT INTO inspection_team_members VALUES (?, ?, ?)", [iid, name, pos])
        after = _live_items(cur, pid)
        rules.check_load(rules.load_by_month((i["month"], i["team"]) for i in after), max_load_in(cur))
        if after == before and not any(i.cancel for i in items):
            return version
        if status is PlanStatus.APPROVED:
            rules.check_onsite_share(sum(i["mode"] == Mode.ON_SITE for i in after), len(after), onsite_share_in(cur))
            version += 1
            cur.execute("UPDATE inspection_plans SET version = ?, row_version = row_version + 1 WHERE id = ?", [version, pid])
            cur.execute("INSERT INTO inspection_plan_versions (plan_id, version, kind, decided_on, reason, items, recorded_by)"
                        " VALUES (?, ?, 'amendment', ?, ?, ?, ?)", [pid, version, today, why, json.dumps(after), who.username])
        changelog.append(cur, actor=who.username, action="amend" if status is PlanStatus.APPROVED else "update",
                         entity="inspection_plans", key=str(year), before={"version": version - (status is PlanStatus.APPROVED)},
                         after={"version": version, "reason": why, "items": [i.model_dump(mode="json") for i in items]})
        return version

    return db.write(run)


def approve_plan(db, year: int, decision_no: str, approved_on: dt.date, *, actor: Principal,
                 today: dt.date | None = None) -> int:
    """Approve the draft (decision number and date): version 1, its items kept as approved."""
    today = today or province_today()

    def run(cur) -> int:
        who = authorize(cur, actor, Operation.PLAN_INSPECTIONS)
        pid, status, _ = _plan(cur, year)
        live = _live_items(cur, pid)
        rules.check_approve(status, year, decision_no, approved_on, today, sum(i["mode"] == Mode.ON_SITE for i in live),
                            len(live), onsite_share_in(cur))
        cur.execute("UPDATE inspection_plans SET status = 'approved', version = 1, decision_no = ?, approved_on = ?,"
                    " approved_by = ?, row_version = row_version + 1 WHERE id = ?", [decision_no.strip(), approved_on, who.username, pid])
        cur.execute("INSERT INTO inspection_plan_versions (plan_id, version, kind, decided_on, decision_no, items, recorded_by)"
                    " VALUES (?, 1, 'approval', ?, ?, ?, ?)", [pid, approved_on, decision_no.strip(), json.dumps(live), who.username])
        changelog.append(cur, actor=who.username, action="approve", entity="inspection_plans", key=str(year),
                         before={"status": "draft"}, after={"status": "approved", "decision_no": decision_no.strip(),
                                                            "approved_on": approved_on, "items": len(live)})
        return 1

    return db.write(run)


def team_in(cur, actor: Principal, item_id: int) -> list[str]:
    """The inspection's team (account names, the leader first), if ``actor`` is in it or an
    administrator; otherwise refused in one sentence (the planning right is missing)."""
    team = [u for (u,) in cur.execute("SELECT username FROM inspection_team_members WHERE item_id = ? ORDER BY position",
                                      [item_id]).fetchall()]
    who = current(cur, actor)
    if who.role is not Role.ADMIN and who.username not in team:
        authorize(cur, actor, Operation.PLAN_INSPECTIONS)
    return team


def start_planned_inspection(db, item_id: int, entry: TemplateEntry, *, actor: Principal, audit_date: dt.date | None = None,
                             today: dt.date | None = None) -> int:
    """Start the checklist of an approved plan's inspection (``entry``: the template's current
    version) with its team, and link it; returns the audit id.  Only a member of the team (or an
    administrator) starts it; a cancelled or already started inspection is refused."""
    today = today or province_today()
    audit_date = audit_date or today

    def run(cur) -> int:
        rows = cur.execute("SELECT i.unit_code, i.mode, i.cancelled_in, i.audit_id, p.status, p.year FROM inspection_plan_items i"
                           " JOIN inspection_plans p ON p.id = i.plan_id WHERE i.id = ?", [item_id]).fetchall()
        if not rows:
            raise NotFound(f"There is no planned inspection #{item_id}.", vi=f"Không có cuộc kiểm tra #{item_id} trong kế hoạch.")
        unit, mode, cancelled, audit_id, status, year = rows[0]
        team = team_in(cur, actor, item_id)
        if status != PlanStatus.APPROVED:
            raise ValidationError(f"The {year} plan is not approved yet; inspections start from an approved plan.",
                                  vi=f"Kế hoạch năm {year} chưa được phê duyệt; chỉ bắt đầu kiểm tra theo kế hoạch đã duyệt.")
        if cancelled is not None or audit_id is not None:
            raise ValidationError(f"The inspection of {unit} is {'cancelled' if cancelled is not None else 'already started'}.",
                                  vi=f"Cuộc kiểm tra {unit} {'đã bị hủy' if cancelled is not None else 'đã được bắt đầu'}.")
        if not team:
            raise ValidationError(f"The inspection of {unit} has no team yet; assign one in the plan.",
                                  vi=f"Cuộc kiểm tra {unit} chưa có đoàn; hãy phân công trong kế hoạch.")
        who = current(cur, actor)
        leader = cur.execute("SELECT display_name FROM users WHERE username = ?", [team[0]]).fetchall()
        new = NewAudit(unit_code=unit, template_id=entry.template.id, kind=AuditKind(rules.AUDIT_KIND_OF[Mode(mode)]),
                       auditor=leader[0][0] if leader else team[0], audit_date=audit_date)
        new_id = start_audit_in(cur, new, entry, actor=actor, today=today)
        cur.execute("UPDATE inspection_plan_items SET audit_id = ? WHERE id = ?", [new_id, item_id])
        changelog.append(cur, actor=who.username, action="start", entity="inspection_plan_items", key=str(item_id),
                         after={"audit_id": new_id, "unit_code": unit, "team": team})
        return new_id

    return db.write(run)
