"""The append-only change log: every write records who, when, what, before and after."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pyarrow as pa
from pydantic import BaseModel


def _json(value: Any) -> str:
    """JSON text of a before/after value (dates ISO, models as their JSON), serialised in one C
    pass: a bulk import logs tens of thousands of rows in one entry."""
    return json.dumps(value, ensure_ascii=False, default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def append(cur, *, actor: str, action: str, entity: str, key: str, before: Any = None, after: Any = None) -> None:
    """Append one entry inside the caller's transaction (so the log and the change commit together).
    ``actor`` is a user name or a principal (its user name is recorded)."""
    actor = getattr(actor, "username", actor)
    cur.execute(
        "INSERT INTO change_log (actor, action, entity, entity_key, before, after) VALUES (?, ?, ?, ?, ?, ?)",
        [
            actor,
            action,
            entity,
            key,
            None if before is None else _json(before),
            None if after is None else _json(after),
        ],
    )


def append_many(cur, entries: list[dict[str, Any]]) -> None:
    """Append many entries at once (bulk imports), inside the caller's transaction."""
    if not entries:
        return
    table = pa.Table.from_pylist([
        {
            "seq": i, "actor": getattr(e["actor"], "username", e["actor"]), "action": e["action"], "entity": e["entity"], "entity_key": e["key"],
            "before": None if e.get("before") is None else _json(e["before"]),
            "after": None if e.get("after") is None else _json(e["after"]),
        }
        for i, e in enumerate(entries)
    ])
    cur.register("qms_new_log", table)
    try:
        cur.execute(
            "INSERT INTO change_log (actor, action, entity, entity_key, before, after)"
            " SELECT actor, action, entity, entity_key, before, after FROM qms_new_log ORDER BY seq"
        )
    finally:
        cur.unregister("qms_new_log")


def entries(db, *, entity: str | None = None, key: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
    """Newest first; filter by entity and key (a record's history)."""
    sql = "SELECT id, changed_at, actor, action, entity, entity_key, before, after FROM change_log WHERE 1=1"
    params: list[Any] = []
    if entity:
        sql += " AND entity = ?"
        params.append(entity)
    if key:
        sql += " AND entity_key = ?"
        params.append(key)
    sql += " ORDER BY id DESC LIMIT ?"
    params.append(limit)
    return db.dicts(sql, params)


def search(db, text: str = "", *, limit: int = 500) -> list[dict[str, Any]]:
    """Newest first; ``text`` matches the author, the entity or the record key (case-insensitive)."""
    needle = f"%{text.strip().lower()}%"
    return db.dicts(
        "SELECT id, changed_at, actor, action, entity, entity_key, before, after FROM change_log"
        " WHERE lower(actor) LIKE ? OR lower(entity) LIKE ? OR lower(entity_key) LIKE ?"
        " ORDER BY id DESC LIMIT ?",
        [needle, needle, needle, limit],
    )


#: Entities whose change-log key names a unit: ``units`` by its code, the others as ``CODE#n``
#: (lifecycle events) or ``CODE/...`` (catalogue entries, process versions).
UNIT_ENTITIES = ("units", "qms_events", "unit_tthc", "process_versions")


def unit_log(db, code: str, *, limit: int = 500) -> list[dict[str, Any]]:
    """A unit's own history, newest first: its record, lifecycle events, TTHC catalogue and
    processes (its audits and actions keep theirs on their own pages)."""
    return db.dicts(
        "SELECT id, changed_at, actor, action, entity, entity_key, before, after FROM change_log"
        " WHERE list_contains(?, entity)"
        "   AND (entity_key = ? OR starts_with(entity_key, ? || '#') OR starts_with(entity_key, ? || '/'))"
        " ORDER BY id DESC LIMIT ?",
        [list(UNIT_ENTITIES), code, code, code, limit],
    )
