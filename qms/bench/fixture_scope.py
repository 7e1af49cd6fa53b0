"""Scope (migration 004) for the synthetic country: TTHC catalogues, processes and their links.

- ``tthc``: one national list: 100 commune-level and 220 district-level procedures, 90 for each
  department and 20 for each sub-department (codes ``2.xxxxxx`` and ``1.xxxxxx``, named by field).
- ``unit_tthc``: each unit handles its level's list less about 10% (seeded); 5% of entries start
  on 01/07/2019, 3% end on 01/07/2020.
- ``process_versions`` / ``process_tthc``: units that applied their QMS issued one process per
  two TTHC of their catalogue (8% of TTHC left uncovered) on the day they applied it; 25% of
  processes were re-issued (version 2) after a legal change, 3% later withdrawn; units still
  building hold drafts.  Every version links its TTHC.
- ``legal_changes`` / ``legal_change_items``: 48 national changes, 2018-2021, 5 TTHC each.

At national scale that is about 2.5 million catalogue entries, process versions and links.
Inserted directly with SQL: a benchmark fixture in a throw-away database, not a user write.
"""

from __future__ import annotations

from qms.bench.names import DEPARTMENTS
from qms.bench.random_sql import below, uniform
from qms.bench.scales import Scale

FIELDS = ("Hộ tịch", "Chứng thực", "Đất đai", "Xây dựng", "Bảo trợ xã hội", "Người có công", "Văn hóa", "Giáo dục",
          "Y tế", "Tư pháp", "Nông nghiệp", "Kinh doanh", "Đầu tư", "Tài nguyên và môi trường", "Giao thông")
COMMUNE_TTHC, DISTRICT_TTHC, DEPARTMENT_TTHC, SUB_DEPARTMENT_TTHC = 100, 220, 90, 20

_CATALOGUE_SQL = f"""
INSERT INTO tthc (code, name, field, level, recorded_by)
WITH t AS (
    SELECT 'commune' AS level, NULL::INTEGER AS dept, i, '2.' || lpad(i::VARCHAR, 6, '0') AS code FROM range(1, {COMMUNE_TTHC} + 1) r(i)
    UNION ALL SELECT 'district', NULL, i, '2.' || lpad((1000 + i)::VARCHAR, 6, '0') FROM range(1, {DISTRICT_TTHC} + 1) r(i)
    UNION ALL SELECT 'province', d, i, '1.' || lpad((d * 1000 + i)::VARCHAR, 6, '0')
              FROM range(1, {len(DEPARTMENTS)} + 1) a(d), range(1, {DEPARTMENT_TTHC} + 1) r(i)
    UNION ALL SELECT 'province', d, 900 + i, '1.' || lpad((d * 1000 + 900 + i)::VARCHAR, 6, '0')
              FROM range(1, {len(DEPARTMENTS)} + 1) a(d), range(1, {SUB_DEPARTMENT_TTHC} + 1) r(i)
)
SELECT code, list_extract($fields, 1 + (coalesce(dept, i) % {len(FIELDS)})::INTEGER) || ': thủ tục số ' || i::VARCHAR,
       list_extract($fields, 1 + (coalesce(dept, i) % {len(FIELDS)})::INTEGER), level, 'bench'
FROM t
"""

#: Each unit's share of the national list: communes and districts by level, a department by its
#: number (``S01-07``), a sub-department (``S01-07-CC2``) by its parent's number.
_UNIT_TTHC_SQL = f"""
INSERT INTO unit_tthc (id, unit_code, tthc_code, valid_from, valid_to, source, recorded_by)
WITH u AS (
    SELECT code, CASE WHEN level = 'department'
                      THEN 'd' || split_part(code, '-', 2)::INTEGER::VARCHAR || CASE WHEN code LIKE '%-CC%' THEN 's' ELSE '' END
                      ELSE level END AS grp
    FROM units WHERE level IN ('department', 'district', 'commune')
), t AS (
    SELECT code, CASE WHEN level = 'province'
                      THEN 'd' || (code[3:]::INTEGER // 1000)::VARCHAR || CASE WHEN code[3:]::INTEGER % 1000 > 900 THEN 's' ELSE '' END
                      ELSE level END AS grp
    FROM tthc
), pairs AS (
    SELECT u.code AS unit_code, t.code AS tthc_code FROM u JOIN t USING (grp)
), kept AS (
    SELECT *, {uniform("unit_code || tthc_code", 'period')} AS r FROM pairs
    WHERE {uniform("unit_code || tthc_code", 'handles')} >= 0.10
)
SELECT $base + row_number() OVER (ORDER BY unit_code, tthc_code), unit_code, tthc_code,
       CASE WHEN r < 0.05 THEN DATE '2019-07-01' END, CASE WHEN r >= 0.97 THEN DATE '2020-07-01' END, 'import', 'bench'
FROM kept
"""

_PLAN_SQL = f"""
CREATE TEMP TABLE bench_process AS
WITH life AS (
    SELECT unit_code, min(event_date) FILTER (WHERE event_type = 'build_started') AS built,
           min(event_date) FILTER (WHERE event_type = 'applied') AS applied
    FROM qms_events GROUP BY unit_code
), covered AS (
    SELECT c.unit_code, c.tthc_code, l.built, l.applied,
           (row_number() OVER (PARTITION BY c.unit_code ORDER BY c.tthc_code) - 1) // 2 + 1 AS n
    FROM unit_tthc c JOIN life l ON l.unit_code = c.unit_code
    WHERE l.built IS NOT NULL AND {uniform("c.unit_code || c.tthc_code", 'covered')} >= 0.08
)
SELECT unit_code, 'QT-' || lpad(n::VARCHAR, 3, '0') AS code, list(tthc_code ORDER BY tthc_code) AS tthc,
       min(tthc_code) AS first_tthc, any_value(built) AS built, any_value(applied) AS applied
FROM covered GROUP BY unit_code, n
"""

_VERSIONS_SQL = f"""
CREATE TEMP TABLE bench_version AS
WITH p AS (
    SELECT *, {uniform("unit_code || code", 'reissue')} AS r_re, {uniform("unit_code || code", 'withdraw')} AS r_wd,
           {below("unit_code || code", 'later', 700)} AS later
    FROM bench_process
), v AS (
    SELECT unit_code, code, tthc, first_tthc, 1 AS version_no, 'draft' AS status, NULL::DATE AS issued_on,
           built + 20 AS status_on FROM p WHERE applied IS NULL
    UNION ALL
    SELECT unit_code, code, tthc, first_tthc, 1, 'issued', applied, applied FROM p WHERE applied IS NOT NULL
    UNION ALL
    SELECT unit_code, code, tthc, first_tthc, 2, 'issued', applied + 60 + later, applied + 60 + later
    FROM p WHERE applied IS NOT NULL AND r_re < 0.25 AND applied + 60 + later <= DATE '2021-12-31'
    UNION ALL
    SELECT unit_code, code, tthc, first_tthc, CASE WHEN r_re < 0.25 AND applied + 60 + later <= DATE '2021-12-31' THEN 3 ELSE 2 END,
           'withdrawn', NULL, DATE '2021-11-15'
    FROM p WHERE applied IS NOT NULL AND r_wd < 0.03 AND applied + 60 + later < DATE '2021-11-15'
)
SELECT $base + row_number() OVER (ORDER BY unit_code, code, version_no) AS id, * FROM v
"""


def generate_scope(cur, scale: Scale, seed: int) -> dict[str, int]:
    """Insert the catalogue, the units' TTHC, processes with their links and legal changes."""
    params = {"seed": str(seed)}
    cur.execute(_CATALOGUE_SQL, {"fields": list(FIELDS)})
    base = cur.execute("SELECT coalesce(max(id), 0) FROM unit_tthc").fetchall()[0][0]
    cur.execute(_UNIT_TTHC_SQL, params | {"base": base})
    n = cur.execute("SELECT count(*) FROM unit_tthc").fetchall()[0][0]
    cur.execute("SELECT max(nextval('unit_tthc_id')) FROM range(?)", [n])
    cur.execute(_PLAN_SQL, params)
    base = cur.execute("SELECT coalesce(max(id), 0) FROM process_versions").fetchall()[0][0]
    cur.execute(_VERSIONS_SQL, params | {"base": base})
    cur.execute(
        """INSERT INTO process_versions (id, unit_code, code, version_no, title, status, issue_no, issued_on, status_on,
                                         legal_basis, source, recorded_by)
        SELECT v.id, v.unit_code, v.code, v.version_no, 'Quy trình giải quyết ' || lower(t.name), v.status,
               CASE WHEN v.status = 'issued' THEN v.version_no::VARCHAR END, v.issued_on, v.status_on,
               CASE WHEN v.version_no > 1 THEN 'Văn bản sửa đổi quy định về thủ tục hành chính' END, 'import', 'bench'
        FROM bench_version v JOIN tthc t ON t.code = v.first_tthc ORDER BY v.id""")
    m = cur.execute("SELECT count(*) FROM bench_version").fetchall()[0][0]
    cur.execute("SELECT max(nextval('process_version_id')) FROM range(?)", [base + m])
    cur.execute("INSERT INTO process_tthc SELECT id, unit_code, code, unnest(tthc) FROM bench_version ORDER BY id")
    cur.execute(
        f"""INSERT INTO legal_changes (id, document_no, title, signed_on, effective_on, update_due_on, recorded_by)
        SELECT i, i::VARCHAR || '/' || year(d)::VARCHAR || '/QĐ-BENCH', 'Quyết định công bố thủ tục hành chính sửa đổi số ' || i,
               d - 15, d, d + INTERVAL 3 MONTH, 'bench'
        FROM (SELECT i, DATE '2018-01-15' + ({below('i::VARCHAR', 'legal', 1400)}) AS d FROM range(1, 49) r(i))""", params)
    cur.execute("SELECT max(nextval('legal_change_id')) FROM range(48)")
    cur.execute(
        f"""INSERT INTO legal_change_items (change_id, tthc_code, effect, unit_code)
        SELECT c.id, t.code, 'amended', NULL FROM legal_changes c
        JOIN (SELECT code, row_number() OVER (ORDER BY hash(code || $seed)) AS k FROM tthc) t ON (t.k - 1) // 5 + 1 = c.id""",
        params)
    cur.execute("DROP TABLE bench_version")
    cur.execute("DROP TABLE bench_process")
    return {t: cur.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]  # noqa: S608 - fixed names
            for t in ("tthc", "unit_tthc", "process_versions", "process_tthc", "legal_changes", "legal_change_items")}
