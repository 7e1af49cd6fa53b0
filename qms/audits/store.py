"""Audits: start, save answers (optimistic locking), submit, reopen, close, and read one back.

Every write here is one function running in one transaction (:meth:`Database.write`): it reads
what the rule needs, asks :mod:`qms.audits.rules`, writes, bumps the audit's ``row_version`` and
appends to the change log.  Pages and the CLI call these functions and nothing else.

Optimistic locking: a page keeps the ``row_version`` it loaded and passes it back as
``expected_version``.  Each answer records the version its last write created
(``saved_version``), so a save is refused only when it would overwrite an answer that somebody
saved after the page loaded (:func:`qms.audits.rules.check_conflicts`); two auditors filling different
sections of one audit both succeed.  DuckDB's own write-write conflict (two saves at the same
instant) is retried by ``Database.write``, which re-reads and asks the rule again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import pyarrow as pa

from qms.accounts.principals_store import authorize, authorize_on_unit
from qms.accounts.rules import Operation, Principal
from qms.actions.store import create_actions_for_audit_in
from qms.audits import rules
from qms.audits.checklists import ChecklistTemplate, TemplateEntry
from qms.audits.findings_store import registered, write_findings_in
from qms.audits.rules import AnswerInput, AuditKind, AuditStatus, ItemSpec, NewAudit, Score, StoredAnswer
from qms.changelog import store as changelog
from qms.kernel.clock import province_today
from qms.kernel.errors import NotFound, ValidationError
from qms.kernel.text_rules import checked_text
from qms.units import rules as lifecycle
from qms.units.events_store import record_events_in
from qms.units.model import EventType, Level, NewEvent
from qms.units.store import NAME_ON_SQL

_HEAD = ("id, unit_code, template_hash, standard, kind, audit_date, status, row_version, event_id, item_count,"
         " template_id, template_version")


class _Head(NamedTuple):
    id: int
    unit_code: str
    template_hash: str
    standard: str
    kind: AuditKind
    audit_date: dt.date
    status: AuditStatus
    row_version: int
    event_id: int | None
    item_count: int
    template_id: str
    template_version: int


def _head(cur, audit_id: int) -> _Head:
    rows = cur.execute(f"SELECT {_HEAD} FROM audits WHERE id = ?", [audit_id]).fetchall()
    if not rows:
        raise NotFound(f"There is no audit #{audit_id}.", vi=f"Không có phiếu đánh giá #{audit_id}.")
    r = rows[0]
    return _Head(r[0], r[1], r[2], r[3], AuditKind(r[4]), r[5], AuditStatus(r[6]), r[7], r[8], r[9], r[10], r[11])


#: Parsed snapshots by content hash: a hash names immutable content, so caching is always safe.
_TEMPLATES: dict[str, ChecklistTemplate] = {}


def _template(cur, template_hash: str) -> ChecklistTemplate:
    found = _TEMPLATES.get(template_hash)
    if found is None:
        rows = cur.execute("SELECT content FROM checklist_snapshots WHERE hash = ?", [template_hash]).fetchall()
        if not rows:
            raise NotFound(f"The checklist snapshot {template_hash[:12]} is missing from the database.",
                           vi=f"Không tìm thấy bản lưu danh mục câu hỏi {template_hash[:12]} trong cơ sở dữ liệu.")
        found = _TEMPLATES.setdefault(template_hash, ChecklistTemplate.model_validate_json(rows[0][0]))
    return found


def pin_template_in(cur, entry: TemplateEntry) -> None:
    """Keep the validated template under its file hash (once; later audits reuse the row)."""
    t = entry.template
    cur.execute(
        "INSERT INTO checklist_snapshots (hash, template_id, version, standard, content) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (hash) DO NOTHING",
        [entry.hash, t.id, t.version, t.standard, t.model_dump_json()],
    )
    _TEMPLATES.setdefault(entry.hash, t)


_ANSWER_COLUMNS = "item_ref, result, note, evidence, saved_version, answered_at, answered_by"


def _stored(cur, audit_id: int) -> dict[str, StoredAnswer]:
    rows = cur.execute(f"SELECT {_ANSWER_COLUMNS} FROM audit_answers WHERE audit_id = ?", [audit_id]).fetchall()
    return {r[0]: StoredAnswer(item_ref=r[0], result=r[1], note=r[2], evidence=r[3], saved_version=r[4],
                               answered_at=r[5], answered_by=r[6]) for r in rows}


def _history(cur, unit_code: str) -> list[NewEvent]:
    rows = cur.execute(
        "SELECT event_type, event_date, decision_no, standard FROM qms_events WHERE unit_code = ? ORDER BY event_date, id",
        [unit_code]).fetchall()
    return [NewEvent(unit_code=unit_code, event_type=r[0], event_date=r[1], decision_no=r[2], standard=r[3]) for r in rows]


# -- start ------------------------------------------------------------------------------------

#: The principal as its account stands now, if it may do the operation on the unit.
_require = authorize_on_unit


def start_audit(db, new: NewAudit, entry: TemplateEntry, *, actor: Principal, today: dt.date | None = None) -> int:
    """Open a draft audit of a unit against ``entry`` (the template's current version, loaded by
    the caller from the checklist folder), pinning id, version and content hash; return its id.

    Refused, with nothing written: an unknown unit; a template not meant for the unit's level; a
    date in the future or when the unit did not exist; an internal audit of a unit that on that
    date was not applying its QMS (the lifecycle rule that would refuse the submit later, asked
    now so that no auditor fills a checklist in vain).
    """
    today = today or province_today()
    return db.write(lambda cur: start_audit_in(cur, new, entry, actor=actor, today=today))


def start_audit_in(cur, new: NewAudit, entry: TemplateEntry, *, actor: Principal, today: dt.date) -> int:
    """:func:`start_audit` inside the caller's transaction (a planned inspection starts its
    checklist and links it in one write)."""
    template = entry.template
    if new.template_id != template.id:
        raise ValidationError(f"template: {new.template_id} does not match the loaded {template.id}.")
    d = new.audit_date
    actor = _require(cur, actor, Operation.AUDIT_WRITE, new.unit_code).username
    rows = cur.execute("SELECT level, valid_from, valid_to FROM units WHERE code = ?", [new.unit_code]).fetchall()
    if not rows:
        raise NotFound(f"There is no unit with code {new.unit_code}; nothing was saved.",
                       vi=f"Không có đơn vị mã {new.unit_code}; chưa lưu gì.")
    level, valid_from, valid_to = Level(rows[0][0]), rows[0][1], rows[0][2]
    if level.value not in template.levels:
        raise ValidationError(
            f"The checklist {template.id} is for {', '.join(template.levels)} units, not a {level.value}; nothing was saved.",
            vi=f"Danh mục {template.id} không dùng cho đơn vị cấp này; chưa lưu gì.")
    if d > today:
        raise ValidationError(f"The audit date {d:%d/%m/%Y} is in the future; nothing was saved.",
                              vi=f"Ngày đánh giá {d:%d/%m/%Y} ở tương lai; chưa lưu gì.")
    if (valid_from and d < valid_from) or (valid_to and d >= valid_to):
        raise ValidationError(f"Unit {new.unit_code} did not exist on {d:%d/%m/%Y}; nothing was saved.",
                              vi=f"Ngày {d:%d/%m/%Y} đơn vị {new.unit_code} không tồn tại; chưa lưu gì.")
    history = _history(cur, new.unit_code)
    years = [e.event_date.year for e in history if e.event_type is EventType.INTERNAL_AUDIT]
    event = rules.lifecycle_event(new.kind, new.unit_code, d, 0, years)
    if event is not None:
        lifecycle.check_history(history, event, today=today, unit_valid_from=valid_from, unit_valid_to=valid_to)
    standard = rules.audit_standard(template, rules.standard_on(history, d), d)
    pin_template_in(cur, entry)
    (audit_id,) = cur.execute(
        "INSERT INTO audits (unit_code, template_id, template_version, template_hash, standard, item_count, kind,"
        " auditor, audit_date, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [new.unit_code, template.id, template.version, entry.hash, standard, template.item_count, new.kind.value,
         new.auditor, d, actor]).fetchall()[0]
    changelog.append(cur, actor=actor, action="insert", entity="audits", key=f"audit#{audit_id}",
                     after={**new.model_dump(mode="json"), "template_version": template.version,
                            "template_hash": entry.hash, "standard": standard})
    return audit_id


# -- read one ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class AuditView:
    """One audit as its page shows it: header, the pinned template, the items' specs, answers."""

    id: int
    unit_code: str
    unit_name: str
    unit_level: Level
    template_id: str
    template_version: int
    template_hash: str
    standard: str
    kind: AuditKind
    auditor: str
    audit_date: dt.date
    status: AuditStatus
    row_version: int
    score_pct: float | None
    event_id: int | None
    answered: int
    item_count: int
    created_by: str
    submitted_at: dt.datetime | None
    closed_at: dt.datetime | None
    template: ChecklistTemplate
    specs: list[ItemSpec]
    answers: dict[str, StoredAnswer]
    #: The unit's parent (its district for a commune): an inspector's district scope is checked on it.
    parent_code: str | None = None

    @property
    def locked(self) -> bool:
        return self.status is not AuditStatus.DRAFT

    def score(self) -> Score:
        return rules.score(self.specs, self.answers)


def get_audit(db, audit_id: int) -> AuditView:
    """The audit with its pinned template and every saved answer; :class:`NotFound` if none."""
    cur = db.cursor()
    try:
        head = _head(cur, audit_id)
        row = cur.execute(
            f"""SELECT n.name, u.level, a.auditor, a.score_pct, a.answered, a.created_by, a.submitted_at, a.closed_at,
                       u.parent_code
                FROM audits a JOIN units u ON u.code = a.unit_code
                JOIN ({NAME_ON_SQL}) n ON n.code = a.unit_code WHERE a.id = $id""",
            {"id": audit_id, "as_of": head.audit_date}).fetchall()[0]
        template = _template(cur, head.template_hash)
        answers = _stored(cur, audit_id)
    finally:
        cur.close()
    return AuditView(
        id=head.id, unit_code=head.unit_code, unit_name=row[0], unit_level=Level(row[1]), template_id=head.template_id,
        template_version=head.template_version, template_hash=head.template_hash, standard=head.standard, kind=head.kind,
        auditor=row[2], audit_date=head.audit_date, status=head.status, row_version=head.row_version, score_pct=row[3],
        event_id=head.event_id, answered=row[4], item_count=head.item_count, created_by=row[5], submitted_at=row[6],
        closed_at=row[7], template=template, specs=rules.item_specs(template, head.standard), answers=answers,
        parent_code=row[8],
    )


# -- save answers -----------------------------------------------------------------------------

@dataclass(frozen=True)
class SaveResult:
    """``version``: the audit's row version now (the caller's next ``expected_version``);
    ``written``: answers that changed; ``newer``: answers others saved since the caller loaded
    (to show them without a reload)."""

    version: int
    written: int
    newer: dict[str, StoredAnswer]


_ANSWER_SCHEMA = pa.schema([
    ("item_ref", pa.string()), ("section_ref", pa.string()), ("standard", pa.string()), ("clause", pa.string()),
    ("weight", pa.float64()), ("result", pa.string()), ("note", pa.string()), ("evidence", pa.string()),
])


def answer_table(answers: Sequence[AnswerInput], specs: dict[str, ItemSpec]) -> pa.Table:
    """The rows to upsert, carrying each item's section, clause and weight from the template."""
    return pa.Table.from_pylist([
        {"item_ref": a.item_ref, "section_ref": specs[a.item_ref].section_ref, "standard": specs[a.item_ref].standard,
         "clause": specs[a.item_ref].clause, "weight": specs[a.item_ref].weight,
         "result": a.result.value if a.result else None, "note": a.note, "evidence": a.evidence}
        for a in answers
    ], schema=_ANSWER_SCHEMA)


def save_answers(db, audit_id: int, answers: Sequence[AnswerInput], *, expected_version: int, actor: Principal) -> SaveResult:
    """Save a draft's answers in one statement; only those that changed are written.

    ``expected_version`` is the row version the caller loaded.  Refused whole, nothing written:
    a locked (submitted or closed) audit; an item not in the pinned template; an answer that
    would overwrite one saved by somebody else after ``expected_version``
    (:class:`qms.audits.rules.AnswerConflict`, naming the items).  When nothing changed, nothing is
    written and the version stays.
    """
    return db.write(lambda cur: save_answers_in(cur, audit_id, answers, expected_version=expected_version, actor=actor))


def save_answers_in(cur, audit_id: int, answers: Sequence[AnswerInput], *, expected_version: int,
                    actor: Principal) -> SaveResult:
    """:func:`save_answers` inside the caller's transaction (an offline workbook's answers and
    its evidence files commit together)."""
    sent = {a.item_ref: a for a in answers}
    author = actor
    head = _head(cur, audit_id)
    actor = _require(cur, author, Operation.AUDIT_WRITE, head.unit_code).username
    rules.check_editable(head.status, audit_id)
    specs = {s.ref: s for s in rules.item_specs(_template(cur, head.template_hash), head.standard)}
    rules.check_refs(sent.values(), list(specs.values()), audit_id)
    stored = _stored(cur, audit_id)
    rules.check_conflicts(audit_id, sent, stored, expected_version)
    changed = rules.changed_answers(sent, stored)
    newer = {r: a for r, a in stored.items() if a.saved_version > expected_version and r not in sent}
    if not changed:
        return SaveResult(head.row_version, 0, newer)
    version = head.row_version + 1
    merged = {r: a.result for r, a in stored.items()} | {a.item_ref: a.result for a in changed}
    answered = sum(1 for r in merged.values() if r is not None)
    # The audit row first: a concurrent writer fails here with a write-write conflict (retried,
    # then judged by the rule above) instead of on the answers' primary key.
    cur.execute("UPDATE audits SET row_version = ?, answered = ?, updated_at = current_timestamp, updated_by = ? WHERE id = ?",
                [version, answered, actor, audit_id])
    with registered(cur, "qms_new_answers", answer_table(changed, specs)):
        cur.execute(
            "INSERT INTO audit_answers (audit_id, item_ref, unit_code, section_ref, standard, clause, weight, result, note,"
            " evidence, saved_version, answered_at, answered_by)"
            " SELECT ?, item_ref, ?, section_ref, standard, clause, weight, result, note, evidence, ?, now(), ?"
            " FROM qms_new_answers ON CONFLICT (audit_id, item_ref) DO UPDATE SET result = excluded.result,"
            " note = excluded.note, evidence = excluded.evidence, saved_version = excluded.saved_version,"
            " answered_at = excluded.answered_at, answered_by = excluded.answered_by",
            [audit_id, head.unit_code, version, actor])
    changelog.append(cur, actor=actor, action="save_answers", entity="audits", key=f"audit#{audit_id}",
                     before={a.item_ref: stored[a.item_ref].value if a.item_ref in stored else None for a in changed},
                     after={a.item_ref: a.value for a in changed})
    return SaveResult(version, len(changed), newer)


# -- submit, reopen, close --------------------------------------------------------------------

@dataclass(frozen=True)
class SubmitResult:
    version: int
    score_pct: float | None
    findings: int
    event_id: int | None
    event_created: bool


def submit_audit(db, audit_id: int, *, expected_version: int, actor: Principal, today: dt.date | None = None) -> SubmitResult:
    """Submit a complete draft: lock it, store its score, file its findings and, for an internal
    audit, count it as the unit's 'internal audit held' of that year.

    The lifecycle event is recorded (source ``audit``, dated the audit date) only when the unit
    has no internal audit event in that year yet; otherwise the audit is linked to the existing
    one.  If the lifecycle rules refuse the event, the submit is refused with their sentence.
    Findings are reconciled by item (see :func:`qms.audits.findings_store.write_findings_in`), so a
    resubmitted audit keeps its findings' ids.
    """
    today = today or province_today()
    author = actor

    def run(cur) -> SubmitResult:
        head = _head(cur, audit_id)
        actor = _require(cur, author, Operation.AUDIT_WRITE, head.unit_code).username
        rules.check_current(audit_id, expected_version, head.row_version)
        specs = rules.item_specs(_template(cur, head.template_hash), head.standard)
        stored = _stored(cur, audit_id)
        rules.check_submit(audit_id, head.status, specs, stored)
        result = rules.score(specs, stored)
        version = head.row_version + 1
        # The audit row first, so that a concurrent submit or save conflicts here (and is retried).
        cur.execute(
            "UPDATE audits SET status = 'submitted', row_version = ?, score_pct = ?, submitted_at = current_timestamp,"
            " submitted_by = ?, updated_at = current_timestamp, updated_by = ? WHERE id = ?",
            [version, result.pct, actor, actor, audit_id])
        event_id, created = head.event_id, False
        if head.kind is AuditKind.INTERNAL_AUDIT and event_id is None:
            same_year = cur.execute(
                "SELECT id FROM qms_events WHERE unit_code = ? AND event_type = 'internal_audit' AND year(event_date) = ?"
                " ORDER BY abs(event_date - ?::DATE), id LIMIT 1",
                [head.unit_code, head.audit_date.year, head.audit_date]).fetchall()
            years = [head.audit_date.year] if same_year else []
            event = rules.lifecycle_event(head.kind, head.unit_code, head.audit_date, audit_id, years)
            if event is None:
                event_id = same_year[0][0]
            else:
                # allowed by the audit's own permission (an auditor records no other lifecycle event)
                (event_id,) = record_events_in(cur, [event], actor=actor, today=today, check_permission=False)
                created = True
            cur.execute("UPDATE audits SET event_id = ? WHERE id = ?", [event_id, audit_id])
        found = rules.findings_from(specs, stored)
        write_findings_in(cur, audit_id=audit_id, audit_kind=head.kind, unit_code=head.unit_code,
                          found_on=head.audit_date, findings=found, actor=actor)
        # every major or minor nonconformity gets its improvement action, in the same transaction
        create_actions_for_audit_in(cur, audit_id, actor=author, today=today)
        changelog.append(cur, actor=actor, action="submit", entity="audits", key=f"audit#{audit_id}",
                         before={"status": head.status.value},
                         after={"status": "submitted", "score_pct": result.pct, "findings": len(found), "event_id": event_id,
                                "event_created": created})
        return SubmitResult(version, result.pct, len(found), event_id, created)

    return db.write(run)


def reopen_audit(db, audit_id: int, reason: str, *, actor: Principal) -> int:
    """Turn a submitted or closed audit back into a draft (an administrator's act); the reason
    is required and recorded in the change log.  Its findings and lifecycle event stay until it
    is submitted again.  Returns the new row version."""
    reason = checked_text(reason or "", field="reason")
    author = actor

    def run(cur) -> int:
        actor = authorize(cur, author, Operation.AUDIT_REOPEN).username
        head = _head(cur, audit_id)
        rules.check_reopen(audit_id, head.status, reason)
        version = head.row_version + 1
        cur.execute("UPDATE audits SET status = 'draft', row_version = ?, score_pct = NULL, closed_at = NULL, closed_by = NULL,"
                    " updated_at = current_timestamp, updated_by = ? WHERE id = ?", [version, actor, audit_id])
        changelog.append(cur, actor=actor, action="reopen", entity="audits", key=f"audit#{audit_id}",
                         before={"status": head.status.value}, after={"status": "draft", "reason": reason})
        return version

    return db.write(run)


def close_audit(db, audit_id: int, *, actor: Principal) -> int:
    """Close a submitted audit's file (its follow-up is over); it stays locked.  Returns the version."""
    author = actor

    def run(cur) -> int:
        head = _head(cur, audit_id)
        actor = _require(cur, author, Operation.AUDIT_WRITE, head.unit_code).username
        rules.check_close(audit_id, head.status)
        version = head.row_version + 1
        cur.execute("UPDATE audits SET status = 'closed', row_version = ?, closed_at = current_timestamp, closed_by = ?,"
                    " updated_at = current_timestamp, updated_by = ? WHERE id = ?", [version, actor, actor, audit_id])
        changelog.append(cur, actor=actor, action="close", entity="audits", key=f"audit#{audit_id}",
                         before={"status": head.status.value}, after={"status": "closed"})
        return version

    return db.write(run)


def audit_log(db, audit_id: int) -> list[dict]:
    """The audit's change-log entries, newest first (reopen reasons included)."""
    return changelog.entries(db, entity="audits", key=f"audit#{audit_id}")
