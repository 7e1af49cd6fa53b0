"""What must hold after a writer was killed: each violation is one sentence.

:func:`check_trial` opens the killed child's database (DuckDB replays its write-ahead log) and
checks, for every kind:

- the database opens, is migrated, and every table reads;
- every lifecycle event has its change-log entry and every logged event its row (a write and
  its log commit together or not at all);
- the derived stage spans equal a rebuild from the events (:mod:`qms.units.spans_store`);
- every action has its history (at least the step that opened it);
- in the exports folder, every snapshot folder has its manifest and its files match it;

and, for the kind that ran, that every write the child claimed (a line printed after the write
function returned) is in its table and in the change log, and that every file-sized write
(an import) is there whole or not at all.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

from qms.kernel.errors import QmsError


def _table_counts(db) -> dict[str, int]:
    tables = [t for (t,) in db.rows(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() ORDER BY table_name")]
    return {t: int(db.scalar(f'SELECT count(*) FROM "{t}"')) for t in tables}  # noqa: S608 - catalogue names


def _events_logged(db) -> list[str]:
    unlogged = db.scalar(
        "SELECT count(*) FROM qms_events e WHERE NOT EXISTS (SELECT 1 FROM change_log c"
        " WHERE c.entity = 'qms_events' AND c.entity_key = e.unit_code || '#' || e.id)")
    orphans = db.scalar(
        "SELECT count(*) FROM change_log c WHERE c.entity = 'qms_events' AND c.action = 'insert' AND NOT EXISTS"
        " (SELECT 1 FROM qms_events e WHERE c.entity_key = e.unit_code || '#' || e.id)")
    out = []
    if unlogged:
        out.append(f"{unlogged} lifecycle event(s) have no change-log entry")
    if orphans:
        out.append(f"{orphans} change-log entr(ies) name a lifecycle event that is not there")
    return out


def _spans_rebuilt(db) -> list[str]:
    from qms.units import spans_store as spans

    cur = db.cursor()
    try:
        kept = spans.contents(cur)
        cur.execute("BEGIN TRANSACTION")
        try:
            spans.rebuild(cur)
            rebuilt = spans.contents(cur)
        finally:
            cur.execute("ROLLBACK")
    finally:
        cur.close()
    return [f"derived table {t} differs from a rebuild from the events" for t in spans.TABLES if kept[t] != rebuilt[t]]


def _actions_have_history(db) -> list[str]:
    n = db.scalar("SELECT count(*) FROM actions a WHERE NOT EXISTS (SELECT 1 FROM action_events e WHERE e.action_id = a.id)")
    return [f"{n} action(s) have no history"] if n else []


def snapshots_sound(exports: Path) -> list[str]:
    from qms.exports.snapshot import MANIFEST, verify

    if not exports.is_dir():
        return []
    out = []
    for folder in sorted(p for p in exports.iterdir() if p.is_dir() and not p.name.startswith(".")):
        if not (folder / MANIFEST).is_file():
            out.append(f"snapshot folder {folder.name} has no manifest")
            continue
        try:
            problems = verify(folder)
        except QmsError as e:
            problems = [str(e)]
        out += [f"snapshot {folder.name}: {p}" for p in problems]
    return out


def _logged(db, entity: str, key: str, action: str | None = None) -> bool:
    sql = "SELECT count(*) FROM change_log WHERE entity = ? AND entity_key = ?" + (" AND action = ?" if action else "")
    return bool(db.scalar(sql, [entity, key, *([action] if action else [])]))


# -- each kind's claimed writes ------------------------------------------------------------------

def _events(db, claims: list[dict]) -> list[str]:
    out = []
    for c in claims:
        if not db.scalar("SELECT count(*) FROM qms_events WHERE id = ? AND unit_code = ?", [c["event"], c["unit"]]):
            out.append(f"event #{c['event']} of {c['unit']} was committed but is missing")
        elif not _logged(db, "qms_events", f"{c['unit']}#{c['event']}"):
            out.append(f"event #{c['event']} of {c['unit']} is not in the change log")
    return out


def _audit_saves(db, claims: list[dict]) -> list[str]:
    out = []
    for c in claims:
        row = db.rows("SELECT saved_version, result FROM audit_answers WHERE audit_id = ? AND item_ref = ?", [c["audit"], c["item"]])
        if not row or row[0] != (c["version"], c["result"]):
            out.append(f"audit #{c['audit']} item {c['item']}: saved as {c['result']} at version {c['version']}, found {row}")
    for audit_id in {c["audit"] for c in claims}:
        saves = sum(1 for c in claims if c["audit"] == audit_id)
        logged = db.scalar("SELECT count(*) FROM change_log WHERE entity = 'audits' AND entity_key = ? AND action = 'save_answers'",
                           [f"audit#{audit_id}"])
        version = db.scalar("SELECT row_version FROM audits WHERE id = ?", [audit_id])
        answers = db.scalar("SELECT max(saved_version) FROM audit_answers WHERE audit_id = ?", [audit_id])
        if logged < saves:
            out.append(f"audit #{audit_id}: {saves} saves committed, {logged} in the change log")
        if version != answers:
            out.append(f"audit #{audit_id}: row version {version} but its last answer was saved at {answers}")
    return out


def _audit_submits(db, claims: list[dict]) -> list[str]:
    out = []
    for c in claims:
        status = db.scalar("SELECT status FROM audits WHERE id = ?", [c["audit"]])
        findings = db.scalar("SELECT count(*) FROM findings WHERE audit_id = ? AND retracted_at IS NULL", [c["audit"]])
        actions = db.scalar("SELECT count(*) FROM actions WHERE audit_id = ?", [c["audit"]])
        if status != "submitted" or findings != c["findings"] or actions != c["findings"]:
            out.append(f"audit #{c['audit']}: submitted with {c['findings']} finding(s), found status {status}, "
                       f"{findings} finding(s), {actions} action(s)")
        if not _logged(db, "audits", f"audit#{c['audit']}", "submit"):
            out.append(f"audit #{c['audit']}: the submit is not in the change log")
    return out


def _action_steps(db, claims: list[dict]) -> list[str]:
    out = []
    for action_id in {c["action"] for c in claims}:
        mine = [c for c in claims if c["action"] == action_id]
        last = max(mine, key=lambda c: c["version"])
        row = db.rows("SELECT row_version, status FROM actions WHERE id = ?", [action_id])
        history = db.scalar("SELECT count(*) FROM action_events WHERE action_id = ?", [action_id])
        logged = db.scalar("SELECT count(*) FROM change_log WHERE entity = 'actions' AND entity_key = ?", [f"action#{action_id}"])
        if not row or row[0][0] < last["version"] or (row[0][0] == last["version"] and row[0][1] != last["status"]):
            out.append(f"action #{action_id}: {last['status']} at version {last['version']} committed, found {row}")
        if history < len(mine) or logged < len(mine):
            out.append(f"action #{action_id}: {len(mine)} steps committed, {history} in its history, {logged} in the change log")
    return out


def _imports(kind: str) -> Callable[[object, list[dict]], list[str]]:
    """The check of an import kind: each claimed file is there whole and logged; no file (the
    claimed ones and the one after, which the kill may have caught) is there in part."""
    from qms.reliability import crash_work as work

    def file_logged(entity: str) -> Callable:
        return lambda db, source, codes: _logged(db, entity, source, "import")

    def versions_logged(db, source, codes) -> bool:   # each new process version is logged by itself
        keys = [f"{work.UNIT}/{c}#1" for c in codes]
        return db.scalar("SELECT count(*) FROM change_log WHERE entity = 'process_versions' AND list_contains(?, entity_key)",
                         [keys]) == len(codes)

    count_sql, logged_of, codes_of, prefix = {
        "import_units": ("SELECT count(*) FROM units WHERE list_contains(?, code)", file_logged("units"), work.unit_codes,
                         "crash-units"),
        "import_tthc": ("SELECT count(*) FROM unit_tthc WHERE list_contains(?, tthc_code)", file_logged("unit_tthc"),
                        work.tthc_codes, "crash-tthc"),
        "import_processes": ("SELECT count(DISTINCT code) FROM process_versions WHERE list_contains(?, code)",
                             versions_logged, work.process_codes, "crash-processes"),
        "import_status": ("SELECT count(*) FROM qms_events WHERE event_type = 'build_started' AND list_contains(?, unit_code)",
                          file_logged("status_import"), work.status_batch, "crash-status"),
    }[kind]

    def check(db, claims: list[dict]) -> list[str]:
        out = []
        claimed = {c["import"] for c in claims}
        for i in range(max(claimed, default=-1) + 2):
            codes, source = codes_of(i), f"{prefix}-{i}.csv"
            present = db.scalar(count_sql, [codes])
            logged = logged_of(db, source, codes)
            if i in claimed and (present != len(codes) or not logged):
                out.append(f"{source}: committed, but {present} of its {len(codes)} rows are there"
                           f"{'' if logged else ', and it is not in the change log'}")
            elif 0 < present < len(codes):
                out.append(f"{source}: {present} of its {len(codes)} rows are there (half an import)")
        return out

    return check


def _snapshots(db, claims: list[dict], exports: Path) -> list[str]:
    return [f"snapshot {c['snapshot']} was written but its folder is missing" for c in claims
            if not (exports / c["snapshot"]).is_dir()]


def check_trial(kind: str, db_path: Path, exports: Path, claims: list[dict]) -> list[str]:
    """Every violation of the invariants after a trial of ``kind`` (empty: all hold)."""
    from qms.kernel.db import open_database

    try:
        db = open_database(db_path)
    except QmsError as e:
        return [f"the database does not open: {e}"]
    try:
        violations = []
        try:
            _table_counts(db)
        except QmsError as e:
            violations.append(f"a table does not read: {e}")
        violations += _events_logged(db) + _spans_rebuilt(db) + _actions_have_history(db) + snapshots_sound(exports)
        if kind == "snapshots":
            violations += _snapshots(db, claims, exports)
        elif kind.startswith("import_"):
            violations += _imports(kind)(db, claims)
        else:
            violations += {"events": _events, "audit_saves": _audit_saves, "audit_submits": _audit_submits,
                           "action_steps": _action_steps}[kind](db, claims)
        return violations
    finally:
        with contextlib.suppress(Exception):
            db.close()
