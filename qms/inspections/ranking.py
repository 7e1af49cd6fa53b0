"""Risk ranking of the units to inspect in a year, and the proposed plan.

Every unit that must run a QMS is inspected at least on its records each year (Circular 26
Art. 34); the ranking decides the order, which units are inspected on site (the riskiest first,
up to the province's on-site share) and in which month (riskiest earliest).

Points per reason (a documented convention of qms, not a legal rule; the reasons are what a
planner reads, the points only order them):

==========================================  ======================================
reason                                      points
==========================================  ======================================
never inspected                             5
not inspected for N >= 3 years              min(N, 5)
recurring nonconformities (each)            2, at most 6
overdue improvement actions (each)          1, at most 5
announced, scope incomplete                 3
announced, not maintained last year         3
newly formed after an administrative change 4
legal update overdue (each)                 1, at most 3
==========================================  ======================================

Ties are broken by unit code, so a proposal is the same on every run.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction

#: Years without an inspection from which a unit is flagged.
STALE_YEARS = 3
#: Months the proposal spreads inspections over (January and December are for the plan and the
#: November report to UBND tỉnh).
PLAN_MONTHS = tuple(range(3, 11))


class Reason(StrEnum):
    NEVER_INSPECTED = "never_inspected"
    NOT_FOR_YEARS = "not_for_years"
    RECURRING = "recurring_nonconformities"
    OVERDUE_ACTIONS = "overdue_actions"
    SCOPE_INCOMPLETE = "scope_incomplete"
    NOT_MAINTAINED = "not_maintained_last_year"
    NEWLY_FORMED = "newly_formed"
    LEGAL_UPDATE_OVERDUE = "legal_update_overdue"


@dataclass(frozen=True)
class UnitRisk:
    """What the ranking needs of one unit, as of the planning date."""

    code: str
    name: str = ""
    level: str = "commune"
    last_inspected_year: int | None = None
    recurring: int = 0              # recurring nonconformities (actions marked recurred)
    overdue_actions: int = 0
    announced: bool = False
    scope_pct: float | None = None  # share of the unit's TTHC covered by issued processes
    maintained_last_year: bool | None = None  # None: not announced last year, the question does not arise
    formed_on: dt.date | None = None  # valid_from of a unit formed by an administrative change
    legal_updates_overdue: int = 0


@dataclass(frozen=True)
class Ranked:
    unit: UnitRisk
    score: int
    reasons: tuple[tuple[Reason, int], ...]  # (reason, its figure: years, count, percent...)


def reasons_of(u: UnitRisk, year: int) -> tuple[tuple[Reason, int], ...]:
    """The reasons to inspect ``u`` in ``year``, each with its figure, in the table's order."""
    found: list[tuple[Reason, int]] = []
    if u.last_inspected_year is None:
        found.append((Reason.NEVER_INSPECTED, 0))
    elif year - u.last_inspected_year >= STALE_YEARS:
        found.append((Reason.NOT_FOR_YEARS, year - u.last_inspected_year))
    if u.recurring > 0:
        found.append((Reason.RECURRING, u.recurring))
    if u.overdue_actions > 0:
        found.append((Reason.OVERDUE_ACTIONS, u.overdue_actions))
    if u.announced and u.scope_pct is not None and u.scope_pct < 100:
        found.append((Reason.SCOPE_INCOMPLETE, int(u.scope_pct)))
    if u.maintained_last_year is False:
        found.append((Reason.NOT_MAINTAINED, year - 1))
    if u.formed_on is not None and year - 1 <= u.formed_on.year <= year:
        found.append((Reason.NEWLY_FORMED, u.formed_on.year))
    if u.legal_updates_overdue > 0:
        found.append((Reason.LEGAL_UPDATE_OVERDUE, u.legal_updates_overdue))
    return tuple(found)


def points(reason: Reason, figure: int) -> int:
    """The points of one reason (see the module's table)."""
    match reason:
        case Reason.NEVER_INSPECTED:
            return 5
        case Reason.NOT_FOR_YEARS:
            return min(figure, 5)
        case Reason.RECURRING:
            return min(2 * figure, 6)
        case Reason.OVERDUE_ACTIONS:
            return min(figure, 5)
        case Reason.SCOPE_INCOMPLETE | Reason.NOT_MAINTAINED:
            return 3
        case Reason.NEWLY_FORMED:
            return 4
        case Reason.LEGAL_UPDATE_OVERDUE:
            return min(figure, 3)
    raise ValueError(reason)  # pragma: no cover - every reason is matched


def rank(units: Sequence[UnitRisk], year: int) -> list[Ranked]:
    """Every unit with its score and reasons, riskiest first (ties by code).  Empty in, empty out."""
    ranked = []
    for u in units:
        found = reasons_of(u, year)
        ranked.append(Ranked(u, sum(points(r, f) for r, f in found), found))
    return sorted(ranked, key=lambda r: (-r.score, r.unit.code))


def onsite_needed(total: int, share: Fraction) -> int:
    """Units to inspect on site so that ``on_site / total >= share`` (rounded up; 0 of 0)."""
    return math.ceil(total * share)


@dataclass(frozen=True)
class ProposedItem:
    unit_code: str
    mode: str            # "on_site" or "records"
    month: int
    score: int
    reasons: tuple[tuple[Reason, int], ...] = field(default=())


def propose(ranked: Sequence[Ranked], share: Fraction, months: Sequence[int] = PLAN_MONTHS) -> list[ProposedItem]:
    """The draft plan: the riskiest ``onsite_needed`` units on site, the rest on records; months
    given round-robin in rank order, so the riskiest are inspected first in each mode."""
    n_site = onsite_needed(len(ranked), share)
    items = []
    for i, r in enumerate(ranked):
        on_site = i < n_site
        k = i if on_site else i - n_site
        items.append(ProposedItem(r.unit.code, "on_site" if on_site else "records", months[k % len(months)], r.score,
                                  r.reasons))
    return items
