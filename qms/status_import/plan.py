"""What a status sheet means for each unit's lifecycle: the events a row implies, compared with
what is already recorded, so that only what is new is written.

Pure: parsed rows, the province's units and their recorded histories in; an :class:`ImportPlan`
out (every row's outcome, the events to record in order, the issues).  The store writes the plan
through :func:`qms.units.events_store.record_events_in`, which asks the lifecycle rules again.

**What a status row implies** (every event has ``source="import"``; ``date_estimated=True``
where the date stands in for an unknown one):

- ``chưa triển khai``: nothing.  ``đang xây dựng``: build started, as of the import date.
- ``đang áp dụng``: build started and applied, on the earliest date the row gives (its internal
  audit or management review), else as of the import date; then the dated audit and review.
- ``đã công bố``: build started, applied, internal audit, management review, effectiveness
  confirmed and announced.  The announcement takes the row's ``Ngày công bố`` (as of the import
  date, estimated, if empty).  Unknown dates are estimated *on* the day they must precede, in
  lifecycle order that day: build started and applied on the earliest date the row gives on or
  before the announcement (an earlier audit or review date, else the announcement date); the
  audit, review and confirmation on the announcement date, unless the row (or the record) already
  holds one between the start of applying and the announcement.  So the sequence is valid and
  nothing is dated earlier than the sheet's own dates.  ``Ngày công bố lại`` adds a
  re-announcement; ``Ngày đánh giá nội bộ gần nhất`` / ``Ngày xem xét của lãnh đạo gần nhất`` add
  the audit / review on that date.
- ``Tiêu chuẩn`` is the standard the unit follows now: the latest announcement's.  A first
  announcement dated before TCVN ISO 9001:2015 existed, followed by a re-announcement in the row,
  takes 2008 (the only standard there was); otherwise it takes the row's standard.
- ``Ghi chú`` goes into the scope note of the last stage event the row records.

**Against the record** (idempotence): the row is compared with the unit's stage today, its
recorded announcements, re-announcements, standard and latest audit and review; only missing
facts are added, so importing the same file twice writes nothing the second time.  A row that
contradicts the record (a lower stage than recorded, another announcement date or decision, a
'latest' audit older than a recorded one, a standard changed without a re-announcement) is an
error naming row and column, never an overwrite.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from pydantic import ValidationError as PydanticError

from qms.kernel.errors import ValidationError
from qms.status_import.sheet import Issue, ParsedFile, SheetInfo, SheetRow, UnitIndex, UnitRef
from qms.status_import.vocab import HEADERS, STATUS_WORDS
from qms.units.model import EventType, NewEvent, Stage, Standard
from qms.units.rules import ISO_2015_AVAILABLE, STAGE_AFTER, STAGE_ORDER, check_history, stage_on

E = EventType
OUTCOMES = ("new", "changed", "unchanged", "error")
_EVENT_ORDER = {e: i for i, e in enumerate(EventType)}
_DATED = ("announced_on", "re_announced_on", "audit_on", "review_on")


@dataclass
class RowOutcome:
    """One row's fate: ``new`` (first events of a unit with none recorded), ``changed`` (events
    added to a recorded history), ``unchanged`` (nothing to add) or ``error``."""

    sheet: str
    row: int
    kind: str
    unit: UnitRef | None
    outcome: str
    events: list[NewEvent] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (en, vi)
    label: tuple[str | None, str | None] = (None, None)  # code and name as the row wrote them


@dataclass
class ImportPlan:
    filename: str
    sha256: str
    sheets: list[SheetInfo]
    hidden_sheets: list[str]
    outcomes: list[RowOutcome]
    file_issues: list[Issue]
    events: list[NewEvent]  # in the order they must be recorded

    @property
    def issues(self) -> list[Issue]:
        return [*self.file_issues, *(i for o in self.outcomes for i in o.issues)]

    def counts(self) -> dict[str, int]:
        return {k: sum(1 for o in self.outcomes if o.outcome == k) for k in OUTCOMES}

    @property
    def digest(self) -> str:
        """Fingerprint of exactly what would be written: a confirmation must write what was previewed."""
        payload = [self.sha256] + [e.model_dump(mode="json") for e in self.events]
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _decision_key(text: str | None) -> str:
    key = "".join((text or "").casefold().split())
    return key.removeprefix("số").removeprefix("so")


def _d(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


@dataclass
class _Facts:
    """What the recorded history says today, in the terms of a status row."""

    stage: Stage
    since: dt.date | None
    announced: list[NewEvent]
    re_announced: list[NewEvent]
    audits: list[dt.date]
    reviews: list[dt.date]
    confirmations: list[dt.date]
    applied: list[dt.date]
    standard: Standard | None

    @classmethod
    def of(cls, history: Sequence[NewEvent], today: dt.date) -> _Facts:
        stage, since = stage_on(history, today)
        standard = None
        for e in sorted(history, key=lambda e: e.event_date):
            standard = None if e.event_type is E.WITHDRAWN else (e.standard or standard)
        of = lambda t: [e for e in history if e.event_type is t]  # noqa: E731
        return cls(stage, since, of(E.ANNOUNCED), of(E.RE_ANNOUNCED), [e.event_date for e in of(E.INTERNAL_AUDIT)],
                   [e.event_date for e in of(E.MANAGEMENT_REVIEW)], [e.event_date for e in of(E.EFFECTIVENESS_CONFIRMED)],
                   [e.event_date for e in of(E.APPLIED)], standard)


class _Row:
    """Collects one row's events (each with the column it came from) and issues."""

    def __init__(self, row: SheetRow, unit: UnitRef):
        self.row, self.unit = row, unit
        self.planned: list[tuple[NewEvent, str]] = []

    def add(self, kind: EventType, day: dt.date, column: str, *, estimated: bool = False,
            decision: str | None = None, standard: Standard | None = None, note: str | None = None) -> None:
        try:
            event = NewEvent(unit_code=self.unit.code, event_type=kind, event_date=day, decision_no=decision, standard=standard,
                             scope_note=note, source="import", date_estimated=estimated)
        except PydanticError as e:
            msg = e.errors()[0]["msg"]
            self.row.refuse(column, msg, msg)
            return
        self.planned.append((event, column))

    def refuse(self, column: str, en: str, vi: str) -> None:
        self.row.refuse(column, en, vi)


def _row_alone(r: _Row) -> None:
    """Cells that cannot go together whatever the record says."""
    row, s = r.row, r.row.stage
    if s is None:
        filled = [HEADERS[f] for f in ("standard", "decision_no", "re_decision_no", *_DATED) if row.get(f) is not None]
        if filled:
            words = ", ".join(STATUS_WORDS.values())
            r.refuse("status", f"the status is empty although the row fills {', '.join(filled)}; expected one of: {words}",
                     f"tình trạng để trống nhưng dòng có {', '.join(filled)}; cần một trong: {words}")
        return
    forbidden = {Stage.NOT_STARTED: ("standard", "decision_no", "re_decision_no", *_DATED),
                 Stage.BUILDING: ("decision_no", "re_decision_no", *_DATED),
                 Stage.APPLYING: ("decision_no", "re_decision_no", "announced_on", "re_announced_on"),
                 Stage.ANNOUNCED: ()}[s]
    for f in forbidden:
        if row.get(f) is not None:
            r.refuse(f, f"a unit whose status is '{STATUS_WORDS[s]}' has no {HEADERS[f]}; empty the cell or correct the status",
                     f"đơn vị có tình trạng '{STATUS_WORDS[s]}' không thể có {HEADERS[f]}; hãy xóa ô này hoặc sửa tình trạng")
    if s is not Stage.ANNOUNCED:
        return
    if not row.get("decision_no"):
        r.refuse("decision_no", "an announced unit needs the number of its announcement decision",
                 "đơn vị đã công bố cần có số quyết định công bố")
    if row.get("standard") is None:
        r.refuse("standard", "an announced unit needs its standard: 2008 or 2015", "đơn vị đã công bố cần ghi tiêu chuẩn: 2008 hoặc 2015")
    ann, re_ann = row.get("announced_on"), row.get("re_announced_on")
    if re_ann and not row.get("re_decision_no"):
        r.refuse("re_decision_no", "a re-announcement needs its decision number (in this column, or after ';' in the announcement's)",
                 "công bố lại cần số quyết định (ở cột này, hoặc sau dấu ';' trong cột số quyết định công bố)")
    if row.get("re_decision_no") and not re_ann:
        r.refuse("re_announced_on", "a re-announcement decision needs its date", "quyết định công bố lại cần có ngày công bố lại")
    if ann and re_ann and re_ann <= ann:
        r.refuse("re_announced_on", f"the re-announcement ({_d(re_ann)}) must come after the announcement ({_d(ann)})",
                 f"ngày công bố lại ({_d(re_ann)}) phải sau ngày công bố ({_d(ann)})")


def _status_row(r: _Row, facts: _Facts, today: dt.date) -> None:
    row, s, c = r.row, r.row.stage, facts.stage
    std, ann, re_ann = row.get("standard"), row.get("announced_on"), row.get("re_announced_on")
    audit, review = row.get("audit_on"), row.get("review_on")
    if STAGE_ORDER[s] < STAGE_ORDER[c]:
        since = f" since {_d(facts.since)}" if facts.since else ""
        r.refuse("status", f"the sheet says '{STATUS_WORDS[s]}' but the unit is recorded as '{STATUS_WORDS[c]}'{since}; "
                           "an import does not undo recorded events (record a withdrawal on the unit's page if the QMS was abandoned)",
                 f"bảng ghi '{STATUS_WORDS[s]}' nhưng đơn vị đã được ghi nhận '{STATUS_WORDS[c]}'"
                 f"{f' từ ngày {_d(facts.since)}' if facts.since else ''}; nhập dữ liệu không xóa sự kiện đã ghi "
                 "(nếu HTQLCL đã ngừng, hãy ghi sự kiện hủy bỏ ở trang Đơn vị)")
        return
    for f, day, recorded, what, vi in (("audit_on", audit, facts.audits, "internal audit", "đánh giá nội bộ"),
                                       ("review_on", review, facts.reviews, "management review", "xem xét của lãnh đạo")):
        if day and day not in recorded and recorded and max(recorded) > day:
            r.refuse(f, f"the unit's latest recorded {what} is of {_d(max(recorded))}, later than {_d(day)}",
                     f"lần {vi} gần nhất đã ghi nhận là ngày {_d(max(recorded))}, sau ngày {_d(day)}")
    if row.issues:
        return
    new_audit = audit if audit and audit not in facts.audits else None
    new_review = review if review and review not in facts.reviews else None
    stage_std = std if s is not Stage.ANNOUNCED else None

    def start(first: dt.date, column: str = "status") -> dt.date:
        """Record build start and applying (estimated, on ``first``) where the record lacks them;
        return the day applying began.  ``column`` is the one a refusal names."""
        if c is Stage.NOT_STARTED:
            r.add(E.BUILD_STARTED, first, column, estimated=True, standard=stage_std if s is Stage.BUILDING else None)
            if s is Stage.BUILDING:
                return first
        if STAGE_ORDER[c] < 2:
            day = max(first, facts.since) if c is Stage.BUILDING and facts.since else first
            r.add(E.APPLIED, day, column, estimated=True, standard=stage_std)
            return day
        return facts.applied[-1] if facts.applied else first

    if s is Stage.BUILDING and c is Stage.NOT_STARTED:
        start(today)
    elif s is Stage.APPLYING:
        if STAGE_ORDER[c] < 2:
            start(min([d for d in (audit, review) if d] + [today]))
        elif std is not None and facts.standard is not None and std != facts.standard:
            r.refuse("standard", f"the unit is recorded with TCVN ISO 9001:{facts.standard.value}; record a change of standard "
                                 "on the unit's page or in an events sheet", f"đơn vị đã ghi nhận TCVN ISO 9001:{facts.standard.value}; "
                                 "hãy ghi sự kiện chuyển đổi tiêu chuẩn ở trang Đơn vị hoặc trong bảng sự kiện")
    elif s is Stage.ANNOUNCED:
        _announced(r, facts, today, new_audit, new_review, start)
        if any(e.event_date == audit and e.event_type is E.INTERNAL_AUDIT for e, _ in r.planned):
            new_audit = None
        if any(e.event_date == review and e.event_type is E.MANAGEMENT_REVIEW for e, _ in r.planned):
            new_review = None
    if new_audit:
        r.add(E.INTERNAL_AUDIT, new_audit, "audit_on")
    if new_review:
        r.add(E.MANAGEMENT_REVIEW, new_review, "review_on")


def _announced(r: _Row, facts: _Facts, today: dt.date, new_audit, new_review, start) -> None:
    row = r.row
    std, ann, re_ann = row.get("standard"), row.get("announced_on"), row.get("re_announced_on")
    decision, re_decision = row.get("decision_no"), row.get("re_decision_no")
    if facts.stage is Stage.ANNOUNCED:
        if ann:
            same = [e for e in facts.announced if e.event_date == ann]
            if not same:
                recorded = ", ".join(_d(e.event_date) + (" (estimated)" if e.date_estimated else "") for e in facts.announced)
                r.refuse("announced_on", f"the unit's announcement is recorded on {recorded}, not {_d(ann)}; an import does not move a recorded event",
                         f"lần công bố đã ghi nhận ngày {recorded.replace('(estimated)', '(ước tính)')}, không phải ngày {_d(ann)}; "
                         "nhập dữ liệu không sửa sự kiện đã ghi")
            elif _decision_key(same[-1].decision_no) != _decision_key(decision):
                r.refuse("decision_no", f"the announcement of {_d(ann)} is recorded with decision {same[-1].decision_no}, not {decision}",
                         f"lần công bố ngày {_d(ann)} đã ghi nhận quyết định số {same[-1].decision_no}, không phải {decision}")
        elif _decision_key(decision) not in {_decision_key(e.decision_no) for e in facts.announced + facts.re_announced}:
            known = ", ".join(e.decision_no or "" for e in facts.announced + facts.re_announced)
            r.refuse("decision_no", f"decision {decision} is not among the unit's recorded announcements ({known})",
                     f"quyết định số {decision} không có trong các lần công bố đã ghi nhận ({known})")
    else:
        day = ann or today
        column = "announced_on" if ann else "status"  # the cell the estimated dates derive from
        first = start(min([d for d in (row.get("audit_on"), row.get("review_on")) if d and d <= day] + [day]), column)
        for kind, given, recorded, cell in ((E.INTERNAL_AUDIT, new_audit, facts.audits, "audit_on"),
                                             (E.MANAGEMENT_REVIEW, new_review, facts.reviews, "review_on")):
            if given and given <= day:
                r.add(kind, given, cell)
            elif not any(first <= d <= day for d in recorded) and not (row.get(cell) and row.get(cell) <= day):
                r.add(kind, day, column, estimated=True)
        if not any(first <= d <= day for d in facts.confirmations):
            r.add(E.EFFECTIVENESS_CONFIRMED, day, column, estimated=True)
        first_std = Standard.ISO_2008 if re_ann and std is Standard.ISO_2015 and day < ISO_2015_AVAILABLE else std
        r.add(E.ANNOUNCED, day, column, estimated=ann is None, decision=decision, standard=first_std)
    if re_ann:
        same = [e for e in facts.re_announced if e.event_date == re_ann]
        later = [e.event_date for e in facts.re_announced if e.event_date > re_ann]
        if same and _decision_key(same[-1].decision_no) != _decision_key(re_decision):
            r.refuse("re_decision_no", f"the re-announcement of {_d(re_ann)} is recorded with decision {same[-1].decision_no}",
                     f"lần công bố lại ngày {_d(re_ann)} đã ghi nhận quyết định số {same[-1].decision_no}")
        elif later:
            r.refuse("re_announced_on", f"a later re-announcement is recorded ({_d(max(later))})",
                     f"đã ghi nhận lần công bố lại muộn hơn (ngày {_d(max(later))})")
        elif not same:
            r.add(E.RE_ANNOUNCED, re_ann, "re_announced_on", decision=re_decision, standard=std)
    now = next((e.standard for e, _ in reversed(r.planned) if e.event_type in (E.ANNOUNCED, E.RE_ANNOUNCED)), facts.standard)
    if std is not None and now is not None and now != std and not row.issues:
        r.refuse("standard", f"the unit is recorded with TCVN ISO 9001:{now.value}; a change of standard needs a re-announcement "
                             "(fill 'Ngày công bố lại' and its decision number)",
                 f"đơn vị đã ghi nhận TCVN ISO 9001:{now.value}; chuyển đổi tiêu chuẩn cần công bố lại "
                 "(ghi 'Ngày công bố lại' và số quyết định)")


def _event_row(r: _Row, history: Sequence[NewEvent]) -> None:
    row, kind, day = r.row, r.row.get("event_type"), r.row.get("event_date")
    if day is None:
        r.refuse("event_date", "an event needs its date (dd/mm/yyyy)", "sự kiện cần có ngày (dd/mm/yyyy)")
        return
    if kind in (E.ANNOUNCED, E.RE_ANNOUNCED) and not row.get("decision_no"):
        r.refuse("decision_no", "an announcement needs the number of its decision", "công bố cần có số quyết định công bố")
    if kind in (E.ANNOUNCED, E.RE_ANNOUNCED, E.STANDARD_CHANGED) and row.get("standard") is None:
        r.refuse("standard", "this event needs the standard: 2008 or 2015", "sự kiện này cần ghi tiêu chuẩn: 2008 hoặc 2015")
    if row.issues:
        return
    same = [e for e in history if e.event_type is kind and e.event_date == day]
    if same:
        if row.get("decision_no") and _decision_key(same[-1].decision_no) != _decision_key(row.get("decision_no")):
            r.refuse("decision_no", f"this event is recorded with decision {same[-1].decision_no}",
                     f"sự kiện này đã ghi nhận với quyết định số {same[-1].decision_no}")
        return
    r.add(kind, day, "event_date", decision=row.get("decision_no"), standard=row.get("standard"), note=row.get("note"))


def _checked(r: _Row, history: list[NewEvent], today: dt.date, valid: tuple[dt.date | None, dt.date | None]) -> None:
    """Replay the row's events through the lifecycle rules; the first refusal names its column."""
    grown = list(history)
    for event, column in r.planned:
        try:
            check_history(grown, event, today=today, unit_valid_from=valid[0], unit_valid_to=valid[1])
        except ValidationError as e:
            r.refuse(column, str(e).removesuffix(" Nothing was saved.").rstrip("."),
                     (e.vi or str(e)).removesuffix(" Chưa lưu gì.").rstrip("."))
            return
        grown.append(event)


def plan_import(parsed: ParsedFile, units: Sequence[UnitRef], histories: Mapping[str, Sequence[NewEvent]], *,
                today: dt.date) -> ImportPlan:
    """Every row's outcome and the events to record.  Events sheets go first (in date order: they
    are the history), then status rows in file order, each compared with the record *and* with
    what earlier rows of the file add.  ``histories`` holds each unit's recorded events in
    date order (same-day events in recording order)."""
    index = UnitIndex(units)
    grown: dict[str, list[NewEvent]] = {code: list(h) for code, h in histories.items()}
    order = {s.name: i for i, s in enumerate(parsed.sheets)}
    seen: dict[str, SheetRow] = {}
    events: list[NewEvent] = []
    outcomes: list[RowOutcome] = []

    def run(row: SheetRow) -> None:
        label = (row.get("code"), row.get("name"))
        if row.kind == "status" and row.stage is None and not row.issues \
                and all(row.get(f) is None for f in ("standard", "decision_no", "re_decision_no", *_DATED)):
            # a template row left empty, or a section heading ("I. CẤP XÃ"): nothing to record, nothing to refuse
            unit = index.match(row)
            row.issues.clear()
            outcomes.append(RowOutcome(row.sheet, row.row, row.kind, unit, "unchanged", label=label,
                                       notes=[("no status: nothing to record", "không ghi tình trạng: bỏ qua")]))
            return
        unit = index.match(row)
        out = RowOutcome(row.sheet, row.row, row.kind, unit, "error", label=label)
        outcomes.append(out)
        if unit is None or row.issues:
            out.issues = row.issues
            return
        r = _Row(row, unit)
        history = grown.setdefault(unit.code, [])
        if row.kind == "status":
            if unit.code in seen:
                first = seen[unit.code]
                row.refuse("code", f"unit {unit.code} already appears in sheet '{first.sheet}', row {first.row}",
                           f"đơn vị {unit.code} đã có ở trang '{first.sheet}', dòng {first.row}")
            seen.setdefault(unit.code, row)
            _row_alone(r)
            if not row.issues:
                _status_row(r, _Facts.of(history, today), today)
                if row.get("note") and r.planned:
                    i = max((k for k, (e, _) in enumerate(r.planned) if e.event_type in STAGE_AFTER), default=len(r.planned) - 1)
                    r.planned[i] = (r.planned[i][0].model_copy(update={"scope_note": row.get("note")}), r.planned[i][1])
        else:
            _event_row(r, history)
        if not row.issues:
            _checked(r, history, today, (unit.valid_from, unit.valid_to))
        out.issues = row.issues
        if row.issues:
            return
        out.events = [e for e, _ in r.planned]
        out.outcome = "unchanged" if not out.events else ("changed" if histories.get(unit.code) else "new")
        history.extend(out.events)
        events.extend(out.events)

    event_rows = [r for r in parsed.rows if r.kind == "events"]
    dated = lambda r: (r.get("event_date") or dt.date.max, _EVENT_ORDER.get(r.get("event_type"), 99), order[r.sheet], r.row)  # noqa: E731
    for row in sorted(event_rows, key=dated):
        run(row)
    for row in parsed.rows:
        if row.kind == "status":
            run(row)
    outcomes.sort(key=lambda o: (order[o.sheet], o.row))
    return ImportPlan(parsed.filename, parsed.sha256, parsed.sheets, parsed.hidden_sheets, outcomes, parsed.issues, events)
