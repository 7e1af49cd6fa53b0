"""The synthetic country's units, names and sample targets, generated with SQL.

Provinces -> districts (round-robin, so each province gets its share) -> communes (a varying
number per district: 5 to 25 in the weights, the total exact); 15 departments and 4
sub-departments per province.  About 4% of rural communes are merged away on
:data:`~qms.bench.scales.MERGER_DATE` and 2% of the others are renamed that day, so the
effective dating of units and names is exercised at scale; 2% of communes are outside the plan.

This is a benchmark fixture, not a user write: rows are inserted directly with SQL (no store
function, no change log entry per row), into the benchmark's own throw-away database only.
"""

from __future__ import annotations

from qms.bench.names import DEPARTMENTS, PROVINCES, SUB_DEPARTMENTS, SYLLABLES
from qms.bench.random_sql import below, uniform
from qms.bench.scales import MERGER_DATE, Scale
from qms.units.store import ORIGINAL_NAME_FROM

#: Provinces run as centrally governed cities (their districts are mostly urban).
_CITY_CODES = ("01", "31", "48", "79", "92")

#: Sample targets (percent announced by the end of each year), as the demo's: not official.
SAMPLE_TARGETS: dict[str, dict[int, float]] = {
    "department": {y: 100.0 for y in range(2017, 2027)},
    "district": {y: 100.0 for y in range(2017, 2027)},
    "commune": {2017: 80.0, 2018: 90.0, 2019: 95.0} | {y: 100.0 for y in range(2020, 2027)},
}


def _name(prefix_sql: str, key_sql: str, salt: str) -> str:
    n = len(SYLLABLES)
    return (f"{prefix_sql} || list_extract($syl, 1 + {below(key_sql, salt + '1', n)}) || ' ' || "
            f"list_extract($syl, 1 + (({below(key_sql, salt + '1', n)} + 1 + {below(key_sql, salt + '2', n - 1)}) % {n}))")


def generate_units(cur, scale: Scale, seed: int) -> dict[str, int]:
    """Insert the units, their names and the sample targets; return row counts.

    Runs on the benchmark's cursor inside the generator's transaction.
    """
    if not 1 <= scale.provinces <= len(PROVINCES):
        raise ValueError(f"a scale has 1 to {len(PROVINCES)} provinces, not {scale.provinces}")
    provinces = PROVINCES[: scale.provinces]
    params = {"seed": str(seed), "syl": list(SYLLABLES)}
    cur.execute(
        "CREATE TEMP TABLE bench_province AS SELECT unnest(?::VARCHAR[]) AS code, unnest(?::VARCHAR[]) AS name, "
        "unnest(range(1, ?)) AS i",
        [[c for c, _ in provinces], [n for _, n in provinces], len(provinces) + 1],
    )
    cur.execute(
        f"""CREATE TEMP TABLE bench_district AS
        WITH d AS (
            SELECT d AS i, lpad(d::VARCHAR, 3, '0') AS code, p.code AS province_code,
                   row_number() OVER (PARTITION BY p.code ORDER BY d) AS nth, list_contains($cities, p.code) AS city
            FROM range(1, $n + 1) r(d) JOIN bench_province p ON p.i = ((d - 1) % $provinces) + 1
        ), k AS (
            SELECT *, CASE WHEN nth = 1 THEN 'thanh_pho'
                           WHEN city AND {uniform('code', 'quan')} < 0.4 THEN 'quan'
                           WHEN {uniform('code', 'thixa')} < 0.08 THEN 'thi_xa' ELSE 'huyen' END AS kind
            FROM d
        )
        SELECT *, {_name("CASE kind WHEN 'thanh_pho' THEN 'Thành phố ' WHEN 'quan' THEN 'Quận ' "
                          "WHEN 'thi_xa' THEN 'Thị xã ' ELSE 'Huyện ' END", 'code', 'dn')} AS name,
               5 + {below('code', 'weight', 21)} AS weight
        FROM k""",
        params | {"n": scale.districts, "provinces": scale.provinces, "cities": list(_CITY_CODES)},
    )
    cur.execute(
        f"""CREATE TEMP TABLE bench_commune AS
        WITH w AS (
            SELECT code AS district_code, kind AS district_kind,
                   sum(weight) OVER (ORDER BY i) - weight AS before, sum(weight) OVER (ORDER BY i) AS upto,
                   sum(weight) OVER () AS total
            FROM bench_district
        ), span AS (
            SELECT district_code, district_kind, (before * $n // total)::BIGINT + 1 AS first,
                   (upto * $n // total)::BIGINT AS last FROM w
        ), c AS (
            SELECT district_code, district_kind, unnest(range(first, last + 1)) AS i, first FROM span
        ), k AS (
            SELECT i, lpad(i::VARCHAR, 5, '0') AS code, district_code,
                   CASE WHEN district_kind IN ('thanh_pho', 'quan', 'thi_xa')
                        THEN CASE WHEN {uniform('i::VARCHAR', 'ward')} < 0.7 THEN 'phuong' ELSE 'xa' END
                        WHEN i = first THEN 'thi_tran' ELSE 'xa' END AS kind
            FROM c
        )
        SELECT *, {_name("CASE kind WHEN 'phuong' THEN 'Phường ' WHEN 'thi_tran' THEN 'Thị trấn ' ELSE 'Xã ' END", 'code', 'cn')} AS name,
               kind = 'xa' AND {uniform('code', 'merge')} < 0.04 AS merged,
               {uniform('code', 'rename')} < 0.02 AS renamed,
               {uniform('code', 'plan')} >= 0.02 AS in_plan
        FROM k""",
        params | {"n": scale.communes},
    )
    dept_names = [n for _, n, _ in DEPARTMENTS]
    dept_kinds = [k for _, _, k in DEPARTMENTS]
    cur.execute(
        """CREATE TEMP TABLE bench_department AS
        WITH d AS (SELECT unnest(range(1, ?)) AS n, unnest(?::VARCHAR[]) AS dname, unnest(?::VARCHAR[]) AS kind),
        s AS (SELECT unnest(range(1, ?)) AS n, unnest(?::VARCHAR[]) AS sname, unnest(?::INTEGER[]) AS parent_n)
        SELECT 'S' || p.code || '-' || lpad(d.n::VARCHAR, 2, '0') AS code, d.kind, p.code AS parent_code,
               d.dname || ' ' || lower(left(p.name, 1)) || substr(p.name, 2) AS name
        FROM bench_province p, d WHERE d.n <= ?
        UNION ALL
        SELECT 'S' || p.code || '-' || lpad(s.parent_n::VARCHAR, 2, '0') || '-CC' || s.n, 'chi_cuc',
               'S' || p.code || '-' || lpad(s.parent_n::VARCHAR, 2, '0'),
               s.sname || ' ' || lower(left(p.name, 1)) || substr(p.name, 2)
        FROM bench_province p, s WHERE s.n <= ?""",
        [len(DEPARTMENTS) + 1, dept_names, dept_kinds, len(SUB_DEPARTMENTS) + 1, [n for _, n, _ in SUB_DEPARTMENTS],
         [p for _, _, p in SUB_DEPARTMENTS], scale.departments_per_province, scale.sub_departments_per_province],
    )
    cur.execute(
        """INSERT INTO units (code, level, kind, parent_code, valid_from, valid_to, in_plan)
        SELECT code, 'province', CASE WHEN list_contains($cities, code) THEN 'thanh_pho' ELSE 'tinh' END, NULL, NULL, NULL, TRUE
          FROM bench_province
        UNION ALL SELECT code, 'department', kind, parent_code, NULL, NULL, TRUE FROM bench_department
        UNION ALL SELECT code, 'district', kind, province_code, NULL, NULL, TRUE FROM bench_district
        UNION ALL SELECT code, 'commune', kind, district_code, NULL, CASE WHEN merged THEN $merger END, in_plan FROM bench_commune""",
        {"cities": list(_CITY_CODES), "merger": MERGER_DATE},
    )
    cur.execute(
        f"""INSERT INTO unit_names (code, name, valid_from)
        SELECT code, name, $orig FROM bench_province
        UNION ALL SELECT code, name, $orig FROM bench_department
        UNION ALL SELECT code, name, $orig FROM bench_district
        UNION ALL SELECT code, name, $orig FROM bench_commune
        UNION ALL SELECT code, {_name("CASE kind WHEN 'phuong' THEN 'Phường ' WHEN 'thi_tran' THEN 'Thị trấn ' ELSE 'Xã ' END",
                                      'code', 'rn')}, $merger
          FROM bench_commune WHERE renamed AND NOT merged""",
        {"orig": ORIGINAL_NAME_FROM, "merger": MERGER_DATE, "seed": str(seed), "syl": list(SYLLABLES)},
    )
    rows = [(level, year, pct) for level, years in SAMPLE_TARGETS.items() for year, pct in years.items()]
    cur.execute(
        "INSERT INTO targets (level, year, target_pct, is_sample, updated_by) "
        "SELECT unnest(?::VARCHAR[]), unnest(?::INTEGER[]), unnest(?::DOUBLE[]), TRUE, 'bench'",
        [[r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]],
    )
    cur.execute("UPDATE units SET gso_code = code WHERE gso_code IS NULL")
    for table in ("bench_province", "bench_district", "bench_commune", "bench_department"):
        cur.execute(f"DROP TABLE {table}")  # noqa: S608 - fixed names
    counts = dict(cur.execute("SELECT level, count(*) FROM units GROUP BY level").fetchall())
    counts["unit_names"] = cur.execute("SELECT count(*) FROM unit_names").fetchall()[0][0]
    counts["targets"] = len(rows)
    return counts
