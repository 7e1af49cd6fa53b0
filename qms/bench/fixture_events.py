"""The synthetic lifecycle of every QMS unit over 2017-2021, generated with SQL.

Each unit draws (from the seed) one of three paths, with level-dependent shares:

- **never started**: no event at all (communes 4%, districts 0.5%, departments 1%);
- **in progress**: build started between 03/2017 and 06/2021, and for half of them applied
  90-180 days later (communes 6%, districts 1.5%, departments 2%);
- **announced** (the rest): an announcement day (from 10/2017; departments by 12/2018,
  districts by 06/2019, communes by 09/2021, skewed early), with build, apply, internal audit,
  management review and confirmation laid backwards from it (the demo's rule of
  :func:`qms.units.demo._roll_out`); then, every later year, an internal audit (April-September) and a
  management review 10-45 days after it (88% of years; 6% only the audit; 6% nothing), a scope
  re-announcement in January-March (8% of years), and for units announced on TCVN ISO
  9001:2008 a move to 2015 (standard changed in November 2019, 2020 or 2021, re-announced
  5-30 days later).

Communes merged away on 01/01/2020 end their history by 30/09/2019 (announcement) and 2019
(maintenance).  Every path respects :mod:`qms.units.rules`'s sequence rules by construction, and
:func:`qms.bench.validate.replay_sample` proves it on a sample by replaying the events through
:func:`qms.units.rules.check_history`.

This is a benchmark fixture, not a user write: events are inserted directly with SQL into the
benchmark's throw-away database (the one write path, :func:`qms.units.events_store.record_events_in`,
would take minutes to check 160,000 events one unit at a time and is not what is measured).
Ids follow (date, unit, step), so same-day events of a unit replay in their intended order.
"""

from __future__ import annotations

from qms.bench.random_sql import below, uniform
from qms.bench.scales import HISTORY_UNTIL, MERGER_DATE

_PLAN_SQL = f"""
CREATE TEMP TABLE bench_plan AS
WITH u AS (
    SELECT code, level, valid_to IS NOT NULL AS merged,
           CASE WHEN valid_to IS NULL THEN $until ELSE valid_to - 1 END AS last_day,
           {uniform('code', 'cat')} AS r_cat, {uniform('code', 'ann')} AS r_ann
    FROM units WHERE level IN ('department', 'district', 'commune')
), p AS (
    SELECT *,
        CASE level WHEN 'department' THEN 0.01 WHEN 'district' THEN 0.005 ELSE 0.04 END AS p_never,
        CASE level WHEN 'department' THEN 0.02 WHEN 'district' THEN 0.015 ELSE 0.06 END AS p_progress,
        CASE WHEN merged THEN DATE '2019-09-30'
             ELSE CASE level WHEN 'department' THEN DATE '2018-12-31' WHEN 'district' THEN DATE '2019-06-30'
                             ELSE DATE '2021-09-30' END END AS ann_to
    FROM u
)
SELECT code, level, merged, last_day,
       CASE WHEN r_cat < p_never THEN 'never' WHEN r_cat < p_never + p_progress THEN 'progress' ELSE 'announced' END AS path,
       DATE '2017-10-01' + floor(pow(r_ann, 1.6) * (ann_to - DATE '2017-10-01'))::INTEGER AS ann
FROM p
"""

_ROLLOUT_SQL = f"""
WITH o AS (
    SELECT code, level, ann,
           1 + {below('code', 'c1', 20)} AS c1, 1 + {below('code', 'c2', 10)} AS c2, 5 + {below('code', 'c3', 16)} AS c3,
           30 + {below('code', 'c4', 31)} AS c4, 60 + {below('code', 'c5', 91)} AS c5,
           CASE WHEN ann >= DATE '2019-01-01' THEN '2015' ELSE '2008' END AS std
    FROM bench_plan WHERE path = 'announced'
), s AS (
    SELECT code, level, unnest([
        {{'step': 1, 't': 'build_started', 'd': ann - (c1 + c2 + c3 + c4 + c5), 's': NULL}},
        {{'step': 2, 't': 'applied', 'd': ann - (c1 + c2 + c3 + c4), 's': NULL}},
        {{'step': 3, 't': 'internal_audit', 'd': ann - (c1 + c2 + c3), 's': NULL}},
        {{'step': 4, 't': 'management_review', 'd': ann - (c1 + c2), 's': NULL}},
        {{'step': 5, 't': 'effectiveness_confirmed', 'd': ann - c1, 's': NULL}},
        {{'step': 6, 't': 'announced', 'd': ann, 's': std}}
    ]) AS e FROM o
)
SELECT code, level, e.step, e.t, e.d, e.s FROM s
"""

_PROGRESS_SQL = f"""
WITH b AS (
    SELECT code, level, last_day,
           DATE '2017-03-01' + ({below('code', 'b', 10_000)} % ((least(last_day, DATE '2021-06-30') - DATE '2017-03-01') + 1))::INTEGER
               AS built,
           {uniform('code', 'applied')} < 0.5 AS applies, 90 + {below('code', 'ad', 91)} AS delay
    FROM bench_plan WHERE path = 'progress'
)
SELECT code, level, 1, 'build_started', built, NULL FROM b
UNION ALL
SELECT code, level, 2, 'applied', built + delay, NULL FROM b WHERE applies AND built + delay <= last_day
"""

_MAINTENANCE_SQL = f"""
WITH y AS (
    SELECT code, level, ann, last_day, unnest(range(year(ann) + 1, year(last_day) + 1)) AS y,
           CASE WHEN ann >= DATE '2019-01-01' THEN '2015' ELSE '2008' END AS std,
           2019 + {below('code', 'sy', 3)} AS sy
    FROM bench_plan WHERE path = 'announced'
), k AS (
    SELECT *, code || y AS k, std = '2008' AND sy <= year(last_day) AND sy > year(ann) AS switches FROM y
), m AS (
    SELECT *, {uniform('k', 'm')} AS r_m, make_date(y, 4, 1) + {below('k', 'a', 183)} AS audit,
           10 + {below('k', 'v', 36)} AS review_after
    FROM k
)
SELECT code, level, 10, 'internal_audit', audit, NULL FROM m WHERE r_m < 0.94
UNION ALL
SELECT code, level, 11, 'management_review', audit + review_after, NULL FROM m WHERE r_m < 0.88
UNION ALL
SELECT code, level, 12, 're_announced', make_date(y, 1, 10) + {below('k', 'sd', 70)},
       CASE WHEN std = '2015' OR (switches AND y > sy) THEN '2015' ELSE '2008' END
FROM m WHERE {uniform('k', 'scope')} < 0.08
UNION ALL
SELECT code, level, 13, 'standard_changed', make_date(sy, 11, 1) + {below('code', 'sc', 20)}, '2015'
FROM m WHERE switches AND y = sy
UNION ALL
SELECT code, level, 14, 're_announced', make_date(sy, 11, 1) + {below('code', 'sc', 20)} + 5 + {below('code', 'sr', 26)}, '2015'
FROM m WHERE switches AND y = sy
"""

_INSERT_SQL = f"""
INSERT INTO qms_events (id, unit_code, event_type, event_date, decision_no, standard, scope_note, source,
                        date_estimated, recorded_by)
SELECT $base + row_number() OVER (ORDER BY d, code, step), code, t, d,
       CASE WHEN t IN ('announced', 're_announced')
            THEN (1 + {below("code || d::VARCHAR", 'dn', 300)})::VARCHAR || '/QĐ-' || CASE level WHEN 'department' THEN 'S' ELSE 'UBND' END
       END,
       s,
       CASE step WHEN 6 THEN 'Toàn bộ TTHC thuộc thẩm quyền giải quyết của đơn vị'
                 WHEN 12 THEN 'Điều chỉnh phạm vi theo danh mục TTHC mới công bố'
                 WHEN 14 THEN 'Chuyển đổi sang TCVN ISO 9001:2015 (Quyết định 101/QĐ-BKHCN)' END,
       'demo', FALSE, 'bench'
FROM bench_event
"""


def generate_events(cur, seed: int) -> dict[str, int]:
    """Insert every unit's lifecycle; return counts (events per type and units per path)."""
    params = {"seed": str(seed), "until": HISTORY_UNTIL}
    cur.execute(_PLAN_SQL, params)
    cur.execute(
        "CREATE TEMP TABLE bench_event (code VARCHAR, level VARCHAR, step INTEGER, t VARCHAR, d DATE, s VARCHAR)"
    )
    for sql in (_ROLLOUT_SQL, _PROGRESS_SQL, _MAINTENANCE_SQL):
        cur.execute("INSERT INTO bench_event " + sql, {"seed": str(seed)})
    late = cur.execute("SELECT count(*) FROM bench_event e JOIN bench_plan p USING (code) WHERE e.d > p.last_day").fetchall()[0][0]
    if late:  # pragma: no cover - a bug in the generator, caught before anything is measured
        raise AssertionError(f"the generator dated {late} events after their unit's last day")
    base = cur.execute("SELECT coalesce(max(id), 0) FROM qms_events").fetchall()[0][0]
    cur.execute(_INSERT_SQL, {"seed": str(seed), "base": base})
    n = cur.execute("SELECT count(*) FROM bench_event").fetchall()[0][0]
    # Move the id sequence past the explicit ids, so a later write (an audit's event) gets a fresh id.
    cur.execute("SELECT max(nextval('qms_event_id')) FROM range(?)", [base + n])
    paths = dict(cur.execute("SELECT path, count(*) FROM bench_plan GROUP BY path").fetchall())
    types = dict(cur.execute("SELECT t, count(*) FROM bench_event GROUP BY t").fetchall())
    cur.execute("DROP TABLE bench_event")
    cur.execute("DROP TABLE bench_plan")
    return {"qms_events": n, "paths": paths, "event_types": types, "merger_date": MERGER_DATE.isoformat()}
