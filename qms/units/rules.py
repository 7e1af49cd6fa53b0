"""The QMS lifecycle rules of Decision 19/2014/QĐ-TTg Art. 4 and Circular 26 Art. 7.

A unit's stage on a date is derived from its dated events, never stored.  Only some events move
the stage (build started -> building, applied -> applying, announced/re-announced -> announced,
withdrawn -> not started); audits, reviews, confirmations and standard changes are recorded
facts that the rules and the maintenance check read.

:func:`check_history` replays a unit's whole history with a proposed event inserted at its date,
so an event back-dated between two others is checked against what came before *and* must not
make what comes after impossible.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from qms.kernel.errors import ValidationError
from qms.units.model import EventType, NewEvent, Stage

#: The day Decision 19/2014/QĐ-TTg took effect; nothing in the lifecycle is dated before it
#: except what units carried over from Decisions 144/2006 and 118/2009.
DECISION_19_IN_FORCE = dt.date(2014, 5, 18)
#: Earliest date the app accepts for an event (QMS under Decision 144/2006 predate Decision 19).
EARLIEST_EVENT_DATE = dt.date(2006, 1, 1)

STAGE_ORDER: dict[Stage, int] = {
    Stage.NOT_STARTED: 0,
    Stage.BUILDING: 1,
    Stage.APPLYING: 2,
    Stage.ANNOUNCED: 3,
}

#: Events that move a unit to a stage; the others leave the stage as it is.
STAGE_AFTER: dict[EventType, Stage] = {
    EventType.BUILD_STARTED: Stage.BUILDING,
    EventType.APPLIED: Stage.APPLYING,
    EventType.ANNOUNCED: Stage.ANNOUNCED,
    EventType.RE_ANNOUNCED: Stage.ANNOUNCED,
    EventType.WITHDRAWN: Stage.NOT_STARTED,
}

#: Events that need a decision number and the standard version.
NEEDS_DECISION = frozenset({EventType.ANNOUNCED, EventType.RE_ANNOUNCED})
NEEDS_STANDARD = frozenset({EventType.ANNOUNCED, EventType.RE_ANNOUNCED, EventType.STANDARD_CHANGED})

#: TCVN ISO 9001:2015 was published in 2015; no QMS can be announced against it before.
ISO_2015_AVAILABLE = dt.date(2015, 9, 15)


@dataclass(frozen=True)
class _Step:
    event_type: EventType
    event_date: dt.date
    standard: str | None
    order: int


def stage_on(events: Iterable[NewEvent], day: dt.date) -> tuple[Stage, dt.date | None]:
    """The stage on ``day`` (events dated that day count) and the date it was entered.

    With no stage-moving event by ``day`` the unit has not started: ``(NOT_STARTED, None)``.
    Events of the same day apply in the order given.
    """
    stage, since = Stage.NOT_STARTED, None
    for ev in sorted(events, key=lambda e: e.event_date):
        if ev.event_date > day:
            break
        after = STAGE_AFTER.get(ev.event_type)
        if after is not None:
            stage, since = after, ev.event_date
    return stage, since


def _refusal(ev: _Step, stage: Stage, announced_ever: bool, standard: str | None) -> tuple[str, str] | None:
    """Why ``ev`` cannot follow a unit in ``stage``, in English and Vietnamese; None when it can."""
    t = ev.event_type
    d = ev.event_date.strftime("%d/%m/%Y")
    if t is EventType.BUILD_STARTED and stage is not Stage.NOT_STARTED:
        return (f"the QMS was already being built or in place on {d}; building cannot start again unless it is withdrawn",
                f"ngày {d} HTQLCL đã đang xây dựng hoặc đã áp dụng; không thể bắt đầu xây dựng lại nếu chưa hủy bỏ")
    if t is EventType.APPLIED and stage is not Stage.BUILDING:
        if stage is Stage.NOT_STARTED:
            return (f"on {d} the unit had not started building its QMS, so it cannot apply it",
                    f"ngày {d} đơn vị chưa bắt đầu xây dựng HTQLCL nên chưa thể áp dụng")
        return (f"the QMS was already applied before {d}", f"HTQLCL đã được áp dụng trước ngày {d}")
    if t in (EventType.INTERNAL_AUDIT, EventType.MANAGEMENT_REVIEW, EventType.EFFECTIVENESS_CONFIRMED) and STAGE_ORDER[stage] < 2:
        return (f"on {d} the unit was not yet applying its QMS; an internal audit, management review or "
                "confirmation of effectiveness needs an applied QMS",
                f"ngày {d} đơn vị chưa áp dụng HTQLCL; đánh giá nội bộ, xem xét của lãnh đạo hay xác nhận "
                "hiệu lực đều cần HTQLCL đã được áp dụng")
    if t is EventType.ANNOUNCED:
        if stage is Stage.ANNOUNCED:
            return (f"the QMS was already announced before {d}; record a re-announcement instead",
                    f"HTQLCL đã được công bố trước ngày {d}; hãy ghi nhận công bố lại")
        if stage is not Stage.APPLYING:
            return (f"on {d} the unit had not applied its QMS, so it cannot announce it",
                    f"ngày {d} đơn vị chưa áp dụng HTQLCL nên không thể công bố")
    if t is EventType.RE_ANNOUNCED and stage is not Stage.ANNOUNCED:
        if announced_ever:
            return (f"on {d} the QMS was not announced (it was withdrawn); announce it again instead of re-announcing",
                    f"ngày {d} HTQLCL không ở trạng thái đã công bố (đã hủy bỏ); hãy công bố mới thay vì công bố lại")
        return (f"on {d} the QMS had never been announced, so it cannot be re-announced",
                f"đến ngày {d} HTQLCL chưa từng được công bố nên không thể công bố lại")
    if t is EventType.STANDARD_CHANGED:
        if STAGE_ORDER[stage] < 2:
            return (f"on {d} the unit was not yet applying a QMS whose standard could change",
                    f"ngày {d} đơn vị chưa áp dụng HTQLCL nên không thể chuyển đổi tiêu chuẩn")
        if ev.standard is not None and ev.standard == standard:
            return (f"the QMS already followed TCVN ISO 9001:{standard} on {d}",
                    f"ngày {d} HTQLCL đã theo TCVN ISO 9001:{standard}")
    if t is EventType.WITHDRAWN and stage is Stage.NOT_STARTED:
        return (f"on {d} the unit had no QMS to withdraw", f"ngày {d} đơn vị chưa có HTQLCL để hủy bỏ")
    return None


_NOTHING_SAVED = ("Nothing was saved.", "Chưa lưu gì.")


def _refuse(en: str, vi: str) -> ValidationError:
    return ValidationError(f"{en} {_NOTHING_SAVED[0]}", vi=f"{vi} {_NOTHING_SAVED[1]}")


def check_event_fields(event: NewEvent, *, today: dt.date) -> None:
    """Refuse an event whose own fields are wrong, whatever the unit's history."""
    d = event.event_date.strftime("%d/%m/%Y")
    if event.event_date > today:
        raise _refuse(f"The date {d} is in the future (today is {today:%d/%m/%Y}).",
                      f"Ngày {d} ở tương lai (hôm nay là {today:%d/%m/%Y}).")
    if event.event_date < EARLIEST_EVENT_DATE:
        raise _refuse(f"The date {d} is before {EARLIEST_EVENT_DATE:%d/%m/%Y}.",
                      f"Ngày {d} trước ngày {EARLIEST_EVENT_DATE:%d/%m/%Y}.")
    if event.event_type in NEEDS_DECISION and not event.decision_no:
        raise _refuse("An announcement needs the number of the announcement decision.",
                      "Công bố cần có số quyết định công bố.")
    if event.event_type in NEEDS_STANDARD and event.standard is None:
        raise _refuse("Choose the standard version (TCVN ISO 9001:2008 or 2015).",
                      "Hãy chọn phiên bản tiêu chuẩn (TCVN ISO 9001:2008 hoặc 2015).")
    if event.standard is not None and event.standard.value == "2015" and event.event_date < ISO_2015_AVAILABLE:
        raise _refuse(f"TCVN ISO 9001:2015 did not exist on {d}; choose 2008 or correct the date.",
                      f"Ngày {d} chưa có TCVN ISO 9001:2015; hãy chọn 2008 hoặc sửa ngày.")


def check_history(
    history: Sequence[NewEvent],
    proposed: NewEvent,
    *,
    today: dt.date,
    unit_valid_from: dt.date | None = None,
    unit_valid_to: dt.date | None = None,
) -> None:
    """Raise :class:`ValidationError` (one sentence) unless ``proposed`` fits the unit's history.

    ``history`` is the unit's recorded events in recording order.  The proposed event goes after
    every recorded event of the same date.  The whole sequence is replayed, so a back-dated event
    that would make a later recorded event impossible is refused too.
    """
    check_event_fields(proposed, today=today)
    d = proposed.event_date.strftime("%d/%m/%Y")
    if unit_valid_from and proposed.event_date < unit_valid_from:
        raise _refuse(f"The unit did not exist yet on {d} (it exists from {unit_valid_from:%d/%m/%Y}).",
                      f"Ngày {d} đơn vị chưa được thành lập (thành lập từ {unit_valid_from:%d/%m/%Y}).")
    if unit_valid_to and proposed.event_date >= unit_valid_to:
        raise _refuse(f"The unit no longer existed on {d} (merged or dissolved on {unit_valid_to:%d/%m/%Y}).",
                      f"Ngày {d} đơn vị không còn tồn tại (đã sáp nhập hoặc giải thể từ {unit_valid_to:%d/%m/%Y}).")
    steps = [_Step(e.event_type, e.event_date, e.standard.value if e.standard else None, i) for i, e in enumerate(history)]
    new = _Step(proposed.event_type, proposed.event_date, proposed.standard.value if proposed.standard else None, len(steps))
    steps.append(new)
    steps.sort(key=lambda s: (s.event_date, s.order))
    stage, announced_ever, standard = Stage.NOT_STARTED, False, None
    for step in steps:
        reason = _refusal(step, stage, announced_ever, standard)
        if reason is not None:
            en, vi = reason
            if step is new:
                raise _refuse(f"Refused: {en}.", f"Không hợp lệ: {vi}.")
            when = step.event_date.strftime("%d/%m/%Y")
            raise _refuse(
                f"Refused: with this event, the recorded '{step.event_type.value}' of {when} would become impossible ({en}).",
                f"Không hợp lệ: nếu thêm sự kiện này, sự kiện '{step.event_type.value}' đã ghi ngày {when} sẽ không còn hợp lệ ({vi}).",
            )
        stage = STAGE_AFTER.get(step.event_type, stage)
        if step.event_type in (EventType.ANNOUNCED, EventType.RE_ANNOUNCED):
            announced_ever = True
        if step.standard is not None:
            standard = step.standard
        if step.event_type is EventType.WITHDRAWN:
            standard = None


def maintenance_by_year(events: Sequence[NewEvent], until: dt.date) -> list[tuple[int, bool, bool]]:
    """``(year, internal audit held, management review held)`` for every year after the first
    announcement up to ``until``'s year (the announcement year itself is covered by the audit
    and review that preceded it)."""
    announced = [e.event_date for e in events if e.event_type is EventType.ANNOUNCED and e.event_date <= until]
    if not announced:
        return []
    out = []
    for year in range(min(announced).year + 1, until.year + 1):
        kinds = {e.event_type for e in events if e.event_date.year == year and e.event_date <= until}
        out.append((year, EventType.INTERNAL_AUDIT in kinds, EventType.MANAGEMENT_REVIEW in kinds))
    return out
