"""Administrative changes imported by legal act: preview, then all-or-nothing confirm.

The plan is pure (:mod:`qms.admin_changes.plan`); this module reads the units of the day before the
act, asks for the plan, and writes it in one transaction: old units end, new units start (keys
that never collide with a reused code), continuing units change name and parent on the date,
links old -> new with their shares, districts with no commune left end, unfinished improvement
actions move to their successor with a history step naming the act, and the change log records
it.  The preview runs the same write inside a transaction that is rolled back, so the coverage
it shows after the change is the overview's own SQL over the changed units.  Importing the same
act again changes nothing (its digest is recorded).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pyarrow as pa

from qms.accounts.principals_store import authorize
from qms.accounts.rules import Operation, Principal
from qms.actions import store as actions_store
from qms.actions.rules import UNFINISHED, Step
from qms.actions.steps import StepInput, plan_step
from qms.admin_changes.plan import ChangePlan, ChangeRow, ExistingUnit, Link, digest, official_code, plan_change
from qms.audits.findings_store import registered
from qms.changelog import store as changelog
from qms.coverage.queries import by_level
from qms.kernel.db import InTransaction  # the coverage queries read inside the open transaction
from qms.kernel.errors import QmsError
from qms.units import spans_store as spans
from qms.units.model import Level, LevelCoverage
from qms.units.stage_sql import ANNOUNCED
from qms.units.store import LATEST_NAME_SQL, NAME_ON_SQL, ORIGINAL_NAME_FROM, PARENT_ON_SQL


@dataclass(frozen=True)
class OpenWork:
    """What an ending unit still holds on the day it ends."""

    key: str
    name: str
    open_actions: int
    draft_audits: int
    processes: int
    tthc: int


@dataclass(frozen=True)
class ActionMove:
    action_id: int
    old_key: str
    new_key: str
    choices: tuple[str, ...]  # every successor it could go to (several when the old unit was split)


@dataclass
class ChangePreview:
    plan: ChangePlan
    already_imported: bool
    open_work: list[OpenWork] = field(default_factory=list)
    moves: list[ActionMove] = field(default_factory=list)
    cancels: list[tuple[int, str]] = field(default_factory=list)  # unfinished actions of units ending with no successor
    accounts_to_reassign: list[tuple[str, str, str, str]] = field(default_factory=list)  # username, role, scope kind, key
    events_after: list[tuple[str, int]] = field(default_factory=list)  # ended unit, events dated on/after the act
    coverage_before: list[LevelCoverage] = field(default_factory=list)
    coverage_after: list[LevelCoverage] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # key -> name on the day before (ended and continuing units)
    taken_over: tuple[int, int] = (0, 0)  # TTHC catalogue entries and draft processes copied to successors
    written: bool = False

    @property
    def problems(self) -> list[str]:
        return [f"{key}: {n} lifecycle event(s) dated on or after {self.plan.effective:%d/%m/%Y}" for key, n in self.events_after]


class _Rollback(Exception):
    def __init__(self, result: ChangePreview):
        super().__init__("preview")
        self.result = result


def _existing(cur, day: dt.date, source: str):
    rows = cur.execute(
        f"""SELECT u.code, u.gso_code, n.name, u.level, u.kind, p.parent_code
            FROM units u JOIN ({NAME_ON_SQL}) n ON n.code = u.code JOIN ({PARENT_ON_SQL}) p ON p.code = u.code
            WHERE (u.valid_from IS NULL OR u.valid_from <= $as_of) AND (u.valid_to IS NULL OR u.valid_to > $as_of)""",
        {"as_of": day},
    ).fetchall()
    existing: dict[str, ExistingUnit] = {}
    communes_by_parent: dict[str, set[str]] = {}
    districts: set[str] = set()
    for key, gso, name, level, kind, parent in rows:
        unit = ExistingUnit(key=key, gso_code=gso, name=name, level=Level(level), kind=kind, parent_key=parent)
        if gso in existing:
            raise QmsError(f"{source}: two units bear code {gso} on {day:%d/%m/%Y} ({existing[gso].key}, {key}); fix the unit list first.",
                           vi=f"{source}: hai đơn vị cùng mang mã {gso} ngày {day:%d/%m/%Y} ({existing[gso].key}, {key}); hãy sửa danh sách đơn vị trước.")
        existing[gso] = unit
        if unit.level is Level.COMMUNE and parent:
            communes_by_parent.setdefault(parent, set()).add(key)
        if unit.level is Level.DISTRICT:
            districts.add(key)
    all_keys = {r[0] for r in cur.execute("SELECT code FROM units").fetchall()}
    return existing, all_keys, communes_by_parent, districts


def plan_in(cur, rows: list[ChangeRow], source: str) -> ChangePlan:
    """The plan of ``rows`` against the database as it is inside the caller's transaction."""
    day_before = rows[0].effective - dt.timedelta(days=1)
    existing, all_keys, communes_by_parent, districts = _existing(cur, day_before, source)
    return plan_change(rows, source=source, existing=existing, all_keys=all_keys,
                       communes_by_parent=communes_by_parent, districts=districts)


def _already(cur, sha: str) -> bool:
    return bool(cur.execute("SELECT count(*) FROM admin_changes WHERE digest = ?", [sha]).fetchall()[0][0])


def _recorded_plan(cur, rows: list[ChangeRow], source: str) -> ChangePlan:
    """An act imported before: what it did, as recorded (nothing is planned again)."""
    sha = digest(rows)
    cid, ended, started = cur.execute("SELECT id, ended_units, started_units FROM admin_changes WHERE digest = ?", [sha]).fetchall()[0]
    links = tuple(Link(*r) for r in cur.execute(
        "SELECT old_code, new_code, share, weight FROM unit_links WHERE change_id = ? ORDER BY old_code, new_code", [cid]).fetchall())
    return ChangePlan(act=rows[0].act, effective=rows[0].effective, source=source, new_units=(), continuing=(), links=links,
                      ended=(), ended_without_successor=(), name_variants=(), digest=sha,
                      notes=(f"imported before: {ended} units ended, {started} started",))


def _preview_facts(cur, plan: ChangePlan, successor_of: dict[str, str]) -> ChangePreview:
    ending = sorted(set(plan.ended) | set(plan.ended_without_successor))
    continuing = [c.key for c in plan.continuing]
    preview = ChangePreview(plan=plan, already_imported=False)
    day_before = plan.effective - dt.timedelta(days=1)
    preview.names = dict(cur.execute(
        f"SELECT code, name FROM ({NAME_ON_SQL}) WHERE list_contains($keys, code)",
        {"as_of": day_before, "keys": ending + continuing}).fetchall())
    unfinished = [s.value for s in UNFINISHED]
    counts = {r[0]: r[1:] for r in cur.execute(
        """WITH k AS (SELECT unnest($keys) AS k),
           a AS (SELECT unit_code, count(*) AS n FROM actions
                 WHERE list_contains($keys, unit_code) AND list_contains($st, status) GROUP BY unit_code),
           d AS (SELECT unit_code, count(*) AS n FROM audits
                 WHERE list_contains($keys, unit_code) AND status = 'draft' GROUP BY unit_code),
           p AS (SELECT unit_code, count(DISTINCT code) AS n FROM process_versions
                 WHERE list_contains($keys, unit_code) GROUP BY unit_code),
           t AS (SELECT unit_code, count(*) AS n FROM unit_tthc
                 WHERE list_contains($keys, unit_code) AND (valid_to IS NULL OR valid_to > $eff) GROUP BY unit_code)
           SELECT k.k, coalesce(a.n, 0), coalesce(d.n, 0), coalesce(p.n, 0), coalesce(t.n, 0)
           FROM k LEFT JOIN a ON a.unit_code = k.k LEFT JOIN d ON d.unit_code = k.k
                  LEFT JOIN p ON p.unit_code = k.k LEFT JOIN t ON t.unit_code = k.k""",
        {"keys": ending, "st": unfinished, "eff": plan.effective}).fetchall()}
    for key in ending:
        a, d, p, t = counts.get(key, (0, 0, 0, 0))
        if a or d or p or t:
            preview.open_work.append(OpenWork(key, preview.names.get(key, key), a, d, p, t))
    for action_id, unit in cur.execute(
            "SELECT id, unit_code FROM actions WHERE list_contains($keys, unit_code) AND list_contains($st, status) ORDER BY id",
            {"keys": list(plan.ended), "st": unfinished}).fetchall():
        links = sorted(plan.successors(unit), key=lambda link: -link.weight)
        if not links:
            continue
        choices = tuple(link.new_key for link in links)
        target = successor_of.get(unit) or choices[0]
        if target not in choices:
            raise QmsError(f"{target} is not a successor of {unit} in this act; choose one of {', '.join(choices)}.",
                           vi=f"{target} không phải đơn vị kế thừa của {unit} theo văn bản này; chọn một trong {', '.join(choices)}.")
        preview.moves.append(ActionMove(action_id, unit, target, choices))
    preview.cancels = [tuple(r) for r in cur.execute(
        "SELECT id, unit_code FROM actions WHERE list_contains($keys, unit_code) AND list_contains($st, status) ORDER BY id",
        {"keys": list(plan.ended_without_successor), "st": unfinished}).fetchall()]
    preview.accounts_to_reassign = [tuple(r) for r in cur.execute(
        """SELECT s.username, a.role, s.scope_kind, s.code FROM user_scopes s JOIN users a ON a.username = s.username
           WHERE a.active AND list_contains($keys, s.code) ORDER BY s.username, s.code""", {"keys": ending}).fetchall()]
    preview.events_after = [tuple(r) for r in cur.execute(
        "SELECT unit_code, count(*) FROM qms_events WHERE list_contains($keys, unit_code) AND event_date >= $eff"
        " GROUP BY unit_code ORDER BY unit_code", {"keys": ending, "eff": plan.effective}).fetchall()]
    return preview


#: Take-over of scope: the TTHC catalogue entries in force on the eve, and the processes whose
#: version in force then was issued, of every predecessor, as the new unit's own catalogue from
#: the effective date and as *draft* processes (coded ``<old code>-<process code>``): drafts do
#: not cover anything until the new unit issues them, so its scope starts honest.
_TAKE_OVER_TTHC = """
    INSERT INTO unit_tthc (unit_code, tthc_code, valid_from, valid_to, source, recorded_by)
    SELECT DISTINCT l.new_code, t.tthc_code, $eff, NULL::DATE, 'admin_change', $actor
    FROM unit_links l JOIN unit_tthc t ON t.unit_code = l.old_code
    WHERE l.change_id = $cid AND (t.valid_from IS NULL OR t.valid_from < $eff) AND (t.valid_to IS NULL OR t.valid_to >= $eff)
"""
_IN_FORCE_ON_EVE = """
    SELECT l.new_code, l.old_code, v.id, v.code, v.title, v.legal_basis
    FROM unit_links l JOIN (
        SELECT unit_code, code, arg_max(id, (status_on, version_no)) AS id
        FROM process_versions WHERE status <> 'draft' AND status_on < $eff GROUP BY unit_code, code
    ) last ON last.unit_code = l.old_code
    JOIN process_versions v ON v.id = last.id
    WHERE l.change_id = $cid AND v.status = 'issued'
    ORDER BY l.new_code, l.old_code, v.code
"""


def _take_over_scope(cur, change_id: int, eff: dt.date, actor: str) -> tuple[int, int]:
    """Copy the predecessors' catalogues and issued processes to the successors (see above)."""
    cur.execute(_TAKE_OVER_TTHC, {"cid": change_id, "eff": eff, "actor": actor})
    entries = cur.execute("SELECT count(*) FROM unit_tthc WHERE source = 'admin_change' AND valid_from = ?"
                          " AND unit_code IN (SELECT new_code FROM unit_links WHERE change_id = ?)", [eff, change_id]).fetchall()[0][0]
    drafts = 0
    for new_key, old_key, version_id, code, title, basis in cur.execute(_IN_FORCE_ON_EVE, {"cid": change_id, "eff": eff}).fetchall():
        new_code = f"{official_code(old_key)}-{code}"
        if cur.execute("SELECT count(*) FROM process_versions WHERE unit_code = ? AND code = ?", [new_key, new_code]).fetchall()[0][0]:
            continue  # the same predecessor process reached this unit twice (a chain): once is enough
        draft_id = cur.execute(
            "INSERT INTO process_versions (unit_code, code, version_no, title, status, status_on, legal_basis, source, recorded_by)"
            " VALUES (?, ?, 1, ?, 'draft', ?, ?, 'admin_change', ?) RETURNING id",
            [new_key, new_code, title, eff, basis, actor]).fetchall()[0][0]
        cur.execute("INSERT INTO process_tthc (version_id, unit_code, process_code, tthc_code)"
                    " SELECT ?, ?, ?, tthc_code FROM process_tthc WHERE version_id = ?", [draft_id, new_key, new_code, version_id])
        drafts += 1
    return entries, drafts


def _move_actions(cur, plan: ChangePlan, moves: list[ActionMove], *, actor: str) -> None:
    """Unfinished actions go to their successor, set-based: each gets a history step naming the
    act (dated the effective day, or its last step's day when later) and a change-log entry."""
    if not moves:
        return
    eff = plan.effective
    table = pa.Table.from_pylist(
        [{"seq": i, "id": m.action_id, "old_key": m.old_key, "new_key": m.new_key,
          "note": f"Chuyển sang đơn vị kế thừa {m.new_key} theo {plan.act} (hiệu lực {eff:%d/%m/%Y}); trước đó thuộc {m.old_key}."}
         for i, m in enumerate(moves)],
        schema=pa.schema([("seq", pa.int64()), ("id", pa.int64()), ("old_key", pa.string()), ("new_key", pa.string()),
                          ("note", pa.string())]))
    with registered(cur, "qms_action_moves", table):
        cur.execute(
            """INSERT INTO action_events (action_id, step, from_status, to_status, on_date, due_date, note, actor)
               SELECT m.id, 'edit', a.status, a.status, greatest($eff, coalesce(e.last_on, $eff)), a.due_date, m.note, $actor
               FROM qms_action_moves m JOIN actions a ON a.id = m.id
               LEFT JOIN (SELECT action_id, max(on_date) AS last_on FROM action_events
                          WHERE action_id IN (SELECT id FROM qms_action_moves) GROUP BY action_id) e ON e.action_id = m.id
               ORDER BY m.seq""", {"eff": eff, "actor": actor})
        cur.execute(
            """UPDATE actions SET unit_code = m.new_key,
                      owner_unit_code = CASE WHEN owner_unit_code = unit_code THEN m.new_key ELSE owner_unit_code END,
                      transferred_from = m.old_key, transferred_on = $eff, row_version = row_version + 1,
                      updated_at = current_timestamp, updated_by = $actor
               FROM qms_action_moves m WHERE actions.id = m.id""", {"eff": eff, "actor": actor})
    changelog.append_many(cur, [
        {"actor": actor, "action": "transfer", "entity": "actions", "key": str(m.action_id),
         "before": {"unit": m.old_key}, "after": {"unit": m.new_key, "act": plan.act}} for m in moves])


def _cancel_actions(cur, plan: ChangePlan, cancels: list[tuple[int, str]], *, actor: str) -> None:
    """Unfinished actions of units ending with no successor are cancelled, each step checked by
    the action rules (:func:`plan_step`), all written at once."""
    if not cancels:
        return
    eff = plan.effective
    states = actions_store.load_many(cur, [action_id for action_id, _ in cancels])
    changes = []
    for action_id, unit in cancels:
        state = states[action_id]
        reason = f"Đơn vị {unit} chấm dứt hoạt động từ {eff:%d/%m/%Y} theo {plan.act}, không có đơn vị kế thừa."
        on = max(eff, state.last_on)
        changes.append((action_id, plan_step(state, StepInput(step=Step.CANCEL, on_date=on, note=reason), today=on)))
    actions_store.write_changes(cur, changes, actor=actor)


def _write(cur, plan: ChangePlan, preview: ChangePreview, *, actor: str, take_over_scope: bool = False) -> None:
    eff = plan.effective
    change_id = cur.execute(
        "INSERT INTO admin_changes (act, effective_date, source, digest, ended_units, started_units, imported_by)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [plan.act, eff, plan.source, plan.digest, len(plan.ended) + len(plan.ended_without_successor), len(plan.new_units), actor],
    ).fetchall()[0][0]
    ending = sorted(set(plan.ended) | set(plan.ended_without_successor))
    cur.execute("UPDATE units SET valid_to = $eff WHERE list_contains($keys, code)", {"eff": eff, "keys": ending})
    in_plan = dict(cur.execute("SELECT code, in_plan FROM units WHERE list_contains(?, code)",
                               [[k for u in plan.new_units for k in u.predecessors]]).fetchall())
    if plan.new_units:
        started = pa.Table.from_pylist([
            {"seq": i, "code": u.key, "gso_code": u.gso_code, "level": u.level.value, "kind": u.kind, "parent_code": u.parent_key,
             "in_plan": any(in_plan.get(k, True) for k in u.predecessors), "name": u.name}
            for i, u in enumerate(plan.new_units)],
            schema=pa.schema([("seq", pa.int64()), ("code", pa.string()), ("gso_code", pa.string()), ("level", pa.string()),
                              ("kind", pa.string()), ("parent_code", pa.string()), ("in_plan", pa.bool_()), ("name", pa.string())]))
        with registered(cur, "qms_started_units", started):
            cur.execute("INSERT INTO units (code, gso_code, level, kind, parent_code, valid_from, valid_to, in_plan)"
                        " SELECT code, gso_code, level, kind, parent_code, ?, NULL, in_plan FROM qms_started_units ORDER BY seq", [eff])
            cur.execute("INSERT INTO unit_names (code, name, valid_from) SELECT code, name, ? FROM qms_started_units ORDER BY seq",
                        [ORIGINAL_NAME_FROM])
    for c in plan.continuing:
        if c.new_name != c.old_name:
            cur.execute("INSERT OR REPLACE INTO unit_names (code, name, valid_from) VALUES (?, ?, ?)", [c.key, c.new_name, eff])
        if c.new_parent != c.old_parent:
            cur.execute("INSERT OR REPLACE INTO unit_parents (code, parent_code, valid_from) VALUES (?, ?, ?)", [c.key, c.new_parent, eff])
    if plan.links:
        links = pa.Table.from_pylist(
            [{"seq": i, "old_code": link.old_key, "new_code": link.new_key, "share": link.share, "weight": link.weight}
             for i, link in enumerate(plan.links)],
            schema=pa.schema([("seq", pa.int64()), ("old_code", pa.string()), ("new_code", pa.string()),
                              ("share", pa.string()), ("weight", pa.float64())]))
        with registered(cur, "qms_new_links", links):
            cur.execute("INSERT INTO unit_links (change_id, old_code, new_code, share, weight)"
                        " SELECT ?, old_code, new_code, share, weight FROM qms_new_links ORDER BY seq", [change_id])
    _move_actions(cur, plan, preview.moves, actor=actor)
    _cancel_actions(cur, plan, preview.cancels, actor=actor)
    spans.refresh(cur, [u.key for u in plan.new_units])
    if take_over_scope:
        preview.taken_over = _take_over_scope(cur, change_id, eff, actor)
    changelog.append(cur, actor=actor, action="import", entity="admin_changes", key=plan.act, after={
        "scope_taken_over": {"tthc_entries": preview.taken_over[0], "draft_processes": preview.taken_over[1]},
        "source": plan.source, "effective": eff, "digest": plan.digest, "ended": ending,
        "started": [u.key for u in plan.new_units], "continuing": [c.key for c in plan.continuing],
        "links": [[link.old_key, link.new_key, link.share, link.weight] for link in plan.links],
    })


def _run(cur, rows: list[ChangeRow], source: str, *, actor: Principal, successor_of: dict[str, str],
         write: bool, take_over_scope: bool = False) -> ChangePreview:
    who = authorize(cur, actor, Operation.IMPORT_UNITS)
    if _already(cur, digest(rows)):
        return ChangePreview(plan=_recorded_plan(cur, rows, source), already_imported=True)
    plan = plan_in(cur, rows, source)
    preview = _preview_facts(cur, plan, successor_of)
    reader = InTransaction(cur)
    preview.coverage_before = by_level(reader, plan.effective)
    if preview.events_after:
        return preview
    _write(cur, plan, preview, actor=who.username, take_over_scope=take_over_scope)
    preview.coverage_after = by_level(reader, plan.effective)
    preview.written = write
    return preview


def preview_change(db, rows: list[ChangeRow], source: str, *, actor: Principal,
                   successor_of: dict[str, str] | None = None, take_over_scope: bool = False) -> ChangePreview:
    """What importing ``rows`` would do, computed by writing it in a transaction that is then
    rolled back: nothing is written.  Bad lines raise :class:`ImportRowError`."""

    def run(cur):
        raise _Rollback(_run(cur, rows, source, actor=actor, successor_of=successor_of or {}, write=False,
                             take_over_scope=take_over_scope))

    try:
        db.write(run, attempts=1)
    except _Rollback as done:
        return done.result
    raise AssertionError("unreachable: the preview always rolls back")  # pragma: no cover


def apply_change(db, rows: list[ChangeRow], source: str, *, actor: Principal,
                 successor_of: dict[str, str] | None = None, take_over_scope: bool = False) -> ChangePreview:
    """Write the change in one transaction, or nothing.  An act already imported (same digest)
    returns with ``already_imported`` and writes nothing; an ended unit with lifecycle events
    dated on or after the act is refused (those events belong to another unit)."""

    def run(cur) -> ChangePreview:
        result = _run(cur, rows, source, actor=actor, successor_of=successor_of or {}, write=True,
                      take_over_scope=take_over_scope)
        if result.events_after:
            detail = "; ".join(result.problems)
            raise QmsError(
                f"{source}: units that end on {result.plan.effective:%d/%m/%Y} have lifecycle events from that day on ({detail}); "
                "nothing was imported.",
                vi=f"{source}: đơn vị chấm dứt từ {result.plan.effective:%d/%m/%Y} còn sự kiện vòng đời từ ngày đó ({detail}); "
                   "chưa nhập gì.",
            )
        return result

    return db.write(run)


def list_changes(db) -> list[tuple]:
    """Every imported act: id, act, effective date, ended, started, imported at, by."""
    return db.rows("SELECT id, act, effective_date, ended_units, started_units, imported_at, imported_by"
                   " FROM admin_changes ORDER BY effective_date, id")


@dataclass(frozen=True)
class Lineage:
    """Where a unit came from and where it went."""

    predecessors: list[tuple[str, str, str, float, str, dt.date, bool]]  # key, name, share, weight, act, effective, announced then
    successors: list[tuple[str, str, str, float, str, dt.date]]


def lineage(db, key: str) -> Lineage:
    """A unit's direct predecessors (with whether each had announced its QMS the day before the
    change) and successors, each by its latest name (:data:`qms.units.store.LATEST_NAME_SQL`)."""
    preds = db.rows(
        f"""SELECT l.old_code, n.name, l.share, l.weight, c.act, c.effective_date,
                   coalesce((SELECT s.stage = {ANNOUNCED} FROM unit_stage_spans s WHERE s.unit_code = l.old_code
                              AND s.valid_from <= c.effective_date - 1 AND (s.valid_to IS NULL OR s.valid_to > c.effective_date - 1)
                              AND NOT s.inherited), false)
            FROM unit_links l JOIN admin_changes c ON c.id = l.change_id
            JOIN (SELECT code, coalesce(name, '') AS name FROM ({LATEST_NAME_SQL})) n ON n.code = l.old_code
            WHERE l.new_code = $key ORDER BY l.old_code""", {"key": key})
    succ = db.rows(
        f"""SELECT l.new_code, n.name, l.share, l.weight, c.act, c.effective_date
           FROM unit_links l JOIN admin_changes c ON c.id = l.change_id
           JOIN ({LATEST_NAME_SQL}) n ON n.code = l.new_code
           WHERE l.old_code = $key ORDER BY l.new_code""", {"key": key})
    return Lineage([tuple(r) for r in preds], [tuple(r) for r in succ])


def carry_over_enabled(db) -> bool:
    """The province setting: do predecessors' announcements count for a unit formed from them?"""
    return db.scalar("SELECT value FROM settings WHERE key = ?", [spans.CARRY_OVER_KEY]) == "true"


def set_carry_over(db, enabled: bool, *, actor: Principal) -> None:
    """Switch the carry-over setting and rebuild the derived stage spans in the same transaction,
    so every figure (overview, trend, exports) follows at once."""
    def run(cur) -> None:
        who = authorize(cur, actor, Operation.SETTINGS)
        before = spans.carry_over(cur)
        cur.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", [spans.CARRY_OVER_KEY, "true" if enabled else "false"])
        spans.rebuild(cur)
        changelog.append(cur, actor=who.username, action="update", entity="settings", key=spans.CARRY_OVER_KEY,
                         before={"enabled": before}, after={"enabled": enabled})

    db.write(run)
