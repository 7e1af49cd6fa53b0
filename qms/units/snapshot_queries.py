"""Foundation tables of the snapshot: units, lifecycle events, status and coverage on the date.

``unit_status`` derives the stage with the coverage queries' own SQL
(:data:`qms.coverage.queries.STAGE_ON_SQL`), and the coverage tables are the rows of
:func:`qms.coverage.queries.by_level` / :func:`~qms.coverage.queries.by_district` themselves: the
snapshot and the overview page can never disagree.
"""

from __future__ import annotations

from qms.coverage.queries import STAGE_ON_SQL, by_district, by_level
from qms.exports.registry import Column as C
from qms.exports.registry import ExportTable, SnapshotSource
from qms.units.model import Level
from qms.units.rules import STAGE_ORDER
from qms.units.stage_sql import ANNOUNCED, APPLYING, NOT_STARTED
from qms.units.store import EXISTS_ON_SQL, NAME_ON_SQL, PARENT_ON_SQL

ORDER = 10

_STAGE_NAME = f"CASE coalesce(s.stage, {NOT_STARTED}) " + " ".join(f"WHEN {n} THEN '{st.value}'" for st, n in STAGE_ORDER.items()) + " END"

UNITS = ExportTable(
    name="units",
    meaning="Every unit that existed at some time up to the as-of date (units created later are left out), "
            "named as on that date.",
    label_vi="Đơn vị",
    columns=(
        C("code", "VARCHAR", "the unit's key, its identity in every table (the official code, or, for a unit formed on a code "
                             "that already named another unit, '<code>@<first day>', e.g. 03388@2025-07-01)", "Mã định danh đơn vị"),
        C("gso_code", "VARCHAR", "the official code it bears: GSO code (districts, communes) or the project's stable code "
                                 "(departments); several units may bear one code at different times", "Mã đơn vị (GSO)"),
        C("name", "VARCHAR", "name on the as-of date (NFC Vietnamese)", "Tên đơn vị"),
        C("level", "VARCHAR", "province, department, district or commune", "Cấp"),
        C("kind", "VARCHAR", "tinh, so, ban, van_phong, thanh_tra, chi_cuc, huyen, thanh_pho, thi_xa, xa, phuong, thi_tran, ...", "Loại"),
        C("parent_code", "VARCHAR", "key of the parent unit on the as-of date (the district of a commune until 30/06/2025, "
                                    "the province after); empty for the province; every period in unit_parents", "Mã đơn vị trực thuộc"),
        C("valid_from", "DATE", "first day the unit exists; empty: since before the records", "Hiệu lực từ"),
        C("valid_to", "DATE", "first day the unit no longer exists (merged, dissolved); empty: still exists", "Hết hiệu lực từ"),
        C("in_plan", "BOOLEAN", "the unit must (or, for a commune, plans to) run a QMS", "Phải/kế hoạch áp dụng"),
        C("exists_on_as_of", "BOOLEAN", "the unit exists on the as-of date (valid_from <= date < valid_to)", "Còn tồn tại vào ngày xuất"),
    ),
    order_by=("code",),
    requires=("units", "unit_names", "unit_parents"),
    sql=f"""
        SELECT u.code, coalesce(u.gso_code, u.code) AS gso_code, n.name, u.level, u.kind, p.parent_code, u.valid_from, u.valid_to,
               u.in_plan, ({EXISTS_ON_SQL}) AS exists_on_as_of
        FROM units u JOIN ({NAME_ON_SQL}) n ON n.code = u.code JOIN ({PARENT_ON_SQL}) p ON p.code = u.code
        WHERE u.valid_from IS NULL OR u.valid_from <= $as_of
    """,
)

LIFECYCLE_EVENTS = ExportTable(
    name="lifecycle_events",
    meaning="Every lifecycle event dated on or before the as-of date (the facts every status is derived from).",
    label_vi="Sự kiện HTQLCL",
    columns=(
        C("event_id", "BIGINT", "event number; orders events of one day in the order they were recorded", "Số hiệu sự kiện"),
        C("unit_code", "VARCHAR", "the unit (units.code)", "Mã đơn vị"),
        C("event_type", "VARCHAR", "build_started, applied, internal_audit, management_review, effectiveness_confirmed, "
                                   "announced, re_announced, standard_changed, withdrawn", "Loại sự kiện"),
        C("event_date", "DATE", "the day the event happened", "Ngày"),
        C("decision_no", "VARCHAR", "number of the announcement decision (announced, re_announced)", "Số quyết định"),
        C("standard", "VARCHAR", "TCVN ISO 9001 version: 2008 or 2015 (announcements, standard changes)", "Phiên bản tiêu chuẩn"),
        C("scope_note", "VARCHAR", "scope of the QMS or a note", "Phạm vi / ghi chú"),
        C("source", "VARCHAR", "how the event was recorded: manual, import, audit, demo", "Nguồn"),
        C("date_estimated", "BOOLEAN", "the date stands in for an unknown one", "Ngày ước tính"),
        C("recorded_by", "VARCHAR", "who recorded the event", "Người ghi"),
    ),
    order_by=("unit_code", "event_date", "event_id"),
    requires=("qms_events",),
    sql="""
        SELECT id AS event_id, unit_code, event_type, event_date, decision_no, standard, scope_note, source,
               date_estimated, recorded_by
        FROM qms_events WHERE event_date <= $as_of
    """,
)

UNIT_STATUS = ExportTable(
    name="unit_status",
    meaning="One row per department, district and commune existing on the as-of date: its QMS stage that day "
            "and its maintenance in the as-of year.",
    label_vi="Tình trạng HTQLCL của đơn vị",
    columns=(
        C("unit_code", "VARCHAR", "the unit (units.code)", "Mã đơn vị"),
        C("level", "VARCHAR", "department, district or commune", "Cấp"),
        C("in_plan", "BOOLEAN", "counted in coverage (must or plans to run a QMS)", "Phải/kế hoạch áp dụng"),
        C("stage", "VARCHAR", "not_started, building, applying or announced on the as-of date", "Giai đoạn"),
        C("stage_since", "DATE", "date of the latest stage-moving event; empty when never started", "Từ ngày"),
        C("first_announced_on", "DATE", "date of the first announcement", "Ngày công bố lần đầu"),
        C("last_announced_on", "DATE", "date of the latest announcement or re-announcement", "Ngày công bố gần nhất"),
        C("last_decision_no", "VARCHAR", "decision number of that announcement", "Số quyết định công bố gần nhất"),
        C("standard", "VARCHAR", "TCVN ISO 9001 version followed on the date (2008, 2015); empty when none", "Phiên bản tiêu chuẩn"),
        C("internal_audit_this_year", "BOOLEAN", "an internal audit was held from 1 January of the as-of year to the date",
          "Đã đánh giá nội bộ trong năm"),
        C("management_review_this_year", "BOOLEAN", "a management review was held from 1 January of the as-of year to the date",
          "Đã xem xét của lãnh đạo trong năm"),
        C("maintenance_due", "BOOLEAN", "announced on the date and first announced before 1 January of the as-of year "
                                        "(Decision 19 Art. 4.4b: yearly audit and review)", "Phải duy trì trong năm"),
        C("maintained_this_year", "BOOLEAN", "both an internal audit and a management review this year", "Đã duy trì trong năm"),
    ),
    order_by=("unit_code",),
    requires=("units", "qms_events"),
    sql=f"""
        WITH u AS (
            SELECT u.code, u.level, u.in_plan FROM units u
            WHERE u.level IN ('department', 'district', 'commune') AND {EXISTS_ON_SQL}
        ),
        s AS ({STAGE_ON_SQL}),
        ann AS (
            SELECT unit_code,
                   min(event_date) FILTER (WHERE event_type = 'announced') AS first_announced_on,
                   max(event_date) AS last_announced_on,
                   arg_max(decision_no, (event_date, id)) AS last_decision_no
            FROM qms_events WHERE event_date <= $as_of AND event_type IN ('announced', 're_announced')
            GROUP BY unit_code
        ),
        std AS (
            SELECT unit_code, nullif(arg_max(coalesce(standard, ''), (event_date, id)), '') AS standard
            FROM qms_events WHERE event_date <= $as_of
              AND event_type IN ('announced', 're_announced', 'standard_changed', 'withdrawn')
            GROUP BY unit_code
        ),
        m AS (
            SELECT unit_code, bool_or(event_type = 'internal_audit') AS audit, bool_or(event_type = 'management_review') AS review
            FROM qms_events WHERE event_date BETWEEN $year_start AND $as_of
              AND event_type IN ('internal_audit', 'management_review')
            GROUP BY unit_code
        )
        SELECT u.code AS unit_code, u.level, u.in_plan, {_STAGE_NAME} AS stage, s.since AS stage_since,
               a.first_announced_on, a.last_announced_on, a.last_decision_no,
               CASE WHEN coalesce(s.stage, {NOT_STARTED}) >= {APPLYING} THEN std.standard END AS standard,
               coalesce(m.audit, false) AS internal_audit_this_year,
               coalesce(m.review, false) AS management_review_this_year,
               coalesce(s.stage = {ANNOUNCED} AND a.first_announced_on < $year_start, false) AS maintenance_due,
               coalesce(m.audit AND m.review, false) AS maintained_this_year
        FROM u LEFT JOIN s ON s.unit_code = u.code LEFT JOIN ann a ON a.unit_code = u.code
        LEFT JOIN std ON std.unit_code = u.code LEFT JOIN m ON m.unit_code = u.code
    """,
)


def _coverage_level_rows(src: SnapshotSource) -> list[dict]:
    return [r.model_dump(mode="python") | {"level": r.level.value} for r in by_level(src.reader, src.as_of)]


COVERAGE_LEVEL = ExportTable(
    name="coverage_level",
    meaning="Coverage per level on the as-of date: the overview's figures (qms.coverage.queries.by_level).",
    label_vi="Tỷ lệ công bố theo cấp",
    columns=(
        C("level", "VARCHAR", "department, district or commune", "Cấp"),
        C("as_of", "DATE", "the as-of date", "Tính đến ngày"),
        C("in_plan", "INTEGER", "units of the level existing on the date that must or plan to run a QMS", "Phải/kế hoạch áp dụng"),
        C("announced", "INTEGER", "of those, announced on the date", "Đã công bố"),
        C("building", "INTEGER", "of those, building", "Đang xây dựng"),
        C("applying", "INTEGER", "of those, applying, not yet announced", "Đang áp dụng"),
        C("never_started", "INTEGER", "of those, not started (or withdrawn)", "Chưa triển khai"),
        C("not_maintained", "INTEGER", "announced before 1 January without both an internal audit and a management review "
                                       "since", "Chưa duy trì trong năm"),
        C("rate_pct", "DOUBLE", "announced / in_plan in percent, 2 decimals; empty when in_plan is 0", "Tỷ lệ (%)"),
        C("target_pct", "DOUBLE", "the province's target for the level and year; empty when none", "Chỉ tiêu (%)"),
        C("gap_pct", "DOUBLE", "target - rate in percentage points, 0 once reached; empty when either is unknown",
          "Còn thiếu (điểm %)"),
    ),
    order_by=("level",),
    requires=("units", "qms_events", "targets"),
    rows=_coverage_level_rows,
)


def _coverage_district_rows(src: SnapshotSource) -> list[dict]:
    rows = by_district(src.reader, src.as_of, Level.COMMUNE)
    return [r.model_dump(mode="python") | {"gap_rank": i} for i, r in enumerate(rows, start=1)]


COVERAGE_DISTRICT = ExportTable(
    name="coverage_district",
    meaning="Communes per district on the as-of date (qms.coverage.queries.by_district), every district existing that day.",
    label_vi="Cấp xã theo huyện",
    columns=(
        C("district_code", "VARCHAR", "the district (units.code)", "Mã huyện"),
        C("district_name", "VARCHAR", "its name on the date", "Tên huyện"),
        C("in_plan", "INTEGER", "communes of the district in the plan on the date", "Phải/kế hoạch áp dụng"),
        C("announced", "INTEGER", "of those, announced", "Đã công bố"),
        C("rate_pct", "DOUBLE", "announced / in_plan in percent; empty when in_plan is 0", "Tỷ lệ (%)"),
        C("target_pct", "DOUBLE", "the province's commune target for the year", "Chỉ tiêu (%)"),
        C("gap_pct", "DOUBLE", "target - rate in percentage points, 0 once reached", "Còn thiếu (điểm %)"),
        C("gap_rank", "INTEGER", "1 = largest gap (the overview's order)", "Thứ tự theo mức thiếu"),
    ),
    order_by=("district_code",),
    requires=("units", "qms_events", "targets"),
    rows=_coverage_district_rows,
)

TABLES = (UNITS, LIFECYCLE_EVENTS, UNIT_STATUS, COVERAGE_LEVEL, COVERAGE_DISTRICT)
