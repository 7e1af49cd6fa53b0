"""An audit taken offline and brought back: the workbook of a draft, its preview, its confirm.

:func:`pack_audit` reads; :func:`preview_unpack` reads and plans (see :mod:`qms.audits.workbook`);
:func:`confirm_unpack` writes in one transaction through the audit page's own save
(:func:`qms.audits.store.save_answers_in`: permission, draft-only, item refs, change log, row
version), with the version read at the preview as ``expected_version``: an answer somebody saves
between the preview and the confirm refuses the whole confirm (nothing written) instead of being
overwritten.  Evidence files from the folder beside the workbook (one sub-folder per item ref)
are checked at the preview, before anything is written, and attached in the same transaction
(:func:`qms.audits.evidence_store.attach_evidence_in`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from qms.accounts.rules import Principal
from qms.audits import evidence as ev
from qms.audits import workbook as wb
from qms.audits.evidence_store import attach_evidence_in, check_files, evidence_root
from qms.audits.rules import AuditStatus, Result
from qms.audits.store import AuditView, SaveResult, get_audit, save_answers_in
from qms.kernel.errors import ValidationError
from qms.kernel.labels import t


def _secret(db) -> str:
    return db.scalar("SELECT secret FROM offline_keys WHERE name = 'workbook'")


def grade_labels(lang: str = "vi") -> dict[Result, str]:
    """The five grades as the audit page labels them."""
    return {r: t(f"audit.result.{r.value}", lang) for r in Result}


def pack_audit(db, audit_id: int) -> bytes:
    """The offline workbook of a draft audit (a submitted or closed one is refused: its answers
    can no longer change)."""
    view = get_audit(db, audit_id)
    if view.status is not AuditStatus.DRAFT:
        raise ValidationError(f"Audit #{audit_id} is {view.status.value}; only a draft can be taken offline.",
                              vi=f"Phiếu đánh giá #{audit_id} không còn là bản nháp; chỉ mang bản nháp đi làm ngoại tuyến được.")
    return wb.pack(wb.PackInput(view.id, pack_title(view), view.template_hash, view.row_version, pack_items(view),
                                view.answers, grade_labels()), _secret(db))


def pack_items(view: AuditView) -> list[wb.PackItem]:
    """The audit's items as the workbook and the printable checklist show them (Vietnamese)."""
    specs = {s.ref: s for s in view.specs}
    items = []
    for section, item in view.template.items():
        spec = specs[item.ref]
        items.append(wb.PackItem(item.ref, f"{section.ref}. {section.title.vi}",
                                 f"{spec.clause} ({spec.standard})" if spec.clause else "",
                                 item.question.vi, item.guidance.vi if item.guidance else ""))
    return items


def pack_title(view: AuditView) -> str:
    return f"#{view.id} · {view.unit_name} · {view.audit_date:%d/%m/%Y} · {view.template.title.vi} v{view.template_version}"


@dataclass(frozen=True)
class UnpackPreview:
    audit_id: int
    #: The audit's row version when the preview was made (the confirm's ``expected_version``).
    version: int
    items: list[wb.PlannedItem]
    #: item ref -> checked evidence files from the folder beside the workbook
    evidence: dict[str, list[ev.EvidenceFile]] = field(default_factory=dict)

    def count(self, change: wb.Change) -> int:
        return sum(1 for p in self.items if p.change is change)

    @property
    def conflicts(self) -> list[wb.PlannedItem]:
        return [p for p in self.items if p.change is wb.Change.CONFLICT]


def preview_unpack(db, audit_id: int, data: bytes, filename: str,
                   evidence: dict[str, list[tuple[str, bytes]]] | None = None) -> UnpackPreview:
    """What the returned workbook would change (nothing is written); refusals name sheet and row."""
    view = get_audit(db, audit_id)
    returned = wb.read_pack(data, filename, audit_id=audit_id, template_hash=view.template_hash, secret=_secret(db),
                            grades=grade_labels("vi"), english=grade_labels("en"))
    if view.status is not AuditStatus.DRAFT:
        raise ValidationError(f"Audit #{audit_id} is {view.status.value} and locked; nothing was saved.",
                              vi=f"Phiếu đánh giá #{audit_id} đã nộp và bị khóa; chưa lưu gì.")
    refs = {s.ref for s in view.specs}
    checked = {}
    for ref, files in (evidence or {}).items():
        if ref not in refs:
            raise ValidationError(f"Evidence folder '{ref}' is no item of audit #{audit_id}; nothing was saved.",
                                  vi=f"Thư mục bằng chứng '{ref}' không phải mục của phiếu #{audit_id}; chưa lưu gì.")
        checked[ref] = check_files(files, where=f"{ref}/")
    return UnpackPreview(audit_id, view.row_version, wb.plan(returned, view.answers), checked)


@dataclass(frozen=True)
class UnpackResult:
    saved: SaveResult | None
    written: int
    evidence_added: int


def confirm_unpack(db, preview: UnpackPreview, take_workbook: Sequence[str] = (), *, actor: Principal,
                   keep_location: bool = False) -> UnpackResult:
    """Write the preview in one transaction (all or nothing): every changed item and the
    conflicts whose workbook answer was chosen, through the page's save
    (:func:`qms.audits.store.save_answers_in`), and the evidence files."""
    unknown = set(take_workbook) - {p.ref for p in preview.conflicts}
    if unknown:
        raise ValidationError(f"Item {', '.join(sorted(unknown))} is no conflict of this preview; nothing was saved.",
                              vi=f"Mục {', '.join(sorted(unknown))} không phải xung đột của bản xem trước; chưa lưu gì.")
    answers = wb.to_save(preview.items, set(take_workbook))
    root = evidence_root(db)

    def run(cur) -> UnpackResult:
        saved = save_answers_in(cur, preview.audit_id, answers, expected_version=preview.version, actor=actor) if answers else None
        added = sum(attach_evidence_in(cur, root, preview.audit_id, ref, files, actor=actor, keep_location=keep_location)
                    for ref, files in preview.evidence.items())
        return UnpackResult(saved, saved.written if saved else 0, added)

    return db.write(run)

