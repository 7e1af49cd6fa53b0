"""The demo province's improvement actions: a seeded, rule-abiding history for 2015-2021.

Pure: the demo's findings in, actions and their steps out.  Every step is asked of
:func:`qms.actions.steps.plan_step` as it is added (with the demo's last day as "today"), so the
demo can never hold a history the app itself would refuse.

- One corrective action per major or minor finding, due by the app's defaults (inspection:
  2 months after the minutes; otherwise the internal-audit days), plus a few opened by hand
  each year (complaints, management reviews, self-detection, inspection open issues).
- Most are started within days, done (some late, a few very late), then verified by another
  person; some verifications find the action not effective, which reopens it; a few actions are
  cancelled with a reason, a few stall.  Units differ and improve over the years, so the actions
  still open on 30/06/2017 include overdue ones, and late-2021 actions are still being worked.
- Recurrence: when a later audit finds the same clause nonconforming at the same unit, the
  earlier action is marked recurred (:func:`qms.actions.rules.recurrences`): a verified one becomes
  *recurred*; an unfinished one is flagged and cancelled the same day, its work carried on by
  the later finding's action.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from qms.actions.rules import SOURCE_OF_AUDIT_KIND, ActionSource, ActionStatus, ActionType, KeyedAction, Step, default_due_date, recurrence_key, recurrences
from qms.actions.steps import ActionState, Change, StepInput, next_status, plan_step, same_person

S = ActionStatus
_FAMILY = ["Nguyễn", "Trần", "Lò", "Lường", "Tòng", "Vàng", "Lê", "Phạm", "Hoàng", "Đỗ", "Giàng", "Tao", "Lù", "Vũ"]
_MIDDLE = ["Văn", "Thị", "Đức", "Thanh", "Minh", "Hồng", "Quang", "Thu"]
_GIVEN = ["Hùng", "Lan", "Dũng", "Hương", "Thắng", "Mai", "Sơn", "Hà", "Tuấn", "Ngọc", "Bình", "Phương", "Chiến", "Hoa"]
_ROOT_CAUSES = ["Cán bộ mới chưa được hướng dẫn quy trình.", "Chưa phân công người theo dõi việc lưu hồ sơ.",
                "Biểu mẫu cũ chưa được thu hồi khi ban hành phiên bản mới.", "Khối lượng hồ sơ tăng, thiếu người xử lý.",
                "Lãnh đạo chưa kiểm tra định kỳ việc thực hiện quy trình.", "Quy trình viết chưa sát thực tế công việc."]
_DONE = ["Đã bổ sung hồ sơ còn thiếu và hướng dẫn lại cán bộ một cửa.", "Đã thu hồi tài liệu lỗi thời, cập nhật danh mục tài liệu.",
         "Đã sửa đổi quy trình và tổ chức phổ biến cho toàn bộ cán bộ.", "Đã phân công người theo dõi và lập sổ theo dõi hằng tháng.",
         "Đã tổ chức đào tạo lại về HTQLCL cho cán bộ liên quan."]
_NOT_EFFECTIVE = ["Kiểm tra lại vẫn thấy hồ sơ thiếu phiếu kiểm soát.", "Tài liệu cũ vẫn còn được sử dụng tại bộ phận.",
                  "Chưa có bằng chứng việc theo dõi được duy trì."]
_CANCEL = ["Trùng với hành động khác đang thực hiện.", "Sau khi xem xét lại, không phải điểm không phù hợp.",
           "Bộ phận liên quan đã giải thể theo quyết định sắp xếp tổ chức."]
_MANUAL = {
    ActionSource.COMPLAINT: ["Người dân phản ánh hồ sơ trả kết quả chậm không có thư xin lỗi.",
                             "Phản ánh về thái độ tiếp nhận hồ sơ tại bộ phận một cửa."],
    ActionSource.MANAGEMENT_REVIEW: ["Xem xét của lãnh đạo: mục tiêu chất lượng năm chưa đạt, cần điều chỉnh kế hoạch.",
                                     "Xem xét của lãnh đạo: cần cập nhật danh mục văn bản pháp luật áp dụng."],
    ActionSource.SELF_DETECTED: ["Tự phát hiện: sổ theo dõi hồ sơ chưa cập nhật đầy đủ.",
                                 "Tự phát hiện: bảng niêm yết TTHC chưa cập nhật thủ tục mới."],
    ActionSource.INSPECTION: ["Vấn đề tồn tại theo biên bản kiểm tra: chưa niêm yết quyết định công bố HTQLCL.",
                              "Vấn đề tồn tại theo biên bản kiểm tra: chưa cập nhật quy trình theo văn bản mới."],
}


def person(rng: random.Random) -> str:
    return f"{rng.choice(_FAMILY)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}"


@dataclass(frozen=True)
class DemoFinding:
    id: int
    audit_id: int
    audit_kind: str
    unit_code: str
    item_ref: str
    standard: str | None
    clause: str | None
    note: str
    found_on: dt.date
    auditor: str


@dataclass
class DemoAction:
    """An action being simulated: its row's values and its steps (as the rules planned them)."""

    id: int
    unit_code: str
    source: ActionSource
    description: str
    opened_on: dt.date
    due_date: dt.date
    finding: DemoFinding | None = None
    type: ActionType = ActionType.CORRECTIVE
    owner_name: str | None = None
    steps: list[Change] = field(default_factory=list)
    recurred_by: tuple[int, dt.date] | None = None

    @property
    def key(self) -> str | None:
        f = self.finding
        return recurrence_key(f.unit_code, f.standard, f.clause, f.item_ref) if f else None

    def state(self) -> ActionState:
        status = self.steps[-1].to_status if self.steps else S.OPEN
        due = self.steps[-1].due_date if self.steps else self.due_date
        last = self.steps[-1].on_date if self.steps else self.opened_on
        owner = next((c.columns["owner_name"] for c in reversed(self.steps) if c.columns.get("owner_name")), self.owner_name)
        return ActionState(id=self.id, status=status, opened_on=self.opened_on, due_date=due, last_on=last, owner_name=owner,
                           has_finding=self.finding is not None, recurred=self.recurred_by is not None)

    def columns(self) -> dict:
        """The row's columns after every step (later steps win)."""
        out: dict = {"owner_name": self.owner_name, "not_effective_count": 0}
        for change in self.steps:
            out.update(change.columns)
            out["not_effective_count"] += change.step is Step.VERIFY_NOT_EFFECTIVE
        state = self.state()
        out.update(status=state.status.value, due_date=state.due_date)
        return out


class _Simulator:
    def __init__(self, rng: random.Random, until: dt.date):
        self.rng, self.until = rng, until

    def step(self, action: DemoAction, step: Step, on: dt.date, **kw) -> bool:
        """Add ``step`` on ``on`` if that day is within the demo (else the action stops here)."""
        if on > self.until:
            return False
        change = plan_step(action.state(), StepInput.model_construct(step=step, on_date=on, note=kw.get("note"),
                                                                     owner_name=kw.get("owner_name"),
                                                                     root_cause=kw.get("root_cause"),
                                                                     verifier=kw.get("verifier"),
                                                                     new_due_date=kw.get("new_due_date")), today=self.until)
        action.steps.append(change)
        return True

    def work(self, action: DemoAction, punctual: float, verifier: str) -> None:
        rng, day = self.rng, action.opened_on
        if rng.random() < 0.03:
            self.step(action, Step.CANCEL, day + dt.timedelta(days=rng.randint(3, 40)), note=rng.choice(_CANCEL))
            return
        owner = action.owner_name or person(rng)
        roll = rng.random()
        if roll < 0.03:  # never started: open (and overdue) ever after
            return
        day += dt.timedelta(days=rng.randint(40, 200) if roll < 0.1 else rng.randint(1, 15))
        if not self.step(action, Step.START, day, owner_name=owner, root_cause=rng.choice(_ROOT_CAUSES)):
            return
        for attempt in range(2):
            if rng.random() < 0.04:  # stalls: in progress ever after
                return
            due = action.state().due_date
            if rng.random() < punctual:
                done = day + dt.timedelta(days=rng.randint(3, max(3, (due - day).days)))
            else:
                done = max(day, due) + dt.timedelta(days=rng.randint(1, 150 if rng.random() < 0.3 else 45))
            if not self.step(action, Step.DONE, done, note=rng.choice(_DONE)):
                return
            checked = done + dt.timedelta(days=rng.randint(7, 60))
            who = verifier if not same_person(verifier, owner) else f"Trưởng ban ISO {person(rng)}"
            if attempt == 0 and rng.random() < 0.1:
                if not self.step(action, Step.VERIFY_NOT_EFFECTIVE, checked, verifier=who, note=rng.choice(_NOT_EFFECTIVE),
                                 new_due_date=checked + dt.timedelta(days=30)):
                    return
                day = checked + dt.timedelta(days=rng.randint(1, 10))
                if not self.step(action, Step.START, day, owner_name=owner):
                    return
                continue
            self.step(action, Step.VERIFY_EFFECTIVE, checked, verifier=who, note="Đã kiểm tra hồ sơ, không tái diễn.")
            return

    def recur(self, action: DemoAction, later: DemoAction) -> None:
        """Cut the history at the later finding's day; a verified action becomes recurred, an
        unfinished one is flagged and cancelled (the later action carries the work)."""
        day = later.opened_on
        action.steps = [c for c in action.steps if c.on_date <= day]
        state = action.state()
        note = f"Phát hiện #{later.finding.id} (phiếu #{later.finding.audit_id}) ngày {day:%d/%m/%Y}"
        on = max(day, state.last_on)
        action.steps.append(Change(Step.RECUR, state.status, next_status(action.id, state.status, Step.RECUR), on,
                                   state.due_date, {}, note))
        action.recurred_by = (later.finding.id, on)
        if state.status is not S.VERIFIED:
            self.step(action, Step.CANCEL, on, note=f"Vấn đề tái diễn; tiếp tục xử lý theo hành động #{later.id}.")


def simulate(findings: Sequence[DemoFinding], manual_units: Sequence[tuple[str, dt.date]], *, ids: Sequence[int],
             seed: int, until: dt.date, internal_days: int) -> list[DemoAction]:
    """The demo's actions: one per finding (in the order given), then one per ``manual_units``
    entry (unit, origin date); ``ids`` are their ids in that order."""
    rng = random.Random(seed)
    sim = _Simulator(rng, until)
    units = sorted({f.unit_code for f in findings} | {u for u, _ in manual_units})
    punctuality = {u: rng.uniform(0.45, 0.9) for u in units}
    out: list[DemoAction] = []
    for action_id, f in zip(ids, findings):
        source = SOURCE_OF_AUDIT_KIND[f.audit_kind]
        out.append(DemoAction(action_id, f.unit_code, source, f.note, f.found_on,
                              default_due_date(source, f.found_on, internal_days), finding=f))
    sources = list(_MANUAL)
    for action_id, (unit, day) in zip(ids[len(findings):], manual_units):
        source = rng.choice(sources)
        kind = ActionType.CORRECTIVE if source in (ActionSource.COMPLAINT, ActionSource.INSPECTION) else \
            rng.choice([ActionType.CORRECTION, ActionType.PREVENTIVE, ActionType.IMPROVEMENT])
        out.append(DemoAction(action_id, unit, source, rng.choice(_MANUAL[source]), day,
                              default_due_date(source, day, internal_days), type=kind, owner_name=person(rng)))
    for action in out:
        verifier = action.finding.auditor if action.finding else f"Trưởng ban ISO {person(rng)}"
        improve = 0.04 * max(0, action.opened_on.year - 2015)
        sim.work(action, min(0.95, punctuality[action.unit_code] + improve), verifier)
    by_id = {a.id: a for a in out}
    keyed = []
    for a in out:
        if a.key is not None:
            keyed.append(KeyedAction(a.id, a.key, a.opened_on, a.finding.id, a.state().status, False))
    for earlier, later in sorted(recurrences(keyed).items()):
        sim.recur(by_id[earlier], by_id[later.id])
    return out
