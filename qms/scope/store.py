"""Scope writes: catalogue and process imports (previewed, then all-or-nothing), a process's new
version or withdrawal, and a legal change.

Each public write is one :meth:`Database.write` transaction: it reads what the rule needs, asks
the pure rules (:mod:`qms.scope.rules`), writes, and appends to the change log.  An import's preview
runs the very same checks on a read cursor and writes nothing, so what the preview accepts is
what the import does (unless the database changed in between: the import checks again).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pyarrow as pa

from qms.accounts.principals_store import authorize_each
from qms.accounts.rules import Operation, Principal
from qms.changelog import store as changelog
from qms.kernel.errors import ImportRowError, Reason
from qms.kernel.spreadsheets import fold
from qms.scope.model import CatalogueEntry, CatalogueImport

# -- units named in files ---------------------------------------------------------------------------

def resolve_units(cur, refs: set[str]) -> tuple[dict[str, str], dict[str, str]]:
    """Map each unit reference of a file to a unit code: a code as is, else a unit's name
    (compared folded: case and diacritics do not matter) when exactly one unit bears it.
    Returns ``(resolved, reasons)``; ``reasons[ref]`` says why a reference is unknown (with the
    code a spreadsheet's dropped leading zero hides, when there is one).  Nothing is invented."""
    rows = cur.execute("SELECT u.code, n.name FROM units u JOIN unit_names n ON n.code = u.code").fetchall()
    codes = {c for c, _ in rows}
    by_name: dict[str, set[str]] = {}
    for c, name in rows:
        by_name.setdefault(fold(name), set()).add(c)
    resolved, reasons = {}, {}
    for ref in refs:
        if ref in codes:
            resolved[ref] = ref
            continue
        named = by_name.get(fold(ref), set())
        if len(named) == 1:
            resolved[ref] = next(iter(named))
        elif len(named) > 1:
            reasons[ref] = Reason(f"unit '{ref}' is ambiguous ({', '.join(sorted(named))} bear that name): write its code",
                                  f"đơn vị '{ref}' không rõ ({', '.join(sorted(named))} cùng mang tên đó): hãy ghi mã")
        else:
            padded = [ref.zfill(n) for n in (3, 5) if ref.isdigit() and len(ref) < n and ref.zfill(n) in codes]
            hint = f" (if a spreadsheet dropped a leading zero, it is {padded[0]})" if padded else ""
            vi_hint = f" (nếu bảng tính đã bỏ số 0 ở đầu thì mã là {padded[0]})" if padded else ""
            reasons[ref] = Reason(f"unit '{ref}' is not in the unit list{hint}", f"đơn vị '{ref}' không có trong danh sách đơn vị{vi_hint}")
    return resolved, reasons


def _overlaps(a_from, a_to, b_from, b_to) -> bool:
    lo = max(a_from or dt.date.min, b_from or dt.date.min)
    hi = min(a_to or dt.date.max, b_to or dt.date.max)
    return lo < hi


# -- catalogue --------------------------------------------------------------------------------------

@dataclass
class _CataloguePlan:
    new_tthc: dict[str, CatalogueEntry] = field(default_factory=dict)
    renamed: list[tuple[str, tuple, tuple]] = field(default_factory=list)
    new_entries: list[CatalogueEntry] = field(default_factory=list)
    ended: list[tuple[int, CatalogueEntry, dt.date | None]] = field(default_factory=list)
    unchanged: int = 0
    units: set[str] = field(default_factory=set)


def _plan_catalogue(cur, records: Sequence[tuple[str, CatalogueEntry]], source: str, prior: Sequence[tuple[str, str]] = (),
                    order: Callable | None = None) -> _CataloguePlan:
    problems: list[tuple[str, str]] = list(prior)
    resolved, reasons = resolve_units(cur, {e.unit_code for _, e in records})
    codes = sorted({e.code for _, e in records})
    # joins on the lists, not list_contains (a scan of the list per table row: quadratic)
    stored = {r[0]: r[1:] for r in cur.execute(
        "SELECT t.code, t.name, t.field, t.level FROM tthc t JOIN (SELECT unnest(?::VARCHAR[]) AS code) k USING (code)",
        [codes]).fetchall()}
    units = sorted(set(resolved.values()))
    existing: dict[tuple[str, str], list[tuple]] = {}
    for row in cur.execute(
        "SELECT c.id, c.unit_code, c.tthc_code, c.valid_from, c.valid_to FROM unit_tthc c"
        " JOIN (SELECT unnest(?::VARCHAR[]) AS unit_code) k USING (unit_code)", [units]
    ).fetchall():
        existing.setdefault((row[1], row[2]), []).append(row)
    plan = _CataloguePlan()
    named: dict[str, tuple[str, CatalogueEntry]] = {}
    in_file: dict[tuple, str] = {}
    new_by_pair: dict[tuple[str, str], list[CatalogueEntry]] = {}  # the file's new entries per (unit, TTHC)
    for where, e in records:
        if e.unit_code not in resolved:
            problems.append((where, reasons[e.unit_code]))
            continue
        e = e.model_copy(update={"unit_code": resolved[e.unit_code]})
        first = named.get(e.code)
        if first is not None and fold(first[1].name) != fold(e.name):
            problems.append((where, Reason(f"TTHC {e.code} is named '{e.name}' here but '{first[1].name}' on {first[0]}",
                                           f"TTHC {e.code} ở đây tên '{e.name}' nhưng ở {first[0]} tên '{first[1].name}'")))
            continue
        named.setdefault(e.code, (where, e))
        key = (e.unit_code, e.code, e.valid_from)
        if key in in_file:
            start, vi_start = (f"{e.valid_from:%d/%m/%Y}", f"{e.valid_from:%d/%m/%Y}") if e.valid_from else ("the start", "đầu")
            problems.append((where, Reason(f"unit {e.unit_code} TTHC {e.code} from {start} already appears on {in_file[key]}",
                                           f"đơn vị {e.unit_code} TTHC {e.code} từ {vi_start} đã có ở {in_file[key]}")))
            continue
        in_file[key] = where
        plan.units.add(e.unit_code)
        olds = existing.get((e.unit_code, e.code), [])
        same = [o for o in olds if o[3] == e.valid_from]
        if same:
            old_to = same[0][4]
            if old_to == e.valid_to:
                plan.unchanged += 1
            elif old_to is None:
                plan.ended.append((same[0][0], e, None))
            else:
                wanted = None if e.valid_to is None else format(e.valid_to, "%d/%m/%Y")
                problems.append((where, Reason(
                    f"unit {e.unit_code} TTHC {e.code} already ends on {old_to:%d/%m/%Y} in the database, not {wanted or 'never'}",
                    f"đơn vị {e.unit_code} TTHC {e.code} trong cơ sở dữ liệu đã hết hiệu lực từ {old_to:%d/%m/%Y}, "
                    f"không phải {wanted or 'không bao giờ'}")))
            continue
        if e.valid_from is None and e.valid_to is None and any(o[4] is None for o in olds):
            plan.unchanged += 1  # a list without dates naming a TTHC the unit handles: nothing new
            continue
        pair = new_by_pair.setdefault((e.unit_code, e.code), [])
        clash = [o for o in olds if _overlaps(o[3], o[4], e.valid_from, e.valid_to)]
        clash += [(0, 0, 0, n.valid_from, n.valid_to) for n in pair if _overlaps(n.valid_from, n.valid_to, e.valid_from, e.valid_to)]
        if clash:
            o = clash[0]
            period = f"{format(o[3], '%d/%m/%Y') if o[3] else '…'} – {format(o[4], '%d/%m/%Y') if o[4] else '…'}"
            problems.append((where, Reason(f"unit {e.unit_code} already handles TTHC {e.code} over an overlapping period ({period})",
                                           f"đơn vị {e.unit_code} đã giải quyết TTHC {e.code} trong một khoảng thời gian trùng ({period})")))
            continue
        plan.new_entries.append(e)
        pair.append(e)
    for code, (where, e) in named.items():
        if code not in stored:
            plan.new_tthc[code] = e
            continue
        old = stored[code]
        new = (e.name, e.field or old[1], e.level or old[2])
        if tuple(old) != new:
            plan.renamed.append((code, tuple(old), new))
    if problems:
        raise ImportRowError(source, order(problems) if order else problems)
    return plan


def _summary(plan: _CataloguePlan, rows: int) -> CatalogueImport:
    return CatalogueImport(rows=rows, units=len(plan.units), new_entries=len(plan.new_entries), unchanged=plan.unchanged,
                           ended=len(plan.ended), new_tthc=len(plan.new_tthc), renamed_tthc=len(plan.renamed))


def preview_catalogue(db, records: Sequence[tuple[str, CatalogueEntry]], *, source: str,
                      problems: Sequence[tuple[str, str]] = (), order: Callable | None = None) -> CatalogueImport:
    """What :func:`import_catalogue` would do, or the same :class:`ImportRowError`; writes nothing."""
    cur = db.cursor()
    try:
        return _summary(_plan_catalogue(cur, records, source, problems, order), len(records))
    finally:
        cur.close()


def import_catalogue(db, records: Sequence[tuple[str, CatalogueEntry]], *, actor: Principal, source: str,
                     problems: Sequence[tuple[str, str]] = (), order: Callable | None = None) -> CatalogueImport:
    """Import TTHC catalogue rows (``(location, entry)`` from :mod:`qms.scope.importer`), all or nothing.

    Units are named by code or by their exact name; an unknown unit, a TTHC named two ways in the
    file, a row twice, a period overlapping one already recorded, or an end date contradicting the
    recorded one refuses the whole file with every such row named.  An entry already recorded (or,
    for a row without dates, an open entry of the same TTHC) is left as is; one recorded without an end and given an end here is ended (logged before/after);
    a TTHC whose name, field or level changed is updated (logged before/after).  ``problems``
    found while reading the file join the database's (in the file's ``order``), so that every bad
    row is reported at once.
    """
    author = actor

    def run(cur) -> CatalogueImport:
        plan = _plan_catalogue(cur, records, source, problems, order)
        actor = authorize_each(cur, author, Operation.SCOPE_WRITE, plan.units).username
        insert_tthc_in(cur, list(plan.new_tthc.values()), actor=actor, key=source)
        _update_from(cur, "tthc", "code", [{"code": code, "name": new[0], "field": new[1], "level": new[2]}
                                           for code, _, new in plan.renamed])
        changelog.append_many(cur, [
            {"actor": actor, "action": "update", "entity": "tthc", "key": code,
             "before": dict(zip(("name", "field", "level"), old)), "after": dict(zip(("name", "field", "level"), new))}
            for code, old, new in plan.renamed])
        insert_catalogue_in(cur, plan.new_entries, actor=actor, source="import")
        _update_from(cur, "unit_tthc", "id", [{"id": entry_id, "valid_to": e.valid_to} for entry_id, e, _ in plan.ended])
        changelog.append_many(cur, [
            {"actor": actor, "action": "update", "entity": "unit_tthc", "key": f"{e.unit_code}/{e.code}",
             "before": {"valid_from": e.valid_from, "valid_to": old_to}, "after": {"valid_from": e.valid_from, "valid_to": e.valid_to}}
            for _, e, old_to in plan.ended])
        if plan.new_entries:
            changelog.append(cur, actor=actor, action="import", entity="unit_tthc", key=source,
                             after=[{"unit": e.unit_code, "tthc": e.code, "from": e.valid_from, "to": e.valid_to} for e in plan.new_entries])
        return _summary(plan, len(records))

    return db.write(run)


def _update_from(cur, table: str, key: str, rows: list[dict]) -> None:
    """``UPDATE table SET <columns> FROM rows WHERE key matches``: one statement for a batch
    (an import may end or rename thousands of rows; one UPDATE each took minutes)."""
    if not rows:
        return
    columns = [c for c in rows[0] if c != key]
    cur.register("scope_updates_batch", pa.Table.from_pylist(rows))
    try:
        sets = ", ".join(f"{c} = b.{c}" for c in columns)
        cur.execute(f"UPDATE {table} SET {sets} FROM scope_updates_batch b WHERE {table}.{key} = b.{key}")
    finally:
        cur.unregister("scope_updates_batch")


def insert_tthc_in(cur, entries: Sequence[CatalogueEntry], *, actor: str, key: str = "tthc") -> None:
    """Insert new TTHC (code, name, field, level) inside the caller's transaction; logged."""
    if not entries:
        return
    table = pa.Table.from_pylist([{"code": e.code, "name": e.name, "field": e.field, "level": e.level} for e in entries],
                                 schema=pa.schema([("code", pa.string()), ("name", pa.string()), ("field", pa.string()), ("level", pa.string())]))
    cur.register("scope_new_tthc", table)
    try:
        cur.execute("INSERT INTO tthc (code, name, field, level, recorded_by) SELECT code, name, field, level, ? FROM scope_new_tthc", [actor])
    finally:
        cur.unregister("scope_new_tthc")
    changelog.append(cur, actor=actor, action="insert", entity="tthc", key=key,
                     after=[{"code": e.code, "name": e.name} for e in entries])


def insert_catalogue_in(cur, entries: Sequence[CatalogueEntry], *, actor: str, source: str) -> None:
    """Insert catalogue entries (unit codes already resolved) inside the caller's transaction."""
    if not entries:
        return
    table = pa.Table.from_pylist(
        [{"unit_code": e.unit_code, "tthc_code": e.code, "valid_from": e.valid_from, "valid_to": e.valid_to} for e in entries],
        schema=pa.schema([("unit_code", pa.string()), ("tthc_code", pa.string()), ("valid_from", pa.date32()), ("valid_to", pa.date32())]),
    )
    cur.register("scope_new_entries", table)
    try:
        cur.execute("INSERT INTO unit_tthc (unit_code, tthc_code, valid_from, valid_to, source, recorded_by)"
                    " SELECT unit_code, tthc_code, valid_from, valid_to, ?, ? FROM scope_new_entries", [source, actor])
    finally:
        cur.unregister("scope_new_entries")
