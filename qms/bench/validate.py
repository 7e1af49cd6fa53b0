"""Proof that the synthetic data is data the app itself would accept, and a pure reference.

:func:`replay_sample` replays a seeded sample of units' events, one by one, through
:func:`qms.units.rules.check_history` (the rule every write obeys); :func:`reference_counts`
recomputes the coverage counts per level with :func:`qms.coverage.rules.coverage_from_events`, the
domain's record-by-record definition, independent of both the SQL and the pandas baseline, and
:func:`communes_without_district_reference` the communes directly under a province (the
geography from 01/07/2025) with their stages.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import asdict

from qms.coverage.rules import coverage_from_events
from qms.units.model import NewEvent, UnitRecord
from qms.units.rules import check_history, stage_on

_EVENT_SQL = "SELECT unit_code, event_type, event_date, decision_no, standard, scope_note, source, date_estimated FROM qms_events"


def _new_event(row: tuple) -> NewEvent:
    return NewEvent(unit_code=row[0], event_type=row[1], event_date=row[2], decision_no=row[3], standard=row[4],
                    scope_note=row[5], source=row[6], date_estimated=row[7])


def replay_sample(cur, *, seed: int, size: int, today: dt.date) -> dict[str, int]:
    """Replay the events of ``size`` units (seeded choice; every unit when there are fewer)
    through the lifecycle rule; raise :class:`qms.kernel.errors.ValidationError` at the first refusal.

    Returns how many units and events were replayed.
    """
    codes = [r[0] for r in cur.execute(
        "SELECT code FROM units WHERE level IN ('department', 'district', 'commune') "
        "ORDER BY hash(code || '|sample|' || ?), code LIMIT ?", [str(seed), size]).fetchall()]
    units = {r[0]: (r[1], r[2]) for r in cur.execute(
        "SELECT code, valid_from, valid_to FROM units WHERE list_contains(?, code)", [codes]).fetchall()}
    history: dict[str, list[NewEvent]] = defaultdict(list)
    for row in cur.execute(f"{_EVENT_SQL} WHERE list_contains(?, unit_code) ORDER BY event_date, id", [codes]).fetchall():
        history[row[0]].append(_new_event(row))
    replayed = 0
    for code, events in history.items():
        valid_from, valid_to = units[code]
        for i, event in enumerate(events):
            check_history(events[:i], event, today=today, unit_valid_from=valid_from, unit_valid_to=valid_to)
            replayed += 1
    return {"units": len(codes), "units_with_events": len(history), "events": replayed}


def reference_counts(cur, dates: list[dt.date]) -> dict[str, dict[str, dict[str, int]]]:
    """``{as_of: {level: {in_plan, announced, building, applying, not_started}}}`` from the pure
    domain function, over every unit and every event of the database."""
    units = [
        UnitRecord(code=r[0], name=r[1], level=r[2], kind=r[3], parent_code=r[4], valid_from=r[5], valid_to=r[6], in_plan=r[7])
        for r in cur.execute(
            "SELECT u.code, n.name, u.level, u.kind, u.parent_code, u.valid_from, u.valid_to, u.in_plan FROM units u "
            "JOIN (SELECT code, arg_min(name, valid_from) AS name FROM unit_names GROUP BY code) n USING (code)"
        ).fetchall()
    ]
    events = [_new_event(r) for r in cur.execute(f"{_EVENT_SQL} ORDER BY event_date, id").fetchall()]
    out: dict[str, dict[str, dict[str, int]]] = {}
    for day in dates:
        counts = coverage_from_events(units, events, day)
        out[day.isoformat()] = {level.value: asdict(c) for level, c in counts.items()}
    return out


def replay_actions(cur, *, seed: int, size: int) -> dict[str, int]:
    """Replay the history of ``size`` sampled actions (seeded) through the transition table of
    :mod:`qms.actions.rules`: every step allowed from the status before it, dated on or after the one
    before, and the status replayed by :func:`qms.actions.rules.status_on` equal to the stored one.
    Raises AssertionError at the first action that breaks a rule."""
    from qms.actions import rules

    ids = [r[0] for r in cur.execute("SELECT id FROM actions ORDER BY hash(id::VARCHAR || ?), id LIMIT ?", [str(seed), size]).fetchall()]
    stored = dict(cur.execute("SELECT id, status FROM actions WHERE list_contains(?, id)", [ids]).fetchall())
    steps: dict[int, list[tuple]] = defaultdict(list)
    for row in cur.execute("SELECT action_id, step, from_status, to_status, on_date, due_date FROM action_events"
                           " WHERE list_contains(?, action_id) ORDER BY id", [ids]).fetchall():
        steps[row[0]].append(row[1:])
    for action_id, history in steps.items():
        status, last = None, None
        for step, before, after, on, _due in history:
            assert last is None or on >= last, f"action {action_id}: step {step} dated before the step before it"
            if step != "open":
                allowed, target = rules.TRANSITIONS[rules.Step(step)]
                assert rules.ActionStatus(before) == status and status in allowed, f"action {action_id}: {step} from {status}"
                if step == "recur":
                    target = rules.ActionStatus.RECURRED if status is rules.ActionStatus.VERIFIED else status
                assert target is None or rules.ActionStatus(after) == target, f"action {action_id}: {step} leads to {after}"
            status, last = rules.ActionStatus(after), on
        points = [rules.HistoryPoint(on, rules.ActionStatus(after), due) for _s, _b, after, on, due in history]
        assert rules.status_on(points, dt.date.max)[0].value == stored[action_id], f"action {action_id}: stored status differs"
    return {"actions": len(steps), "steps": sum(len(h) for h in steps.values())}


def without_district_summary(stages: dict[str, str]) -> dict:
    """``{official code: stage}`` of the communes directly under a province, as a short summary
    (count, count per stage, SHA-256 of the sorted pairs) that two computations must share."""
    by_stage: dict[str, int] = {}
    for stage in stages.values():
        by_stage[stage] = by_stage.get(stage, 0) + 1
    text = "\n".join(f"{code}:{stage}" for code, stage in sorted(stages.items()))
    return {"communes": len(stages), "by_stage": dict(sorted(by_stage.items())),
            "digest": hashlib.sha256(text.encode()).hexdigest()}


def communes_without_district_reference(cur, dates: list[dt.date]) -> dict[str, dict]:
    """The communes in the plan that exist on each date and belong to no district (after the
    2025 reform: all of them), each with its stage, computed record by record: the parent on the
    date is the latest dated parent (``unit_parents``) or else the first, its level read from
    the unit list, the stage from :func:`qms.units.rules.stage_on` over the unit's events.
    Returns :func:`without_district_summary` per date."""
    units = cur.execute("SELECT code, gso_code, level, parent_code, valid_from, valid_to, in_plan FROM units").fetchall()
    level = {r[0]: r[2] for r in units}
    dated: dict[str, list[tuple[dt.date, str | None]]] = defaultdict(list)
    for code, parent, since in cur.execute("SELECT code, parent_code, valid_from FROM unit_parents ORDER BY valid_from").fetchall():
        dated[code].append((since, parent))
    events: dict[str, list[NewEvent]] = defaultdict(list)
    for row in cur.execute(f"{_EVENT_SQL} ORDER BY event_date, id").fetchall():
        events[row[0]].append(_new_event(row))
    out = {}
    for day in dates:
        stages = {}
        for code, gso, lv, parent, valid_from, valid_to, in_plan in units:
            if lv != "commune" or not in_plan or (valid_from and valid_from > day) or (valid_to and valid_to <= day):
                continue
            for since, p in dated.get(code, []):
                if since <= day:
                    parent = p
            if level.get(parent, "province") == "district":
                continue
            stages[gso or code] = stage_on(events.get(code, []), day)[0].value
        out[day.isoformat()] = without_district_summary(stages)
    return out
