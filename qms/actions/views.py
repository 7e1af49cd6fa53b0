"""What the store returns about improvement actions, for pages and the CLI to render.

Plain frozen records, no rule and no query: the figures in them were computed by
:mod:`qms.actions.queries` with the rules of :mod:`qms.actions.rules`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from qms.actions.rules import ActionSource, ActionStatus, ActionType, Step
from qms.actions.steps import ActionState

#: The row that gathers every department-level unit in per-district figures.
DEPARTMENTS_ROW = "*departments"


@dataclass(frozen=True)
class ActionSummary:
    """One line of the actions list.  ``status`` is today's; ``status_on``/``overdue`` are as of
    the date the list was asked for (None: the action did not exist yet then)."""

    id: int
    unit_code: str
    unit_name: str
    district_code: str | None
    district_name: str | None
    source: ActionSource
    type: ActionType
    description: str
    owner_name: str | None
    opened_on: dt.date
    due_date: dt.date
    status: ActionStatus
    status_on: ActionStatus | None
    due_on: dt.date | None
    overdue: bool
    days_overdue: int
    recurred: bool
    grade: str | None
    standard: str | None
    clause: str | None
    audit_id: int | None
    finding_id: int | None
    row_version: int
    own_unit: bool = False


@dataclass(frozen=True)
class ActionEvent:
    """One step of an action's history."""

    id: int
    step: Step
    from_status: ActionStatus | None
    to_status: ActionStatus
    on_date: dt.date
    due_date: dt.date
    note: str | None
    actor: str
    recorded_at: dt.datetime | None


@dataclass(frozen=True)
class ActionDetail:
    """One action with everything its page shows, and the history of its steps."""

    id: int
    unit_code: str
    unit_name: str
    district_code: str | None
    finding_id: int | None
    audit_id: int | None
    audit_kind: str | None
    item_ref: str | None
    standard: str | None
    clause: str | None
    grade: str | None
    finding_note: str | None
    source: ActionSource
    type: ActionType
    description: str
    root_cause: str | None
    owner_name: str | None
    owner_unit_code: str
    owner_unit_name: str | None
    opened_on: dt.date
    due_date: dt.date
    status: ActionStatus
    done_description: str | None
    done_on: dt.date | None
    verified_by: str | None
    verified_on: dt.date | None
    verification_note: str | None
    not_effective_count: int
    cancel_reason: str | None
    cancelled_on: dt.date | None
    recurred_by_finding_id: int | None
    recurred_on: dt.date | None
    row_version: int
    created_by: str
    events: tuple[ActionEvent, ...]

    @property
    def recurred(self) -> bool:
        return self.recurred_by_finding_id is not None

    @property
    def last_on(self) -> dt.date:
        return max((e.on_date for e in self.events), default=self.opened_on)

    def state(self) -> ActionState:
        """What the step rules need of this action."""
        return ActionState(id=self.id, status=self.status, opened_on=self.opened_on, due_date=self.due_date,
                           last_on=self.last_on, owner_name=self.owner_name, root_cause=self.root_cause,
                           has_finding=self.finding_id is not None, recurred=self.recurred)


@dataclass(frozen=True)
class DistrictActions:
    """Actions of one district's units (its communes and its committee), or of every department
    (``row_code`` = :data:`DEPARTMENTS_ROW`, ``row_name`` None), as of a date."""

    row_code: str
    row_name: str | None
    open: int                 # open or in progress
    overdue: int
    awaiting_verification: int
    verified: int             # verified effective on or before the date (recurred later included)
    median_days_to_close: float | None


@dataclass(frozen=True)
class ActionOverview:
    """The overview's figures on ``as_of`` (every count as of that date)."""

    as_of: dt.date
    total: int                # opened on or before the date
    open: int                 # open or in progress
    overdue: int
    awaiting_verification: int
    verified: int             # verified effective, recurred or not since
    recurred: int             # of those, recurred on or before the date
    cancelled: int
    median_days_to_close: float | None
    recurrence_rate_pct: float | None
    by_district: tuple[DistrictActions, ...]

    @property
    def has_actions(self) -> bool:
        return self.total > 0


@dataclass(frozen=True)
class CreatedActions:
    """What :func:`qms.actions.store.create_actions_for_findings` did."""

    created: list[int]
    recurred: list[int]       # earlier actions marked recurred
    cancelled: list[int]      # actions whose finding was withdrawn on a resubmitted audit
