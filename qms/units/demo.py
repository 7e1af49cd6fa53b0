"""The Lai Châu demo province: a seeded, rule-abiding lifecycle history from 2014 to the day loaded.

Up to the eve of the 2025 reform (``history_until``) the history is the same on every load; the
changes of 2020 and 2025 are imported through the change import's own path
(:mod:`qms.admin_changes.demo_store`); after the reform (:func:`generate_after_reform`) the
history depends only on the end date asked for.

Pure: settings and unit records in, events and targets out.  Every event list is built unit by
unit and replayed through :func:`qms.units.rules.check_history` as it grows, so the demo can never
hold a history the app itself would refuse.  Calibrated to the published figure: on the
calibration date exactly ``communes_announced`` communes have announced.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from qms.units.model import EventType, Level, NewEvent, Standard, Target, UnitRecord
from qms.units.rules import check_history

E = EventType


#: An end date on or before this day loads the demo as it was before the reforms were modelled:
#: the 2014-2021 history alone, no 2025 merger or reform (``qms demo --until 2021-12-31``).
PRE_REFORM_DEMO_UNTIL = dt.date(2021, 12, 31)


@dataclass(frozen=True)
class DemoSettings:
    seed: int
    history_until: dt.date
    merger_date: dt.date
    merged_away: tuple[str, ...]
    renamed: dict[str, str]
    calibration_date: dt.date
    communes_announced: int
    communes_never_started: int
    departments_missing_maintenance: int
    districts_missing_maintenance: int
    sample_targets: dict[str, dict[int, float]] = field(default_factory=dict)
    #: The last day of the demo's history (the load day unless given): only what comes after the
    #: reform depends on it.
    until: dt.date | None = None
    department_merger: dict = field(default_factory=dict)
    reform: dict = field(default_factory=dict)
    after_reform: dict = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, raw: dict) -> DemoSettings:
        cal = raw["calibration"]
        return cls(
            seed=int(raw["seed"]),
            history_until=_date(raw["history_until"]),
            merger_date=_date(raw["merger_date"]),
            merged_away=tuple(str(c) for c in raw.get("merged_away", [])),
            renamed={str(k): str(v) for k, v in (raw.get("renamed") or {}).items()},
            calibration_date=_date(cal["date"]),
            communes_announced=int(cal["communes_announced"]),
            communes_never_started=int(cal["communes_never_started"]),
            departments_missing_maintenance=int(cal["departments_missing_2016_maintenance"]),
            districts_missing_maintenance=int(cal["districts_missing_2016_maintenance"]),
            sample_targets={lv: {int(y): float(p) for y, p in years.items()} for lv, years in raw["sample_targets"].items()},
            department_merger=dict(raw.get("department_merger") or {}),
            reform=dict(raw.get("reform") or {}),
            after_reform=dict(raw.get("after_reform") or {}),
        )


def _date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def apply_changes(units: Sequence[UnitRecord], settings: DemoSettings) -> list[UnitRecord]:
    """The unit list with the merged-away communes ended on the merger date."""
    gone = set(settings.merged_away)
    dept = settings.department_merger
    dept_gone = set(dept.get("merged_away", []))
    out = []
    for u in units:
        if u.code in gone:
            u = u.model_copy(update={"valid_to": settings.merger_date})
        elif u.code in dept_gone:
            u = u.model_copy(update={"valid_to": _date(dept["effective"])})
        out.append(u)
    return out


def sample_targets(settings: DemoSettings) -> list[Target]:
    return [
        Target(level=Level(level), year=year, target_pct=pct, is_sample=True)
        for level, years in sorted(settings.sample_targets.items())
        for year, pct in sorted(years.items())
    ]


class _History:
    """One unit's events, each checked against the rules as it is added."""

    def __init__(self, unit: UnitRecord, today: dt.date, decision_prefix: str):
        self.unit, self.today, self.prefix = unit, today, decision_prefix
        self.events: list[NewEvent] = []
        self.decisions = 0

    def add(self, kind: EventType, day: dt.date, *, standard: Standard | None = None, note: str | None = None) -> None:
        decision = None
        if kind in (E.ANNOUNCED, E.RE_ANNOUNCED):
            self.decisions += 1
            decision = f"{(day.toordinal() * 7 + self.decisions) % 300 + 1}/QĐ-{self.prefix}"
        ev = NewEvent(unit_code=self.unit.code, event_type=kind, event_date=day, decision_no=decision,
                      standard=standard, scope_note=note, source="demo")
        check_history(self.events, ev, today=self.today, unit_valid_from=self.unit.valid_from, unit_valid_to=self.unit.valid_to)
        self.events.append(ev)


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    if end <= start:
        return start
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def _roll_out(h: _History, rng: random.Random, announced: dt.date) -> dt.date:
    """Build, apply, audit, review, confirm and announce, the announcement on ``announced``:
    the steps are laid backwards from that day, so the calibration holds exactly."""
    confirmed = announced - dt.timedelta(days=rng.randint(1, 20))
    review = confirmed - dt.timedelta(days=rng.randint(1, 10))
    audit = review - dt.timedelta(days=rng.randint(5, 20))
    applied = audit - dt.timedelta(days=rng.randint(30, 60))
    build = applied - dt.timedelta(days=rng.randint(60, 150))
    h.add(E.BUILD_STARTED, build)
    h.add(E.APPLIED, applied)
    h.add(E.INTERNAL_AUDIT, audit)
    h.add(E.MANAGEMENT_REVIEW, review)
    h.add(E.EFFECTIVENESS_CONFIRMED, confirmed)
    h.add(E.ANNOUNCED, announced, standard=Standard.ISO_2008, note="Toàn bộ TTHC thuộc thẩm quyền giải quyết của đơn vị")
    return announced


def _maintain(h: _History, rng: random.Random, first_year: int, until: dt.date, skip_years: set[int],
              miss_rate: float, switch_year: int | None) -> None:
    """Yearly internal audit and management review; a move to TCVN ISO 9001:2015 with a
    re-announcement in ``switch_year``; now and then a scope change re-announced."""
    end = until
    standard = Standard.ISO_2008
    for year in range(first_year, until.year + 1):
        if year in skip_years or rng.random() < miss_rate:
            # a missed year: at most one of the two activities happens
            if rng.random() < 0.5:
                h.add(E.INTERNAL_AUDIT, _day(rng, dt.date(year, 5, 1), min(end, dt.date(year, 11, 30))))
            continue
        audit = _day(rng, dt.date(year, 4, 1), min(end, dt.date(year, 10, 31)))
        if audit > end:
            break
        h.add(E.INTERNAL_AUDIT, audit)
        review = min(end, audit + dt.timedelta(days=rng.randint(10, 45)))
        h.add(E.MANAGEMENT_REVIEW, review)
        if switch_year == year and standard is Standard.ISO_2008:
            changed = min(end, review + dt.timedelta(days=rng.randint(10, 40)))
            h.add(E.STANDARD_CHANGED, changed, standard=Standard.ISO_2015)
            h.add(E.RE_ANNOUNCED, min(end, changed + dt.timedelta(days=rng.randint(5, 30))), standard=Standard.ISO_2015,
                  note="Chuyển đổi sang TCVN ISO 9001:2015 (Quyết định 101/QĐ-BKHCN)")
            standard = Standard.ISO_2015
        elif rng.random() < 0.08:
            h.add(E.RE_ANNOUNCED, min(end, review + dt.timedelta(days=rng.randint(10, 40))), standard=standard,
                  note="Điều chỉnh phạm vi theo danh mục TTHC mới công bố")


def generate_events(units: Sequence[UnitRecord], settings: DemoSettings) -> list[NewEvent]:
    """The demo's whole lifecycle history, valid under the rules, the same for the same settings."""
    rng = random.Random(settings.seed)
    until = settings.history_until
    cal = settings.calibration_date
    out: list[NewEvent] = []

    def units_of(level: Level) -> list[UnitRecord]:
        return sorted((u for u in units if u.level is level and u.in_plan and u.exists_on(cal)), key=lambda u: u.code)

    for level, prefix, missing in (
        (Level.DEPARTMENT, "S", settings.departments_missing_maintenance),
        (Level.DISTRICT, "UBND", settings.districts_missing_maintenance),
    ):
        group = units_of(level)
        missing_2016 = set(u.code for u in rng.sample(group, min(missing, len(group))))
        for u in group:
            h = _History(u, until, prefix)
            last_day = min(until, (u.valid_to or until + dt.timedelta(days=1)) - dt.timedelta(days=1))
            announced = _roll_out(h, rng, _day(rng, dt.date(2015, 3, 1), dt.date(2016, 9, 30)))
            _maintain(h, rng, announced.year + 1, last_day, {2016} if u.code in missing_2016 else set(), 0.05,
                      rng.choice([2019, 2019, 2020, 2020, 2021]))
            out += h.events

    communes = units_of(Level.COMMUNE)
    gone = [u for u in communes if u.code in settings.merged_away]
    others = [u for u in communes if u.code not in settings.merged_away]
    rng.shuffle(others)
    early = gone + others[: settings.communes_announced - len(gone)]
    rest = others[settings.communes_announced - len(gone):]
    never = rest[: settings.communes_never_started]
    late = rest[settings.communes_never_started:]
    for u in early:
        h = _History(u, until, "UBND")
        last_day = min(until, (u.valid_to or until + dt.timedelta(days=1)) - dt.timedelta(days=1))
        announced = _roll_out(h, rng, _day(rng, dt.date(2015, 6, 1), cal))
        _maintain(h, rng, announced.year + 1, last_day, set(), 0.12, rng.choice([2019, 2020, 2020, 2021, None]))
        out += h.events
    for i, u in enumerate(late):
        h = _History(u, until, "UBND")
        if i % 9 == 0:  # still building or applying at the end of the history
            h.add(E.BUILD_STARTED, _day(rng, dt.date(2016, 3, 1), dt.date(2021, 3, 1)))
            if i % 2 == 0:
                h.add(E.APPLIED, _day(rng, h.events[-1].event_date + dt.timedelta(days=90), until))
            out += h.events
            continue
        announced = _roll_out(h, rng, _day(rng, dt.date(2017, 3, 1), dt.date(2021, 9, 30)))
        _maintain(h, rng, announced.year + 1, until, set(), 0.12, rng.choice([2020, 2021, None]) if announced.year < 2020 else None)
        out += h.events
    del never  # never-started communes have no event at all
    return sorted(out, key=lambda e: (e.event_date, e.unit_code))


def generate_after_reform(units: Sequence[UnitRecord], announced_before: set[str], settings: DemoSettings,
                          until: dt.date, prior: dict[str, list[NewEvent]] | None = None) -> list[NewEvent]:
    """The history from the reform's effective date to ``until``, valid under the rules.

    ``units`` exist on the effective date (keys, valid_from), ``prior`` holds their recorded
    events (checked against, not returned); ``announced_before`` are the keys announced on its eve (departments and the communes that continue).  A whole plan is drawn
    from its own seed, the same whatever ``until`` is, and only the events up to ``until`` are
    kept: the history of a later end date extends that of an earlier one.

    - units that continue with an announced QMS: internal audit and management review every
      year, from the year of the reform on;
    - new communes: building from late 2025 (``build_share``), applying in the first half of
      2026 (``apply_share``), internal audit, review, confirmation and announcement in the second
      half of 2026 (``announce_share``) against TCVN ISO 9001:2015.
    """
    cfg = settings.after_reform
    effective = _date(settings.reform["effective"])
    rng = random.Random(int(cfg.get("seed", 2025)))
    horizon = dt.date(effective.year + 3, 12, 31)  # the plan reaches beyond any test's end date
    out: list[NewEvent] = []
    for u in sorted(units, key=lambda u: u.code):
        h = _History(u, horizon, "UBND" if u.level is not Level.DEPARTMENT else "S")
        h.events = list((prior or {}).get(u.code, []))
        known = len(h.events)
        if u.code in announced_before:
            for year in range(effective.year + 1, horizon.year + 1):
                audit = _day(rng, dt.date(year, 4, 1), dt.date(year, 10, 31))
                h.add(E.INTERNAL_AUDIT, audit)
                h.add(E.MANAGEMENT_REVIEW, audit + dt.timedelta(days=rng.randint(10, 45)))
        elif u.level is Level.COMMUNE and u.valid_from == effective:
            _new_commune(h, rng, cfg, effective)
        out += [e for e in h.events[known:] if e.event_date <= until]
    return sorted(out, key=lambda e: (e.event_date, e.unit_code))


def _new_commune(h: _History, rng: random.Random, cfg: dict, effective: dt.date) -> None:
    """A commune formed by the reform builds, applies and announces its own QMS (or gets part way)."""
    if rng.random() >= float(cfg.get("build_share", 0.85)):
        return
    build = _day(rng, dt.date(effective.year, 8, 15), dt.date(effective.year, 12, 20))
    h.add(E.BUILD_STARTED, build)
    if rng.random() >= float(cfg.get("apply_share", 0.6)):
        return
    applied = _day(rng, dt.date(effective.year + 1, 2, 1), dt.date(effective.year + 1, 6, 15))
    h.add(E.APPLIED, applied)
    audit = applied + dt.timedelta(days=rng.randint(60, 120))
    h.add(E.INTERNAL_AUDIT, audit)
    review = audit + dt.timedelta(days=rng.randint(5, 20))
    h.add(E.MANAGEMENT_REVIEW, review)
    if rng.random() >= float(cfg.get("announce_share", 0.35)):
        return
    confirmed = review + dt.timedelta(days=rng.randint(5, 20))
    h.add(E.EFFECTIVENESS_CONFIRMED, confirmed)
    h.add(E.ANNOUNCED, confirmed + dt.timedelta(days=rng.randint(3, 20)), standard=Standard.ISO_2015,
          note="Toàn bộ TTHC thuộc thẩm quyền giải quyết của UBND xã sau sắp xếp")
