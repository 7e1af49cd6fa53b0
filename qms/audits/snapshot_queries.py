"""Audit tables of the snapshot: audits, their answers, their findings and the pinned checklists.

What is known on the as-of date is chosen by the business dates: an audit belongs to a snapshot
when its ``audit_date`` is on or before the date, its answers with it, a finding when its
``found_on`` (the audit date) is.  The values are the record as it stands when the snapshot is
written: a reopened and resubmitted audit carries its corrected score, and a finding withdrawn by
such a correction is flagged ``retracted`` (a correction, not a later event, so it is not dated
against the as-of date).  Load-time columns (``created_at``, ``pinned_at``) are left out: they
would make two databases holding the same records write different files.

The active-finding counts of ``audits`` use the audit list's own rule (retracted findings do not
count, :func:`qms.audits.findings_store.list_audits`).
"""

from __future__ import annotations

from qms.exports.registry import Column as C
from qms.exports.registry import ExportTable

ORDER = 30

_AUDITS_ON = "SELECT * FROM audits WHERE audit_date <= $as_of"

AUDITS = ExportTable(
    name="audits",
    meaning="One row per audit or inspection dated on or before the as-of date (drafts included), as recorded when "
            "the snapshot is written (a resubmitted audit carries its corrected score).",
    label_vi="Cuộc đánh giá, kiểm tra",
    columns=(
        C("audit_id", "BIGINT", "the audit's number (stable)", "Số phiếu đánh giá"),
        C("unit_code", "VARCHAR", "the unit audited (units.code)", "Mã đơn vị"),
        C("kind", "VARCHAR", "internal_audit, inspection_records, inspection_site or self_assessment", "Loại đánh giá"),
        C("template_id", "VARCHAR", "id of the checklist template pinned by the audit (see checklist_templates.parquet)",
          "Mã danh mục câu hỏi"),
        C("template_version", "INTEGER", "its version", "Phiên bản danh mục"),
        C("template_hash", "VARCHAR", "SHA-256 of the template file answered (checklist_templates.parquet: template_hash)",
          "Mã băm danh mục (SHA-256)"),
        C("standard", "VARCHAR", "TCVN ISO 9001 clause numbering of the answers: 2008 or 2015", "Phiên bản tiêu chuẩn"),
        C("auditor", "VARCHAR", "who audited (as written on the audit)", "Người đánh giá"),
        C("audit_date", "DATE", "the day of the audit", "Ngày đánh giá"),
        C("status", "VARCHAR", "draft, submitted or closed", "Trạng thái"),
        C("score_pct", "DOUBLE", "weighted share of conforming items in percent, set on submit; empty for a draft",
          "Điểm (%)"),
        C("item_count", "INTEGER", "items in the pinned template", "Số câu hỏi"),
        C("answered", "INTEGER", "items with a result", "Số câu đã trả lời"),
        C("major", "INTEGER", "active (not retracted) major nonconformities found", "Số điểm không phù hợp nặng"),
        C("minor", "INTEGER", "active minor nonconformities found", "Số điểm không phù hợp nhẹ"),
        C("observation", "INTEGER", "active observations", "Số khuyến nghị"),
        C("event_id", "BIGINT", "the internal_audit lifecycle event this audit counts as (lifecycle_events.event_id); "
                                "empty for other kinds and drafts", "Số hiệu sự kiện HTQLCL"),
        C("submitted_at", "TIMESTAMP", "when it was (last) submitted, UTC", "Thời điểm gửi"),
        C("submitted_by", "VARCHAR", "who submitted it", "Người gửi"),
        C("closed_at", "TIMESTAMP", "when its file was closed, UTC; empty when open", "Thời điểm đóng hồ sơ"),
        C("closed_by", "VARCHAR", "who closed it", "Người đóng hồ sơ"),
    ),
    order_by=("audit_id",),
    requires=("audits", "findings"),
    sql=f"""
        SELECT a.id AS audit_id, a.unit_code, a.kind, a.template_id, a.template_version, a.template_hash, a.standard,
               a.auditor, a.audit_date, a.status, a.score_pct, a.item_count, a.answered,
               coalesce(c.major, 0) AS major, coalesce(c.minor, 0) AS minor, coalesce(c.observation, 0) AS observation,
               a.event_id, a.submitted_at, a.submitted_by, a.closed_at, a.closed_by
        FROM ({_AUDITS_ON}) a
        LEFT JOIN (
            SELECT audit_id, count(*) FILTER (WHERE grade = 'major') AS major, count(*) FILTER (WHERE grade = 'minor') AS minor,
                   count(*) FILTER (WHERE grade = 'observation') AS observation
            FROM findings WHERE retracted_at IS NULL GROUP BY audit_id
        ) c ON c.audit_id = a.id
    """,
)

AUDIT_ANSWERS = ExportTable(
    name="audit_answers",
    meaning="Every saved answer of the audits in the snapshot (audit_date on or before the as-of date), with the "
            "section, clause and weight of its item in the pinned template.",
    label_vi="Câu trả lời đánh giá",
    columns=(
        C("audit_id", "BIGINT", "the audit (audits.audit_id)", "Số phiếu đánh giá"),
        C("item_ref", "VARCHAR", "the item's reference in the template (e.g. c8-03)", "Mã câu hỏi"),
        C("unit_code", "VARCHAR", "the unit audited (units.code)", "Mã đơn vị"),
        C("section_ref", "VARCHAR", "the item's section in the template", "Mã phần"),
        C("standard", "VARCHAR", "numbering of clause: 2008 or 2015; empty when the item cites no clause",
          "Phiên bản tiêu chuẩn"),
        C("clause", "VARCHAR", "the TCVN ISO 9001 clause the item checks (e.g. 8.2.2); empty when none", "Điều khoản"),
        C("weight", "DOUBLE", "the item's weight in the score", "Trọng số"),
        C("result", "VARCHAR", "conform, minor, major, observation or not_applicable; empty: not answered yet (a note "
                               "saved alone)", "Kết quả"),
        C("note", "VARCHAR", "the auditor's note", "Ghi chú"),
        C("evidence", "VARCHAR", "the evidence seen (document, record)", "Bằng chứng"),
        C("answered_by", "VARCHAR", "who saved the answer last", "Người trả lời"),
    ),
    order_by=("audit_id", "item_ref"),
    requires=("audits", "audit_answers"),
    # 6 M rows at national scale: read in audit-id ranges (the table is stored roughly in
    # audit order, so each range reads only its own row groups).
    chunk=("audit_id", "SELECT id // 1000 * 1000, sum(item_count) FROM audits GROUP BY ALL"),
    sql=f"""
        SELECT x.audit_id, x.item_ref, x.unit_code, x.section_ref, x.standard, x.clause, x.weight, x.result, x.note,
               x.evidence, x.answered_by
        FROM audit_answers x JOIN ({_AUDITS_ON}) a ON a.id = x.audit_id
    """,
)

FINDINGS = ExportTable(
    name="findings",
    meaning="Every finding filed by a submitted audit and found on or before the as-of date (found_on = the audit "
            "date); retracted ones are kept and flagged.",
    label_vi="Phát hiện đánh giá",
    columns=(
        C("finding_id", "BIGINT", "the finding's number (stable: improvement actions reference it)", "Số hiệu phát hiện"),
        C("audit_id", "BIGINT", "the audit that found it (audits.audit_id)", "Số phiếu đánh giá"),
        C("audit_kind", "VARCHAR", "the audit's kind", "Loại đánh giá"),
        C("unit_code", "VARCHAR", "the unit (units.code)", "Mã đơn vị"),
        C("item_ref", "VARCHAR", "the checklist item (audit_answers.item_ref)", "Mã câu hỏi"),
        C("section_ref", "VARCHAR", "the item's section", "Mã phần"),
        C("standard", "VARCHAR", "numbering of clause: 2008 or 2015; empty when the item cites no clause",
          "Phiên bản tiêu chuẩn"),
        C("clause", "VARCHAR", "the TCVN ISO 9001 clause cited; empty when none", "Điều khoản"),
        C("grade", "VARCHAR", "major, minor (nonconformities) or observation", "Mức độ"),
        C("note", "VARCHAR", "what was found", "Nội dung phát hiện"),
        C("evidence", "VARCHAR", "the evidence", "Bằng chứng"),
        C("found_on", "DATE", "the audit date", "Ngày phát hiện"),
        C("retracted", "BOOLEAN", "true: withdrawn when the reopened audit was resubmitted without it (not counted)",
          "Đã rút lại"),
    ),
    order_by=("finding_id",),
    requires=("findings",),
    sql="""
        SELECT id AS finding_id, audit_id, audit_kind, unit_code, item_ref, section_ref, standard, clause, grade, note,
               evidence, found_on, retracted_at IS NOT NULL AS retracted
        FROM findings WHERE found_on <= $as_of
    """,
)

CHECKLIST_TEMPLATES = ExportTable(
    name="checklist_templates",
    meaning="The checklist templates pinned by the audits in the snapshot (audit_date on or before the as-of date), "
            "one row per template file answered, even when the file has since changed or gone.",
    label_vi="Danh mục câu hỏi đã dùng",
    columns=(
        C("template_hash", "VARCHAR", "SHA-256 of the template file (audits.template_hash)", "Mã băm danh mục (SHA-256)"),
        C("template_id", "VARCHAR", "the template's stable id", "Mã danh mục câu hỏi"),
        C("template_version", "INTEGER", "its version", "Phiên bản danh mục"),
        C("standard", "VARCHAR", "iso9001_2008, iso9001_2015 or legal (a legal-compliance checklist)", "Tiêu chuẩn"),
        C("title_vi", "VARCHAR", "the template's title in Vietnamese", "Tên danh mục"),
        C("item_count", "INTEGER", "items in the template", "Số câu hỏi"),
        C("audits", "INTEGER", "audits in the snapshot that answered it", "Số cuộc đánh giá đã dùng"),
    ),
    order_by=("template_hash",),
    requires=("audits", "checklist_snapshots"),
    sql=f"""
        SELECT s.hash AS template_hash, s.template_id, s.version AS template_version, s.standard,
               json_extract_string(s.content, '$.title.vi') AS title_vi, a.item_count, a.audits
        FROM checklist_snapshots s
        JOIN (SELECT template_hash, max(item_count) AS item_count, count(*) AS audits
              FROM ({_AUDITS_ON}) GROUP BY template_hash) a ON a.template_hash = s.hash
    """,
)

TABLES = (AUDITS, AUDIT_ANSWERS, FINDINGS, CHECKLIST_TEMPLATES)
