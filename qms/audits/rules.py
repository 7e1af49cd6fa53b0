"""Audits and inspections against a pinned checklist: the rules, with no database and no UI.

What lives here (plain values in, values or one-sentence refusals out):

- the vocabularies: audit kinds, statuses, the five results of an item and the grades of a finding;
- which clause an item cites in an audit (:func:`audit_standard`, :func:`item_specs`);
- the score (:func:`score`): the weighted share of conforming answers among the assessed items.
  *Not applicable* items are left out of both sides of the fraction; an *observation* counts as
  assessed **and conforming** (ISO audit practice: an observation or opportunity for improvement
  is a remark on a requirement that is met, not a nonconformity).  Nothing assessed -> ``None``,
  never 0 %: a chart must not show an empty audit as a failure;
- the conflict rule for two auditors on one audit (:func:`check_conflicts`): a save that would
  overwrite an answer somebody else saved after the saver loaded the audit is refused whole;
  answers to *other* items saved meanwhile are no conflict, so a team can split the sections;
- the submit rule (:func:`check_submit`): every item answered (N/A counts as an answer), and every
  nonconformity or observation described in its note (a finding without a description cannot be
  acted on);
- findings from answers (:func:`findings_from`): one per minor/major nonconformity or observation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from qms.audits.checklists import ChecklistItem, ChecklistTemplate
from qms.kernel.errors import ConflictError, ValidationError
from qms.units.model import EventType, NewEvent, NfcText, OptionalNfcText


class AuditKind(StrEnum):
    INTERNAL_AUDIT = "internal_audit"
    INSPECTION_RECORDS = "inspection_records"
    INSPECTION_SITE = "inspection_site"
    SELF_ASSESSMENT = "self_assessment"


class AuditStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    CLOSED = "closed"


class Result(StrEnum):
    CONFORM = "conform"
    MINOR = "minor"
    MAJOR = "major"
    OBSERVATION = "observation"
    NOT_APPLICABLE = "not_applicable"


class Grade(StrEnum):
    MAJOR = "major"
    MINOR = "minor"
    OBSERVATION = "observation"


#: Results that become a finding, and its grade.
GRADE_OF: Mapping[Result, Grade] = {Result.MINOR: Grade.MINOR, Result.MAJOR: Grade.MAJOR,
                                    Result.OBSERVATION: Grade.OBSERVATION}
#: Results that count as conforming in the score (an observation is a remark on a met requirement).
CONFORMING = frozenset({Result.CONFORM, Result.OBSERVATION})
#: The only status in which answers may change.
EDITABLE = AuditStatus.DRAFT
#: Fallback clause numbering for a legal (Circular 26) checklist when the unit's own standard is
#: unknown on the audit date: before Decision 101/QĐ-BKHCN (21/01/2019) agencies ran 2008.
ISO_2015_MODEL_FRAMEWORK = dt.date(2019, 1, 21)


class NewAudit(BaseModel):
    """An audit as an auditor starts it; the template's current version is pinned by the store."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    unit_code: Annotated[str, Field(min_length=1, max_length=32)]
    template_id: Annotated[str, Field(min_length=1, max_length=80)]
    kind: AuditKind
    auditor: Annotated[NfcText, Field(min_length=1, max_length=120)]
    audit_date: dt.date


class AnswerInput(BaseModel):
    """One item's answer as typed: a result (None while undecided), a note, the evidence seen."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    item_ref: Annotated[str, Field(min_length=1, max_length=64)]
    result: Result | None = None
    note: OptionalNfcText = Field(default=None, max_length=2000)
    evidence: OptionalNfcText = Field(default=None, max_length=2000)

    @property
    def value(self) -> tuple[Result | None, str | None, str | None]:
        """What two answers are compared on (who saved it and when do not matter)."""
        return (self.result, self.note, self.evidence)


class StoredAnswer(AnswerInput):
    """A saved answer: ``saved_version`` is the audit's row version its last write created."""

    saved_version: int
    answered_at: dt.datetime | None = None
    answered_by: str = ""


@dataclass(frozen=True)
class ItemSpec:
    """What an audit needs of one template item: where it sits, its weight, the clause it cites."""

    ref: str
    section_ref: str
    weight: float
    standard: str | None  # "2008" / "2015": the numbering of ``clause``; None when no clause
    clause: str | None


def standard_on(events: Iterable[NewEvent], day: dt.date) -> str | None:
    """The TCVN ISO 9001 version a unit's QMS follows on ``day`` ("2008"/"2015"), or None.

    Read from the latest event dated on or before ``day`` that names a standard (announced,
    re-announced, standard changed); a withdrawal ends it.
    """
    standard = None
    for ev in sorted(events, key=lambda e: e.event_date):
        if ev.event_date > day:
            break
        if ev.event_type is EventType.WITHDRAWN:
            standard = None
        elif ev.standard is not None:
            standard = ev.standard.value
    return standard


def audit_standard(template: ChecklistTemplate, unit_standard: str | None, audit_date: dt.date) -> str:
    """The clause numbering an audit's answers use.

    An ISO template's own version; for a legal template (inspection under Circular 26, whose
    items cite both versions) the unit's standard on the audit date, or, when unknown, 2008
    before Decision 101/QĐ-BKHCN and 2015 from it.
    """
    if template.standard == "iso9001_2008":
        return "2008"
    if template.standard == "iso9001_2015":
        return "2015"
    if unit_standard in ("2008", "2015"):
        return unit_standard
    return "2015" if audit_date >= ISO_2015_MODEL_FRAMEWORK else "2008"


def item_clause(item: ChecklistItem, standard: str) -> tuple[str | None, str | None]:
    """``(standard, clause)`` an item cites in an audit numbered by ``standard``; the other
    version's clause when the item has none in this one; ``(None, None)`` when it cites none."""
    own, other = ("2008", "2015") if standard == "2008" else ("2015", "2008")
    for std in (own, other):
        clause = getattr(item, f"clause_{std}")
        if clause is not None:
            return std, clause
    return None, None


def item_specs(template: ChecklistTemplate, standard: str) -> list[ItemSpec]:
    """Every item of the template, in document order, as the audit scores and files it."""
    out = []
    for section, item in template.items():
        std, clause = item_clause(item, standard)
        out.append(ItemSpec(item.ref, section.ref, float(item.weight), std, clause))
    return out


# -- editing and conflicts --------------------------------------------------------------------

def check_editable(status: AuditStatus, audit_id: int) -> None:
    """Refuse any change to the answers of a submitted or closed audit."""
    if status is not EDITABLE:
        raise ValidationError(
            f"Audit #{audit_id} is {status.value} and locked; nothing was saved. An administrator can reopen it with a reason.",
            vi=f"Phiếu đánh giá #{audit_id} đã nộp và bị khóa; chưa lưu gì. Quản trị viên có thể mở lại kèm lý do.",
        )


def check_refs(answers: Iterable[AnswerInput], specs: Sequence[ItemSpec], audit_id: int) -> None:
    """Refuse an answer to an item the pinned template does not have."""
    known = {s.ref for s in specs}
    unknown = sorted({a.item_ref for a in answers} - known)
    if unknown:
        refs = ", ".join(unknown[:5])
        raise ValidationError(
            f"Audit #{audit_id}: item {refs} is not in its checklist; nothing was saved.",
            vi=f"Phiếu đánh giá #{audit_id}: mục {refs} không có trong danh mục câu hỏi; chưa lưu gì.",
        )


@dataclass(frozen=True)
class ConflictItem:
    """An item the saver changed that somebody else saved after the saver loaded the audit."""

    item_ref: str
    mine: AnswerInput
    theirs: StoredAnswer


class AnswerConflict(ConflictError):
    """A save refused whole because it would overwrite newer answers; ``items`` names them.

    The caller keeps the auditor's input: after reloading the latest answers they may apply
    theirs again, knowingly.
    """

    def __init__(self, audit_id: int, items: Sequence[ConflictItem]):
        self.audit_id, self.items = audit_id, tuple(items)
        refs = ", ".join(i.item_ref for i in self.items[:8]) + (" …" if len(self.items) > 8 else "")
        who = sorted({i.theirs.answered_by for i in self.items if i.theirs.answered_by})
        by = f" by {', '.join(who)}" if who else ""
        vi_by = f" bởi {', '.join(who)}" if who else ""
        super().__init__(
            f"Audit #{audit_id}: item {refs} was saved{by} after you opened the audit; nothing was saved. "
            "Your answers are still on screen: load the latest answers, then apply yours again.",
            vi=f"Phiếu đánh giá #{audit_id}: mục {refs} đã được lưu{vi_by} sau khi bạn mở phiếu; chưa lưu gì. "
               "Câu trả lời của bạn vẫn còn trên màn hình: tải bản mới nhất rồi áp dụng lại câu trả lời của bạn.",
        )


def check_conflicts(audit_id: int, sent: Mapping[str, AnswerInput], stored: Mapping[str, StoredAnswer],
                    expected_version: int) -> None:
    """Raise :class:`AnswerConflict` when a sent answer differs from one saved after
    ``expected_version`` (the version the saver loaded).  Saving the same value twice is no
    conflict, nor is a newer answer to an item the saver did not send."""
    items = [
        ConflictItem(ref, answer, stored[ref])
        for ref, answer in sent.items()
        if ref in stored and stored[ref].saved_version > expected_version and stored[ref].value != answer.value
    ]
    if items:
        raise AnswerConflict(audit_id, items)


def changed_answers(sent: Mapping[str, AnswerInput], stored: Mapping[str, StoredAnswer]) -> list[AnswerInput]:
    """The sent answers that differ from what is stored (an empty new answer is no change)."""
    empty = (None, None, None)
    return [a for ref, a in sent.items() if a.value != (stored[ref].value if ref in stored else empty)]


def check_current(audit_id: int, expected_version: int, row_version: int) -> None:
    """For a whole-audit action (submit): refuse when anything was saved since the caller loaded."""
    if expected_version != row_version:
        raise ConflictError(
            f"Audit #{audit_id} was changed after you opened it; it was not submitted. Load the latest answers, check them and submit again.",
            vi=f"Phiếu đánh giá #{audit_id} đã có thay đổi sau khi bạn mở; chưa nộp. Hãy tải bản mới nhất, kiểm tra rồi nộp lại.",
        )


# -- submit, reopen ---------------------------------------------------------------------------

def check_submit(audit_id: int, status: AuditStatus, specs: Sequence[ItemSpec], answers: Mapping[str, AnswerInput]) -> None:
    """Refuse to submit unless the audit is a draft, every item has a result (N/A counts) and
    every finding (nonconformity or observation) has a note describing it."""
    if status is not AuditStatus.DRAFT:
        raise ValidationError(f"Audit #{audit_id} is already {status.value}.", vi=f"Phiếu đánh giá #{audit_id} đã được nộp.")
    missing = [s.ref for s in specs if answers.get(s.ref) is None or answers[s.ref].result is None]
    if missing:
        refs = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
        n = len(missing)
        raise ValidationError(
            f"Audit #{audit_id} cannot be submitted: {n} item{'s' if n > 1 else ''} unanswered ({refs}).",
            vi=f"Chưa thể nộp phiếu đánh giá #{audit_id}: còn {n} mục chưa trả lời ({refs}).",
        )
    bare = [s.ref for s in specs if answers[s.ref].result in GRADE_OF and not answers[s.ref].note]
    if bare:
        refs = ", ".join(bare[:5]) + (" …" if len(bare) > 5 else "")
        raise ValidationError(
            f"Audit #{audit_id} cannot be submitted: describe each nonconformity or observation in its note ({refs}).",
            vi=f"Chưa thể nộp phiếu đánh giá #{audit_id}: hãy ghi mô tả cho từng điểm không phù hợp hoặc điểm lưu ý ({refs}).",
        )


def check_reopen(audit_id: int, status: AuditStatus, reason: str | None) -> None:
    """Only a submitted or closed audit is reopened, and only with a reason (it is logged)."""
    if status is AuditStatus.DRAFT:
        raise ValidationError(f"Audit #{audit_id} is a draft already.", vi=f"Phiếu đánh giá #{audit_id} đang là bản nháp.")
    if not reason or not reason.strip():
        raise ValidationError(f"Give the reason for reopening audit #{audit_id}; nothing was changed.",
                              vi=f"Hãy nhập lý do mở lại phiếu đánh giá #{audit_id}; chưa thay đổi gì.")


def check_close(audit_id: int, status: AuditStatus) -> None:
    if status is not AuditStatus.SUBMITTED:
        raise ValidationError(f"Only a submitted audit can be closed; audit #{audit_id} is {status.value}.",
                              vi=f"Chỉ phiếu đã nộp mới được đóng; phiếu #{audit_id} chưa ở trạng thái đã nộp.")


def lifecycle_event(kind: AuditKind, unit_code: str, audit_date: dt.date, audit_id: int,
                    internal_audit_years: Iterable[int]) -> NewEvent | None:
    """The lifecycle event a submitted audit records: an internal audit counts as the unit's
    'internal audit held' of its year, unless that year already has one (recorded by hand, by
    an import or by another audit): one source of truth, no double entry.  Other kinds: None."""
    if kind is not AuditKind.INTERNAL_AUDIT or audit_date.year in set(internal_audit_years):
        return None
    return NewEvent(unit_code=unit_code, event_type=EventType.INTERNAL_AUDIT, event_date=audit_date,
                    source="audit", scope_note=f"Phiếu đánh giá nội bộ #{audit_id}")


# -- score ------------------------------------------------------------------------------------

def share_pct(conforming: float, assessed: float) -> float | None:
    """Conforming share in percent, 2 decimals; None when nothing was assessed."""
    if assessed < 0 or conforming < 0 or conforming > assessed + 1e-9:
        raise ValueError(f"impossible weights: {conforming} conforming of {assessed}")
    return None if assessed == 0 else round(100.0 * conforming / assessed, 2)


@dataclass(frozen=True)
class Score:
    """An audit's score: overall and per section (section ref -> percent or None), with the
    count of each result (zeros included) and how many items are answered of how many."""

    pct: float | None
    by_section: dict[str, float | None]
    counts: dict[Result, int]
    answered: int
    total: int
    assessed_weight: float = 0.0
    conforming_weight: float = 0.0
    section_answered: dict[str, tuple[int, int]] = field(default_factory=dict)


def score(specs: Sequence[ItemSpec], answers: Mapping[str, AnswerInput]) -> Score:
    """Weighted share of conforming results among assessed items (see the module docstring).

    Unanswered items are simply not assessed yet, so a draft shows its score so far.
    """
    counts = {r: 0 for r in Result}
    totals: dict[str, list[float]] = {}
    progress: dict[str, list[int]] = {}
    for spec in specs:
        tot = totals.setdefault(spec.section_ref, [0.0, 0.0])
        prog = progress.setdefault(spec.section_ref, [0, 0])
        prog[1] += 1
        answer = answers.get(spec.ref)
        result = answer.result if answer is not None else None
        if result is None:
            continue
        counts[result] += 1
        prog[0] += 1
        if result is Result.NOT_APPLICABLE:
            continue
        tot[1] += spec.weight
        if result in CONFORMING:
            tot[0] += spec.weight
    conforming = sum(v[0] for v in totals.values())
    assessed = sum(v[1] for v in totals.values())
    return Score(
        pct=share_pct(conforming, assessed),
        by_section={ref: share_pct(c, a) for ref, (c, a) in totals.items()},
        counts=counts,
        answered=sum(p[0] for p in progress.values()),
        total=len(specs),
        assessed_weight=assessed,
        conforming_weight=conforming,
        section_answered={ref: (p[0], p[1]) for ref, p in progress.items()},
    )


# -- findings ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class NewFinding:
    item_ref: str
    section_ref: str
    standard: str | None
    clause: str | None
    grade: Grade
    note: str
    evidence: str | None


def findings_from(specs: Sequence[ItemSpec], answers: Mapping[str, AnswerInput]) -> list[NewFinding]:
    """One finding per nonconformity or observation, in template order, with its clause."""
    out = []
    for spec in specs:
        answer = answers.get(spec.ref)
        if answer is None or answer.result not in GRADE_OF:
            continue
        out.append(NewFinding(spec.ref, spec.section_ref, spec.standard, spec.clause, GRADE_OF[answer.result],
                              answer.note or "", answer.evidence))
    return out
