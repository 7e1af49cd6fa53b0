"""Scope tables of the snapshot: processes in force, their TTHC, the catalogue, scope per unit,
legal changes and the 3-month-rule obligations.

Every table is taken on the as-of date with the scope feature's own SQL fragments
(:mod:`qms.scope.sql`: ``IN_FORCE``, ``CATALOGUE_ON``, ``OBLIGATIONS``) or its
store functions (:func:`qms.scope.queries.scope_unit_facts`, :data:`~qms.scope.queries.UPDATES_ON_SQL`,
:func:`~qms.scope.queries.list_legal_changes`), so the snapshot and the Quy trình page and overview
can never disagree on a figure (``tests/exports`` checks ``scope_unit`` and ``scope_updates``
against :func:`~qms.scope.queries.scope_by_unit` and :func:`~qms.scope.queries.update_obligations`).
The two per-unit tables are computed set-based in SQL, not one Python object per obligation:
at national scale that took 13 s of the snapshot.
Load-time columns (``recorded_at``) are left out: the same records give the same files.
"""

from __future__ import annotations

from qms.exports.registry import Column as C
from qms.exports.registry import ExportTable, SnapshotSource
from qms.scope import rules
from qms.scope.queries import UPDATES_ON_SQL, list_legal_changes, scope_unit_facts
from qms.scope.sql import CATALOGUE_ON, IN_FORCE

ORDER = 40

_SCOPE_TABLES = ("units", "unit_names", "qms_events", "tthc", "unit_tthc", "process_versions", "process_tthc", "legal_changes",
                 "legal_change_items")

PROCESSES = ExportTable(
    name="processes",
    meaning="The version of each ISO process in force on the as-of date: its latest issue or withdrawal dated on or "
            "before it (a later draft leaves it in force); withdrawn processes are listed with status withdrawn.",
    label_vi="Quy trình ISO",
    columns=(
        C("version_id", "BIGINT", "the version's number (process_tthc.version_id)", "Số hiệu phiên bản"),
        C("unit_code", "VARCHAR", "the unit owning the process (units.code)", "Mã đơn vị"),
        C("code", "VARCHAR", "the process code within the unit (e.g. QT-HT-01)", "Mã quy trình"),
        C("title", "VARCHAR", "the process title of that version", "Tên quy trình"),
        C("version_no", "INTEGER", "the version's number within the process (1, 2, ...)", "Số phiên bản"),
        C("status", "VARCHAR", "issued (in force) or withdrawn on the as-of date", "Trạng thái"),
        C("issue_no", "VARCHAR", "lần ban hành, as written on the document", "Lần ban hành"),
        C("issued_on", "DATE", "date of the issue this version carries", "Ngày ban hành"),
        C("status_on", "DATE", "the day this version took effect (issue or withdrawal)", "Ngày hiệu lực của trạng thái"),
        C("legal_basis", "VARCHAR", "căn cứ pháp lý of the version", "Căn cứ pháp lý"),
        C("tthc_count", "INTEGER", "TTHC the version covers (rows of process_tthc)", "Số TTHC"),
    ),
    order_by=("unit_code", "code"),
    requires=("process_versions", "process_tthc"),
    sql=f"""
        SELECT v.id AS version_id, v.unit_code, v.code, v.title, v.version_no, f.status, v.issue_no, v.issued_on,
               v.status_on, v.legal_basis, (SELECT count(*) FROM process_tthc l WHERE l.version_id = v.id) AS tthc_count
        FROM ({IN_FORCE}) f JOIN process_versions v ON v.id = f.version_id
    """,
)

PROCESS_TTHC = ExportTable(
    name="process_tthc",
    meaning="The TTHC covered by each process version of the processes table (the version in force on the as-of date).",
    label_vi="TTHC theo quy trình",
    columns=(
        C("version_id", "BIGINT", "the process version (processes.version_id)", "Số hiệu phiên bản"),
        C("unit_code", "VARCHAR", "the unit (units.code)", "Mã đơn vị"),
        C("process_code", "VARCHAR", "the process (processes.code)", "Mã quy trình"),
        C("tthc_code", "VARCHAR", "the TTHC code (national database code or the province's)", "Mã TTHC"),
        C("process_status", "VARCHAR", "issued or withdrawn on the as-of date (only issued versions cover)",
          "Trạng thái quy trình"),
        C("in_catalogue", "BOOLEAN", "the TTHC is in the unit's catalogue on the as-of date", "Thuộc danh mục của đơn vị"),
    ),
    order_by=("version_id", "tthc_code"),
    requires=("process_versions", "process_tthc", "unit_tthc"),
    sql=f"""
        SELECT l.version_id, l.unit_code, l.process_code, l.tthc_code, f.status AS process_status,
               c.tthc_code IS NOT NULL AS in_catalogue
        FROM process_tthc l JOIN ({IN_FORCE}) f ON f.version_id = l.version_id
        LEFT JOIN ({CATALOGUE_ON}) c ON c.unit_code = l.unit_code AND c.tthc_code = l.tthc_code
    """,
)

UNIT_TTHC = ExportTable(
    name="unit_tthc",
    meaning="The TTHC catalogue of every unit on the as-of date (entries with valid_from on or before it and valid_to "
            "after it), each with the issued processes in force covering it.",
    label_vi="Danh mục TTHC của đơn vị",
    columns=(
        C("unit_code", "VARCHAR", "the unit handling the TTHC (units.code)", "Mã đơn vị"),
        C("tthc_code", "VARCHAR", "the TTHC code", "Mã TTHC"),
        C("entry_id", "BIGINT", "the catalogue entry's number", "Số hiệu mục danh mục"),
        C("tthc_name", "VARCHAR", "the TTHC's name", "Tên TTHC"),
        C("tthc_field", "VARCHAR", "its field (lĩnh vực)", "Lĩnh vực"),
        C("tthc_level", "VARCHAR", "its level (province, district, commune, or as written)", "Cấp thực hiện"),
        C("valid_from", "DATE", "first day the unit handles it; empty: since before the records", "Hiệu lực từ"),
        C("valid_to", "DATE", "first day it is no longer handled; empty: still handled", "Hết hiệu lực từ"),
        C("source", "VARCHAR", "how the entry was recorded: manual, import, demo, legal_change", "Nguồn"),
        C("covered", "BOOLEAN", "an issued process in force on the as-of date covers it (counts in tthc_covered)",
          "Đã có quy trình"),
        C("covered_by", "VARCHAR", "codes of those processes, '; '-separated; empty when not covered",
          "Quy trình áp dụng"),
    ),
    order_by=("unit_code", "tthc_code", "entry_id"),
    requires=("tthc", "unit_tthc", "process_versions", "process_tthc"),
    # ``covered_by``: the distinct codes sorted (as ``string_agg(DISTINCT ... ORDER BY ...)``
    # gave them) from a plain list aggregate, a quarter cheaper over a million pairs.  Not read
    # in chunks (ExportTable.chunk): its sort is cheap, and each chunk would recompute IN_FORCE.
    sql=f"""
        WITH cov AS (
            SELECT l.unit_code, l.tthc_code,
                   array_to_string(list_sort(list_distinct(list(l.process_code))), '; ') AS covered_by
            FROM process_tthc l JOIN ({IN_FORCE}) f ON f.version_id = l.version_id
            WHERE f.status = 'issued' GROUP BY l.unit_code, l.tthc_code
        )
        SELECT e.unit_code, e.tthc_code, e.id AS entry_id, t.name AS tthc_name, t.field AS tthc_field, t.level AS tthc_level,
               e.valid_from, e.valid_to, e.source, cov.covered_by IS NOT NULL AS covered, cov.covered_by
        FROM unit_tthc e LEFT JOIN tthc t ON t.code = e.tthc_code
        LEFT JOIN cov ON cov.unit_code = e.unit_code AND cov.tthc_code = e.tthc_code
        WHERE (e.valid_from IS NULL OR e.valid_from <= $as_of) AND (e.valid_to IS NULL OR e.valid_to > $as_of)
    """,
)


def _scope_unit_rows(src: SnapshotSource) -> list[dict]:
    rows = []
    for code, name, level, district, announced, total, covered, overdue, pending, changed_on in scope_unit_facts(
            src.reader, src.as_of):
        complete = rules.scope_complete(covered, total)
        rows.append(dict(
            unit_code=code, unit_name=name, level=level, district_code=district, announced=announced, tthc_total=total,
            tthc_covered=covered, rate_pct=rules.scope_rate(covered, total), complete=complete,
            announced_incomplete=announced and complete is False, overdue_updates=overdue, pending_updates=pending,
            reannounce_due=changed_on is not None, scope_changed_on=changed_on,
        ))
    return rows


SCOPE_UNIT = ExportTable(
    name="scope_unit",
    meaning="Scope completeness of every unit counted on the as-of date (departments, districts and communes in the "
            "plan and existing that day): the Quy trình page's figures (qms.scope.queries.scope_by_unit, "
            "update_obligations, reannouncements_due).",
    label_vi="Phạm vi áp dụng theo đơn vị",
    columns=(
        C("unit_code", "VARCHAR", "the unit (units.code)", "Mã đơn vị"),
        C("unit_name", "VARCHAR", "its name on the date", "Tên đơn vị"),
        C("level", "VARCHAR", "department, district or commune", "Cấp"),
        C("district_code", "VARCHAR", "the district of a commune; empty for other levels", "Mã huyện"),
        C("announced", "BOOLEAN", "the unit's QMS is announced on the date", "Đã công bố"),
        C("tthc_total", "INTEGER", "TTHC in its catalogue on the date (rows of unit_tthc)", "Số TTHC thuộc danh mục"),
        C("tthc_covered", "INTEGER", "of those, covered by an issued process in force", "Số TTHC đã có quy trình"),
        C("rate_pct", "DOUBLE", "tthc_covered / tthc_total in percent, 2 decimals; empty when the unit has no catalogue "
                                "(unknown, not 0%)", "Tỷ lệ bao phủ (%)"),
        C("complete", "BOOLEAN", "every TTHC of the catalogue covered (Circular 26 Art. 36); empty when no catalogue",
          "Đủ phạm vi"),
        C("announced_incomplete", "BOOLEAN", "announced with an incomplete scope", "Đã công bố nhưng chưa đủ phạm vi"),
        C("overdue_updates", "INTEGER", "processes past the 3-month rule on the date (scope_updates, state overdue)",
          "Số quy trình quá hạn cập nhật"),
        C("pending_updates", "INTEGER", "processes a legal change obliges to update, not yet due", "Số quy trình phải cập nhật, chưa đến hạn"),
        C("reannounce_due", "BOOLEAN", "announced, and a legal change added or removed TTHC of the unit after its last "
                                       "announcement (Decision 19 Art. 4.4c)", "Phải công bố lại"),
        C("scope_changed_on", "DATE", "effective date of that latest change; empty when no re-announcement is due",
          "Ngày thay đổi phạm vi"),
    ),
    order_by=("unit_code",),
    requires=_SCOPE_TABLES,
    rows=_scope_unit_rows,
)


def _legal_change_rows(src: SnapshotSource) -> list[dict]:
    return [
        dict(change_id=c.id, document_no=c.document_no, title=c.title, signed_on=c.signed_on, effective_on=c.effective_on,
             update_due_on=c.due_on, in_effect=c.effective_on <= src.as_of, tthc=c.tthc, amended=c.amended, added=c.added,
             removed=c.removed, processes=c.processes, overdue=c.overdue)
        for c in list_legal_changes(src.reader, src.as_of)
        if (c.signed_on or c.effective_on) <= src.as_of
    ]


LEGAL_CHANGES = ExportTable(
    name="legal_changes",
    meaning="Legal documents changing TTHC known on the as-of date (signed, or without a signing date effective, on or "
            "before it), with the 3-month update due date and, on the date, the processes they oblige "
            "(qms.scope.queries.list_legal_changes).",
    label_vi="Văn bản pháp luật thay đổi TTHC",
    columns=(
        C("change_id", "BIGINT", "the change's number", "Số hiệu thay đổi"),
        C("document_no", "VARCHAR", "the document's number (e.g. 826/QĐ-UBND)", "Số văn bản"),
        C("title", "VARCHAR", "its title (trích yếu)", "Trích yếu"),
        C("signed_on", "DATE", "signing date; empty when not recorded", "Ngày ký"),
        C("effective_on", "DATE", "the day it takes effect", "Ngày có hiệu lực"),
        C("update_due_on", "DATE", "effective_on + 3 calendar months: processes must be re-issued by then",
          "Hạn cập nhật quy trình"),
        C("in_effect", "BOOLEAN", "effective on or before the as-of date (only then does it oblige processes)",
          "Đã có hiệu lực"),
        C("tthc", "INTEGER", "TTHC the document touches", "Số TTHC liên quan"),
        C("amended", "INTEGER", "of those, amended", "Số TTHC sửa đổi"),
        C("added", "INTEGER", "added to units' scope", "Số TTHC bổ sung"),
        C("removed", "INTEGER", "removed from units' scope", "Số TTHC bãi bỏ"),
        C("processes", "INTEGER", "processes it obliges to update on the date (rows of scope_updates)",
          "Số quy trình phải cập nhật"),
        C("overdue", "INTEGER", "of those, overdue on the date", "Số quy trình quá hạn"),
    ),
    order_by=("change_id",),
    requires=("legal_changes", "legal_change_items", "process_versions", "process_tthc"),
    rows=_legal_change_rows,
)

LEGAL_CHANGE_ITEMS = ExportTable(
    name="legal_change_items",
    meaning="The TTHC each legal change of the legal_changes table touches (known on the as-of date).",
    label_vi="TTHC thay đổi theo văn bản",
    columns=(
        C("change_id", "BIGINT", "the change (legal_changes.change_id)", "Số hiệu thay đổi"),
        C("tthc_code", "VARCHAR", "the TTHC", "Mã TTHC"),
        C("unit_code", "VARCHAR", "the unit whose scope or process it changes; empty (amended only): every unit handling "
                                  "the TTHC", "Mã đơn vị"),
        C("effect", "VARCHAR", "amended, added (to the unit's scope) or removed (from it)", "Loại thay đổi"),
    ),
    order_by=("change_id", "tthc_code", "unit_code"),
    requires=("legal_changes", "legal_change_items"),
    sql="""
        SELECT i.change_id, i.tthc_code, i.unit_code, i.effect
        FROM legal_change_items i JOIN legal_changes c ON c.id = i.change_id
        WHERE coalesce(c.signed_on, c.effective_on) <= $as_of
    """,
)


SCOPE_UPDATES = ExportTable(
    name="scope_updates",
    meaning="The 3-month rule on the as-of date: each process that a legal change in effect obliges to re-issue, for "
            "units existing that day, and where it stands (qms.scope.queries.update_obligations).",
    label_vi="Cập nhật quy trình theo văn bản mới",
    columns=(
        C("change_id", "BIGINT", "the legal change (legal_changes.change_id)", "Số hiệu thay đổi"),
        C("unit_code", "VARCHAR", "the unit (units.code)", "Mã đơn vị"),
        C("process_code", "VARCHAR", "the process (processes.code)", "Mã quy trình"),
        C("document_no", "VARCHAR", "the document's number", "Số văn bản"),
        C("process_title", "VARCHAR", "the process title on the date", "Tên quy trình"),
        C("effective_on", "DATE", "the change's effective date", "Ngày có hiệu lực"),
        C("update_due_on", "DATE", "the 3-month due date", "Hạn cập nhật"),
        C("reissued_on", "DATE", "first issue of the process on or after the effective date, by the as-of date; empty: "
                                 "not yet", "Ngày ban hành lại"),
        C("state", "VARCHAR", "pending (not yet due), overdue (due date passed), done (re-issued) or dropped "
                              "(process withdrawn)", "Tình trạng"),
    ),
    order_by=("change_id", "unit_code", "process_code"),
    requires=_SCOPE_TABLES,
    sql=UPDATES_ON_SQL,
)

TABLES = (PROCESSES, PROCESS_TTHC, UNIT_TTHC, SCOPE_UNIT, LEGAL_CHANGES, LEGAL_CHANGE_ITEMS, SCOPE_UPDATES)
