"""Coverage formulas: plain numbers in, numbers out.

The store computes the counts in SQL; these functions turn counts into rates and gaps, and
:func:`coverage_from_events` recomputes the same figures from plain records, the reference the
SQL is tested (and benchmarked) against.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from qms.units.model import COVERAGE_LEVELS, Level, NewEvent, Stage, UnitRecord
from qms.units.rules import stage_on


def rate_pct(announced: int, in_plan: int) -> float | None:
    """Announced share in percent, rounded to 2 decimals; None when no unit is counted (not 0%:
    a level with no unit has no rate, and a chart must not show it as a failure)."""
    if in_plan < 0 or announced < 0 or announced > in_plan:
        raise ValueError(f"impossible counts: {announced} announced of {in_plan}")
    if in_plan == 0:
        return None
    return round(100.0 * announced / in_plan, 2)


def gap_pct(rate: float | None, target: float | None) -> float | None:
    """Percentage points still missing to reach the target: 0 once reached, None if either is unknown."""
    if rate is None or target is None:
        return None
    return round(max(0.0, target - rate), 2)


@dataclass(frozen=True)
class Counts:
    in_plan: int = 0
    announced: int = 0
    building: int = 0
    applying: int = 0
    not_started: int = 0


def coverage_from_events(
    units: Iterable[UnitRecord], events: Iterable[NewEvent], as_of: dt.date
) -> dict[Level, Counts]:
    """Counts per coverage level on ``as_of``, computed record by record.

    Every coverage level is present in the result, zeros included.  A unit counts when it
    exists on ``as_of`` and is in the plan; its stage follows :func:`qms.units.rules.stage_on`.
    """
    by_unit: dict[str, list[NewEvent]] = {}
    for ev in events:
        by_unit.setdefault(ev.unit_code, []).append(ev)
    tallies: dict[Level, dict[str, int]] = {lv: dict(in_plan=0, announced=0, building=0, applying=0, not_started=0) for lv in COVERAGE_LEVELS}
    for unit in units:
        if unit.level not in tallies or not unit.in_plan or not unit.exists_on(as_of):
            continue
        stage, _ = stage_on(by_unit.get(unit.code, []), as_of)
        t = tallies[unit.level]
        t["in_plan"] += 1
        t[{Stage.ANNOUNCED: "announced", Stage.BUILDING: "building", Stage.APPLYING: "applying", Stage.NOT_STARTED: "not_started"}[stage]] += 1
    return {lv: Counts(**t) for lv, t in tallies.items()}


def sort_by_gap(rows: Sequence) -> list:
    """Largest gap first, then lowest rate (so districts past the target still rank by how far
    along they are); rows without a rate (no unit) last; ties by name."""
    return sorted(rows, key=lambda r: (r.rate_pct is None, -(r.gap_pct or 0.0), r.rate_pct or 0.0, r.district_name))


def target_lookup(targets: Iterable, level: Level, year: int) -> float | None:
    for t in targets:
        if t.level == level and t.year == year:
            return t.target_pct
    return None


def year_points(first_year: int, as_of: dt.date) -> list[tuple[int, dt.date]]:
    """(year, date) pairs for a trend: each year's 31 December, the last year cut at ``as_of``."""
    return [(y, min(dt.date(y, 12, 31), as_of)) for y in range(first_year, as_of.year + 1)]

