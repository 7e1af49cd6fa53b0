"""The naive way, the baseline every ratio is measured against: pull the tables into pandas
(``SELECT *`` ... ``.df()``) and compute each unit's stage on the date and the counts per level
and per district there.

It computes the same figures as :func:`qms.coverage.queries.by_level` and
:func:`qms.coverage.queries.by_district` (counts only; rates, targets and gaps follow from them by
the same pure formulas) from the same definitions: a unit counts when it is in the plan and
exists on the date; its stage is that of its latest stage-moving event on or before the date
(ties by id); "not maintained" is announced before 1 January of the year without both an
internal audit and a management review since.  Since the 2025 reform it also lists the communes
that belong to no district on the date (their parent on the date, from ``unit_parents`` or else
the first, is not a district), each with its stage: what the overview shows instead of the
districts (:func:`qms.coverage.queries.communes_without_district`).  Its code is independent of
the SQL: where the two disagree, the benchmark fails.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from qms.bench.validate import without_district_summary
from qms.units.model import COVERAGE_LEVELS
from qms.units.rules import STAGE_AFTER, STAGE_ORDER
from qms.units.stage_sql import ANNOUNCED

_STAGE_NUMBER = {ev.value: STAGE_ORDER[stage] for ev, stage in STAGE_AFTER.items()}
_STAGE_NAME = {n: stage.value for stage, n in STAGE_ORDER.items()}
LEVEL_FIELDS = ("in_plan", "announced", "building", "applying", "never_started", "not_maintained")


@dataclass(frozen=True)
class CoverageFigures:
    """Counts per level ``{level: {field: n}}``, per district ``{code: (name, in_plan, announced)}``
    and, where computed, the communes under no district ``{official code: stage}``."""

    by_level: dict[str, dict[str, int]]
    by_district: dict[str, tuple[str, int, int]]
    without_district: dict[str, str] | None = None


def pull_tables(cur) -> dict[str, pd.DataFrame]:
    """The whole tables the naive computation needs, as DataFrames."""
    return {name: cur.execute(f"SELECT * FROM {name}").df() for name in ("units", "unit_names", "unit_parents", "qms_events")}  # noqa: S608


def compute(tables: dict[str, pd.DataFrame], as_of: dt.date) -> CoverageFigures:
    """Coverage counts on ``as_of`` computed in pandas from the pulled tables."""
    day = pd.Timestamp(as_of)
    year_start = pd.Timestamp(as_of.year, 1, 1)
    units, names, events = tables["units"], tables["unit_names"], tables["qms_events"]

    exists = (units["valid_from"].isna() | (units["valid_from"] <= day)) & (units["valid_to"].isna() | (units["valid_to"] > day))
    levels = [lv.value for lv in COVERAGE_LEVELS]
    counted = units.loc[exists & units["in_plan"] & units["level"].isin(levels), ["code", "level", "parent_code"]]

    until = events[events["event_date"] <= day]
    moving = until.assign(stage=until["event_type"].map(_STAGE_NUMBER)).dropna(subset=["stage"])
    latest = moving.sort_values(["unit_code", "event_date", "id"]).groupby("unit_code", sort=False).tail(1)
    stage = latest.set_index("unit_code")["stage"].astype(int)

    first_announced = until[until["event_type"] == "announced"].groupby("unit_code")["event_date"].min()
    announced_before_year = first_announced[first_announced < year_start].index
    this_year = until[(until["event_date"] >= year_start) & until["event_type"].isin(["internal_audit", "management_review"])]
    kinds = this_year.groupby("unit_code")["event_type"].nunique()
    maintained = kinds[kinds == 2].index

    counted = counted.assign(stage=counted["code"].map(stage).fillna(0).astype(int))
    counted = counted.assign(
        not_maintained=(counted["stage"] == ANNOUNCED)
        & counted["code"].isin(announced_before_year)
        & ~counted["code"].isin(maintained)
    )
    by_level = {}
    for level in levels:
        rows = counted[counted["level"] == level]
        st = rows["stage"]
        by_level[level] = {
            "in_plan": int(len(rows)), "announced": int((st == 3).sum()), "building": int((st == 1).sum()),
            "applying": int((st == 2).sum()), "never_started": int((st == 0).sum()),
            "not_maintained": int(rows["not_maintained"].sum()),
        }

    named = names[names["valid_from"] <= day].sort_values(["code", "valid_from"]).groupby("code").tail(1)
    first = names.sort_values(["code", "valid_from"]).groupby("code").head(1)
    name_on = first.set_index("code")["name"].to_dict() | named.set_index("code")["name"].to_dict()
    districts = units.loc[exists & (units["level"] == "district"), "code"]
    communes = counted[counted["level"] == "commune"]
    per = communes.groupby("parent_code").agg(in_plan=("code", "size"), announced=("stage", lambda s: int((s == ANNOUNCED).sum())))
    by_district = {}
    for code in districts:
        in_plan, announced = (int(per.at[code, "in_plan"]), int(per.at[code, "announced"])) if code in per.index else (0, 0)
        by_district[code] = (name_on[code], in_plan, announced)

    parents = tables["unit_parents"]
    parent_on = units.set_index("code")["parent_code"].to_dict()
    dated = parents[parents["valid_from"] <= day].sort_values(["code", "valid_from"]).groupby("code").tail(1)
    parent_on |= dated.set_index("code")["parent_code"].to_dict()
    level_of = units.set_index("code")["level"].to_dict()
    official = units.set_index("code")["gso_code"].to_dict()
    direct = communes[[level_of.get(parent_on.get(c), "province") != "district" for c in communes["code"]]]
    without = {official.get(c) or c: _STAGE_NAME[s] for c, s in zip(direct["code"], direct["stage"])}
    return CoverageFigures(by_level, by_district, without)


def naive_coverage(cur, as_of: dt.date) -> CoverageFigures:
    """Pull, then compute: what is timed as the baseline."""
    return compute(pull_tables(cur), as_of)


def qms_figures(levels, districts, without_district=None) -> CoverageFigures:
    """The same shape from qms's own results (:class:`~qms.units.model.LevelCoverage`,
    :class:`~qms.units.model.DistrictCoverage` and, when given, the
    :class:`~qms.units.model.PendingUnit` rows of the communes under no district), for the comparison."""
    return CoverageFigures(
        {r.level.value: {f: int(getattr(r, f)) for f in LEVEL_FIELDS} for r in levels},
        {d.district_code: (d.district_name, d.in_plan, d.announced) for d in districts},
        None if without_district is None else {c.code: c.stage.value for c in without_district},
    )


def differences(expected: CoverageFigures, got: CoverageFigures, *, limit: int = 10) -> list[str]:
    """Human-readable differences between two sets of figures (empty when identical)."""
    out = []
    for level in sorted(set(expected.by_level) | set(got.by_level)):
        a, b = expected.by_level.get(level), got.by_level.get(level)
        if a != b:
            out.append(f"{level}: {a} != {b}")
    for code in sorted(set(expected.by_district) | set(got.by_district)):
        a, b = expected.by_district.get(code), got.by_district.get(code)
        if a != b:
            out.append(f"district {code}: {a} != {b}")
    if expected.without_district is not None and got.without_district is not None:
        a, b = without_district_summary(expected.without_district), without_district_summary(got.without_district)
        if a != b:
            codes = sorted(set(expected.without_district.items()) ^ set(got.without_district.items()))[:5]
            out.append(f"communes under no district: {a['communes']} {a['by_stage']} != {b['communes']} {b['by_stage']}"
                       f" (first differing: {codes})")
    return out[:limit] + ([f"... and {len(out) - limit} more"] if len(out) > limit else [])
