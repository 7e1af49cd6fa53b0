"""Demo improvement actions: one per major or minor finding of the demo's audits, a few opened by
hand, each with a seeded history of steps (:mod:`qms.actions.demo`), inserted in a few bulk
statements.  Loads after the audits part (``ORDER`` 10), whose findings it reads.

At the end it asks :func:`qms.actions.store.ensure_actions_in` for the findings that still lack
an action, the same path as ``qms actions sync``: it finds none, and would catch any.
"""

from __future__ import annotations

import datetime as dt
import random

import pyarrow as pa

from qms.accounts.rules import Principal
from qms.actions.demo import DemoFinding, simulate
from qms.actions.rules import ACTION_GRADES, ActionStatus
from qms.actions.store import due_days_in, ensure_actions_in
from qms.audits.findings_store import registered
from qms.changelog import store as changelog
from qms.kernel.clock import province_today, utc_from_local

ORDER = 20
#: The unit of the demo's officer account (qms/accounts/demo_store.py).
OFFICER_UNIT = "03386"
TABLES = ("action_events", "actions")

_ACTION_SCHEMA = pa.schema([
    ("id", pa.int64()), ("unit_code", pa.string()), ("finding_id", pa.int64()), ("audit_id", pa.int64()),
    ("item_ref", pa.string()), ("standard", pa.string()), ("clause", pa.string()), ("recurrence_key", pa.string()),
    ("source", pa.string()), ("type", pa.string()), ("description", pa.string()), ("root_cause", pa.string()),
    ("owner_name", pa.string()), ("owner_unit_code", pa.string()), ("opened_on", pa.date32()), ("due_date", pa.date32()),
    ("status", pa.string()), ("done_description", pa.string()), ("done_on", pa.date32()), ("verified_by", pa.string()),
    ("verified_on", pa.date32()), ("verification_note", pa.string()), ("not_effective_count", pa.int32()),
    ("cancel_reason", pa.string()), ("cancelled_on", pa.date32()), ("recurred_by_finding_id", pa.int64()),
    ("recurred_on", pa.date32()), ("row_version", pa.int32()), ("created_at", pa.timestamp("us")),
])
_EVENT_SCHEMA = pa.schema([
    ("seq", pa.int64()), ("action_id", pa.int64()), ("step", pa.string()), ("from_status", pa.string()), ("to_status", pa.string()),
    ("on_date", pa.date32()), ("due_date", pa.date32()), ("note", pa.string()), ("recorded_at", pa.timestamp("us")),
])
_OPTIONAL = ("root_cause", "done_description", "done_on", "verified_by", "verified_on", "verification_note",
             "cancel_reason", "cancelled_on")


def _findings(cur) -> list[DemoFinding]:
    rows = cur.execute(
        "SELECT f.id, f.audit_id, f.audit_kind, f.unit_code, f.item_ref, f.standard, f.clause, f.note, f.found_on, a.auditor"
        " FROM findings f JOIN audits a ON a.id = f.audit_id"
        " WHERE f.retracted_at IS NULL AND list_contains(?, f.grade) ORDER BY f.found_on, f.id", [list(ACTION_GRADES)]).fetchall()
    return [DemoFinding(*r) for r in rows]


def _manual_origins(cur, rng: random.Random) -> list[tuple[str, dt.date]]:
    """A few actions opened by hand each year 2016-2021, at units that had an audit that year;
    and two late in 2021 at the demo officer's commune (Phường Quyết Thắng), still being worked."""
    out = []
    if cur.execute("SELECT count(*) FROM units WHERE code = ?", [OFFICER_UNIT]).fetchall()[0][0]:
        out += [(OFFICER_UNIT, dt.date(2021, 11, 22)), (OFFICER_UNIT, dt.date(2021, 12, 20))]
    for year in range(2016, 2022):
        units = [u for (u,) in cur.execute("SELECT DISTINCT unit_code FROM audits WHERE year(audit_date) = ? AND status <> 'draft'"
                                           " ORDER BY unit_code", [year]).fetchall()]
        for unit in rng.sample(units, min(7, len(units))):
            out.append((unit, dt.date(year, rng.randint(1, 11), rng.randint(1, 28))))
    return out


def load(cur, *, demo_dir, settings, actor: Principal) -> dict[str, int]:
    until = settings.history_until
    rng = random.Random(settings.seed + 26)
    findings = _findings(cur)
    manual = _manual_origins(cur, rng)
    n = len(findings) + len(manual)
    ids = [r[0] for r in cur.execute("SELECT nextval('action_id') FROM range(?)", [n]).fetchall()]
    actions = simulate(findings, manual, ids=ids, seed=settings.seed + 37, until=until, internal_days=due_days_in(cur))
    rows, events = [], []
    for a in actions:
        cols, f = a.columns(), a.finding
        rows.append({
            "id": a.id, "unit_code": a.unit_code, "finding_id": f.id if f else None, "audit_id": f.audit_id if f else None,
            "item_ref": f.item_ref if f else None, "standard": f.standard if f else None, "clause": f.clause if f else None,
            "recurrence_key": a.key, "source": a.source.value, "type": a.type.value, "description": a.description,
            "owner_name": cols["owner_name"], "owner_unit_code": a.unit_code, "opened_on": a.opened_on,
            "due_date": cols["due_date"], "status": cols["status"], "not_effective_count": cols["not_effective_count"],
            **{k: cols.get(k) for k in _OPTIONAL},
            "recurred_by_finding_id": a.recurred_by[0] if a.recurred_by else None,
            "recurred_on": a.recurred_by[1] if a.recurred_by else None, "row_version": 1 + len(a.steps),
            "created_at": utc_from_local(a.opened_on, dt.time(16, 30)),
        })
        events.append({"action_id": a.id, "step": "open", "from_status": None, "to_status": ActionStatus.OPEN.value,
                       "on_date": a.opened_on, "due_date": a.due_date, "note": None,
                       "recorded_at": utc_from_local(a.opened_on, dt.time(16, 30))})
        for c in a.steps:
            events.append({"action_id": a.id, "step": c.step.value, "from_status": c.from_status.value,
                           "to_status": c.to_status.value, "on_date": c.on_date, "due_date": c.due_date, "note": c.note,
                           "recorded_at": utc_from_local(c.on_date, dt.time(17))})
    with registered(cur, "demo_actions", pa.Table.from_pylist(rows, schema=_ACTION_SCHEMA)):
        cur.execute(f"INSERT INTO actions ({', '.join(_ACTION_SCHEMA.names)}, created_by)"
                    f" SELECT {', '.join(_ACTION_SCHEMA.names)}, ? FROM demo_actions", [actor.username])
    events = [{**e, "seq": i} for i, e in enumerate(events)]
    with registered(cur, "demo_action_events", pa.Table.from_pylist(events, schema=_EVENT_SCHEMA)):
        # one statement, rows in per-action step order: the sequence numbers them in that order
        names = ", ".join(_EVENT_SCHEMA.names[1:])
        cur.execute(f"INSERT INTO action_events ({names}, actor) SELECT {names}, ? FROM demo_action_events ORDER BY seq", [actor.username])
    caught = ensure_actions_in(cur, actor=actor, today=max(province_today(), until))
    counts = {"actions": n + len(caught.created), "action_steps": len(events)}
    changelog.append(cur, actor=actor, action="import", entity="actions", key="demo", after=counts)
    return counts
