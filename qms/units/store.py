"""Units: import (all-or-nothing), names over time, listing and lookup as of a date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import pyarrow as pa

from qms.accounts.principals_store import authorize
from qms.accounts.rules import Operation, Principal
from qms.changelog import store as changelog
from qms.kernel.errors import ImportRowError, NotFound
from qms.units.model import Level, UnitRecord, search_key

ORIGINAL_NAME_FROM = dt.date(1900, 1, 1)

def _name_on(day: str) -> str:
    """The one rule for a unit's name on a date, over its rows of ``unit_names``: its latest name
    dated on or before ``day`` (an SQL date expression), or else its first name."""
    return f"coalesce(arg_max(name, valid_from) FILTER (WHERE valid_from <= {day}), arg_min(name, valid_from))"


def names_on_sql(day: str = "$as_of") -> str:
    """SQL: every unit's ``(code, name)`` on ``day`` (an SQL date expression, default ``$as_of``)."""
    return f"SELECT code, {_name_on(day)} AS name FROM unit_names GROUP BY code"


#: The name each unit had on $as_of.
NAME_ON_SQL = names_on_sql()
#: Each unit's name today and from now on: its latest.
LATEST_NAME_SQL = names_on_sql("DATE '9999-12-31'")

#: The parent each unit has on $as_of: its latest dated parent (``unit_parents``, written when an
#: administrative change moves a unit, e.g. a commune whose district ended) or else its first.
PARENT_ON_SQL = """
    SELECT u.code, CASE WHEN p.code IS NULL THEN u.parent_code ELSE p.parent_code END AS parent_code
    FROM units u LEFT JOIN (SELECT code, arg_max(parent_code, valid_from) AS parent_code FROM unit_parents
                            WHERE valid_from <= $as_of GROUP BY code) p ON p.code = u.code
"""

#: Units that exist on $as_of.
EXISTS_ON_SQL = "(u.valid_from IS NULL OR u.valid_from <= $as_of) AND (u.valid_to IS NULL OR u.valid_to > $as_of)"


@dataclass(frozen=True)
class ImportSummary:
    new: int
    unchanged: int


def _current(cur) -> dict[str, UnitRecord]:
    rows = cur.execute(
        f"""SELECT u.code, n.name, u.level, u.kind, u.parent_code, u.valid_from, u.valid_to, u.in_plan
            FROM units u JOIN ({LATEST_NAME_SQL}) n USING (code)"""
    ).fetchall()
    return {
        r[0]: UnitRecord(code=r[0], name=r[1], level=r[2], kind=r[3], parent_code=r[4], valid_from=r[5], valid_to=r[6], in_plan=r[7])
        for r in rows
    }


def import_units(db, records: Sequence[tuple[int, UnitRecord]], *, actor: Principal, source: str = "units.csv") -> ImportSummary:
    """Insert new units; leave identical ones; refuse the whole file on any conflict.

    ``records`` are ``(line number, record)`` pairs from :mod:`qms.units.importer`.  A code that
    exists with different data, a parent that is neither in the file nor in the database, or a
    code twice in the file makes the whole import fail with every such line named; nothing is
    written.  Renames go through :func:`rename_unit`, never through a silent overwrite.
    """

    def run(cur) -> ImportSummary:
        who = authorize(cur, actor, Operation.IMPORT_UNITS)
        existing = _current(cur)
        in_file: dict[str, int] = {}
        problems: list[tuple[str, str]] = []
        for line, rec in records:
            if rec.code in in_file:
                problems.append((f"line {line}", f"code {rec.code} already appears on line {in_file[rec.code]}"))
            in_file.setdefault(rec.code, line)
        known_codes = set(existing) | set(in_file)
        new: list[UnitRecord] = []
        unchanged = 0
        for line, rec in records:
            if rec.parent_code and rec.parent_code not in known_codes:
                problems.append((f"line {line}", f"parent code {rec.parent_code} is neither in the file nor in the database"))
            old = existing.get(rec.code)
            if old is None:
                new.append(rec)
            elif old == rec:
                unchanged += 1
            else:
                diff = ", ".join(
                    f"{f} {getattr(old, f)!s} -> {getattr(rec, f)!s}"
                    for f in UnitRecord.model_fields
                    if getattr(old, f) != getattr(rec, f)
                )
                problems.append((f"line {line}", f"unit {rec.code} already exists with other data ({diff})"))
        if problems:
            raise ImportRowError(source, problems)
        _insert_units(cur, new)
        if new:
            changelog.append(cur, actor=who.username, action="import", entity="units", key=source, after=[r.code for r in new])
        return ImportSummary(new=len(new), unchanged=unchanged)

    return db.write(run)


_NEW_UNITS_SCHEMA = pa.schema([("seq", pa.int64()), ("code", pa.string()), ("level", pa.string()), ("kind", pa.string()),
                               ("parent_code", pa.string()), ("valid_from", pa.date32()), ("valid_to", pa.date32()),
                               ("in_plan", pa.bool_()), ("name", pa.string())])


def _insert_units(cur, records: Sequence[UnitRecord]) -> None:
    """Insert units and their first names in two statements (one INSERT per unit took 70 s for
    20,000 units), in the file's order."""
    if not records:
        return
    table = pa.Table.from_pylist(
        [{"seq": i, "code": r.code, "level": r.level.value, "kind": r.kind, "parent_code": r.parent_code, "valid_from": r.valid_from,
          "valid_to": r.valid_to, "in_plan": r.in_plan, "name": r.name} for i, r in enumerate(records)], schema=_NEW_UNITS_SCHEMA)
    cur.register("units_new_batch", table)
    try:
        cur.execute("INSERT INTO units (code, gso_code, level, kind, parent_code, valid_from, valid_to, in_plan)"
                    " SELECT code, code, level, kind, parent_code, valid_from, valid_to, in_plan FROM units_new_batch ORDER BY seq")
        cur.execute("INSERT INTO unit_names (code, name, valid_from) SELECT code, name, ? FROM units_new_batch ORDER BY seq",
                    [ORIGINAL_NAME_FROM])
    finally:
        cur.unregister("units_new_batch")


def rename_unit(db, code: str, new_name: str, *, on: dt.date, actor: Principal) -> None:
    """Record that unit ``code`` is called ``new_name`` from ``on``; earlier dates keep the old name."""
    from qms.kernel.text_rules import checked_text

    new_name = checked_text(new_name, field="name")

    def run(cur) -> None:
        who = authorize(cur, actor, Operation.IMPORT_UNITS)
        if not cur.execute("SELECT 1 FROM units WHERE code = ?", [code]).fetchall():
            raise NotFound(f"There is no unit with code {code}.", vi=f"Không có đơn vị mã {code}.")
        cur.execute("INSERT OR REPLACE INTO unit_names (code, name, valid_from) VALUES (?, ?, ?)", [code, new_name, on])
        changelog.append(cur, actor=who.username, action="rename", entity="units", key=code, after={"name": new_name, "from": on})

    db.write(run)


@dataclass(frozen=True)
class UnitView:
    """A unit as on a date: ``code`` is its key (its identity), ``gso_code`` the official code it
    bears (the same for every unit but one formed on a reused code), parent as on that date."""

    code: str
    name: str
    level: Level
    kind: str
    parent_code: str | None
    parent_name: str | None
    valid_from: dt.date | None
    valid_to: dt.date | None
    in_plan: bool
    lifecycle_version: int
    gso_code: str = ""

    @property
    def shown_code(self) -> str:
        return self.gso_code or self.code

    def exists_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day < self.valid_to)


_UNIT_SELECT = f"""
    SELECT u.code, n.name, u.level, u.kind, p.parent_code, pn.name AS parent_name,
           u.valid_from, u.valid_to, u.in_plan, u.lifecycle_version, coalesce(u.gso_code, u.code)
    FROM units u
    JOIN ({NAME_ON_SQL}) n ON n.code = u.code
    JOIN ({PARENT_ON_SQL}) p ON p.code = u.code
    LEFT JOIN ({NAME_ON_SQL}) pn ON pn.code = p.parent_code
"""


def _view(row: tuple) -> UnitView:
    return UnitView(row[0], row[1], Level(row[2]), row[3], row[4], row[5], row[6], row[7], row[8], row[9], row[10])


def list_units(db, *, as_of: dt.date, level: Level | None = None, include_gone: bool = False, search: str | None = None) -> list[UnitView]:
    """Units (named as on ``as_of``), those existing on that date unless ``include_gone``."""
    sql = _UNIT_SELECT + " WHERE 1=1"
    params: dict = {"as_of": as_of}
    if not include_gone:
        sql += f" AND {EXISTS_ON_SQL}"
    if level is not None:
        sql += " AND u.level = $level"
        params["level"] = level.value
    if search:
        # any name the unit ever had, without accents, or its code
        sql += (" AND (u.code LIKE $code_q OR u.gso_code LIKE $code_q OR EXISTS (SELECT 1 FROM unit_names s WHERE s.code = u.code"
                " AND strip_accents(lower(replace(replace(s.name, 'đ', 'd'), 'Đ', 'D'))) LIKE $q))")
        params["q"] = f"%{search_key(search)}%"
        params["code_q"] = f"%{search.strip()}%"
    # units that exist on the date before those that no longer do (a search for "Đoàn Kết" opens
    # today's ward first, the retired one of the same name after it)
    sql += (" ORDER BY CASE u.level WHEN 'province' THEN 0 WHEN 'department' THEN 1 WHEN 'district' THEN 2 ELSE 3 END,"
            f" NOT ({EXISTS_ON_SQL}), p.parent_code NULLS FIRST, u.gso_code, u.valid_from NULLS FIRST, u.code")
    return [_view(r) for r in db.rows(sql, params)]


def get_unit(db, code: str, *, as_of: dt.date) -> UnitView:
    rows = db.rows(_UNIT_SELECT + " WHERE u.code = $code", {"as_of": as_of, "code": code})
    if not rows:
        raise NotFound(f"There is no unit with code {code}.", vi=f"Không có đơn vị mã {code}.")
    return _view(rows[0])


def resolve_unit(db, ref: str, *, as_of: dt.date) -> str:
    """The key of the unit a person means by ``ref``: a unit key (``03388@2025-07-01``) names
    exactly one unit; an official code names the unit bearing it on ``as_of`` (codes are reused:
    03388 was Phường Quyết Tiến until 30/06/2025 and is Phường Đoàn Kết since).  When no unit
    bears the code that day and several did at other times, the error lists them to choose from.
    """
    ref = ref.strip()
    if "@" in ref:
        if db.scalar("SELECT count(*) FROM units WHERE code = ?", [ref]):
            return ref
        raise NotFound(f"There is no unit {ref}.", vi=f"Không có đơn vị {ref}.")
    rows = db.rows(
        f"""SELECT u.code, n.name, u.valid_from, u.valid_to, {EXISTS_ON_SQL} AS live
            FROM units u JOIN ({NAME_ON_SQL}) n ON n.code = u.code
            WHERE coalesce(u.gso_code, u.code) = $ref OR u.code = $ref ORDER BY u.valid_from NULLS FIRST""",
        {"as_of": as_of, "ref": ref})
    live = [r for r in rows if r[4]]
    if len(live) == 1:
        return live[0][0]
    if len(rows) == 1:
        return rows[0][0]
    if not rows:
        raise NotFound(f"There is no unit with code {ref}.", vi=f"Không có đơn vị mã {ref}.")
    listed = "; ".join(f"{r[0]} {r[1]} ({_period(r[2], r[3])})" for r in rows)
    raise NotFound(
        f"Code {ref} names {len(rows)} units at different times and none on {as_of:%d/%m/%Y}: {listed}. Name one by its key.",
        vi=f"Mã {ref} là của {len(rows)} đơn vị ở các thời kỳ khác nhau, không đơn vị nào vào ngày {as_of:%d/%m/%Y}: {listed}. "
           "Hãy chọn một theo mã định danh.")


def same_code_units(db, key: str, *, as_of: dt.date) -> list[UnitView]:
    """The other units that bore or bear the same official code as ``key`` (named as on ``as_of``)."""
    return [_view(r) for r in db.rows(
        _UNIT_SELECT + " WHERE coalesce(u.gso_code, u.code) = (SELECT coalesce(gso_code, code) FROM units WHERE code = $key)"
        " AND u.code <> $key ORDER BY u.valid_from NULLS FIRST", {"as_of": as_of, "key": key})]


def _period(start: dt.date | None, end: dt.date | None) -> str:
    left = start.strftime("%d/%m/%Y") if start else "…"
    right = (end - dt.timedelta(days=1)).strftime("%d/%m/%Y") if end else "…"
    return f"{left} – {right}"


def count_units(db) -> int:
    return int(db.scalar("SELECT count(*) FROM units"))


@dataclass(frozen=True)
class UnitPage:
    """What the unit page shows: the unit, its events, its stage today and yearly maintenance."""

    unit: UnitView
    events: list
    stage: str
    stage_since: dt.date | None
    maintenance: list[tuple[int, bool, bool]]
    #: The stage is its predecessors' (the province counts their announcements for a unit formed
    #: from them: the carry-over setting), not one of its own events.
    inherited: bool = False


def unit_page(db, code: str, *, today: dt.date) -> UnitPage:
    from qms.units.events_store import unit_events
    from qms.units.rules import maintenance_by_year, stage_on

    unit = get_unit(db, code, as_of=today)
    events = unit_events(db, code)
    stage, since = stage_on(events, today)
    inherited = db.rows("SELECT valid_from FROM unit_stage_spans WHERE unit_code = $code AND inherited AND valid_from <= $d"
                        " AND (valid_to IS NULL OR valid_to > $d)", {"code": code, "d": today})
    if inherited:
        return UnitPage(unit, events, "announced", inherited[0][0], maintenance_by_year(events, today), inherited=True)
    return UnitPage(unit, events, stage.value, since, maintenance_by_year(events, today))
