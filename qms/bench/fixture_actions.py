"""Improvement actions and their history (migration 003) for the synthetic country, in SQL.

One corrective action per major or minor finding of a submitted audit, as
``qms.actions.store.create_actions_for_findings`` opens them: source by audit kind, due 2
calendar months after an inspection (Circular 26 Art. 37) and 30 days after any other finding,
the recurrence key of :func:`qms.actions.rules.recurrence_key`.  Then a seeded path through the
transition table of :mod:`qms.actions.rules`, each step one ``action_events`` row dated after the one
before and never after 31/12/2021: of actions opened more than 90 days before that day, 80% are
verified effective (start, done, verify), 5% done awaiting verification, 5% in progress, 5% still
open and 5% cancelled; younger ones are open, in progress or done.  Finally the recurrence rule:
an action whose clause is found nonconforming again at the unit by a later finding is marked
(a verified one becomes *recurred*, an unfinished one is flagged), with its ``recur`` step.

Inserted directly with SQL: a benchmark fixture in a throw-away database, not a user write.
"""

from __future__ import annotations

from qms.bench.random_sql import below, uniform
from qms.bench.scales import HISTORY_UNTIL, Scale

_ACTIONS_SQL = f"""
CREATE TEMP TABLE bench_action AS
WITH f AS (
    SELECT f.id AS finding_id, f.audit_id, f.audit_kind, f.unit_code, f.item_ref, f.standard, f.clause, f.note, f.found_on,
           CASE f.audit_kind WHEN 'internal_audit' THEN 'internal_audit' WHEN 'self_assessment' THEN 'self_detected'
                ELSE 'inspection' END AS source
    FROM findings f JOIN audits a ON a.id = f.audit_id
    WHERE f.grade IN ('major', 'minor') AND f.retracted_at IS NULL AND a.status <> 'draft'
), d AS (
    SELECT *, CASE WHEN source = 'inspection'
                   THEN (found_on + INTERVAL 2 MONTH)::DATE  -- DuckDB clamps to the month's end
                   ELSE found_on + 30 END AS due_date,
           {uniform("finding_id::VARCHAR", 'path')} AS r, $end - found_on AS age
    FROM f
), p AS (
    SELECT *, CASE WHEN age > 90 THEN CASE WHEN r < 0.80 THEN 'verified' WHEN r < 0.85 THEN 'done' WHEN r < 0.90 THEN 'in_progress'
                                           WHEN r < 0.95 THEN 'open' ELSE 'cancelled' END
                   ELSE CASE WHEN r < 0.4 THEN 'open' WHEN r < 0.8 THEN 'in_progress' ELSE 'done' END END AS path,
           least(found_on + 3 + {below("finding_id::VARCHAR", 's', 13)}, $end) AS started_on
    FROM d
), q AS (
    SELECT *, least(started_on + 5 + {below("finding_id::VARCHAR", 'dn', 60)}, $end) AS done_on FROM p
)
SELECT $base + row_number() OVER (ORDER BY found_on, finding_id) AS id, *,
       least(done_on + 10 + {below("finding_id::VARCHAR", 'v', 50)}, $end) AS verified_on,
       least(found_on + 20 + {below("finding_id::VARCHAR", 'c', 40)}, $end) AS cancelled_on,
       CASE WHEN clause IS NOT NULL THEN unit_code || '|' || coalesce(standard, '') || '|' || clause
            ELSE unit_code || '|item|' || item_ref END AS recurrence_key
FROM q
"""

_INSERT_SQL = """
INSERT INTO actions (id, unit_code, finding_id, audit_id, item_ref, standard, clause, recurrence_key, source, type, description,
                     root_cause, owner_name, owner_unit_code, opened_on, due_date, status, done_description, done_on,
                     verified_by, verified_on, verification_note, cancel_reason, cancelled_on, row_version, created_at,
                     created_by)
SELECT id, unit_code, finding_id, audit_id, item_ref, standard, clause, recurrence_key, source, 'corrective', note,
       CASE WHEN path <> 'open' THEN 'Chưa phổ biến đầy đủ quy trình đến cán bộ' END,
       CASE WHEN path <> 'open' THEN 'Thư ký ISO' END, unit_code, found_on, due_date, path,
       CASE WHEN path IN ('done', 'verified') THEN 'Đã sửa quy trình và tập huấn lại' END,
       CASE WHEN path IN ('done', 'verified') THEN done_on END,
       CASE WHEN path = 'verified' THEN 'Trưởng ban ISO' END, CASE WHEN path = 'verified' THEN verified_on END,
       CASE WHEN path = 'verified' THEN 'Không tái diễn trong lần kiểm tra sau' END,
       CASE WHEN path = 'cancelled' THEN 'Trùng với hành động khác' END, CASE WHEN path = 'cancelled' THEN cancelled_on END,
       CASE path WHEN 'open' THEN 1 WHEN 'in_progress' THEN 2 WHEN 'cancelled' THEN 2 WHEN 'done' THEN 3 ELSE 4 END,
       found_on::TIMESTAMP + INTERVAL 17 HOUR, 'bench'
FROM bench_action ORDER BY id
"""

_EVENTS_SQL = """
INSERT INTO action_events (action_id, step, from_status, to_status, on_date, due_date, note, actor)
SELECT id, step, from_status, to_status, on_date, due_date, NULL, 'bench' FROM (
    SELECT id, 1 AS n, 'open' AS step, NULL AS from_status, 'open' AS to_status, found_on AS on_date, due_date FROM bench_action
    UNION ALL SELECT id, 2, 'start', 'open', 'in_progress', started_on, due_date FROM bench_action
              WHERE path IN ('in_progress', 'done', 'verified')
    UNION ALL SELECT id, 3, 'done', 'in_progress', 'done', done_on, due_date FROM bench_action WHERE path IN ('done', 'verified')
    UNION ALL SELECT id, 4, 'verify_effective', 'done', 'verified', verified_on, due_date FROM bench_action WHERE path = 'verified'
    UNION ALL SELECT id, 2, 'cancel', 'open', 'cancelled', cancelled_on, due_date FROM bench_action WHERE path = 'cancelled'
) ORDER BY on_date, id, n
"""

#: For each action not cancelled, the first later action (opened on a later day) of its key.
_RECUR_SQL = """
CREATE TEMP TABLE bench_recur AS
WITH later AS (
    SELECT a.id, arg_min(b.finding_id, (b.opened_on, b.id)) AS by_finding, min(b.opened_on) AS later_on
    FROM actions a JOIN actions b ON b.recurrence_key = a.recurrence_key AND b.opened_on > a.opened_on AND b.finding_id IS NOT NULL
    WHERE a.status <> 'cancelled' AND a.id > $base
    GROUP BY a.id
)
SELECT l.id, l.by_finding, greatest(l.later_on, (SELECT max(on_date) FROM action_events e WHERE e.action_id = l.id)) AS on_date,
       a.status AS from_status, CASE WHEN a.status = 'verified' THEN 'recurred' ELSE a.status END AS to_status, a.due_date
FROM later l JOIN actions a ON a.id = l.id
"""


def generate_actions(cur, scale: Scale, seed: int) -> dict[str, int]:
    """Insert actions for the generated findings, their history and the recurrence marks."""
    base = cur.execute("SELECT coalesce(max(id), 0) FROM actions").fetchall()[0][0]
    cur.execute(_ACTIONS_SQL, {"seed": str(seed), "end": HISTORY_UNTIL, "base": base})
    cur.execute(_INSERT_SQL)
    n = cur.execute("SELECT count(*) FROM bench_action").fetchall()[0][0]
    cur.execute("SELECT max(nextval('action_id')) FROM range(?)", [base + n])
    cur.execute(_EVENTS_SQL)
    cur.execute(_RECUR_SQL, {"base": base})
    cur.execute(
        """UPDATE actions SET status = r.to_status, recurred_by_finding_id = r.by_finding, recurred_on = r.on_date,
                              row_version = row_version + 1
        FROM bench_recur r WHERE actions.id = r.id""")
    cur.execute(
        """INSERT INTO action_events (action_id, step, from_status, to_status, on_date, due_date, note, actor)
        SELECT id, 'recur', from_status, to_status, on_date, due_date, 'Phát hiện #' || by_finding::VARCHAR, 'bench'
        FROM bench_recur ORDER BY on_date, id""")
    cur.execute("DROP TABLE bench_recur")
    cur.execute("DROP TABLE bench_action")
    return {t: cur.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]  # noqa: S608 - fixed names
            for t in ("actions", "action_events")}
