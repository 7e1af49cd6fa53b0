"""Inspection-year tables of the snapshot (schema 4): the yearly plans, their items with the
status on the as-of date, the minutes with their results per checklist section, and the
requests with their corrective reports."""

from __future__ import annotations

from qms.exports.registry import Column as C
from qms.exports.registry import ExportTable

ORDER = 100

INSPECTION_PLANS = ExportTable(
    name="inspection_plans",
    meaning="Every yearly inspection plan (Circular 26 Mẫu 19 KHKT) with its state on the as-of date: approved once its "
            "decision is dated on or before the date; its version is the latest approval or amendment by then.",
    label_vi="Kế hoạch kiểm tra hằng năm",
    columns=(
        C("year", "INTEGER", "the plan's year", "Năm kế hoạch"),
        C("status", "VARCHAR", "draft or approved on the as-of date", "Trạng thái"),
        C("version", "INTEGER", "0 while a draft, 1 when approved, +1 per amendment dated by the as-of date", "Phiên bản"),
        C("decision_no", "VARCHAR", "the approving decision, when approved by the date", "Số quyết định phê duyệt"),
        C("approved_on", "DATE", "the approval date, when on or before the as-of date", "Ngày phê duyệt"),
        C("amendments", "INTEGER", "amendments dated on or before the as-of date", "Số lần điều chỉnh"),
    ),
    order_by=("year",),
    requires=("inspection_plans", "inspection_plan_versions"),
    sql="""
        WITH v AS (SELECT plan_id, max(version) AS version, count(*) FILTER (WHERE kind = 'amendment') AS amendments
                   FROM inspection_plan_versions WHERE decided_on <= $as_of GROUP BY plan_id)
        SELECT p.year, CASE WHEN p.approved_on <= $as_of THEN 'approved' ELSE 'draft' END AS status,
               coalesce(v.version, 0) AS version, CASE WHEN p.approved_on <= $as_of THEN p.decision_no END AS decision_no,
               CASE WHEN p.approved_on <= $as_of THEN p.approved_on END AS approved_on, coalesce(v.amendments, 0) AS amendments
        FROM inspection_plans p LEFT JOIN v ON v.plan_id = p.id
    """,
)

INSPECTION_PLAN_ITEMS = ExportTable(
    name="inspection_plan_items",
    meaning="Every planned inspection with its status on the as-of date (qms.inspections.rules.item_status: cancelled; "
            "done once its checklist is submitted; overdue after its month; in progress once started; else planned).",
    label_vi="Các cuộc kiểm tra theo kế hoạch",
    columns=(
        C("item_id", "BIGINT", "the planned inspection's number", "Số hiệu cuộc kiểm tra"),
        C("year", "INTEGER", "the plan's year (inspection_plans.year)", "Năm kế hoạch"),
        C("unit_code", "VARCHAR", "the unit inspected (units.code)", "Mã đơn vị"),
        C("mode", "VARCHAR", "records or on_site", "Hình thức kiểm tra"),
        C("month", "INTEGER", "the month planned (1-12)", "Tháng dự kiến"),
        C("team", "VARCHAR", "the team's account names, the leader first, comma-separated", "Đoàn kiểm tra"),
        C("risk_score", "INTEGER", "the risk points when proposed (qms.inspections.ranking)", "Điểm rủi ro"),
        C("reasons", "VARCHAR", "the reasons when proposed, as JSON [[reason, figure], ...]", "Lý do ưu tiên"),
        C("cancelled", "BOOLEAN", "cancelled by an amendment", "Đã hủy"),
        C("audit_id", "BIGINT", "the checklist started for it (audits.audit_id), when started by the date", "Số phiếu kiểm tra"),
        C("status", "VARCHAR", "planned, in_progress, done, overdue or cancelled on the as-of date", "Tình trạng"),
    ),
    order_by=("item_id",),
    requires=("inspection_plan_items", "inspection_team_members"),
    sql="""
        WITH t AS (SELECT item_id, string_agg(username, ',' ORDER BY position) AS team FROM inspection_team_members
                   GROUP BY item_id)
        SELECT i.id AS item_id, p.year, i.unit_code, i.mode, i.month, t.team, i.risk_score, i.reasons::VARCHAR AS reasons,
               i.cancelled_in IS NOT NULL AS cancelled, CASE WHEN a.audit_date <= $as_of THEN i.audit_id END AS audit_id,
               CASE WHEN i.cancelled_in IS NOT NULL THEN 'cancelled'
                    -- done as qms.inspections.rules.item_status says: submitted (or closed), not reopened since
                    WHEN a.status IN ('submitted', 'closed') AND a.submitted_at::DATE <= $as_of THEN 'done'
                    WHEN $as_of > last_day(make_date(p.year, i.month, 1)) THEN 'overdue'
                    WHEN a.audit_date <= $as_of THEN 'in_progress' ELSE 'planned' END AS status
        FROM inspection_plan_items i JOIN inspection_plans p ON p.id = i.plan_id LEFT JOIN t ON t.item_id = i.id
        LEFT JOIN audits a ON a.id = i.audit_id
    """,
)

INSPECTION_MINUTES = ExportTable(
    name="inspection_minutes",
    meaning="The minutes (Circular 26 Mẫu 21 BBKT) signed on or before the as-of date, one row per checklist section "
            "with its results.",
    label_vi="Biên bản kiểm tra (kết quả theo phần)",
    columns=(
        C("minutes_id", "BIGINT", "the minutes' number", "Số hiệu biên bản"),
        C("section_ref", "VARCHAR", "the checklist section", "Phần"),
        C("item_id", "BIGINT", "the planned inspection (inspection_plan_items.item_id)", "Số hiệu cuộc kiểm tra"),
        C("audit_id", "BIGINT", "the submitted checklist (audits.audit_id)", "Số phiếu kiểm tra"),
        C("unit_code", "VARCHAR", "the unit inspected (units.code)", "Mã đơn vị"),
        C("signed_on", "DATE", "the day the minutes were signed", "Ngày ký"),
        C("section_title", "VARCHAR", "the section's Vietnamese title", "Tên phần"),
        C("assessed", "INTEGER", "items assessed (not 'not applicable')", "Số mục đánh giá"),
        C("conform", "INTEGER", "items conforming (observations included)", "Số mục phù hợp"),
        C("nonconform", "INTEGER", "items with a minor or major nonconformity", "Số mục không phù hợp"),
    ),
    order_by=("minutes_id", "section_ref"),
    requires=("inspection_minutes", "inspection_minutes_sections"),
    sql="""
        SELECT m.id AS minutes_id, s.section_ref, m.item_id, m.audit_id, m.unit_code, m.signed_on, s.title AS section_title,
               s.assessed, s.conform, s.nonconform
        FROM inspection_minutes m JOIN inspection_minutes_sections s ON s.minutes_id = m.id WHERE m.signed_on <= $as_of
    """,
)

INSPECTION_REQUESTS = ExportTable(
    name="inspection_requests",
    meaning="The requests of the minutes signed on or before the as-of date, each due two months after signing "
            "(Circular 26 Art. 37), with the unit's corrective report when made by the date.",
    label_vi="Yêu cầu khắc phục sau kiểm tra",
    columns=(
        C("request_id", "BIGINT", "the request's number", "Số hiệu yêu cầu"),
        C("minutes_id", "BIGINT", "its minutes (inspection_minutes.minutes_id)", "Số hiệu biên bản"),
        C("number", "INTEGER", "its number in the minutes", "Số thứ tự"),
        C("unit_code", "VARCHAR", "the unit that must correct (units.code)", "Mã đơn vị"),
        C("finding_id", "BIGINT", "the finding it follows (findings.finding_id), when it does", "Số hiệu phát hiện"),
        C("text", "VARCHAR", "the issue to correct (vấn đề tồn tại)", "Vấn đề tồn tại"),
        C("due_on", "DATE", "the corrective report's due date", "Hạn báo cáo khắc phục"),
        C("reported_on", "DATE", "the corrective report's date, when on or before the as-of date", "Ngày báo cáo"),
        C("overdue", "BOOLEAN", "no report by the as-of date and due before it", "Quá hạn"),
    ),
    order_by=("request_id",),
    requires=("inspection_requests", "inspection_minutes"),
    sql="""
        SELECT r.id AS request_id, r.minutes_id, r.number, r.unit_code, r.finding_id, r.text, r.due_on,
               CASE WHEN r.reported_on <= $as_of THEN r.reported_on END AS reported_on,
               coalesce(r.reported_on > $as_of, true) AND r.due_on < $as_of AS overdue
        FROM inspection_requests r JOIN inspection_minutes m ON m.id = r.minutes_id WHERE m.signed_on <= $as_of
    """,
)

TABLES = (INSPECTION_PLANS, INSPECTION_PLAN_ITEMS, INSPECTION_MINUTES, INSPECTION_REQUESTS)
