"""Improvement actions in the snapshot, each as it stood on the as-of date.

An action's status and due date on a date are replayed from its dated history
(``action_events``) with the actions page's own SQL (:data:`qms.actions.queries.STATUS_ON_SQL`,
the last step dated on or before the day) and the overdue rule of :func:`qms.actions.rules.is_overdue`
(still open or in progress, due *before* the day), so the snapshot says what the actions list
says for that date: an action opened after the date is left out; one done in January is still
"in progress" in a snapshot as of 31 December.  Step dates count only when on or before the
as-of date.  Descriptive text (description, owner) is the record as it stands when the snapshot
is written; load-time columns are left out.  Set-based: at national scale there are some
300,000 actions.
"""

from __future__ import annotations

from qms.actions.queries import STATUS_ON_SQL
from qms.actions.rules import WORKING
from qms.exports.registry import Column as C
from qms.exports.registry import ExportTable

ORDER = 50

_WORKING = ", ".join(f"'{s.value}'" for s in sorted(WORKING))

ACTIONS = ExportTable(
    name="actions",
    meaning="Every improvement action opened on or before the as-of date, with its status, due date and overdue flag "
            "on that date replayed from its dated history (the actions list's qms.actions.queries.STATUS_ON_SQL and "
            "qms.actions.rules.is_overdue).",
    label_vi="Hành động khắc phục, cải tiến",
    columns=(
        C("action_id", "BIGINT", "the action's number", "Số hiệu hành động"),
        C("unit_code", "VARCHAR", "the unit it concerns (units.code)", "Mã đơn vị"),
        C("finding_id", "BIGINT", "the finding it answers (findings.finding_id); empty for an action opened by hand",
          "Số hiệu phát hiện"),
        C("audit_id", "BIGINT", "the audit or inspection it follows (audits.audit_id), when known", "Số phiếu đánh giá"),
        C("item_ref", "VARCHAR", "the checklist item of the finding", "Mã câu hỏi"),
        C("standard", "VARCHAR", "numbering of clause: 2008 or 2015", "Phiên bản tiêu chuẩn"),
        C("clause", "VARCHAR", "the TCVN ISO 9001 clause concerned", "Điều khoản"),
        C("source", "VARCHAR", "internal_audit, inspection, complaint, management_review or self_detected", "Nguồn"),
        C("type", "VARCHAR", "correction, corrective, preventive or improvement", "Loại hành động"),
        C("description", "VARCHAR", "what is to be done (as recorded now)", "Nội dung"),
        C("owner_unit_code", "VARCHAR", "the unit responsible (units.code)", "Mã đơn vị chịu trách nhiệm"),
        C("owner_name", "VARCHAR", "the person responsible (as recorded now); empty until named", "Người chịu trách nhiệm"),
        C("opened_on", "DATE", "the finding's date, the minutes' date or the day the issue was raised", "Ngày mở"),
        C("status", "VARCHAR", "on the as-of date: open, in_progress, done, verified, recurred or cancelled", "Trạng thái"),
        C("due_date", "DATE", "the due date in force on the as-of date", "Hạn xử lý"),
        C("overdue", "BOOLEAN", "open or in progress on the date and due before it (the due date itself is not overdue)",
          "Quá hạn"),
        C("days_overdue", "INTEGER", "days from the due date to the as-of date when overdue; 0 otherwise", "Số ngày quá hạn"),
        C("done_on", "DATE", "latest day it was marked done, on or before the date", "Ngày thực hiện xong"),
        C("verified_on", "DATE", "day it was verified effective, on or before the date", "Ngày xác minh hiệu quả"),
        C("not_effective", "INTEGER", "times it was verified not effective (and reopened) by the date",
          "Số lần xác minh không hiệu quả"),
        C("cancelled_on", "DATE", "day it was cancelled, on or before the date", "Ngày hủy"),
        C("recurred", "BOOLEAN", "the same clause was found nonconforming again at the unit by the date",
          "Tái diễn"),
        C("recurred_on", "DATE", "day it was marked recurred", "Ngày tái diễn"),
        C("recurred_by_finding_id", "BIGINT", "the later finding that repeated it (findings.finding_id)",
          "Phát hiện lặp lại"),
    ),
    order_by=("action_id",),
    requires=("actions", "action_events"),
    sql=f"""
        WITH s AS ({STATUS_ON_SQL}),
        st AS (
            SELECT action_id, max(on_date) FILTER (WHERE step = 'done') AS done_on,
                   count(*) FILTER (WHERE step = 'verify_not_effective') AS not_effective,
                   max(on_date) FILTER (WHERE step = 'cancel') AS cancelled_on,
                   max(on_date) FILTER (WHERE step = 'recur') AS recurred_on
            FROM action_events WHERE on_date <= $as_of GROUP BY action_id
        ),
        r AS (
            SELECT a.*, s.status_on, s.due_on, s.verified_on, coalesce(s.recurred, false) AS recurred_then,
                   coalesce(s.status_on IN ({_WORKING}) AND s.due_on < $as_of, false) AS overdue_then
            FROM actions a JOIN s ON s.action_id = a.id
        )
        SELECT r.id AS action_id, r.unit_code, r.finding_id, r.audit_id, r.item_ref, r.standard, r.clause, r.source, r.type,
               r.description, r.owner_unit_code, r.owner_name, r.opened_on, r.status_on AS status, r.due_on AS due_date,
               r.overdue_then AS overdue, CASE WHEN r.overdue_then THEN $as_of - r.due_on ELSE 0 END AS days_overdue,
               st.done_on, r.verified_on, st.not_effective, st.cancelled_on, r.recurred_then AS recurred, st.recurred_on,
               CASE WHEN r.recurred_then THEN r.recurred_by_finding_id END AS recurred_by_finding_id
        FROM r JOIN st ON st.action_id = r.id
    """,
)

TABLES = (ACTIONS,)
