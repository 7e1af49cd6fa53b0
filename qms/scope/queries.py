"""Scope reads: completeness per unit, level and district; a unit's processes and TTHC; the
3-month rule's obligations; re-announcements due; the overview's figures.

Every figure is computed in SQL on a date from the dated records (see :mod:`qms.scope.sql`);
pages and the CLI get pydantic rows from :mod:`qms.scope.model`, never tables.
"""

from __future__ import annotations

import datetime as dt

from qms.scope import rules
from qms.scope.model import (
    DistrictScope,
    LegalChangeView,
    LevelScope,
    ProcessStatus,
    ProcessView,
    ReannouncementDue,
    ScopeOverview,
    TthcView,
    UnitScope,
    UnitScopeRow,
    UpdateDue,
    UpdateState,
)
from qms.scope.sql import CATALOGUE_ON, IN_FORCE, OBLIGATIONS, REANNOUNCE, STAGE, UNIT_SCOPE
from qms.units.model import COVERAGE_LEVELS, Level
from qms.units.stage_sql import ANNOUNCED, NOT_STARTED
from qms.units.store import EXISTS_ON_SQL, NAME_ON_SQL, get_unit

_LEVELS = ", ".join(f"'{lv.value}'" for lv in COVERAGE_LEVELS)

#: Units counted in scope figures on $as_of: in the plan, existing, at a coverage level.
_UNITS = f"SELECT u.code, u.level, u.parent_code FROM units u WHERE u.in_plan AND u.level IN ({_LEVELS}) AND {EXISTS_ON_SQL}"


def scope_overview(db, as_of: dt.date) -> ScopeOverview:
    """Per coverage level (departments, districts, communes, zeros included): units, units holding
    a catalogue, complete and incomplete ones, announced units with an incomplete scope, TTHC
    covered of TTHC in catalogues, processes overdue under the 3-month rule, and units whose
    re-announcement is due.  One aggregate query; nothing per unit leaves the database."""
    sql = f"""
        WITH u AS ({_UNITS}),
        sc AS ({UNIT_SCOPE}),
        st AS ({STAGE}),
        od AS (SELECT unit_code, count(*) AS n FROM ({OBLIGATIONS}) WHERE state = 'overdue' GROUP BY unit_code),
        ra AS (SELECT unit_code FROM ({REANNOUNCE}))
        SELECT u.level,
               count(*) AS units,
               count(sc.unit_code) AS with_catalogue,
               count(*) FILTER (WHERE sc.covered = sc.total) AS complete,
               count(*) FILTER (WHERE sc.covered < sc.total) AS incomplete,
               count(*) FILTER (WHERE sc.covered < sc.total AND st.stage = {ANNOUNCED}) AS announced_incomplete,
               coalesce(sum(sc.total), 0) AS tthc_total,
               coalesce(sum(sc.covered), 0) AS tthc_covered,
               coalesce(sum(od.n), 0) AS overdue,
               count(ra.unit_code) AS reannounce
        FROM u
        LEFT JOIN sc ON sc.unit_code = u.code
        LEFT JOIN st ON st.unit_code = u.code
        LEFT JOIN od ON od.unit_code = u.code
        LEFT JOIN ra ON ra.unit_code = u.code
        GROUP BY u.level
    """
    counts = {r[0]: r[1:] for r in db.rows(sql, {"as_of": as_of})}
    levels = []
    for level in COVERAGE_LEVELS:
        units, with_cat, complete, incomplete, ann_inc, total, covered, overdue, reannounce = counts.get(level.value, (0,) * 9)
        levels.append(LevelScope(
            level=level, units=units, with_catalogue=with_cat, complete=complete, incomplete=incomplete,
            announced_incomplete=ann_inc, tthc_total=int(total), tthc_covered=int(covered),
            rate_pct=rules.scope_rate(int(covered), int(total)), overdue_updates=int(overdue), reannounce_due=reannounce,
        ))
    has_catalogue = bool(db.scalar("SELECT count(*) > 0 FROM unit_tthc"))
    return ScopeOverview(as_of=as_of, levels=tuple(levels), has_catalogue=has_catalogue)


def scope_by_unit(db, as_of: dt.date, *, level: Level | None = None, unit_code: str | None = None,
                  incomplete_only: bool = False) -> list[UnitScopeRow]:
    """One row per unit counted on ``as_of`` (see :func:`scope_overview`), lowest rate first;
    units without a catalogue last (their rate is unknown)."""
    where = []
    params: dict = {"as_of": as_of}
    if level is not None:
        where.append("u.level = $level")
        params["level"] = level.value
    if unit_code is not None:
        where.append("u.code = $code")
        params["code"] = unit_code
    if incomplete_only:
        where.append("sc.covered < sc.total")
    sql = f"""
        WITH u AS ({_UNITS}), sc AS ({UNIT_SCOPE}), st AS ({STAGE}), n AS ({NAME_ON_SQL})
        SELECT u.code, n.name, u.level, u.parent_code, pn.name, coalesce(st.stage, {NOT_STARTED}) = {ANNOUNCED},
               coalesce(sc.total, 0), coalesce(sc.covered, 0)
        FROM u JOIN n ON n.code = u.code
        LEFT JOIN n pn ON pn.code = u.parent_code
        LEFT JOIN sc ON sc.unit_code = u.code
        LEFT JOIN st ON st.unit_code = u.code
        {"WHERE " + " AND ".join(where) if where else ""}
        ORDER BY sc.total IS NULL, sc.covered / sc.total, CASE u.level WHEN 'department' THEN 1 WHEN 'district' THEN 2 ELSE 3 END, u.code
    """
    out = []
    for code, name, lv, parent, parent_name, announced, total, covered in db.rows(sql, params):
        commune = lv == Level.COMMUNE.value
        out.append(UnitScopeRow(
            unit_code=code, unit_name=name, level=lv, district_code=parent if commune else None,
            district_name=parent_name if commune else None, announced=announced, tthc_total=total, tthc_covered=covered,
            rate_pct=rules.scope_rate(covered, total), complete=rules.scope_complete(covered, total),
        ))
    return out


def scope_by_district(db, as_of: dt.date) -> list[DistrictScope]:
    """Communes grouped by district: every district existing on ``as_of`` is listed (lowest rate
    first, districts whose communes hold no catalogue last)."""
    sql = f"""
        WITH u AS ({_UNITS}), sc AS ({UNIT_SCOPE}),
        d AS (SELECT u.code FROM units u WHERE u.level = 'district' AND {EXISTS_ON_SQL}),
        agg AS (
            SELECT u.parent_code AS district, count(sc.unit_code) AS with_cat,
                   count(*) FILTER (WHERE sc.covered < sc.total) AS incomplete,
                   coalesce(sum(sc.total), 0) AS total, coalesce(sum(sc.covered), 0) AS covered
            FROM u LEFT JOIN sc ON sc.unit_code = u.code WHERE u.level = 'commune' GROUP BY u.parent_code
        )
        SELECT d.code, n.name, coalesce(agg.with_cat, 0), coalesce(agg.incomplete, 0), coalesce(agg.total, 0), coalesce(agg.covered, 0)
        FROM d LEFT JOIN agg ON agg.district = d.code JOIN ({NAME_ON_SQL}) n ON n.code = d.code
    """
    rows = [
        DistrictScope(district_code=c, district_name=name, with_catalogue=w, incomplete=i, tthc_total=int(t), tthc_covered=int(cv),
                      rate_pct=rules.scope_rate(int(cv), int(t)))
        for c, name, w, i, t, cv in db.rows(sql, {"as_of": as_of})
    ]
    return sorted(rows, key=lambda r: (r.rate_pct is None, r.rate_pct or 0.0, r.district_name))


def scope_unit_facts(db, as_of: dt.date) -> list[tuple]:
    """The snapshot's ``scope_unit`` facts in one query, for every unit counted on ``as_of`` (as
    :func:`scope_by_unit`): ``(code, name, level, district of a commune, announced, TTHC total,
    covered, overdue updates, pending updates, scope changed on when a re-announcement is due)``,
    by code.  Set-based: the obligations are counted per unit in SQL (the state the overview
    counts with) instead of building one object per obligation."""
    sql = f"""
        WITH u AS ({_UNITS}), sc AS ({UNIT_SCOPE}), st AS ({STAGE}), n AS ({NAME_ON_SQL}),
        o AS (SELECT unit_code, count(*) FILTER (WHERE state = 'overdue') AS overdue,
                     count(*) FILTER (WHERE state = 'pending') AS pending
              FROM ({OBLIGATIONS}) GROUP BY unit_code),
        ra AS (SELECT unit_code, changed_on FROM ({REANNOUNCE}))
        SELECT u.code, n.name, u.level, CASE WHEN u.level = 'commune' THEN u.parent_code END, coalesce(st.stage, {NOT_STARTED}) = {ANNOUNCED},
               coalesce(sc.total, 0), coalesce(sc.covered, 0), coalesce(o.overdue, 0), coalesce(o.pending, 0), ra.changed_on
        FROM u JOIN n ON n.code = u.code
        LEFT JOIN sc ON sc.unit_code = u.code
        LEFT JOIN st ON st.unit_code = u.code
        LEFT JOIN o ON o.unit_code = u.code
        LEFT JOIN ra ON ra.unit_code = u.code
        ORDER BY u.code
    """
    return db.rows(sql, {"as_of": as_of})


#: The 3-month rule's obligations on $as_of of units existing that day, with their state (the
#: snapshot's ``scope_updates``; :func:`update_obligations` returns the same rows as objects).
UPDATES_ON_SQL = f"""
    SELECT o.change_id, o.unit_code, o.process_code, o.document_no, o.title AS process_title, o.effective_on,
           o.update_due_on, o.reissued_on, o.state
    FROM ({OBLIGATIONS}) o JOIN units u ON u.code = o.unit_code
    WHERE {EXISTS_ON_SQL}
"""


def update_obligations(db, as_of: dt.date, *, unit_code: str | None = None,
                       states: tuple[UpdateState, ...] | None = None) -> list[UpdateDue]:
    """Processes a legal change obliges to re-issue (3-month rule), each with its state on
    ``as_of`` (decided by :func:`qms.scope.rules.update_state` on the dates SQL found), for units that
    exist on that date; overdue first, then by due date."""
    sql = f"""
        SELECT o.change_id, o.document_no, o.effective_on, o.update_due_on, o.unit_code, n.name, u.level,
               o.process_code, o.title, o.reissued_on, o.withdrawn_on
        FROM ({OBLIGATIONS}) o JOIN units u ON u.code = o.unit_code JOIN ({NAME_ON_SQL}) n ON n.code = o.unit_code
        WHERE {EXISTS_ON_SQL} {"AND o.unit_code = $code" if unit_code else ""}
    """
    params: dict = {"as_of": as_of}
    if unit_code:
        params["code"] = unit_code
    out = []
    for cid, doc, eff, due, unit, name, lv, pcode, title, reissued, withdrawn in db.rows(sql, params):
        state = rules.update_state(effective_on=eff, as_of=as_of, reissued_on=reissued, withdrawn_on=withdrawn)
        if states is None or state in states:
            out.append(UpdateDue(change_id=cid, document_no=doc, effective_on=eff, due_on=due, unit_code=unit, unit_name=name,
                                 level=lv, process_code=pcode, process_title=title, reissued_on=reissued, state=state))
    order = {UpdateState.OVERDUE: 0, UpdateState.PENDING: 1, UpdateState.DONE: 2, UpdateState.DROPPED: 3}
    return sorted(out, key=lambda r: (order[r.state], r.due_on, r.unit_code, r.process_code))


def reannouncements_due(db, as_of: dt.date, *, unit_code: str | None = None) -> list[ReannouncementDue]:
    """Announced units (existing on ``as_of``) whose scope a legal change altered after their last
    announcement, oldest change first."""
    sql = f"""
        SELECT r.unit_code, n.name, u.level, r.changed_on, r.announced_on, r.documents
        FROM ({REANNOUNCE}) r JOIN units u ON u.code = r.unit_code JOIN ({NAME_ON_SQL}) n ON n.code = r.unit_code
        WHERE {EXISTS_ON_SQL} {"AND r.unit_code = $code" if unit_code else ""}
        ORDER BY r.changed_on, r.unit_code
    """
    params: dict = {"as_of": as_of}
    if unit_code:
        params["code"] = unit_code
    return [
        ReannouncementDue(unit_code=c, unit_name=name, level=lv, scope_changed_on=changed, last_announced_on=ann, document_nos=docs)
        for c, name, lv, changed, ann, docs in db.rows(sql, params)
    ]


def unit_scope(db, code: str, as_of: dt.date) -> UnitScope:
    """One unit on ``as_of``: its processes (latest version on or before the date, with the state
    in force), its active TTHC split into covered (with the processes covering each) and
    uncovered, its 3-month-rule obligations, and a re-announcement due.  Raises NotFound for an
    unknown code."""
    unit = get_unit(db, code, as_of=as_of)
    params = {"as_of": as_of, "code": code}
    tthc_sql = f"""
        WITH f AS (SELECT * FROM ({IN_FORCE}) WHERE unit_code = $code AND status = 'issued'),
        c AS (SELECT tthc_code, min(valid_from) AS valid_from, max(valid_to) AS valid_to FROM unit_tthc
              WHERE unit_code = $code AND (valid_from IS NULL OR valid_from <= $as_of) AND (valid_to IS NULL OR valid_to > $as_of)
              GROUP BY tthc_code)
        SELECT t.code, t.name, t.field, t.level, c.valid_from, c.valid_to,
               list(DISTINCT f.code ORDER BY f.code) FILTER (WHERE f.code IS NOT NULL) AS covered_by
        FROM c JOIN tthc t ON t.code = c.tthc_code
        LEFT JOIN process_tthc l ON l.unit_code = $code AND l.tthc_code = c.tthc_code
        LEFT JOIN f ON f.version_id = l.version_id
        GROUP BY ALL ORDER BY t.field NULLS LAST, t.code
    """
    covered, uncovered = [], []
    for tcode, name, field, level, vf, vt, by in db.rows(tthc_sql, params):
        view = TthcView(code=tcode, name=name, field=field, level=level, valid_from=vf, valid_to=vt, covered_by=tuple(by or ()))
        (covered if view.covered_by else uncovered).append(view)
    stage = db.rows(f"SELECT stage FROM ({STAGE}) WHERE unit_code = $code", params)
    reannounce = reannouncements_due(db, as_of, unit_code=code)
    return UnitScope(
        unit_code=unit.code, unit_name=unit.name, level=unit.level, as_of=as_of,
        announced=bool(stage and stage[0][0] == ANNOUNCED), processes=tuple(unit_processes(db, code, as_of)),
        covered=tuple(covered), uncovered=tuple(uncovered), updates=tuple(update_obligations(db, as_of, unit_code=code)),
        reannouncement=reannounce[0] if reannounce else None,
    )


def unit_processes(db, code: str, as_of: dt.date) -> list[ProcessView]:
    """A unit's processes as of ``as_of`` (those with a version dated on or before it), by code."""
    sql = f"""
        WITH v AS (SELECT * FROM process_versions WHERE unit_code = $code AND status_on <= $as_of),
        latest AS (SELECT code, arg_max(id, (status_on, id)) AS id, count(*) AS versions FROM v GROUP BY code),
        f AS (SELECT code, status FROM ({IN_FORCE}) WHERE unit_code = $code)
        SELECT v.code, v.title, v.version_no, latest.versions, v.status, f.status, v.issue_no, v.issued_on, v.status_on,
               (SELECT list(tthc_code ORDER BY tthc_code) FROM process_tthc WHERE version_id = v.id), v.legal_basis
        FROM latest JOIN v ON v.id = latest.id LEFT JOIN f ON f.code = v.code
        ORDER BY v.code
    """
    return [
        ProcessView(unit_code=code, code=c, title=title, version_no=vno, versions=n, status=status,
                    in_force=ProcessStatus(force) if force else None, issue_no=ino, issued_on=ion, status_on=son,
                    tthc_codes=tuple(codes or ()), legal_basis=basis)
        for c, title, vno, n, status, force, ino, ion, son, codes, basis in db.rows(sql, {"as_of": as_of, "code": code})
    ]


def process_history(db, unit_code: str, code: str) -> list[ProcessView]:
    """Every version of one process in date order (a withdrawn process keeps its history)."""
    sql = """
        SELECT v.code, v.title, v.version_no, v.status, v.issue_no, v.issued_on, v.status_on,
               (SELECT list(tthc_code ORDER BY tthc_code) FROM process_tthc WHERE version_id = v.id), v.legal_basis
        FROM process_versions v WHERE v.unit_code = ? AND v.code = ? ORDER BY v.status_on, v.id
    """
    rows = db.rows(sql, [unit_code, code])
    return [
        ProcessView(unit_code=unit_code, code=c, title=title, version_no=vno, versions=len(rows), status=status,
                    in_force=None if status == "draft" else ProcessStatus(status), issue_no=ino, issued_on=ion, status_on=son,
                    tthc_codes=tuple(codes or ()), legal_basis=basis)
        for c, title, vno, status, ino, ion, son, codes, basis in rows
    ]


def list_legal_changes(db, as_of: dt.date) -> list[LegalChangeView]:
    """Recorded legal changes, newest effective first, with the TTHC they touch and, on
    ``as_of``, how many processes they oblige and how many of those are overdue."""
    sql = f"""
        WITH o AS (SELECT change_id, count(*) AS n, count(*) FILTER (WHERE state = 'overdue') AS overdue
                   FROM ({OBLIGATIONS}) GROUP BY change_id),
        i AS (SELECT change_id, count(DISTINCT tthc_code) AS tthc,
                     count(DISTINCT tthc_code) FILTER (WHERE effect = 'amended') AS amended,
                     count(DISTINCT tthc_code) FILTER (WHERE effect = 'added') AS added,
                     count(DISTINCT tthc_code) FILTER (WHERE effect = 'removed') AS removed
              FROM legal_change_items GROUP BY change_id)
        SELECT c.id, c.document_no, c.title, c.signed_on, c.effective_on, c.update_due_on, coalesce(i.tthc, 0),
               coalesce(i.amended, 0), coalesce(i.added, 0), coalesce(i.removed, 0), coalesce(o.n, 0), coalesce(o.overdue, 0),
               c.recorded_by
        FROM legal_changes c LEFT JOIN i ON i.change_id = c.id LEFT JOIN o ON o.change_id = c.id
        ORDER BY c.effective_on DESC, c.id DESC
    """
    return [
        LegalChangeView(id=r[0], document_no=r[1], title=r[2], signed_on=r[3], effective_on=r[4], due_on=r[5], tthc=r[6],
                        amended=r[7], added=r[8], removed=r[9], processes=r[10], overdue=r[11], recorded_by=r[12])
        for r in db.rows(sql, {"as_of": as_of})
    ]


def unit_catalogue_options(db, code: str, as_of: dt.date) -> list[tuple[str, str]]:
    """``(TTHC code, name)`` of the unit's catalogue active on ``as_of`` (choices for a form)."""
    sql = f"""SELECT t.code, t.name FROM ({CATALOGUE_ON}) c JOIN tthc t ON t.code = c.tthc_code
              WHERE c.unit_code = $code ORDER BY t.code"""
    return [(c, n) for c, n in db.rows(sql, {"as_of": as_of, "code": code})]


def known_tthc(db, codes: list[str]) -> dict[str, str]:
    """Names of those of ``codes`` that are in the TTHC table."""
    if not codes:
        return {}
    return dict(db.rows("SELECT code, name FROM tthc WHERE list_contains(?, code)", [codes]))
