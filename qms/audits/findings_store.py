"""Findings, and the lists of audits that other pages show (a unit's history, the overview).

A finding is filed when an audit is submitted: one per nonconformity or observation, keyed by
``(audit_id, item_ref)`` with a stable ``id`` that improvement actions reference.  Resubmitting a
reopened audit reconciles by item: an item still found keeps its id (grade and note updated), an
item no longer found is *retracted* (``retracted_at`` set), never deleted, so an action that
points at it still resolves.  Lists and the heatmap show active findings only.

Queries read the small ``audits`` and ``findings`` tables and never scan ``audit_answers``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import pyarrow as pa

from qms.audits.rules import AuditKind, AuditStatus, Grade, NewFinding
from qms.changelog import store as changelog
from qms.kernel.clock import province_today
from qms.kernel.errors import NotFound
from qms.units.model import Level
from qms.units.store import NAME_ON_SQL, PARENT_ON_SQL

#: Heatmap row of every department-level unit when rows are districts.
DEPARTMENTS_ROW = "*departments"

_FINDING_SCHEMA = pa.schema([
    ("item_ref", pa.string()), ("section_ref", pa.string()), ("standard", pa.string()), ("clause", pa.string()),
    ("grade", pa.string()), ("note", pa.string()), ("evidence", pa.string()),
])


@contextlib.contextmanager
def registered(cur, name: str, table: pa.Table) -> Iterator[None]:
    """``table`` visible as ``name`` on the cursor for one bulk statement (never 100 statements).

    When the statement fails the transaction is aborted and unregistering fails too; that second
    error is swallowed so the first one, the real cause, reaches the caller.
    """
    cur.register(name, table)
    failed = False
    try:
        yield
    except BaseException:
        failed = True
        raise
    finally:
        try:
            cur.unregister(name)
        except Exception:
            if not failed:
                raise


def write_findings_in(cur, *, audit_id: int, audit_kind: AuditKind, unit_code: str, found_on: dt.date,
                      findings: Sequence[NewFinding], actor: str) -> dict[str, int]:
    """File an audit's findings inside the caller's transaction; return counts new/updated/retracted."""
    existing = {r[0]: r[1:] for r in cur.execute(
        "SELECT item_ref, grade, note, evidence, clause, retracted_at IS NOT NULL FROM findings WHERE audit_id = ?",
        [audit_id]).fetchall()}
    changed = [f for f in findings
               if existing.get(f.item_ref) != (f.grade.value, f.note, f.evidence, f.clause, False)]
    if changed:
        table = pa.Table.from_pylist([
            {"item_ref": f.item_ref, "section_ref": f.section_ref, "standard": f.standard, "clause": f.clause,
             "grade": f.grade.value, "note": f.note, "evidence": f.evidence} for f in changed], schema=_FINDING_SCHEMA)
        with registered(cur, "qms_new_findings", table):
            cur.execute(
                "INSERT INTO findings (audit_id, audit_kind, unit_code, item_ref, section_ref, standard, clause, grade, note,"
                " evidence, found_on) SELECT ?, ?, ?, item_ref, section_ref, standard, clause, grade, note, evidence, ?"
                " FROM qms_new_findings ON CONFLICT (audit_id, item_ref) DO UPDATE SET grade = excluded.grade,"
                " note = excluded.note, evidence = excluded.evidence, clause = excluded.clause, standard = excluded.standard,"
                " retracted_at = NULL, updated_at = now()",
                [audit_id, audit_kind.value, unit_code, found_on])
    keep = [f.item_ref for f in findings]
    gone = [ref for ref, row in existing.items() if ref not in keep and not row[-1]]
    if gone:
        cur.execute("UPDATE findings SET retracted_at = current_timestamp WHERE audit_id = ? AND list_contains(?, item_ref)",
                    [audit_id, gone])
    counts = {"new": sum(1 for f in changed if f.item_ref not in existing),
              "updated": sum(1 for f in changed if f.item_ref in existing), "retracted": len(gone)}
    if changed or gone:
        changelog.append(cur, actor=actor, action="file_findings", entity="findings", key=f"audit#{audit_id}",
                         after={**counts, "items": keep})
    return counts


@dataclass(frozen=True)
class Finding:
    """One finding as lists show it (and as an improvement action references it by ``id``)."""

    id: int
    audit_id: int
    audit_kind: AuditKind
    unit_code: str
    unit_name: str
    item_ref: str
    section_ref: str
    standard: str | None
    clause: str | None
    grade: Grade
    note: str
    evidence: str | None
    found_on: dt.date
    retracted: bool


_FINDING_SELECT = f"""
    SELECT f.id, f.audit_id, f.audit_kind, f.unit_code, n.name, f.item_ref, f.section_ref, f.standard, f.clause,
           f.grade, f.note, f.evidence, f.found_on, f.retracted_at IS NOT NULL
    FROM findings f JOIN ({NAME_ON_SQL}) n ON n.code = f.unit_code
"""
_GRADE_ORDER = "CASE f.grade WHEN 'major' THEN 0 WHEN 'minor' THEN 1 ELSE 2 END"


def _finding(r: tuple) -> Finding:
    return Finding(r[0], r[1], AuditKind(r[2]), r[3], r[4], r[5], r[6], r[7], r[8], Grade(r[9]), r[10], r[11], r[12], r[13])


def list_findings(db, *, audit_id: int | None = None, unit_code: str | None = None, grade: Grade | None = None,
                  year: int | None = None, include_retracted: bool = False, limit: int = 1000) -> list[Finding]:
    """Findings, newest audit first, majors before minors before observations."""
    sql = _FINDING_SELECT + " WHERE 1=1"
    params: dict = {"as_of": province_today(), "limit": limit}
    if not include_retracted:
        sql += " AND f.retracted_at IS NULL"
    for column, value in (("audit_id", audit_id), ("unit_code", unit_code), ("grade", grade.value if grade else None)):
        if value is not None:
            sql += f" AND f.{column} = ${column}"
            params[column] = value
    if year is not None:
        sql += " AND year(f.found_on) = $year"
        params["year"] = year
    sql += f" ORDER BY f.found_on DESC, f.audit_id DESC, {_GRADE_ORDER}, f.item_ref LIMIT $limit"
    return [_finding(r) for r in db.rows(sql, params)]


def audit_findings(db, audit_id: int) -> list[Finding]:
    return list_findings(db, audit_id=audit_id)


def unit_findings(db, code: str) -> list[Finding]:
    return list_findings(db, unit_code=code)


def get_finding(db, finding_id: int) -> Finding:
    """One finding by id, retracted or not (an action keeps pointing at it)."""
    rows = db.rows(_FINDING_SELECT + " WHERE f.id = $id", {"id": finding_id, "as_of": province_today()})
    if not rows:
        raise NotFound(f"There is no finding #{finding_id}.", vi=f"Không có phát hiện #{finding_id}.")
    return _finding(rows[0])


@dataclass(frozen=True)
class HeatCell:
    """Active findings of one row (a district, or a unit) on one clause."""

    row_code: str
    row_name: str | None  # None for the departments row (the page labels it)
    standard: str | None
    clause: str | None    # top-level clause at depth 1 ("8"); None: an item citing no clause
    findings: int
    major: int
    minor: int
    observation: int


def findings_heatmap(db, as_of: dt.date, level: Level | None = None, *, since: dt.date | None = None,
                     depth: int = 1, province: str | None = None, by_province: bool = False) -> list[HeatCell]:
    """Where findings concentrate: counts per (row, standard, clause) for findings dated on or
    before ``as_of`` (and on or after ``since``), clauses cut to ``depth`` levels ("8.2.2" -> "8").

    Rows: with ``level`` None, one row per district (a commune's findings count to its district)
    plus one row for all departments; with a level, that level's units only, one row per
    district for communes and districts, one per unit for departments.  Names as on ``as_of``.
    A national database: ``province`` keeps one province's units (its departments' row is then
    that province's departments, not the country's); ``by_province`` makes one row per province
    instead of ~700 district rows.  A unit's province is its parent's on the date (a commune's
    district's parent, or the province itself after 2025).
    """
    per_unit = level is Level.DEPARTMENT
    row = ("u.code" if per_unit else "u.province" if by_province else
           f"CASE WHEN u.level = 'commune' THEN u.parent_code WHEN u.level = 'district' THEN u.code ELSE '{DEPARTMENTS_ROW}' END")
    sql = f"""
        WITH f AS (
            SELECT f.unit_code, f.standard, f.grade,
                   CASE WHEN f.clause IS NULL THEN NULL
                        ELSE array_to_string(list_slice(string_split(f.clause, '.'), 1, $depth), '.') END AS clause
            FROM findings f
            WHERE f.retracted_at IS NULL AND f.found_on <= $as_of AND ($since IS NULL OR f.found_on >= $since)
        ),
        par AS ({PARENT_ON_SQL}),
        u AS (
            SELECT u.code, u.level, u.parent_code,
                   CASE WHEN u.level = 'province' THEN u.code WHEN pu.level = 'province' THEN pu.code ELSE gp.parent_code END
                       AS province
            FROM units u LEFT JOIN par p ON p.code = u.code LEFT JOIN units pu ON pu.code = p.parent_code
            LEFT JOIN par gp ON gp.code = p.parent_code
            WHERE u.code IN (SELECT unit_code FROM f)
        ),
        r AS (
            SELECT {row} AS row_code, f.standard, f.clause, f.grade
            FROM f JOIN u ON u.code = f.unit_code
            WHERE ($level IS NULL OR u.level = $level) AND ($province IS NULL OR u.province = $province)
        )
        SELECT r.row_code, n.name, r.standard, r.clause, count(*),
               count(*) FILTER (WHERE r.grade = 'major'), count(*) FILTER (WHERE r.grade = 'minor'),
               count(*) FILTER (WHERE r.grade = 'observation')
        FROM r LEFT JOIN ({NAME_ON_SQL}) n ON n.code = r.row_code
        GROUP BY r.row_code, n.name, r.standard, r.clause
        ORDER BY r.row_code = '{DEPARTMENTS_ROW}', n.name, r.standard NULLS LAST,
                 list_transform(string_split(r.clause, '.'), lambda x: x::INTEGER) NULLS LAST
    """
    params = {"as_of": as_of, "since": since, "level": level.value if level else None, "depth": max(1, depth),
              "province": province}
    return [HeatCell(r[0], None if r[0] == DEPARTMENTS_ROW else r[1], *r[2:]) for r in db.rows(sql, params)]


# -- lists of audits --------------------------------------------------------------------------

@dataclass(frozen=True)
class AuditSummary:
    """One line of an audit list or a unit's history: progress, score, active findings."""

    id: int
    unit_code: str
    unit_name: str
    unit_level: Level
    kind: AuditKind
    template_id: str
    template_version: int
    auditor: str
    audit_date: dt.date
    status: AuditStatus
    score_pct: float | None
    answered: int
    item_count: int
    major: int
    minor: int
    observation: int
    event_id: int | None


def list_audits(db, *, unit_code: str | None = None, status: AuditStatus | None = None, kind: AuditKind | None = None,
                year: int | None = None, limit: int = 1000) -> list[AuditSummary]:
    """Audits, newest first (by audit date, then id), filtered as asked."""
    sql = f"""
        SELECT a.id, a.unit_code, n.name, u.level, a.kind, a.template_id, a.template_version, a.auditor, a.audit_date,
               a.status, a.score_pct, a.answered, a.item_count,
               coalesce(c.major, 0), coalesce(c.minor, 0), coalesce(c.observation, 0), a.event_id
        FROM audits a
        JOIN units u ON u.code = a.unit_code
        JOIN ({NAME_ON_SQL}) n ON n.code = a.unit_code
        LEFT JOIN (
            SELECT audit_id, count(*) FILTER (WHERE grade = 'major') AS major, count(*) FILTER (WHERE grade = 'minor') AS minor,
                   count(*) FILTER (WHERE grade = 'observation') AS observation
            FROM findings WHERE retracted_at IS NULL GROUP BY audit_id
        ) c ON c.audit_id = a.id
        WHERE 1=1
    """
    params: dict = {"as_of": province_today(), "limit": limit}
    for column, value in (("unit_code", unit_code), ("status", status.value if status else None),
                          ("kind", kind.value if kind else None)):
        if value is not None:
            sql += f" AND a.{column} = ${column}"
            params[column] = value
    if year is not None:
        sql += " AND year(a.audit_date) = $year"
        params["year"] = year
    sql += " ORDER BY a.audit_date DESC, a.id DESC LIMIT $limit"
    return [AuditSummary(r[0], r[1], r[2], Level(r[3]), AuditKind(r[4]), *r[5:9], AuditStatus(r[9]), *r[10:])
            for r in db.rows(sql, params)]


def unit_audits(db, code: str) -> list[AuditSummary]:
    """A unit's audits and inspections, newest first, each with its score (None while a draft)."""
    return list_audits(db, unit_code=code)


def audit_years(db) -> list[int]:
    """Years that have at least one audit, newest first (for filters)."""
    return [r[0] for r in db.rows("SELECT DISTINCT year(audit_date) AS y FROM audits ORDER BY y DESC")]
