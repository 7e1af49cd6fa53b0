"""Improvement actions: from a finding to verified closure (ISO 9001:2008 8.5, 2015 10.2;
Circular 26 Art. 37).  The rules, with no database and no UI.

What lives here (plain values in, values or one-sentence refusals out):

- the vocabularies: action types, sources, statuses and the steps that move an action;
- the transition table (:data:`TRANSITIONS`): open -> in progress -> done -> verified effective,
  or verified *not* effective, which reopens it; cancel (with a reason) from any unfinished
  status; "recur" is the system's step when the same clause is found nonconforming again at the
  unit in a later audit (a verified action becomes *recurred*: not effective after all; an
  unfinished one is flagged and can no longer be verified effective);
- what each step needs is in :mod:`qms.actions.steps` (no step is dated in the future nor before
  the action's last change, so an action's history is in date order and its status on any past
  date is replayed by :func:`status_on`);
- due dates (:func:`default_due_date`): 2 calendar months after the inspection minutes
  (Circular 26 Art. 37; 31/12 -> 28/02 or 29/02), a configurable number of days otherwise; a due
  date before the finding is refused;
- overdue on a date (:func:`is_overdue`): still open or in progress on that date and due
  *before* it (the due date itself is not overdue);
- recurrence (:func:`recurrence_key`, :func:`recurrences`), the median days to close and the
  recurrence rate (:func:`median_days`, :func:`recurrence_rate`).
"""

from __future__ import annotations

import calendar
import datetime as dt
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from qms.kernel.errors import ValidationError
from qms.units.model import NfcText, OptionalNfcText


class ActionType(StrEnum):
    CORRECTION = "correction"
    CORRECTIVE = "corrective"
    PREVENTIVE = "preventive"
    IMPROVEMENT = "improvement"


class ActionSource(StrEnum):
    INTERNAL_AUDIT = "internal_audit"
    INSPECTION = "inspection"
    COMPLAINT = "complaint"
    MANAGEMENT_REVIEW = "management_review"
    SELF_DETECTED = "self_detected"


class ActionStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    VERIFIED = "verified"        # verified effective
    RECURRED = "recurred"        # was verified effective; the clause was found nonconforming again
    CANCELLED = "cancelled"


class Step(StrEnum):
    """What happens to an action; every step is one row of its history."""

    OPEN = "open"
    START = "start"
    DONE = "done"
    VERIFY_EFFECTIVE = "verify_effective"
    VERIFY_NOT_EFFECTIVE = "verify_not_effective"
    CANCEL = "cancel"
    RECUR = "recur"
    EDIT = "edit"


S = ActionStatus
UNFINISHED = frozenset({S.OPEN, S.IN_PROGRESS, S.DONE})
#: Statuses in which an action still needs work (the overdue rule looks at these only).
WORKING = frozenset({S.OPEN, S.IN_PROGRESS})
#: Statuses that end an action.
CLOSED = frozenset({S.VERIFIED, S.RECURRED, S.CANCELLED})

#: step -> (statuses it may start from, status it leads to; None: the status does not change).
TRANSITIONS: Mapping[Step, tuple[frozenset[ActionStatus], ActionStatus | None]] = {
    Step.START: (frozenset({S.OPEN}), S.IN_PROGRESS),
    Step.DONE: (frozenset({S.IN_PROGRESS}), S.DONE),
    Step.VERIFY_EFFECTIVE: (frozenset({S.DONE}), S.VERIFIED),
    Step.VERIFY_NOT_EFFECTIVE: (frozenset({S.DONE}), S.OPEN),
    Step.CANCEL: (UNFINISHED, S.CANCELLED),
    Step.EDIT: (UNFINISHED, None),
    # recur: a verified action becomes recurred; an unfinished one keeps its status, flagged
    Step.RECUR: (UNFINISHED | {S.VERIFIED}, None),
}
#: Steps a person takes (open is the creation, recur is the system's).
USER_STEPS = (Step.START, Step.DONE, Step.VERIFY_EFFECTIVE, Step.VERIFY_NOT_EFFECTIVE, Step.CANCEL)
#: Sources an action opened by hand may have (internal-audit actions come from findings).
MANUAL_SOURCES = (ActionSource.INSPECTION, ActionSource.COMPLAINT, ActionSource.MANAGEMENT_REVIEW,
                  ActionSource.SELF_DETECTED)
#: The source of the actions an audit's findings create, by audit kind.
SOURCE_OF_AUDIT_KIND: Mapping[str, ActionSource] = {
    "internal_audit": ActionSource.INTERNAL_AUDIT,
    "inspection_records": ActionSource.INSPECTION,
    "inspection_site": ActionSource.INSPECTION,
    "self_assessment": ActionSource.SELF_DETECTED,
}
#: Finding grades that create an action (an observation does not: it is no nonconformity).
ACTION_GRADES = ("major", "minor")

#: Months after the inspection minutes the corrective-action report is due (Circular 26 Art. 37).
INSPECTION_DUE_MONTHS = 2
#: Default days for the other sources (a setting an administrator changes).
DEFAULT_INTERNAL_AUDIT_DUE_DAYS = 30
DUE_DAYS_SETTING = "action_due_days_internal_audit"
DUE_DAYS_RANGE = (1, 365)

def district_of(level: str, code: str, parent_code: str | None) -> str | None:
    """The district a unit's actions belong to (and an auditor's district scope covers): a
    commune's parent, a district committee itself; None for departments and the province."""
    return code if level == "district" else parent_code if level == "commune" else None


# -- dates --------------------------------------------------------------------------------------

def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by calendar months, clamped to the month's end (31/12 + 2 -> 28/02 or 29/02)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def default_due_date(source: ActionSource, origin: dt.date, internal_days: int = DEFAULT_INTERNAL_AUDIT_DUE_DAYS) -> dt.date:
    """The due date an action gets unless someone sets one: inspection issues 2 months after the
    minutes (Circular 26 Art. 37), every other source ``internal_days`` after its origin."""
    if source is ActionSource.INSPECTION:
        return add_months(origin, INSPECTION_DUE_MONTHS)
    return origin + dt.timedelta(days=internal_days)


def check_due_days(days: int) -> int:
    """The internal-audit days setting: a whole number of days within :data:`DUE_DAYS_RANGE`."""
    low, high = DUE_DAYS_RANGE
    if not isinstance(days, int) or not low <= days <= high:
        raise ValidationError(
            f"Days to act on an internal-audit finding must be a whole number from {low} to {high}; nothing was saved.",
            vi=f"Số ngày xử lý điểm không phù hợp của đánh giá nội bộ phải là số nguyên từ {low} đến {high}; chưa lưu gì.")
    return days


def check_due_date(due: dt.date, origin: dt.date, action_id: int | None = None) -> None:
    """A due date may not come before the finding (or the day the issue was raised)."""
    if due < origin:
        which = f"action #{action_id}" if action_id else "the action"
        vi_which = f"hành động #{action_id}" if action_id else "hành động"
        raise ValidationError(
            f"The due date {due:%d/%m/%Y} of {which} is before the finding ({origin:%d/%m/%Y}); nothing was saved.",
            vi=f"Hạn xử lý {due:%d/%m/%Y} của {vi_which} trước ngày phát hiện ({origin:%d/%m/%Y}); chưa lưu gì.")


def is_overdue(status: ActionStatus | None, due: dt.date | None, day: dt.date) -> bool:
    """Overdue on ``day``: still open or in progress then, and due *before* it."""
    return status in WORKING and due is not None and due < day


@dataclass(frozen=True)
class HistoryPoint:
    """One row of an action's history as the as-of rules need it."""

    on_date: dt.date
    to_status: ActionStatus
    due_date: dt.date


def status_on(history: Sequence[HistoryPoint], day: dt.date) -> tuple[ActionStatus, dt.date] | None:
    """Status and due date in force on ``day`` (the last step dated on or before it, steps in
    recorded order); None when the action was not yet opened."""
    found = None
    for point in history:
        if point.on_date <= day:
            found = (point.to_status, point.due_date)
    return found


# -- inputs -------------------------------------------------------------------------------------

def name_field():
    """An optional person's name (NFC, blank -> None), at most 120 characters."""
    return Field(default=None, max_length=120)


def text_field():
    """An optional text (NFC, blank -> None), at most 2000 characters."""
    return Field(default=None, max_length=2000)


class NewAction(BaseModel):
    """An action opened by hand: from an inspection's open issues, a complaint, a management
    review or self-detection.  Without ``due_date`` it gets :func:`default_due_date`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    unit_code: Annotated[str, Field(min_length=1, max_length=32)]
    source: ActionSource
    type: ActionType
    description: Annotated[NfcText, Field(min_length=1, max_length=2000)]
    root_cause: OptionalNfcText = text_field()
    owner_name: OptionalNfcText = name_field()
    owner_unit_code: Annotated[str | None, Field(max_length=32)] = None
    origin_date: dt.date
    due_date: dt.date | None = None
    clause: Annotated[str | None, Field(max_length=16, pattern=r"^\d+(\.\d+)*$")] = None

    @model_validator(mode="after")
    def _manual_source(self) -> NewAction:
        if self.source not in MANUAL_SOURCES:
            raise ValueError("an internal-audit action is opened from its finding, not by hand")
        return self


# -- recurrence ---------------------------------------------------------------------------------

def recurrence_key(unit_code: str, standard: str | None, clause: str | None, item_ref: str | None) -> str | None:
    """What "the same clause at the same unit" means: the unit and the clause in its numbering
    (2008 and 2015 clauses are different requirements); a checklist item that cites no clause
    (a legal item of Circular 26) stands for itself."""
    if clause:
        return f"{unit_code}|{standard or ''}|{clause}"
    if item_ref:
        return f"{unit_code}|item|{item_ref}"
    return None


@dataclass(frozen=True)
class KeyedAction:
    """An action that follows a finding, as the recurrence rule sees it."""

    id: int
    key: str
    opened_on: dt.date
    finding_id: int | None
    status: ActionStatus
    recurred: bool


def recurrences(actions: Iterable[KeyedAction]) -> dict[int, KeyedAction]:
    """Which actions recur, and by which later action: for each action (not cancelled, not yet
    marked), the first action of the same key opened on a *later* day from a finding."""
    by_key: dict[str, list[KeyedAction]] = {}
    for action in actions:
        by_key.setdefault(action.key, []).append(action)
    out: dict[int, KeyedAction] = {}
    for group in by_key.values():
        group.sort(key=lambda x: (x.opened_on, x.id))
        for i, earlier in enumerate(group):
            if earlier.recurred or earlier.status is S.CANCELLED:
                continue
            later = next((x for x in group[i + 1:] if x.opened_on > earlier.opened_on and x.finding_id is not None), None)
            if later is not None:
                out[earlier.id] = later
    return out


# -- figures ------------------------------------------------------------------------------------

def median_days(durations: Iterable[int]) -> float | None:
    """Median days from opening to verified closure; None when nothing was closed."""
    values = list(durations)
    return float(statistics.median(values)) if values else None


def recurrence_rate(recurred: int, closed_effective: int) -> float | None:
    """Share (percent, 2 decimals) of the actions verified effective whose clause came back;
    None when none was verified effective."""
    if recurred < 0 or closed_effective < 0 or recurred > closed_effective:
        raise ValueError(f"impossible counts: {recurred} recurred of {closed_effective}")
    return None if closed_effective == 0 else round(100.0 * recurred / closed_effective, 2)
