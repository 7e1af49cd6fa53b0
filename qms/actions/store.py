"""Improvement actions: every write (open by hand, steps, edits, creation from findings, the
due-days setting).  Reads and figures are in :mod:`qms.actions.queries`.

Each write is one function running in one transaction: it reads what the rule needs, asks
:mod:`qms.actions.rules`, writes the row (bumping ``row_version``), appends the step to
``action_events`` and to the change log.  Optimistic locking: a page passes back the
``row_version`` it loaded as ``expected_version``; a stale one is refused with
:class:`qms.kernel.errors.ConflictError` (DuckDB's own write-write conflict is retried by
``Database.write``, which then meets the same check).

Actions from findings: :func:`create_actions_for_findings` runs inside the caller's transaction
(the audit submit), so a submitted audit and its actions commit together;
:func:`ensure_actions_for_findings` (``qms actions sync``) does the same for every finding that
still lacks its action, idempotently.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import pyarrow as pa

from qms.accounts import rules as accounts
from qms.accounts.principals_store import authorize, current
from qms.accounts.rules import Operation, Principal
from qms.actions import rules, steps
from qms.actions.rules import ActionStatus, ActionType, KeyedAction, NewAction, Step
from qms.actions.steps import ActionEdit, ActionState, Change, StepInput
from qms.actions.views import CreatedActions
from qms.audits.findings_store import registered
from qms.changelog import store as changelog
from qms.kernel.clock import province_today
from qms.kernel.errors import NotFound, ValidationError

#: Columns a step or an edit may set (the names come from qms.actions.rules, never from input).
_SETTABLE = frozenset({"owner_name", "root_cause", "done_description", "done_on", "verified_by", "verified_on",
                       "verification_note", "cancel_reason", "cancelled_on", "due_date", "type", "description",
                       "owner_unit_code"})


# -- the due-days setting ---------------------------------------------------------------------

def due_days_in(cur) -> int:
    rows = cur.execute("SELECT value FROM settings WHERE key = ?", [rules.DUE_DAYS_SETTING]).fetchall()
    try:
        return int(rows[0][0]) if rows else rules.DEFAULT_INTERNAL_AUDIT_DUE_DAYS
    except ValueError:  # a hand-edited setting: fall back rather than stop every submit
        return rules.DEFAULT_INTERNAL_AUDIT_DUE_DAYS


def internal_audit_due_days(db) -> int:
    """Days an internal-audit (or other non-inspection) finding gets to be acted on (default 30)."""
    cur = db.cursor()
    try:
        return due_days_in(cur)
    finally:
        cur.close()


def set_internal_audit_due_days(db, days: int, *, actor: Principal) -> bool:
    """Change the default days (administrators only); True when it changed (and was logged).
    Actions already opened keep their due dates."""
    rules.check_due_days(days)

    def run(cur) -> bool:
        who = authorize(cur, actor, Operation.SETTINGS)
        before = due_days_in(cur)
        if before == days:
            return False
        cur.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", [rules.DUE_DAYS_SETTING, str(days)])
        changelog.append(cur, actor=who.username, action="update", entity="settings", key=rules.DUE_DAYS_SETTING,
                         before={"value": before}, after={"value": days})
        return True

    return db.write(run)


# -- permissions ------------------------------------------------------------------------------

def _districts(cur, unit_codes: Iterable[str]) -> dict[str, str | None]:
    """Each unit's district for the scope check: a commune's parent, a district committee itself."""
    rows = cur.execute("SELECT code, level, parent_code FROM units WHERE list_contains(?, code)", [sorted(set(unit_codes))]).fetchall()
    return {code: rules.district_of(level, code, parent) for code, level, parent in rows}


def _require(cur, actor: Principal, op: Operation, unit_code: str) -> Principal:
    return authorize(cur, actor, op, unit_code=unit_code, district_code=_districts(cur, [unit_code]).get(unit_code))


def _require_from_findings(cur, actor: Principal, unit_codes: Iterable[str]) -> Principal:
    """Filing a finding's action is part of the audit write (the auditor who submits) or of the
    unit's action work (its officer, an administrator): either right will do."""
    who = current(cur, actor)
    districts = _districts(cur, unit_codes)
    for code in sorted(set(unit_codes)):
        if not accounts.allowed(who, Operation.AUDIT_WRITE, unit_code=code, district_code=districts.get(code)):
            accounts.require(who, Operation.ACTION_WRITE, unit_code=code, district_code=districts.get(code))
    return who


# -- history rows -----------------------------------------------------------------------------

_EVENT_SCHEMA = pa.schema([
    ("seq", pa.int64()), ("action_id", pa.int64()), ("step", pa.string()), ("from_status", pa.string()),
    ("to_status", pa.string()), ("on_date", pa.date32()), ("due_date", pa.date32()), ("note", pa.string()),
])


def insert_events_in(cur, events: Sequence[dict], *, actor: str) -> None:
    """Append history rows (dicts with the schema's keys) in the order given, in one statement."""
    if not events:
        return
    table = pa.Table.from_pylist([{**e, "seq": i} for i, e in enumerate(events)], schema=_EVENT_SCHEMA)
    with registered(cur, "qms_new_action_events", table):
        cur.execute("INSERT INTO action_events (action_id, step, from_status, to_status, on_date, due_date, note, actor)"
                    " SELECT action_id, step, from_status, to_status, on_date, due_date, note, ? FROM qms_new_action_events"
                    " ORDER BY seq", [actor])


def _event(action_id: int, change: Change) -> dict:
    return {"action_id": action_id, "step": change.step.value, "from_status": change.from_status.value,
            "to_status": change.to_status.value, "on_date": change.on_date, "due_date": change.due_date, "note": change.note}


# -- reading one action for a write -----------------------------------------------------------

#: An action's state for the step rules: its columns, and the day of its last step.
_STATE_SQL = ("a.status, a.opened_on, a.due_date, coalesce(e.last_on, a.opened_on), a.owner_name, a.root_cause,"
              " a.finding_id IS NOT NULL, a.recurred_by_finding_id IS NOT NULL")


def _state(action_id: int, r: Sequence) -> ActionState:
    return ActionState(id=action_id, status=ActionStatus(r[0]), opened_on=r[1], due_date=r[2], last_on=r[3],
                       owner_name=r[4], root_cause=r[5], has_finding=r[6], recurred=r[7])


def _load(cur, action_id: int) -> tuple[ActionState, str, int, str | None]:
    """(state, unit code, row version, who changed it last)."""
    rows = cur.execute(
        f"SELECT {_STATE_SQL}, a.unit_code, a.row_version, coalesce(a.updated_by, a.created_by)"
        " FROM actions a LEFT JOIN (SELECT max(on_date) AS last_on FROM action_events WHERE action_id = $id) e ON TRUE"
        " WHERE a.id = $id", {"id": action_id}).fetchall()
    if not rows:
        raise NotFound(f"There is no action #{action_id}.", vi=f"Không có hành động #{action_id}.")
    r = rows[0]
    return _state(action_id, r), r[8], r[9], r[10]


def load_many(cur, action_ids: Sequence[int]) -> dict[int, ActionState]:
    """The states of many actions at once (a bulk write's reads: one statement, not one per action)."""
    rows = cur.execute(
        f"SELECT a.id, {_STATE_SQL}"
        " FROM actions a LEFT JOIN (SELECT action_id, max(on_date) AS last_on FROM action_events"
        "  WHERE list_contains($ids, action_id) GROUP BY action_id) e ON e.action_id = a.id"
        " WHERE list_contains($ids, a.id)", {"ids": list(action_ids)}).fetchall()
    return {r[0]: _state(r[0], r[1:]) for r in rows}


def _columns(change: Change) -> dict:
    """The columns a step sets (its own, the status and the due date), as stored."""
    cols = dict(change.columns)
    assert set(cols) <= _SETTABLE, set(cols) - _SETTABLE
    cols = {k: (v.value if isinstance(v, ActionType) else v) for k, v in cols.items()}
    cols["status"], cols["due_date"] = change.to_status.value, change.due_date
    return cols


def _log_entry(action_id: int, change: Change, cols: dict, actor: str) -> dict:
    return {"actor": actor, "action": change.step.value, "entity": "actions", "key": f"action#{action_id}",
            "before": {"status": change.from_status.value}, "after": {**cols, "on_date": change.on_date, "note": change.note}}


def _write_change(cur, action_id: int, change: Change, *, actor: str, extra_sql: str = "") -> int:
    """Update the row as ``change`` says (status, due date, columns), bump its version, record
    the step in its history and in the change log; return the new version."""
    cols = _columns(change)
    assignments = ", ".join(f"{k} = ?" for k in cols)
    (version,) = cur.execute(
        f"UPDATE actions SET {assignments}{extra_sql}, row_version = row_version + 1, updated_at = current_timestamp,"
        " updated_by = ? WHERE id = ? RETURNING row_version", [*cols.values(), actor, action_id]).fetchall()[0]
    insert_events_in(cur, [_event(action_id, change)], actor=actor)
    changelog.append(cur, **_log_entry(action_id, change, cols, actor))
    return version


def write_changes(cur, changes: Sequence[tuple[int, Change]], *, actor: str) -> None:
    """:func:`_write_change` for many actions taking the same kind of step (the same columns),
    in three statements: the rows, their history, the change log."""
    if not changes:
        return
    columns = [_columns(c) for _, c in changes]
    names = list(columns[0])
    assert all(list(c) == names for c in columns), names
    table = pa.Table.from_pylist([{"id": action_id, **cols} for (action_id, _), cols in zip(changes, columns, strict=True)])
    assignments = ", ".join(f"{k} = n.{k}" for k in names)
    with registered(cur, "qms_action_changes", table):
        cur.execute(f"UPDATE actions SET {assignments}, row_version = row_version + 1, updated_at = current_timestamp,"
                    " updated_by = ? FROM qms_action_changes n WHERE actions.id = n.id", [actor])
    insert_events_in(cur, [_event(action_id, change) for action_id, change in changes], actor=actor)
    changelog.append_many(cur, [_log_entry(action_id, change, cols, actor)
                                for (action_id, change), cols in zip(changes, columns, strict=True)])


# -- writes by a person -----------------------------------------------------------------------

def open_action(db, new: NewAction, *, actor: Principal, today: dt.date | None = None) -> int:
    """Open an action by hand (inspection open issues, a complaint, a management review,
    self-detection); return its id.  Without a due date it gets the default for its source.

    Refused, nothing written: an unknown unit or owner unit; an origin date in the future; a due
    date before the origin date; a user without the action right on the unit.
    """
    today = today or province_today()

    def run(cur) -> int:
        who = _require(cur, actor, Operation.ACTION_WRITE, new.unit_code)
        owner_unit = new.owner_unit_code or new.unit_code
        known = {c for (c,) in cur.execute("SELECT code FROM units WHERE list_contains(?, code)",
                                           [[new.unit_code, owner_unit]]).fetchall()}
        for code in (new.unit_code, owner_unit):
            if code not in known:
                raise NotFound(f"There is no unit with code {code}; nothing was saved.",
                               vi=f"Không có đơn vị mã {code}; chưa lưu gì.")
        if new.origin_date > today:
            raise ValidationError(
                f"The date the issue was raised ({new.origin_date:%d/%m/%Y}) is in the future; nothing was saved.",
                vi=f"Ngày phát hiện ({new.origin_date:%d/%m/%Y}) ở tương lai; chưa lưu gì.")
        due = new.due_date or rules.default_due_date(new.source, new.origin_date, due_days_in(cur))
        rules.check_due_date(due, new.origin_date)
        (action_id,) = cur.execute(
            "INSERT INTO actions (unit_code, audit_id, clause, source, type, description, root_cause, owner_name,"
            " owner_unit_code, opened_on, due_date, created_by) VALUES (?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [new.unit_code, new.clause, new.source.value, new.type.value, new.description, new.root_cause, new.owner_name,
             owner_unit, new.origin_date, due, who.username]).fetchall()[0]
        insert_events_in(cur, [{"action_id": action_id, "step": Step.OPEN.value, "from_status": None,
                                "to_status": ActionStatus.OPEN.value, "on_date": new.origin_date, "due_date": due,
                                "note": None}], actor=who.username)
        changelog.append(cur, actor=who.username, action="insert", entity="actions", key=f"action#{action_id}",
                         after={**new.model_dump(mode="json"), "due_date": due})
        return action_id

    return db.write(run)


def apply_step(db, action_id: int, step: StepInput, *, expected_version: int, actor: Principal,
               today: dt.date | None = None) -> int:
    """Start, mark done, verify (effective or not) or cancel an action; return its new version.

    ``expected_version`` is the ``row_version`` the caller loaded.  Refused whole, nothing
    written: a stale version (:class:`ConflictError`), a step the transition table does not allow
    from the current status, a missing owner/description/verifier/reason, a verifier who is the
    owner, a date in the future or before the last step, a user without the right
    (verifying, and cancelling an audit finding's action, are an auditor's or an administrator's).
    """
    today = today or province_today()

    def run(cur) -> int:
        state, unit_code, version, last_by = _load(cur, action_id)
        who = _require(cur, actor, steps.operation_for(step.step, state.has_finding), unit_code)
        steps.check_current(action_id, expected_version, version, last_by)
        change = steps.plan_step(state, step, today=today)
        extra = ", not_effective_count = not_effective_count + 1" if step.step is Step.VERIFY_NOT_EFFECTIVE else ""
        return _write_change(cur, action_id, change, actor=who.username, extra_sql=extra)

    return db.write(run)


def edit_action(db, action_id: int, edit: ActionEdit, *, expected_version: int, actor: Principal,
                today: dt.date | None = None) -> int:
    """Change an unfinished action's type, text, owner or due date; return its new version.
    Moving the due date of an audit finding's action needs the verifying right."""
    today = today or province_today()

    def run(cur) -> int:
        state, unit_code, version, last_by = _load(cur, action_id)
        who = _require(cur, actor, steps.operation_for_edit(edit, state.has_finding), unit_code)
        steps.check_current(action_id, expected_version, version, last_by)
        if edit.owner_unit_code and not cur.execute("SELECT 1 FROM units WHERE code = ?", [edit.owner_unit_code]).fetchall():
            raise NotFound(f"There is no unit with code {edit.owner_unit_code}; nothing was saved.",
                           vi=f"Không có đơn vị mã {edit.owner_unit_code}; chưa lưu gì.")
        return _write_change(cur, action_id, steps.plan_edit(state, edit, today=today), actor=who.username)

    return db.write(run)


# -- actions from findings --------------------------------------------------------------------

_ACTION_SCHEMA = pa.schema([
    ("seq", pa.int64()), ("unit_code", pa.string()), ("finding_id", pa.int64()), ("audit_id", pa.int64()),
    ("item_ref", pa.string()), ("standard", pa.string()), ("clause", pa.string()), ("recurrence_key", pa.string()),
    ("source", pa.string()), ("type", pa.string()), ("description", pa.string()), ("opened_on", pa.date32()),
    ("due_date", pa.date32()),
])
_FINDING_COLUMNS = ("f.id, f.audit_id, f.audit_kind, f.unit_code, f.item_ref, f.standard, f.clause, f.grade, f.note,"
                    " f.found_on")
_NEEDS_ACTION = ("f.retracted_at IS NULL AND f.grade IN ('major', 'minor')"
                 " AND NOT EXISTS (SELECT 1 FROM actions a WHERE a.finding_id = f.id)")
_NEEDS_ACTION_OF_IDS = ("f.retracted_at IS NULL AND f.grade IN ('major', 'minor')"
                        " AND NOT EXISTS (SELECT 1 FROM actions a WHERE a.finding_id = f.id AND list_contains($ids, a.finding_id))")


def create_actions_for_findings(cur, finding_ids: Sequence[int], *, actor: Principal, today: dt.date) -> CreatedActions:
    """Inside the caller's transaction: one corrective action per major or minor finding among
    ``finding_ids`` that has none yet (retracted findings and observations get none), due by the
    default for its source; then earlier actions of the same clause at the same unit are marked
    recurred.  Idempotent: a second call creates nothing."""
    # The anti-join of _NEEDS_ACTION is narrowed to the same ids on the actions side (an
    # equivalent condition: a.finding_id = f.id): DuckDB then reads the actions' finding ids
    # through their index instead of hashing every action of the database (16 ms -> 2.5 ms).
    rows = cur.execute(f"SELECT {_FINDING_COLUMNS} FROM findings f WHERE list_contains($ids, f.id) AND {_NEEDS_ACTION_OF_IDS}"
                       " ORDER BY f.found_on, f.id", {"ids": list(finding_ids)}).fetchall()
    return _create_in(cur, rows, actor=actor, today=today)


def _create_in(cur, rows: list[tuple], *, actor: Principal, today: dt.date) -> CreatedActions:
    if not rows:
        return CreatedActions([], [], [])
    who = _require_from_findings(cur, actor, {r[3] for r in rows})
    days = due_days_in(cur)
    new = []
    for i, (fid, audit_id, kind, unit, item_ref, standard, clause, _grade, note, found_on) in enumerate(rows):
        source = rules.SOURCE_OF_AUDIT_KIND[kind]
        new.append({"seq": i, "unit_code": unit, "finding_id": fid, "audit_id": audit_id, "item_ref": item_ref,
                    "standard": standard, "clause": clause,
                    "recurrence_key": rules.recurrence_key(unit, standard, clause, item_ref), "source": source.value,
                    "type": ActionType.CORRECTIVE.value, "description": note, "opened_on": found_on,
                    "due_date": rules.default_due_date(source, found_on, days)})
    with registered(cur, "qms_new_actions", pa.Table.from_pylist(new, schema=_ACTION_SCHEMA)):
        ids = [r[0] for r in cur.execute(
            "INSERT INTO actions (unit_code, finding_id, audit_id, item_ref, standard, clause, recurrence_key, source, type,"
            " description, owner_unit_code, opened_on, due_date, created_by)"
            " SELECT unit_code, finding_id, audit_id, item_ref, standard, clause, recurrence_key, source, type, description,"
            " unit_code, opened_on, due_date, ? FROM qms_new_actions ORDER BY seq RETURNING id", [who.username]).fetchall()]
    ids.sort()  # a sequence hands ids out in insertion order
    insert_events_in(cur, [{"action_id": i, "step": Step.OPEN.value, "from_status": None, "to_status": ActionStatus.OPEN.value,
                            "on_date": n["opened_on"], "due_date": n["due_date"], "note": None} for i, n in zip(ids, new)],
                     actor=who.username)
    changelog.append_many(cur, [
        {"actor": who.username, "action": "insert", "entity": "actions", "key": f"action#{i}",
         "after": {k: v for k, v in n.items() if k != "seq"}} for i, n in zip(ids, new)])
    recurred = _mark_recurrences(cur, {n["recurrence_key"] for n in new if n["recurrence_key"]}, actor=who.username)
    return CreatedActions(ids, recurred, [])


def _mark_recurrences(cur, keys: set[str], *, actor: str) -> list[int]:
    """Mark recurred every action of these keys that a later finding of the same key repeats."""
    if not keys:
        return []
    # Two lookups, both answered from indexes (actions_recurrence, migration 009, and
    # action_events_action), instead of one query whose correlated max() hashed every step.
    rows = cur.execute(
        "SELECT a.id, a.recurrence_key, a.opened_on, a.finding_id, a.status, a.recurred_by_finding_id IS NOT NULL,"
        " a.due_date, a.audit_id FROM actions a WHERE list_contains(?, a.recurrence_key)", [sorted(keys)]).fetchall()
    last_on = dict(cur.execute("SELECT action_id, max(on_date) FROM action_events WHERE list_contains(?, action_id)"
                               " GROUP BY action_id", [[r[0] for r in rows]]).fetchall()) if rows else {}
    keyed = [KeyedAction(r[0], r[1], r[2], r[3], ActionStatus(r[4]), r[5]) for r in rows]
    extra = {r[0]: (r[6], last_on.get(r[0]) or r[2], r[7]) for r in rows}
    marks = rules.recurrences(keyed)
    events = []
    for earlier_id, later in sorted(marks.items()):
        earlier = next(k for k in keyed if k.id == earlier_id)
        due, last_on, _ = extra[earlier_id]
        on = max(later.opened_on, last_on)
        target = steps.next_status(earlier_id, earlier.status, Step.RECUR)
        cur.execute("UPDATE actions SET status = ?, recurred_by_finding_id = ?, recurred_on = ?, row_version = row_version + 1,"
                    " updated_at = current_timestamp, updated_by = ? WHERE id = ?",
                    [target.value, later.finding_id, on, actor, earlier_id])
        note = f"Phát hiện #{later.finding_id} (phiếu #{extra[later.id][2]}) ngày {later.opened_on:%d/%m/%Y}"
        events.append({"action_id": earlier_id, "step": Step.RECUR.value, "from_status": earlier.status.value,
                       "to_status": target.value, "on_date": on, "due_date": due, "note": note})
    insert_events_in(cur, events, actor=actor)
    changelog.append_many(cur, [
        {"actor": actor, "action": "recur", "entity": "actions", "key": f"action#{e['action_id']}",
         "before": {"status": e["from_status"]}, "after": {"status": e["to_status"], "note": e["note"]}} for e in events])
    return sorted(marks)


def create_actions_for_audit_in(cur, audit_id: int, *, actor: Principal, today: dt.date) -> CreatedActions:
    """The submit hook: actions for the audit's nonconformities (see
    :func:`create_actions_for_findings`), and the open actions of findings the resubmitted audit
    no longer holds (retracted, or now only an observation) cancelled with that reason."""
    ids = [r[0] for r in cur.execute("SELECT id FROM findings WHERE audit_id = ?", [audit_id]).fetchall()]
    made = create_actions_for_findings(cur, ids, actor=actor, today=today)
    gone = cur.execute(
        "SELECT a.id, a.status, a.due_date, a.unit_code, (SELECT max(on_date) FROM action_events e WHERE e.action_id = a.id)"
        " FROM actions a JOIN findings f ON f.id = a.finding_id"
        " WHERE f.audit_id = ? AND (f.retracted_at IS NOT NULL OR f.grade = 'observation')"
        " AND a.status IN ('open', 'in_progress')", [audit_id]).fetchall()
    if not gone:
        return made
    who = _require_from_findings(cur, actor, {r[3] for r in gone})
    reason = f"Phát hiện đã được rút lại khi phiếu đánh giá #{audit_id} được nộp lại"
    for action_id, status, due, _unit, last_on in gone:
        change = Change(Step.CANCEL, ActionStatus(status), ActionStatus.CANCELLED, max(today, last_on), due,
                        {"cancel_reason": reason, "cancelled_on": max(today, last_on)}, reason)
        _write_change(cur, action_id, change, actor=who.username)
    return CreatedActions(made.created, made.recurred, sorted(r[0] for r in gone))


def ensure_actions_in(cur, *, actor: Principal, today: dt.date, unit_code: str | None = None) -> CreatedActions:
    """Inside the caller's transaction: every missing action of a major or minor finding (all
    units, or one), earlier actions of a repeated clause marked recurred.  Idempotent."""
    rows = cur.execute(f"SELECT {_FINDING_COLUMNS} FROM findings f WHERE {_NEEDS_ACTION}"
                       " AND ($unit IS NULL OR f.unit_code = $unit) ORDER BY f.found_on, f.id",
                       {"unit": unit_code}).fetchall()
    return _create_in(cur, rows, actor=actor, today=today)


def ensure_actions_for_findings(db, *, actor: Principal, today: dt.date | None = None,
                                unit_code: str | None = None) -> CreatedActions:
    """:func:`ensure_actions_in` in its own transaction (``qms actions sync``): safe to rerun;
    until the audit submit calls :func:`create_actions_for_audit_in`, this catches up."""
    today = today or province_today()
    return db.write(lambda cur: ensure_actions_in(cur, actor=actor, today=today, unit_code=unit_code))
