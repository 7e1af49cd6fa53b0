"""Administrative-change tables of the snapshot: each unit's parent per period, the acts
imported, and which old unit went into which new one (schema 3)."""

from __future__ import annotations

from qms.exports.registry import Column as C
from qms.exports.registry import ExportTable

ORDER = 90

UNIT_PARENTS = ExportTable(
    name="unit_parents",
    meaning="Each unit's parent per period up to the as-of date: the parent it had from its first day, then every "
            "change (a commune whose district ended on 01/07/2025 moves under the province).",
    label_vi="Đơn vị trực thuộc theo thời kỳ",
    columns=(
        C("unit_code", "VARCHAR", "the unit (units.code)", "Mã định danh đơn vị"),
        C("parent_code", "VARCHAR", "its parent in the period (units.code); empty for the province", "Mã đơn vị trực thuộc"),
        C("valid_from", "DATE", "first day of the period; empty: since before the records", "Từ ngày"),
        C("valid_to", "DATE", "first day after the period (the next parent's, or the unit's end); empty: still in force",
          "Đến trước ngày"),
    ),
    order_by=("unit_code", "valid_from"),
    requires=("units", "unit_parents"),
    sql="""
        WITH p AS (
            SELECT code, parent_code, valid_from FROM units WHERE valid_from IS NULL OR valid_from <= $as_of
            UNION ALL
            SELECT code, parent_code, valid_from FROM unit_parents WHERE valid_from <= $as_of
        )
        SELECT p.code AS unit_code, p.parent_code, p.valid_from,
               coalesce(lead(p.valid_from) OVER (PARTITION BY p.code ORDER BY p.valid_from NULLS FIRST), u.valid_to) AS valid_to
        FROM p JOIN units u ON u.code = p.code
    """,
)

ADMIN_CHANGES = ExportTable(
    name="admin_changes",
    meaning="Every administrative change (legal act) in force on or before the as-of date.",
    label_vi="Thay đổi đơn vị hành chính",
    columns=(
        C("change_id", "BIGINT", "the change's number (unit_links.change_id)", "Số hiệu thay đổi"),
        C("act", "VARCHAR", "the legal act, e.g. NQ 1670/NQ-UBTVQH15 (16/06/2025)", "Văn bản"),
        C("effective_date", "DATE", "first day of the new units; the old ones end the day before", "Ngày hiệu lực"),
        C("source", "VARCHAR", "the file it was imported from", "Tệp nguồn"),
        C("units_ended", "INTEGER", "units that ended with it (with or without a successor)", "Số đơn vị chấm dứt"),
        C("units_started", "INTEGER", "units it formed", "Số đơn vị mới"),
    ),
    order_by=("change_id",),
    requires=("admin_changes",),
    sql="""
        SELECT id AS change_id, act, effective_date, source, ended_units AS units_ended, started_units AS units_started
        FROM admin_changes WHERE effective_date <= $as_of
    """,
)

UNIT_LINKS = ExportTable(
    name="unit_links",
    meaning="Which old unit went, wholly or in part, into which new unit, by each change in force on or before the "
            "as-of date. A unit that continued (the same unit under a new parent or name) has no link.",
    label_vi="Liên kết đơn vị cũ - mới",
    columns=(
        C("change_id", "BIGINT", "the change (admin_changes.change_id)", "Số hiệu thay đổi"),
        C("old_code", "VARCHAR", "the predecessor (units.code)", "Đơn vị cũ"),
        C("new_code", "VARCHAR", "the successor (units.code)", "Đơn vị mới"),
        C("share", "VARCHAR", "full (the whole old unit) or partial (a split)", "Toàn bộ / một phần"),
        C("weight", "DOUBLE", "the part of the old unit that went there (1 for full; 1/n or the file's share for a split)",
          "Tỷ lệ"),
    ),
    order_by=("change_id", "old_code", "new_code"),
    requires=("unit_links", "admin_changes"),
    sql="""
        SELECT l.change_id, l.old_code, l.new_code, l.share, l.weight
        FROM unit_links l JOIN admin_changes c ON c.id = l.change_id WHERE c.effective_date <= $as_of
    """,
)

TABLES = (UNIT_PARENTS, ADMIN_CHANGES, UNIT_LINKS)
