"""The steps of an improvement action: what a person asks, whether the transition table and the
rules allow it, and what it writes.  Pure: no database, no UI.

- :func:`next_status`: the transition table of :mod:`qms.actions.rules` asked for one step; an illegal
  move is one sentence naming the status and what is possible now;
- :func:`plan_step`: a start names the owner; done describes what was done; a verification names
  a verifier other than the owner, is dated, and a not-effective verdict says why (and may set a
  new deadline); a cancel gives its reason; no step is dated in the future nor before the
  action's last change, so its history stays in date order and replays on any past date;
- :func:`plan_edit`: text, owner, type, due date of an unfinished action (never before the origin);
- :func:`check_current`: optimistic locking, a stale version is refused;
- :func:`operation_for`: the permission a step needs.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from qms.accounts.rules import Operation
from qms.actions.rules import TRANSITIONS, USER_STEPS, ActionStatus, ActionType, Step, check_due_date, name_field, text_field
from qms.kernel.errors import ConflictError, ValidationError
from qms.units.model import OptionalNfcText, search_key

S = ActionStatus

_VI_STATUS = {S.OPEN: "đang mở", S.IN_PROGRESS: "đang thực hiện", S.DONE: "đã thực hiện xong",
              S.VERIFIED: "đã xác minh hiệu quả", S.RECURRED: "tái diễn", S.CANCELLED: "đã hủy"}
_EN_STEP = {Step.START: "started", Step.DONE: "marked done", Step.VERIFY_EFFECTIVE: "verified effective",
            Step.VERIFY_NOT_EFFECTIVE: "verified not effective", Step.CANCEL: "cancelled", Step.EDIT: "edited",
            Step.RECUR: "marked recurred", Step.OPEN: "opened"}
_VI_STEP = {Step.START: "bắt đầu thực hiện", Step.DONE: "đánh dấu đã xong", Step.VERIFY_EFFECTIVE: "xác minh là hiệu quả",
            Step.VERIFY_NOT_EFFECTIVE: "xác minh là không hiệu quả", Step.CANCEL: "hủy", Step.EDIT: "sửa",
            Step.RECUR: "đánh dấu tái diễn", Step.OPEN: "mở"}


class StepInput(BaseModel):
    """A step as a person asks for it; :func:`plan_step` says whether it may happen.

    ``note`` is what the step needs written: what was done (done), why (cancel), what was seen
    (verification).  ``new_due_date``: for a not-effective verdict, the new deadline."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    step: Step
    on_date: dt.date
    note: OptionalNfcText = text_field()
    owner_name: OptionalNfcText = name_field()
    root_cause: OptionalNfcText = text_field()
    verifier: OptionalNfcText = name_field()
    new_due_date: dt.date | None = None


class ActionEdit(BaseModel):
    """Changes to an unfinished action's text, owner, type or due date (only the fields given)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: ActionType | None = None
    description: OptionalNfcText = Field(default=None, max_length=2000)
    root_cause: OptionalNfcText = text_field()
    owner_name: OptionalNfcText = name_field()
    owner_unit_code: Annotated[str | None, Field(max_length=32)] = None
    due_date: dt.date | None = None


# -- the rules of a step ------------------------------------------------------------------------

@dataclass(frozen=True)
class ActionState:
    """What the rules need of a stored action."""

    id: int
    status: ActionStatus
    opened_on: dt.date
    due_date: dt.date
    last_on: dt.date                 # the date of its latest step
    owner_name: str | None = None
    root_cause: str | None = None
    has_finding: bool = False
    recurred: bool = False


@dataclass(frozen=True)
class Change:
    """What a step writes: the new status, the due date in force, the columns to set, the
    history row's note."""

    step: Step
    from_status: ActionStatus
    to_status: ActionStatus
    on_date: dt.date
    due_date: dt.date
    columns: dict[str, object] = field(default_factory=dict)
    note: str | None = None


def allowed_steps(status: ActionStatus, recurred: bool = False) -> list[Step]:
    """The person's steps the table allows from ``status`` (a recurred action cannot be
    verified effective: its clause was found nonconforming again)."""
    return [s for s in USER_STEPS if status in TRANSITIONS[s][0] and not (recurred and s is Step.VERIFY_EFFECTIVE)]


def editable(status: ActionStatus) -> bool:
    """Whether an action's text, owner, type and due date may still change (unfinished only)."""
    return status in TRANSITIONS[Step.EDIT][0]


def next_status(action_id: int, status: ActionStatus, step: Step) -> ActionStatus:
    """The status ``step`` leads to from ``status``; an illegal move is one sentence naming both."""
    sources, target = TRANSITIONS[step]
    if status not in sources:
        options = [s for s in USER_STEPS if status in TRANSITIONS[s][0]]
        en_opts = ", ".join(_EN_STEP[s] for s in options) or "nothing"
        vi_opts = ", ".join(_VI_STEP[s] for s in options) or "không thao tác nào"
        raise ValidationError(
            f"Action #{action_id} is {status.value.replace('_', ' ')}: it cannot be {_EN_STEP[step]} "
            f"(possible now: {en_opts}); nothing was saved.",
            vi=f"Hành động #{action_id} {_VI_STATUS[status]}: không thể {_VI_STEP[step]} "
               f"(có thể: {vi_opts}); chưa lưu gì.")
    if step is Step.RECUR:
        return S.RECURRED if status is S.VERIFIED else status
    return status if target is None else target


def status_moves() -> frozenset[tuple[ActionStatus, ActionStatus]]:
    """Every (from, to) pair of statuses some step allows (a step that keeps the status is no move)."""
    moves = set()
    for step in TRANSITIONS:
        for source in TRANSITIONS[step][0]:
            target = next_status(0, source, step)
            if target is not source:
                moves.add((source, target))
    return frozenset(moves)


def operation_for(step: Step, has_finding: bool) -> Operation:
    """The permission a step needs: verifying is an auditor's (or an administrator's); cancelling
    an action that follows an audit finding too (a unit does not wave its own finding away)."""
    if step in (Step.VERIFY_EFFECTIVE, Step.VERIFY_NOT_EFFECTIVE):
        return Operation.ACTION_VERIFY
    if step is Step.CANCEL and has_finding:
        return Operation.ACTION_VERIFY
    return Operation.ACTION_WRITE


def operation_for_edit(edit: ActionEdit, has_finding: bool) -> Operation:
    """Moving the deadline of an action that follows an audit finding is the auditor's call."""
    return Operation.ACTION_VERIFY if has_finding and edit.due_date is not None else Operation.ACTION_WRITE


def _refuse(en: str, vi: str) -> None:
    raise ValidationError(f"{en}; nothing was saved.", vi=f"{vi}; chưa lưu gì.")


def check_step_date(state: ActionState, on: dt.date, today: dt.date) -> None:
    """A step is dated neither in the future nor before the action's latest step."""
    if on > today:
        _refuse(f"Action #{state.id}: the date {on:%d/%m/%Y} is in the future",
                f"Hành động #{state.id}: ngày {on:%d/%m/%Y} ở tương lai")
    if on < state.last_on:
        _refuse(f"Action #{state.id}: the date {on:%d/%m/%Y} is before its last change ({state.last_on:%d/%m/%Y})",
                f"Hành động #{state.id}: ngày {on:%d/%m/%Y} trước lần thay đổi gần nhất ({state.last_on:%d/%m/%Y})")


def check_current(action_id: int, expected_version: int, row_version: int, changed_by: str | None = None) -> None:
    """Optimistic locking: refuse a change made on a version of the action older than the stored
    one (somebody else changed it since the page loaded it); the caller keeps the user's input."""
    if expected_version != row_version:
        by = f" by {changed_by}" if changed_by else ""
        vi_by = f" bởi {changed_by}" if changed_by else ""
        raise ConflictError(
            f"Action #{action_id} was changed{by} after you opened it; nothing was saved. "
            "Your input is kept: load the latest version, check it and save again.",
            vi=f"Hành động #{action_id} đã được thay đổi{vi_by} sau khi bạn mở; chưa lưu gì. "
               "Nội dung bạn nhập vẫn còn: hãy tải bản mới nhất, kiểm tra rồi lưu lại.")


@functools.lru_cache(maxsize=4096)
def same_person(a: str | None, b: str | None) -> bool:
    """Names compared without case, accents or extra spaces ("Lò Văn Minh" = "lo van  minh")."""
    if not a or not b:
        return False
    return " ".join(search_key(a).split()) == " ".join(search_key(b).split())


def plan_step(state: ActionState, step: StepInput, *, today: dt.date) -> Change:
    """Check ``step`` against the action and the table; return what to write, or refuse with one
    sentence (nothing is written then)."""
    a = state.id
    if step.step not in USER_STEPS:
        raise ValueError(f"{step.step} is not a person's step (use the store's functions)")
    target = next_status(a, state.status, step.step)
    check_step_date(state, step.on_date, today)
    cols: dict[str, object] = {}
    due = state.due_date
    owner = step.owner_name or state.owner_name
    if step.step is Step.START:
        if not owner:
            _refuse(f"Name the person responsible for action #{a} before starting it",
                    f"Hãy nhập người chịu trách nhiệm của hành động #{a} trước khi bắt đầu")
        cols = {"owner_name": owner, "root_cause": step.root_cause or state.root_cause}
    elif step.step is Step.DONE:
        if not step.note:
            _refuse(f"Describe what was done to mark action #{a} done", f"Hãy mô tả việc đã làm để đánh dấu hành động #{a} đã xong")
        cols = {"done_description": step.note, "done_on": step.on_date}
        if step.root_cause:
            cols["root_cause"] = step.root_cause
    elif step.step in (Step.VERIFY_EFFECTIVE, Step.VERIFY_NOT_EFFECTIVE):
        if not step.verifier:
            _refuse(f"Name who verified action #{a}", f"Hãy nhập người xác minh hành động #{a}")
        if same_person(step.verifier, state.owner_name):
            _refuse(f"Action #{a} must be verified by someone other than its owner ({state.owner_name})",
                    f"Người xác minh hành động #{a} phải khác người chịu trách nhiệm ({state.owner_name})")
        if step.step is Step.VERIFY_EFFECTIVE and state.recurred:
            _refuse(f"Action #{a} recurred (its clause was found nonconforming again): it cannot be verified effective",
                    f"Hành động #{a} đã tái diễn (điều khoản lại bị đánh giá không phù hợp): không thể xác minh là hiệu quả")
        cols = {"verified_by": step.verifier, "verified_on": step.on_date, "verification_note": step.note}
        if step.step is Step.VERIFY_NOT_EFFECTIVE:
            if not step.note:
                _refuse(f"Say why action #{a} was not effective", f"Hãy ghi lý do hành động #{a} không hiệu quả")
            if step.new_due_date is not None:
                if step.new_due_date < step.on_date:
                    _refuse(f"Action #{a}: the new due date {step.new_due_date:%d/%m/%Y} is before the verification",
                            f"Hành động #{a}: hạn mới {step.new_due_date:%d/%m/%Y} trước ngày xác minh")
                due = step.new_due_date
            cols["due_date"] = due
    elif step.step is Step.CANCEL:
        if not step.note:
            _refuse(f"Give the reason for cancelling action #{a}", f"Hãy nhập lý do hủy hành động #{a}")
        cols = {"cancel_reason": step.note, "cancelled_on": step.on_date}
    return Change(step.step, state.status, target, step.on_date, due, cols, step.note)


def plan_edit(state: ActionState, edit: ActionEdit, *, today: dt.date) -> Change:
    """An edit of an unfinished action, dated today; a due date before the origin is refused."""
    next_status(state.id, state.status, Step.EDIT)
    changes = {k: v for k, v in edit.model_dump(exclude_unset=True).items() if v is not None}
    if not changes:
        _refuse(f"Action #{state.id}: there is no change to save", f"Hành động #{state.id}: không có gì thay đổi để lưu")
    due = changes.get("due_date", state.due_date)
    check_due_date(due, state.opened_on, state.id)
    on = max(today, state.last_on)
    return Change(Step.EDIT, state.status, state.status, on, due, changes)
