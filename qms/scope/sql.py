"""SQL fragments of the scope feature, shared by the reads (:mod:`qms.scope.queries`) and the
overview figures.  Each takes the bound parameter ``$as_of``; all are set-based (one pass over
the catalogue and the process links, grouped by unit), so the overview reads small aggregates
even with millions of process-TTHC links.
"""

from __future__ import annotations

from qms.units.stage_sql import ANNOUNCED

#: Catalogue entries active on $as_of.  No DISTINCT: a unit's entries of one TTHC never overlap
#: (every write path refuses an overlapping period), so each (unit, TTHC) appears at most once;
#: dropping the DISTINCT saves a third of the overview's time at national scale.
CATALOGUE_ON = """
    SELECT unit_code, tthc_code FROM unit_tthc
    WHERE (valid_from IS NULL OR valid_from <= $as_of) AND (valid_to IS NULL OR valid_to > $as_of)
"""

#: The version of each process in force on $as_of: its latest issue or withdrawal dated on or
#: before it (drafts leave the issued version in force).
IN_FORCE = """
    SELECT unit_code, code, arg_max(id, (status_on, id)) AS version_id, arg_max(status, (status_on, id)) AS status,
           arg_max(status_on, (status_on, id)) AS status_on
    FROM process_versions WHERE status <> 'draft' AND status_on <= $as_of
    GROUP BY unit_code, code
"""

#: (unit, TTHC) pairs covered on $as_of by a process whose version in force is issued.
COVERED = f"""
    SELECT DISTINCT l.unit_code, l.tthc_code
    FROM process_tthc l JOIN ({IN_FORCE}) f ON f.version_id = l.version_id
    WHERE f.status = 'issued'
"""

#: Per unit holding a catalogue on $as_of: TTHC in it and TTHC covered.
UNIT_SCOPE = f"""
    SELECT c.unit_code, count(*) AS total, count(v.tthc_code) AS covered
    FROM ({CATALOGUE_ON}) c LEFT JOIN ({COVERED}) v ON v.unit_code = c.unit_code AND v.tthc_code = c.tthc_code
    GROUP BY c.unit_code
"""

#: Each unit's stage number on $as_of (3 = announced) and, for an announced unit, its latest
#: announcement date: read from the derived stage spans (migration 008, :mod:`qms.units.spans_store`).
#: A unit in stage 3 entered its current span on its latest stage-moving day, and every
#: stage-moving event leaving it in stage 3 is an announcement or re-announcement, so that day
#: is its latest announcement (units in other stages get NULL: no query reads it for them).
STAGE = f"""
    SELECT unit_code, stage, CASE WHEN stage = {ANNOUNCED} THEN valid_from END AS announced_on FROM unit_stage_spans
    WHERE valid_from <= $as_of AND (valid_to IS NULL OR valid_to > $as_of)
"""

#: Every (legal change, unit, process) obligation effective on or before $as_of, with the facts
#: qms.scope.rules.update_state reads: the first issue on or after the effective date (by $as_of) and
#: the withdrawal in force on $as_of.  A process is obliged when its version in force on the
#: change's effective date was issued and covered a TTHC the change touches (for that unit, or
#: for every unit when the item names none).
OBLIGATIONS = """
    WITH ch AS (SELECT id, document_no, effective_on, update_due_on FROM legal_changes WHERE effective_on <= $as_of),
    items AS (SELECT i.change_id, i.tthc_code, i.unit_code FROM legal_change_items i JOIN ch ON ch.id = i.change_id),
    cand AS (
        SELECT DISTINCT i.change_id, l.unit_code, l.process_code
        FROM items i JOIN process_tthc l ON l.tthc_code = i.tthc_code AND (i.unit_code IS NULL OR i.unit_code = l.unit_code)
    ),
    at_change AS (
        SELECT c.change_id, c.unit_code, c.process_code,
               arg_max(v.id, (v.status_on, v.id)) AS version_id, arg_max(v.status, (v.status_on, v.id)) AS status
        FROM cand c JOIN ch ON ch.id = c.change_id
        JOIN process_versions v ON v.unit_code = c.unit_code AND v.code = c.process_code
             AND v.status <> 'draft' AND v.status_on <= ch.effective_on
        GROUP BY c.change_id, c.unit_code, c.process_code
    ),
    obliged AS (
        SELECT DISTINCT a.change_id, a.unit_code, a.process_code
        FROM at_change a
        JOIN process_tthc l ON l.version_id = a.version_id
        JOIN items i ON i.change_id = a.change_id AND i.tthc_code = l.tthc_code AND (i.unit_code IS NULL OR i.unit_code = l.unit_code)
        WHERE a.status = 'issued'
    ),
    later AS (
        SELECT o.change_id, o.unit_code, o.process_code,
               min(v.status_on) FILTER (WHERE v.status = 'issued' AND v.status_on >= ch.effective_on AND v.status_on <= $as_of) AS reissued_on,
               arg_max(v.status, (v.status_on, v.id)) FILTER (WHERE v.status <> 'draft' AND v.status_on <= $as_of) AS status_now,
               arg_max(v.status_on, (v.status_on, v.id)) FILTER (WHERE v.status <> 'draft' AND v.status_on <= $as_of) AS status_now_on,
               arg_max(v.title, (v.status_on, v.id)) FILTER (WHERE v.status_on <= $as_of) AS title
        FROM obliged o JOIN ch ON ch.id = o.change_id
        JOIN process_versions v ON v.unit_code = o.unit_code AND v.code = o.process_code
        GROUP BY o.change_id, o.unit_code, o.process_code
    )
    SELECT ch.id AS change_id, ch.document_no, ch.effective_on, ch.update_due_on, l.unit_code, l.process_code, l.title,
           l.reissued_on, CASE WHEN l.status_now = 'withdrawn' THEN l.status_now_on END AS withdrawn_on,
           CASE WHEN l.reissued_on IS NOT NULL THEN 'done'
                WHEN l.status_now = 'withdrawn' THEN 'dropped'
                WHEN ch.update_due_on < $as_of THEN 'overdue'
                ELSE 'pending' END AS state
    FROM later l JOIN ch ON ch.id = l.change_id
"""

#: Units whose scope a legal change (added or removed TTHC) altered, the latest such change on or
#: before $as_of, and whether they are announced with an older announcement (re-announcement due).
REANNOUNCE = f"""
    WITH sc AS (
        SELECT i.unit_code, c.effective_on, c.document_no
        FROM legal_change_items i JOIN legal_changes c ON c.id = i.change_id
        WHERE i.effect IN ('added', 'removed') AND i.unit_code IS NOT NULL AND c.effective_on <= $as_of
    ),
    st AS ({STAGE})
    SELECT sc.unit_code, max(sc.effective_on) AS changed_on, st.announced_on,
           string_agg(DISTINCT sc.document_no, '; ' ORDER BY sc.document_no) AS documents
    FROM sc JOIN st ON st.unit_code = sc.unit_code
    WHERE st.stage = {ANNOUNCED} AND sc.effective_on > st.announced_on
    GROUP BY sc.unit_code, st.announced_on
"""
