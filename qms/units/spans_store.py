"""Derived stage spans: each unit's stage over time, kept next to the events it comes from.

Status is derived from ``qms_events`` (never typed in); these tables (migration 008) hold that
derivation, so the overview reads ~10 rows per unit instead of every event ever recorded:

- ``unit_stage_spans(unit_code, stage, valid_from, valid_to)``: one row per day on which a
  stage-moving event (build started, applied, announced, re-announced, withdrawn) was recorded;
  ``stage`` is the stage after that day's last such event (by id), ``valid_to`` the next such
  day (NULL: still in force).  The unit's stage on a date is the row whose period holds it, and
  ``valid_from`` is the day it entered that stage, exactly what ``STAGE_ON_SQL`` used to compute
  from the events (days are not merged when the stage repeats, so "since" stays the same);
- ``unit_year_maintenance(unit_code, year, maintained_on)``: in each year with both an internal
  audit and a management review, the day by which both had been held (Decision 19 Art. 4.4b);
- ``unit_first_announced(unit_code, first_announced)``: the first announcement.

The rows are a pure function of the events: :func:`refresh` rewrites those of the units a write
touched, inside that write's transaction (:func:`qms.units.events_store.record_events_in` and any other
path writing events calls it), and :func:`rebuild` recomputes every unit (the migration's
backfill, the benchmark generator, the demo).  ``tests/store/test_spans.py`` checks that the
rows kept by writes equal a full rebuild.
"""

from __future__ import annotations

from collections.abc import Iterable

from qms.units.stage_sql import ANNOUNCED, MOVING_TYPES, STAGE_CASE

#: The derived tables, in the order they are written.
TABLES = ("unit_stage_spans", "unit_year_maintenance", "unit_first_announced")

# ``{only}`` restricts the events read to some units (empty: every unit).
_SELECT = {
    "unit_stage_spans": f"""
        WITH day_stage AS (
            SELECT unit_code, event_date, arg_max({STAGE_CASE}, id) AS stage FROM qms_events
            WHERE event_type IN ({MOVING_TYPES}) {{only}} GROUP BY unit_code, event_date
        )
        SELECT unit_code, stage, event_date,
               lead(event_date) OVER (PARTITION BY unit_code ORDER BY event_date), false FROM day_stage
    """,
    "unit_year_maintenance": """
        SELECT unit_code, year(event_date),
               greatest(min(event_date) FILTER (WHERE event_type = 'internal_audit'),
                        min(event_date) FILTER (WHERE event_type = 'management_review'))
        FROM qms_events WHERE event_type IN ('internal_audit', 'management_review') {only}
        GROUP BY unit_code, year(event_date)
        HAVING bool_or(event_type = 'internal_audit') AND bool_or(event_type = 'management_review')
    """,
    "unit_first_announced": """
        SELECT unit_code, min(event_date) FROM qms_events WHERE event_type = 'announced' {only} GROUP BY unit_code
    """,
}

#: The stage of each unit on $as_of and the day it entered it (units without a stage-moving
#: event by then have no row: not started).  Same columns as the old event scan.
STAGE_ON_SQL = """
    SELECT unit_code, stage, valid_from AS since FROM unit_stage_spans
    WHERE valid_from <= $as_of AND (valid_to IS NULL OR valid_to > $as_of)
"""


#: The province setting (``settings`` table) that lets a unit formed by an administrative change
#: count as announced from its first day when every predecessor had announced the day before.
CARRY_OVER_KEY = "carry_predecessor_announcements"

#: Inherited spans: a new unit (a successor in ``unit_links``) whose predecessors had all
#: announced on the eve of the change counts as announced from the change's effective date until
#: its own first stage-moving event.  ``{only}`` restricts to some successors.
_INHERITED = f"""
    INSERT INTO unit_stage_spans
    WITH n AS (
        SELECT l.new_code AS unit_code, min(c.effective_date) AS eff,
               bool_and(coalesce(ps.stage = {ANNOUNCED}, false)) AS all_announced
        FROM unit_links l JOIN admin_changes c ON c.id = l.change_id
        LEFT JOIN unit_stage_spans ps ON ps.unit_code = l.old_code AND ps.valid_from < c.effective_date
             AND (ps.valid_to IS NULL OR ps.valid_to >= c.effective_date)
        WHERE c.effective_date = $eff {{only}}
        GROUP BY l.new_code
    )
    SELECT n.unit_code, {ANNOUNCED}, n.eff, (SELECT min(s.valid_from) FROM unit_stage_spans s WHERE s.unit_code = n.unit_code), true
    FROM n WHERE n.all_announced
     AND NOT EXISTS (SELECT 1 FROM unit_stage_spans s WHERE s.unit_code = n.unit_code AND s.valid_from <= n.eff)
"""


def carry_over(cur) -> bool:
    """Whether predecessors' announcements count for the units formed from them (default: no)."""
    rows = cur.execute("SELECT value FROM settings WHERE key = ?", [CARRY_OVER_KEY]).fetchall()
    return bool(rows) and rows[0][0] == "true"


def _successors(cur, codes: list[str]) -> list[str]:
    """``codes`` and every unit formed from them, transitively (2020's merger chains into 2025's)."""
    rows = cur.execute(
        """WITH RECURSIVE s(code) AS (SELECT unnest($codes) UNION SELECT l.new_code FROM unit_links l JOIN s ON l.old_code = s.code)
           SELECT code FROM s""", {"codes": codes}).fetchall()
    return sorted({r[0] for r in rows})


def _inherit(cur, codes: list[str] | None) -> None:
    """Add the inherited spans of the successors among ``codes`` (all when None), one change
    date at a time in order, so that a chain inherits through its middle unit."""
    if not carry_over(cur):
        return
    for (eff,) in cur.execute("SELECT DISTINCT effective_date FROM admin_changes ORDER BY 1").fetchall():
        if codes is None:
            cur.execute(_INHERITED.format(only=""), {"eff": eff})
        else:
            cur.execute(_INHERITED.format(only="AND list_contains($codes, l.new_code)"), {"eff": eff, "codes": codes})


def refresh(cur, codes: Iterable[str]) -> None:
    """Rewrite the derived rows of the units ``codes`` from their events, inside the caller's
    transaction (a write touching a unit's events calls this before it commits).  With the
    carry-over setting on, the units formed from them are rewritten too."""
    codes = sorted(set(codes))
    if not codes:
        return
    if carry_over(cur):
        codes = _successors(cur, codes)
    if len(codes) == 1:
        # One unit (a page's write): equality lets DuckDB use the unit_code index.
        only, params = "AND unit_code = $code", {"code": codes[0]}
        delete = "unit_code = $code"
    else:
        only, params = "AND unit_code IN (SELECT unnest($codes))", {"codes": codes}
        delete = "unit_code IN (SELECT unnest($codes))"
    for table in TABLES:
        cur.execute(f"DELETE FROM {table} WHERE {delete}", params)  # noqa: S608 - fixed names
        cur.execute(f"INSERT INTO {table} {_SELECT[table].format(only=only)}", params)  # noqa: S608
    _inherit(cur, codes)


def rebuild(cur) -> dict[str, int]:
    """Recompute the derived rows of every unit from the events; return the row counts."""
    for table in TABLES:
        cur.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
        cur.execute(f"INSERT INTO {table} {_SELECT[table].format(only='')}")  # noqa: S608
    _inherit(cur, None)
    return {t: cur.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in TABLES}  # noqa: S608


def contents(cur) -> dict[str, list[tuple]]:
    """Every derived row, sorted (for the tests and the benchmark's checks)."""
    return {t: sorted(cur.execute(f"SELECT * FROM {t}").fetchall()) for t in TABLES}  # noqa: S608
