"""Rules of the inspection plan, with no database and no UI.

- a plan is drafted, then approved once (decision number and date); from then on every change
  is an **amendment** with a reason, which raises the plan's version (never a silent edit);
- an item's status on a day (:func:`item_status`): planned, in progress, done, overdue, cancelled;
- the on-site share (:func:`check_onsite_share`): at least the province's share of the plan's
  units inspected on site (Circular 26 Art. 34: one third; a setting);
- independence (:func:`independence_problem`): an auditor never inspects a unit they belong to or
  audited internally in that year;
- load (:func:`load_by_month`, :func:`check_load`): inspections per auditor and month, refused
  above the province's limit;
- the corrective report's due date (:func:`report_due`): two calendar months after the minutes
  (Circular 26 Art. 37), clamped to the month's end (31/12 -> 28/02, or 29/02 in a leap year).

Refusals are :class:`qms.kernel.errors.ValidationError` with one sentence naming the rule.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from qms.actions.rules import INSPECTION_DUE_MONTHS, add_months
from qms.kernel.errors import ValidationError
from qms.units.model import NfcText, OptionalNfcText

#: Settings keys (table ``settings``) and their defaults.
ONSITE_SHARE_SETTING = "inspection_onsite_share"
DEFAULT_ONSITE_SHARE = Fraction(1, 3)
MAX_LOAD_SETTING = "inspection_max_per_auditor_month"
DEFAULT_MAX_LOAD = 6
MIN_REASON = 5


class PlanStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"


class Mode(StrEnum):
    RECORDS = "records"
    ON_SITE = "on_site"


class ItemStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    OVERDUE = "overdue"
    CANCELLED = "cancelled"


#: The audit kind a planned inspection starts, by mode.
AUDIT_KIND_OF = {Mode.RECORDS: "inspection_records", Mode.ON_SITE: "inspection_site"}


class ItemInput(BaseModel):
    """One planned inspection as the planner sets it: unit, mode, month, team (account names,
    the leader first)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    unit_code: Annotated[str, Field(min_length=1, max_length=32)]
    mode: Mode
    month: Annotated[int, Field(ge=1, le=12)]
    team: tuple[Annotated[str, Field(min_length=1, max_length=64)], ...] = ()
    cancel: bool = False


class RequestInput(BaseModel):
    """One request of the minutes (a "vấn đề tồn tại" the unit must correct)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: Annotated[NfcText, Field(min_length=1, max_length=2000)]
    finding_id: int | None = None


class MinutesInput(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    signed_on: dt.date
    scope: Annotated[NfcText, Field(min_length=1, max_length=2000)]
    conclusion: OptionalNfcText = Field(default=None, max_length=4000)
    requests: tuple[RequestInput, ...] = ()


# -- plan states and amendments -------------------------------------------------------------------

def check_reason(status: PlanStatus, reason: str | None, year: int) -> str | None:
    """The reason a change needs: none for a draft; at least a few words once approved."""
    reason = (reason or "").strip()
    if status is PlanStatus.APPROVED and len(reason) < MIN_REASON:
        raise ValidationError(
            f"The {year} plan is approved: a change is an amendment and needs its reason; nothing was saved.",
            vi=f"Kế hoạch năm {year} đã được phê duyệt: thay đổi là một lần điều chỉnh và cần nêu lý do; chưa lưu gì.")
    return reason or None


def check_approve(status: PlanStatus, year: int, decision_no: str, approved_on: dt.date, today: dt.date,
                  on_site: int, total: int, share: Fraction) -> None:
    """Approval: once, with a decision number, not in the future, with items, on-site share met."""
    if status is PlanStatus.APPROVED:
        raise ValidationError(f"The {year} plan is already approved; change it by an amendment with a reason.",
                              vi=f"Kế hoạch năm {year} đã được phê duyệt; muốn thay đổi hãy điều chỉnh kèm lý do.")
    if not decision_no.strip():
        raise ValidationError("The approval needs the decision number; nothing was saved.",
                              vi="Phê duyệt cần số quyết định; chưa lưu gì.")
    if approved_on > today:
        raise ValidationError(f"The approval date {approved_on:%d/%m/%Y} is in the future; nothing was saved.",
                              vi=f"Ngày phê duyệt {approved_on:%d/%m/%Y} ở tương lai; chưa lưu gì.")
    if total == 0:
        raise ValidationError(f"The {year} plan has no inspection to approve.",
                              vi=f"Kế hoạch năm {year} chưa có cuộc kiểm tra nào để phê duyệt.")
    check_onsite_share(on_site, total, share)


def check_onsite_share(on_site: int, total: int, share: Fraction) -> None:
    """At least ``share`` of the plan's (not cancelled) inspections on site."""
    if total and Fraction(on_site, total) < share:
        need = -(-total * share.numerator // share.denominator)
        raise ValidationError(
            f"Only {on_site} of {total} inspections are on site; the province's share ({share}) needs at least {need}.",
            vi=f"Mới có {on_site}/{total} cuộc kiểm tra tại cơ quan; tỷ lệ của tỉnh ({share}) cần ít nhất {need}.")


def parse_share(text: str | None) -> Fraction:
    """The on-site share setting (``1/3``, ``0.5``); the default when unset or unreadable."""
    try:
        share = Fraction(str(text).strip()) if text else DEFAULT_ONSITE_SHARE
    except (ValueError, ZeroDivisionError):
        return DEFAULT_ONSITE_SHARE
    return share if 0 <= share <= 1 else DEFAULT_ONSITE_SHARE


# -- status ---------------------------------------------------------------------------------------

def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def item_status(year: int, month: int, *, cancelled: bool, audit_status: str | None, today: dt.date) -> ItemStatus:
    """Cancelled wins; a submitted (or closed) inspection is done; otherwise past its month's end
    it is overdue, else in progress once its checklist is started, else planned."""
    if cancelled:
        return ItemStatus.CANCELLED
    if audit_status in ("submitted", "closed"):
        return ItemStatus.DONE
    if today > month_end(year, month):
        return ItemStatus.OVERDUE
    return ItemStatus.IN_PROGRESS if audit_status == "draft" else ItemStatus.PLANNED


# -- team -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Member:
    """An auditor as independence needs them: their account, the units they belong to (an
    officer's unit, a home unit), and the units they audited internally in the plan's year."""

    username: str
    home_units: frozenset[str] = frozenset()
    audited_internally: frozenset[str] = frozenset()


def independence_problem(unit_code: str, unit_name: str, member: Member, year: int) -> ValidationError | None:
    """The refusal when ``member`` may not inspect the unit, else None."""
    if unit_code in member.home_units:
        return ValidationError(
            f"{member.username} belongs to {unit_name} and may not inspect it (independence).",
            vi=f"{member.username} thuộc {unit_name} nên không được kiểm tra đơn vị này (tính độc lập).")
    if unit_code in member.audited_internally:
        return ValidationError(
            f"{member.username} audited {unit_name} internally in {year} and may not inspect it that year (independence).",
            vi=f"{member.username} đã đánh giá nội bộ {unit_name} năm {year} nên không được kiểm tra đơn vị này trong năm (tính độc lập).")
    return None


def load_by_month(items: Iterable[tuple[int, Sequence[str]]]) -> dict[tuple[str, int], int]:
    """Inspections per (auditor, month) from (month, team) pairs of the live items."""
    load: Counter[tuple[str, int]] = Counter()
    for month, team in items:
        for who in set(team):
            load[(who, month)] += 1
    return dict(load)


def check_load(load: dict[tuple[str, int], int], limit: int) -> None:
    """Refuse the first auditor above ``limit`` inspections in a month (by name, then month)."""
    for (who, month), n in sorted(load.items()):
        if n > limit:
            raise ValidationError(
                f"{who} would have {n} inspections in month {month}; the limit is {limit} per auditor and month.",
                vi=f"{who} sẽ có {n} cuộc kiểm tra trong tháng {month}; giới hạn là {limit} cuộc mỗi người mỗi tháng.")


# -- follow-up ------------------------------------------------------------------------------------

def report_due(signed_on: dt.date) -> dt.date:
    """The corrective report's due date: two calendar months after the minutes were signed."""
    return add_months(signed_on, INSPECTION_DUE_MONTHS)


def request_overdue(due_on: dt.date, reported_on: dt.date | None, today: dt.date) -> bool:
    """A request without its report after its due date (a late report is no longer overdue)."""
    return reported_on is None and today > due_on
