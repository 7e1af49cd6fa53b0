"""The sizes the benchmark builds: one province today, the whole country tomorrow.

Figures for the country are those of the issue (before the 2025 reform): about 10,600 communes,
700 districts and 1,200 departments and sub-departments (19 per province: 15 departments and
4 sub-departments), that is about 12,500 QMS units, plus the volumes the other tables will hold
at that size (2.5 million processes and TTHC links, 6 million checklist answers, 300,000
actions).  The province scale is one average province: the country divided by 63.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

#: The lifecycle history the fixture generates (the issue's "5 years of lifecycle events").
HISTORY_FROM = dt.date(2017, 1, 1)
HISTORY_UNTIL = dt.date(2021, 12, 31)
#: Communes merged away in the 2019-2020 reorganisation stop existing on this day.
MERGER_DATE = dt.date(2020, 1, 1)
#: The 2025 reform (two-level local government): old provinces, districts and communes end the
#: day before; the new provinces and commune-level units exist from this day.
REFORM_DATE = dt.date(2025, 7, 1)
#: The last day of the history after the reform (the new communes' rollout), and the date the
#: figures after the reform are measured on.
AFTER_UNTIL = dt.date(2026, 6, 30)


@dataclass(frozen=True)
class Scale:
    """How much the benchmark generates and how often it measures each figure.

    ``processes_tthc``, ``checklist_answers`` and ``actions`` are row targets for the data sets
    of migrations 004, 002 and 003; they are used only when those tables exist.
    """

    name: str
    provinces: int
    districts: int
    communes: int
    departments_per_province: int
    sub_departments_per_province: int
    processes_tthc: int
    checklist_answers: int
    actions: int
    #: The country of today: provinces and commune-level units after the 2025 reform.
    provinces_after: int
    communes_after: int
    coverage_runs: int
    baseline_runs: int
    render_runs: int
    save_runs: int
    snapshot_runs: int
    #: Runs of the side figures (scope overview, the overview's data calls alone, trend, one
    #: unit's span rewrite): at least this many, or a third of ``coverage_runs``.
    side_runs: int = 3

    @property
    def qms_units(self) -> int:
        return self.communes + self.districts + self.provinces * (self.departments_per_province + self.sub_departments_per_province)

    def as_dict(self) -> dict:
        return asdict(self) | {"qms_units": self.qms_units}


SCALES: dict[str, Scale] = {
    "province": Scale(
        name="province", provinces=1, districts=11, communes=168, departments_per_province=15,
        sub_departments_per_province=4, processes_tthc=40_000, checklist_answers=95_000, actions=4_800,
        provinces_after=1, communes_after=55,
        coverage_runs=7, baseline_runs=3, render_runs=3, save_runs=3, snapshot_runs=1, side_runs=1,
    ),
    "national": Scale(
        name="national", provinces=63, districts=700, communes=10_600, departments_per_province=15,
        sub_departments_per_province=4, processes_tthc=2_500_000, checklist_answers=6_000_000, actions=300_000,
        provinces_after=34, communes_after=3_321,
        coverage_runs=21, baseline_runs=7, render_runs=5, save_runs=11, snapshot_runs=3,
    ),
}
