"""Lifecycle events: the one write function every door (page, CLI, importer, demo) calls."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pyarrow as pa

from qms.accounts import principals_store as principals
from qms.accounts import rules as accounts
from qms.accounts.rules import Operation, Principal
from qms.changelog import store as changelog
from qms.kernel.clock import province_today
from qms.kernel.errors import NotFound
from qms.units import rules as lifecycle
from qms.units import spans_store as spans
from qms.units.model import LifecycleEvent, NewEvent

_COLUMNS = "id, unit_code, event_type, event_date, decision_no, standard, scope_note, source, date_estimated, recorded_by, recorded_at"


def _event(row: tuple) -> LifecycleEvent:
    return LifecycleEvent(
        id=row[0], unit_code=row[1], event_type=row[2], event_date=row[3], decision_no=row[4], standard=row[5],
        scope_note=row[6], source=row[7], date_estimated=row[8], recorded_by=row[9], recorded_at=row[10],
    )


def _history(cur, unit_code: str) -> list[LifecycleEvent]:
    rows = cur.execute(f"SELECT {_COLUMNS} FROM qms_events WHERE unit_code = ? ORDER BY event_date, id", [unit_code]).fetchall()
    return [_event(r) for r in rows]


def unit_events(db, unit_code: str) -> list[LifecycleEvent]:
    """A unit's events in date order (same-day events in the order they were recorded)."""
    cur = db.cursor()
    try:
        return _history(cur, unit_code)
    finally:
        cur.close()


def record_events_in(cur, events: Sequence[NewEvent], *, actor: Principal, today: dt.date,
                     check_permission: bool = True) -> list[int]:
    """Check and insert events inside the caller's transaction; return their ids in order.

    The one write path for lifecycle events (a page's single event, an importer's thousands,
    the demo): the units and their recorded histories are read in two queries, every event is
    replayed through :func:`qms.units.rules.check_history` against its unit's history as it grows,
    and only then are all rows inserted at once.  Each touched unit's ``lifecycle_version`` is
    bumped, so two concurrent writers on one unit conflict (and the retry re-reads and re-asks
    the rule) instead of both passing it; their derived stage spans (:mod:`qms.units.spans_store`) are
    rewritten from their events in the same transaction; every event is logged.

    ``actor`` must be allowed to record events of each unit (an officer: their own unit only);
    ``check_permission=False`` is for writes whose own permission was checked by the caller (a
    submitted internal audit records the year's "internal audit held" event of its unit): then
    ``actor`` may be the author's name.
    """
    if not events:
        return []
    codes = sorted({e.unit_code for e in events})
    units = {r[0]: (r[1], r[2], r[3]) for r in cur.execute(
        "SELECT code, valid_from, valid_to, parent_code FROM units WHERE list_contains(?, code)", [codes]).fetchall()}
    who = principals.current(cur, actor) if check_permission else None
    author = who.username if who else getattr(actor, "username", actor)
    histories: dict[str, list[NewEvent]] = {c: [] for c in codes}
    for row in cur.execute(
        f"SELECT {_COLUMNS} FROM qms_events WHERE list_contains(?, unit_code) ORDER BY event_date, id", [codes]
    ).fetchall():
        histories[row[1]].append(_event(row))
    for event in events:
        if event.unit_code not in units:
            raise NotFound(f"There is no unit with code {event.unit_code}; nothing was saved.",
                           vi=f"Không có đơn vị mã {event.unit_code}; chưa lưu gì.")
        valid_from, valid_to, parent = units[event.unit_code]
        if check_permission:
            accounts.require(who, Operation.RECORD_EVENT, unit_code=event.unit_code, district_code=parent)
        lifecycle.check_history(histories[event.unit_code], event, today=today, unit_valid_from=valid_from, unit_valid_to=valid_to)
        histories[event.unit_code].append(event)
    table = pa.Table.from_pylist([
        {
            "seq": i, "unit_code": e.unit_code, "event_type": e.event_type.value, "event_date": e.event_date,
            "decision_no": e.decision_no, "standard": e.standard.value if e.standard else None,
            "scope_note": e.scope_note, "source": e.source, "date_estimated": e.date_estimated,
        }
        for i, e in enumerate(events)
    ])
    cur.register("qms_new_events", table)
    try:
        ids = [r[0] for r in cur.execute(
            "INSERT INTO qms_events (unit_code, event_type, event_date, decision_no, standard, scope_note, source, date_estimated, recorded_by)"
            " SELECT unit_code, event_type, event_date, decision_no, standard, scope_note, source, date_estimated, ?"
            " FROM qms_new_events ORDER BY seq RETURNING id", [author]
        ).fetchall()]
    finally:
        cur.unregister("qms_new_events")
    ids.sort()  # ids come from a sequence in insertion order
    cur.execute("UPDATE units SET lifecycle_version = lifecycle_version + 1 WHERE list_contains(?, code)", [codes])
    spans.refresh(cur, codes)
    changelog.append_many(cur, [
        dict(actor=author, action="insert", entity="qms_events", key=f"{e.unit_code}#{i}", before=None, after=e)
        for e, i in zip(events, ids)
    ])
    return ids


def record_event(db, event: NewEvent, *, actor: Principal, today: dt.date | None = None) -> LifecycleEvent:
    """Record one lifecycle event if the rules allow it; otherwise raise and write nothing."""
    today = today or province_today()

    def run(cur) -> LifecycleEvent:
        (new_id,) = record_events_in(cur, [event], actor=actor, today=today)
        return _event(cur.execute(f"SELECT {_COLUMNS} FROM qms_events WHERE id = ?", [new_id]).fetchall()[0])

    return db.write(run)
