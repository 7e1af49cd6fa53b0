"""Scope of a QMS: the TTHC a unit handles, the ISO processes covering them, legal changes.

Pure rules (no database, no UI), from Decision 19/2014/QĐ-TTg Art. 4 and Circular 26/2014/TT-BKHCN
Art. 36:

- **completeness**: a unit's scope on a date is complete when every TTHC of its catalogue active on
  that date is linked to a process whose version in force on that date is *issued* (a draft covers
  nothing; a withdrawn process covers nothing from its withdrawal on);
- **the 3-month rule**: a process covering a TTHC touched by a legal change must be re-issued
  within 3 calendar months of the change taking effect (:func:`update_due`, :func:`update_state`);
- **process history**: every issue, withdrawal or draft is a new dated version; the whole history
  is replayed when one is added (:func:`check_process_version`), like the lifecycle's events.

The records these rules read and the rows the store returns are in :mod:`qms.scope.model`.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence

from qms.coverage.rules import rate_pct
from qms.kernel.errors import ValidationError
from qms.scope.model import (
    ChangeEffect,
    LegalChangeInput,
    ProcessStatus,
    ProcessVersionInput,
    UpdateState,
)
from qms.units.rules import EARLIEST_EVENT_DATE

#: Decision 19 Art. 4.4a: the QMS is updated within 3 months of a legal change taking effect.
UPDATE_MONTHS = 3


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus whole calendar months, the day clamped to the month's end (30/11 + 3 -> 28/02,
    or 29/02 in a leap year; 31/05 + 1 -> 30/06)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def update_due(effective_on: dt.date) -> dt.date:
    """The last day a process may be re-issued after a legal change effective on ``effective_on``."""
    return add_months(effective_on, UPDATE_MONTHS)


def update_state(
    *, effective_on: dt.date, as_of: dt.date, reissued_on: dt.date | None, withdrawn_on: dt.date | None = None
) -> UpdateState:
    """Where a process stands on ``as_of`` against a legal change effective on ``effective_on``.

    ``reissued_on`` is the first issue of the process dated on or after the effective date (an
    issue before it cannot take the change in), ``withdrawn_on`` the day the process was withdrawn
    (then nothing is left to update).  Both count only when dated on or before ``as_of``.  The due
    date itself is not overdue: the process is overdue from the day after it.
    """
    if reissued_on is not None and effective_on <= reissued_on <= as_of:
        return UpdateState.DONE
    if withdrawn_on is not None and withdrawn_on <= as_of:
        return UpdateState.DROPPED
    return UpdateState.OVERDUE if update_due(effective_on) < as_of else UpdateState.PENDING


def scope_rate(covered: int, total: int) -> float | None:
    """Covered share of the catalogue in percent (2 decimals); None for a unit with no catalogue
    (unknown, not 0%: it must not be shown as a failure nor as complete)."""
    return rate_pct(covered, total)


def scope_complete(covered: int, total: int) -> bool | None:
    """True when every TTHC is covered; None when the unit has no TTHC in its catalogue."""
    if covered < 0 or covered > total:
        raise ValueError(f"impossible counts: {covered} covered of {total}")
    return None if total == 0 else covered == total


def reannouncement_due(*, announced_on: dt.date | None, scope_changed_on: dt.date | None) -> bool:
    """Decision 19 Art. 4.4c: an announced unit re-announces when its scope changes.

    ``announced_on`` is the unit's latest announcement or re-announcement (None when it has not
    announced, or withdrew its QMS: nothing to re-announce); ``scope_changed_on`` the latest legal
    change adding or removing TTHC of the unit (its effective date).  Due when the scope changed
    after the last announcement; an announcement on or after the change's effective date already
    covers the new scope.
    """
    if announced_on is None or scope_changed_on is None:
        return False
    return scope_changed_on > announced_on


# -- process history ------------------------------------------------------------------------------

_NOTHING_SAVED = ("Nothing was saved.", "Chưa lưu gì.")


def _refuse(en: str, vi: str) -> ValidationError:
    return ValidationError(f"{en} {_NOTHING_SAVED[0]}", vi=f"{vi} {_NOTHING_SAVED[1]}")


def in_force(versions: Sequence[ProcessVersionInput], day: dt.date) -> ProcessStatus | None:
    """The state of a process on ``day``: the status of its latest issue or withdrawal dated on or
    before it (drafts change nothing: a revision being drafted leaves the issued version in force);
    None when it was never issued by then.  Same-day versions apply in the order given."""
    state = None
    for v in sorted(versions, key=lambda v: v.status_on):
        if v.status_on > day:
            break
        if v.status is not ProcessStatus.DRAFT:
            state = v.status
    return state


def check_process_version(history: Sequence[ProcessVersionInput], proposed: ProcessVersionInput, *, today: dt.date) -> None:
    """Raise :class:`ValidationError` (one sentence) unless ``proposed`` fits the process's history.

    ``history`` holds the recorded versions of the same unit and process code in recording order;
    ``proposed`` goes after those of its own date.  Refused: a date in the future or before
    2006; a withdrawal on a day the process was not in force (never issued, or already withdrawn),
    also when a back-dated version would make a recorded withdrawal impossible; an issue number
    already used by another issue of the process.
    """
    d = proposed.status_on.strftime("%d/%m/%Y")
    name = f"{proposed.unit_code}/{proposed.code}"
    for day in (proposed.status_on, proposed.issued_on):
        if day is not None and day > today:
            raise _refuse(f"Process {name}: the date {day:%d/%m/%Y} is in the future (today is {today:%d/%m/%Y}).",
                          f"Quy trình {name}: ngày {day:%d/%m/%Y} ở tương lai (hôm nay là {today:%d/%m/%Y}).")
        if day is not None and day < EARLIEST_EVENT_DATE:
            raise _refuse(f"Process {name}: the date {day:%d/%m/%Y} is before {EARLIEST_EVENT_DATE:%d/%m/%Y}.",
                          f"Quy trình {name}: ngày {day:%d/%m/%Y} trước ngày {EARLIEST_EVENT_DATE:%d/%m/%Y}.")
    if proposed.status is ProcessStatus.ISSUED and proposed.issue_no:
        for v in history:
            if v.status is ProcessStatus.ISSUED and v.issue_no == proposed.issue_no and v.issued_on != proposed.issued_on:
                raise _refuse(
                    f"Process {name}: issue {proposed.issue_no} was already issued on {v.issued_on:%d/%m/%Y}; "
                    "give the new issue its own number.",
                    f"Quy trình {name}: lần ban hành {proposed.issue_no} đã ban hành ngày {v.issued_on:%d/%m/%Y}; "
                    "hãy ghi số lần ban hành mới.",
                )
    steps = sorted([*enumerate(history), (len(history), proposed)], key=lambda p: (p[1].status_on, p[0]))
    state: ProcessStatus | None = None
    for _, step in steps:
        if step.status is ProcessStatus.WITHDRAWN and state is not ProcessStatus.ISSUED:
            when = step.status_on.strftime("%d/%m/%Y")
            if step is proposed:
                raise _refuse(f"Process {name} was not in force on {d} (never issued or already withdrawn), so it cannot be withdrawn.",
                              f"Ngày {d} quy trình {name} không có hiệu lực (chưa ban hành hoặc đã thu hồi) nên không thể thu hồi.")
            raise _refuse(f"Process {name}: with this version, the recorded withdrawal of {when} would become impossible.",
                          f"Quy trình {name}: nếu thêm phiên bản này, việc thu hồi đã ghi ngày {when} sẽ không còn hợp lệ.")
        if step.status is not ProcessStatus.DRAFT:
            state = step.status


def check_legal_change(change: LegalChangeInput, *, today: dt.date) -> None:
    """Refuse a legal change whose own dates are wrong (the document signed in the future or
    before 2006).  An effective date in the future is allowed: documents are signed ahead."""
    for day in (change.signed_on, change.effective_on):
        if day is not None and day < EARLIEST_EVENT_DATE:
            raise _refuse(f"{change.document_no}: the date {day:%d/%m/%Y} is before {EARLIEST_EVENT_DATE:%d/%m/%Y}.",
                          f"{change.document_no}: ngày {day:%d/%m/%Y} trước ngày {EARLIEST_EVENT_DATE:%d/%m/%Y}.")
    if change.signed_on is not None and change.signed_on > today:
        raise _refuse(f"{change.document_no}: the signing date {change.signed_on:%d/%m/%Y} is in the future.",
                      f"{change.document_no}: ngày ký {change.signed_on:%d/%m/%Y} ở tương lai.")


def changes_scope(change: LegalChangeInput) -> bool:
    """Whether the change adds or removes TTHC from some unit's scope (re-announcement due)."""
    return any(i.effect is not ChangeEffect.AMENDED for i in change.items)
