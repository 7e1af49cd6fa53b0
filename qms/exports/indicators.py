"""The PAR-index ISO indicators on a date: store counts scored by the methodology.

One computation serves the reports page, ``qms indicators`` and the snapshot's ``indicators``
and ``indicator_units`` tables.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from qms.coverage.rules import target_lookup
from qms.coverage.targets_store import list_targets
from qms.exports.indicators_queries import ShortUnit, measure_counts, short_units
from qms.exports.par_rules import Criterion, Methodology, Score, default_methodology_path, load_methodology, score
from qms.kernel.clock import province_today
from qms.kernel.errors import ValidationError
from qms.units.model import Level


@dataclass(frozen=True)
class Indicator:
    """One criterion's result.  ``short_units`` lists the units that keep it below full marks
    (empty at full marks, or when nothing is counted)."""

    criterion: Criterion
    score: Score
    plan_target_pct: float | None
    short_units: list[ShortUnit]


@dataclass(frozen=True)
class IndicatorReport:
    as_of: dt.date
    year: int
    methodology: Methodology
    methodology_sha256: str | None
    indicators: list[Indicator]

    @property
    def points(self) -> float:
        return round(sum(i.score.points or 0.0 for i in self.indicators), 4)

    @property
    def max_points(self) -> float:
        """The points that could be earned on the date: a criterion with no unit counted (a level
        that does not exist then, such as districts after 01/07/2025) is not applicable and left
        out, so the province is not scored against units it no longer has."""
        return round(sum(i.criterion.max_points for i in self.indicators if i.score.denominator), 4)


def load(path: Path | None = None) -> tuple[Methodology, str]:
    """The methodology at ``path`` (default: the province's file, else the shipped sample)."""
    return load_methodology(path or default_methodology_path())


def compute(db, as_of: dt.date, methodology: Methodology, methodology_sha256: str | None = None) -> IndicatorReport:
    """Score every criterion on ``as_of`` (``db``: a Database or a snapshot reader)."""
    counts = measure_counts(db, as_of)
    targets = list_targets(db)
    out = []
    for criterion in methodology.criteria:
        level = Level(criterion.level)
        count = counts[(criterion.measure, level)]
        result = score(criterion, count.numerator, count.denominator)
        below = result.points is not None and not result.full_marks
        out.append(Indicator(
            criterion=criterion, score=result,
            plan_target_pct=target_lookup(targets, level, as_of.year) if criterion.measure == "announced_rate" else None,
            short_units=short_units(db, as_of, criterion.measure, level) if below else [],
        ))
    return IndicatorReport(as_of=as_of, year=as_of.year, methodology=methodology, methodology_sha256=methodology_sha256,
                           indicators=out)


def year_as_of(year: int, today: dt.date) -> dt.date:
    """The date a year is scored on: 31 December, or today while the year is not over."""
    if year > today.year:
        raise ValidationError(f"--year: {year} has not started yet (today is {today.isoformat()}).",
                              vi=f"Năm {year} chưa bắt đầu (hôm nay là {today:%d/%m/%Y}).")
    return min(dt.date(year, 12, 31), today)


def for_year(db, year: int, *, today: dt.date | None = None, methodology_path: Path | None = None) -> IndicatorReport:
    """The indicators of ``year`` (scored on its last day, or today for the current year)."""
    methodology, sha = load(methodology_path)
    return compute(db, year_as_of(year, today or province_today()), methodology, sha)
