"""Evidence files of the audits in the snapshot (issue 17): one row per item and file, with the
SHA-256 that names the file in the ``evidence/`` folder beside the database.

The files themselves are not in the snapshot (photos are large and may show people); the hash
lets the index tool, or an inspector holding a copy, prove a file is the one attached.  Load-time
columns (``added_at``) are left out, as in the other audit tables.
"""

from __future__ import annotations

from qms.exports.registry import Column as C
from qms.exports.registry import ExportTable

ORDER = 31

AUDIT_EVIDENCE = ExportTable(
    name="audit_evidence",
    meaning="Every evidence file (photo or PDF) attached to an item of an audit in the snapshot (audit_date on or before "
            "the as-of date), one row per item and file.",
    label_vi="Tệp bằng chứng đánh giá",
    columns=(
        C("audit_id", "BIGINT", "the audit (audits.audit_id)", "Số phiếu đánh giá"),
        C("item_ref", "VARCHAR", "the checklist item (audit_answers.item_ref)", "Mã câu hỏi"),
        C("unit_code", "VARCHAR", "the unit audited (units.code)", "Mã đơn vị"),
        C("sha256", "VARCHAR", "SHA-256 of the original file as received (its name in the evidence folder)",
          "Mã băm tệp gốc (SHA-256)"),
        C("file_name", "VARCHAR", "the file's name as attached", "Tên tệp"),
        C("media_type", "VARCHAR", "image/jpeg, image/png, image/heic or application/pdf", "Loại tệp"),
        C("size_bytes", "BIGINT", "the original's size in bytes", "Dung lượng (byte)"),
        C("display_sha256", "VARCHAR", "SHA-256 of the downscaled copy shown (location stripped unless the province keeps "
                                       "it); empty for a PDF", "Mã băm bản hiển thị"),
        C("added_by", "VARCHAR", "who attached it", "Người đính kèm"),
    ),
    order_by=("audit_id", "item_ref", "sha256"),
    requires=("audits", "audit_evidence"),
    sql="""
        SELECT e.audit_id, e.item_ref, a.unit_code, e.sha256, e.file_name, e.media_type, e.size_bytes, e.display_sha256,
               e.added_by
        FROM audit_evidence e JOIN audits a ON a.id = e.audit_id WHERE a.audit_date <= $as_of
    """,
)

TABLES = (AUDIT_EVIDENCE,)
