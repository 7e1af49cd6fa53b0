"""The demo's administrative changes and its history after the 2025 reform.

Loads after the audits, actions and scope of the old units (``ORDER`` 40), so that what the
changes do to open work is what a province would meet:

1. the 2020 merger (03397 into 03403, renamed Xã Sùng Phài; 03556 into 03550), both absorbed by a
   unit that continues (the act's number is not confirmed: a sample);
2. the department merger of 01/03/2025 (Sở TT&TT into Sở KH&CN, which continues);
3. NQ 1670/NQ-UBTVQH15: 106 communes into 38 from 01/07/2025, the districts ending, read from the
   crosswalk file shipped in ``data/demo`` -- each through :func:`qms.admin_changes.store.apply_change`'s
   own steps, the path of ``qms import-changes``; the unfinished actions of the old communes
   move to their successors;
4. the history after the reform up to the demo's end date (:func:`qms.units.demo.generate_after_reform`),
   through :func:`qms.units.events_store.record_events_in`, and the moved actions worked on since.
"""

from __future__ import annotations

import datetime as dt
import random

from qms.accounts.rules import Principal
from qms.actions.rules import ActionStatus, Step
from qms.actions.steps import StepInput, plan_step
from qms.actions.store import _load, _write_change
from qms.admin_changes import store as changes_store
from qms.admin_changes.plan import ChangeRow, parse_change_csv
from qms.units import demo
from qms.units.events_store import record_events_in
from qms.units.importer import decode
from qms.units.model import Level, NewEvent, UnitRecord
from qms.units.stage_sql import ANNOUNCED
from qms.units.store import LATEST_NAME_SQL

ORDER = 40
#: The day the demo province reviews its backlog of unfinished actions, and the due dates it takes up.
BACKLOG_REVIEW = dt.date(2022, 1, 1)
BACKLOG_DUE_BEFORE = dt.date(2025, 1, 1)
TABLES = ("unit_links", "admin_changes", "unit_parents")

_2020_CHANGE = """new_code,new_name,kind,formed_from_old_codes,identity
03403,Xã Sùng Phài,xa,03397;03403,continues
03550,Xã Sì Lờ Lầu,xa,03550;03556,continues
"""


def _apply(cur, rows: list[ChangeRow], source: str, actor: str) -> int:
    """``actor``: the demo's user name (the loader acts as the system)."""
    """One change through the import's own steps, inside the demo's transaction."""
    plan = changes_store.plan_in(cur, rows, source)
    preview = changes_store._preview_facts(cur, plan, {})  # noqa: SLF001 - the import's own steps
    changes_store._write(cur, plan, preview, actor=actor)  # noqa: SLF001
    return len(preview.moves)


def _units_on(cur, day: dt.date) -> list[UnitRecord]:
    rows = cur.execute(
        f"""SELECT u.code, n.name, u.level, u.kind, coalesce(u.parent_code, '12'), u.valid_from, u.valid_to, u.in_plan
           FROM units u JOIN ({LATEST_NAME_SQL}) n ON n.code = u.code
           WHERE u.level IN ('department', 'commune') AND (u.valid_from IS NULL OR u.valid_from <= $d)
             AND (u.valid_to IS NULL OR u.valid_to > $d) AND u.in_plan""", {"d": day}).fetchall()
    return [UnitRecord(code=r[0], name=r[1], level=Level(r[2]), kind=r[3], parent_code=r[4], valid_from=r[5], valid_to=r[6],
                       in_plan=r[7]) for r in rows]


def _work_actions(cur, ids: list[int], start: dt.date, until: dt.date, seed: int, actor: str) -> int:
    """Unfinished actions taken up from ``start``: started, done and verified in the months
    after (the steps up to ``until``), through the action rules' own steps."""
    rng = random.Random(seed)
    steps = 0
    for action_id in ids:
        state, *_ = _load(cur, action_id)
        day = max(start, state.last_on) + dt.timedelta(days=rng.randint(20, 70))
        plan = [(Step.START, {}), (Step.DONE, {"note": "Đã khắc phục tại đơn vị mới sau sắp xếp."}),
                (Step.VERIFY_EFFECTIVE, {"verifier": "Chi cục TĐC", "note": "Kiểm tra hồ sơ: hiệu quả."})]
        for step, kw in plan:
            state, *_ = _load(cur, action_id)
            if state.status is ActionStatus.IN_PROGRESS and step is Step.START:
                continue
            if state.status is ActionStatus.DONE and step is not Step.VERIFY_EFFECTIVE:
                continue
            if day > until:
                break
            if step is Step.START and not state.owner_name:
                kw = {"owner_name": "Công chức văn phòng UBND"}
            change = plan_step(state, StepInput.model_construct(step=step, on_date=day, note=kw.get("note"),
                                                                owner_name=kw.get("owner_name"), root_cause=None,
                                                                verifier=kw.get("verifier"), new_due_date=None), today=until)
            _write_change(cur, action_id, change, actor=actor)
            steps += 1
            day += dt.timedelta(days=rng.randint(15, 60))
    return steps


def load(cur, *, demo_dir, settings: demo.DemoSettings, actor: Principal) -> dict[str, int]:
    principal, actor = actor, actor.username
    until = settings.until or settings.history_until
    counts: dict[str, int] = {}
    if not settings.reform:
        return counts  # the pre-reform demo: nothing after 2021
    # 1. the 2020 merger, as the units and events already say it (an act not confirmed: a sample)
    # 0. the province's 2022 review of its backlog: actions left unfinished past 2021 are worked
    backlog = [r[0] for r in cur.execute(
        "SELECT id FROM actions WHERE status IN ('open', 'in_progress', 'done') AND due_date < ? ORDER BY id",
        [BACKLOG_DUE_BEFORE]).fetchall()]
    counts["backlog_steps"] = _work_actions(cur, backlog, BACKLOG_REVIEW, min(until, settings.history_until),
                                            settings.seed + 2022, actor)
    rows = parse_change_csv(_2020_CHANGE, "demo-2020.csv", act="Sáp nhập xã năm 2020 (văn bản chưa xác nhận)",
                            effective=settings.merger_date)
    moved = _apply(cur, rows, "demo-2020.csv", actor)
    # 2. the department merger
    dm = settings.department_merger
    if dm:
        names = dict(cur.execute(LATEST_NAME_SQL).fetchall())
        into = dm["into"]
        text = "new_code,new_name,kind,level,formed_from_old_codes,identity\n" + \
            f"{into},{names[into]},so,department,{';'.join([into, *dm['merged_away']])},continues\n"
        rows = parse_change_csv(text, "demo-departments-2025.csv", act=dm["act"], effective=demo._date(dm["effective"]))  # noqa: SLF001
        moved += _apply(cur, rows, "demo-departments-2025.csv", actor)
    # 3. the 2025 reform, from the crosswalk file
    reform = settings.reform
    if not reform:
        return counts
    effective = demo._date(reform["effective"])  # noqa: SLF001
    path = demo_dir / reform["file"]
    rows = parse_change_csv(decode(path.read_bytes(), path.name), path.name, act=reform["act"], effective=effective)
    moved += _apply(cur, rows, path.name, actor)
    counts["admin_changes"] = cur.execute("SELECT count(*) FROM admin_changes").fetchall()[0][0]
    counts["actions_moved"] = moved
    if until < effective:
        return counts
    # 4. the history after the reform
    units = _units_on(cur, effective)
    announced = {r[0] for r in cur.execute(
        f"SELECT unit_code FROM unit_stage_spans WHERE stage = {ANNOUNCED} AND valid_from < $d AND (valid_to IS NULL OR valid_to >= $d)",
        {"d": effective}).fetchall()}
    prior: dict[str, list[NewEvent]] = {}
    for code, kind, day, std in cur.execute(
            "SELECT unit_code, event_type, event_date, standard FROM qms_events ORDER BY event_date, id").fetchall():
        prior.setdefault(code, []).append(NewEvent(unit_code=code, event_type=kind, event_date=day, standard=std))
    events = demo.generate_after_reform(units, announced, settings, until, prior)
    record_events_in(cur, events, actor=principal, today=until, check_permission=False)
    counts["events_after_reform"] = len(events)
    moved_ids = [r[0] for r in cur.execute("SELECT id FROM actions WHERE transferred_on = ? ORDER BY id", [effective]).fetchall()]
    counts["action_steps_after_reform"] = _work_actions(cur, moved_ids, effective, until,
                                                        int(settings.after_reform.get("seed", 2025)) + 1, actor)
    return counts
